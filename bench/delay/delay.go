// Package delay is a TCP proxy for benchmarks on loopback: it forwards each
// connection to a target, holding every chunk of bytes for a fixed one-way
// delay in each direction and optionally limiting each direction's
// bandwidth, so that loopback behaves like a link with a round trip of
// twice the delay. It buffers at most a bounded amount per direction
// (about the bandwidth-delay product of a fast link), so a slow reader
// still pushes back on the sender as TCP would.
package delay

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards connections accepted on its listener to Target.
type Proxy struct {
	// Target is the host:port connections are forwarded to.
	Target string
	// OneWay is the delay added in each direction.
	OneWay time.Duration
	// BytesPerSecond limits each direction of each connection; 0 means no
	// limit.
	BytesPerSecond int64

	listener net.Listener
	wg       sync.WaitGroup
	turns    atomic.Int64
}

// Turns counts, over all connections, how often the client sent data after
// the server had sent some since the client last did: the round trips the
// client waited for (its first flight, before the greeting, is not one).
// Pipelined commands sent together count once.
func (p *Proxy) Turns() int64 { return p.turns.Load() }

// ResetTurns sets Turns back to 0.
func (p *Proxy) ResetTurns() { p.turns.Store(0) }

// Listen starts the proxy on a free loopback port and returns its
// host:port.
func (p *Proxy) Listen() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	p.listener = l
	p.wg.Add(1)
	go p.accept()
	return l.Addr().String(), nil
}

// Close stops accepting and waits for the accept loop to end; forwarded
// connections end when either side closes.
func (p *Proxy) Close() error {
	err := p.listener.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.Target)
		if err != nil {
			client.Close()
			continue
		}
		var pair sync.WaitGroup
		var serverSpoke atomic.Bool // since the client last sent
		pair.Add(2)
		go p.forward(client, server, &pair, func() {
			if serverSpoke.Swap(false) {
				p.turns.Add(1)
			}
		})
		go p.forward(server, client, &pair, func() { serverSpoke.Store(true) })
		go func() {
			pair.Wait()
			client.Close()
			server.Close()
		}()
	}
}

type chunk struct {
	data []byte
	due  time.Time
}

const (
	chunkSize   = 32 << 10
	queueChunks = 512 // 16 MiB in flight per direction at most
)

// forward copies src to dst through a delay line.
// It half-closes dst when src ends, and stops reading src when dst fails.
// sent is called before each chunk is forwarded.
func (p *Proxy) forward(src, dst net.Conn, done *sync.WaitGroup, sent func()) {
	defer done.Done()
	queue := make(chan chunk, queueChunks)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, chunkSize)
			n, err := src.Read(buf)
			if n > 0 {
				queue <- chunk{data: buf[:n], due: time.Now().Add(p.OneWay)}
			}
			if err != nil {
				return
			}
		}
	}()
	var next time.Time // when the bandwidth limit lets the next byte go
	for c := range queue {
		at := c.due
		if p.BytesPerSecond > 0 && next.After(at) {
			at = next
		}
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		if p.BytesPerSecond > 0 {
			start := time.Now()
			if next.After(start) {
				start = next
			}
			next = start.Add(time.Duration(int64(len(c.data)) * int64(time.Second) / p.BytesPerSecond))
		}
		sent()
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	// A failed write: stop the reader, then drain so it can end.
	src.(*net.TCPConn).CloseRead()
	for range queue {
	}
	dst.(*net.TCPConn).CloseWrite()
}

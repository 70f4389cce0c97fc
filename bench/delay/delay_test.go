package delay

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"
)

// TestProxyForwardsBothWays sends a megabyte through the proxy to an echo
// server and checks every byte comes back in order.
func TestProxyForwardsBothWays(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		io.Copy(c, c)
		c.(*net.TCPConn).CloseWrite()
	}()
	p := &Proxy{Target: l.Addr().String(), OneWay: time.Millisecond, BytesPerSecond: 200 << 20}
	addr, err := p.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range want {
		want[i] = byte(r.Uint32())
	}
	go func() {
		c.Write(want)
		c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("echo through proxy: got %d bytes, want the %d sent", len(got), len(want))
	}
}

// TestProxyCountsTurns checks that a client waiting for each answer costs
// a turn per exchange after the first, and pipelined lines cost one.
func TestProxyCountsTurns(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		io.Copy(c, c)
		c.Close()
	}()
	p := &Proxy{Target: l.Addr().String(), OneWay: time.Millisecond}
	addr, err := p.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	exchange := func(send string) {
		if _, err := io.WriteString(c, send); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, make([]byte, len(send))); err != nil {
			t.Fatal(err)
		}
	}
	exchange("a\n")
	exchange("b\n")
	exchange("c\nd\ne\n") // pipelined: one flight
	if got := p.Turns(); got != 2 {
		t.Errorf("Turns() = %d after three exchanges, want 2", got)
	}
}

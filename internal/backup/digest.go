package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// What a manifest entry records of a message's bytes (Entry.SHA256,
// StoredSHA256, Lossless) is computed while the message streams from the
// server through the policy into its file. SHA-256 is the costly part
// (about 1.5 GB/s with SHA-NI, one pass over the server's bytes and one
// over the stored bytes), so it runs on a goroutine of its own (hashPipe)
// and overlaps with reading the network and writing the file; whether the
// stored bytes put back to CRLF are the server's bytes is decided by
// comparing the two streams as they pass (losslessCheck), not by a third
// SHA-256 pass.

// hashChunk is how many bytes a pipedHash gathers before it hands them to
// the hashing goroutine; hashQueue bounds the chunks waiting there, so the
// memory of a pipe is bounded (hashQueue+2 chunks per hash in use).
const (
	hashChunk = 64 << 10
	hashQueue = 8
)

// hashPipe hashes chunks on one goroutine, in the order they were sent.
// One pipe serves a mailbox sync; close it when the sync ends.
type hashPipe struct {
	jobs chan hashJob
	pool sync.Pool // of *[]byte, hashChunk bytes
	done chan struct{}
}

// hashJob is a chunk to hash into h, or (data nil) a barrier: reached is
// closed once every chunk sent before it is hashed.
type hashJob struct {
	h       hash.Hash
	data    *[]byte
	reached chan struct{}
}

func newHashPipe() *hashPipe {
	p := &hashPipe{jobs: make(chan hashJob, hashQueue), done: make(chan struct{})}
	p.pool.New = func() any { b := make([]byte, 0, hashChunk); return &b }
	go p.run()
	return p
}

func (p *hashPipe) run() {
	defer close(p.done)
	for j := range p.jobs {
		if j.data == nil {
			close(j.reached)
			continue
		}
		j.h.Write(*j.data)
		*j.data = (*j.data)[:0]
		p.pool.Put(j.data)
	}
}

// close stops the goroutine once every chunk sent is hashed.
func (p *hashPipe) close() {
	close(p.jobs)
	<-p.done
}

// pipedHash is a SHA-256 fed through a hashPipe. A message smaller than
// one chunk is hashed by its caller at sum, without the goroutine.
type pipedHash struct {
	pipe *hashPipe
	h    hash.Hash
	buf  *[]byte
	sent bool // chunks went to the pipe: sum must wait for them
}

func (p *hashPipe) newHash() *pipedHash {
	return &pipedHash{pipe: p, h: sha256.New()}
}

// Write gathers p into chunks for the pipe; it never fails.
func (d *pipedHash) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if d.buf == nil {
			d.buf = d.pipe.pool.Get().(*[]byte)
		}
		b := *d.buf
		k := copy(b[len(b):cap(b)], p)
		*d.buf = b[:len(b)+k]
		p = p[k:]
		if len(*d.buf) == cap(*d.buf) {
			d.pipe.jobs <- hashJob{h: d.h, data: d.buf}
			d.buf, d.sent = nil, true
		}
	}
	return n, nil
}

// settle hashes everything written so far into d.h.
func (d *pipedHash) settle() {
	if d.sent {
		if d.buf != nil && len(*d.buf) > 0 {
			d.pipe.jobs <- hashJob{h: d.h, data: d.buf}
			d.buf = nil
		}
		reached := make(chan struct{})
		d.pipe.jobs <- hashJob{reached: reached}
		<-reached
		d.sent = false
	}
	if d.buf != nil {
		d.h.Write(*d.buf)
		*d.buf = (*d.buf)[:0]
		d.pipe.pool.Put(d.buf)
		d.buf = nil
	}
}

// sum returns the SHA-256 of everything written, in hex.
func (d *pipedHash) sum() string {
	d.settle()
	return hex.EncodeToString(d.h.Sum(nil))
}

// clone returns a plain SHA-256 in the state d is in.
func (d *pipedHash) clone() hash.Hash {
	d.settle()
	c, err := d.h.(hash.Cloner).Clone()
	if err != nil {
		panic("backup: SHA-256 cannot be cloned: " + err.Error())
	}
	return c
}

// release gives back d's buffer when its sum is not wanted.
func (d *pipedHash) release() {
	if d.buf != nil {
		*d.buf = (*d.buf)[:0]
		d.pipe.pool.Put(d.buf)
		d.buf = nil
	}
}

// losslessWindow bounds the bytes losslessCheck holds while one stream is
// ahead of the other (the raw policy stays within one 32 KiB read; a
// policy that rewrites a long header may get further ahead).
const losslessWindow = 1 << 20

// losslessCheck decides whether the stored bytes, with the policy's line
// separator put back to CRLF (toCRLF), are exactly the server's bytes:
// the manifest's "lossless". It compares the two streams as they come,
// holding only the bytes by which one is ahead of the other, and feeds
// the server's bytes, once compared, to the server's hash. When one
// stream gets more than losslessWindow ahead it falls back to hashing
// the stored bytes put back to CRLF, starting from a clone of the
// server's hash over the bytes both streams agreed on.
//
// Its two Writers are server (the bytes read from the server) and stored
// (the bytes written to the file).
type losslessCheck struct {
	linesep string
	server  *pipedHash
	// window is losslessWindow (smaller in tests).
	window int
	// aheadServer holds server bytes not yet matched by stored bytes,
	// aheadStored stored bytes (put back to CRLF) not yet matched by
	// server bytes; at most one is not empty.
	aheadServer, aheadStored []byte
	scratch                  []byte
	differs                  bool
	// back, after a fallback, hashes the stored bytes put back to CRLF.
	back        hash.Hash
	storedCRLFn int64
	serverN     int64
}

// reset prepares c for a new message whose server bytes go to server.
func (c *losslessCheck) reset(linesep string, server *pipedHash) {
	*c = losslessCheck{linesep: linesep, server: server, window: losslessWindow, aheadServer: c.aheadServer[:0], aheadStored: c.aheadStored[:0], scratch: c.scratch[:0]}
}

// serverWriter and storedWriter are the two streams' io.Writers.
func (c *losslessCheck) serverWriter() writerFunc { return c.fromServer }
func (c *losslessCheck) storedWriter() writerFunc { return c.fromStored }

func (c *losslessCheck) fromServer(p []byte) {
	c.serverN += int64(len(p))
	if c.differs || c.back != nil {
		c.server.Write(p)
		return
	}
	if len(c.aheadStored) > 0 {
		n := min(len(p), len(c.aheadStored))
		if !bytes.Equal(p[:n], c.aheadStored[:n]) {
			c.diverge()
			c.server.Write(p)
			return
		}
		c.server.Write(p[:n])
		c.aheadStored = consume(c.aheadStored, n)
		p = p[n:]
	}
	if len(p) > 0 {
		c.aheadServer = append(c.aheadServer, p...)
		c.checkWindow()
	}
}

func (c *losslessCheck) fromStored(p []byte) {
	if c.differs {
		return
	}
	c.scratch = toCRLF(c.scratch[:0], p, c.linesep)
	q := c.scratch
	c.storedCRLFn += int64(len(q))
	if c.back != nil {
		c.back.Write(q)
		return
	}
	if len(c.aheadServer) > 0 {
		n := min(len(q), len(c.aheadServer))
		if !bytes.Equal(q[:n], c.aheadServer[:n]) {
			c.diverge()
			return
		}
		c.server.Write(c.aheadServer[:n])
		c.aheadServer = consume(c.aheadServer, n)
		q = q[n:]
	}
	if len(q) > 0 {
		c.aheadStored = append(c.aheadStored, q...)
		c.checkWindow()
	}
}

// consume drops the first n bytes of b, keeping its array.
func consume(b []byte, n int) []byte {
	rest := copy(b, b[n:])
	return b[:rest]
}

// diverge records that the streams differ; the server bytes held go to
// the server's hash.
func (c *losslessCheck) diverge() {
	c.differs = true
	c.server.Write(c.aheadServer)
	c.aheadServer, c.aheadStored = c.aheadServer[:0], c.aheadStored[:0]
}

// checkWindow falls back to hashing when a stream got too far ahead.
func (c *losslessCheck) checkWindow() {
	if len(c.aheadServer) <= c.window && len(c.aheadStored) <= c.window {
		return
	}
	// Both streams agree up to here, and the server's hash holds exactly
	// those bytes: the stored bytes' hash starts from a copy of it.
	c.back = c.server.clone()
	c.back.Write(c.aheadStored)
	c.server.Write(c.aheadServer)
	c.aheadServer, c.aheadStored = c.aheadServer[:0], c.aheadStored[:0]
}

// finish feeds the server's hash what it still holds and says whether the
// two streams were equal. Call it once both streams ended, before the
// server hash's sum.
func (c *losslessCheck) finish() (lossless bool) {
	switch {
	case c.differs:
		return false
	case c.back != nil:
		serverSum := c.server.clone().Sum(nil)
		return c.storedCRLFn == c.serverN && bytes.Equal(c.back.Sum(nil), serverSum)
	}
	equal := len(c.aheadServer) == 0 && len(c.aheadStored) == 0
	c.server.Write(c.aheadServer)
	c.aheadServer = c.aheadServer[:0]
	return equal
}

package imap

import (
	"bufio"
	"compress/flate"
	"context"
	"io"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// flateWriter compresses and flushes on every write, so each command
// reaches the server whole (RFC 4978 §4).
type flateWriter struct {
	fw *flate.Writer
}

func (f *flateWriter) Write(p []byte) (int, error) {
	n, err := f.fw.Write(p)
	if err != nil {
		return n, err
	}
	return n, f.fw.Flush()
}

// Compress turns on COMPRESS=DEFLATE (RFC 4978): both directions are
// raw-deflate compressed from the tagged OK on.
func (c *Client) Compress(ctx context.Context) error {
	if !c.Has(ctx, "COMPRESS=DEFLATE") {
		return &CapabilityError{Command: "COMPRESS", Reason: "server does not offer COMPRESS=DEFLATE"}
	}
	cmd := c.newCommand("COMPRESS")
	cmd.onOK = func(*Response) {
		// Reader goroutine: bytes already buffered after the OK line are
		// compressed data too.
		rest := io.MultiReader(bufferedOf(c.br), c.inner)
		c.br = bufio.NewReaderSize(c.traceReader(flate.NewReader(rest)), 64<<10)
		c.dec.SetReader(c.br)
	}
	cmd.keepWriteLock = true
	cmd.afterOK = func() {
		// Writer's side, still holding the write lock.
		fw, _ := flate.NewWriter(c.inner, flate.DefaultCompression)
		c.flateOut = &flateWriter{fw: fw}
		c.wtarget = c.flateOut
		c.bw.Reset(c.wtarget)
	}
	return c.run(ctx, cmd, func(e *imapwire.Encoder) { e.Raw(" DEFLATE") }, false)
}

// bufferedOf returns the bytes br holds, consuming them.
func bufferedOf(br *bufio.Reader) io.Reader {
	b, _ := br.Peek(br.Buffered())
	cp := append([]byte(nil), b...)
	br.Discard(len(b))
	return &byteReader{b: cp}
}

type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

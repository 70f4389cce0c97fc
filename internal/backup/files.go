package backup

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/imapctl/imapctl/internal/output"
)

// Formats a backup can be stored in.
const (
	FormatMaildir = "maildir"
	FormatMbox    = "mbox"
	FormatEML     = "eml"
)

// mboxFileName is the mbox of a mailbox folder in the mbox format.
const mboxFileName = "mbox"

// newSink returns the output sink of a mailbox folder.
func newSink(format, dir string, mboxEnd int64) (output.Sink, error) {
	opts := output.Options{GroupCommit: true}
	switch format {
	case FormatMaildir:
		return output.NewMaildirSink(dir, opts), nil
	case FormatEML:
		return output.NewEMLSink(dir, output.NameTemplate{}, opts), nil
	case FormatMbox:
		return output.NewMboxSink(filepath.Join(dir, mboxFileName), output.MboxOptions{Options: opts, KnownCommitted: true, CommittedSize: mboxEnd}), nil
	}
	return nil, fmt.Errorf("backup: unknown format %q (want maildir, mbox or eml)", format)
}

// eachMessageFile calls fn with the UID and path (relative to dir) of each
// message file of a Maildir or eml mailbox folder, as messageFiles lists
// them, reading the folders in chunks: memory does not grow with the
// number of files.
func eachMessageFile(format, dir string, fn func(uid uint32, path string) error) error {
	each := func(sub string) error {
		f, err := os.Open(filepath.Join(dir, sub))
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		defer f.Close()
		for {
			entries, err := f.ReadDir(512)
			for _, e := range entries {
				name := e.Name()
				if !e.Type().IsRegular() || strings.HasPrefix(name, ".") {
					continue
				}
				var uid uint32
				switch format {
				case FormatMaildir:
					parsed, err := output.ParseMaildirName(name)
					if err != nil {
						continue
					}
					uid = parsed.UID
				case FormatEML:
					if !strings.HasSuffix(name, ".eml") {
						continue
					}
					n, err := strconv.ParseUint(strings.TrimSuffix(name, ".eml"), 10, 32)
					if err != nil {
						continue
					}
					uid = uint32(n)
				}
				if uid != 0 {
					if err := fn(uid, filepath.Join(sub, name)); err != nil {
						return err
					}
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
	switch format {
	case FormatMaildir:
		for _, sub := range []string{"cur", "new"} {
			if err := each(sub); err != nil {
				return err
			}
		}
	case FormatEML:
		return each(".")
	}
	return nil
}

// openStored opens the stored bytes of a manifest entry (for mbox, the
// message un-quoted from its range of the mbox file).
func openStored(format, dir string, e *Entry) (io.ReadCloser, error) {
	if format != FormatMbox {
		return os.Open(filepath.Join(dir, e.File))
	}
	f, err := os.Open(filepath.Join(dir, mboxFileName))
	if err != nil {
		return nil, err
	}
	section := io.NewSectionReader(f, e.Offset, e.End-e.Offset)
	r := output.NewMboxReader(section, filepath.Join(dir, mboxFileName), output.MboxRD)
	_, body, err := r.Next()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("backup: mbox message at offset %d: %w", e.Offset, err)
	}
	if e.NewlineAdded {
		body = &dropLastByte{r: bufio.NewReader(body)}
	}
	return struct {
		io.Reader
		io.Closer
	}{body, f}, nil
}

// dropLastByte reads r without its last byte: the newline an mbox writer
// added to a message that had none.
type dropLastByte struct {
	r *bufio.Reader
}

func (d *dropLastByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	// Keep one byte back until the end is seen.
	if _, err := d.r.Peek(2); err != nil {
		if n := d.r.Buffered(); n <= 1 {
			if err == io.EOF || err == bufio.ErrBufferFull {
				return 0, io.EOF
			}
			return 0, err
		}
	}
	n := min(len(p), d.r.Buffered()-1)
	return d.r.Read(p[:n])
}

// fileDigest hashes stored bytes: as stored, and put back to CRLF.
type fileDigest struct {
	Size         int64
	SHA256       string
	CRLFSize     int64
	CRLFSHA256   string
	ReadFailures error
}

// matches reports whether the digest is that of e's stored bytes: their
// SHA-256 when the manifest has it, else (a lossless message) the SHA-256
// and size of the bytes put back to CRLF, which are the server's.
func (d fileDigest) matches(e *Entry) bool {
	if e.StoredSHA256 != "" {
		return d.SHA256 == e.StoredSHA256
	}
	return e.Lossless && e.SHA256 != "" && d.CRLFSHA256 == e.SHA256 && d.CRLFSize == e.Size
}

// digestStored reads a stored message and hashes it both ways.
func digestStored(format, dir string, e *Entry, linesep string) (fileDigest, error) {
	rc, err := openStored(format, dir, e)
	if err != nil {
		return fileDigest{}, err
	}
	defer rc.Close()
	s := digestScratchPool.Get().(*digestScratch)
	defer digestScratchPool.Put(s)
	s.stored.Reset()
	s.back.h.Reset()
	s.back.linesep, s.back.n = linesep, 0
	// Only a plain Reader makes CopyBuffer use copyBuf: *os.File's
	// WriteTo would copy through a buffer of its own.
	n, err := io.CopyBuffer(io.MultiWriter(s.stored, &s.back), struct{ io.Reader }{rc}, s.copyBuf)
	if err != nil {
		return fileDigest{}, err
	}
	d := fileDigest{Size: n, SHA256: hex.EncodeToString(s.stored.Sum(nil))}
	d.CRLFSize, d.CRLFSHA256 = s.back.n, s.back.sum()
	return d, nil
}

// digestScratch is what digestStored needs for one message, kept for the
// next: verify and the backup's commit check hash every stored message.
type digestScratch struct {
	copyBuf []byte
	stored  hash.Hash
	back    crlfHasher
}

var digestScratchPool = sync.Pool{New: func() any {
	return &digestScratch{copyBuf: make([]byte, 32<<10), stored: sha256.New(), back: crlfHasher{h: sha256.New()}}
}}

// crlfHasher hashes bytes after turning linesep back into CRLF: the
// inverse of the raw policy's line ending change for that separator.
type crlfHasher struct {
	linesep string
	h       hash.Hash
	n       int64
	buf     []byte
}

func (c *crlfHasher) Write(p []byte) (int, error) {
	out := toCRLF(c.buf[:0], p, c.linesep)
	c.buf = out
	c.n += int64(len(out))
	c.h.Write(out)
	return len(p), nil
}

func (c *crlfHasher) sum() string { return hex.EncodeToString(c.h.Sum(nil)) }

// toCRLF appends p to dst with each linesep byte ("\n" or "\r") turned
// into CRLF; "\r\n" (or anything else) is copied unchanged.
func toCRLF(dst, p []byte, linesep string) []byte {
	if linesep != "\n" && linesep != "\r" {
		return append(dst, p...)
	}
	sep := linesep[0]
	for {
		i := bytes.IndexByte(p, sep)
		if i < 0 {
			return append(dst, p...)
		}
		dst = append(dst, p[:i]...)
		dst = append(dst, '\r', '\n')
		p = p[i+1:]
	}
}

// crlfReader turns linesep back into CRLF while reading (see toCRLF).
type crlfReader struct {
	r       *bufio.Reader
	linesep string
	pending []byte
	chunk   []byte
}

func newCRLFReader(r io.Reader, linesep string) io.Reader {
	if linesep != "\n" && linesep != "\r" {
		return r
	}
	return &crlfReader{r: bufio.NewReaderSize(r, 32<<10), linesep: linesep, chunk: make([]byte, 16<<10)}
}

func (c *crlfReader) Read(p []byte) (int, error) {
	for len(c.pending) == 0 {
		n, err := c.r.Read(c.chunk)
		c.pending = toCRLF(c.pending[:0], c.chunk[:n], c.linesep)
		if n == 0 && err != nil {
			return 0, err
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// normalizingReader turns every bare LF into CRLF and keeps CRLF: the
// wire form of a message from a foreign file (RFC 5322 §2.3).
type normalizingReader struct {
	r       *bufio.Reader
	lastCR  bool
	pending []byte
}

func newNormalizingReader(r io.Reader) io.Reader {
	return &normalizingReader{r: bufio.NewReaderSize(r, 32<<10)}
}

func (n *normalizingReader) Read(p []byte) (int, error) {
	if len(n.pending) > 0 {
		k := copy(p, n.pending)
		n.pending = n.pending[k:]
		return k, nil
	}
	i := 0
	for i < len(p) {
		b, err := n.r.ReadByte()
		if err != nil {
			if i > 0 {
				return i, nil
			}
			return 0, err
		}
		if b == '\n' && !n.lastCR {
			p[i] = '\r'
			i++
			if i == len(p) {
				n.pending = []byte{'\n'}
				n.lastCR = false
				return i, nil
			}
		}
		p[i] = b
		i++
		n.lastCR = b == '\r'
	}
	return i, nil
}

// headerSniffer reads a message's Message-ID while it streams (see
// output.HeaderSniffer).
type headerSniffer struct{ output.HeaderSniffer }

const maxSniff = output.MaxHeaderSniff

// reset empties h for the next message, keeping its buffer.
func (h *headerSniffer) reset() { h.Reset() }

// messageID returns the Message-ID header value (RFC 5322 §3.6.4),
// unfolded and trimmed, or "".
func (h *headerSniffer) messageID() string { return h.MessageID() }

func messageIDOf(header []byte) string { return output.MessageIDOf(header) }

// contextReader fails reads once ctx is done.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

package policy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Defect is one problem the parser found in a message, named after the
// Python email.errors class (RFC 5322/2045/2046 violations such as
// "MissingHeaderBodySeparatorDefect" or "CloseBoundaryNotFoundDefect").
type Defect struct {
	// Part says where: "message" for the top level, "part 2.1" for the
	// first sub-part of the second part.
	Part string `json:"part"`
	// Class is the Python defect class name.
	Class string `json:"defect"`
}

// Report describes one message written by Policy.Write.
type Report struct {
	// Defects lists the parser's defects in Python's msg.walk() order
	// (always empty for the raw policy, which does not parse).
	Defects []Defect `json:"defects"`
	// Written is the number of bytes written.
	Written int64 `json:"bytes"`
}

// Write reads one message from r and writes it to w under p (safe for
// concurrent use; a Policy never changes): for raw,
// the bytes with only line endings changed (streamed in constant memory);
// otherwise as Python's BytesGenerator(w, policy=p).flatten(
// message_from_binary_file(r, policy=p)) writes it.
//
// Under RaiseOnDefect the first defect is returned as a *DefectError and
// nothing is written; r is still read to its end. A message Python
// cannot write either gives a *GenerateError, again with nothing
// written. Read and write errors are
// returned as they are.
func (p *Policy) Write(w io.Writer, r io.Reader) (*Report, error) {
	return p.write(w, r, MaxBodyMemory)
}

// write is Write with bodyMemory bytes of body kept in memory at most.
func (p *Policy) write(w io.Writer, r io.Reader, bodyMemory int) (*Report, error) {
	if p.IsRaw() {
		n, err := copyRaw(w, r, p.Linesep)
		return &Report{Defects: []Defect{}, Written: n}, err
	}
	budget := getBudget(bodyMemory)
	defer budget.release()
	m, err := parseMessage(r, p, budget)
	if err != nil {
		var defect *DefectError
		var tooLong *HeaderTooLongError
		var tooMany *TooManyPartsError
		var generate *GenerateError // an exception Python raises while parsing
		if errors.As(err, &defect) || errors.As(err, &tooLong) || errors.As(err, &tooMany) || errors.As(err, &generate) {
			// Leave r at the end of the message, as after a success.
			io.Copy(io.Discard, r)
		}
		return nil, err
	}
	report := &Report{Defects: []Defect{}}
	forEachPart(m, "message", func(part *message, name string) {
		for _, d := range part.defects {
			report.Defects = append(report.Defects, Defect{Part: name, Class: d})
		}
	})
	g := &generator{policy: p, mangleFrom: p.MangleFrom, nl: p.Linesep, part: "message"}
	if err := g.prepare(m); err != nil {
		return report, err
	}
	cw := &countingWriter{w: w}
	bw := budget.out
	if bw == nil {
		bw = bufio.NewWriterSize(cw, 8<<10)
		budget.out = bw
	} else {
		bw.Reset(cw)
	}
	err = g.write(bw, m)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	report.Written = cw.n
	return report, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// forEachPart walks m in Python's msg.walk() order, naming each part as
// DefectError and GenerateError do.
func forEachPart(m *message, name string, fn func(*message, string)) {
	fn(m, name)
	if !m.isContainer {
		return
	}
	for i, part := range m.parts {
		sub := fmt.Sprintf("part %d", i+1)
		if name != "message" {
			sub = fmt.Sprintf("%s.%d", name, i+1)
		}
		forEachPart(part, sub, fn)
	}
}

// rawBuffers are the read and write buffers of one copyRaw call, reused
// across calls (a message is usually a few KiB; a fresh 64 KiB pair per
// message made the garbage collector the main cost of fetching many small
// messages).
type rawBuffers struct{ in, out []byte }

// rawBufferPool holds rawBuffers between copyRaw calls. It is a cache
// only: any call may find it empty.
var rawBufferPool = sync.Pool{New: func() any {
	return &rawBuffers{in: make([]byte, 32<<10), out: make([]byte, 0, 64<<10+1)}
}}

// copyRaw copies r to w changing every line ending (CRLF or a lone LF)
// to linesep. A CR not followed by LF is not a line ending (RFC 5322
// section 2.3 allows CR only in CRLF) and is copied unchanged, so that
// raw changes nothing but line endings. Memory use is constant.
func copyRaw(w io.Writer, r io.Reader, linesep string) (int64, error) {
	bufs := rawBufferPool.Get().(*rawBuffers)
	in, out := bufs.in, bufs.out[:0]
	defer func() {
		bufs.out = out[:0]
		rawBufferPool.Put(bufs)
	}()
	var written int64
	flush := func() error {
		n, err := w.Write(out)
		written += int64(n)
		out = out[:0]
		return err
	}
	// pendingCR: the previous chunk ended in a CR not yet known to be
	// part of a CRLF.
	pendingCR := false
	for {
		n, rerr := r.Read(in)
		chunk := in[:n]
		if pendingCR && n > 0 {
			pendingCR = false
			if chunk[0] == '\n' {
				out = append(out, linesep...)
				chunk = chunk[1:]
			} else {
				out = append(out, '\r')
			}
		}
		for len(chunk) > 0 {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				if chunk[len(chunk)-1] == '\r' {
					chunk = chunk[:len(chunk)-1]
					pendingCR = true
				}
				out = append(out, chunk...)
				break
			}
			line := chunk[:i]
			if i > 0 && line[i-1] == '\r' {
				line = line[:i-1]
			}
			out = append(out, line...)
			out = append(out, linesep...)
			chunk = chunk[i+1:]
		}
		if len(out) > 0 {
			if err := flush(); err != nil {
				return written, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return written, rerr
		}
	}
	if pendingCR {
		out = append(out, '\r')
	}
	return written, flush()
}

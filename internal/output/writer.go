package output

import (
	"context"
	"io"
)

// WriterFormat selects how a [WriterSink] lays out messages.
type WriterFormat int

const (
	// WriterRaw writes one message exactly as produced; a second message
	// fails with ErrSingleMessage.
	WriterRaw WriterFormat = iota
	// WriterMboxrd writes every message as an mboxrd entry: "From " line,
	// quoted body, blank line.
	WriterMboxrd
)

// WriterSink writes messages to a stream such as standard output. A
// stream cannot be rolled back: a message whose write fails midway is
// left truncated in the stream, and the caller must report the failure.
type WriterSink struct {
	w      io.Writer
	format WriterFormat
	count  int
	closed bool
}

// NewWriterSink returns a sink writing to w in the given format.
func NewWriterSink(w io.Writer, format WriterFormat) *WriterSink {
	return &WriterSink{w: w, format: format}
}

// Put writes m to the stream; see [Sink.Put].
func (s *WriterSink) Put(ctx context.Context, m Message, write WriteFunc) (Stored, error) {
	if s.closed {
		return Stored{}, ErrClosed
	}
	if s.format == WriterRaw && s.count > 0 {
		return Stored{}, ErrSingleMessage
	}
	s.count++
	if s.format == WriterRaw {
		n, err := runWrite(ctx, m, "", s.w, write)
		return Stored{Size: n, Committed: err == nil}, err
	}
	if err := ctx.Err(); err != nil {
		return Stored{}, err
	}
	if _, err := io.WriteString(s.w, FromLine(m.Sender, m.InternalDate)); err != nil {
		return Stored{}, err
	}
	q := newMboxrdWriter(s.w)
	n, err := runWrite(ctx, m, "", q, write)
	if err != nil {
		return Stored{Size: n}, err
	}
	added, err := q.finish()
	if err != nil {
		return Stored{Size: n}, err
	}
	return Stored{Size: n, Committed: true, NewlineAdded: added}, nil
}

// Flush does nothing: every Put went straight to the stream.
func (s *WriterSink) Flush() ([]Stored, error) { return nil, nil }

// Close marks the sink closed; it does not close the stream.
func (s *WriterSink) Close() error {
	s.closed = true
	return nil
}

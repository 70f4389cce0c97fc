package output

import (
	"bufio"
	"context"
	"io"
	"time"
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
// stream cannot be rolled back: a message whose write fails midway (or
// whose Message.Complete fails) is left truncated in the stream, and the
// caller must report the failure. An mboxrd "From " line is dated as
// [MboxSink.Put] dates it.
//
// Writes are buffered (mboxrd quoting works line by line) and the buffer
// is flushed when each message ends, so that a reader of the stream
// (e.g. "| head") sees every whole message as soon as it is written.
type WriterSink struct {
	w      *bufio.Writer
	format WriterFormat
	count  int
	closed bool
}

// NewWriterSink returns a sink writing to w in the given format.
func NewWriterSink(w io.Writer, format WriterFormat) *WriterSink {
	return &WriterSink{w: bufio.NewWriterSize(w, writerBufferSize), format: format}
}

// writerBufferSize is the buffer of a [WriterSink]: one write(2) per
// 64 KiB instead of one per line.
const writerBufferSize = 64 << 10

// Put writes m to the stream and flushes it; see [Sink.Put].
func (s *WriterSink) Put(ctx context.Context, m Message, write WriteFunc) (Stored, error) {
	st, err := s.put(ctx, m, write)
	if ferr := s.w.Flush(); ferr != nil && err == nil {
		st.Committed = false
		err = ferr
	}
	return st, err
}

// put writes m into the buffer.
func (s *WriterSink) put(ctx context.Context, m Message, write WriteFunc) (Stored, error) {
	if s.closed {
		return Stored{}, ErrClosed
	}
	if s.format == WriterRaw && s.count > 0 {
		return Stored{}, ErrSingleMessage
	}
	s.count++
	if s.format == WriterRaw {
		n, err := runWrite(ctx, m, "", s.w, write)
		if err == nil {
			err = m.complete()
		}
		return Stored{Size: n, Committed: err == nil}, err
	}
	if err := ctx.Err(); err != nil {
		return Stored{}, err
	}
	q := newMboxrdWriter(s.w)
	from := func(date time.Time) error {
		_, err := io.WriteString(s.w, FromLine(m.Sender, date))
		return err
	}
	var dest io.Writer = q
	if m.InternalDate.IsZero() {
		// Dated by the Date header field, as in MboxSink.Put.
		dater := &headerDater{next: q, begin: from}
		dest = dater
		n, err := runWrite(ctx, m, "", dater, write)
		if err == nil {
			err = dater.release()
		}
		return s.finish(m, q, n, err)
	}
	if err := from(m.InternalDate); err != nil {
		return Stored{}, err
	}
	n, err := runWrite(ctx, m, "", dest, write)
	return s.finish(m, q, n, err)
}

// finish ends an mboxrd entry: the metadata is completed and the quoted
// message ends with a blank line.
func (s *WriterSink) finish(m Message, q *mboxrdWriter, n int64, err error) (Stored, error) {
	if err == nil {
		err = m.complete()
	}
	if err != nil {
		return Stored{Size: n}, err
	}
	added, err := q.finish()
	if err != nil {
		return Stored{Size: n}, err
	}
	return Stored{Size: n, Committed: true, NewlineAdded: added}, nil
}

// Amend changes nothing and returns false: a stream cannot be rewritten.
// See [Sink.Amend].
func (s *WriterSink) Amend(st Stored, late Message) (Stored, bool) { return st, false }

// Flush writes out what is buffered; every Put already ended with a
// flush, so it reports no new messages.
func (s *WriterSink) Flush() ([]Stored, error) { return nil, s.w.Flush() }

// Close flushes the buffer and marks the sink closed; it does not close
// the stream.
func (s *WriterSink) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return s.w.Flush()
}

package output

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// MboxOptions configure an [MboxSink].
type MboxOptions struct {
	Options
	// KnownCommitted says CommittedSize holds the file size recorded after
	// the last message committed by an earlier run (Stored.End). Bytes
	// beyond it are the remains of a run that crashed mid-message and are
	// cut off before appending; a file shorter than it is refused with
	// *CommittedSizeError.
	KnownCommitted bool
	CommittedSize  int64
}

// MboxSink appends messages to an mboxrd file. It never rewrites what is
// already in the file: each message is appended under an exclusive
// flock(2), and an append that fails is undone by truncating the file back
// to its size before the message.
type MboxSink struct {
	path    string
	opts    MboxOptions
	file    *os.File
	size    int64
	created bool
	pending []Stored
	broken  error
	closed  bool
}

// NewMboxSink returns a sink appending to the mbox file path, which (with
// its folder) is created and locked on the first byte.
func NewMboxSink(path string, opts MboxOptions) *MboxSink {
	return &MboxSink{path: path, opts: opts}
}

// open creates or opens the file, locks it, and repairs its end.
func (s *MboxSink) open() error {
	if s.file != nil {
		return nil
	}
	if err := mkdirDurable(filepath.Dir(s.path)); err != nil {
		return err
	}
	_, statErr := os.Lstat(s.path)
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, s.opts.fileMode())
	if err != nil {
		return err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return fmt.Errorf("output: %s is not a regular file", s.path)
	}
	size := info.Size()
	if s.opts.KnownCommitted {
		if size < s.opts.CommittedSize {
			f.Close()
			return &CommittedSizeError{Path: s.path, Committed: s.opts.CommittedSize, Size: size}
		}
		if size > s.opts.CommittedSize {
			if err := f.Truncate(s.opts.CommittedSize); err != nil {
				f.Close()
				return err
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
			size = s.opts.CommittedSize
		}
	}
	s.file, s.size, s.created = f, size, errors.Is(statErr, os.ErrNotExist)
	return nil
}

// separatorNeeded returns the newlines to write before a new message so
// that the file's last message ends with a blank line (files written by
// Python's mailbox end without one).
func (s *MboxSink) separatorNeeded() (string, error) {
	if s.size == 0 {
		return "", nil
	}
	var tail [2]byte
	n := int64(len(tail))
	if s.size < n {
		n = s.size
	}
	if _, err := s.file.ReadAt(tail[:n], s.size-n); err != nil {
		return "", err
	}
	switch {
	case n == 2 && tail[0] == '\n' && tail[1] == '\n', n == 1 && tail[0] == '\n':
		return "", nil
	case tail[n-1] == '\n':
		return "\n", nil
	default:
		return "\n\n", nil
	}
}

// lazyMbox opens the mbox on the first byte and writes the separator and
// "From " line before it.
type lazyMbox struct {
	sink *MboxSink
	// sender and date make the "From " line; fromLen is its length.
	sender  string
	date    time.Time
	fromLen int64
	buf     *bufio.Writer
	start   int64 // file size before this message
	offset  int64 // where the "From " line starts
}

func (l *lazyMbox) begin() error {
	if l.buf != nil {
		return nil
	}
	if err := l.sink.open(); err != nil {
		return err
	}
	l.start = l.sink.size
	sep, err := l.sink.separatorNeeded()
	if err != nil {
		return err
	}
	l.offset = l.start + int64(len(sep))
	l.buf = bufio.NewWriterSize(l.sink.file, 64<<10)
	from := FromLine(l.sender, l.date)
	l.fromLen = int64(len(from))
	_, err = l.buf.WriteString(sep + from)
	return err
}

func (l *lazyMbox) Write(p []byte) (int, error) {
	if len(p) == 0 { // no data yet: create nothing
		return 0, nil
	}
	if err := l.begin(); err != nil {
		return 0, err
	}
	return l.buf.Write(p)
}

// Put appends m; see [Sink.Put]. The "From " line precedes the message,
// so it is made from what is known when Put begins: m.Sender and
// m.InternalDate. When the INTERNALDATE is not known yet (the server sends
// it after the body), the start of the message is held back (up to its
// first empty line, at most 64 KiB) and the line is dated by the message's
// Date header field; without a readable one, by the current time, as
// Python's mailbox module dates a message it has no date for.
// Message.Complete runs after the message is written and may still fail
// it; what it adds does not change the "From " line.
func (s *MboxSink) Put(ctx context.Context, m Message, write WriteFunc) (Stored, error) {
	if s.closed {
		return Stored{}, ErrClosed
	}
	if s.broken != nil {
		return Stored{}, s.broken
	}
	out := &lazyMbox{sink: s, sender: m.Sender, date: m.InternalDate}
	quoted := newMboxrdWriter(out)
	fail := func(err error) (Stored, error) {
		if out.buf != nil {
			if terr := s.file.Truncate(out.start); terr != nil {
				s.broken = fmt.Errorf("output: %s: cannot undo a failed append: %w", s.path, terr)
				return Stored{}, errors.Join(err, s.broken)
			}
		}
		return Stored{}, err
	}
	var dest io.Writer = quoted
	var dater *headerDater
	if m.InternalDate.IsZero() {
		dater = &headerDater{next: quoted, begin: func(date time.Time) error {
			out.date = date
			return nil
		}}
		dest = dater
	}
	n, err := runWrite(ctx, m, s.path, dest, write)
	if err == nil && dater != nil {
		err = dater.release()
	}
	if err == nil {
		err = m.complete()
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return fail(err)
	}
	if err := out.begin(); err != nil { // an empty message
		return fail(err)
	}
	added, err := quoted.finish()
	if err != nil {
		return fail(err)
	}
	if err := out.buf.Flush(); err != nil {
		return fail(err)
	}
	end := out.offset + out.fromLen + quoted.wrote
	info, err := s.file.Stat()
	if err != nil {
		return fail(err)
	}
	if info.Size() != end {
		return fail(&SizeMismatchError{Path: s.path, Want: end, Got: info.Size()})
	}
	s.size = end
	stored := Stored{Path: s.path, Offset: out.offset, End: end, Size: n, NewlineAdded: added}
	if s.opts.GroupCommit {
		s.pending = append(s.pending, stored)
		return stored, nil
	}
	if err := s.sync(); err != nil {
		s.size = out.start
		return fail(err)
	}
	stored.Committed = true
	return stored, nil
}

// sync makes the file (and, once, its folder entry) durable.
func (s *MboxSink) sync() error {
	if err := s.file.Sync(); err != nil {
		return err
	}
	if s.created {
		if err := syncDir(filepath.Dir(s.path)); err != nil {
			return err
		}
		s.created = false
	}
	return nil
}

// Flush makes the pending group durable with one fsync; see [Sink.Flush].
func (s *MboxSink) Flush() ([]Stored, error) {
	if len(s.pending) == 0 {
		return nil, nil
	}
	pending := s.pending
	s.pending = nil
	if err := s.sync(); err != nil {
		return nil, err
	}
	for i := range pending {
		pending[i].Committed = true
	}
	return pending, nil
}

// Amend changes nothing and returns false: an mbox keeps neither flags nor
// a date per message besides the "From " line already written. See
// [Sink.Amend].
func (s *MboxSink) Amend(st Stored, late Message) (Stored, bool) { return st, false }

// Close flushes and releases the lock; see [Sink.Close].
func (s *MboxSink) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	_, err := s.Flush()
	if s.file != nil {
		if cerr := s.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

var _ io.Writer = (*lazyMbox)(nil)

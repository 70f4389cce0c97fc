package output

import (
	"context"
	"os"
	"path/filepath"
)

// fileSink holds what the .eml and Maildir sinks share: the temp-file,
// rename and group-commit machinery.
type fileSink struct {
	opts    Options
	pending []pendingFile
	closed  bool
}

// putFile runs write into a temp file made by createTemp (called on the
// first byte, or at the end for an empty message), then commits it under
// the name finalPath returns for the byte count.
func (s *fileSink) putFile(ctx context.Context, m Message, label string, write WriteFunc,
	createTemp func() (*os.File, error), finalPath func(size int64) (string, error)) (Stored, error) {
	if s.closed {
		return Stored{}, ErrClosed
	}
	temp := &lazyTemp{create: createTemp}
	n, err := runWrite(ctx, m, label, temp, write)
	if err != nil {
		temp.discard()
		return Stored{}, err
	}
	if err := temp.open(); err != nil { // an empty message still gets a file
		return Stored{}, err
	}
	final, err := finalPath(n)
	if err != nil {
		temp.discard()
		return Stored{}, err
	}
	tmpPath, err := temp.finish(n, !s.opts.GroupCommit, m.InternalDate)
	if err != nil {
		return Stored{}, err
	}
	stored := Stored{Path: final, Size: n}
	if s.opts.GroupCommit {
		s.pending = append(s.pending, pendingFile{tmp: tmpPath, final: final, mtime: m.InternalDate, stored: stored})
		return stored, nil
	}
	if err := os.Rename(tmpPath, final); err != nil {
		os.Remove(tmpPath)
		return Stored{}, err
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return Stored{}, err
	}
	stored.Committed = true
	return stored, nil
}

func (s *fileSink) flush() ([]Stored, error) {
	if len(s.pending) == 0 {
		return nil, nil
	}
	pending := s.pending
	s.pending = nil
	out, err := commitFiles(pending)
	if err != nil {
		removePending(pending)
		return nil, err
	}
	return out, nil
}

func (s *fileSink) close() error {
	if s.closed {
		return nil
	}
	_, err := s.flush()
	s.closed = true
	return err
}

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

// finalPathFunc names a message file from its completed metadata and its
// byte count.
type finalPathFunc func(m Message, size int64) (string, error)

// putFile runs write into a temp file made by createTemp (called on the
// first byte, or at the end for an empty message), completes the metadata
// (Message.Complete), then commits the file under the name finalPath
// returns, and returns the completed metadata. With group commit the file waits in the pending group; rename,
// when not nil, lets Amend rename it for late metadata.
func (s *fileSink) putFile(ctx context.Context, m Message, label string, write WriteFunc,
	createTemp func() (*os.File, error), finalPath, rename finalPathFunc) (Stored, Message, error) {
	if s.closed {
		return Stored{}, m, ErrClosed
	}
	temp := &lazyTemp{create: createTemp}
	n, err := runWrite(ctx, m, label, temp, write)
	if err == nil {
		err = m.complete()
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		temp.discard()
		return Stored{}, m, err
	}
	if err := temp.open(); err != nil { // an empty message still gets a file
		return Stored{}, m, err
	}
	final, err := finalPath(m, n)
	if err != nil {
		temp.discard()
		return Stored{}, m, err
	}
	tmpPath, err := temp.finish(n, !s.opts.GroupCommit, m.InternalDate)
	if err != nil {
		return Stored{}, m, err
	}
	stored := Stored{Path: final, Size: n}
	if s.opts.GroupCommit {
		s.pending = append(s.pending, pendingFile{tmp: tmpPath, final: final, mtime: m.InternalDate, stored: stored, msg: m, rename: rename})
		return stored, m, nil
	}
	if err := os.Rename(tmpPath, final); err != nil {
		os.Remove(tmpPath)
		return Stored{}, m, err
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return Stored{}, m, err
	}
	stored.Committed = true
	return stored, m, nil
}

// amend applies late metadata to the pending message stored as st; see
// [Sink.Amend]. It returns the pending entry, or nil.
func (s *fileSink) amend(st Stored, late Message) *pendingFile {
	for i := range s.pending {
		p := &s.pending[i]
		if p.stored.Path != st.Path {
			continue
		}
		if late.Flags != nil {
			p.msg.Flags = late.Flags
		}
		if !late.InternalDate.IsZero() {
			p.msg.InternalDate = late.InternalDate
			p.mtime = late.InternalDate
		}
		if p.rename != nil {
			if final, err := p.rename(p.msg, p.stored.Size); err == nil {
				p.final, p.stored.Path = final, final
			}
		}
		return p
	}
	return nil
}

// flush commits the pending group in turn (see Group.Commit).
func (s *fileSink) flush() ([]Stored, error) { return s.detach().Commit() }

func (s *fileSink) close() error {
	if s.closed {
		return nil
	}
	_, err := s.flush()
	s.closed = true
	return err
}

package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
)

// manifestIndex is a mailbox's folded manifest that keeps, per stored
// message, only where the lines making up its entry are in the manifest
// file (and a hash of its file name), and reads the entry again when it is
// needed: about 50 bytes per message, where a Manifest holds every whole
// entry (over a kilobyte each with its map slot and strings). Verify and
// restore walk a mailbox with it, so their memory stays small in a mailbox
// of a million messages. The manifest is append-only, so the offsets stay
// true while the index is open.
type manifestIndex struct {
	f    *os.File // the manifest; nil when the mailbox has none
	path string
	refs refTable[lineRef]
	buf  []byte // reused by lineAt
}

// lineRef says where a stored message's entry is in the manifest: its
// OpStored line, and the last later OpFlags lines that amend its flags, its
// file and its ModSeq (-1: none), as Manifest.apply folds them.
type lineRef struct {
	stored, flags, file, modSeq int64
	// fileHash is the fileHash of the entry's File.
	fileHash uint64
	// seen is set by Verify when the server has the message.
	seen bool
}

// openManifestIndex folds dir's manifest into a manifestIndex, reading it
// as a stream. The caller closes it.
func openManifestIndex(dir string) (*manifestIndex, error) {
	x := &manifestIndex{path: filepath.Join(dir, ManifestFileName)}
	f, err := os.Open(x.path)
	if errors.Is(err, os.ErrNotExist) {
		return x, nil
	}
	if err != nil {
		return nil, err
	}
	x.f = f
	err = scanManifestFile(f, x.path, false, x.apply)
	if err != nil {
		f.Close()
		return nil, err
	}
	return x, nil
}

// Close closes the manifest.
func (x *manifestIndex) Close() error {
	if x.f == nil {
		return nil
	}
	return x.f.Close()
}

// apply folds the manifest line at offset in, as Manifest.apply does.
func (x *manifestIndex) apply(e *Entry, offset int64) {
	switch e.Op {
	case OpStored:
		x.refs.set(e.UID, lineRef{stored: offset, flags: -1, file: -1, modSeq: -1, fileHash: fileHash(e.File)})
	case OpFlags:
		r, ok := x.refs.get(e.UID)
		if !ok {
			return
		}
		r.flags = offset
		if e.File != "" {
			r.file, r.fileHash = offset, fileHash(e.File)
		}
		if e.ModSeq > 0 {
			r.modSeq = offset
		}
		x.refs.set(e.UID, r)
	case OpExpunged:
		x.refs.remove(e.UID)
	}
}

// len is the number of stored messages.
func (x *manifestIndex) len() int { return x.refs.len() }

// ascending yields the stored messages' UIDs and refs in UID order.
func (x *manifestIndex) ascending() iter.Seq2[uint32, lineRef] { return x.refs.ascending() }

// entry reads the folded entry of uid, whose ref is r, again from the
// manifest.
func (x *manifestIndex) entry(uid uint32, r lineRef) (*Entry, error) {
	e, err := x.lineAt(r.stored)
	if err != nil {
		return nil, err
	}
	if e.UID != uid || e.Op != OpStored {
		return nil, fmt.Errorf("backup: %s changed while it was read (offset %d)", x.path, r.stored)
	}
	// The amending lines are often one line (flags, file and ModSeq set
	// together): each is read once.
	var amendedAt int64 = -1
	var amended *Entry
	amend := func(offset int64, set func(a *Entry)) error {
		if offset < 0 {
			return nil
		}
		if offset != amendedAt {
			a, err := x.lineAt(offset)
			if err != nil {
				return err
			}
			if a.UID != uid || a.Op != OpFlags {
				return fmt.Errorf("backup: %s changed while it was read (offset %d)", x.path, offset)
			}
			amendedAt, amended = offset, a
		}
		set(amended)
		return nil
	}
	if err := amend(r.flags, func(a *Entry) { e.Flags = a.Flags }); err != nil {
		return nil, err
	}
	if err := amend(r.file, func(a *Entry) { e.File = a.File }); err != nil {
		return nil, err
	}
	if err := amend(r.modSeq, func(a *Entry) { e.ModSeq = a.ModSeq }); err != nil {
		return nil, err
	}
	return e, nil
}

// lineAt decodes the manifest line that starts at offset.
func (x *manifestIndex) lineAt(offset int64) (*Entry, error) {
	if x.buf == nil {
		x.buf = make([]byte, 4096)
	}
	var line []byte
	for {
		n, err := x.f.ReadAt(x.buf, offset)
		if i := bytes.IndexByte(x.buf[:n], '\n'); i >= 0 {
			line = x.buf[:i]
			break
		}
		if err == io.EOF {
			return nil, fmt.Errorf("backup: %s: no whole line at offset %d", x.path, offset)
		}
		if err != nil {
			return nil, err
		}
		x.buf = make([]byte, 2*len(x.buf))
	}
	var e Entry
	if err := json.Unmarshal(bytes.TrimSpace(line), &e); err != nil {
		return nil, fmt.Errorf("backup: %s at offset %d: %w", x.path, offset, err)
	}
	return &e, nil
}

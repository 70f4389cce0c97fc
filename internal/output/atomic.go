package output

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// lazyTemp is an io.Writer that creates its temp file on the first byte,
// so that a message whose write fails before producing data leaves nothing.
// Writes are buffered: policies write a line at a time.
type lazyTemp struct {
	create func() (*os.File, error)
	file   *os.File
	buf    *bufio.Writer
}

// tempBufferSize is the write buffer of a message file.
const tempBufferSize = 32 << 10

// tempWriterPool keeps the write buffers of message files between
// messages (a fresh 32 KiB buffer per message was most of the garbage of
// fetching many small messages). It is a cache only.
var tempWriterPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, tempBufferSize) }}

// releaseBuffer returns the write buffer to tempWriterPool.
func (l *lazyTemp) releaseBuffer() {
	if l.buf != nil {
		l.buf.Reset(nil)
		tempWriterPool.Put(l.buf)
		l.buf = nil
	}
}

func (l *lazyTemp) Write(p []byte) (int, error) {
	if len(p) == 0 { // no data yet: create nothing
		return 0, nil
	}
	if err := l.open(); err != nil {
		return 0, err
	}
	return l.buf.Write(p)
}

func (l *lazyTemp) open() error {
	if l.file != nil {
		return nil
	}
	f, err := l.create()
	if err != nil {
		return err
	}
	l.file = f
	l.buf = tempWriterPool.Get().(*bufio.Writer)
	l.buf.Reset(f)
	return nil
}

// discard closes and removes the temp file, if any.
func (l *lazyTemp) discard() {
	if l.file == nil {
		return
	}
	l.releaseBuffer()
	name := l.file.Name()
	l.file.Close()
	os.Remove(name)
	l.file = nil
}

// finish checks that the file holds exactly written bytes and closes it.
// With sync it first sets the modification time to mtime (unless zero) and
// fsyncs; without, the caller does both at commit time, so that a temp
// file waiting for its group commit looks fresh to a tmp/ cleaner. On
// error the temp file is removed.
func (l *lazyTemp) finish(written int64, sync bool, mtime time.Time) (tmpPath string, err error) {
	if err := l.open(); err != nil { // an empty message still gets a file
		return "", err
	}
	defer func() {
		if err != nil {
			l.discard()
		}
	}()
	f := l.file
	if err := l.buf.Flush(); err != nil {
		return "", err
	}
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	if info.Size() != written {
		return "", &SizeMismatchError{Path: f.Name(), Want: written, Got: info.Size()}
	}
	if sync {
		if err := setMtime(f.Name(), mtime); err != nil {
			return "", err
		}
		if err := f.Sync(); err != nil {
			return "", err
		}
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	l.releaseBuffer()
	l.file = nil
	return f.Name(), nil
}

func setMtime(path string, mtime time.Time) error {
	if mtime.IsZero() {
		return nil
	}
	return os.Chtimes(path, mtime, mtime)
}

// syncFile fsyncs a closed file by path.
func syncFile(path string) error {
	f, err := openFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir fsyncs a folder so that a rename or creation in it is durable.
// File systems that cannot sync folders (EINVAL, ENOTSUP) are tolerated.
func syncDir(dir string) error {
	d, err := openFile(dir, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}

// mkdirDurable creates dir (and parents) and syncs the parent of each
// folder it created.
func mkdirDurable(dir string) error {
	if info, err := os.Stat(dir); err == nil {
		if !info.IsDir() {
			return fmt.Errorf("output: %s is not a folder", dir)
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirDurable(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return syncDir(parent)
}

// mkdirsDurable creates dir (durably, as mkdirDurable) and the folders
// subs inside it, then syncs dir once for all of them: a new Maildir costs
// two folder syncs (its parent and itself) instead of four.
func mkdirsDurable(dir string, subs ...string) error {
	if err := mkdirDurable(dir); err != nil {
		return err
	}
	created := false
	for _, sub := range subs {
		path := filepath.Join(dir, sub)
		err := os.Mkdir(path, 0o700)
		switch {
		case err == nil:
			created = true
		case errors.Is(err, os.ErrExist):
			if info, err := os.Stat(path); err != nil || !info.IsDir() {
				return fmt.Errorf("output: %s is not a folder", path)
			}
		default:
			return err
		}
	}
	if !created {
		return nil
	}
	return syncDir(dir)
}

// pendingFile is a message written but not yet durable (group commit).
type pendingFile struct {
	tmp, final string
	mtime      time.Time
	stored     Stored
	// msg is the message's metadata, which Amend may still change, and
	// rename names the file anew for it (nil: the name stays).
	msg    Message
	rename finalPathFunc
}

// commitFiles makes pending files durable: their data (see syncBatch),
// then a rename of each into place, then one fsync of each distinct
// destination folder.
func commitFiles(pending []pendingFile) ([]Stored, error) {
	tmps := make([]string, len(pending))
	for i, p := range pending {
		if err := setMtime(p.tmp, p.mtime); err != nil {
			return nil, err
		}
		tmps[i] = p.tmp
	}
	if err := syncBatch(tmps); err != nil {
		return nil, err
	}
	dirs := map[string]bool{}
	var order []string
	for _, p := range pending {
		if err := os.Rename(p.tmp, p.final); err != nil {
			return nil, err
		}
		d := filepath.Dir(p.final)
		if !dirs[d] {
			dirs[d] = true
			order = append(order, d)
		}
	}
	for _, d := range order {
		if err := syncDir(d); err != nil {
			return nil, err
		}
	}
	out := make([]Stored, len(pending))
	for i, p := range pending {
		out[i] = p.stored
		out[i].Committed = true
	}
	return out, nil
}

// removePending deletes the temp files of messages that were never
// committed.
func removePending(pending []pendingFile) {
	for _, p := range pending {
		os.Remove(p.tmp)
	}
}

// tempName is the hidden name of the temp file for a message that will be
// called name: it starts with a dot, so folder readers skip it.
func tempName(name string) string {
	return "." + name + "." + randomHex(6) + ".tmp"
}

// randomHex returns 2n random hex digits.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

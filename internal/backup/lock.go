package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LockFileName is the lock file in a backup folder.
const LockFileName = ".imapctl-backup.lock"

// LockedError reports that another live process holds the backup folder's
// lock.
type LockedError struct {
	Path string
	// PID is the owner's process id as written in the lock file; 0 if
	// unreadable.
	PID int
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("backup: %s is locked by process %d (another backup is running)", e.Path, e.PID)
	}
	return fmt.Sprintf("backup: %s is locked by another process", e.Path)
}

// errLocked is lockExclusive's answer when another process holds the lock.
var errLocked = errors.New("locked")

// Lock is a held backup-folder lock.
type Lock struct {
	file *os.File
}

// AcquireLock locks dir (created if needed) for one run: an exclusive
// flock(2) on dir/.imapctl-backup.lock, which holds the owner's PID. The
// kernel drops a flock when its process dies, so a lock file left by a
// killed run is stale and simply taken over; a live owner gives
// *LockedError.
func AcquireLock(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockExclusive(f); err != nil {
		defer f.Close()
		if errors.Is(err, errLocked) {
			data, _ := os.ReadFile(path)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
			return nil, &LockedError{Path: dir, PID: pid}
		}
		return nil, fmt.Errorf("backup: locking %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{file: f}, nil
}

// Release unlocks. The file stays; its PID no longer matters.
func (l *Lock) Release() error {
	if l == nil || l.file == nil {
		return nil
	}
	err := l.file.Close()
	l.file = nil
	return err
}

// CheckUnlocked returns a *LockedError when a live process holds dir's
// backup lock, without waiting and without creating anything (dir may be
// read-only): a reader such as verify must not compare a folder that a
// backup is still writing. It takes a shared flock(2) for a moment, which
// the backup's exclusive one refuses; the returned LockState tells
// whether a backup ran in the meantime (LockState.Changed).
func CheckUnlocked(dir string) (LockState, error) {
	path := filepath.Join(dir, LockFileName)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return LockState{path: path}, nil
	}
	if err != nil {
		return LockState{}, fmt.Errorf("backup: checking the lock %s: %w", path, err)
	}
	defer f.Close()
	if err := lockShared(f); err != nil {
		if errors.Is(err, errLocked) {
			data, _ := os.ReadFile(path)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
			return LockState{}, &LockedError{Path: dir, PID: pid}
		}
		return LockState{}, fmt.Errorf("backup: checking the lock %s: %w", path, err)
	}
	st := LockState{path: path}
	if fi, err := f.Stat(); err == nil {
		st.exists, st.modTime, st.size = true, fi.ModTime(), fi.Size()
	}
	return st, nil
}

// LockState is what CheckUnlocked saw of a lock file.
type LockState struct {
	path    string
	exists  bool
	modTime time.Time
	size    int64
}

// Changed reports whether a backup took the lock since s was seen: a
// backup writes its PID into the lock file when it takes it.
func (s LockState) Changed() bool {
	fi, err := os.Stat(s.path)
	if err != nil {
		return s.exists
	}
	return !s.exists || !fi.ModTime().Equal(s.modTime) || fi.Size() != s.size
}

//go:build unix

package output

import (
	"errors"
	"os"
	"syscall"
)

// openFile is os.OpenFile for the regular files and folders this package
// reads and writes. os.OpenFile offers every file it opens to the
// runtime's poller: it switches the descriptor to non-blocking, asks epoll
// (which refuses regular files on Linux) and switches it back, five system
// calls that a run over thousands of small files pays per file for
// nothing. A file from openFile is used with plain blocking calls, which
// is what os.OpenFile leaves a regular file with in the end.
func openFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, flag|syscall.O_CLOEXEC, uint32(perm.Perm()))
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}

package cmd

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"testing"
)

// TestLocalFileErrorIsNotAConnectionError: syscall.Errno satisfies
// net.Error, but a full disk or a read-only folder is not "cannot connect"
// (exit 4); it is an internal error (exit 1).
func TestLocalFileErrorIsNotAConnectionError(t *testing.T) {
	for _, err := range []error{
		fmt.Errorf("backup: %w", &fs.PathError{Op: "write", Path: "/x/1.eml", Err: syscall.ENOSPC}),
		&fs.PathError{Op: "open", Path: "/ro/tmp/x", Err: syscall.EROFS},
		&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EACCES},
	} {
		if code, ok := protocolExitCode(err); ok && code == ExitConnection {
			t.Errorf("protocolExitCode(%v) = %d, want not %d", err, code, ExitConnection)
		}
	}
}

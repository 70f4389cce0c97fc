package cmd

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
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

// A mailbox name that is not valid UTF-8 has no modified UTF-7 form (RFC
// 3501 §5.1.3): a usage error (exit 2), and nothing of it is sent.
func TestInvalidUTF8MailboxIsUsageError(t *testing.T) {
	for _, args := range [][]string{{"create", "a\xffb"}, {"select", "a\xffb"}} {
		s, env := startScript(t, "login\nC: $tag LOGOUT\nS: * BYE\nS: $tag OK bye\n")
		code, _, errOut := runTest(t, env, args...)
		if code != ExitUsage || !strings.Contains(errOut, "not valid UTF-8") {
			t.Errorf("%q = %d, %q; want %d and the name refused", args, code, errOut, ExitUsage)
		}
		if strings.Contains(s.Transcript(), "a\xffb") || strings.Contains(s.Transcript(), "CREATE") || strings.Contains(s.Transcript(), "EXAMINE") {
			t.Errorf("%q sent:\n%s", args, s.Transcript())
		}
	}
}

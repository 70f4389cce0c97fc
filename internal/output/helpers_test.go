package output

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// bytesWriter streams b in chunks of at most 7 bytes, so that quoting and
// lazy opening see data split at awkward places.
func bytesWriter(b string) WriteFunc {
	return func(w io.Writer) error {
		for len(b) > 0 {
			n := min(7, len(b))
			if _, err := io.WriteString(w, b[:n]); err != nil {
				return err
			}
			b = b[n:]
		}
		return nil
	}
}

var errInjected = errors.New("injected failure")

// failingWriter writes the first n bytes of b, then fails.
func failingWriter(b string, n int) WriteFunc {
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, b[:n]); err != nil {
			return err
		}
		return errInjected
	}
}

// listTree returns every file and folder below root, relative, sorted.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == root {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, rel)
		return nil
	})
	sort.Strings(out)
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// makeReadOnly makes dir refuse new entries: chmod for ordinary users,
// the immutable attribute (FS_IOC_SETFLAGS) for root, who ignores modes.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	const fsIocGetflags, fsIocSetflags, fsImmutableFl = 0x80086601, 0x40086602, 0x10
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var flags int
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), fsIocGetflags, uintptr(unsafe.Pointer(&flags))); e != 0 {
		t.Skipf("cannot make %s read-only as root: %v", dir, e)
	}
	flags |= fsImmutableFl
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), fsIocSetflags, uintptr(unsafe.Pointer(&flags))); e != 0 {
		t.Skipf("cannot make %s read-only as root: %v", dir, e)
	}
	t.Cleanup(func() {
		g, err := os.Open(dir)
		if err != nil {
			return
		}
		defer g.Close()
		cleared := flags &^ fsImmutableFl
		syscall.Syscall(syscall.SYS_IOCTL, g.Fd(), fsIocSetflags, uintptr(unsafe.Pointer(&cleared)))
	})
}

func hasTempFiles(names []string) bool {
	for _, n := range names {
		base := filepath.Base(strings.TrimSuffix(n, "/"))
		if strings.HasPrefix(base, ".") || strings.HasPrefix(n, "tmp/") && n != "tmp/" {
			return true
		}
	}
	return false
}

func cancelledContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

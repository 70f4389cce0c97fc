//go:build unix

package cmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// restore keeps its journal in $XDG_STATE_HOME/imapctl/restore/, not in
// DIR. A second run of the same restore while the first holds the lock
// beside the journal fails at once, as backup does on a locked folder
// (exit 1, one line and a hint), instead of uploading everything again.
func TestRestoreJournalAndLock(t *testing.T) {
	s := startTestServer(t)
	dir := restoreMaildir(t)
	state := t.TempDir()
	env := map[string]string{"XDG_STATE_HOME": state}
	code, out, errOut := s.run(t, env, "restore", dir, "--to", "Imported")
	if code != ExitOK || !strings.Contains(out, "2 messages uploaded") || errOut != "" {
		t.Fatalf("restore = %d, %q, %q", code, out, errOut)
	}
	journals, _ := filepath.Glob(filepath.Join(state, "imapctl", "restore", "*.jsonl"))
	if len(journals) != 1 {
		t.Fatalf("journals under $XDG_STATE_HOME/imapctl/restore = %q, want one", journals)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("DIR holds %d entries after restore, want its 3 (cur, new, tmp)", len(entries))
	}

	// Another process holds the lock.
	lock, err := os.OpenFile(journals[0]+".lock", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	lock.Truncate(0)
	lock.WriteAt([]byte("4242\n"), 0)
	code, out, errOut = s.run(t, env, "restore", dir, "--to", "Imported")
	want := "imapctl: restore: " + journals[0] + " is locked by process " + strconv.Itoa(4242) + " (the same restore is running)\n" +
		"imapctl: hint: wait for the other run to finish\n"
	if code != ExitInternal || out != "" || errOut != want {
		t.Errorf("restore while locked = %d, %q, %q; want %d and %q", code, out, errOut, ExitInternal, want)
	}
	// --journal names another journal, with its own lock.
	code, out, errOut = s.run(t, env, "restore", dir, "--to", "Imported", "--journal", filepath.Join(t.TempDir(), "j.jsonl"))
	if code != ExitOK || !strings.Contains(out, "0 messages uploaded (0 B), 2 already there") {
		t.Errorf("restore --journal = %d, %q, %q", code, out, errOut)
	}
}

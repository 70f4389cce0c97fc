//go:build unix

package backup

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// Two runs of the same restore at once uploaded every message twice (each
// reads the journal and the target once, at its start). The second now
// fails at once with a *RestoreLockedError naming the first's PID, and
// sends nothing; a restore of another source, or after the first ended,
// runs.
func TestRestoreLocked(t *testing.T) {
	dir := twoMessageMaildir(t)
	dst := emptyMemServer(t)
	to, log := tracedAccount(t, dst)
	journals := t.TempDir()
	opts := RestoreOptions{Dir: dir, Target: to.Name, JournalDir: journals, Warn: func(string, ...any) {}}
	// The first run: it holds the journal's lock from start to end.
	first, err := openRestoreJournal(opts, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Restore(context.Background(), client(t, to), opts)
	var locked *RestoreLockedError
	if !errors.As(err, &locked) || locked.PID != os.Getpid() || !strings.Contains(err.Error(), "locked by process") {
		t.Fatalf("second Restore = %v, want a *RestoreLockedError with PID %d", err, os.Getpid())
	}
	if n := log.count(" APPEND "); n != 0 {
		t.Errorf("the locked-out restore sent %d APPEND", n)
	}
	other := opts
	other.Dir = manyMessageMaildir(t, 1)
	if sum, err := Restore(context.Background(), client(t, to), other); err != nil || sum.Uploaded != 1 {
		t.Errorf("Restore of another source = %+v, %v; want it to run", sum, err)
	}
	first.close()
	if sum, err := Restore(context.Background(), client(t, to), opts); err != nil || sum.Uploaded != 2 {
		t.Errorf("Restore after the first ended = %+v, %v; want both uploaded", sum, err)
	}
}

package backup

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// treeEntry is what a user sees of one entry of a folder tree.
type treeEntry struct {
	mode    fs.FileMode
	size    int64
	modTime int64
	sum     [32]byte
}

// snapshotTree records every entry under root: type and permissions,
// size, modification time and, for a file, its SHA-256.
func snapshotTree(t *testing.T, root string) map[string]treeEntry {
	t.Helper()
	snap := map[string]treeEntry{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		e := treeEntry{mode: info.Mode(), size: info.Size(), modTime: info.ModTime().UnixNano()}
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			e.sum = sha256.Sum256(data)
		}
		rel, _ := filepath.Rel(root, path)
		snap[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// diffTrees lists what changed between two snapshots.
func diffTrees(before, after map[string]treeEntry) []string {
	var diffs []string
	for path, b := range before {
		a, ok := after[path]
		switch {
		case !ok:
			diffs = append(diffs, "removed "+path)
		case a != b:
			diffs = append(diffs, fmt.Sprintf("changed %s (%v, %d bytes -> %v, %d bytes)", path, b.mode, b.size, a.mode, a.size))
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok {
			diffs = append(diffs, "created "+path)
		}
	}
	return diffs
}

// makeReadOnly takes the write permission off every folder under root (as
// a read-only mount or another user's files would be), and gives it back
// when the test ends so that the folder can be removed.
func makeReadOnly(t *testing.T, root string) {
	t.Helper()
	var dirs []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, path)
		}
		return nil
	})
	for _, dir := range dirs {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, dir := range dirs {
			os.Chmod(dir, 0o700)
		}
	})
}

// manyMessageMaildir writes a Maildir "Many" of n messages.
func manyMessageMaildir(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Many")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o700)
	}
	for i := 1; i <= n; i++ {
		msg := fmt.Sprintf("From: a@example.org\nSubject: many %d\nMessage-ID: <many%d@example.org>\n\nbody %d\n", i, i, i)
		name := fmt.Sprintf("%d.M%dP1.host:2,S", 1700000000+i, i)
		if err := os.WriteFile(filepath.Join(dir, "cur", name), []byte(msg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// warnings collects what Restore warns about.
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) warn(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, fmt.Sprintf(format, args...))
}

// A restore never writes into its source: from a read-only backup (a
// snapshot, a read-only mount) it used to stop after the first 64-line
// journal batch (mkdir .imapctl-restore: permission denied) and never get
// further on a rerun, and from a live Maildir it created a
// ".imapctl-restore" folder, a new Maildir++ mailbox of that account.
// The source tree is compared entry by entry and byte for byte (a test
// run as root may write into a folder of mode 0555); the journal is kept
// in JournalDir, and a rerun, finding it, uploads nothing and does not
// even look into the target mailboxes.
func TestRestoreNeverWritesIntoSource(t *testing.T) {
	backupDir := func(t *testing.T) (string, Account) {
		src := memserver.StartT(t, memserver.Options{})
		from := memAccount(t, src)
		dir := t.TempDir()
		runBackup(t, Options{Dir: dir, Accounts: []Account{from}})
		return dir, from
	}
	tests := []struct {
		name   string
		source func(t *testing.T) (string, Account)
	}{
		{"backup folder", backupDir},
		{"account folder of a backup", func(t *testing.T) (string, Account) {
			dir, from := backupDir(t)
			return filepath.Join(dir, EscapeName(from.Name)), from
		}},
		{"foreign Maildir", func(t *testing.T) (string, Account) { return manyMessageMaildir(t, 150), Account{} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, from := tc.source(t)
			makeReadOnly(t, dir)
			before := snapshotTree(t, dir)

			dst := emptyMemServer(t)
			to, log := tracedAccount(t, dst)
			journals := filepath.Join(t.TempDir(), "state", "imapctl", "restore")
			var w warnings
			opts := RestoreOptions{Dir: dir, Account: from, Target: to.Name, JournalDir: journals, Warn: w.warn}
			sum, err := Restore(context.Background(), client(t, to), opts)
			if err != nil || sum.Uploaded == 0 || sum.Skipped != 0 {
				t.Fatalf("Restore from a read-only source = %+v, %v; want every message uploaded", sum, err)
			}
			if len(w.lines) != 0 {
				t.Errorf("Restore warned %q", w.lines)
			}
			if diffs := diffTrees(before, snapshotTree(t, dir)); len(diffs) > 0 {
				t.Errorf("Restore wrote into its source %s: %q", dir, diffs)
			}
			files, _ := filepath.Glob(filepath.Join(journals, "*.jsonl"))
			if len(files) != 1 {
				t.Fatalf("journals in %s = %q, want one", journals, files)
			}
			if data, _ := os.ReadFile(files[0]); strings.Count(string(data), "\n") != sum.Uploaded {
				t.Errorf("journal has %d lines, want one per message uploaded (%d)", strings.Count(string(data), "\n"), sum.Uploaded)
			}

			// The rerun resumes from the journal.
			log.reset()
			again, err := Restore(context.Background(), client(t, to), opts)
			if err != nil || again.Uploaded != 0 || again.Skipped != sum.Uploaded {
				t.Errorf("rerun = %+v, %v; want all %d skipped", again, err, sum.Uploaded)
			}
			if n, m := log.count(" APPEND "), log.count(" UID FETCH "); n != 0 || m != 0 {
				t.Errorf("rerun sent %d APPEND and %d UID FETCH, want none (the journal knows every message)", n, m)
			}
			if diffs := diffTrees(before, snapshotTree(t, dir)); len(diffs) > 0 {
				t.Errorf("rerun wrote into its source %s: %q", dir, diffs)
			}
		})
	}
}

// The journal is named from the source, the target and the prefix: a
// rerun that spells the source another way (relative, through a symbolic
// link) finds it, and a restore under another prefix keeps its own.
func TestRestoreJournalName(t *testing.T) {
	dir := manyMessageMaildir(t, 3)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, dir)
	if err != nil {
		t.Fatal(err)
	}
	name := restoreJournalName(dir, "bob@example.org", "")
	for _, other := range []string{dir + "/", link, rel} {
		if got := restoreJournalName(other, "bob@example.org", ""); got != name {
			t.Errorf("journal of %s = %s, want %s (that of %s)", other, got, name, dir)
		}
	}
	for _, other := range [][3]string{{dir, "alice@example.org", ""}, {dir, "bob@example.org", "Imported"}, {filepath.Dir(dir), "bob@example.org", ""}} {
		if got := restoreJournalName(other[0], other[1], other[2]); got == name {
			t.Errorf("journal of %q = %s, the same as of %s into bob@example.org", other, got, dir)
		}
	}
}

// A journal that cannot be written (here its folder would be a regular
// file; a read-only medium or a full disk alike) is warned about once and
// the restore goes on: it used to fail the mailbox at the first 64-line
// batch. A rerun still uploads nothing twice: it finds the messages in
// the target mailbox.
func TestRestoreJournalUnwritable(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, []byte("a regular file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts RestoreOptions
	}{
		{"--journal", RestoreOptions{Journal: filepath.Join(notADir, "journal.jsonl")}},
		{"journal folder", RestoreOptions{JournalDir: filepath.Join(notADir, "restore")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const n = 150 // more than two 64-line batches
			dir := manyMessageMaildir(t, n)
			dst := emptyMemServer(t)
			to, log := tracedAccount(t, dst)
			var w warnings
			opts := tc.opts
			opts.Dir, opts.Target, opts.Warn = dir, to.Name, w.warn
			sum, err := Restore(context.Background(), client(t, to), opts)
			if err != nil || sum.Uploaded != n || len(sum.Failures) != 0 {
				t.Fatalf("Restore with an unwritable journal = %+v, %v; want all %d uploaded", sum, err, n)
			}
			if len(w.lines) != 1 || !strings.Contains(w.lines[0], notADir) {
				t.Errorf("warnings = %q, want one naming the journal", w.lines)
			}
			log.reset()
			w.lines = nil
			again, err := Restore(context.Background(), client(t, to), opts)
			if err != nil || again.Uploaded != 0 || again.Skipped != n {
				t.Errorf("rerun = %+v, %v; want all %d found in the target", again, err, n)
			}
			if c := log.count(" APPEND "); c != 0 {
				t.Errorf("rerun sent %d APPEND", c)
			}
			if len(w.lines) != 1 {
				t.Errorf("rerun warnings = %q, want one", w.lines)
			}
		})
	}
}

// A journal left in the source by an earlier version
// (DIR/.imapctl-restore/<target>.jsonl) is still read, so an interrupted
// restore resumes after the upgrade, and never written.
func TestRestoreReadsOldJournal(t *testing.T) {
	dir := twoMessageMaildir(t)
	dst := emptyMemServer(t)
	to, log := tracedAccount(t, dst)
	c := client(t, to)
	ctx := context.Background()
	if err := c.Create(ctx, "Box"); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx, "Box", []string{"UIDVALIDITY"})
	if err != nil {
		t.Fatal(err)
	}
	// The old journal says m1 went into Box (which is empty: only the
	// journal can make restore skip it).
	line, _ := json.Marshal(journalEntry{Source: filepath.Join("cur", "1700000000.M1P1.host:2,S"), Mailbox: "Box", UIDValidity: st.UIDValidity, UID: 7})
	old := filepath.Join(dir, ".imapctl-restore", EscapeName(to.Name)+".jsonl")
	os.MkdirAll(filepath.Dir(old), 0o700)
	if err := os.WriteFile(old, append(line, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshotTree(t, dir)
	sum, err := Restore(ctx, c, RestoreOptions{Dir: dir, Target: to.Name, JournalDir: t.TempDir()})
	if err != nil || sum.Uploaded != 1 || sum.Skipped != 1 {
		t.Fatalf("Restore = %+v, %v; want m1 skipped (old journal), m2 uploaded", sum, err)
	}
	if n := log.count(" APPEND "); n != 1 {
		t.Errorf("Restore sent %d APPEND, want 1 (m2)", n)
	}
	if diffs := diffTrees(before, snapshotTree(t, dir)); len(diffs) > 0 {
		t.Errorf("Restore wrote into its source: %q", diffs)
	}
}

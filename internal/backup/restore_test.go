package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// emptyMemServer is go-imap's in-memory server with no messages.
func emptyMemServer(t *testing.T) *memserver.Server {
	s, err := memserver.Start(memserver.Options{Username: "restorer", Password: "restorer-secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRestoreIntoEmptyAccountThenVerify(t *testing.T) {
	src := memserver.StartT(t, memserver.Options{})
	from := memAccount(t, src)
	dir := t.TempDir()
	backed := runBackup(t, Options{Dir: dir, Accounts: []Account{from}})

	dst := emptyMemServer(t)
	to, log := tracedAccount(t, dst)
	ctx := context.Background()
	c := client(t, to)
	sum, err := Restore(ctx, c, RestoreOptions{Dir: dir, Account: from, Target: to.Name})
	if err != nil {
		t.Fatalf("Restore = %v", err)
	}
	if sum.Uploaded != backed.NewMessages || sum.Mailboxes != backed.Mailboxes {
		t.Errorf("Restore = %+v, want %d messages in %d mailboxes", sum, backed.NewMessages, backed.Mailboxes)
	}
	// The restored account holds the same messages: verify matches them
	// by content (its UIDVALIDITYs differ).
	rep := verifyClean(t, dir, to)
	if rep.Messages != backed.NewMessages {
		t.Errorf("verify saw %d messages, want %d", rep.Messages, backed.NewMessages)
	}
	// Flags and dates came along.
	st, err := c.Status(ctx, "INBOX", []string{"MESSAGES", "UNSEEN"})
	if err != nil {
		t.Fatal(err)
	}
	wantUnseen := 0
	for _, m := range src.MessagesIn("INBOX") {
		if !hasFlag(m.Flags, `\Seen`) {
			wantUnseen++
		}
	}
	if int(st.Unseen) != wantUnseen {
		t.Errorf("restored INBOX UNSEEN = %d, want %d", st.Unseen, wantUnseen)
	}

	// A rerun uploads nothing (journal).
	log.reset()
	again, err := Restore(ctx, client(t, to), RestoreOptions{Dir: dir, Account: from, Target: to.Name})
	if err != nil || again.Uploaded != 0 || again.Skipped != backed.NewMessages {
		t.Errorf("rerun = %+v, %v; want nothing uploaded", again, err)
	}
	if n := log.count(" APPEND "); n != 0 {
		t.Errorf("rerun sent %d APPEND", n)
	}
	// Without the journal, messages are matched by Message-ID, size and hash.
	if err := os.RemoveAll(filepath.Join(dir, EscapeName(from.Name), ".imapctl-restore")); err != nil {
		t.Fatal(err)
	}
	again, err = Restore(ctx, client(t, to), RestoreOptions{Dir: dir, Account: from, Target: to.Name})
	if err != nil || again.Uploaded != 0 {
		t.Errorf("rerun without journal = %+v, %v; want nothing uploaded", again, err)
	}
}

func TestRestoreForeignMaildirWithPrefix(t *testing.T) {
	dst := emptyMemServer(t)
	to := memAccount(t, dst)
	dir := filepath.Join(t.TempDir(), "Old Mail")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o700)
	}
	msg := "From: a@example.org\nSubject: foreign\nMessage-ID: <foreign@example.org>\n\nbare LF body\n"
	os.WriteFile(filepath.Join(dir, "cur", "1700000000.M1P1.host:2,S"), []byte(msg), 0o600)
	ctx := context.Background()
	c := client(t, to)
	sum, err := Restore(ctx, c, RestoreOptions{Dir: dir, Target: to.Name, Prefix: "Imported"})
	if err != nil || sum.Uploaded != 1 {
		t.Fatalf("Restore = %+v, %v", sum, err)
	}
	st, err := c.Status(ctx, "Imported/Old Mail", []string{"MESSAGES", "UNSEEN"})
	if err != nil || st.Messages != 1 || st.Unseen != 0 {
		t.Fatalf("Status = %+v, %v; want 1 seen message", st, err)
	}
	// The wire got CRLF line ends (RFC 5322 §2.3).
	if _, err := c.Select(ctx, "Imported/Old Mail", nil); err != nil {
		t.Fatal(err)
	}
	ms := fetchAll(t, c)
	if want := strings.ReplaceAll(msg, "\n", "\r\n"); len(ms) != 1 || ms[0] != want {
		t.Errorf("stored %q, want %q", ms, want)
	}
	again, err := Restore(ctx, c, RestoreOptions{Dir: dir, Target: to.Name, Prefix: "Imported"})
	if err != nil || again.Uploaded != 0 {
		t.Errorf("rerun = %+v, %v", again, err)
	}
}

package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	log.reset()
	again, err = Restore(ctx, client(t, to), RestoreOptions{Dir: dir, Account: from, Target: to.Name})
	if err != nil || again.Uploaded != 0 {
		t.Errorf("rerun without journal = %+v, %v; want nothing uploaded", again, err)
	}
	// The look-up is batched: per mailbox one UID FETCH for the index and
	// one per 64 messages, not one per message.
	fetches, most := log.count(" UID FETCH "), 2*backed.Mailboxes+backed.NewMessages/64
	t.Logf("rerun without journal: %d UID FETCH for %d messages in %d mailboxes", fetches, backed.NewMessages, backed.Mailboxes)
	if fetches > most {
		t.Errorf("rerun without journal sent %d UID FETCH for %d messages, want at most %d", fetches, backed.NewMessages, most)
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

// TestRestorePipelinesAppends: restore sends the messages of a mailbox
// without waiting for each answer (the scripted server reads both APPENDs
// before it answers either), journals both, and a refused one is a
// failure of its own while the other is uploaded.
func TestRestorePipelinesAppends(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Box")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o700)
	}
	for i, name := range []string{"1700000000.M1P1.host:2,S", "1700000001.M1P1.host:2,"} {
		msg := fmt.Sprintf("From: a@example.org\nSubject: m%d\nMessage-ID: <m%d@example.org>\n\nbody %d\n", i+1, i+1, i+1)
		os.WriteFile(filepath.Join(dir, "cur", name), []byte(msg), 0o600)
	}
	acct := fakeAccount(t, `caps: IMAP4rev1 AUTH=PLAIN LITERAL+ UIDPLUS
login
C: $tag LIST "" ""
S: * LIST (\Noselect) "/" ""
S: $tag OK LIST completed
C: $tag STATUS Box (UIDVALIDITY MESSAGES)
S: * STATUS Box (UIDVALIDITY 5 MESSAGES 0)
S: $tag OK STATUS completed
C: $tag APPEND Box * {*Subject: m1*
C: $tag APPEND Box * {*Subject: m2*
S: $tag-1 NO [OVERQUOTA] mailbox full
S: $tag OK [APPENDUID 5 2] APPEND completed
`)
	c := client(t, acct)
	// A restore that waited for each answer would wait forever: the
	// server answers nothing before it has both APPENDs.
	type outcome struct {
		sum *RestoreSummary
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		sum, err := Restore(context.Background(), c, RestoreOptions{Dir: dir, Target: acct.Name})
		done <- outcome{sum, err}
	}()
	var sum *RestoreSummary
	var err error
	select {
	case o := <-done:
		sum, err = o.sum, o.err
	case <-time.After(10 * time.Second):
		t.Fatal("Restore sent the second APPEND only after the first was answered (no answer in 10 s)")
	}
	var partial *PartialError
	if !errors.As(err, &partial) || sum.Uploaded != 1 || len(sum.Failures) != 1 || !strings.Contains(sum.Failures[0].Error, "mailbox full") {
		t.Fatalf("Restore = %+v, %v; want m2 uploaded and m1 refused", sum, err)
	}
	journal, err := os.ReadFile(filepath.Join(dir, ".imapctl-restore", EscapeName(acct.Name)+".jsonl"))
	if err != nil || strings.Count(string(journal), "\n") != 1 || !strings.Contains(string(journal), `"uid":2`) {
		t.Errorf("journal %q, %v; want the one line of UID 2", journal, err)
	}
}

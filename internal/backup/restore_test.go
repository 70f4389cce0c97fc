package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/testutil/dovecot"
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
	journals := t.TempDir()
	sum, err := Restore(ctx, c, RestoreOptions{Dir: dir, Account: from, Target: to.Name, JournalDir: journals})
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
	again, err := Restore(ctx, client(t, to), RestoreOptions{Dir: dir, Account: from, Target: to.Name, JournalDir: journals})
	if err != nil || again.Uploaded != 0 || again.Skipped != backed.NewMessages {
		t.Errorf("rerun = %+v, %v; want nothing uploaded", again, err)
	}
	// The journal told it all: no APPEND, and no look in the target.
	if n := log.count(" APPEND "); n != 0 {
		t.Errorf("rerun sent %d APPEND", n)
	}
	if n := log.count(" UID FETCH "); n != 0 {
		t.Errorf("rerun with the journal sent %d UID FETCH, want none", n)
	}
	// Without the journal, messages are matched by Message-ID, size and hash.
	if err := os.RemoveAll(journals); err != nil {
		t.Fatal(err)
	}
	log.reset()
	again, err = Restore(ctx, client(t, to), RestoreOptions{Dir: dir, Account: from, Target: to.Name, JournalDir: journals})
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

// restoreBoxScript is a server's side of a restore of twoMessageMaildir
// into an empty account, up to the APPEND of m1.
const restoreBoxScript = `login
C: $tag LIST "" ""
S: * LIST (\Noselect) "/" ""
S: $tag OK LIST completed
C: $tag STATUS Box (UIDVALIDITY MESSAGES)
S: * STATUS Box (UIDVALIDITY 5 MESSAGES 0)
S: $tag OK STATUS completed
C: $tag APPEND Box * {*Subject: m1*
`

// twoMessageMaildir writes a Maildir "Box" with the messages m1 and m2.
func twoMessageMaildir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Box")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o700)
	}
	for i, name := range []string{"1700000000.M1P1.host:2,S", "1700000001.M1P1.host:2,"} {
		msg := fmt.Sprintf("From: a@example.org\nSubject: m%d\nMessage-ID: <m%d@example.org>\n\nbody %d\n", i+1, i+1, i+1)
		os.WriteFile(filepath.Join(dir, "cur", name), []byte(msg), 0o600)
	}
	return dir
}

// TestRestorePipelinesAppends: restore sends the messages of a mailbox
// without waiting for each answer (the scripted server reads both APPENDs
// before it answers either), journals both, and a refused one is a
// failure of its own while the other is uploaded.
func TestRestorePipelinesAppends(t *testing.T) {
	dir := twoMessageMaildir(t)
	acct := fakeAccount(t, "caps: IMAP4rev1 AUTH=PLAIN LITERAL+ UIDPLUS\n"+restoreBoxScript+`C: $tag APPEND Box * {*Subject: m2*
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
	journalPath := filepath.Join(t.TempDir(), "journal.jsonl")
	go func() {
		sum, err := Restore(context.Background(), c, RestoreOptions{Dir: dir, Target: acct.Name, Journal: journalPath})
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
	journal, err := os.ReadFile(journalPath)
	if err != nil || strings.Count(string(journal), "\n") != 1 || !strings.Contains(string(journal), `"uid":2`) {
		t.Errorf("journal %q, %v; want the one line of UID 2", journal, err)
	}
}

// A backup message whose file changed after the backup fails alone, named
// by its file: APPEND announces the literal's size first (RFC 3501 §4.3),
// so a shorter file used to end the literal early, abort the connection
// and stop the whole restore. The other messages, and the mailboxes after
// it, are restored.
func TestDovecotRestoreChangedFile(t *testing.T) {
	if err := dovecot.Available(); err != nil {
		dovecot.SkipOrFail(t, err)
	}
	srv := dovecot.Start(t)
	tests := []struct {
		format, name string
		// change damages the file: a message's own file, or the mbox
		// with message 2 starting at m2 and ending at end.
		change func(b []byte, m2, end int64) []byte
		// failed are the INBOX messages that must fail (m1 is 1).
		failed []int
	}{
		{FormatMaildir, "shorter", func(b []byte, _, _ int64) []byte { return b[:len(b)-40] }, []int{2}},
		{FormatMaildir, "longer", func(b []byte, _, _ int64) []byte { return append(b, "EXTRA TAIL\n"...) }, []int{2}},
		{FormatMaildir, "same size", func(b []byte, _, _ int64) []byte { return bytes.Replace(b, []byte("line"), []byte("LINE"), 1) }, []int{2}},
		// Cut inside message 2: 2 and 3 are gone.
		{FormatMbox, "shorter", func(b []byte, _, end int64) []byte { return b[:end-40] }, []int{2, 3}},
		{FormatMbox, "same size", func(b []byte, m2, _ int64) []byte {
			return append(b[:m2:m2], bytes.Replace(b[m2:], []byte("line"), []byte("LINE"), 1)...)
		}, []int{2}},
	}
	for _, tc := range tests {
		t.Run(tc.format+" "+tc.name, func(t *testing.T) {
			ctx := context.Background()
			acct := dovecotAccount(srv, srv.NewUser(t), nil)
			c := client(t, acct)
			var msgs [][]byte
			for i := 1; i <= 3; i++ {
				msgs = append(msgs, []byte(fmt.Sprintf("Subject: m%d\r\nMessage-ID: <m%d@example.org>\r\n\r\n%s", i, i, strings.Repeat("line\r\n", 50))))
			}
			appendRaw(t, c, "INBOX", msgs, nil)
			if err := c.Create(ctx, "Zlater"); err != nil {
				t.Fatal(err)
			}
			appendRaw(t, c, "Zlater", msgs[:1], nil)
			dir := t.TempDir()
			runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Format: tc.format})

			inbox := filepath.Join(dir, EscapeName(acct.Name), "INBOX")
			man, err := readManifest(inbox, false)
			if err != nil {
				t.Fatal(err)
			}
			m2 := man.Messages[2]
			victim := filepath.Join(inbox, m2.File)
			if tc.format == FormatMbox {
				victim = filepath.Join(inbox, "mbox")
			}
			data, err := os.ReadFile(victim)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(victim, tc.change(data, m2.Offset, m2.End), 0o600); err != nil {
				t.Fatal(err)
			}

			to := dovecotAccount(srv, srv.NewUser(t), nil)
			tcl := client(t, to)
			sum, err := Restore(ctx, tcl, RestoreOptions{Dir: dir, Account: acct, Target: to.Name})
			var partial *PartialError
			if !errors.As(err, &partial) || len(partial.Failures) != len(tc.failed) {
				t.Fatalf("Restore = %+v, %v; want a *PartialError with %d failure(s)", sum, err, len(tc.failed))
			}
			for _, f := range partial.Failures {
				if f.Mailbox != "INBOX" || !strings.Contains(f.Error, victim) {
					t.Errorf("failure = %+v, want INBOX and the file %s", f, victim)
				}
			}
			if want := 4 - len(tc.failed); sum.Uploaded != want {
				t.Errorf("Restore uploaded %d, want %d", sum.Uploaded, want)
			}
			if st, err := tcl.Status(ctx, "Zlater", []string{"MESSAGES"}); err != nil || st.Messages != 1 {
				t.Errorf("Status(Zlater) = %+v, %v; want the mailbox after the damaged one restored", st, err)
			}
			if _, err := tcl.Select(ctx, "INBOX", &imap.SelectOptions{ReadOnly: true}); err != nil {
				t.Fatal(err)
			}
			var want []string
			for i, m := range msgs {
				if !slices.Contains(tc.failed, i+1) {
					want = append(want, string(m))
				}
			}
			if got := fetchAll(t, tcl); !slices.Equal(got, want) {
				t.Errorf("restored INBOX = %q, want %q: the intact messages as backed up", got, want)
			}
		})
	}
}

// An interruption while message 2 waits for the "+" of its synchronising
// literal (no LITERAL+, RFC 3501 §7.5) does not tear the connection down:
// message 2 is answered (here refused), the answer to message 1, already
// sent, is read and journaled, and Restore reports the interruption.
func TestRestoreInterruptedJournalsAnswersInFlight(t *testing.T) {
	dir := twoMessageMaildir(t)
	mark := filepath.Join(t.TempDir(), "mark")
	acct := fakeAccount(t, "caps: IMAP4rev1 AUTH=PLAIN UIDPLUS\n"+restoreBoxScript+`C-: $tag APPEND Box *
mark: `+mark+`
sleep: 300ms
S: $tag-1 OK [APPENDUID 5 1] APPEND completed
S: $tag NO [OVERQUOTA] mailbox full
`)
	c := client(t, acct)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	journalPath := filepath.Join(t.TempDir(), "journal.jsonl")
	go func() {
		_, err := Restore(ctx, c, RestoreOptions{Dir: dir, Target: acct.Name, Journal: journalPath})
		done <- err
	}()
	for {
		if _, err := os.Stat(mark); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel() // Ctrl-C while the "+" for message 2 is awaited
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Restore = %v, want the interruption", err)
	}
	journal, err := os.ReadFile(journalPath)
	if err != nil || strings.Count(string(journal), "\n") != 1 || !strings.Contains(string(journal), `"uid":1`) {
		t.Errorf("journal %q, %v; want the line of message 1 (UID 1)", journal, err)
	}
}

package backup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

// dovecotAccount is an Account of user on srv over implicit TLS, trusting
// the server's test CA; log, when set, receives the commands.
func dovecotAccount(srv *dovecot.Server, user dovecot.User, log *commandLog) Account {
	o := imap.Options{TLS: imap.TLSImplicit, CAFile: srv.CAFile, DialTimeout: 10 * time.Second, Timeout: 30 * time.Second}
	if log != nil {
		o.Debug, o.DebugWriter = 3, log
	}
	return Account{Name: user.Name + "@dovecot", User: user.Name, Host: "127.0.0.1", Connect: func(ctx context.Context) (*imap.Client, error) {
		c, err := imap.Dial(ctx, srv.TLSAddr(), o)
		if err != nil {
			return nil, err
		}
		if err := c.Login(ctx, user.Name, user.Password); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}}
}

// corpusFiles returns n corpus messages in a stable order.
func corpusFiles(t *testing.T, n int) [][]byte {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "corpus", "*", "*.eml"))
	if err != nil || len(files) < n {
		t.Fatalf("corpus: %v (%d files)", err, len(files))
	}
	slices.Sort(files)
	var out [][]byte
	for _, f := range files[:n] {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func appendRaw(t *testing.T, c *imap.Client, mailbox string, msgs [][]byte, flags []string) {
	t.Helper()
	for _, m := range msgs {
		if _, err := c.Append(context.Background(), mailbox, int64(len(m)), bytes.NewReader(m), &imap.AppendOptions{Flags: flags, InternalDate: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatalf("Append = %v", err)
		}
	}
}

// TestDovecotBackup runs backup, incremental backup, a CONDSTORE flag
// change, a UIDVALIDITY change, verify and restore against Dovecot.
func TestDovecotBackup(t *testing.T) {
	srv := dovecot.Start(t, dovecot.WithUserPool(2))
	ctx := context.Background()
	log := &commandLog{}
	user := srv.NewUser(t)
	acct := dovecotAccount(srv, user, log)
	c := client(t, acct)
	msgs := corpusFiles(t, 40)
	appendRaw(t, c, "INBOX", msgs[:30], []string{`\Seen`})
	if err := c.Create(ctx, "Archive/2024"); err != nil {
		t.Fatal(err)
	}
	appendRaw(t, c, "Archive/2024", msgs[30:], nil)
	if !c.Has(ctx, "CONDSTORE") {
		t.Fatal("Dovecot without CONDSTORE")
	}

	dir := t.TempDir()
	sum := runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})
	if sum.NewMessages != 40 {
		t.Fatalf("first backup: %+v, want 40 messages", sum)
	}
	verifyClean(t, dir, acct)
	// Special-use attributes (RFC 6154) as LIST gives them are reported.
	list, err := c.List(ctx, "", "*", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantSpecial := map[string][]string{}
	for _, m := range list {
		for _, a := range m.Attributes {
			if slices.Contains(specialUse, a) {
				wantSpecial[m.Name] = append(wantSpecial[m.Name], a)
			}
		}
	}
	if len(wantSpecial) == 0 {
		t.Error("Dovecot listed no special-use mailbox")
	}
	for _, r := range sum.MailboxReports {
		if !slices.Equal(r.SpecialUse, wantSpecial[r.Mailbox]) {
			t.Errorf("%s: special use %v, want %v", r.Mailbox, r.SpecialUse, wantSpecial[r.Mailbox])
		}
	}
	inbox := filepath.Join(dir, EscapeName(acct.Name), "INBOX")
	man, _ := readManifest(inbox, false)
	st, _, _ := readState(inbox)
	if st.HighestModSeq == 0 {
		t.Errorf("state without HIGHESTMODSEQ: %+v", st)
	}
	for _, e := range man.Messages {
		if e.InternalDate.Unix() != time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC).Unix() || !slices.Contains(e.Flags, `\Seen`) {
			t.Errorf("UID %d: date %v flags %v, want the appended ones", e.UID, e.InternalDate, e.Flags)
		}
	}

	// No change: one STATUS per mailbox and nothing else.
	log.reset()
	sum = runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})
	if sum.Changed != 0 || log.count(" FETCH ") != 0 || log.count(" EXAMINE ") != 0 {
		t.Errorf("unchanged rerun: %+v, commands %q", sum, log.lines)
	}

	// A flag change alone: CONDSTORE's HIGHESTMODSEQ shows it in STATUS,
	// and UID FETCH ... (CHANGEDSINCE) brings just that message's flags.
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(ctx, imap.UIDSetNum(3), imap.StoreAdd, []string{`\Flagged`}, nil); err != nil {
		t.Fatal(err)
	}
	log.reset()
	sum = runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})
	if sum.FlagUpdates != 1 || sum.NewMessages != 0 || sum.Changed != 1 {
		t.Errorf("after a flag change: %+v", sum)
	}
	if log.count("CHANGEDSINCE") != 1 || log.count("BODY.PEEK[]") != 0 {
		t.Errorf("want one CHANGEDSINCE fetch and no body fetch: %q", log.lines)
	}
	man, _ = readManifest(inbox, false)
	if !slices.Contains(man.Messages[3].Flags, `\Flagged`) {
		t.Errorf("UID 3 flags = %v", man.Messages[3].Flags)
	}

	// New mail: fetched in one UID FETCH.
	appendRaw(t, c, "INBOX", msgs[:2], nil)
	log.reset()
	sum = runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})
	if sum.NewMessages != 2 || log.count("BODY.PEEK[]") != 1 {
		t.Errorf("after new mail: %+v, commands %q", sum, log.lines)
	}
	verifyClean(t, dir, acct)

	// UIDVALIDITY change: delete and recreate the mailbox (keep).
	if err := c.Unselect(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "Archive/2024"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // Dovecot's UIDVALIDITY is a time in seconds
	if err := c.Create(ctx, "Archive/2024"); err != nil {
		t.Fatal(err)
	}
	appendRaw(t, c, "Archive/2024", msgs[30:33], nil)
	var warnings []string
	sum = runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Warn: func(f string, a ...any) { warnings = append(warnings, f) }})
	archive := filepath.Join(dir, EscapeName(acct.Name), "Archive", "2024")
	asides, _ := filepath.Glob(filepath.Join(archive, ".uidvalidity-*"))
	if sum.NewMessages != 3 || len(warnings) != 1 || len(asides) != 1 {
		t.Errorf("after UIDVALIDITY change: %+v, warnings %q, dated folders %v", sum, warnings, asides)
	}
	verifyClean(t, dir, acct)

	// Tampering is detected.
	man, _ = readManifest(inbox, false)
	victim := filepath.Join(inbox, man.Messages[5].File)
	data, _ := os.ReadFile(victim)
	os.WriteFile(victim, bytes.Replace(data, []byte("e"), []byte("E"), 1), 0o600)
	rep, err := Verify(ctx, client(t, acct), VerifyOptions{Dir: dir, Account: acct})
	if err != nil || rep.Matches() || !strings.Contains(rep.Differences[0].String(), "INBOX: UID 5: file-changed") {
		t.Errorf("Verify after tampering = %v, %v", rep.Differences, err)
	}
	os.WriteFile(victim, data, 0o600)

	// Restore into an empty account, verify against it, restore again.
	other := srv.NewUser(t)
	to := dovecotAccount(srv, other, log)
	journals := t.TempDir()
	rs, err := Restore(ctx, client(t, to), RestoreOptions{Dir: dir, Account: acct, Target: to.Name, JournalDir: journals})
	if err != nil || rs.Uploaded != 35 {
		t.Fatalf("Restore = %+v, %v; want 35 uploaded", rs, err)
	}
	verifyClean(t, dir, to)
	// Flags and INTERNALDATE came along (matched by content).
	tc := client(t, to)
	if _, err := tc.Select(ctx, "INBOX", &imap.SelectOptions{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	type meta struct {
		flags []string
		date  time.Time
	}
	restored := map[string][]meta{} // the same message may be there twice
	err = tc.Fetch(ctx, imap.AllUID(), &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, BodySections: []imap.BodySection{{Peek: true}}}, func(m *imap.FetchMessage) error {
		b, err := m.NextBody()
		if err != nil || b == nil {
			return err
		}
		data, err := io.ReadAll(b)
		flags := slices.DeleteFunc(m.Flags, func(f string) bool { return f == `\Recent` })
		restored[sha256Hex(data)] = append(restored[sha256Hex(data)], meta{flags, m.InternalDate})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	man, _ = readManifest(inbox, false)
	for uid, e := range man.Messages {
		found := slices.ContainsFunc(restored[e.SHA256], func(r meta) bool {
			return sameFlags(r.flags, e.Flags) && r.date.Equal(e.InternalDate)
		})
		if !found {
			t.Errorf("UID %d restored as %v, want flags %v and date %v", uid, restored[e.SHA256], e.Flags, e.InternalDate)
		}
	}
	// The rerun finds every message in its journal: nothing uploaded, and
	// no message of the target fetched to compare.
	log.reset()
	rs, err = Restore(ctx, client(t, to), RestoreOptions{Dir: dir, Account: acct, Target: to.Name, JournalDir: journals})
	if err != nil || rs.Uploaded != 0 || log.count(" APPEND ") != 0 || log.count("BODY.PEEK[]") != 0 {
		t.Errorf("Restore rerun = %+v, %v; want nothing uploaded or fetched", rs, err)
	}
	// Without the journal, each source message (INBOX holds two pairs of
	// identical messages) matches its own copy by Message-ID, size and
	// SHA-256: still nothing uploaded.
	rs, err = Restore(ctx, client(t, to), RestoreOptions{Dir: dir, Account: acct, Target: to.Name})
	if err != nil || rs.Uploaded != 0 || rs.Skipped != 35 {
		t.Errorf("Restore without journal = %+v, %v; want all 35 matched", rs, err)
	}
}

// TestDovecotRestoreStreams restores a 24 MiB message from a folder of
// .eml files and checks that this process allocated far less than the
// message: it is read from the file twice (size and hash, then APPEND),
// never held in memory.
func TestDovecotRestoreStreams(t *testing.T) {
	srv := dovecot.Start(t, dovecot.WithUserPool(1))
	user := srv.NewUser(t)
	acct := dovecotAccount(srv, user, nil)
	dir := filepath.Join(t.TempDir(), "Big")
	os.MkdirAll(dir, 0o700)
	const size = 24 << 20
	f, err := os.Create(filepath.Join(dir, "1.eml"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("From: a@example.org\nSubject: big\nMessage-ID: <big@example.org>\n\n")
	line := strings.Repeat("0123456789abcdef", 4) + "\n"
	for written := 0; written < size; written += len(line) {
		f.WriteString(line)
	}
	f.Close()
	c := client(t, acct)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum, err := Restore(context.Background(), c, RestoreOptions{Dir: dir, Target: acct.Name})
	runtime.ReadMemStats(&after)
	if err != nil || sum.Uploaded != 1 {
		t.Fatalf("Restore = %+v, %v", sum, err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > size/4 { // -race adds a few MiB
		t.Errorf("restoring a %d-byte message allocated %d bytes", size, alloc)
	}
	t.Logf("restoring a %d-byte message allocated %d bytes", size, alloc)
	st, err := c.Status(context.Background(), "Big", []string{"MESSAGES"})
	if err != nil || st.Messages != 1 {
		t.Fatalf("Status = %+v, %v", st, err)
	}
}

// TestDovecotBackupResumesSparseMailbox interrupts the first backup of a
// mailbox whose UIDs have gaps (every other message expunged), so that
// the stored messages above LastUID alternate with UIDs that do not
// exist, and reruns it against a Dovecot that takes command lines of at
// most 8 KB (the size RFC 7162 §4 asks clients to keep to). The rerun's
// FETCH set names every gap; sent as one line, Dovecot refused it with
// BAD "Too long argument" and every later run failed the same way. It
// must be sent in parts: the rerun completes the backup, and verify
// finds it equal to the server.
func TestDovecotBackupResumesSparseMailbox(t *testing.T) {
	srv := dovecot.Start(t, dovecot.WithConfig("imap_max_line_length = 8k"))
	ctx := context.Background()
	log := &commandLog{}
	user := srv.NewUser(t)
	acct := dovecotAccount(srv, user, log)
	const total = 6000
	for i := 1; i <= total; i++ {
		msg := fmt.Sprintf("From: a@example.org\r\nSubject: message %d\r\nMessage-ID: <%d@example.org>\r\n\r\nbody %d\r\n", i, i, i)
		var flags []string
		if i%2 == 1 {
			flags = []string{`\Deleted`}
		}
		if err := srv.Deliver(user.Name, "INBOX", []byte(msg), flags...); err != nil {
			t.Fatal(err)
		}
	}
	c := client(t, acct)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Expunge(ctx); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	runCtx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	written := 0
	opts := Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}, BatchMessages: 64, Format: FormatMaildir,
		crashPoint: func(step string) {
			mu.Lock()
			defer mu.Unlock()
			if step == "message written" {
				if written++; written == 2000 {
					cancel()
				}
			}
		}}
	if _, err := Run(runCtx, opts); err == nil {
		t.Fatal("interrupted backup: no error")
	}
	cancel()
	log.reset()
	opts.crashPoint = nil
	sum := runBackup(t, opts)
	if sum.NewMessages == 0 || len(sum.Failures) > 0 {
		t.Fatalf("rerun: %d new messages, failures %v", sum.NewMessages, sum.Failures)
	}
	fetches := 0
	log.mu.Lock()
	for _, line := range log.lines {
		if len(line) > 8000 {
			t.Errorf("a command line of %d bytes: %.80s...", len(line), line)
		}
		if strings.Contains(line, " UID FETCH ") && strings.Contains(line, "BODY.PEEK[]") {
			fetches++
		}
	}
	log.mu.Unlock()
	if fetches < 2 {
		t.Errorf("the rerun sent %d UID FETCH commands for bodies; its set needs more than one line", fetches)
	}
	rep := verifyClean(t, dir, acct)
	if rep.Messages != total/2 {
		t.Errorf("verify: %d messages, want %d", rep.Messages, total/2)
	}
}

package backup

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/policy"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// folderSnapshot is the bytes of every file under dir, by path.
func folderSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == LockFileName {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestBackupRefusesOtherPolicy backs up INBOX under raw (LF), then runs
// again under raw with CRLF: the state's line separator is what verify and
// restore put every stored file back to CRLF with, so the second run is
// refused before anything is written, and verify --deep still matches.
func TestBackupRefusesOtherPolicy(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}})
	appendMessage(t, acct, "INBOX", "after-first-run")
	before := folderSnapshot(t, dir)

	crlf, err := policy.ParseSpec(`raw,linesep=\r\n`, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}, Policy: crlf, PolicySpec: `raw,linesep=\r\n`}
	_, err = Run(context.Background(), other)
	var pm *PolicyMismatchError
	if !errors.As(err, &pm) || pm.Recorded != "raw" || pm.Requested != `raw,linesep=\r\n` {
		t.Fatalf("Run under another policy = %v, want *PolicyMismatchError raw -> raw,linesep=\\r\\n", err)
	}
	if !strings.Contains(err.Error(), "INBOX") {
		t.Errorf("error %q does not name the folder", err)
	}
	if after := folderSnapshot(t, dir); len(after) != len(before) {
		t.Errorf("the refused run changed the backup: %d files, had %d", len(after), len(before))
	} else {
		for p, data := range before {
			if after[p] != data {
				t.Errorf("the refused run changed %s", p)
			}
		}
	}
	// The folder's own policy goes on, and verify --deep matches.
	sum := runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}})
	if sum.NewMessages != 1 {
		t.Errorf("rerun under the folder's policy: %d new messages, want 1", sum.NewMessages)
	}
	verifyClean(t, dir, acct)
	// Another policy is fine for a mailbox without a folder yet.
	sum = runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Corpus/*"}, Policy: crlf, PolicySpec: `raw,linesep=\r\n`})
	if sum.NewMessages == 0 {
		t.Errorf("new folders under another policy: nothing backed up")
	}
	verifyClean(t, dir, acct)
}

// TestBackupCountsOnlyCommittedMessages makes the first group commit fail
// (its manifest cannot be written): the messages written for it are
// removed again, so they must not count as new.
func TestBackupCountsOnlyCommittedMessages(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	inbox := filepath.Join(dir, EscapeName(acct.Name), "INBOX")
	if len(s.MessagesIn("INBOX")) == 0 {
		t.Fatal("no seeded INBOX messages")
	}
	var once sync.Once
	opts := Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}, BatchMessages: 1}
	opts.crashPoint = func(step string) {
		if step == "files committed" {
			// A folder where the manifest goes: its append fails.
			once.Do(func() { os.Mkdir(filepath.Join(inbox, ManifestFileName), 0o700) })
		}
	}
	sum, err := Run(context.Background(), opts)
	var pe *PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("Run with a failing commit = %v, want *PartialError", err)
	}
	if sum.NewMessages != 0 || sum.Bytes != 0 {
		t.Errorf("summary counts %d new messages, %d bytes; nothing was committed", sum.NewMessages, sum.Bytes)
	}
	for _, r := range sum.MailboxReports {
		if r.New != 0 {
			t.Errorf("report %+v counts new messages; nothing was committed", r)
		}
	}
}

// cuttableAccount is memAccount whose connections the test can cut.
type cuttableAccount struct {
	Account
	mu    sync.Mutex
	conns []net.Conn
}

func newCuttableAccount(t *testing.T, s *memserver.Server) *cuttableAccount {
	a := &cuttableAccount{}
	a.Account = memAccount(t, s, imap.Options{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			a.mu.Lock()
			a.conns = append(a.conns, c)
			a.mu.Unlock()
		}
		return c, err
	}})
	return a
}

// cut closes every connection made so far, as a server going away would.
func (a *cuttableAccount) cut() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.conns {
		c.Close()
	}
}

// TestBackupConnectionLost cuts the connections in the middle of a
// mailbox: the run ends with a *ConnectionLostError (an *imap.AbortError,
// exit 4) rather than one failure per mailbox left, keeps what was
// committed, and a rerun completes the backup.
func TestBackupConnectionLost(t *testing.T) {
	for _, jobs := range []int{1, 3} {
		t.Run(map[int]string{1: "one connection", 3: "three connections"}[jobs], func(t *testing.T) {
			s := memserver.StartT(t, memserver.Options{})
			acct := newCuttableAccount(t, s)
			dir := t.TempDir()
			var once sync.Once
			opts := Options{Dir: dir, Accounts: []Account{acct.Account}, Jobs: jobs, BatchMessages: 1}
			opts.crashPoint = func(step string) {
				if step == "message written" {
					once.Do(acct.cut)
				}
			}
			sum, err := Run(context.Background(), opts)
			var lost *ConnectionLostError
			var abort *imap.AbortError
			if !errors.As(err, &lost) || !errors.As(err, &abort) {
				t.Fatalf("Run with the connections cut = %v, want *ConnectionLostError wrapping *imap.AbortError", err)
			}
			if lost.Account != acct.Name || lost.Mailbox == "" || lost.Left < 1 {
				t.Errorf("ConnectionLostError %+v: want the account, the mailbox and at least 1 left", lost)
			}
			if len(sum.Failures) != 0 || len(lost.Failures) != 0 {
				t.Errorf("failures %v: a lost connection is not a message or mailbox failure", sum.Failures)
			}
			// The rerun resumes and the backup is complete.
			runBackup(t, Options{Dir: dir, Accounts: []Account{memAccount(t, s)}})
			verifyClean(t, dir, memAccount(t, s))
		})
	}
}

// TestVerifyRefusesWhileBackupRuns: verify fails at once with the backup's
// *LockedError while a backup holds the folder's lock, whether given the
// backup folder or the account folder, and refuses its result when a
// backup took the lock while it compared.
func TestVerifyRefusesWhileBackupRuns(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}})
	c := client(t, acct)

	lock, err := AcquireLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Join(dir, EscapeName(acct.Name))} {
		_, err := Verify(context.Background(), c, VerifyOptions{Dir: d, Account: acct})
		var le *LockedError
		if !errors.As(err, &le) || le.PID != os.Getpid() {
			t.Errorf("Verify(%s) during a backup = %v, want *LockedError with the backup's PID", d, err)
		}
	}
	lock.Release()
	verifyClean(t, dir, acct)

	// A backup that takes the lock while verify compares.
	var once sync.Once
	_, err = Verify(context.Background(), c, VerifyOptions{Dir: dir, Account: acct, compared: func(int) {
		once.Do(func() {
			l, err := AcquireLock(dir)
			if err != nil {
				t.Error(err)
				return
			}
			l.Release()
		})
	}})
	var during *BackupDuringVerifyError
	if !errors.As(err, &during) {
		t.Errorf("Verify with a backup during it = %v, want *BackupDuringVerifyError", err)
	}
}

// TestVerifyReadOnlyBackupWithoutLockFile: checking the lock creates
// nothing (a backup on read-only media may have no lock file).
func TestVerifyReadOnlyBackupWithoutLockFile(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}})
	if err := os.Remove(filepath.Join(dir, LockFileName)); err != nil {
		t.Fatal(err)
	}
	verifyClean(t, dir, acct)
	if _, err := os.Stat(filepath.Join(dir, LockFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("verify created the lock file: %v", err)
	}
}

// TestBackupUIDValidityNoticeNotWarn: a UIDVALIDITY change goes to Notice
// (shown even under --quiet), other warnings to Warn.
func TestBackupUIDValidityNoticeNotWarn(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	ctx := context.Background()
	c := client(t, acct)
	if err := c.Create(ctx, "Recreated"); err != nil {
		t.Fatal(err)
	}
	appendMessage(t, acct, "Recreated", "old")
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Recreated"}})
	old, _ := c.Status(ctx, "Recreated", []string{"UIDVALIDITY"})
	if err := c.Delete(ctx, "Recreated"); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, "Recreated"); err != nil {
		t.Fatal(err)
	}
	appendMessage(t, acct, "Recreated", "new")
	now, _ := c.Status(ctx, "Recreated", []string{"UIDVALIDITY"})
	if old == nil || now == nil || old.UIDValidity == now.UIDValidity {
		t.Skip("server kept UIDVALIDITY for the recreated mailbox")
	}
	var warned, noticed bytes.Buffer
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Recreated"},
		Warn:   func(string, ...any) { warned.WriteString("x") },
		Notice: func(f string, _ ...any) { noticed.WriteString(f) }})
	if warned.Len() != 0 || !strings.Contains(noticed.String(), "UIDVALIDITY changed") {
		t.Errorf("warn %q, notice %q: want the UIDVALIDITY change as a notice", warned.String(), noticed.String())
	}
}

// TestBackupConnectionLostMidMessage cuts the connection while a large
// message's literal is being read: the broken read is the connection's
// failure, not the message's (no failure line, no failed entry).
func TestBackupConnectionLostMidMessage(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := newCuttableAccount(t, s)
	ctx := context.Background()
	c := client(t, acct.Account)
	if err := c.Create(ctx, "Big"); err != nil {
		t.Fatal(err)
	}
	msg := "Subject: big\r\n\r\n" + strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", 1<<15)
	if _, err := c.Append(ctx, "Big", int64(len(msg)), strings.NewReader(msg), nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var once sync.Once
	opts := Options{Dir: dir, Accounts: []Account{acct.Account}, Mailboxes: []string{"Big"}}
	opts.crashPoint = func(step string) {
		if step == "writing a message" {
			once.Do(acct.cut)
		}
	}
	sum, err := Run(ctx, opts)
	var lost *ConnectionLostError
	if !errors.As(err, &lost) || lost.Mailbox != "Big" || lost.Left != 1 {
		t.Fatalf("Run with the connection cut mid-message = %v, want *ConnectionLostError during Big, 1 left", err)
	}
	if len(sum.Failures) != 0 {
		t.Errorf("failures %v: the message did not fail, the connection did", sum.Failures)
	}
	man, err := readManifest(filepath.Join(dir, EscapeName(acct.Name), "Big"), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Failed) != 0 {
		t.Errorf("manifest records failed messages %v", man.Failed)
	}
	runBackup(t, Options{Dir: dir, Accounts: []Account{memAccount(t, s)}, Mailboxes: []string{"Big"}})
	verifyClean(t, dir, memAccount(t, s))
}

package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/policy"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

func TestBackupMemServerFirstRun(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	sum := runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})
	if sum.NewMessages != len(s.Messages) {
		t.Errorf("NewMessages = %d, want %d (seeded)", sum.NewMessages, len(s.Messages))
	}
	if sum.Mailboxes != len(s.Mailboxes) {
		t.Errorf("Mailboxes = %d, want %d", sum.Mailboxes, len(s.Mailboxes))
	}
	acctDir := filepath.Join(dir, EscapeName(acct.Name))
	for _, name := range s.Mailboxes {
		mbDir := filepath.Join(acctDir, MailboxPath(name, memserver.Delimiter))
		man, err := readManifest(mbDir, false)
		if err != nil {
			t.Fatal(err)
		}
		want := s.MessagesIn(name)
		if len(man.Messages) != len(want) {
			t.Errorf("%s: manifest has %d messages, want %d", name, len(man.Messages), len(want))
		}
		for _, m := range want {
			e := man.Messages[m.UID]
			if e == nil {
				t.Errorf("%s: UID %d missing from the manifest", name, m.UID)
				continue
			}
			if e.Size != m.Size || e.SHA256 != sha256Hex(m.Data) || !e.Lossless {
				t.Errorf("%s UID %d: size %d sha %s lossless %v, want %d %s true", name, m.UID, e.Size, e.SHA256, e.Lossless, m.Size, sha256Hex(m.Data))
			}
			data, err := os.ReadFile(filepath.Join(mbDir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			// Default policy raw with \n: the file is the server's bytes
			// with LF line ends.
			if want := strings.ReplaceAll(string(m.Data), "\r\n", "\n"); string(data) != want {
				t.Errorf("%s UID %d: file differs from the server's bytes with LF line ends", name, m.UID)
			}
		}
	}
	if len(sum.MailboxReports) != len(s.Mailboxes) {
		t.Errorf("%d mailbox reports, want %d", len(sum.MailboxReports), len(s.Mailboxes))
	}
	for _, r := range sum.MailboxReports {
		if r.Messages != len(s.MessagesIn(r.Mailbox)) || r.New != r.Messages || !r.Changed {
			t.Errorf("report %+v: want %d new messages", r, len(s.MessagesIn(r.Mailbox)))
		}
	}
	// The non-ASCII mailbox got a readable, reversible folder name.
	if _, err := os.Stat(filepath.Join(acctDir, "Entwürfe", "日本語", StateFileName)); err != nil {
		t.Error(err)
	}
	verifyClean(t, dir, acct)
}

func TestBackupIncrementalFetchesOnlyNew(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct, log := tracedAccount(t, s)
	dir := t.TempDir()
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})

	// No change: LIST and STATUS only (one STATUS per mailbox, or the
	// LIST's with LIST-STATUS, RFC 5819), no SELECT, no FETCH.
	log.reset()
	sum := runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})
	if sum.NewMessages != 0 || sum.Changed != 0 {
		t.Errorf("rerun without changes: %+v, want nothing new", sum)
	}
	if n := log.count(" FETCH "); n != 0 {
		t.Errorf("rerun without changes sent %d FETCH commands, want 0", n)
	}
	statusCommands, listStatus := log.count(" STATUS "), log.count(" RETURN (STATUS (")
	if !(statusCommands == len(s.Mailboxes) && listStatus == 0) && !(statusCommands == 0 && listStatus == 1) {
		t.Errorf("rerun without changes sent %d STATUS and %d LIST RETURN (STATUS), want %d and 0 or 0 and 1", statusCommands, listStatus, len(s.Mailboxes))
	}
	if n := log.count(" EXAMINE ") + log.count(" SELECT "); n != 0 {
		t.Errorf("rerun without changes sent %d EXAMINE or SELECT, want 0", n)
	}

	// Two new messages in INBOX: one UID FETCH of the new ones (plus the
	// flags refresh, as the server has no CONDSTORE).
	before := len(s.MessagesIn("INBOX"))
	u1 := appendMessage(t, acct, "INBOX", "new-one")
	u2 := appendMessage(t, acct, "INBOX", "new-two")
	log.reset()
	sum = runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})
	if sum.NewMessages != 2 || sum.Changed != 1 {
		t.Errorf("after 2 new messages: %+v", sum)
	}
	bodies := 0
	for _, l := range log.lines {
		if strings.Contains(l, "UID FETCH") && strings.Contains(l, "BODY.PEEK[]") {
			bodies++
			if !strings.Contains(l, " "+itoa(u1)+":* ") && !strings.Contains(l, " "+itoa(uint32(before)+1)+":* ") {
				t.Errorf("body fetch %q does not start at the first new UID %d", l, u1)
			}
		}
	}
	if bodies != 1 {
		t.Errorf("%d body FETCH commands, want 1: %q", bodies, log.lines)
	}
	man, _ := readManifest(filepath.Join(dir, EscapeName(acct.Name), "INBOX"), false)
	if man.Messages[u1] == nil || man.Messages[u2] == nil || man.Messages[u2].MessageID != "<new-two@example.org>" {
		t.Errorf("new messages not in the manifest as expected: %+v %+v", man.Messages[u1], man.Messages[u2])
	}
	verifyClean(t, dir, acct)
}

func TestBackupFlagChangePickedUp(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	uid := appendMessage(t, acct, "INBOX", "flagged-later")
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})

	c := client(t, acct)
	ctx := context.Background()
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(ctx, imap.UIDSetNum(uid), imap.StoreAdd, []string{`\Flagged`, "$Work"}, nil); err != nil {
		t.Fatal(err)
	}
	// go-imap's server has no CONDSTORE: a flag change alone does not
	// show in STATUS, so it is picked up when the mailbox changes anyway
	// (here: new mail). TestDovecotBackup checks CHANGEDSINCE.
	appendMessage(t, acct, "INBOX", "arrives-later")
	sum := runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})
	if sum.FlagUpdates != 1 {
		t.Errorf("FlagUpdates = %d, want 1", sum.FlagUpdates)
	}
	inbox := filepath.Join(dir, EscapeName(acct.Name), "INBOX")
	man, _ := readManifest(inbox, false)
	e := man.Messages[uid]
	if !sameFlags(e.Flags, []string{`\Seen`, `\Flagged`, "$Work"}) {
		t.Errorf("flags = %v, want \\Seen \\Flagged $Work", e.Flags)
	}
	if !strings.HasSuffix(e.File, ":2,FS") {
		t.Errorf("Maildir file %s does not carry the new flags", e.File)
	}
	verifyClean(t, dir, acct)
}

func TestBackupUIDValidityChange(t *testing.T) {
	for _, strategy := range []string{OnUIDValidityKeep, OnUIDValidityRefetch, OnUIDValidityFail} {
		t.Run(strategy, func(t *testing.T) {
			s := memserver.StartT(t, memserver.Options{})
			acct := memAccount(t, s)
			dir := t.TempDir()
			ctx := context.Background()
			c := client(t, acct)
			if err := c.Create(ctx, "Recreated"); err != nil {
				t.Fatal(err)
			}
			appendMessage(t, acct, "Recreated", "old-1")
			appendMessage(t, acct, "Recreated", "old-2")
			runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Recreated"}})
			mbDir := filepath.Join(dir, EscapeName(acct.Name), "Recreated")
			old, _, _ := readState(mbDir)

			if err := c.Delete(ctx, "Recreated"); err != nil {
				t.Fatal(err)
			}
			if err := c.Create(ctx, "Recreated"); err != nil {
				t.Fatal(err)
			}
			appendMessage(t, acct, "Recreated", "new-1")
			st, err := c.Status(ctx, "Recreated", []string{"UIDVALIDITY"})
			if err != nil {
				t.Fatal(err)
			}
			if st.UIDValidity == old.UIDValidity {
				t.Skipf("server kept UIDVALIDITY %d for the recreated mailbox", st.UIDValidity)
			}
			var warnings []string
			warn := func(f string, a ...any) { warnings = append(warnings, f) }
			sum, err := Run(ctx, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Recreated"}, OnUIDValidityChange: strategy, Warn: warn})
			now, _, _ := readState(mbDir)
			man, _ := readManifest(mbDir, false)
			asides, _ := filepath.Glob(filepath.Join(mbDir, ".uidvalidity-*"))
			switch strategy {
			case OnUIDValidityFail:
				var pe *PartialError
				if !errors.As(err, &pe) || !strings.Contains(pe.Error(), "UIDVALIDITY changed") {
					t.Fatalf("Run = %v, want a UIDVALIDITY failure", err)
				}
				if now.UIDValidity != old.UIDValidity || len(man.Messages) != 2 {
					t.Errorf("fail strategy changed the backup: state %+v, %d messages", now, len(man.Messages))
				}
				return
			case OnUIDValidityKeep:
				if len(asides) != 1 {
					t.Fatalf("dated folders %v, want 1", asides)
				}
				oldMan, _ := readManifest(asides[0], false)
				if len(oldMan.Messages) != 2 {
					t.Errorf("kept copy has %d messages, want 2", len(oldMan.Messages))
				}
			case OnUIDValidityRefetch:
				if len(asides) != 0 {
					t.Errorf("refetch left %v", asides)
				}
			}
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if len(warnings) != 1 {
				t.Errorf("warnings %q, want one", warnings)
			}
			if sum.NewMessages != 1 || now.UIDValidity != st.UIDValidity || len(man.Messages) != 1 {
				t.Errorf("after refetch: %+v, state %+v, %d messages", sum, now, len(man.Messages))
			}
			verifyClean(t, dir, acct)
		})
	}
}

func TestBackupPrune(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	ctx := context.Background()
	uid := appendMessage(t, acct, "INBOX", "to-delete")
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}})
	c := client(t, acct)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(ctx, imap.UIDSetNum(uid), imap.StoreAdd, []string{`\Deleted`}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Expunge(ctx); err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(dir, EscapeName(acct.Name), "INBOX")
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}})
	man, _ := readManifest(inbox, false)
	if man.Messages[uid] == nil {
		t.Fatal("message deleted on the server left the backup without --prune")
	}
	file := filepath.Join(inbox, man.Messages[uid].File)
	sum := runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}, Prune: true})
	man, _ = readManifest(inbox, false)
	if sum.Pruned != 1 || man.Messages[uid] != nil {
		t.Errorf("prune: %+v, still in manifest: %v", sum, man.Messages[uid] != nil)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pruned file still there: %v", err)
	}
	verifyClean(t, dir, acct)
}

func TestBackupLock(t *testing.T) {
	dir := t.TempDir()
	l, err := AcquireLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = AcquireLock(dir)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Fatalf("second AcquireLock = %v, want LockedError with our PID", err)
	}
	l.Release()
	// A lock file left by a dead process (no flock held) is taken over.
	os.WriteFile(filepath.Join(dir, LockFileName), []byte("999999\n"), 0o600)
	l, err = AcquireLock(dir)
	if err != nil {
		t.Fatalf("AcquireLock over a stale lock = %v", err)
	}
	l.Release()
}

func TestBackupFormats(t *testing.T) {
	for _, format := range []string{FormatMbox, FormatEML} {
		t.Run(format, func(t *testing.T) {
			s := memserver.StartT(t, memserver.Options{})
			acct := memAccount(t, s)
			dir := t.TempDir()
			sum := runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Format: format, Mailboxes: []string{"INBOX", "Corpus/*"}})
			if sum.NewMessages == 0 || sum.Lossy != 0 {
				// mbox adds a newline to messages without one; the
				// manifest records it and readers drop it again.
				t.Fatalf("first run: %+v, want every message stored losslessly", sum)
			}
			verifyClean(t, dir, acct)
			appendMessage(t, acct, "INBOX", "later")
			sum = runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Format: format, Mailboxes: []string{"INBOX", "Corpus/*"}})
			if sum.NewMessages != 1 {
				t.Errorf("incremental: %+v", sum)
			}
			verifyClean(t, dir, acct)
			// Restore from this format, then verify against the copy.
			to := memAccount(t, emptyMemServer(t))
			rs, err := Restore(context.Background(), client(t, to), RestoreOptions{Dir: dir, Account: acct, Target: to.Name})
			if err != nil || rs.Uploaded == 0 {
				t.Fatalf("Restore = %+v, %v", rs, err)
			}
			verifyClean(t, dir, to)
		})
	}
}

func TestMatchPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"*", "a/b", true}, {"%", "a/b", false}, {"a/%", "a/b", true}, {"inbox", "INBOX", true},
		{"Corpus/*", "Corpus/x/y", true}, {"Corpus/%", "Corpus/x/y", false}, {"Sent", "Sent Items", false},
	} {
		if got := MatchPattern(tc.pattern, tc.name, "/"); got != tc.want {
			t.Errorf("MatchPattern(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

func TestEscapeNameRoundTrip(t *testing.T) {
	for _, name := range []string{"", ".", "..", "cur", "New", "a/b", "50%", "x\x00y\n", "Entwürfe", "1.eml", ".hidden", "mbox", `back\slash`} {
		esc := EscapeName(name)
		if esc == "." || esc == ".." || strings.ContainsAny(esc, "/\\\x00\n") || strings.HasPrefix(esc, ".") || reservedNames[strings.ToLower(esc)] || strings.HasSuffix(strings.ToLower(esc), ".eml") {
			t.Errorf("EscapeName(%q) = %q: not a safe file name", name, esc)
		}
		back, err := UnescapeName(esc)
		if err != nil || back != name {
			t.Errorf("UnescapeName(%q) = %q, %v; want %q", esc, back, err, name)
		}
	}
	_ = time.Second
}

// TestBackupLossyPolicy stores under Python's default policy, which
// rewrites some messages: their manifest lines say lossless false, the
// others true, and verify still checks every file against its own hash.
func TestBackupLossyPolicy(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	p, err := policy.ParseSpec("default", nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), Options{Dir: dir, Accounts: []Account{acct}, Policy: p, PolicySpec: "default", Mailboxes: []string{"Corpus/*"}})
	// Python cannot write some messages under this policy: those fail,
	// named, and the run goes on.
	failed := map[string]bool{}
	var pe *PartialError
	if err != nil && !errors.As(err, &pe) {
		t.Fatalf("Run = %v", err)
	}
	if pe != nil {
		for _, f := range pe.Failures {
			if f.UID == 0 || !strings.Contains(f.Error, "policy:") {
				t.Errorf("failure %v: want a message the policy cannot write", f)
			}
			failed[fmt.Sprintf("%s: UID %d: missing", f.Mailbox, f.UID)] = true
		}
	}
	if sum.Lossy == 0 || sum.Lossy == sum.NewMessages {
		t.Fatalf("%d of %d messages lossy under the default policy; want some, not all", sum.Lossy, sum.NewMessages)
	}
	mbs, _ := BackupMailboxes(filepath.Join(dir, EscapeName(acct.Name)))
	lossy := 0
	for _, mb := range mbs {
		man, _ := readManifest(mb.Dir, false)
		for _, e := range man.Messages {
			d, err := digestStored(mb.State.Format, mb.Dir, e, mb.State.Linesep)
			if err != nil {
				t.Fatal(err)
			}
			// The manifest's verdict is the truth about the file.
			if e.Lossless != (d.CRLFSHA256 == e.SHA256) {
				t.Errorf("%s UID %d: lossless %v but the file put back to CRLF hashes %v", mb.State.Mailbox, e.UID, e.Lossless, d.CRLFSHA256 == e.SHA256)
			}
			if !e.Lossless {
				lossy++
			}
		}
	}
	if lossy != sum.Lossy {
		t.Errorf("manifest has %d lossy messages, summary %d", lossy, sum.Lossy)
	}
	// verify names exactly the failed messages as missing.
	rep, err := Verify(context.Background(), client(t, acct), VerifyOptions{Dir: dir, Account: acct, Deep: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Differences {
		if !failed[d.String()] {
			t.Errorf("unexpected difference %s", d)
		}
		delete(failed, d.String())
	}
	for f := range failed {
		t.Errorf("verify did not report %s", f)
	}
}

// TestBackupEmptyMailboxNotSelected: a mailbox that STATUS says is empty
// is not selected (one round trip fewer per empty mailbox); its state
// still records UIDVALIDITY and UIDNEXT-1, so that a message added later
// is fetched, and an unchanged rerun costs nothing.
func TestBackupEmptyMailboxNotSelected(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct, log := tracedAccount(t, s)
	c := client(t, acct)
	ctx := context.Background()
	if err := c.Create(ctx, "Empty"); err != nil {
		t.Fatal(err)
	}
	// UIDNEXT moves on: a message appended, then expunged.
	uid := appendMessage(t, acct, "Empty", "gone")
	if _, err := c.Select(ctx, "Empty", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(ctx, imap.UIDSetNum(uid), imap.StoreAdd, []string{`\Deleted`}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Expunge(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Unselect(ctx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log.reset()
	sum := runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Empty", "INBOX"}})
	if n := log.count(" EXAMINE Empty"); n != 0 {
		t.Errorf("first run sent %d EXAMINE Empty, want 0: %q", n, log.lines)
	}
	if n := log.count(" EXAMINE INBOX"); n != 1 {
		t.Errorf("first run sent %d EXAMINE INBOX, want 1", n)
	}
	if sum.Changed != 2 {
		t.Errorf("first run: %+v, want 2 changed mailboxes", sum)
	}
	st, ok, err := readState(filepath.Join(dir, EscapeName(acct.Name), "Empty"))
	status, serr := c.Status(ctx, "Empty", []string{"UIDNEXT", "UIDVALIDITY"})
	if err != nil || serr != nil || !ok || st.UIDValidity != status.UIDValidity || st.LastUID != status.UIDNext-1 || st.LastUID < uid {
		t.Fatalf("state of Empty = %+v, %v, %v; want UIDVALIDITY %d, last UID %d", st, ok, err, status.UIDValidity, status.UIDNext-1)
	}
	log.reset()
	if sum := runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Empty", "INBOX"}}); sum.Changed != 0 {
		t.Errorf("unchanged rerun: %+v, want nothing changed", sum)
	}
	if n := log.count(" EXAMINE "); n != 0 {
		t.Errorf("unchanged rerun sent %d EXAMINE, want 0", n)
	}
	newUID := appendMessage(t, acct, "Empty", "arrived")
	sum = runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Empty", "INBOX"}})
	if sum.NewMessages != 1 {
		t.Errorf("after a message arrived in Empty: %+v, want 1 new", sum)
	}
	man, _ := readManifest(filepath.Join(dir, EscapeName(acct.Name), "Empty"), false)
	if man.Messages[newUID] == nil || len(man.Messages) != 1 {
		t.Errorf("manifest of Empty: %v, want UID %d only", man.Messages, newUID)
	}
	verifyClean(t, dir, acct)
}

// TestBackupStoredSHA256OnlyWhenLossy: a message stored losslessly has
// no stored_sha256 (its SHA-256 put back to CRLF is the server's), a
// lossy one (a bare LF, under raw with "\n") has the SHA-256 of its file;
// verify checks both and notices a changed byte in either.
func TestBackupStoredSHA256OnlyWhenLossy(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	c := client(t, acct)
	ctx := context.Background()
	if err := c.Create(ctx, "Lossy"); err != nil {
		t.Fatal(err)
	}
	msgs := []string{
		"From: a@example.org\r\nSubject: clean\r\n\r\nline one\r\nline two\r\n",
		"From: a@example.org\r\nSubject: bare LF\r\n\r\nline one\nline two\r\n",
	}
	for _, m := range msgs {
		if _, err := c.Append(ctx, "Lossy", int64(len(m)), strings.NewReader(m), nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, format := range []string{FormatMaildir, FormatEML, FormatMbox} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Lossy"}, Format: format})
			box := filepath.Join(dir, EscapeName(acct.Name), "Lossy")
			man, err := readManifest(box, false)
			if err != nil || len(man.Messages) != 2 {
				t.Fatalf("manifest: %v, %v", man, err)
			}
			for _, e := range man.Messages {
				lossy := strings.Contains(e.MessageID+subjectOf(t, format, box, e), "bare LF")
				if e.Lossless == lossy {
					t.Errorf("UID %d: lossless %v, want %v", e.UID, e.Lossless, !lossy)
				}
				rc, err := openStored(format, box, e)
				if err != nil {
					t.Fatal(err)
				}
				data, _ := io.ReadAll(rc)
				rc.Close()
				switch {
				case lossy && e.StoredSHA256 != sha256Hex(data):
					t.Errorf("UID %d (lossy): stored_sha256 %q, want the file's %s", e.UID, e.StoredSHA256, sha256Hex(data))
				case !lossy && e.StoredSHA256 != "":
					t.Errorf("UID %d (lossless): stored_sha256 %q, want none", e.UID, e.StoredSHA256)
				case !lossy && sha256Hex(toCRLF(nil, data, "\n")) != e.SHA256:
					t.Errorf("UID %d (lossless): the file put back to CRLF does not have the server's SHA-256", e.UID)
				}
			}
			verifyClean(t, dir, acct)
			if format == FormatMbox {
				return
			}
			// One byte changed in each file: verify reports both.
			for _, e := range man.Messages {
				p := filepath.Join(box, e.File)
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				data[len(data)-3] ^= 0x01
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := Verify(ctx, client(t, acct), VerifyOptions{Dir: dir, Account: acct})
			if err != nil {
				t.Fatal(err)
			}
			changed := 0
			for _, d := range rep.Differences {
				if d.Kind == DiffFileChanged {
					changed++
				}
			}
			if changed != 2 {
				t.Errorf("after changing both files: differences %v, want 2 %s", rep.Differences, DiffFileChanged)
			}
		})
	}
}

// subjectOf returns the stored message's bytes as a string (enough to
// find its Subject).
func subjectOf(t *testing.T, format, box string, e *Entry) string {
	t.Helper()
	rc, err := openStored(format, box, e)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	return string(data)
}

// TestBackupCancelledMidMessage cancels a backup while a message is being
// written and holds the FETCH callback a moment longer, so that Fetch has
// returned (it does at once on cancellation) while the callback still
// runs: the run ends with the context's error, nothing is recorded for
// the unfinished message, and a rerun completes with verify --deep clean.
func TestBackupCancelledMidMessage(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	c := client(t, acct)
	if err := c.Create(context.Background(), "Cancel"); err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("a line of the body of a large message\r\n", 30000) // about 1.2 MB
	for i := range 3 {
		msg := fmt.Sprintf("From: a@example.org\r\nSubject: large %d\r\nMessage-ID: <large%d@example.org>\r\n\r\n%s", i, i, body)
		if _, err := c.Append(context.Background(), "Cancel", int64(len(msg)), strings.NewReader(msg), nil); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	for _, cancelAt := range []int{1, 20, 45} {
		ctx, cancel := context.WithCancel(context.Background())
		writes := 0
		opts := Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Cancel"}, BatchMessages: 2}
		opts.crashPoint = func(step string) {
			if step != "writing a message" {
				return
			}
			if writes++; writes == cancelAt {
				cancel()
				time.Sleep(50 * time.Millisecond) // Fetch returns meanwhile
			}
		}
		_, err := Run(ctx, opts)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled at write %d: Run = %v, want context.Canceled", cancelAt, err)
		}
	}
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Cancel"}})
	verifyClean(t, dir, acct)
	assertNoStrayFiles(t, dir)
}

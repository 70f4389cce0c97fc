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

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/testutil/fakeserver"
)

// Two messages as a server sends them (CRLF); the first is RFC 5322's
// appendix A.1.1 example.
var lateBodies = []string{
	"From: John Doe <jdoe@machine.example>\r\nTo: Mary Smith <mary@example.net>\r\nSubject: Saying Hello\r\n" +
		"Date: Fri, 21 Nov 1997 09:55:06 -0600\r\nMessage-ID: <1234@local.machine.example>\r\n\r\nThis is a message just to say hello.\r\n",
	"From: Mary Smith <mary@example.net>\r\nTo: John Doe <jdoe@machine.example>\r\nSubject: Re: Saying Hello\r\n" +
		"Date: Fri, 21 Nov 1997 10:01:10 -0600\r\nMessage-ID: <3456@example.net>\r\n\r\nThis is a reply to your hello.\r\n",
}

// The INTERNALDATEs the scripts send ("05-Mar-2024 10:11:12 +0200" and
// "06-Mar-2024 00:00:01 +0000").
var lateDates = []time.Time{
	time.Date(2024, 3, 5, 8, 11, 12, 0, time.UTC),
	time.Date(2024, 3, 6, 0, 0, 1, 0, time.UTC),
}

// literal is a FETCH response line ending in the announcement of body,
// the body, and the next line (the items after the body).
func literal(prefix, body, after string) string {
	return fmt.Sprintf("S: %sBODY[] {%d}\nraw: %q\nS: %s\n", prefix, len(body), body, after)
}

// lateServerScript is a server that puts UID, FLAGS and INTERNALDATE
// after the body of message 1, and sends message 2's FLAGS in a later
// FETCH response of its own; the second connection serves verify. (The
// script's "login" shorthand only fills the first connection, so the
// second spells its greeting and LOGIN out.)
func lateServerScript() string {
	b1, b2 := lateBodies[0], lateBodies[1]
	return `login
C: $tag LIST "" *
S: * LIST (\HasNoChildren) "/" INBOX
S: $tag OK LIST completed
C: $tag STATUS INBOX *
S: * STATUS INBOX (MESSAGES 2 UIDNEXT 9 UIDVALIDITY 42 UNSEEN 0)
S: $tag OK STATUS completed
C: $tag EXAMINE INBOX
S: * 2 EXISTS
S: * OK [UIDVALIDITY 42] UIDs valid
S: * OK [UIDNEXT 9] next
S: $tag OK [READ-ONLY] EXAMINE completed
C: $tag UID FETCH 1:* *
` + literal("* 1 FETCH (", b1, fmt.Sprintf(` UID 7 FLAGS (\Seen \Recent) INTERNALDATE "05-Mar-2024 10:11:12 +0200" RFC822.SIZE %d)`, len(b1))) +
		literal(fmt.Sprintf(`* 2 FETCH (UID 8 RFC822.SIZE %d INTERNALDATE "06-Mar-2024 00:00:01 +0000" `, len(b2)), b2, ")") +
		`S: * 2 FETCH (UID 8 FLAGS (\Flagged \Answered))
S: $tag OK UID FETCH completed
next-connection
S: * OK [CAPABILITY $caps] fake server ready
C: $tag LOGIN *
S: $tag OK [CAPABILITY $caps] logged in
C: $tag EXAMINE INBOX
S: * 2 EXISTS
S: * OK [UIDVALIDITY 42] UIDs valid
S: * OK [UIDNEXT 9] next
S: $tag OK [READ-ONLY] EXAMINE completed
C: $tag UID FETCH 1:* *
` + literal("* 1 FETCH (", b1, fmt.Sprintf(" UID 7 RFC822.SIZE %d)", len(b1))) +
		literal("* 2 FETCH (", b2, fmt.Sprintf(" RFC822.SIZE %d UID 8)", len(b2))) +
		"S: $tag OK UID FETCH completed\n"
}

// fakeAccount is an Account on a scripted fake server.
func fakeAccount(t *testing.T, script string) Account {
	t.Helper()
	s := fakeserver.StartT(t, script)
	return Account{
		Name: "user@fake", User: "user", Host: "127.0.0.1",
		Connect: func(ctx context.Context) (*imap.Client, error) {
			c, err := imap.Dial(ctx, s.Addr, imap.Options{TLS: imap.TLSNone})
			if err != nil {
				return nil, err
			}
			if err := c.Login(ctx, "user", "pass"); err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		},
	}
}

// inboxManifest returns the manifest of the backup's only mailbox folder.
func inboxManifest(t *testing.T, dir string, acct Account) (string, *Manifest) {
	t.Helper()
	acctDir, err := AccountDir(dir, acct)
	if err != nil {
		t.Fatal(err)
	}
	mbs, err := BackupMailboxes(acctDir)
	if err != nil || len(mbs) != 1 {
		t.Fatalf("BackupMailboxes = %v, %v; want INBOX", mbs, err)
	}
	man, err := readManifest(mbs[0].Dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return mbs[0].Dir, man
}

func TestBackupMetadataAfterBody(t *testing.T) {
	wantFlags := [][]string{{`\Seen`}, {`\Flagged`, `\Answered`}}
	wantLetters := []string{"S", "FR"}
	for _, format := range []string{FormatMaildir, FormatEML, FormatMbox} {
		// Batch 1 commits each message before message 2's late FLAGS come,
		// so they arrive as a flag change; the default batch amends the
		// pending message.
		for _, batch := range []int{0, 1} {
			t.Run(fmt.Sprintf("%s/batch%d", format, batch), func(t *testing.T) {
				acct := fakeAccount(t, lateServerScript())
				dir := t.TempDir()
				runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Format: format, BatchMessages: batch})
				mbDir, man := inboxManifest(t, dir, acct)
				if len(man.Messages) != 2 || man.Messages[7] == nil || man.Messages[8] == nil {
					t.Fatalf("manifest holds UIDs %v, want 7 and 8", sortedUIDs(man.Messages))
				}
				for i, uid := range []uint32{7, 8} {
					e := man.Messages[uid]
					if e.Size != int64(len(lateBodies[i])) || e.SHA256 != sha256Hex([]byte(lateBodies[i])) {
						t.Errorf("UID %d: size %d sha %s, want the literal's %d %s", uid, e.Size, e.SHA256, len(lateBodies[i]), sha256Hex([]byte(lateBodies[i])))
					}
					if !sameFlags(e.Flags, wantFlags[i]) {
						t.Errorf("UID %d: flags %q, want %q", uid, e.Flags, wantFlags[i])
					}
					if !e.InternalDate.Equal(lateDates[i]) {
						t.Errorf("UID %d: INTERNALDATE %v, want %v", uid, e.InternalDate, lateDates[i])
					}
					switch format {
					case FormatMaildir:
						name, err := output.ParseMaildirName(filepath.Base(e.File))
						if err != nil || name.UID != uid || name.Letters != wantLetters[i] || !strings.HasPrefix(e.File, "cur/") {
							t.Errorf("UID %d: file %s, want cur/...,U=%d,...:2,%s", uid, e.File, uid, wantLetters[i])
						}
					case FormatEML:
						if e.File != fmt.Sprint(uid)+".eml" {
							t.Errorf("UID %d: file %s, want %d.eml", uid, e.File, uid)
						}
					}
					if format != FormatMbox {
						info, err := os.Stat(filepath.Join(mbDir, e.File))
						if err != nil {
							t.Fatal(err)
						}
						if !info.ModTime().Equal(lateDates[i]) {
							t.Errorf("UID %d: mtime %v, want %v", uid, info.ModTime().UTC(), lateDates[i])
						}
					}
				}
				verifyClean(t, dir, acct)
			})
		}
	}
}

// A message whose UID never comes fails, named by its sequence number;
// the other is backed up.
func TestBackupMessageWithoutUIDFails(t *testing.T) {
	b1, b2 := lateBodies[0], lateBodies[1]
	script := `login
C: $tag LIST "" *
S: * LIST () "/" INBOX
S: $tag OK LIST completed
C: $tag STATUS INBOX *
S: * STATUS INBOX (MESSAGES 2 UIDNEXT 9 UIDVALIDITY 42 UNSEEN 0)
S: $tag OK STATUS completed
C: $tag EXAMINE INBOX
S: * 2 EXISTS
S: * OK [UIDVALIDITY 42] UIDs valid
S: * OK [UIDNEXT 9] next
S: $tag OK [READ-ONLY] EXAMINE completed
C: $tag UID FETCH 1:* *
` + literal("* 1 FETCH (", b1, ` FLAGS (\Seen))`) +
		literal("* 2 FETCH (", b2, ` UID 8 FLAGS (\Seen))`) +
		"S: $tag OK UID FETCH completed\n"
	for _, format := range []string{FormatMaildir, FormatEML, FormatMbox} {
		t.Run(format, func(t *testing.T) {
			acct := fakeAccount(t, script)
			dir := t.TempDir()
			sum, err := Run(context.Background(), Options{Dir: dir, Accounts: []Account{acct}, Format: format})
			var partial *PartialError
			if !errors.As(err, &partial) || len(partial.Failures) != 1 || !strings.Contains(partial.Failures[0].Error, "message 1") {
				t.Fatalf("Run = %v, want one failure naming message 1", err)
			}
			if sum.NewMessages != 1 {
				t.Errorf("%d new messages, want 1", sum.NewMessages)
			}
			mbDir, man := inboxManifest(t, dir, acct)
			if len(man.Messages) != 1 || man.Messages[8] == nil || man.Messages[8].SHA256 != sha256Hex([]byte(b2)) {
				t.Fatalf("manifest holds UIDs %v, want only 8", sortedUIDs(man.Messages))
			}
			// The message without UID is asked for again by the next run.
			if st, _, err := readState(mbDir); err != nil || st.LastUID != 0 {
				t.Errorf("state LastUID %d (%v), want 0: the missing message must be fetched again", st.LastUID, err)
			}
			index, err := readIndex(mbDir, false)
			if err != nil {
				t.Fatal(err)
			}
			next := (&mailboxSync{state: State{LastUID: 0}, index: index}).fetchSet(9)
			if next.String() != "1:7" {
				t.Errorf("next run fetches %s, want 1:7 (below UIDNEXT 9, all but the stored UID 8)", next.String())
			}
			if format != FormatMbox {
				files, err := messageFiles(format, mbDir)
				if err != nil || len(files) != 1 || len(files[8]) != 1 {
					t.Errorf("message files %v (%v), want UID 8's only", files, err)
				}
				if format == FormatMaildir {
					if tmp, _ := os.ReadDir(filepath.Join(mbDir, "tmp")); len(tmp) != 0 {
						t.Errorf("tmp/ holds %d files", len(tmp))
					}
				}
			}
		})
	}
}

// A restore into an account that holds the messages already matches them
// by Message-ID, size and SHA-256, also when the target server sends the
// UID after the body: nothing is uploaded.
func TestRestoreMatchesCopiesWithUIDAfterBody(t *testing.T) {
	acct := fakeAccount(t, lateServerScript())
	dir := t.TempDir()
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}})

	b1, b2 := lateBodies[0], lateBodies[1]
	h1, h2 := "Message-ID: <1234@local.machine.example>\r\n\r\n", "Message-ID: <3456@example.net>\r\n\r\n"
	target := `login
C: $tag LIST "" ""
S: * LIST (\Noselect) "/" ""
S: $tag OK LIST completed
C: $tag STATUS INBOX *
S: * STATUS INBOX (UIDVALIDITY 99 MESSAGES 2)
S: $tag OK STATUS completed
C: $tag EXAMINE INBOX
S: * 2 EXISTS
S: * OK [UIDVALIDITY 99] UIDs valid
S: $tag OK [READ-ONLY] EXAMINE completed
C: $tag UID FETCH 1:* *
` + fmt.Sprintf("S: * 1 FETCH (BODY[HEADER.FIELDS (MESSAGE-ID)] {%d}\nraw: %q\nS:  UID 3 RFC822.SIZE %d)\n", len(h1), h1, len(b1)) +
		fmt.Sprintf("S: * 2 FETCH (BODY[HEADER.FIELDS (MESSAGE-ID)] {%d}\nraw: %q\nS:  RFC822.SIZE %d UID 4)\n", len(h2), h2, len(b2)) +
		"S: $tag OK UID FETCH completed\n" +
		// Both messages' candidates in one UID FETCH (restore looks for a
		// batch of messages at a time).
		"C: $tag UID FETCH 3:4 *\n" + literal("* 1 FETCH (", b1, " UID 3)") + literal("* 2 FETCH (", b2, " UID 4)") +
		"S: $tag OK UID FETCH completed\n"
	to := fakeAccount(t, target)
	c, err := to.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sum, err := Restore(context.Background(), c, RestoreOptions{Dir: dir, Account: acct, Target: "user@target", Journal: filepath.Join(t.TempDir(), "journal.jsonl")})
	if err != nil {
		t.Fatalf("Restore = %v", err)
	}
	if sum.Uploaded != 0 || sum.Skipped != 2 {
		t.Errorf("Restore uploaded %d, skipped %d; want 0 and 2 (both already there)", sum.Uploaded, sum.Skipped)
	}
}

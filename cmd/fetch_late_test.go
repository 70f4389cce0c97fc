package cmd

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/testutil/fakeserver"
)

// lateBody is the message the scripted servers send (RFC 5322 A.1.1),
// with CRLF as on the wire.
const lateBody = "From: John Doe <jdoe@machine.example>\r\n" +
	"To: Mary Smith <mary@example.net>\r\n" +
	"Subject: Saying Hello\r\n" +
	"Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n" +
	"Message-ID: <1234@local.machine.example>\r\n" +
	"\r\n" +
	"This is a message just to say hello.\r\n"

// lateInternalDate is the INTERNALDATE the scripts send, as RFC 3501's
// date-time "05-Mar-2024 10:11:12 +0200" reads.
var lateInternalDate = time.Date(2024, 3, 5, 8, 11, 12, 0, time.UTC)

// bodyLiteral is a FETCH response line announcing lateBody, the literal
// itself and, at the start of the next line, the items after the body.
func bodyLiteral(prefix, after string) string {
	return fmt.Sprintf("S: %sBODY[] {%d}\nraw: %q\nS: %s\n", prefix, len(lateBody), lateBody, after)
}

// examine is a script's answer to EXAMINE INBOX with one message.
const examineOne = `login
C: $tag EXAMINE INBOX
S: * 1 EXISTS
S: * OK [UIDVALIDITY 42] UIDs valid
S: * OK [UIDNEXT 8] next
S: $tag OK [READ-ONLY] EXAMINE completed
`

// startScript runs a fake server and returns the environment that points
// imapctl at it.
func startScript(t *testing.T, script string) (*fakeserver.Server, map[string]string) {
	t.Helper()
	s := fakeserver.StartT(t, script)
	host, port, _ := net.SplitHostPort(s.Addr)
	return s, map[string]string{"IMAPCTL_HOST": host, "IMAPCTL_PORT": port, "IMAPCTL_TLS": "none",
		"IMAPCTL_USER": "user", "IMAPCTL_PASSWORD": "pass"}
}

// lateScripts are servers that send a message's UID, FLAGS and
// INTERNALDATE after its body (RFC 3501 §7.4.2 allows any order).
var lateScripts = map[string]string{
	// Everything after the body, in one response.
	"after body": examineOne + "C: $tag UID FETCH 7 *\n" +
		bodyLiteral("* 1 FETCH (", fmt.Sprintf(` UID 7 FLAGS (\Seen) INTERNALDATE "05-Mar-2024 10:11:12 +0200" RFC822.SIZE %d)`, len(lateBody))) +
		"S: $tag OK UID FETCH completed\n",
	// FLAGS in a later untagged FETCH of its own, with the UID.
	"flags later": examineOne + "C: $tag UID FETCH 7 *\n" +
		bodyLiteral(`* 1 FETCH (UID 7 INTERNALDATE "05-Mar-2024 10:11:12 +0200" `, ")") +
		"S: * 1 FETCH (UID 7 FLAGS (\\Seen))\n" +
		"S: $tag OK UID FETCH completed\n",
	// FLAGS later without UID: a unilateral flag update (§7.4.1).
	"flags later, unilateral": examineOne + "C: $tag UID FETCH 7 *\n" +
		bodyLiteral(`* 1 FETCH (UID 7 `, ` INTERNALDATE "05-Mar-2024 10:11:12 +0200")`) +
		"S: * 1 FETCH (FLAGS (\\Seen))\n" +
		"S: $tag OK UID FETCH completed\n",
}

func TestFetchMaildirWithMetadataAfterBody(t *testing.T) {
	for name, script := range lateScripts {
		t.Run(name, func(t *testing.T) {
			_, env := startScript(t, script)
			dir := filepath.Join(t.TempDir(), "md")
			code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "maildir", "INBOX", "7")
			if code != ExitOK {
				t.Fatalf("fetch = %d, %s", code, errOut)
			}
			entries, _ := os.ReadDir(filepath.Join(dir, "cur"))
			if len(entries) != 1 {
				news, _ := os.ReadDir(filepath.Join(dir, "new"))
				t.Fatalf("cur/ holds %d files (new/ %d), want 1", len(entries), len(news))
			}
			base := entries[0].Name()
			parsed, err := output.ParseMaildirName(base)
			if err != nil {
				t.Fatal(err)
			}
			if parsed.UID != 7 || !strings.Contains(base, ",U=7,") || !strings.HasSuffix(base, ":2,S") {
				t.Errorf("name %s: want ,U=7 and :2,S", base)
			}
			path := filepath.Join(dir, "cur", base)
			data, _ := os.ReadFile(path)
			if string(data) != lateBody {
				t.Errorf("file holds %q, want the literal %q", data, lateBody)
			}
			info, _ := os.Stat(path)
			if !info.ModTime().Equal(lateInternalDate) {
				t.Errorf("mtime %v, want INTERNALDATE %v", info.ModTime().UTC(), lateInternalDate)
			}
			if tmp, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(tmp) != 0 {
				t.Errorf("tmp/ holds %d files", len(tmp))
			}
		})
	}
}

func TestFetchEMLNamedByUIDAfterBody(t *testing.T) {
	for name, script := range lateScripts {
		t.Run(name, func(t *testing.T) {
			_, env := startScript(t, script)
			dir := filepath.Join(t.TempDir(), "eml")
			code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "eml", "INBOX", "7")
			if code != ExitOK {
				t.Fatalf("fetch = %d, %s", code, errOut)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 || entries[0].Name() != "7.eml" {
				t.Fatalf("folder holds %v, want [7.eml]", entries)
			}
			info, _ := os.Stat(filepath.Join(dir, "7.eml"))
			if !info.ModTime().Equal(lateInternalDate) {
				t.Errorf("mtime %v, want %v", info.ModTime().UTC(), lateInternalDate)
			}
		})
	}
}

// The mboxrd stream's "From " line comes before the body: with the
// INTERNALDATE only after it, the line is dated by the Date header field
// (Fri, 21 Nov 1997 09:55:06 -0600 is 15:55:06 UTC).
func TestFetchMboxStreamDatedByHeaderWhenInternalDateIsLate(t *testing.T) {
	script := examineOne + "C: $tag UID FETCH 1:* *\n" +
		bodyLiteral("* 1 FETCH (", ` UID 7 FLAGS (\Seen) INTERNALDATE "05-Mar-2024 10:11:12 +0200")`) +
		"S: $tag OK UID FETCH completed\n"
	_, env := startScript(t, script)
	code, out, errOut := runTest(t, env, "fetch", "INBOX")
	if code != ExitOK {
		t.Fatalf("fetch = %d, %s", code, errOut)
	}
	want := "From MAILER-DAEMON Fri Nov 21 15:55:06 1997\n" + strings.ReplaceAll(lateBody, "\r\n", "\n") + "\n"
	if out != want {
		t.Errorf("stdout\n%q\nwant\n%q", out, want)
	}
}

// A message whose UID never comes in a UID FETCH response fails, named by
// its sequence number (exit 6); the others are stored.
func TestFetchMessageWithoutUIDFails(t *testing.T) {
	script := `login
C: $tag EXAMINE INBOX
S: * 2 EXISTS
S: * OK [UIDVALIDITY 42] UIDs valid
S: $tag OK [READ-ONLY] EXAMINE completed
C: $tag UID FETCH 7:8 *
` + bodyLiteral("* 1 FETCH (", ` FLAGS (\Seen))`) +
		bodyLiteral("* 2 FETCH (", ` UID 8 FLAGS (\Seen))`) +
		"S: $tag OK UID FETCH completed\n"
	for _, format := range []string{"maildir", "eml"} {
		t.Run(format, func(t *testing.T) {
			_, env := startScript(t, script)
			dir := filepath.Join(t.TempDir(), "out")
			code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", format, "INBOX", "7:8")
			if code != ExitPartial {
				t.Fatalf("fetch = %d, want %d; stderr %s", code, ExitPartial, errOut)
			}
			if !strings.Contains(errOut, "message 1") || !strings.Contains(errOut, "without its UID") {
				t.Errorf("stderr %q does not name message 1 and its missing UID", errOut)
			}
			names := storedFiles(dir)
			if len(names) != 1 {
				t.Fatalf("files %q, want only UID 8's", names)
			}
			if format == "eml" && names[0] != "8.eml" {
				t.Errorf("file %s, want 8.eml", names[0])
			}
			if format == "maildir" && !strings.Contains(names[0], ",U=8,") {
				t.Errorf("file %s, want ,U=8", names[0])
			}
		})
	}
}

// fetch --format mbox appends the message; its "From " line is dated by
// the Date header field since INTERNALDATE comes after the body.
func TestFetchMboxFileWithMetadataAfterBody(t *testing.T) {
	_, env := startScript(t, lateScripts["after body"])
	path := filepath.Join(t.TempDir(), "out.mbox")
	code, _, errOut := runTest(t, env, "fetch", "--out", path, "--format", "mbox", "INBOX", "7")
	if code != ExitOK {
		t.Fatalf("fetch = %d, %s", code, errOut)
	}
	data, _ := os.ReadFile(path)
	want := "From MAILER-DAEMON Fri Nov 21 15:55:06 1997\n" + strings.ReplaceAll(lateBody, "\r\n", "\n") + "\n"
	if string(data) != want {
		t.Errorf("mbox holds\n%q\nwant\n%q", data, want)
	}
}

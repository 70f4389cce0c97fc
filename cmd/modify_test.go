package cmd

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

func TestAppendRoundTrip(t *testing.T) {
	s := startTestServer(t)
	path := "../testdata/corpus/dkimpy/test2.eml"
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := s.run(t, nil, "append", "--flags", `\Seen,$Label1`, "Drafts", path)
	if code != ExitOK {
		t.Fatalf("append = %d, %q", code, errOut)
	}
	uid := strings.TrimSpace(out)
	if _, err := strconv.Atoi(uid); err != nil {
		t.Fatalf("append printed %q, want an APPENDUID", out)
	}
	// What the server stored is the file with CRLF line endings.
	code, got, _ := s.run(t, nil, "fetch", "--policy", crlfRaw, "Drafts", uid)
	if code != ExitOK || got != string(crlf(file)) {
		t.Errorf("fetched message equal to the appended file with CRLF: %v (exit %d)", got == string(crlf(file)), code)
	}
	// The internal date is the Date header's.
	msg, err := mail.ReadMessage(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := msg.Header.Date()
	_, items, _ := s.run(t, nil, "fetch", "--items", "INTERNALDATE FLAGS", "Drafts", uid)
	var line fetchedItems
	if err := json.Unmarshal([]byte(items), &line); err != nil {
		t.Fatalf("%q: %v", items, err)
	}
	if d, err := time.Parse(time.RFC3339, line.InternalDate); err != nil || !d.Equal(want) {
		t.Errorf("INTERNALDATE = %s, want the Date header %s", line.InternalDate, want)
	}
	if line.Flags == nil || !strings.Contains(strings.ToLower(strings.Join(*line.Flags, " ")), `\seen`) {
		t.Errorf("flags = %v, want \\Seen", line.Flags)
	}
}

func TestAppendMboxFromStdin(t *testing.T) {
	s := startTestServer(t)
	a := "From: a@example.org\nSubject: one\n\nfirst\n>From the start\n"
	b := "From: b@example.org\nSubject: two\n\nsecond\n"
	mbox := "From a@example.org Mon Jan  1 00:00:00 2024\n" + a + "\nFrom b@example.org Mon Jan  1 00:00:00 2024\n" + b
	code, out, errOut := s.runStdin(t, []byte(mbox), "append", "Drafts", "-")
	if code != ExitOK || strings.Count(out, "\n") != 2 {
		t.Fatalf("append (mbox on stdin) = %d, %q, %q", code, out, errOut)
	}
	uids := strings.Fields(out)
	// mboxrd: ">From " loses one ">" when read back.
	for i, want := range []string{strings.Replace(a, ">From", "From", 1), b} {
		_, got, _ := s.run(t, nil, "fetch", "--policy", crlfRaw, "Drafts", uids[i])
		if got != string(crlf([]byte(want))) {
			t.Errorf("message %d = %q, want %q", i+1, got, crlf([]byte(want)))
		}
	}
}

func TestAppendUnreadableFileExits2(t *testing.T) {
	s := startTestServer(t)
	before := len(s.messagesIn("Drafts"))
	missing := filepath.Join(t.TempDir(), "missing.eml")
	code, out, errOut := s.run(t, nil, "append", "Drafts", "../testdata/corpus/dkimpy/test2.eml", missing)
	if code != ExitUsage || out != "" || strings.Count(errOut, "\n") != 1 {
		t.Errorf("append with a missing file = %d, %q, %q; want 2", code, out, errOut)
	}
	_, st, _ := s.run(t, nil, "status", "Drafts", "MESSAGES")
	if st != "messages: "+strconv.Itoa(before)+"\n" {
		t.Errorf("after a refused append, status = %q; want %d messages (nothing sent)", st, before)
	}
}

func TestStoreCopyMoveExpunge(t *testing.T) {
	s := startTestServer(t)
	msgs := s.messagesIn("INBOX")
	u1, u2 := strconv.Itoa(int(msgs[0].UID)), strconv.Itoa(int(msgs[1].UID))

	code, out, errOut := s.run(t, nil, "store", "INBOX", u1+","+u2, "--add", `\Flagged`)
	if code != ExitOK || strings.Count(out, `\Flagged`) != 2 {
		t.Fatalf("store --add = %d %q %q", code, out, errOut)
	}
	if _, found, _ := s.run(t, nil, "search", "INBOX", "UID", u1+","+u2, "FLAGGED"); found != u1+"\n"+u2+"\n" {
		t.Errorf("server's FLAGGED after store = %q", found)
	}

	code, _, errOut = s.run(t, nil, "copy", "INBOX", u1+","+u2, "Fresh")
	if code != ExitServer || !strings.Contains(errOut, "imapctl: hint: add --create") {
		t.Errorf("copy to a missing mailbox = %d %q; want 5 with a hint", code, errOut)
	}
	code, out, errOut = s.run(t, nil, "copy", "--create", "INBOX", u1+","+u2, "Fresh")
	if code != ExitOK {
		t.Fatalf("copy --create = %d %q", code, errOut)
	}
	if out != "" && strings.Count(out, "\n") != 2 {
		t.Errorf("copy printed %q, want two COPYUID pairs", out)
	}
	if _, st, _ := s.run(t, nil, "status", "Fresh", "MESSAGES"); st != "messages: 2\n" {
		t.Errorf("status Fresh = %q after copying 2", st)
	}

	if code, _, errOut := s.run(t, nil, "copy", "--move", "INBOX", u1, "Fresh"); code != ExitOK {
		t.Fatalf("copy --move = %d %q", code, errOut)
	}
	if _, found, _ := s.run(t, nil, "search", "INBOX", "UID", u1); found != "" {
		t.Errorf("UID %s still in INBOX after --move", u1)
	}

	s.run(t, nil, "store", "--silent", "INBOX", u2, "--add", `\Deleted`)
	if code, _, errOut := s.run(t, nil, "expunge", "--uid", u2, "INBOX"); code != ExitOK {
		t.Fatalf("expunge --uid = %d %q", code, errOut)
	}
	if _, found, _ := s.run(t, nil, "search", "INBOX", "UID", u2); found != "" {
		t.Errorf("UID %s still in INBOX after expunge", u2)
	}
}

func TestModifyBadInputExits2(t *testing.T) {
	s := startTestServer(t)
	for _, args := range [][]string{
		{"store", "INBOX", "1:x", "--add", `\Seen`},
		{"store", "INBOX", "1", "--add", "bad(flag"},
		{"store", "INBOX", "1", "--add", `\Seen`, "--remove", `\Seen`},
		{"store", "INBOX", "1", "--add"},
		{"copy", "INBOX", "0", "Trash"},
		{"expunge", "--uid", "x", "INBOX"},
		{"append", "--date", "soon", "Drafts", "../testdata/corpus/dkimpy/test2.eml"},
		{"append", "--flags", "a b(", "Drafts", "../testdata/corpus/dkimpy/test2.eml"},
	} {
		code, out, errOut := s.run(t, nil, args...)
		if code != ExitUsage || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q = %d, %q, %q; want 2 and one line", args, code, out, errOut)
		}
	}
}

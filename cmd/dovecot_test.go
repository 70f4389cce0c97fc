package cmd

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

// startDovecotUser starts a private Dovecot (the test skips without one,
// and fails under CI=true) and returns it with the environment that logs
// imapctl in as a new user of it over TLS.
func startDovecotUser(t *testing.T) (*dovecot.Server, map[string]string) {
	t.Helper()
	if err := dovecot.Available(); err != nil {
		dovecot.SkipOrFail(t, err)
	}
	d := dovecot.Start(t)
	user := d.NewUser(t)
	return d, map[string]string{
		"IMAPCTL_HOST": d.Host, "IMAPCTL_PORT": itoa64(int64(d.TLSPort)), "IMAPCTL_CA_FILE": d.CAFile,
		"IMAPCTL_USER": user.Name, "IMAPCTL_PASSWORD": user.Password,
	}
}

// mustRun returns a function that runs imapctl with env, fails the test
// unless it exits 0, and returns its stdout.
func mustRun(t *testing.T, env map[string]string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		code, out, errOut := runTest(t, env, args...)
		if code != ExitOK {
			t.Fatalf("%q = %d, stderr %q", args, code, errOut)
		}
		return out
	}
}

// TestDovecotRoundTrip runs the main job against Dovecot: a non-ASCII
// mailbox, append, select (CONDSTORE), a UTF-8 search, fetch, move.
func TestDovecotRoundTrip(t *testing.T) {
	d, env := startDovecotUser(t)
	box := "Entwürfe" + d.Separator + "Überblick"
	must := mustRun(t, env)
	must("create", box)
	if out := must("list", "Entwürfe*"); !strings.Contains(out, box+"\n") {
		t.Errorf("list = %q, want %q", out, box)
	}
	msg := "From: Jürgen <j@example.org>\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nDate: Tue, 02 Jan 2024 10:00:00 +0100\n\nGrüße aus Zürich\n"
	path := t.TempDir() + "/msg.eml"
	if err := os.WriteFile(path, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	uid := strings.TrimSpace(must("append", box, path))
	if uid != "1" {
		t.Errorf("append printed %q, want APPENDUID 1 in a new mailbox", uid)
	}
	var mb selectedMailbox
	if err := json.Unmarshal([]byte(must("select", "--json", box)), &mb); err != nil {
		t.Fatal(err)
	}
	if mb.Exists != 1 || mb.UIDNext != 2 || mb.HighestModSeq == 0 {
		t.Errorf("select = %+v; want 1 message, uidnext 2 and a HIGHESTMODSEQ (CONDSTORE)", mb)
	}
	if out := must("search", box, "BODY", "Zürich"); out != "1\n" {
		t.Errorf("search BODY Zürich (CHARSET UTF-8) = %q, want 1", out)
	}
	if out := must("search", "--count", box, "--since", "2000-01-01"); out != "1\n" {
		t.Errorf("search --count = %q", out)
	}
	if out := must("fetch", "--policy", crlfRaw, box, "1"); out != string(crlf([]byte(msg))) {
		t.Errorf("fetch = %q, want the appended message with CRLF", out)
	}
	must("copy", "--move", "--create", box, "1", "Archiv")
	if out := must("status", "Archiv", "MESSAGES"); out != "messages: 1\n" {
		t.Errorf("status Archiv = %q after the move", out)
	}
	if out := must("status", box, "MESSAGES"); out != "messages: 0\n" {
		t.Errorf("status %s = %q after the move", box, out)
	}
	must("delete", box)
}

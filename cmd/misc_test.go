package cmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

func TestNamespaceAndRaw(t *testing.T) {
	s := startTestServer(t)
	code, out, errOut := s.run(t, nil, "namespace")
	if code != ExitOK || !strings.HasPrefix(out, `personal "" "/"`) {
		t.Errorf("namespace = %d %q %q", code, out, errOut)
	}
	m := s.messagesIn("INBOX")[0]
	code, out, errOut = s.run(t, nil, "raw", "--select", "INBOX", "UID FETCH 1 (RFC822.SIZE)")
	want := "RFC822.SIZE " + itoa64(m.Size) + ")"
	if code != ExitOK || !strings.Contains(out, want) || !strings.Contains(out, " OK ") {
		t.Errorf("raw UID FETCH = %d %q %q; want %q", code, out, errOut, want)
	}
	code, out, _ = s.run(t, nil, "raw", "BOGUS x")
	if code != ExitServer || !strings.Contains(out, "BAD") {
		t.Errorf("raw BOGUS = %d %q; want 5 and the BAD line", code, out)
	}
	if code, _, _ := s.run(t, nil, "raw", "NOOP\r\nA1 LOGOUT"); code != ExitUsage {
		t.Errorf("raw with CRLF = %d, want 2", code)
	}
	if code, _, _ := s.run(t, nil, "raw", "CREATE {5}"); code != ExitUsage {
		t.Errorf("raw ending in a literal = %d, want 2", code)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func TestManWritesPages(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runTest(t, nil, "--quiet", "man", dir)
	if code != ExitOK {
		t.Fatalf("man = %d %q", code, errOut)
	}
	for _, page := range []string{"imapctl.1", "imapctl-fetch.1", "imapctl-acl-get.1"} {
		data, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil || !strings.HasPrefix(string(data), ".TH ") {
			t.Errorf("%s: %v, starts %q", page, err, string(data[:min(len(data), 20)]))
		}
	}
}

// TestDovecotQuotaACLAndTLS runs what go-imap's server lacks against a
// private Dovecot: QUOTA, ACL, implicit TLS with a CA file, STARTTLS.
func TestDovecotQuotaACLAndTLS(t *testing.T) {
	if err := dovecot.Available(); err != nil {
		dovecot.SkipOrFail(t, err)
	}
	d := dovecot.Start(t, dovecot.All())
	env := map[string]string{
		"IMAPCTL_HOST": d.Host, "IMAPCTL_PORT": itoa64(int64(d.TLSPort)), "IMAPCTL_CA_FILE": d.CAFile,
		"IMAPCTL_USER": dovecot.Carol.Name, "IMAPCTL_PASSWORD": dovecot.Carol.Password,
	}
	code, out, errOut := runTest(t, env, "quota")
	if code != ExitOK || !strings.Contains(out, "STORAGE 0 102400") {
		t.Errorf("quota = %d %q %q; want STORAGE 0 of 102400 KiB (100 MB)", code, out, errOut)
	}
	code, out, errOut = runTest(t, env, "acl", "myrights", "INBOX")
	if code != ExitOK || !strings.Contains(out, "l") || !strings.Contains(out, "r") {
		t.Errorf("acl myrights = %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runTest(t, env, "acl", "set", "INBOX", dovecot.Bob.Name, "lr"); code != ExitOK {
		t.Errorf("acl set = %d %q", code, errOut)
	}
	code, out, _ = runTest(t, env, "acl", "get", "INBOX")
	if code != ExitOK || !strings.Contains(out, dovecot.Bob.Name+" lr\n") {
		t.Errorf("acl get = %d %q; want bob lr", code, out)
	}
	if code, _, errOut := runTest(t, env, "acl", "delete", "INBOX", dovecot.Bob.Name); code != ExitOK {
		t.Errorf("acl delete = %d %q", code, errOut)
	}
	// STARTTLS on the plain port; the non-ASCII password works.
	starttls := map[string]string{}
	for k, v := range env {
		starttls[k] = v
	}
	starttls["IMAPCTL_TLS"], starttls["IMAPCTL_PORT"] = "starttls", itoa64(int64(d.PlainPort))
	if code, out, errOut := runTest(t, starttls, "list", "INBOX"); code != ExitOK || out != "INBOX\n" {
		t.Errorf("list over STARTTLS = %d %q %q", code, out, errOut)
	}
	// Without the CA file the certificate is unknown: exit 4 with a hint.
	delete(env, "IMAPCTL_CA_FILE")
	code, out, errOut = runTest(t, env, "list")
	if code != ExitConnection || out != "" || !strings.Contains(errOut, "imapctl: hint: ") {
		t.Errorf("list without the CA = %d %q %q; want 4 with a hint", code, out, errOut)
	}
}

// TestDovecotAuthMechanisms logs in with each mechanism Dovecot offers,
// with a non-ASCII password, and checks that a wrong one exits 3.
func TestDovecotAuthMechanisms(t *testing.T) {
	if err := dovecot.Available(); err != nil {
		dovecot.SkipOrFail(t, err)
	}
	d := dovecot.Start(t)
	for _, mech := range []string{"", "login", "plain", "cram-md5"} {
		env := map[string]string{
			"IMAPCTL_HOST": d.Host, "IMAPCTL_PORT": itoa64(int64(d.TLSPort)), "IMAPCTL_CA_FILE": d.CAFile,
			"IMAPCTL_USER": dovecot.Carol.Name, "IMAPCTL_PASSWORD": dovecot.Carol.Password, "IMAPCTL_AUTH": mech,
		}
		if code, out, errOut := runTest(t, env, "list", "INBOX"); code != ExitOK || out != "INBOX\n" {
			t.Errorf("--auth %q: list = %d %q %q", mech, code, out, errOut)
		}
		env["IMAPCTL_PASSWORD"] = "not-" + dovecot.Carol.Password
		code, out, errOut := runTest(t, env, "list", "INBOX")
		if code != ExitAuth || out != "" || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, env["IMAPCTL_PASSWORD"]) {
			t.Errorf("--auth %q with a wrong password = %d %q %q; want 3, one line, no password", mech, code, out, errOut)
		}
	}
}

func TestRawFetchRendersEnvelopeAndStructure(t *testing.T) {
	s := startTestServer(t)
	m := s.messagesIn("INBOX")[0]
	uid := strconv.Itoa(int(m.UID))
	code, out, errOut := s.run(t, nil, "raw", "--select", "INBOX", "UID FETCH "+uid+" (ENVELOPE BODYSTRUCTURE)")
	if code != ExitOK || !strings.Contains(out, "ENVELOPE (") || !strings.Contains(out, "BODYSTRUCTURE (") {
		t.Errorf("raw UID FETCH ENVELOPE BODYSTRUCTURE = %d %q %q", code, out, errOut)
	}
	if got := quoted("a \"b\" \\ c\r\nü"); got != `"a \"b\" \\ c`+"\uFFFD\uFFFD"+`ü"` {
		t.Errorf("quoted = %s", got)
	}
}

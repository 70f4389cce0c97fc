package cmd

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/backup"
	"github.com/imapctl/imapctl/internal/testutil/fakeserver"
)

// checkConfig writes a config file with one account per fake server, each
// with its TLS mode, and returns the environment that uses it.
func checkConfig(t *testing.T, accounts map[string]string, servers map[string]*fakeserver.Server) map[string]string {
	t.Helper()
	var b strings.Builder
	b.WriteString("accounts:\n")
	for name, tlsMode := range accounts {
		host, port, _ := net.SplitHostPort(servers[name].Addr)
		b.WriteString("  " + name + ":\n    host: " + host + "\n    port: " + port + "\n    tls: " + tlsMode + "\n    user: user\n")
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"IMAPCTL_CONFIG": path, "IMAPCTL_PASSWORD": "pass"}
}

// A STARTTLS failure is an unreachable account, like any TLS failure
// (check --help: "4 some account unreachable (connection or TLS
// failure)"; RFC 3501 §6.2.1: no TLS, no session), whether the server
// does not offer STARTTLS or answers it NO. With one such account and one
// whose password is refused, 4 wins over 3.
func TestCheckStartTLSFailureIsUnreachable(t *testing.T) {
	servers := map[string]*fakeserver.Server{
		"nostarttls": fakeserver.StartT(t, "S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\n"),
		"refused": fakeserver.StartT(t, `S: * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi
C: $tag STARTTLS
S: $tag NO TLS not available
`),
		"wrongpass": fakeserver.StartT(t, `S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi
C: $tag LOGIN *
S: $tag NO [AUTHENTICATIONFAILED] Authentication failed.
`),
	}
	env := checkConfig(t, map[string]string{"nostarttls": "starttls", "refused": "starttls", "wrongpass": "none"}, servers)

	code, out, errOut := runTest(t, env, "check", "--json", "--account", "nostarttls", "--account", "refused")
	if code != ExitConnection {
		t.Errorf("check of two accounts failing STARTTLS = %d (%q), want %d", code, errOut, ExitConnection)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	for range 2 {
		var r backup.CheckResult
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("check --json output %q: %v", out, err)
		}
		if r.Status != backup.CheckUnreachable {
			t.Errorf("check of %s: status %q (%s), want %q", r.Account, r.Status, r.Error, backup.CheckUnreachable)
		}
	}

	code, _, errOut = runTest(t, env, "check", "--account", "nostarttls", "--account", "wrongpass")
	if code != ExitConnection {
		t.Errorf("check of an account without STARTTLS and one with a wrong password = %d (%q), want %d (4 wins over 3)", code, errOut, ExitConnection)
	}
}

// The final error line of check names the account once and says
// "authentication failed" once.
func TestCheckAuthFailureMessage(t *testing.T) {
	servers := map[string]*fakeserver.Server{
		"b": fakeserver.StartT(t, `S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi
C: $tag LOGIN *
S: $tag NO [AUTHENTICATIONFAILED] Authentication failed.
`),
	}
	env := checkConfig(t, map[string]string{"b": "none"}, servers)
	code, _, errOut := runTest(t, env, "check", "--account", "b")
	if code != ExitAuth {
		t.Fatalf("check with a wrong password = %d (%q), want %d", code, errOut, ExitAuth)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "imapctl: authentication failed: b: ") || strings.Count(last, "authentication failed") != 1 {
		t.Errorf("last stderr line = %q, want \"imapctl: authentication failed: b: ...\" saying it once", last)
	}
}

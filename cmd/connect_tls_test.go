package cmd

import (
	"path/filepath"
	"strings"
	"testing"
)

// With --tls starttls a PREAUTH greeting in clear is refused (RFC 3501
// §6.2.1: STARTTLS is valid only before authentication; RFC 2595 §3.1):
// exit 4 like every STARTTLS failure, and neither STARTTLS nor a LOGIN
// reaches the server.
func TestStartTLSRefusesPreauthGreeting(t *testing.T) {
	s, env := startScript(t, "S: * PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] hi\n")
	env["IMAPCTL_TLS"] = "starttls"
	code, _, errOut := runTest(t, env, "list")
	if code != ExitConnection {
		t.Errorf("list after a PREAUTH greeting with --tls starttls = %d (%q), want %d", code, errOut, ExitConnection)
	}
	if got := s.Transcript(); got != "" {
		t.Errorf("the server received:\n%s\nwant nothing", got)
	}
	if !strings.Contains(errOut, "PREAUTH") {
		t.Errorf("stderr = %q, want it to say the server sent PREAUTH", errOut)
	}
}

// A server that says LOGINDISABLED and does not list AUTH=PLAIN (Dovecot
// with disable_plaintext_auth on a cleartext connection) gets no
// AUTHENTICATE PLAIN with --auth plain: RFC 3501 §6.2.2 has the server
// list the mechanisms it takes as AUTH=<mech>, and the password would go
// in clear as the SASL-IR initial response (RFC 4959). Refused locally,
// exit 3 like LOGIN under LOGINDISABLED.
func TestAuthUnadvertisedMechanismRefused(t *testing.T) {
	s, env := startScript(t, `S: * OK [CAPABILITY IMAP4rev1 LOGINDISABLED SASL-IR] x
C: $tag AUTHENTICATE *
S: $tag NO no
`)
	env["IMAPCTL_AUTH"] = "plain"
	code, _, errOut := runTest(t, env, "select", "INBOX")
	if code != ExitAuth {
		t.Errorf("select with --auth plain, no AUTH=PLAIN = %d (%q), want %d", code, errOut, ExitAuth)
	}
	if got := s.Transcript(); strings.Contains(got, "AUTHENTICATE") {
		t.Errorf("the server received:\n%s\nwant no AUTHENTICATE", got)
	}
	if !strings.Contains(errOut, "AUTH=PLAIN") {
		t.Errorf("stderr = %q, want it to name AUTH=PLAIN", errOut)
	}
	// LOGIN is refused the same way under LOGINDISABLED.
	s, env = startScript(t, "S: * OK [CAPABILITY IMAP4rev1 LOGINDISABLED SASL-IR] x\n")
	env["IMAPCTL_AUTH"] = "login"
	if code, _, errOut := runTest(t, env, "select", "INBOX"); code != ExitAuth || s.Transcript() != "" {
		t.Errorf("select with --auth login under LOGINDISABLED = %d (%q), server got %q; want %d and nothing sent", code, errOut, s.Transcript(), ExitAuth)
	}
}

// password_cmd runs before imapctl connects, so that a slow one (a GPG
// pinentry prompt waiting for a human) does not hold an open connection
// the server may drop. The command fails if the server has already seen
// a connection: the script's first step, on accepting it, creates a file.
func TestSecretCmdRunsBeforeDialing(t *testing.T) {
	connected := filepath.Join(t.TempDir(), "connected")
	s, env := startScript(t, "mark: "+connected+"\nlogin\n")
	env["IMAPCTL_PASSWORD"] = ""
	env["IMAPCTL_PASSWORD_CMD"] = "test ! -e '" + connected + "' && echo pass"
	code, _, errOut := runTest(t, env, "raw", "NOOP")
	if !strings.Contains(s.Transcript(), "LOGIN user pass") {
		t.Errorf("raw NOOP with a password_cmd = %d (%q); the server got:\n%s\nwant LOGIN user pass", code, errOut, s.Transcript())
	}
}

// A PREAUTH server needs no password: having none is no error.
func TestPreauthNeedsNoPassword(t *testing.T) {
	s, env := startScript(t, `S: * PREAUTH [CAPABILITY IMAP4rev1] hi
C: $tag NOOP
S: $tag OK done
`)
	env["IMAPCTL_PASSWORD"] = ""
	if code, _, errOut := runTest(t, env, "raw", "NOOP"); code != ExitOK {
		t.Errorf("raw NOOP on a PREAUTH server without a password = %d (%q); the server got:\n%s", code, errOut, s.Transcript())
	}
}

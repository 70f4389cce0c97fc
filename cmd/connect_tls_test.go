package cmd

import (
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

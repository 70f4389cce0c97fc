package cmd

import (
	"strings"
	"testing"
)

// TestStatusWithoutDataExits5: a server that completes STATUS with OK but
// sends no STATUS response for the mailbox breaks RFC 3501 §6.3.10. That
// is the server's fault (exit 5), not an internal error of imapctl (1).
func TestStatusWithoutDataExits5(t *testing.T) {
	s, env := startScript(t, "login\n"+
		"C: $tag STATUS INBOX *\nS: * STATUS Other (MESSAGES 5)\nS: $tag OK STATUS completed\n"+
		"C: $tag LOGOUT\nS: * BYE\nS: $tag OK bye\n")
	code, out, errOut := runTest(t, env, "status", "INBOX")
	if code != ExitServer || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "without a STATUS response") {
		t.Errorf("status INBOX = %d %q, stderr %q; want exit %d and one error line\n%s", code, out, errOut, ExitServer, s.Transcript())
	}
}

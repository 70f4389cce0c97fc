package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// restoreMaildir writes a Maildir "Box" with the messages m1 and m2.
func restoreMaildir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Box")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o700)
	}
	for i, name := range []string{"1700000000.M1P1.host:2,S", "1700000001.M1P1.host:2,"} {
		msg := fmt.Sprintf("From: a@example.org\nSubject: m%d\nMessage-ID: <m%d@example.org>\n\nbody %d\n", i+1, i+1, i+1)
		if err := os.WriteFile(filepath.Join(dir, "cur", name), []byte(msg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// restoreBoxStart is a server's side of a restore of restoreMaildir into
// an empty account, up to the STATUS of Box.
const restoreBoxStart = `caps: IMAP4rev1 AUTH=PLAIN LITERAL+ UIDPLUS
login
C: $tag LIST "" ""
S: * LIST (\Noselect) "/" ""
S: $tag OK LIST completed
`

// The failure line counts what failed: a mailbox the server would not
// create is "1 of 1 mailboxes", not "1 of 1 messages" (it used to add
// mailbox failures to the count of messages), and a refused message is
// one of the restore's two messages.
func TestRestoreFailureTotals(t *testing.T) {
	tests := []struct {
		name, script string
		// want is the error line: what failed, of how many.
		want string
	}{
		{"mailbox not created", restoreBoxStart + `C: $tag STATUS Box (UIDVALIDITY MESSAGES)
S: $tag NO [NONEXISTENT] no such mailbox
C: $tag CREATE Box
S: $tag NO [NOPERM] not allowed
`, "imapctl: 1 of 1 mailboxes failed; first: user@127.0.0.1: Box: creating mailbox: "},
		{"message refused", restoreBoxStart + `C: $tag STATUS Box (UIDVALIDITY MESSAGES)
S: * STATUS Box (UIDVALIDITY 5 MESSAGES 0)
S: $tag OK STATUS completed
C: $tag APPEND Box * {*Subject: m1*
C: $tag APPEND Box * {*Subject: m2*
S: $tag-1 NO [OVERQUOTA] mailbox full
S: $tag OK [APPENDUID 5 2] APPEND completed
`, "imapctl: 1 of 2 messages failed; first: user@127.0.0.1: Box: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, env := startScript(t, tc.script)
			env["XDG_STATE_HOME"] = t.TempDir()
			code, _, errOut := runTest(t, env, "restore", restoreMaildir(t))
			if code != ExitPartial {
				t.Errorf("exit %d, want %d; stderr %q", code, ExitPartial, errOut)
			}
			if !strings.Contains(errOut, "\n"+tc.want) {
				t.Errorf("stderr %q, want a line starting %q", errOut, tc.want)
			}
			if u := s.Unexpected(); len(u) > 0 {
				t.Errorf("unexpected commands: %q", u[0].Command)
			}
		})
	}
}

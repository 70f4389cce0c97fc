package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppendPipelinedReportsEveryStoredMessage: append sends the messages
// of an mbox without waiting for each answer (the scripted server reads
// all three APPENDs before it answers any). The server refuses the second;
// the UIDs of the first and the third, which it stored, are still printed
// in input order, and the error names the refused message.
func TestAppendPipelinedReportsEveryStoredMessage(t *testing.T) {
	mbox := "From a@example.org Thu Jan  4 10:00:00 2024\nSubject: one\n\n1\n\n" +
		"From a@example.org Thu Jan  4 10:00:01 2024\nSubject: two\n\n2\n\n" +
		"From a@example.org Thu Jan  4 10:00:02 2024\nSubject: three\n\n3\n"
	path := filepath.Join(t.TempDir(), "in.mbox")
	if err := os.WriteFile(path, []byte(mbox), 0o600); err != nil {
		t.Fatal(err)
	}
	s, env := startScript(t, `caps: IMAP4rev1 AUTH=PLAIN LITERAL+ UIDPLUS
login
C: $tag APPEND Drafts * {*Subject: one*
C: $tag APPEND Drafts * {*Subject: two*
C: $tag APPEND Drafts * {*Subject: three*
S: $tag-2 OK [APPENDUID 7 11] APPEND completed
S: $tag-1 NO [OVERQUOTA] mailbox full
S: $tag OK [APPENDUID 7 13] APPEND completed
`)
	code, out, errOut := runTest(t, env, "append", "Drafts", path)
	t.Logf("stderr: %s", errOut)
	if code != ExitServer {
		t.Errorf("exit %d, want %d (server refused a message); stderr %q", code, ExitServer, errOut)
	}
	if out != "11\n13\n" {
		t.Errorf("stdout %q, want the UIDs of the stored messages, 11 and 13", out)
	}
	if lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n"); len(lines) != 1 || !strings.Contains(errOut, "message 2") || !strings.Contains(errOut, "mailbox full") {
		t.Errorf("stderr %q, want one line naming message 2 and the server's reason", errOut)
	}
	if u := s.Unexpected(); len(u) > 0 {
		t.Errorf("unexpected commands: %q", u[0].Command)
	}
}

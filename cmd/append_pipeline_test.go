package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// runInterruptedAt runs imapctl with args against the scripted server of
// env and cancels its context, as Ctrl-C does, once the server has
// created the file mark; it returns the exit status, stdout and stderr.
func runInterruptedAt(t *testing.T, env map[string]string, mark string, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := Test()
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, f) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(mark); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never reached %s", filepath.Base(mark))
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		return code, out.String(), errOut.String()
	case <-time.After(10 * time.Second):
		t.Fatalf("%v did not end after the interruption", args)
	}
	return 0, "", ""
}

// TestAppendInterruptedReportsInFlight: interrupted while 64 APPENDs are
// in flight (the scripted server takes them, pauses, then answers), append
// sends nothing more but still reads the 64 answers and prints their UIDs
// in order, then exits as interrupted: every message the server stored is
// reported, and the two messages not yet sent never are.
func TestAppendInterruptedReportsInFlight(t *testing.T) {
	const sent, total = 64, 66
	var mbox, script strings.Builder
	for i := range total {
		fmt.Fprintf(&mbox, "From a@example.org Thu Jan  4 10:00:00 2024\nSubject: m%d\n\nbody %d\n\n", i+1, i+1)
	}
	path := filepath.Join(t.TempDir(), "in.mbox")
	if err := os.WriteFile(path, []byte(mbox.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	mark := filepath.Join(t.TempDir(), "all-sent")
	script.WriteString("caps: IMAP4rev1 AUTH=PLAIN LITERAL+ UIDPLUS\nlogin\n")
	for i := range sent {
		fmt.Fprintf(&script, "C: $tag APPEND Drafts * {*Subject: m%d\\r\\n*\n", i+1)
	}
	script.WriteString("mark: " + mark + "\nsleep: 500ms\n")
	var want strings.Builder
	for i := range sent {
		fmt.Fprintf(&script, "S: $tag-%d OK [APPENDUID 7 %d] APPEND completed\n", sent-1-i, 101+i)
		fmt.Fprintf(&want, "%d\n", 101+i)
	}
	s, env := startScript(t, script.String())

	// Ctrl-C once the server has all 64 APPENDs, while their answers are
	// on their way.
	code, out, errOut := runInterruptedAt(t, env, mark, "append", "Drafts", path)
	if code != ExitInterrupted {
		t.Errorf("exit %d, want %d (interrupted); stderr %q", code, ExitInterrupted, errOut)
	}
	if out != want.String() {
		t.Errorf("stdout %q, want the 64 UIDs 101..164 in order", out)
	}
	appends := 0
	for _, r := range s.Received() {
		if strings.Contains(string(r.Command), " APPEND ") {
			appends++
		}
	}
	if appends != sent || len(s.Unexpected()) > 0 {
		t.Errorf("the server got %d APPENDs (%d unexpected commands), want %d", appends, len(s.Unexpected()), sent)
	}
}

package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// appendFiles writes n small messages m1.eml ... and returns their paths.
func appendFiles(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i := 1; i <= n; i++ {
		p := filepath.Join(dir, "m"+itoa64(int64(i))+".eml")
		msg := "Subject: m\r\nMessage-ID: <" + itoa64(int64(i)) + "@example.org>\r\n\r\nbody\r\n"
		if err := os.WriteFile(p, []byte(msg), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	return files
}

// Whatever way the server refuses a message, the error names its file:
// with a tagged NO in place of the "+" continuation of a synchronising
// literal (RFC 3501 §7.5), as after a non-synchronising one (RFC 7888),
// and when the message is over APPENDLIMIT (RFC 7889).
func TestAppendRefusalNamesFile(t *testing.T) {
	tests := []struct {
		name, script string
		wantOut      string
		wantCode     int
	}{
		{"synchronising literal refused", `caps: IMAP4rev1 AUTH=PLAIN UIDPLUS
login
C: $tag APPEND Drafts *
S: $tag OK [APPENDUID 9 1] done
C-: $tag APPEND Drafts *
S: $tag NO [OVERQUOTA] quota exceeded
`, "1\n", ExitServer},
		{"LITERAL+ refused", `caps: IMAP4rev1 AUTH=PLAIN UIDPLUS LITERAL+
login
C: $tag APPEND Drafts *
C: $tag APPEND Drafts *
C: $tag APPEND Drafts *
S: $tag-2 OK [APPENDUID 9 1] done
S: $tag-1 NO [OVERQUOTA] quota exceeded
S: $tag OK [APPENDUID 9 2] done
`, "1\n2\n", ExitServer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, env := startScript(t, tc.script)
			files := appendFiles(t, 3)
			code, out, errOut := runTest(t, env, append([]string{"append", "Drafts"}, files...)...)
			if code != tc.wantCode || out != tc.wantOut {
				t.Errorf("append Drafts m1 m2 m3 = %d, stdout %q; want %d, %q\n%s", code, out, tc.wantCode, tc.wantOut, s.Transcript())
			}
			if !strings.Contains(errOut, files[1]+": ") || !strings.Contains(errOut, "OVERQUOTA") {
				t.Errorf("append stderr = %q, want the server's refusal named by %s", errOut, files[1])
			}
		})
	}
	t.Run("over APPENDLIMIT", func(t *testing.T) {
		_, env := startScript(t, "caps: IMAP4rev1 AUTH=PLAIN LITERAL+ APPENDLIMIT=20\nlogin\n")
		files := appendFiles(t, 1)
		code, _, errOut := runTest(t, env, "append", "Drafts", files[0])
		if code != ExitServer || !strings.Contains(errOut, files[0]+": ") || !strings.Contains(errOut, "APPENDLIMIT") {
			t.Errorf("append of a message over APPENDLIMIT=20 = %d, stderr %q; want %d naming %s", code, errOut, ExitServer, files[0])
		}
	})
}

// Without LITERAL+, Ctrl-C while message 2 waits for the "+" of its
// synchronising literal (RFC 3501 §7.5): message 2 is still answered (here
// refused) rather than the connection torn down, so the answer to message
// 1, already sent, is read and its UID printed; no message 3 is started;
// exit 130.
func TestAppendInterruptedWaitingForContinuation(t *testing.T) {
	files := appendFiles(t, 3)
	mark := filepath.Join(t.TempDir(), "mark")
	script := `caps: IMAP4rev1 AUTH=PLAIN UIDPLUS
login
C: $tag APPEND Drafts *
C-: $tag APPEND Drafts *
mark: ` + mark + `
sleep: 300ms
S: $tag-1 OK [APPENDUID 7 101] APPEND completed
S: $tag NO [OVERQUOTA] no room
C: $tag LOGOUT
S: * BYE
S: $tag OK bye
`
	s, env := startScript(t, script)
	// Ctrl-C while the "+" for message 2 is awaited.
	code, out, errOut := runInterruptedAt(t, env, mark, append([]string{"append", "Drafts"}, files...)...)
	if code != ExitInterrupted || out != "101\n" {
		t.Errorf("append interrupted = %d, stdout %q (stderr %q); want %d and UID 101\n%s", code, out, errOut, ExitInterrupted, s.Transcript())
	}
	if strings.Count(s.Transcript(), "APPEND") != 2 {
		t.Errorf("want two APPENDs, no third after Ctrl-C:\n%s", s.Transcript())
	}
}

package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDovecotSearchValuesWithParentheses searches Dovecot for subjects
// that begin or end with a parenthesis. A key's argument is one whole
// shell word, so SUBJECT "(no subject)" must find the message with that
// subject, not be taken apart into a group (F1). fetch --search takes the
// same keys in one string, where a quoted value keeps its parentheses.
func TestDovecotSearchValuesWithParentheses(t *testing.T) {
	_, env := startDovecotUser(t)
	must := mustRun(t, env)
	must("create", "Parens")
	dir := t.TempDir()
	for i, subject := range []string{"(no subject)", "Re: PEP 394) typo", "(1 of 2) photos"} {
		path := filepath.Join(dir, "m.eml")
		msg := "From: a@example.org\r\nSubject: " + subject + "\r\n\r\nbody " + subject + "\r\n"
		if err := os.WriteFile(path, []byte(msg), 0o600); err != nil {
			t.Fatal(err)
		}
		if uid := strings.TrimSpace(must("append", "Parens", path)); uid != string(rune('1'+i)) {
			t.Fatalf("append %q printed UID %q, want %d", subject, uid, i+1)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"SUBJECT", "(no subject)"}, "1\n"},
		{[]string{"SUBJECT", "PEP 394)"}, "2\n"},
		{[]string{"SUBJECT", "(1"}, "3\n"},
		{[]string{"--subject", "(1"}, "3\n"},
		{[]string{"(SUBJECT", "typo", ")"}, "2\n"},
		{[]string{"OR", "(SUBJECT", "photos", ")", "SUBJECT", "(no subject)"}, "1\n3\n"},
		{[]string{"NOT", "SUBJECT", ")", "HEADER", "Subject", "(1 of"}, ""},
		{[]string{"HEADER", "Subject", "(1 of"}, "3\n"},
	} {
		code, out, errOut := runTest(t, env, append([]string{"search", "Parens"}, tt.args...)...)
		if code != ExitOK || out != tt.want {
			t.Errorf("search Parens %q = %d %q (stderr %q), want %q", tt.args, code, out, errOut, tt.want)
		}
	}
	for _, tt := range []struct {
		search string
		want   []string // UIDs, as fetch --items prints them
	}{
		{`SUBJECT "(no subject)"`, []string{`"uid":1,`}},
		{`(OR SUBJECT "PEP 394)" SUBJECT "(1")`, []string{`"uid":2,`, `"uid":3,`}},
		{`NOT (SUBJECT "(")`, []string{`"uid":2,`}},
	} {
		code, out, errOut := runTest(t, env, "fetch", "--items", "FLAGS", "--search", tt.search, "Parens")
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if out == "" {
			lines = nil
		}
		ok := code == ExitOK && len(lines) == len(tt.want)
		for i := 0; ok && i < len(lines); i++ {
			ok = strings.HasPrefix(lines[i], "{"+tt.want[i])
		}
		if !ok {
			t.Errorf("fetch --search %q = %d %q (stderr %q), want UIDs %q", tt.search, code, out, errOut, tt.want)
		}
	}
	// A closing parenthesis glued to a key's argument belongs to the
	// argument: the group is left open, and the hint says why.
	code, out, errOut := runTest(t, env, "search", "Parens", "OR", "(SUBJECT", "photos)", "SUBJECT", "(no subject)")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, "unbalanced parenthesis") || !strings.Contains(errOut, "imapctl: hint: ") || !strings.Contains(errOut, "photos)") {
		t.Errorf("search Parens OR (SUBJECT photos) ... = %d %q, stderr %q; want exit 2, unbalanced parenthesis and a hint naming photos)", code, out, errOut)
	}
}

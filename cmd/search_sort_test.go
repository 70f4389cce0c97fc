package cmd

import (
	"strings"
	"testing"
)

// examineSort answers EXAMINE INBOX on a server that offers SORT and
// THREAD=REFERENCES (RFC 5256).
const examineSort = `caps: IMAP4rev1 AUTH=PLAIN SORT THREAD=REFERENCES
login
C: $tag EXAMINE INBOX
S: * 5 EXISTS
S: * OK [UIDVALIDITY 42] UIDs valid
S: $tag OK [READ-ONLY] EXAMINE completed
`

// --sort sends UID SORT with the keys in RFC 5256's form and prints the
// UIDs in the server's order.
func TestSearchSort(t *testing.T) {
	script := examineSort + "C: $tag UID SORT (REVERSE DATE SUBJECT) UTF-8 FROM \"alice\"\n" +
		"S: * SORT 5 3 4\nS: $tag OK sorted\n"
	s, env := startScript(t, script)
	code, out, errOut := runTest(t, env, "search", "INBOX", "FROM", "alice", "--sort", "-date, subject")
	if code != ExitOK || out != "5\n3\n4\n" {
		t.Fatalf("search --sort = %d, %q (stderr %q); want 5 3 4 in order\n%s", code, out, errOut, s.Transcript())
	}
	s, env = startScript(t, script)
	code, out, _ = runTest(t, env, "--json", "search", "INBOX", "FROM", "alice", "--sort", "reverse date,SUBJECT")
	if code != ExitOK || out != `{"uid":true,"count":3,"all":[5,3,4]}`+"\n" {
		t.Fatalf("--json search --sort = %d, %q", code, out)
	}
}

// --thread prints one conversation a line as RFC 5256 §4 writes it; the
// THREAD response is the RFC's own example.
func TestSearchThread(t *testing.T) {
	script := examineSort + "C: $tag UID THREAD REFERENCES UTF-8 ALL\n" +
		"S: * THREAD (2)(3 6 (4 23)(44 7 96))\nS: $tag OK threaded\n"
	s, env := startScript(t, script)
	code, out, errOut := runTest(t, env, "search", "INBOX", "--thread", "references")
	if code != ExitOK || out != "(2)\n(3 6 (4 23)(44 7 96))\n" {
		t.Fatalf("search --thread = %d, %q (stderr %q)\n%s", code, out, errOut, s.Transcript())
	}
	_, env = startScript(t, script)
	code, out, _ = runTest(t, env, "--json", "search", "INBOX", "--thread", "references")
	want := `{"uid":2,"replies":[]}` + "\n" +
		`{"uid":3,"replies":[{"uid":6,"replies":[{"uid":4,"replies":[{"uid":23,"replies":[]}]},{"uid":44,"replies":[{"uid":7,"replies":[{"uid":96,"replies":[]}]}]}]}]}` + "\n"
	if code != ExitOK || out != want {
		t.Fatalf("--json search --thread = %d,\n%s\nwant\n%s", code, out, want)
	}
}

// Without the capability nothing more is sent: exit 5 and one line.
func TestSearchSortThreadNeedCapability(t *testing.T) {
	plain := strings.Replace(examineSort, " SORT THREAD=REFERENCES", "", 1)
	for _, args := range [][]string{{"--sort", "date"}, {"--thread", "references"}, {"--thread", "orderedsubject"}} {
		s, env := startScript(t, plain+"C: $tag LOGOUT\nS: * BYE\nS: $tag OK bye\n")
		code, _, errOut := runTest(t, env, append([]string{"search", "INBOX"}, args...)...)
		if code != ExitServer || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "RFC 5256") {
			t.Errorf("search %v without the capability = %d, %q; want %d and one line", args, code, errOut, ExitServer)
		}
		if strings.Contains(s.Transcript(), "SORT") || strings.Contains(s.Transcript(), "THREAD") {
			t.Errorf("search %v sent:\n%s", args, s.Transcript())
		}
	}
}

// Bad --sort and --thread values are usage errors before anything connects.
func TestSearchSortThreadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--sort", "date;LOGOUT"}, {"--sort", "dates"}, {"--sort", ""}, {"--sort", "date,"},
		{"--thread", "refs"}, {"--count", "--sort", "date"}, {"--sort", "date", "--thread", "references"},
	} {
		if args[1] == "" {
			continue // an empty --sort is no sort
		}
		code, _, errOut := runTest(t, map[string]string{"IMAPCTL_HOST": "127.0.0.1", "IMAPCTL_PORT": "1", "IMAPCTL_TLS": "none"},
			append([]string{"search", "INBOX"}, args...)...)
		if code != ExitUsage || strings.Count(errOut, "\n") != 1 {
			t.Errorf("search %v = %d, %q; want %d and one line", args, code, errOut, ExitUsage)
		}
	}
}

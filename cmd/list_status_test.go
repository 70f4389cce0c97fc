package cmd

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDovecotListSubscribedStatusStale: a subscription outlives its
// mailbox (RFC 3501 §6.3.9: LSUB may list names that do not exist).
// list --subscribed --status lists every subscribed mailbox, the counts
// of those that exist, and one warning for the one that is gone; a
// NONEXISTENT mailbox is no error (exit 0).
func TestDovecotListSubscribedStatusStale(t *testing.T) {
	_, env := startDovecotUser(t)
	must := mustRun(t, env)
	for _, args := range [][]string{{"create", "Gone"}, {"subscribe", "Gone"}, {"create", "Kept"}, {"subscribe", "Kept"}, {"delete", "Gone"}} {
		must(args...)
	}
	subscribed := strings.Split(strings.TrimSuffix(must("list", "--subscribed"), "\n"), "\n")
	code, out, errOut := runTest(t, env, "list", "--subscribed", "--status")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != ExitOK || len(lines) != len(subscribed) {
		t.Fatalf("list --subscribed --status = %d %q, stderr %q; want exit 0 and the %d subscribed mailboxes %q", code, out, errOut, len(subscribed), subscribed)
	}
	for i, line := range lines {
		name, counts, _ := strings.Cut(line, "\t")
		if name != subscribed[i] {
			t.Errorf("line %d = %q, want mailbox %q", i+1, line, subscribed[i])
		}
		if want := name != "Gone"; (counts != "") != want {
			t.Errorf("line %q: counts present = %v, want %v", line, counts != "", want)
		}
	}
	if !strings.Contains(out, "Kept\tmessages=0 ") {
		t.Errorf("list --subscribed --status = %q, want Kept with messages=0", out)
	}
	if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "imapctl: warning: ") || !strings.Contains(errOut, `"Gone"`) {
		t.Errorf("stderr = %q, want one warning about Gone", errOut)
	}
	code, out, _ = runTest(t, env, "--json", "list", "--subscribed", "--status", "Gone")
	var m listedMailbox
	if err := json.Unmarshal([]byte(out), &m); code != ExitOK || err != nil || m.Name != "Gone" || m.Status != nil || m.StatusError == "" {
		t.Errorf("--json list --subscribed --status Gone = %d %q (%v); want Gone with a status_error and no status", code, out, err)
	}
	code, out, errOut = runTest(t, env, "-q", "list", "--subscribed", "--status", "Gone")
	if code != ExitOK || out != "Gone\n" || errOut != "" {
		t.Errorf("-q list --subscribed --status Gone = %d %q, stderr %q; want Gone, no warning", code, out, errOut)
	}
}

// TestListSubscribedStatusRefused: a STATUS refused for a mailbox that
// exists ([NOPERM], RFC 5530 §3) is an error (exit 5, one error line),
// after every mailbox has been listed; one that does not exist
// ([NONEXISTENT]) is a warning.
func TestListSubscribedStatusRefused(t *testing.T) {
	s, env := startScript(t, "login\n"+
		"C: $tag LSUB \"\" *\n"+
		"S: * LSUB () \"/\" A\nS: * LSUB () \"/\" B\nS: * LSUB () \"/\" C\nS: $tag OK LSUB completed\n"+
		"C: $tag STATUS A *\nS: * STATUS A (MESSAGES 2 UNSEEN 1 RECENT 0 UIDNEXT 3 UIDVALIDITY 7)\nS: $tag OK done\n"+
		"C: $tag STATUS B *\nS: $tag NO [NOPERM] not for you\n"+
		"C: $tag STATUS C *\nS: $tag NO [NONEXISTENT] no such mailbox\n"+
		"C: $tag LIST \"\" B\nS: * LIST () \"/\" B\nS: $tag OK LIST completed\n"+
		"C: $tag LOGOUT\nS: * BYE\nS: $tag OK bye\n")
	code, out, errOut := runTest(t, env, "list", "--subscribed", "--status")
	want := "A\tmessages=2 unseen=1 recent=0 uidnext=3 uidvalidity=7\nB\nC\n"
	errLines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if code != ExitServer || out != want || len(errLines) != 2 ||
		!strings.HasPrefix(errLines[0], "imapctl: warning: ") || !strings.Contains(errLines[0], `"C"`) ||
		strings.Contains(errLines[1], "warning") || !strings.Contains(errLines[1], `"B"`) || !strings.Contains(errLines[1], "NOPERM") {
		t.Errorf("list --subscribed --status = %d %q, stderr %q; want exit 5, %q, a warning for C and an error line for B\n%s", code, out, errOut, want, s.Transcript())
	}
}

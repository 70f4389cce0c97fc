package cmd

import (
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/backup"
)

// hostileGreeting logs in to a fake server that offers the extensions the
// commands below need (RFC 2342 NAMESPACE, RFC 4314 ACL, RFC 9208 QUOTA).
const hostileGreeting = "S: * OK [CAPABILITY IMAP4rev1 NAMESPACE ACL QUOTA IDLE] hi\nC: $tag LOGIN *\n" +
	"S: $tag OK [CAPABILITY IMAP4rev1 NAMESPACE ACL QUOTA IDLE] done\n"

// A server sending ESC, BEL, C1 controls and invalid UTF-8 in flag keywords,
// namespace prefixes, ACL identifiers, quota roots and resources and
// capabilities cannot drive the terminal: text output shows them as Go
// escapes (ECMA-48 §5 control functions never reach stdout or stderr).
func TestServerStringsInTextOutputAreEscaped(t *testing.T) {
	for _, c := range []struct {
		name   string
		script string
		args   []string
		want   []string
	}{
		{"select flags", "C: $tag EXAMINE INBOX\nS: * FLAGS (\\Seen $x\xc2\x9b2J $b\xff)\n" +
			"S: * OK [PERMANENTFLAGS (\\Seen $p\xc2\x9b31m)] x\nS: * 1 EXISTS\nS: * OK [UIDVALIDITY 7] x\nS: $tag OK [READ-ONLY] done\n",
			[]string{"select", "INBOX"},
			[]string{`flags: \Seen $x\u009b2J $b\xff`, `permanentflags: \Seen $p\u009b31m`}},
		{"store flags", "C: $tag SELECT INBOX\nS: * 2 EXISTS\nS: * OK [UIDVALIDITY 7] x\nS: $tag OK [READ-WRITE] done\n" +
			"C: $tag UID STORE 2 +FLAGS *\nS: * 2 FETCH (UID 2 FLAGS (\\Seen $k\xc2\x9d0;owned\xc2\x9c))\nS: $tag OK done\n",
			[]string{"store", "INBOX", "2", "--add", `\Seen`},
			[]string{`2 \Seen $k\u009d0;owned\u009c`}},
		{"namespace", "C: $tag NAMESPACE\nS: * NAMESPACE ((\"pre\x1b[1m\" \"/\")) NIL ((\"sh\xff\" \".\"))\nS: $tag OK done\n",
			[]string{"namespace"},
			[]string{`personal "pre\x1b[1m" "/"`, `shared "sh\xff" "."`}},
		{"acl get", "C: $tag GETACL INBOX\nS: * ACL INBOX \"evil\x1b[8m\" \"lr\x07s\"\nS: $tag OK done\n",
			[]string{"acl", "get", "INBOX"},
			[]string{`evil\x1b[8m lr\x07s`}},
		{"acl myrights", "C: $tag MYRIGHTS INBOX\nS: * MYRIGHTS INBOX \"lr\x1b[5m\"\nS: $tag OK done\n",
			[]string{"acl", "myrights", "INBOX"},
			[]string{`lr\x1b[5m`}},
		{"quota", "C: $tag GETQUOTAROOT INBOX\nS: * QUOTAROOT INBOX \"r\x1b[1m\"\n" +
			"S: * QUOTA \"r\x1b[1m\" (STOR\xc2\x9bAGE 10 100)\nS: $tag OK done\n",
			[]string{"quota"},
			[]string{`"r\x1b[1m" STOR\u009bAGE 10 100`}},
		{"capability", "C: $tag CAPABILITY\nS: * CAPABILITY IMAP4rev1 X-\xc2\x9b31mRED\nS: $tag OK done\n",
			[]string{"capability"},
			[]string{`X-\u009b31mRED`}},
	} {
		s, env := startScript(t, hostileGreeting+c.script)
		code, out, errOut := runTest(t, env, c.args...)
		if code != ExitOK {
			t.Errorf("%s: exit %d, stdout %q, stderr %q\n%s", c.name, code, out, errOut, s.Transcript())
			continue
		}
		if hasControl(out) || hasControl(errOut) || !isValidUTF8(out) {
			t.Errorf("%s: control characters reach the terminal: stdout %q, stderr %q", c.name, out, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: stdout %q lacks %q", c.name, out, w)
			}
		}
	}
}

// The --debug trace shows a hostile server's lines, response text and
// ALERTs with control characters escaped; each trace line stays one line.
func TestDebugTraceIsEscaped(t *testing.T) {
	script := "S: * OK [CAPABILITY IMAP4rev1] hi\x1b[2J\nC: $tag LOGIN *\nS: $tag OK [ALERT] al\x1b]0;x\x07ert\n" +
		"C: $tag EXAMINE INBOX\nS: * FLAGS (\\Seen $\xc2\x9bk)\nS: * 0 EXISTS\nS: * OK [UIDVALIDITY 7] x\xc2\x9bforged\nS: $tag OK done \x1b[0m\n"
	for _, level := range []string{"1", "5"} {
		_, env := startScript(t, script)
		code, out, errOut := runTest(t, env, "--debug", level, "select", "INBOX")
		if code != ExitOK {
			t.Fatalf("--debug %s: exit %d, stdout %q, stderr %q", level, code, out, errOut)
		}
		if hasControl(errOut) || hasControl(out) || !isValidUTF8(errOut) {
			t.Errorf("--debug %s: control characters in stderr %q", level, errOut)
		}
		if !strings.Contains(errOut, `al\x1b]0;x\x07ert`) {
			t.Errorf("--debug %s: stderr %q lacks the escaped ALERT", level, errOut)
		}
		if level == "5" && (!strings.Contains(errOut, `$\u009bk`) || !strings.Contains(errOut, `x\u009bforged`)) {
			t.Errorf("--debug 5: stderr %q lacks the escaped server lines", errOut)
		}
	}
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "\ufffd") == s }

// watch's "flags" lines show C1 controls and invalid UTF-8 in a server's
// flag keywords escaped.
func TestWatchFlagsAreEscaped(t *testing.T) {
	s, env := startScript(t, "caps: IMAP4rev1 IDLE AUTH=PLAIN\nlogin\nC: $tag EXAMINE INBOX\nS: * 3 EXISTS\n"+
		"S: * OK [UIDVALIDITY 7] x\nS: * OK [UIDNEXT 10] x\nS: $tag OK [READ-ONLY] done\nC: $tag IDLE\nS: + idling\n"+
		"S: * 2 FETCH (UID 5 FLAGS (\\Seen $\xc2\x9b2Jk $\xff))\nS: * 4 EXISTS\nC: DONE\nS: $tag OK done\n"+
		"C: $tag UID FETCH 10:* (UID)\nS: * 4 FETCH (UID 10)\nS: $tag OK done\n")
	code, out, errOut := runTest(t, env, "watch", "INBOX", "--until-new", "--limit", "30s")
	if code != ExitOK || out != "flags 2 5 \\Seen $\\u009b2Jk $\\xff\nnew 10\n" || hasControl(errOut) {
		t.Errorf("watch: exit %d, stdout %q, stderr %q\n%s", code, out, errOut, s.Transcript())
	}
}

// check's text line escapes control characters in server text: a NO's
// text in the error and a quota resource name (RFC 9208 §5.1 atoms may hold
// C1 controls as UTF-8).
func TestCheckLineIsEscaped(t *testing.T) {
	failed := backup.CheckResult{Account: "work", Status: backup.CheckAuthFailed, Error: "NO \x1b[2Jbad\npassword"}
	if got, want := checkLine(failed), `work: `+backup.CheckAuthFailed+`: NO \x1b[2Jbad\x0apassword`; got != want {
		t.Errorf("checkLine = %q, want %q", got, want)
	}
	ok := backup.CheckResult{Account: "work", Status: backup.CheckOK, TLSMode: "none",
		Quota: []backup.QuotaUse{{Name: "STOR\u009bAGE", Percent: 50}}, Warnings: []string{"x\x07"}}
	got := checkLine(ok)
	if hasControl(got) || strings.Contains(got, "\n") || !strings.Contains(got, `quota STOR\u009bAGE 50%`) || !strings.Contains(got, `warning: x\x07`) {
		t.Errorf("checkLine = %q, want one escaped line", got)
	}
}

package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTerminalSafe(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, ünïcode", "plain text, ünïcode"},
		{"\x1b[31mred\x1b[0m \x07bell", `\x1b[31mred\x1b[0m \x07bell`},
		{"cr\rtab\tnul\x00del\x7f", `cr\x0dtab\x09nul\x00del\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"two\nlines", "two\nlines"},
	} {
		if got := terminalSafe(c.in, true); got != c.want {
			t.Errorf("terminalSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := terminalSafe("a\nb", false); got != `a\x0ab` {
		t.Errorf("terminalSafe(a LF b, false) = %q", got)
	}
}

// hasControl reports a control character other than LF in s.
func hasControl(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return true
		}
	}
	return false
}

// A server's NO and BYE text reaches stderr without control characters.
func TestServerTextOnStderrIsEscaped(t *testing.T) {
	_, env := startScript(t, "login\nC: $tag EXAMINE INBOX\nraw: \"$tag NO \\x1b[31mred\\x1b[0m \\x07bell\\r\\n\"\n")
	code, _, errOut := runTest(t, env, "select", "INBOX")
	if code != ExitServer {
		t.Errorf("exit = %d, want %d", code, ExitServer)
	}
	if hasControl(errOut) || !strings.Contains(errOut, `\x1b[31mred`) {
		t.Errorf("stderr = %q, want the NO text with ESC escaped", errOut)
	}
	_, env = startScript(t, "raw: \"* BYE \\x1b]0;owned\\x07 go away\\r\\n\"\nclose\n")
	code, _, errOut = runTest(t, env, "select", "INBOX")
	if code != ExitConnection {
		t.Errorf("exit = %d, want %d", code, ExitConnection)
	}
	if hasControl(errOut) || !strings.HasPrefix(errOut, "imapctl: ") {
		t.Errorf("stderr = %q, want one escaped imapctl: line", errOut)
	}
}

// --quiet drops the config-file permission warning and its hint.
func TestQuietSilencesConfigWarning(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "cfg.yaml")
	if err := os.WriteFile(cfg, []byte("timeout: 10s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, env := startScript(t, "login\n")
	_, _, errOut := runTest(t, env, "--config", cfg, "capability")
	if !strings.Contains(errOut, "warning: config file") || !strings.Contains(errOut, "hint: chmod 600") {
		t.Fatalf("without --quiet stderr = %q, want the warning and hint", errOut)
	}
	_, env = startScript(t, "login\n")
	code, _, errOut := runTest(t, env, "--quiet", "--config", cfg, "capability")
	if code != ExitOK || errOut != "" {
		t.Errorf("--quiet: exit %d, stderr %q, want 0 and nothing", code, errOut)
	}
}

// STARTTLS answered BAD (RFC 3501 §6.2.1) is TLS that could not be set up:
// exit 4, and LOGIN is never sent in clear.
func TestStartTLSRefusedExits4(t *testing.T) {
	for _, answer := range []string{"BAD not now", "NO no TLS today"} {
		s, env := startScript(t, "S: * OK [CAPABILITY IMAP4rev1 STARTTLS] hi\nC: $tag STARTTLS\nS: $tag "+answer+"\n")
		env["IMAPCTL_TLS"] = "starttls"
		code, _, errOut := runTest(t, env, "select", "INBOX")
		if code != ExitConnection || !strings.Contains(errOut, "STARTTLS") {
			t.Errorf("%s: exit %d, stderr %q, want %d naming STARTTLS", answer, code, errOut, ExitConnection)
		}
		if strings.Contains(s.Transcript(), "LOGIN") {
			t.Errorf("%s: LOGIN sent after a refused STARTTLS:\n%s", answer, s.Transcript())
		}
	}
}

// token_cmd does not see IMAPCTL_PASSWORD in its environment (issue 8).
func TestSecretCmdEnvHasNoPassword(t *testing.T) {
	t.Setenv("IMAPCTL_PASSWORD", "alice-secret-pw")
	t.Setenv("IMAPCTL_TEST_MARKER", "kept")
	dir := t.TempDir()
	envFile := filepath.Join(dir, "childenv.txt")
	token, err := runSecretCmd(t.Context(), "token_cmd", "env > '"+envFile+"'; echo the-token", os.Stderr)
	if err != nil || token != "the-token" {
		t.Fatalf("runSecretCmd = %q, %v", token, err)
	}
	env, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(env), "alice-secret-pw") || strings.Contains(string(env), "IMAPCTL_PASSWORD") {
		t.Errorf("child environment holds the password:\n%s", env)
	}
	if !strings.Contains(string(env), "IMAPCTL_TEST_MARKER=kept") {
		t.Errorf("child environment lost other variables:\n%s", env)
	}
}

// list escapes control characters of server-chosen names: one name per line,
// no ESC on stdout (the names of e2e/testdata/hostile/list_control_chars).
func TestListEscapesControlCharacters(t *testing.T) {
	script := "login\nC: $tag LIST \"\" *\nS: * LIST () \"/\" INBOX\n" +
		"S: * LIST () \"/\" {9}\nraw: \"esc\\x1b[31mx\\r\\n\"\n" +
		"S: * LIST () \"/\" {11}\nraw: \"line\\nforged\\r\\n\"\n" +
		"S: * LIST () \"/\" {6}\nraw: \"c1\\xc2\\x9bx\\x7f\\r\\n\"\nS: $tag OK done\n"
	_, env := startScript(t, script)
	code, out, errOut := runTest(t, env, "list")
	want := "INBOX\n" + `esc\x1b[31mx` + "\n" + `line\x0aforged` + "\n" + `c1\u009bx\x7f` + "\n"
	if code != ExitOK || out != want {
		t.Errorf("list: exit %d, stdout %q (stderr %q), want %q", code, out, errOut, want)
	}
	_, env = startScript(t, script)
	code, out, _ = runTest(t, env, "--json", "list")
	if code != ExitOK || hasControl(out) || strings.Count(out, "\n") != 4 {
		t.Errorf("list --json: exit %d, stdout %q, want 4 lines without control characters", code, out)
	}
	for _, name := range []string{`"esc\u001b[31mx"`, `"line\nforged"`, `"c1\u009bx\u007f"`} {
		if !strings.Contains(out, name) {
			t.Errorf("list --json: stdout %q lacks the name %s", out, name)
		}
	}
}

// With SPECIAL-USE offered, LIST asks RETURN (SPECIAL-USE) (RFC 6154 §5.2)
// and --json reports the attributes the server sends (RFC 6154 §6 example).
func TestListAsksSpecialUse(t *testing.T) {
	s, env := startScript(t, "S: * OK [CAPABILITY IMAP4rev1 SPECIAL-USE] hi\nC: $tag LOGIN user pass\nS: $tag OK [CAPABILITY IMAP4rev1 SPECIAL-USE] done\n"+
		"C: $tag LIST \"\" * RETURN (SPECIAL-USE)\n"+
		"S: * LIST () \"/\" INBOX\nS: * LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\nS: $tag OK done\n")
	code, out, errOut := runTest(t, env, "--json", "list")
	if code != ExitOK || !strings.Contains(out, `{"name":"Drafts","delimiter":"/","attributes":["\\HasNoChildren","\\Drafts"]}`) {
		t.Errorf("list --json: exit %d, stdout %q, stderr %q\n%s", code, out, errOut, s.Transcript())
	}
	if u := s.Unexpected(); len(u) > 0 {
		t.Errorf("unexpected commands: %v", u)
	}
}

// store prints only the messages of SET: a FETCH for UID 9 after UID STORE 2
// is not its result (e2e/testdata/hostile/notasked storeothers script).
func TestStorePrintsOnlyAskedMessages(t *testing.T) {
	_, env := startScript(t, "login\nC: $tag SELECT INBOX\nS: * 9 EXISTS\nS: * OK [UIDVALIDITY 7] x\nS: $tag OK [READ-WRITE] done\n"+
		"C: $tag UID STORE 2 +FLAGS *\nS: * 9 FETCH (UID 9 FLAGS (\\Deleted))\nS: * 2 FETCH (UID 2 FLAGS (\\Seen))\n"+
		"S: * 3 FETCH (FLAGS (\\Flagged))\nS: $tag OK done\n")
	code, out, errOut := runTest(t, env, "store", "INBOX", "2", "--add", `\Seen`)
	if code != ExitOK || out != "2 \\Seen\n" {
		t.Errorf("store: exit %d, stdout %q, stderr %q, want \"2 \\\\Seen\\n\"", code, out, errOut)
	}
}

// --flags is not parsed as CSV: a value with a line break is a usage error
// and nothing is appended (RFC 3501 §9: a flag is an atom, no CTL).
func TestAppendFlagsWithLineBreakIsUsageError(t *testing.T) {
	msg := filepath.Join(t.TempDir(), "msg.eml")
	if err := os.WriteFile(msg, []byte("Subject: hello\n\nbody\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"x\nA999 DELETE INBOX", "x\rA999", "a\x00b", `"quoted"`, "(paren", "\\"} {
		s, env := startScript(t, "login\nC: $tag *\nS: $tag NO [fakeserver] refused\n")
		code, _, errOut := runTest(t, env, "append", "--flags", bad, "Drafts", msg)
		if code != ExitUsage || !strings.HasPrefix(errOut, "imapctl: ") || hasControl(errOut) {
			t.Errorf("--flags %q: exit %d, stderr %q, want %d and one clean line", bad, code, errOut, ExitUsage)
		}
		if strings.Contains(s.Transcript(), "APPEND") {
			t.Errorf("--flags %q: APPEND sent:\n%s", bad, s.Transcript())
		}
	}
	// Repeated --flags and commas still give several flags.
	if got, err := parseFlagArgs([]string{`\Seen,$Label1`, "$Done"}); err != nil || strings.Join(got, " ") != `\Seen $Label1 $Done` {
		t.Errorf("parseFlagArgs = %q, %v", got, err)
	}
}

// Every [ALERT] reaches stderr as "imapctl: server alert: TEXT", escaped,
// even under --quiet (RFC 3501 §7.1: the client MUST present it): in the
// greeting, untagged during a command, and in tagged OK responses.
func TestAlertsReachStderr(t *testing.T) {
	script := "S: * OK [ALERT] greeting alert\nC: $tag LOGIN *\nS: $tag OK [ALERT] password expires soon\n" +
		"C: $tag EXAMINE INBOX\nS: * OK [ALERT] Maintenance tonight at 22:00\x1b[2J\nS: * 0 EXISTS\n" +
		"S: * OK [UIDVALIDITY 7] x\nS: $tag OK [ALERT] tagged examine alert\n"
	for _, args := range [][]string{{"select", "INBOX"}, {"--quiet", "select", "INBOX"}} {
		_, env := startScript(t, script)
		code, out, errOut := runTest(t, env, args...)
		if code != ExitOK || !strings.Contains(out, "exists: 0\n") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
		for _, want := range []string{
			"imapctl: server alert: greeting alert\n",
			"imapctl: server alert: password expires soon\n",
			"imapctl: server alert: Maintenance tonight at 22:00\\x1b[2J\n",
			"imapctl: server alert: tagged examine alert\n",
		} {
			if strings.Count(errOut, want) != 1 {
				t.Errorf("%v: stderr %q, want once %q", args, errOut, want)
			}
		}
		if hasControl(errOut) {
			t.Errorf("%v: stderr has control characters: %q", args, errOut)
		}
	}
}

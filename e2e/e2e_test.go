// Package e2e runs the built imapctl binary as a user runs it: testscript
// scripts (testdata/*/*.txtar) call it against go-imap's in-memory server,
// a private Dovecot and a scripted hostile server, and check its stdout,
// stderr, exit status and the files it writes.
//
// TestMain builds imapctl once with `go build` (so go-imap, a test-only
// dependency, is checked not to be linked into it) and every script runs
// that binary in a subprocess with a clean environment.
//
//	TestMemserver             testdata/memserver: a seeded go-imap server per script
//	TestDovecot*              testdata/dovecot*: a private Dovecot, a user per script
//	                          (skipped without Dovecot, failed when CI=true)
//	TestHostile               testdata/hostile: internal/testutil/fakeserver scripts
//	TestDemo                  the demo program of `make demo`
//
// Expected bytes come from the servers and from Python's imaplib
// (testdata/imaplib_helper.py), never from imapctl's own output. Scripts
// that show a known product bug start with "[!bugs] skip 'BUG(...): ...'";
// IMAPCTL_E2E_BUGS=1 runs them to see which bugs are fixed.
package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/imapctl/imapctl/internal/testutil/dovecot"
	"github.com/imapctl/imapctl/internal/testutil/fakeserver"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// imapctlBinary is the path of the binary built by TestMain.
var imapctlBinary string

// repoRoot is the folder holding go.mod.
var repoRoot string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "imapctl-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if repoRoot, err = filepath.Abs(".."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	imapctlBinary = filepath.Join(dir, "imapctl")
	build := exec.Command(goTool(), "build", "-o", imapctlBinary, ".")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

// TestBinaryHasNoTestDependencies checks that go-imap and testscript, which
// only the tests and the demo use, are not linked into imapctl.
func TestBinaryHasNoTestDependencies(t *testing.T) {
	out, err := exec.Command(goTool(), "version", "-m", imapctlBinary).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	for _, module := range []string{"github.com/emersion/go-imap", "github.com/rogpeppe/go-internal"} {
		if bytes.Contains(out, []byte(module)) {
			t.Errorf("imapctl links %s, a test-only dependency:\n%s", module, out)
		}
	}
}

// TestMemserver runs testdata/memserver/*.txtar, each against its own
// go-imap in-memory server seeded from testdata/corpus (see setupMemserver
// for the environment the scripts get).
func TestMemserver(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/memserver",
		Setup:               setupMemserver,
		Cmds:                commands(),
		Condition:           condition,
		RequireExplicitExec: true,
	})
}

// setupMemserver starts a seeded in-memory server with TLS for one script
// and points imapctl at its implicit-TLS port:
//
//	IMAPCTL_HOST, IMAPCTL_PORT, IMAPCTL_USER, IMAPCTL_PASSWORD, IMAPCTL_CA_FILE
//	PLAIN_PORT      the port without TLS (STARTTLS offered)
//	CA_FILE         the test CA (also $WORK/ca.pem)
//	NON_ASCII       the seeded non-ASCII mailbox name
//	INBOX_COUNT     number of messages in INBOX
//	$WORK/seeded/INBOX/<UID>.eml   the bytes the server serves as BODY[]
func setupMemserver(env *testscript.Env) error {
	corpus := filepath.Join(repoRoot, "testdata", "corpus")
	s, err := memserver.Start(memserver.Options{TLS: true, CorpusDir: corpus})
	if err != nil {
		return err
	}
	env.Defer(func() { s.Close() })
	caFile := filepath.Join(env.WorkDir, "ca.pem")
	if err := os.WriteFile(caFile, s.CACertPEM, 0o644); err != nil {
		return err
	}
	host, tlsPort, _ := net.SplitHostPort(s.TLSAddr)
	_, plainPort, _ := net.SplitHostPort(s.Addr)
	inbox := s.MessagesIn("INBOX")
	seeded := filepath.Join(env.WorkDir, "seeded", "INBOX")
	if err := os.MkdirAll(seeded, 0o755); err != nil {
		return err
	}
	for _, m := range inbox {
		name := filepath.Join(seeded, strconv.FormatUint(uint64(m.UID), 10)+".eml")
		if err := os.WriteFile(name, m.Data, 0o644); err != nil {
			return err
		}
	}
	setUserEnv(env, map[string]string{
		"IMAPCTL_HOST":     host,
		"IMAPCTL_PORT":     tlsPort,
		"IMAPCTL_USER":     s.Username,
		"IMAPCTL_PASSWORD": s.Password,
		"IMAPCTL_CA_FILE":  caFile,
		"CA_FILE":          caFile,
		"PLAIN_PORT":       plainPort,
		"NON_ASCII":        memserver.NonASCIIMailbox,
		"INBOX_COUNT":      strconv.Itoa(len(inbox)),
	})
	env.Values[serverKey{}] = &scriptServer{addr: s.TLSAddr, user: s.Username, password: s.Password, caFile: caFile}
	return nil
}

// TestDovecot runs testdata/dovecot/*.txtar against one private Dovecot
// (internal/testutil/dovecot) with quota, ACL, COMPRESS and OAuth2 (a token
// for each script's user in OAUTH_TOKEN), each script as a user of its own
// with an empty mailbox and a non-ASCII password. It skips when Dovecot is
// not available, and fails instead when CI=true.
func TestDovecot(t *testing.T) {
	runDovecotScripts(t, "testdata/dovecot", true, dovecot.All(), dovecot.WithOAuth2())
}

// TestDovecotLoginDisabled runs testdata/dovecot-logindisabled/*.txtar
// against a Dovecot whose plain port refuses authentication before
// STARTTLS (LOGINDISABLED, RFC 3501 §6.2.3).
func TestDovecotLoginDisabled(t *testing.T) {
	runDovecotScripts(t, "testdata/dovecot-logindisabled", false, dovecot.WithLoginDisabled())
}

// TestDovecotMinimal runs testdata/dovecot-minimal/*.txtar against a
// Dovecot that advertises IMAP4rev1 alone after login (no MOVE, UIDPLUS,
// ESEARCH, LIST-STATUS, SPECIAL-USE, CONDSTORE...), so that imapctl takes
// its fallback paths against a real server.
func TestDovecotMinimal(t *testing.T) {
	runDovecotScripts(t, "testdata/dovecot-minimal", false, dovecot.WithCapability("IMAP4rev1 LITERAL+ IDLE"))
}

// runDovecotScripts starts one Dovecot with opts and runs the scripts of
// dir against it, each as a fresh user (with an OAuth2 token in
// OAUTH_TOKEN when oauth is set, which needs dovecot.WithOAuth2).
func runDovecotScripts(t *testing.T, dir string, oauth bool, opts ...dovecot.Option) {
	scripts, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
	server := dovecot.Start(t, append(opts, dovecot.WithUserPool(len(scripts)+1))...)
	testscript.Run(t, testscript.Params{
		Dir: dir,
		Setup: func(env *testscript.Env) error {
			user := server.NewUser(t)
			host, tlsPort, _ := net.SplitHostPort(server.TLSAddr())
			_, plainPort, _ := net.SplitHostPort(server.PlainAddr())
			vars := map[string]string{
				"IMAPCTL_HOST":     host,
				"IMAPCTL_PORT":     tlsPort,
				"IMAPCTL_USER":     user.Name,
				"IMAPCTL_PASSWORD": user.Password,
				"IMAPCTL_CA_FILE":  server.CAFile,
				"CA_FILE":          server.CAFile,
				"PLAIN_PORT":       plainPort,
				"SEP":              server.Separator,
			}
			if oauth {
				vars["OAUTH_TOKEN"] = server.OAuth2Token(user.Name)
			}
			setUserEnv(env, vars)
			env.Values[serverKey{}] = &scriptServer{addr: server.TLSAddr(),
				user: user.Name, password: user.Password, caFile: server.CAFile}
			return nil
		},
		Cmds:                commands(),
		Condition:           condition,
		RequireExplicitExec: true,
	})
}

// setUserEnv sets vars plus what every script gets: a private config home.
func setUserEnv(env *testscript.Env, vars map[string]string) {
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
	env.Setenv("REPO", repoRoot)
	// IMAPCTL is the binary, for `exec $IMAPCTL ... &` in the background.
	env.Setenv("IMAPCTL", imapctlBinary)
	for k, v := range vars {
		env.Setenv(k, v)
	}
	env.Values[lastRunKey{}] = &lastRun{code: -1}
	env.Values[tKey{}] = env.T()
}

// serverKey and lastRunKey index testscript.Env.Values.
type (
	serverKey  struct{}
	lastRunKey struct{}
	tKey       struct{}
)

// scriptServer is the server a script talks to, for the imaplib helper.
type scriptServer struct {
	addr           string // host:port of implicit TLS
	user, password string
	caFile         string
}

// lastRun is the outcome of a script's last imapctl command.
type lastRun struct {
	code int
}

// commands are the script commands added to testscript's builtins:
//
//	imapctl ARGS...        run the built binary; fails on a non-zero exit
//	                       (on a zero exit with !)
//	exitcode N             the last imapctl exited with status N
//	errline [REGEXP]       stderr is exactly one "imapctl: ..." line matching
//	                       REGEXP, optionally followed by one "imapctl: hint: ..."
//	nofiles PATH...        PATH does not exist or holds no regular file
//	filecount N DIR        DIR holds N regular files (recursively)
//	imaplib ARGS...        run testdata/imaplib_helper.py against the script's
//	                       server (skips without python3 unless CI=true)
//	fakeserver SCRIPT      start a scripted fake server (see fakeserver pkg)
//	fakelog                print what the fake server received (to stdout)
//	fakecheck              fail if the fake server saw an unexpected command
func commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"imapctl":    cmdImapctl,
		"exitcode":   cmdExitcode,
		"errline":    cmdErrline,
		"nofiles":    cmdNofiles,
		"filecount":  cmdFilecount,
		"imaplib":    cmdImaplib,
		"fakeserver": cmdFakeserver,
		"fakelog":    cmdFakelog,
		"fakecheck":  cmdFakecheck,
	}
}

func cmdImapctl(ts *testscript.TestScript, neg bool, args []string) {
	err := ts.Exec(imapctlBinary, args...)
	run := ts.Value(lastRunKey{}).(*lastRun)
	run.code = 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		run.code = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("imapctl: %v", err)
	}
	if run.code != 0 && !neg {
		ts.Fatalf("imapctl exited with status %d", run.code)
	}
	if run.code == 0 && neg {
		ts.Fatalf("imapctl succeeded unexpectedly")
	}
}

func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: exitcode N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	if got := ts.Value(lastRunKey{}).(*lastRun).code; got != want {
		ts.Fatalf("imapctl exit status = %d, want %d", got, want)
	}
}

// errLineRE is one error line of imapctl, and hintLineRE its optional hint.
var (
	errLineRE  = regexp.MustCompile(`^imapctl: \S.*$`)
	hintLineRE = regexp.MustCompile(`^imapctl: hint: \S.*$`)
)

func cmdErrline(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) > 1 || neg {
		ts.Fatalf("usage: errline [REGEXP]")
	}
	stderr := ts.ReadFile("stderr")
	if err := checkErrLine(stderr, args); err != nil {
		ts.Fatalf("%v; stderr:\n%s", err, stderr)
	}
}

// checkErrLine checks that stderr is one error line matching the pattern
// in args (if any), optionally followed by one hint line.
func checkErrLine(stderr string, args []string) error {
	if !strings.HasSuffix(stderr, "\n") {
		return errors.New("stderr does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	switch {
	case len(lines) > 2:
		return fmt.Errorf("stderr has %d lines, want one error line (and an optional hint)", len(lines))
	case !errLineRE.MatchString(lines[0]) || hintLineRE.MatchString(lines[0]):
		return fmt.Errorf("stderr line %q is not an error line", lines[0])
	case len(lines) == 2 && !hintLineRE.MatchString(lines[1]):
		return fmt.Errorf("second stderr line %q is not a hint", lines[1])
	}
	if len(args) == 1 {
		re, err := regexp.Compile(args[0])
		if err != nil {
			return err
		}
		if !re.MatchString(lines[0]) {
			return fmt.Errorf("error line %q does not match %q", lines[0], args[0])
		}
	}
	for _, l := range lines {
		if strings.ContainsFunc(l, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) {
			return fmt.Errorf("stderr line %q holds control characters", l)
		}
	}
	return nil
}

// regularFiles lists the regular files under path (path itself if it is one).
func regularFiles(path string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return files, err
}

func cmdNofiles(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 || neg {
		ts.Fatalf("usage: nofiles PATH...")
	}
	for _, a := range args {
		files, err := regularFiles(ts.MkAbs(a))
		ts.Check(err)
		if len(files) > 0 {
			ts.Fatalf("%s holds files: %v", a, files)
		}
	}
}

func cmdFilecount(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: filecount N DIR")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	files, err := regularFiles(ts.MkAbs(args[1]))
	ts.Check(err)
	if len(files) != want {
		ts.Fatalf("%s holds %d files, want %d: %v", args[1], len(files), want, files)
	}
}

// cmdImaplib runs Python's imaplib (testdata/imaplib_helper.py) against the
// script's server: `imaplib fetch MAILBOX UID FILE` writes BODY[] to FILE
// and prints RFC822.SIZE; `imaplib list` prints the decoded names.
func cmdImaplib(ts *testscript.TestScript, neg bool, args []string) {
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			ts.Fatalf("python3 is needed to compare with imaplib: %v", err)
		}
		ts.Value(tKey{}).(testscript.T).Skip("skipping: python3 is not installed, so imapctl cannot be compared with imaplib")
	}
	srv, _ := ts.Value(serverKey{}).(*scriptServer)
	if srv == nil {
		ts.Fatalf("imaplib: no server in this script")
	}
	helper := filepath.Join(repoRoot, "e2e", "testdata", "imaplib_helper.py")
	host, port, _ := net.SplitHostPort(srv.addr)
	full := append([]string{helper, "--host", host, "--port", port, "--user", srv.user, "--ca-file", srv.caFile}, args...)
	// The helper reads the password from the environment, never argv.
	ts.Setenv("IMAPLIB_PASSWORD", srv.password)
	err = ts.Exec(python, full...)
	ts.Setenv("IMAPLIB_PASSWORD", "")
	if err != nil && !neg {
		ts.Fatalf("imaplib helper: %v", err)
	}
	if err == nil && neg {
		ts.Fatalf("imaplib helper succeeded unexpectedly")
	}
}

// condition adds [root]: the tests run as root (which reads any file);
// and [bugs]: IMAPCTL_E2E_BUGS is set, to run the scripts that are skipped
// because of a known product bug ("[!bugs] skip 'BUG(...)'") and see which
// are fixed.
func condition(cond string) (bool, error) {
	switch cond {
	case "root":
		return os.Geteuid() == 0, nil
	case "bugs":
		return os.Getenv("IMAPCTL_E2E_BUGS") != "", nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// fakeKey indexes the script's fake server in testscript.Env.Values.
type fakeKey struct{}

// fakeSlot holds a script's fake server once started.
type fakeSlot struct{ server *fakeserver.Server }

// TestHostile runs testdata/hostile/*.txtar: imapctl against scripted
// broken or malicious servers (issue 8), and injection attempts checked on
// the fake server's log.
func TestHostile(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/hostile",
		Setup: func(env *testscript.Env) error {
			setUserEnv(env, map[string]string{
				"IMAPCTL_USER":     "alice",
				"IMAPCTL_PASSWORD": fakePassword,
				// Hostile input for injection tests (testscript passes
				// arguments as they are, so these reach argv intact).
				"INJ_CRLF":       "x\r\nA999 DELETE INBOX\r\nA998 LOGOUT",
				"INJ_LF":         "x\nA999 DELETE INBOX",
				"INJ_CR":         "x\rA999 DELETE INBOX",
				"INJ_QUOTE":      `a"b\" c\\`,
				"INJ_BRACE":      "{5}\r\nA999 DELETE INBOX",
				"INJ_BRACE_PLUS": "x {3+}\r\nabc",
				"INJ_8BIT":       "caf\xe9 \xff\xfe",
				"INJ_PAREN":      "a) (b",
			})
			env.Values[fakeKey{}] = &fakeSlot{}
			return nil
		},
		Cmds:                commands(),
		Condition:           condition,
		RequireExplicitExec: true,
	})
}

// fakePassword is the password the hostile scripts log in with, to be
// looked for in every output.
const fakePassword = "Sekr3t-pa55word-XYZZY"

// cmdFakeserver starts the fake server of a script file and points imapctl
// at it: IMAPCTL_HOST, IMAPCTL_PORT, IMAPCTL_TLS (none, or implicit with
// IMAPCTL_CA_FILE set to the server's CA).
func cmdFakeserver(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: fakeserver SCRIPT")
	}
	slot, _ := ts.Value(fakeKey{}).(*fakeSlot)
	if slot == nil {
		ts.Fatalf("fakeserver: only in hostile scripts")
	}
	if slot.server != nil {
		slot.server.Close()
	}
	// ${VAR} in the script is the script's environment, e.g.
	// "mark: ${WORK}/x" ($tag and $caps belong to the fake server).
	text := scriptVar.ReplaceAllStringFunc(ts.ReadFile(args[0]), func(v string) string {
		return ts.Getenv(v[2 : len(v)-1])
	})
	script, err := fakeserver.ParseScript(text)
	ts.Check(err)
	s, err := fakeserver.Start(script)
	ts.Check(err)
	slot.server = s
	ts.Defer(func() { s.Close() })
	host, port, _ := net.SplitHostPort(s.Addr)
	caFile := ts.MkAbs("fake-ca.pem")
	ts.Check(os.WriteFile(caFile, s.CACertPEM, 0o644))
	ts.Setenv("IMAPCTL_HOST", host)
	ts.Setenv("IMAPCTL_PORT", port)
	ts.Setenv("IMAPCTL_TLS", script.TLS)
	ts.Setenv("IMAPCTL_CA_FILE", caFile)
}

// scriptVar is ${NAME} in a fake server script.
var scriptVar = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

func fakeServerOf(ts *testscript.TestScript) *fakeserver.Server {
	slot, _ := ts.Value(fakeKey{}).(*fakeSlot)
	if slot == nil || slot.server == nil {
		ts.Fatalf("no fake server started in this script")
	}
	return slot.server
}

// cmdFakelog prints the fake server's transcript (fakeserver.Transcript) to
// stdout, for stdout/! stdout checks.
func cmdFakelog(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 0 || neg {
		ts.Fatalf("usage: fakelog")
	}
	fmt.Fprint(ts.Stdout(), fakeServerOf(ts).Transcript())
}

// cmdFakecheck fails when the fake server received a command its script
// did not expect.
func cmdFakecheck(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 0 || neg {
		ts.Fatalf("usage: fakecheck")
	}
	s := fakeServerOf(ts)
	if u := s.Unexpected(); len(u) > 0 {
		ts.Fatalf("the fake server received %d unexpected commands; transcript:\n%s", len(u), s.Transcript())
	}
}

// TestDemo runs the demo program (make demo) with the built binary and
// checks that every step did what the demo expects and that it cleaned up.
func TestDemo(t *testing.T) {
	demo := filepath.Join(t.TempDir(), "demo")
	build := exec.Command(goTool(), "build", "-o", demo, "./demo")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./demo: %v\n%s", err, out)
	}
	tmp := t.TempDir()
	cmd := exec.Command(demo, "-imapctl", imapctlBinary)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, want := range []string{"$ imapctl list\n", "$ imapctl select INBOX\n", "$ imapctl fetch ", "maildir/cur/", "Demo finished"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if bytes.Contains(out, []byte("alice-secret")) {
		t.Errorf("demo output shows the password:\n%s", out)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("demo left %d entries in TMPDIR, e.g. %s", len(left), left[0].Name())
	}
}

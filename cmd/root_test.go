package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// runTest runs args on a fresh Factory with buffer streams and an empty
// environment, returning the exit status, stdout and stderr.
func runTest(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := Test()
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	code := run(context.Background(), args, f)
	return code, out.String(), errOut.String()
}

func TestUnknownFlagIsUsageError(t *testing.T) {
	code, out, errOut := runTest(t, nil, "--no-such-flag")
	if code != ExitUsage {
		t.Fatalf("run(--no-such-flag) = %d, want %d", code, ExitUsage)
	}
	if !strings.HasPrefix(errOut, "imapctl: ") {
		t.Errorf("stderr = %q, want an imapctl: line", errOut)
	}
	if out != "" {
		t.Errorf("stdout = %q, want nothing", out)
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	code, _, errOut := runTest(t, nil, "frobnicate")
	if code != ExitUsage {
		t.Fatalf("run(frobnicate) = %d, want %d (stderr %q)", code, ExitUsage, errOut)
	}
}

func TestHelpListsExitStatus(t *testing.T) {
	code, out, _ := runTest(t, nil, "--help")
	if code != ExitOK {
		t.Fatalf("run(--help) = %d, want 0", code)
	}
	for _, want := range []string{"EXIT STATUS", "130  interrupted", "3    authentication failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help output lacks %q", want)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runTest(t, nil, "version")
	if code != ExitOK || !strings.HasPrefix(out, "imapctl ") {
		t.Fatalf("version = %d %q", code, out)
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runTest(t, nil, "completion", shell)
		if code != ExitOK || !strings.Contains(out, "imapctl") {
			t.Errorf("completion %s = %d, stdout %d bytes, stderr %q", shell, code, len(out), errOut)
		}
	}
	if code, _, _ := runTest(t, nil, "completion", "powershell"); code != ExitUsage {
		t.Errorf("completion powershell = %d, want %d", code, ExitUsage)
	}
}

func TestFlagErrorHasHint(t *testing.T) {
	code, out, errOut := runTest(t, nil, "fetch", "--frobnicate", "INBOX")
	want := "imapctl: unknown flag: --frobnicate\nimapctl: hint: run 'imapctl fetch --help' for usage\n"
	if code != ExitUsage || out != "" || errOut != want {
		t.Errorf("fetch --frobnicate = %d, %q, %q; want 2 and %q", code, out, errOut, want)
	}
}

func TestInterruptedExits130AndWritesNothing(t *testing.T) {
	s := startTestServer(t)
	ios, _, out, errOut := Test()
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) { v, ok := s.env[k]; return v, ok }
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as if Ctrl-C came at once
	dir := filepath.Join(t.TempDir(), "out")
	code := run(ctx, []string{"fetch", "-o", dir, "--format", "maildir", "INBOX"}, f)
	if code != ExitInterrupted || out.Len() != 0 || errOut.String() != "imapctl: interrupted\n" {
		t.Errorf("interrupted fetch = %d, %q, %q; want 130", code, out.String(), errOut.String())
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("interrupted fetch created %s", dir)
	}
}

// Each subcommand in the list that builds the root is the command of that
// name.
func TestSubcommandNames(t *testing.T) {
	ios, _, _, _ := Test()
	f := NewFactory(ios)
	for _, sub := range subcommands() {
		if got := sub.build(f).Name(); got != sub.name {
			t.Errorf("subcommand %q builds %q", sub.name, got)
		}
	}
}

// A command line gives the same output, exit status and stderr whether the
// root holds every command or only the one newRootCmdFor builds.
func TestRootForOneCommandActsAsWholeTree(t *testing.T) {
	lines := [][]string{
		{"version"}, {"version", "x"}, {"--json", "version"}, {"-q", "version", "--help"},
		{"version", "-h"}, {"-h", "version"}, {"--bogus", "version"}, {"--", "version"},
		{"help", "fetch"}, {"help"}, {"--help"}, {}, {"fet"}, {"frobnicate", "version"},
		{"--host", "fetch", "list", "--help"}, {"--host=x", "list", "--help"}, {"--insecure", "list", "--help"},
		{"--user", "list", "fetch", "--frobnicate"}, {"acl", "--help"}, {"acl", "get", "--help"},
		{"acl", "frobnicate"}, {"fetch", "--frobnicate", "INBOX"}, {"fetch"}, {"store", "INBOX", "1"},
		{"raw", "CREATE {5}"}, {"__complete", "fetch", "--fo"}, {"__complete", ""},
		{"__completeNoDesc", "fe"}, {"man", "--help"}, {"completion", "--help"},
		{"--tls", "bogus", "capability"}, {"--port", "x", "list"}, {"-q", "--json", "backup"},
		{"check", "--jobs", "0"}, {"convert", "--bogus"},
	}
	for _, sub := range subcommands() {
		lines = append(lines, []string{sub.name, "--help"}, []string{sub.name, "--no-such-flag"})
	}
	env := map[string]string{"IMAPCTL_CONFIG": filepath.Join(t.TempDir(), "none.yaml")}
	for _, args := range lines {
		var outs [2]string
		for i, newRoot := range []func(*Factory, []string) *cobra.Command{
			func(f *Factory, _ []string) *cobra.Command { return NewRootCmd(f) },
			newRootCmdFor,
		} {
			ios, _, out, errOut := Test()
			f := NewFactory(ios)
			f.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			code := execute(context.Background(), f, newRoot(f, args), args)
			outs[i] = fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if outs[0] != outs[1] {
			t.Errorf("%q: whole tree:\n%s\none command:\n%s", args, outs[0], outs[1])
		}
	}
}

// newRootCmdFor builds only the command a line runs, and the whole tree
// where the line needs it.
func TestRootForOneCommandBuildsOne(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"version"}, 1}, {[]string{"--json", "-q", "list", "--help"}, 1},
		{[]string{"--host", "fetch", "list"}, 1}, {[]string{"fetch", "INBOX", "list"}, 1},
		{[]string{"help", "fetch"}, len(subcommands())}, {[]string{"completion", "bash"}, len(subcommands())},
		{[]string{"man", "dir"}, len(subcommands())}, {[]string{"--", "version"}, len(subcommands())},
		{[]string{"--host", "fetch"}, len(subcommands())}, {nil, len(subcommands())},
	} {
		ios, _, _, _ := Test()
		if got := len(newRootCmdFor(NewFactory(ios), tc.args).Commands()); got != tc.want {
			t.Errorf("%q: %d commands, want %d", tc.args, got, tc.want)
		}
	}
}

// Commands that only print get no signal handling; every other command
// line, and a command word that is really an argument, does.
func TestPrintsOnly(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"version"}, true},
		{[]string{"-q", "--json", "version"}, true},
		{[]string{"help"}, true},
		{[]string{"help", "fetch"}, true},
		{[]string{"completion", "bash"}, true},
		{[]string{"__complete", "fe"}, true},
		{[]string{"man"}, false}, // writes files
		{[]string{"fetch", "INBOX"}, false},
		{[]string{"convert", "version"}, false},
		{[]string{"--host", "version", "list"}, false},
		{[]string{}, false},
		{[]string{"frobnicate"}, false},
	} {
		ios, _, _, _ := Test()
		root := newRootCmdFor(NewFactory(ios), tt.args)
		if got := printsOnly(root, tt.args); got != tt.want {
			t.Errorf("%q: prints only = %v, want %v", tt.args, got, tt.want)
		}
	}
}

// TestMainInterrupted runs Main in a child process (this test binary)
// against a server that never greets and sends it SIGINT: the command
// ends with "imapctl: interrupted" and exit status 130.
func TestMainInterrupted(t *testing.T) {
	if os.Getenv("IMAPCTL_TEST_MAIN") != "" {
		os.Args = append([]string{"imapctl"}, strings.Fields(os.Getenv("IMAPCTL_TEST_MAIN"))...)
		os.Exit(Main())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c // held open, silent
		}
	}()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainInterrupted$")
	cmd.Env = append(os.Environ(), "IMAPCTL_TEST_MAIN=list", "IMAPCTL_HOST=127.0.0.1",
		"IMAPCTL_PORT="+strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), "IMAPCTL_TLS=none",
		"IMAPCTL_USER=u", "IMAPCTL_PASSWORD=p", "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-accepted: // the child is waiting for the greeting
		defer c.Close()
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the child never connected")
	}
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != ExitInterrupted || !strings.Contains(stderr.String(), "imapctl: interrupted") {
		t.Errorf("interrupted list: %v, stderr %q; want exit 130 and imapctl: interrupted", err, stderr.String())
	}
}

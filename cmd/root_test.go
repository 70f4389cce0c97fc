package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

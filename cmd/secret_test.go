package cmd

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSecretOrder(t *testing.T) {
	ios, _, _, errOut := Test()
	f := NewFactory(ios)
	env := map[string]string{}
	f.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	ctx := context.Background()

	s := &Settings{User: "u", Host: "h", PasswordCmd: "printf 'from-cmd\\nsecond line\\n'"}
	if got, err := f.secret(ctx, s); err != nil || got != "from-cmd" {
		t.Errorf("secret(password_cmd) = %q, %v; want first line %q", got, err, "from-cmd")
	}
	env["IMAPCTL_PASSWORD"] = "from-env"
	if got, err := f.secret(ctx, s); err != nil || got != "from-env" {
		t.Errorf("secret(IMAPCTL_PASSWORD) = %q, %v; want %q", got, err, "from-env")
	}
	s.Auth, s.TokenCmd = "xoauth2", "echo tok123"
	if got, err := f.secret(ctx, s); err != nil || got != "tok123" {
		t.Errorf("secret(token_cmd) = %q, %v; want %q", got, err, "tok123")
	}
	s.TokenCmd = ""
	if _, err := f.secret(ctx, s); err == nil {
		t.Error("secret(xoauth2 without token_cmd) = nil error")
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr = %q", errOut.String())
	}
}

func TestSecretCmdFailureHidesOutput(t *testing.T) {
	ios, _, _, _ := Test()
	f := NewFactory(ios)
	f.LookupEnv = func(string) (string, bool) { return "", false }
	s := &Settings{PasswordCmd: "echo hunter2; exit 3"}
	_, err := f.secret(context.Background(), s)
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "password_cmd failed") {
		t.Errorf("secret(failing cmd) = %v; want a password_cmd error without its output", err)
	}
	s = &Settings{}
	_, err = f.secret(context.Background(), s)
	if err == nil || hintOf(err) == "" {
		t.Errorf("secret(no terminal) = %v; want an error with a hint", err)
	}
}

func TestSecretFailureExitCodes(t *testing.T) {
	s := startTestServer(t)
	// A failing password_cmd: authentication cannot happen, exit 3.
	code, _, errOut := s.run(t, map[string]string{"IMAPCTL_PASSWORD": "", "IMAPCTL_PASSWORD_CMD": "exit 7"}, "list")
	if code != ExitAuth || !strings.Contains(errOut, "password_cmd failed") {
		t.Errorf("failing password_cmd = %d %q; want 3", code, errOut)
	}
	// No password source and no terminal: a usage error with a hint.
	code, _, errOut = s.run(t, map[string]string{"IMAPCTL_PASSWORD": ""}, "list")
	if code != ExitUsage || !strings.Contains(errOut, "imapctl: hint: set IMAPCTL_PASSWORD") {
		t.Errorf("no password = %d %q; want 2 with a hint", code, errOut)
	}
}

// Cancelling (Ctrl-C, a deadline) ends a password_cmd at once, even when a
// background child it started still holds its stdout: imapctl does not
// wait for the child.
func TestSecretCmdCancelledDespiteBackgroundChild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var stderr bytes.Buffer
	start := time.Now()
	_, err := runSecretCmd(ctx, "password_cmd", "sleep 6 & sleep 5; echo pw", &stderr)
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("runSecretCmd cancelled after 300ms = %v, want the context's error", err)
	}
	if elapsed > 3*time.Second {
		t.Errorf("runSecretCmd cancelled after 300ms returned after %v, want about a second at most", elapsed)
	}
}

// A command that exits after printing the secret is not waited for beyond
// its own exit because a background child it left keeps stdout open.
func TestSecretCmdBackgroundChildAfterSecret(t *testing.T) {
	var stderr bytes.Buffer
	start := time.Now()
	got, err := runSecretCmd(context.Background(), "password_cmd", "sleep 6 & echo pw", &stderr)
	if err != nil || got != "pw" {
		t.Errorf("runSecretCmd(sleep 6 & echo pw) = %q, %v; want %q", got, err, "pw")
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("runSecretCmd(sleep 6 & echo pw) returned after %v, want about a second at most", elapsed)
	}
}

// What a password_cmd or token_cmd prints is bounded (64 KiB): more is an
// error that names the setting and shows none of the output, returned
// without waiting for the command to finish on its own.
func TestSecretCmdOutputBounded(t *testing.T) {
	for _, command := range []string{
		"yes", // endless output
		"head -c 70000 /dev/zero | tr '\\0' x; echo", // one line longer than 64 KiB
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		var stderr bytes.Buffer
		_, err := runSecretCmd(ctx, "token_cmd", command, &stderr)
		cancel()
		if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "token_cmd") || !strings.Contains(err.Error(), "64 KiB") {
			t.Errorf("runSecretCmd(%q) = %v; want an error naming token_cmd and its 64 KiB limit", command, err)
		} else if strings.Contains(err.Error(), "yy") || strings.Contains(err.Error(), "xx") || strings.Contains(err.Error(), "y\n") {
			t.Errorf("runSecretCmd(%q) error %q shows the output", command, err)
		}
	}
}

// TestReadSecretCancellable: Ctrl-C (ctx cancelled) while the read of a
// password is blocked ends the wait at once: the terminal is restored
// (echo back, a newline) and the context's error comes back, which Main
// reports as "imapctl: interrupted", exit 130.
func TestReadSecretCancellable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	restored := 0
	read := func() ([]byte, error) {
		close(started)
		<-release // a user who never presses Enter
		return []byte("late"), nil
	}
	go func() { <-started; cancel() }()
	secret, err := readSecretCancellable(ctx, read, func() { restored++ })
	if !errors.Is(err, context.Canceled) || secret != nil || restored != 1 {
		t.Errorf("readSecretCancellable(cancelled) = %q, %v, terminal restored %d times; want context.Canceled, restored once", secret, err, restored)
	}

	restored = 0
	secret, err = readSecretCancellable(context.Background(), func() ([]byte, error) { return []byte("hunter2"), nil }, func() { restored++ })
	if err != nil || string(secret) != "hunter2" || restored != 0 {
		t.Errorf("readSecretCancellable = %q, %v, restored %d times; want the secret, no restore (the read restores)", secret, err, restored)
	}
}

// TestSecretPromptInterrupted: an interrupted prompt is not a usage error
// with a hint: the context's error goes up as it is.
func TestSecretPromptInterrupted(t *testing.T) {
	ios, _, _, _ := Test()
	ios.ReadSecret = func(string) ([]byte, error) { return nil, context.Canceled }
	f := NewFactory(ios)
	f.LookupEnv = func(string) (string, bool) { return "", false }
	_, err := f.secret(context.Background(), &Settings{User: "alice", Host: "h"})
	var usage *UsageError
	if !errors.Is(err, context.Canceled) || errors.As(err, &usage) || hintOf(err) != "" {
		t.Errorf("secret(prompt interrupted) = %v; want context.Canceled, no usage error, no hint", err)
	}
}

package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// isTokenAuth reports whether mechanism authenticates with an OAuth2
// access token instead of a password (RFC 7628, Google's XOAUTH2).
func isTokenAuth(mechanism string) bool {
	return mechanism == "xoauth2" || mechanism == "oauthbearer"
}

// secret returns the password (or OAuth2 token) for s. The order is
// IMAPCTL_PASSWORD, password_cmd, then a prompt on the terminal; for
// XOAUTH2/OAUTHBEARER it is token_cmd. The secret never appears in an
// error message: a failing command is named by its setting, not by output.
func (f *Factory) secret(ctx context.Context, s *Settings) (string, error) {
	if isTokenAuth(s.Auth) {
		if s.TokenCmd == "" {
			return "", usageErrorf("--auth %s needs an access token: set token_cmd or --token-cmd", s.Auth)
		}
		return runSecretCmd(ctx, "token_cmd", s.TokenCmd, f.IOStreams.ErrOut)
	}
	if p, ok := f.LookupEnv("IMAPCTL_PASSWORD"); ok && p != "" {
		return p, nil
	}
	if s.PasswordCmd != "" {
		return runSecretCmd(ctx, "password_cmd", s.PasswordCmd, f.IOStreams.ErrOut)
	}
	prompt := fmt.Sprintf("Password for %s@%s: ", s.User, s.Host)
	p, err := f.IOStreams.ReadSecret(prompt)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return "", err // Ctrl-C at the prompt: imapctl ends as interrupted
		}
		return "", withHint(&UsageError{err}, "set IMAPCTL_PASSWORD or password_cmd in the config file")
	}
	return string(p), nil
}

// maxSecretOutput bounds what password_cmd and token_cmd may print in
// all: a password is one line, an OAuth2 access token a few KiB. More is
// an error, so that a runaway command (yes) cannot grow our memory.
const maxSecretOutput = 64 << 10

// secretCmdWaitDelay is how long Run waits for the command's output to end
// once the command has exited or was killed: a background child that
// inherited its stdout would otherwise keep imapctl waiting (also after
// Ctrl-C).
const secretCmdWaitDelay = time.Second

// errSecretOutputTooLong stops copying a command's output past
// maxSecretOutput.
var errSecretOutputTooLong = errors.New("secret command output too long")

// secretOutput collects a secret command's stdout up to maxSecretOutput;
// past it, it stops the command.
type secretOutput struct {
	buf  []byte
	over bool
	stop func()
}

func (o *secretOutput) Write(p []byte) (int, error) {
	if len(o.buf)+len(p) > maxSecretOutput {
		o.over = true
		o.stop()
		return 0, errSecretOutputTooLong
	}
	o.buf = append(o.buf, p...)
	return len(p), nil
}

// runSecretCmd runs command with sh -c and returns the first line of its
// output. Its stderr goes to ours (gpg and pass talk there); its stdin is
// empty so that it cannot swallow message data meant for imapctl. Its
// environment is ours without IMAPCTL_PASSWORD (childEnv): the password
// never reaches a child process.
//
// There is deliberately no time limit: the command may be waiting for a
// human at a GPG pinentry prompt. Cancelling ctx (Ctrl-C) ends it, and
// neither a background child holding its stdout nor endless output
// (maxSecretOutput) can keep imapctl waiting.
func runSecretCmd(ctx context.Context, setting, command string, stderr io.Writer) (string, error) {
	cmdCtx, stop := context.WithCancel(ctx)
	defer stop()
	c := exec.CommandContext(cmdCtx, "sh", "-c", command)
	c.Env = childEnv(os.Environ())
	c.WaitDelay = secretCmdWaitDelay
	out := &secretOutput{stop: stop}
	c.Stdout = out
	c.Stderr = stderr
	err := c.Run()
	switch {
	case out.over:
		// Never show the output: it may be the secret.
		return "", fmt.Errorf("%s printed more than %d KiB; it must print the secret on its first line", setting, maxSecretOutput>>10)
	case ctx.Err() != nil:
		return "", ctx.Err()
	case errors.Is(err, exec.ErrWaitDelay):
		// The command exited successfully; a child it left in the
		// background still held stdout. What it printed stands.
	case err != nil:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", fmt.Errorf("%s failed: %s", setting, exit.ProcessState)
		}
		return "", fmt.Errorf("%s failed: %v", setting, err)
	}
	line, _, _ := strings.Cut(string(out.buf), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("%s printed nothing", setting)
	}
	return line, nil
}

// secretEnvVars are the environment variables that hold a secret and are
// never passed to a child process.
var secretEnvVars = []string{"IMAPCTL_PASSWORD"}

// childEnv returns environ (KEY=value entries) without the secret
// variables, for the environment of a child process. password_cmd only runs
// when IMAPCTL_PASSWORD is unset or empty, so every child gets it.
func childEnv(environ []string) []string {
	env := make([]string, 0, len(environ))
	for _, kv := range environ {
		key, _, _ := strings.Cut(kv, "=")
		if !contains(secretEnvVars, key) {
			env = append(env, kv)
		}
	}
	return env
}

package cmd

import (
	"context"
	"strings"
	"testing"
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

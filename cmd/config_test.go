package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/policy"
	"github.com/spf13/cobra"
)

const testConfig = `default_account: work
timeout: 10s
policies:
  mail: "SMTP+strict,max_line_length=100"
accounts:
  work:
    host: imap.work.example
    user: alice
    tls: starttls
    password_cmd: "echo secret"
  home:
    host: imap.home.example
    port: 1993
    user: bob
`

// settingsFor parses args with the root command on a factory with env and
// returns the resolved settings and stderr.
func settingsFor(t *testing.T, env map[string]string, args ...string) (*Settings, error, string) {
	t.Helper()
	ios, _, _, errOut := Test()
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	var got *Settings
	var gotErr error
	root := NewRootCmd(f)
	root.AddCommand(&cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error {
		got, gotErr = f.Settings()
		return nil
	}})
	root.SetArgs(append([]string{"probe"}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("Execute(%q) = %v", args, err)
	}
	return got, gotErr, errOut.String()
}

func writeConfig(t *testing.T, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(testConfig), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSettingsPrecedence(t *testing.T) {
	path := writeConfig(t, 0o600)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want Settings
	}{
		{"default account from file", nil, []string{"--config", path},
			Settings{Account: "work", Host: "imap.work.example", User: "alice", TLS: "starttls", Port: 143, Timeout: 10 * time.Second}},
		{"named account", nil, []string{"--config", path, "--account", "home"},
			Settings{Account: "home", Host: "imap.home.example", User: "bob", TLS: "implicit", Port: 1993, Timeout: 10 * time.Second}},
		{"env beats file", map[string]string{"IMAPCTL_HOST": "env.example", "IMAPCTL_ACCOUNT": "home"}, []string{"--config", path},
			Settings{Account: "home", Host: "env.example", User: "bob", TLS: "implicit", Port: 1993, Timeout: 10 * time.Second}},
		{"flag beats env", map[string]string{"IMAPCTL_HOST": "env.example", "IMAPCTL_PORT": "1"}, []string{"--config", path, "--host", "flag.example", "--port", "2"},
			Settings{Account: "work", Host: "flag.example", User: "alice", TLS: "starttls", Port: 2, Timeout: 10 * time.Second}},
		{"config from env", map[string]string{"IMAPCTL_CONFIG": path}, []string{"--tls", "none"},
			Settings{Account: "work", Host: "imap.work.example", User: "alice", TLS: "none", Port: 143, Timeout: 10 * time.Second}},
		{"no config: defaults", map[string]string{"XDG_CONFIG_HOME": t.TempDir()}, []string{"--host", "h"},
			Settings{Host: "h", TLS: "implicit", Port: 993, Timeout: 30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err, _ := settingsFor(t, tt.env, tt.args...)
			if err != nil {
				t.Fatalf("Settings() = %v", err)
			}
			if got.Account != tt.want.Account || got.Host != tt.want.Host || got.User != tt.want.User ||
				got.TLS != tt.want.TLS || got.Port != tt.want.Port || got.Timeout != tt.want.Timeout {
				t.Errorf("Settings() = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestSettingsNamedPolicies(t *testing.T) {
	got, err, _ := settingsFor(t, nil, "--config", writeConfig(t, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	if got.Policies["mail"] != "SMTP+strict,max_line_length=100" {
		t.Errorf("Policies = %v", got.Policies)
	}
	if got.PasswordCmd != "echo secret" {
		t.Errorf("PasswordCmd = %q", got.PasswordCmd)
	}
}

func TestSettingsWorldReadableConfigWarns(t *testing.T) {
	path := writeConfig(t, 0o644)
	_, err, errOut := settingsFor(t, nil, "--config", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(errOut, "imapctl: warning: config file "+path) {
		t.Errorf("stderr = %q, want a warning about the mode", errOut)
	}
	_, _, errOut = settingsFor(t, nil, "--config", writeConfig(t, 0o600))
	if errOut != "" {
		t.Errorf("stderr for a 0600 file = %q, want nothing", errOut)
	}
}

func TestSettingsErrorsAreUsageErrors(t *testing.T) {
	path := writeConfig(t, 0o600)
	for _, args := range [][]string{
		{"--config", path, "--tls", "ssl"},
		{"--config", path, "--auth", "gssapi"},
		{"--config", path, "--timeout", "soon"},
		{"--config", path, "--account", "nosuch"},
		{"--config", filepath.Join(t.TempDir(), "missing.yaml")},
	} {
		_, err, _ := settingsFor(t, nil, args...)
		if code := exitCode(t.Context(), err); err == nil || code != ExitUsage {
			t.Errorf("Settings(%q) = %v (exit %d), want a usage error", args, err, code)
		}
	}
}

// TestConfigExample keeps config.example.yaml loadable: every account
// resolves and every named policy parses.
func TestConfigExample(t *testing.T) {
	data, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, account := range []string{"", "work", "gmail", "local"} {
		args := []string{"--config", path}
		if account != "" {
			args = append(args, "--account", account)
		}
		s, err, errOut := settingsFor(t, nil, args...)
		if err != nil || errOut != "" {
			t.Fatalf("Settings(%q) = %v, stderr %q", args, err, errOut)
		}
		if s.Host == "" || s.User == "" {
			t.Errorf("Settings(%q) = %+v, want host and user", args, *s)
		}
		if account == "local" && (s.Port != 1143 || s.TLS != "starttls" || !s.Insecure) {
			t.Errorf("account local = %+v", *s)
		}
		if account == "gmail" && (s.Auth != "xoauth2" || s.TokenCmd == "" || s.Port != 993) {
			t.Errorf("account gmail = %+v", *s)
		}
	}
	s, _, _ := settingsFor(t, nil, "--config", path)
	if len(s.Policies) == 0 {
		t.Fatal("no named policies in the example")
	}
	for name, spec := range s.Policies {
		if _, err := policy.ParseSpec(name, s.Policies); err != nil {
			t.Errorf("named policy %s = %q: %v", name, spec, err)
		}
	}
}

func TestSettingsExpandHome(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".config", "imapctl"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := "host: h\nca_file: ~/ca.pem\n"
	if err := os.WriteFile(filepath.Join(home, "my.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err, _ := settingsFor(t, map[string]string{"HOME": home}, "--config", "~/my.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.CAFile != filepath.Join(home, "ca.pem") || s.ConfigFile != filepath.Join(home, "my.yaml") {
		t.Errorf("CAFile = %q, ConfigFile = %q; want them under %s", s.CAFile, s.ConfigFile, home)
	}
}

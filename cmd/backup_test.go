package cmd

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/backup"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

func TestBackupFlags(t *testing.T) {
	ios, _, _, _ := Test()
	f := NewFactory(ios)
	var got *BackupOptions
	cmd := NewBackupCmd(f, func(o *BackupOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--out", "/tmp/b", "--account", "work", "--account", "home", "--mailbox", "INBOX", "--exclude", "Trash", "--format", "mbox", "-j", "3", "--on-uidvalidity-change", "refetch", "--prune"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Out != "/tmp/b" || strings.Join(got.AccountNames, ",") != "work,home" || got.Format != "mbox" || got.Jobs != 3 ||
		got.OnUIDValidityChange != "refetch" || !got.Prune || got.Mailboxes[0] != "INBOX" || got.Exclude[0] != "Trash" {
		t.Errorf("options = %+v", got)
	}
	for _, args := range [][]string{{}, {"--out", "x", "--format", "zip"}, {"--out", "x", "--on-uidvalidity-change", "maybe"}, {"--out", "x", "--jobs", "0"}} {
		cmd := NewBackupCmd(f, func(*BackupOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.Execute(); err == nil {
			t.Errorf("backup %q accepted", args)
		}
	}
}

func TestBackupVerifyRestoreCommands(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	dir := t.TempDir()
	code, out, errOut := s.run(t, nil, "backup", "--out", dir)
	if code != 0 || !strings.HasPrefix(out, "backup: ") || errOut != "" {
		t.Fatalf("backup = %d, %q, %q", code, out, errOut)
	}
	// --quiet: nothing on success; --json: one object.
	code, out, errOut = s.run(t, nil, "backup", "--out", dir, "--quiet")
	if code != 0 || out != "" || errOut != "" {
		t.Fatalf("backup --quiet = %d, %q, %q", code, out, errOut)
	}
	code, out, _ = s.run(t, nil, "backup", "--out", dir, "--json")
	var sum backup.Summary
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.Mailboxes != len(s.Mailboxes) || sum.NewMessages != 0 {
		t.Fatalf("backup --json = %d, %q", code, out)
	}

	code, out, errOut = s.run(t, nil, "verify", dir, "--deep")
	if code != 0 || !strings.Contains(out, "backup and server match") {
		t.Fatalf("verify = %d, %q, %q", code, out, errOut)
	}
	// Tamper with one stored message: verify names it and exits 6.
	acctDir := filepath.Join(dir, backup.EscapeName(s.Username+"@127.0.0.1"))
	files, _ := filepath.Glob(filepath.Join(acctDir, "INBOX", "cur", "*"))
	if len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join(acctDir, "INBOX", "new", "*"))
	}
	if len(files) == 0 {
		t.Fatal("no message files in the INBOX backup")
	}
	data, _ := os.ReadFile(files[0])
	data[len(data)/2] ^= 0x20
	os.WriteFile(files[0], data, 0o600)
	code, out, errOut = s.run(t, nil, "verify", dir)
	if code != ExitPartial || !strings.Contains(out, "INBOX: UID ") || !strings.Contains(out, "file-changed") {
		t.Fatalf("verify after tampering = %d, %q, %q", code, out, errOut)
	}
	data[len(data)/2] ^= 0x20
	os.WriteFile(files[0], data, 0o600)

	// Restore into an empty account, verify against it, rerun: nothing.
	empty, err := memserver.Start(memserver.Options{Username: "bob", Password: "bob-secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	host, port, _ := net.SplitHostPort(empty.Addr)
	env := map[string]string{"IMAPCTL_HOST": host, "IMAPCTL_PORT": port, "IMAPCTL_USER": "bob", "IMAPCTL_PASSWORD": "bob-secret"}
	code, out, errOut = s.run(t, env, "restore", dir)
	if code != 0 || !strings.Contains(out, "already there") || strings.Contains(out, " 0 messages uploaded") {
		t.Fatalf("restore = %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = s.run(t, env, "verify", dir, "--quiet")
	if code != 0 || out != "" {
		t.Fatalf("verify of the restored account = %d, %q, %q", code, out, errOut)
	}
	code, out, errOut = s.run(t, env, "restore", dir, "--json")
	var rs backup.RestoreSummary
	if code != 0 || json.Unmarshal([]byte(out), &rs) != nil || rs.Uploaded != 0 || rs.Skipped == 0 {
		t.Fatalf("restore rerun = %d, %q, %q", code, out, errOut)
	}
}

func TestCheckCommand(t *testing.T) {
	s := startTestServer(t, memserver.Options{TLS: true})
	code, out, errOut := s.run(t, nil, "check", "--json")
	var r backup.CheckResult
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Status != backup.CheckOK || r.InboxMessages != uint32(len(s.MessagesIn("INBOX"))) || len(r.Capabilities) == 0 || r.TLSVersion != "" {
		t.Fatalf("check = %d, %q, %q", code, out, errOut)
	}
	// Implicit TLS: the version and the certificate's expiry are reported.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, s.CACertPEM, 0o600)
	_, tlsPort, _ := net.SplitHostPort(s.TLSAddr)
	tlsEnv := map[string]string{"IMAPCTL_TLS": "implicit", "IMAPCTL_PORT": tlsPort, "IMAPCTL_CA_FILE": ca}
	code, out, errOut = s.run(t, tlsEnv, "check", "--json", "--warn-cert-days", "0")
	r = backup.CheckResult{}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || !strings.HasPrefix(r.TLSVersion, "TLS 1.") || r.CertDaysLeft == nil || r.CertNotAfter.IsZero() {
		t.Fatalf("check over TLS = %d, %q, %q", code, out, errOut)
	}
	// A certificate expiring within the threshold exits 6.
	code, out, errOut = s.run(t, tlsEnv, "check", "--warn-cert-days", itoaPort(*r.CertDaysLeft+1))
	if code != ExitPartial || !strings.Contains(out, "warning: certificate expires") || !strings.Contains(errOut, "1 of 1 accounts crossed a warning threshold") {
		t.Errorf("check with a certificate threshold = %d, %q", code, out)
	}
	code, _, errOut = s.run(t, map[string]string{"IMAPCTL_PASSWORD": "wrong"}, "check")
	if code != ExitAuth {
		t.Errorf("check with a wrong password = %d (%q), want %d", code, errOut, ExitAuth)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	code, _, errOut = s.run(t, map[string]string{"IMAPCTL_PORT": itoaPort(addr.Port)}, "check")
	if code != ExitConnection {
		t.Errorf("check of a closed port = %d (%q), want %d", code, errOut, ExitConnection)
	}
}

func itoaPort(p int) string { b, _ := json.Marshal(p); return string(b) }

// TestBackupSeveralAccounts backs up two accounts of a config file in one
// run: each gets its folder under its config name, with its own settings.
func TestBackupSeveralAccounts(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	host, port, _ := net.SplitHostPort(s.Addr)
	config := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(config, []byte(`accounts:
  work:
    host: `+host+`
    port: `+port+`
    tls: none
    user: `+s.Username+`
  home:
    host: `+host+`
    port: `+port+`
    tls: none
    user: `+s.Username+`
`), 0o600)
	env := map[string]string{"IMAPCTL_CONFIG": config, "IMAPCTL_PASSWORD": s.Password}
	dir := t.TempDir()
	code, out, errOut := runTest(t, env, "backup", "--out", dir, "--account", "work", "--account", "home", "--mailbox", "INBOX", "--json")
	var sum backup.Summary
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.Accounts != 2 || sum.NewMessages != 2*len(s.MessagesIn("INBOX")) {
		t.Fatalf("backup of two accounts = %d, %q, %q", code, out, errOut)
	}
	for _, name := range []string{"work", "home"} {
		if _, err := os.Stat(filepath.Join(dir, name, "INBOX", backup.StateFileName)); err != nil {
			t.Error(err)
		}
		// verify picks the account's folder by the global --account.
		if code, out, errOut := runTest(t, env, "verify", dir, "--account", name); code != 0 {
			t.Errorf("verify --account %s = %d, %q, %q", name, code, out, errOut)
		}
	}
	code, out, _ = runTest(t, env, "check", "--all-accounts")
	if code != 0 || strings.Count(out, ": ok, ") != 2 {
		t.Errorf("check --all-accounts = %d, %q", code, out)
	}
	// A second run on a locked folder fails with a hint.
	lock, err := backup.AcquireLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	code, _, errOut = runTest(t, env, "backup", "--out", dir, "--account", "work")
	if code == 0 || !strings.Contains(errOut, "locked by process") {
		t.Errorf("backup of a locked folder = %d, %q", code, errOut)
	}
}

// TestBackupFailedMessagesExit6 backs up under a policy that cannot write
// some messages: exit 6, each failed message named on stderr, the others
// stored.
func TestBackupFailedMessagesExit6(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	dir := t.TempDir()
	code, out, errOut := s.run(t, nil, "backup", "--out", dir, "--mailbox", "Corpus/*", "--policy", "default", "--jobs", "3")
	if code != ExitPartial {
		t.Fatalf("backup = %d, %q, %q; want exit 6", code, out, errOut)
	}
	if !strings.Contains(errOut, "imapctl: failed: alice@127.0.0.1: Corpus/") || !strings.Contains(errOut, ": UID ") {
		t.Errorf("stderr %q does not name the failed messages", errOut)
	}
	if !strings.HasPrefix(out, "backup: ") {
		t.Errorf("stdout %q: want the summary line", out)
	}
}

package cmd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/backup"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// TestBackupUsesGlobalConnectionFlags checks that backup, verify and check
// connect where the global flags say, with nothing but the password in the
// environment.
func TestBackupUsesGlobalConnectionFlags(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	conn := []string{"--host", s.env["IMAPCTL_HOST"], "--port", s.env["IMAPCTL_PORT"], "--tls", "none", "--user", s.Username}
	dir := t.TempDir()
	code, out, errOut := runTest(t, map[string]string{"IMAPCTL_PASSWORD": s.Password}, append([]string{"backup", "--out", dir}, conn...)...)
	if code != 0 || !strings.HasPrefix(out, "backup: ") {
		t.Fatalf("backup with flags = %d, %q, %q", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, backup.EscapeName(s.Username+"@"+s.env["IMAPCTL_HOST"]), "INBOX", "*", "*"))
	if want := len(s.MessagesIn("INBOX")); len(files) != want {
		t.Errorf("backup stored %d INBOX files, want the server's %d", len(files), want)
	}
	code, out, errOut = runTest(t, map[string]string{"IMAPCTL_PASSWORD": s.Password}, append([]string{"verify", dir, "--deep"}, conn...)...)
	if code != 0 {
		t.Fatalf("verify with flags = %d, %q, %q", code, out, errOut)
	}
}

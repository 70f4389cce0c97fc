package cmd

import (
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

func TestBackupOtherPolicyIsUsageError(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	dir := t.TempDir()
	if code, out, errOut := s.run(t, nil, "backup", "--out", dir, "--mailbox", "INBOX"); code != 0 {
		t.Fatalf("backup = %d, %q, %q", code, out, errOut)
	}
	code, out, errOut := s.run(t, nil, "--policy", `raw,linesep=\r\n`, "backup", "--out", dir, "--mailbox", "INBOX")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, `was backed up under --policy "raw"`) || !strings.Contains(errOut, "imapctl: hint: run with --policy \"raw\"") {
		t.Fatalf("backup under another policy = %d, %q, %q; want exit 2 naming the folder's policy", code, out, errOut)
	}
	if n := strings.Count(errOut, "\n"); n != 2 {
		t.Errorf("stderr %q: want the error and its hint", errOut)
	}
	// IMAPCTL_POLICY is the same choice.
	if code, _, errOut := s.run(t, map[string]string{"IMAPCTL_POLICY": "default"}, "backup", "--out", dir); code != ExitUsage {
		t.Errorf("backup with IMAPCTL_POLICY=default = %d, %q; want exit 2", code, errOut)
	}
	if code, out, errOut := s.run(t, nil, "verify", dir, "--deep"); code != 0 || !strings.Contains(out, "backup and server match") {
		t.Errorf("verify --deep = %d, %q, %q", code, out, errOut)
	}
}

package backup

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

func TestBackupMemServerFirstRun(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	sum, err := Run(context.Background(), Options{Dir: dir, Accounts: []Account{acct}})
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if sum.NewMessages != len(s.Messages) {
		t.Errorf("NewMessages = %d, want %d (seeded)", sum.NewMessages, len(s.Messages))
	}
	t.Logf("%+v", sum)
	inbox := filepath.Join(dir, EscapeName(acct.Name), "INBOX")
	man, err := readManifest(inbox, false)
	if err != nil {
		t.Fatal(err)
	}
	want := s.MessagesIn("INBOX")
	if len(man.Messages) != len(want) {
		t.Fatalf("INBOX manifest has %d messages, want %d", len(man.Messages), len(want))
	}
	for _, m := range want {
		e := man.Messages[m.UID]
		if e == nil {
			t.Errorf("UID %d missing from the manifest", m.UID)
			continue
		}
		if e.Size != m.Size {
			t.Errorf("UID %d size = %d, want %d", m.UID, e.Size, m.Size)
		}
		if _, err := os.Stat(filepath.Join(inbox, e.File)); err != nil {
			t.Error(err)
		}
	}
}

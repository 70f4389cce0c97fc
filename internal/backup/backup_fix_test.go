package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

func TestBackupCountsOnlyCommittedMessages(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	inbox := filepath.Join(dir, EscapeName(acct.Name), "INBOX")
	if len(s.MessagesIn("INBOX")) == 0 {
		t.Fatal("no seeded INBOX messages")
	}
	var once sync.Once
	opts := Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}, BatchMessages: 1}
	opts.crashPoint = func(step string) {
		if step == "files committed" {
			// A folder where the manifest goes: its append fails.
			once.Do(func() { os.Mkdir(filepath.Join(inbox, ManifestFileName), 0o700) })
		}
	}
	sum, err := Run(context.Background(), opts)
	var pe *PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("Run with a failing commit = %v, want *PartialError", err)
	}
	if sum.NewMessages != 0 || sum.Bytes != 0 {
		t.Errorf("summary counts %d new messages, %d bytes; nothing was committed", sum.NewMessages, sum.Bytes)
	}
	for _, r := range sum.MailboxReports {
		if r.New != 0 {
			t.Errorf("report %+v counts new messages; nothing was committed", r)
		}
	}
}

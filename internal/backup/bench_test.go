package backup

import (
	"context"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// BenchmarkBackupFirstRun backs up the in-memory server's corpus (307
// messages in 17 mailboxes) into a fresh folder.
func BenchmarkBackupFirstRun(b *testing.B) {
	s := memserver.StartT(b, memserver.Options{})
	acct := memAccount(b, s)
	for b.Loop() {
		if _, err := Run(context.Background(), Options{Dir: b.TempDir(), Accounts: []Account{acct}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBackupNoChange reruns a complete backup: LIST, one pipelined
// STATUS per mailbox, and the local reconcile.
func BenchmarkBackupNoChange(b *testing.B) {
	s := memserver.StartT(b, memserver.Options{})
	acct := memAccount(b, s)
	dir := b.TempDir()
	if _, err := Run(context.Background(), Options{Dir: dir, Accounts: []Account{acct}}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		sum, err := Run(context.Background(), Options{Dir: dir, Accounts: []Account{acct}})
		if err != nil || sum.Changed != 0 {
			b.Fatalf("%+v, %v", sum, err)
		}
	}
}

package backup

import (
	"context"
	"testing"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// memAccount is an Account on go-imap's in-memory server over plain TCP.
func memAccount(t testing.TB, s *memserver.Server, opts ...imap.Options) Account {
	var o imap.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.TLS = imap.TLSNone
	return Account{
		Name: s.Username + "@memserver",
		User: s.Username,
		Host: "127.0.0.1",
		Connect: func(ctx context.Context) (*imap.Client, error) {
			c, err := imap.Dial(ctx, s.Addr, o)
			if err != nil {
				return nil, err
			}
			if err := c.Login(ctx, s.Username, s.Password); err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		},
	}
}

// client returns a logged-in client of acct, closed when t ends.
func client(t testing.TB, acct Account) *imap.Client {
	t.Helper()
	c, err := acct.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

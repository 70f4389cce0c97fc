package imap

import (
	"context"
	"net"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// startGoIMAPServer starts go-imap's in-memory server on a loopback port
// with user "joe" / "pässword" and returns its address.
func startGoIMAPServer(t *testing.T, caps goimap.CapSet) (string, *imapmemserver.User) {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("joe", "pässword")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	if caps == nil {
		caps = goimap.CapSet{goimap.CapIMAP4rev1: {}}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession:   func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) { return mem.NewSession(), nil, nil },
		Caps:         caps,
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), user
}

func TestGoIMAPServerLoginSelectListLogout(t *testing.T) {
	addr, _ := startGoIMAPServer(t, nil)
	ctx := context.Background()
	c, err := Dial(ctx, addr, Options{TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx, "joe", "pässword"); err != nil {
		t.Fatalf("Login = %v", err)
	}
	if err := c.Create(ctx, "Entwürfe"); err != nil {
		t.Fatalf("Create = %v", err)
	}
	list, err := c.List(ctx, "", "*", nil)
	if err != nil {
		t.Fatalf("List = %v", err)
	}
	names := map[string]bool{}
	for _, m := range list {
		names[m.Name] = true
	}
	if !names["INBOX"] || !names["Entwürfe"] {
		t.Errorf("List = %v, want INBOX and Entwürfe", names)
	}
	mb, err := c.Select(ctx, "INBOX", nil)
	if err != nil {
		t.Fatalf("Select = %v", err)
	}
	if mb.Exists != 0 || mb.UIDValidity == 0 {
		t.Errorf("Select = %+v", mb)
	}
	if err := c.Logout(ctx); err != nil {
		t.Errorf("Logout = %v", err)
	}
}

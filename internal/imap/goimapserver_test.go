package imap

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
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
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
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

// A message go-imap's memserver serves faithfully: it has a header/body
// blank line and CRLF line ends.
const testMessage = "From: Joe <joe@example.org>\r\nTo: Ann <ann@example.org>\r\nSubject: hello\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <1@example.org>\r\n\r\nHello, Ann.\r\n"

func TestGoIMAPServerAppendFetchSearchStoreMove(t *testing.T) {
	addr, _ := startGoIMAPServer(t, goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapUIDPlus: {}, goimap.CapMove: {}, goimap.CapESearch: {}, goimap.CapLiteralPlus: {}, goimap.CapIdle: {}, goimap.CapUnselect: {}, goimap.CapNamespace: {}, goimap.CapListStatus: {}})
	ctx := context.Background()
	c, err := Dial(ctx, addr, Options{TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Authenticate(ctx, PlainAuth("", "joe", "pässword")); err != nil {
		t.Fatalf("Authenticate(PLAIN) = %v", err)
	}
	for i := 0; i < 3; i++ {
		res, err := c.Append(ctx, "INBOX", int64(len(testMessage)), strings.NewReader(testMessage), &AppendOptions{Flags: []string{`\Seen`}})
		if err != nil {
			t.Fatalf("Append = %v", err)
		}
		if res.UID != uint32(i+1) {
			t.Errorf("Append UID = %d, want %d", res.UID, i+1)
		}
	}
	if err := c.Create(ctx, "Archive"); err != nil {
		t.Fatal(err)
	}
	mb, err := c.Select(ctx, "INBOX", nil)
	if err != nil || mb.Exists != 3 {
		t.Fatalf("Select = %+v, %v", mb, err)
	}
	var bodies []string
	err = c.Fetch(ctx, AllSeq(), &FetchOptions{UID: true, Flags: true, RFC822Size: true, InternalDate: true, Envelope: true, BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
		b, err := m.NextBody()
		if err != nil || b == nil {
			return fmt.Errorf("NextBody = %v, %v", b, err)
		}
		data, err := io.ReadAll(b)
		if err != nil {
			return err
		}
		bodies = append(bodies, string(data))
		if m.UID == 0 || m.Envelope == nil || m.Envelope.Subject != "hello" || m.RFC822Size != int64(len(testMessage)) {
			return fmt.Errorf("message %d: UID %d, envelope %+v, size %d", m.SeqNum, m.UID, m.Envelope, m.RFC822Size)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	if len(bodies) != 3 || bodies[0] != testMessage {
		t.Fatalf("Fetch bodies = %q", bodies)
	}
	sr, err := c.Search(ctx, &SearchCriteria{Subject: []string{"hello"}}, &SearchOptions{UID: true, Return: []string{"COUNT", "ALL"}})
	if err != nil || sr.Count != 3 || len(sr.All) != 3 {
		t.Fatalf("Search = %+v, %v", sr, err)
	}
	st, err := c.Store(ctx, UIDSetNum(2), StoreAdd, []string{`\Flagged`}, nil)
	if err != nil || len(st.Messages) != 1 || !slices.Contains(st.Messages[0].Flags, `\Flagged`) {
		t.Fatalf("Store = %+v, %v", st, err)
	}
	mv, err := c.Move(ctx, UIDSetNum(2), "Archive")
	if err != nil || mv.DestUIDs != "1" {
		t.Fatalf("Move = %+v, %v", mv, err)
	}
	// go-imap v2.0.0-beta.8 answers this UID MOVE with two EXPUNGEs
	// ("* 3 EXPUNGE", "* 2 EXPUNGE") for one moved message, so Exists is
	// checked against Dovecot instead.
	status, err := c.Status(ctx, "Archive", []string{"MESSAGES", "UIDNEXT"})
	if err != nil || status.Messages != 1 || status.UIDNext != 2 {
		t.Errorf("Status = %+v, %v", status, err)
	}
	if err := c.Unselect(ctx); err != nil {
		t.Errorf("Unselect = %v", err)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// TestGoIMAPServerIMAP4rev2 runs the common commands against a server that
// speaks IMAP4rev2 only (RFC 9051), after ENABLE IMAP4rev2: SEARCH then
// answers with ESEARCH, names travel as UTF-8 and there is no RECENT.
func TestGoIMAPServerIMAP4rev2(t *testing.T) {
	addr, _ := startGoIMAPServer(t, goimap.CapSet{goimap.CapIMAP4rev2: {}})
	c, err := Dial(ctx, addr, Options{TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "joe", "pässword"); err != nil {
		t.Fatalf("Login = %v", err)
	}
	if en, err := c.Enable(ctx, "IMAP4rev2"); err != nil || len(en) != 1 {
		t.Fatalf("Enable(IMAP4rev2) = %v, %v", en, err)
	}
	if err := c.Create(ctx, "Entwürfe"); err != nil {
		t.Fatalf("Create = %v", err)
	}
	for _, box := range []string{"INBOX", "Entwürfe"} {
		if _, err := c.Append(ctx, box, int64(len(testMessage)), strings.NewReader(testMessage), nil); err != nil {
			t.Fatalf("Append(%s) = %v", box, err)
		}
	}
	list, err := c.List(ctx, "", "*", &ListOptions{Status: []string{"MESSAGES"}})
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %v, %v", list, err)
	}
	for _, m := range list {
		if (m.Name != "INBOX" && m.Name != "Entwürfe") || m.Status == nil || m.Status.Messages != 1 {
			t.Errorf("List: %+v (status %+v)", m, m.Status)
		}
	}
	if _, err := c.Select(ctx, "Entwürfe", nil); err != nil {
		t.Fatalf("Select = %v", err)
	}
	res, err := c.Search(ctx, &SearchCriteria{Subject: []string{"hello"}}, &SearchOptions{UID: true})
	if err != nil || !slices.Equal(res.All, []uint32{1}) {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	var size int64
	err = c.Fetch(ctx, UIDSetNum(res.All...), &FetchOptions{UID: true, RFC822Size: true, BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
		b, err := m.NextBody()
		if err != nil {
			return err
		}
		size, err = io.Copy(io.Discard, b)
		return err
	})
	if err != nil || size != int64(len(testMessage)) {
		t.Fatalf("Fetch = %d bytes, %v", size, err)
	}
	if _, err := c.Store(ctx, UIDSetNum(1), StoreAdd, []string{`\Deleted`}, &StoreOptions{Silent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UIDExpunge(ctx, UIDSetNum(1)); err != nil {
		t.Fatalf("UIDExpunge = %v", err)
	}
	if got := c.Mailbox().Exists; got != 0 {
		t.Errorf("Exists after expunge = %d", got)
	}
	if err := c.Logout(ctx); err != nil {
		t.Errorf("Logout = %v", err)
	}
}

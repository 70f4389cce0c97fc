package imap

// Integration tests against a private Dovecot 2.3 (internal/testutil/dovecot).
// Expected values come from the server: what we appended, what Dovecot
// stored on disk, or what Python's imaplib reads from the same server.

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

func TestDovecotConnectModes(t *testing.T) {
	t.Parallel()
	srv := sharedDovecot.Get(t)
	alice := srv.User("alice")
	for _, tc := range []struct {
		name string
		mode TLSMode
	}{{"plain", TLSNone}, {"starttls", TLSStartTLS}, {"implicit", TLSImplicit}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			c := dialDovecot(t, srv, tc.mode)
			caps, err := c.Capabilities(ctx)
			if err != nil {
				t.Fatalf("Capabilities = %v", err)
			}
			if !caps["IMAP4REV1"] && !caps["IMAP4rev1"] {
				t.Errorf("Capabilities = %v, want IMAP4rev1", caps)
			}
			// After STARTTLS (RFC 3501 §6.2.1) Dovecot no longer offers it.
			if tc.mode == TLSStartTLS && c.Has(ctx, "STARTTLS") {
				t.Errorf("STARTTLS still advertised after STARTTLS")
			}
			if tc.mode == TLSNone && !c.Has(ctx, "STARTTLS") {
				t.Errorf("plain connection: STARTTLS not advertised")
			}
			st, ok := c.TLSConnectionState()
			if ok != (tc.mode != TLSNone) {
				t.Errorf("TLSConnectionState ok = %v in mode %s", ok, tc.name)
			}
			if ok && (!st.HandshakeComplete || len(st.PeerCertificates) == 0 || st.Version < tls.VersionTLS12) {
				t.Errorf("TLSConnectionState = version %x, %d certificates, complete %v", st.Version, len(st.PeerCertificates), st.HandshakeComplete)
			}
			if err := c.Login(ctx, alice.Name, alice.Password); err != nil {
				t.Fatalf("Login = %v", err)
			}
			if err := c.Noop(ctx); err != nil {
				t.Errorf("Noop = %v", err)
			}
			if err := c.Logout(ctx); err != nil {
				t.Errorf("Logout = %v", err)
			}
		})
	}
}

func TestDovecotCAFile(t *testing.T) {
	t.Parallel()
	srv := sharedDovecot.Get(t)
	ctx := testContext(t)
	c, err := Dial(ctx, srv.TLSAddr(), Options{TLS: TLSImplicit, CAFile: srv.CAFile, TLSConfig: nil, DialTimeout: testTimeout})
	if err != nil {
		// The certificate is for "localhost" and 127.0.0.1; the address is 127.0.0.1.
		t.Fatalf("Dial with CAFile = %v", err)
	}
	defer c.Close()
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop = %v", err)
	}
}

func TestDovecotUnknownCA(t *testing.T) {
	t.Parallel()
	srv := sharedDovecot.Get(t)
	for _, tc := range []struct {
		name string
		addr string
		mode TLSMode
	}{{"implicit", srv.TLSAddr(), TLSImplicit}, {"starttls", srv.PlainAddr(), TLSStartTLS}} {
		t.Run(tc.name, func(t *testing.T) {
			// System roots (the default) do not know the harness CA.
			c, err := Dial(testContext(t), tc.addr, Options{TLS: tc.mode, DialTimeout: testTimeout})
			if err == nil {
				c.Close()
				t.Fatal("Dial with system roots succeeded, want a certificate error")
			}
			var unknown x509.UnknownAuthorityError
			var abort *AbortError
			if !errors.As(err, &unknown) || !errors.As(err, &abort) {
				t.Errorf("Dial = %v (%T), want *AbortError wrapping x509.UnknownAuthorityError", err, err)
			}
		})
	}
}

func TestDovecotAuthenticate(t *testing.T) {
	t.Parallel()
	srv := sharedDovecot.Get(t)
	carol := srv.User("carol") // non-ASCII password
	mechs := map[string]func(u dovecot.User) SASLMechanism{
		"PLAIN":    func(u dovecot.User) SASLMechanism { return PlainAuth("", u.Name, u.Password) },
		"LOGIN":    func(u dovecot.User) SASLMechanism { return LoginAuth(u.Name, u.Password) },
		"CRAM-MD5": func(u dovecot.User) SASLMechanism { return CramMD5Auth(u.Name, u.Password) },
	}
	for name, mech := range mechs {
		t.Run(name, func(t *testing.T) {
			ctx := testContext(t)
			c := dialDovecot(t, srv, TLSImplicit)
			if !c.Has(ctx, "AUTH="+name) {
				t.Fatalf("server does not advertise AUTH=%s", name)
			}
			if err := c.Authenticate(ctx, mech(carol)); err != nil {
				t.Fatalf("Authenticate(%s, carol) = %v", name, err)
			}
			if _, err := c.Select(ctx, "INBOX", nil); err != nil {
				t.Errorf("Select after AUTHENTICATE %s = %v", name, err)
			}
		})
		t.Run(name+"/wrong-password", func(t *testing.T) {
			ctx := testContext(t)
			c := dialDovecot(t, srv, TLSImplicit)
			err := c.Authenticate(ctx, mech(dovecot.User{Name: carol.Name, Password: carol.Password + "x"}))
			var imapErr *Error
			if !errors.As(err, &imapErr) || imapErr.Type != "NO" {
				t.Fatalf("Authenticate with a wrong password = %v, want *Error NO", err)
			}
			if strings.Contains(err.Error(), carol.Password) {
				t.Errorf("error %q contains the password", err)
			}
			// The connection stays usable (imaplib's IMAP4.error, not abort).
			if err := c.Authenticate(ctx, mech(carol)); err != nil {
				t.Errorf("Authenticate after a failure = %v", err)
			}
		})
	}
}

func TestDovecotLoginWrongPassword(t *testing.T) {
	t.Parallel()
	srv := sharedDovecot.Get(t)
	ctx := testContext(t)
	c := dialDovecot(t, srv, TLSStartTLS)
	err := c.Login(ctx, "carol", "not-her-password")
	var imapErr *Error
	if !errors.As(err, &imapErr) || imapErr.Type != "NO" || imapErr.Code != "AUTHENTICATIONFAILED" {
		t.Fatalf("Login with a wrong password = %v, want NO [AUTHENTICATIONFAILED]", err)
	}
	carol := srv.User("carol")
	if err := c.Login(ctx, carol.Name, carol.Password); err != nil {
		t.Fatalf("Login(carol, non-ASCII password) = %v", err)
	}
}

func TestDovecotLoginDisabled(t *testing.T) {
	t.Parallel()
	srv := dovecot.Start(t, dovecot.WithLoginDisabled())
	alice := srv.User("alice")
	ctx := testContext(t)
	plain := dialDovecot(t, srv, TLSNone)
	err := plain.Login(ctx, alice.Name, alice.Password)
	var capErr *CapabilityError
	if !errors.As(err, &capErr) {
		t.Fatalf("Login on a LOGINDISABLED connection = %v, want *CapabilityError (refused locally)", err)
	}
	secure := dialDovecot(t, srv, TLSStartTLS)
	if secure.Has(ctx, "LOGINDISABLED") {
		t.Errorf("LOGINDISABLED still advertised after STARTTLS")
	}
	if err := secure.Login(ctx, alice.Name, alice.Password); err != nil {
		t.Fatalf("Login after STARTTLS = %v", err)
	}
}

// maildirFolder is where Dovecot's Maildir++ layout keeps a mailbox: the
// modified UTF-7 name with the hierarchy separator turned into ".".
func maildirFolder(srv *dovecot.Server, user, wireName string) string {
	return filepath.Join(srv.Maildir(user), "."+strings.ReplaceAll(wireName, srv.Separator, "."))
}

func TestDovecotMailboxNames(t *testing.T) {
	t.Parallel()
	c, srv, u := loginDovecot(t)
	ctx := testContext(t)
	name := "Entwürfe/台北 & 日本語"
	wire := "Entw&APw-rfe/&U,BTFw- &- &ZeVnLIqe-" // RFC 3501 §5.1.3
	if err := c.Create(ctx, name); err != nil {
		t.Fatalf("Create(%q) = %v", name, err)
	}
	// What Dovecot stored: the folder is named by the modified UTF-7 form.
	if fi, err := os.Stat(maildirFolder(srv, u.Name, wire)); err != nil || !fi.IsDir() {
		t.Fatalf("Dovecot's folder for %q: %v", name, err)
	}
	list, err := c.List(ctx, "", "*", nil)
	if err != nil {
		t.Fatalf("List = %v", err)
	}
	found := false
	for _, m := range list {
		if m.Name == name {
			found = true
			if m.WireName != wire || m.Delimiter != "/" || m.BadName {
				t.Errorf("List entry %+v, want WireName %q, delimiter /", m, wire)
			}
		}
	}
	if !found {
		t.Fatalf("List = %v, want %q", listNames(list), name)
	}
	// Special-use mailboxes configured in the harness (RFC 6154).
	for _, m := range list {
		if m.Name == "Sent" && !m.HasAttribute(`\Sent`) {
			t.Errorf("Sent has attributes %v, want \\Sent", m.Attributes)
		}
	}

	renamed := "Ärger"
	if err := c.Rename(ctx, name, renamed); err != nil {
		t.Fatalf("Rename = %v", err)
	}
	if _, err := os.Stat(maildirFolder(srv, u.Name, "&AMQ-rger")); err != nil {
		t.Errorf("Dovecot's folder after RENAME: %v", err)
	}
	st, err := c.Status(ctx, renamed, []string{"MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"})
	if err != nil {
		t.Fatalf("Status(%q) = %v", renamed, err)
	}
	if st.Messages != 0 || st.UIDNext != 1 || st.UIDValidity == 0 {
		t.Errorf("Status = %+v, want empty mailbox with UIDNEXT 1", st)
	}

	if err := c.Subscribe(ctx, renamed); err != nil {
		t.Fatalf("Subscribe = %v", err)
	}
	lsub, err := c.Lsub(ctx, "", "*")
	if err != nil {
		t.Fatalf("Lsub = %v", err)
	}
	if !slices.Contains(listNames(lsub), renamed) || !slices.Contains(listNames(lsub), "Sent") {
		t.Errorf("Lsub = %v, want %q and the auto-subscribed Sent", listNames(lsub), renamed)
	}
	// Dovecot's record of subscriptions (the Maildir "subscriptions" file).
	subs, err := os.ReadFile(filepath.Join(srv.Maildir(u.Name), "subscriptions"))
	if err != nil || !bytes.Contains(subs, []byte("&AMQ-rger")) {
		t.Errorf("Dovecot's subscriptions file = %q, %v; want &AMQ-rger", subs, err)
	}
	if err := c.Unsubscribe(ctx, renamed); err != nil {
		t.Fatalf("Unsubscribe = %v", err)
	}
	lsub, _ = c.Lsub(ctx, "", "*")
	if slices.Contains(listNames(lsub), renamed) {
		t.Errorf("Lsub after Unsubscribe = %v", listNames(lsub))
	}

	if err := c.Delete(ctx, renamed); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	if _, err := c.Status(ctx, renamed, []string{"MESSAGES"}); err == nil {
		t.Errorf("Status of a deleted mailbox succeeded")
	} else if e := new(Error); !errors.As(err, &e) || e.Type != "NO" {
		t.Errorf("Status of a deleted mailbox = %v, want *Error NO", err)
	}
}

func listNames(list []*ListMailbox) []string {
	var names []string
	for _, m := range list {
		names = append(names, m.Name)
	}
	return names
}

// corpusMessages reads up to n messages of testdata/corpus in a stable order.
func corpusMessages(t *testing.T, n int) (paths []string, data [][]byte) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "corpus", "*", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v (%d files)", err, len(files))
	}
	slices.Sort(files)
	if n > 0 && n < len(files) {
		files = files[:n]
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b)
	}
	return files, data
}

// appendAll appends messages to mailbox and returns their UIDs from APPENDUID.
func appendAll(t *testing.T, c *Client, mailbox string, msgs [][]byte, opts func(i int) *AppendOptions) []uint32 {
	t.Helper()
	ctx := testContext(t)
	var uids []uint32
	for i, m := range msgs {
		var o *AppendOptions
		if opts != nil {
			o = opts(i)
		}
		res, err := c.Append(ctx, mailbox, int64(len(m)), bytes.NewReader(m), o)
		if err != nil {
			t.Fatalf("Append #%d = %v", i, err)
		}
		if res.UID == 0 || res.UIDValidity == 0 {
			t.Fatalf("Append #%d: no APPENDUID (%+v) though Dovecot has UIDPLUS", i, res)
		}
		uids = append(uids, res.UID)
	}
	return uids
}

// fetchedMessage is what our client read for one message.
type fetchedMessage struct {
	SeqNum, UID  uint32
	Size         int64
	Flags        []string
	InternalDate time.Time
	Body         []byte
}

func fetchAll(t *testing.T, c *Client, set NumSet) map[uint32]*fetchedMessage {
	t.Helper()
	out := map[uint32]*fetchedMessage{}
	err := c.Fetch(testContext(t), set, &FetchOptions{
		UID: true, RFC822Size: true, Flags: true, InternalDate: true,
		BodySections: []BodySection{{Peek: true}},
	}, func(m *FetchMessage) error {
		var body []byte
		for {
			b, err := m.NextBody()
			if err != nil {
				return err
			}
			if b == nil {
				break
			}
			if body, err = io.ReadAll(b); err != nil {
				return fmt.Errorf("UID %d: %w", m.UID, err)
			}
		}
		out[m.UID] = &fetchedMessage{SeqNum: m.SeqNum, UID: m.UID, Size: m.RFC822Size, Flags: m.Flags, InternalDate: m.InternalDate, Body: body}
		return nil
	})
	if err != nil {
		t.Fatalf("Fetch(%v) = %v", set, err)
	}
	return out
}

func TestDovecotAppendFetchCorpus(t *testing.T) {
	t.Parallel()
	c, srv, u := loginDovecot(t)
	ctx := testContext(t)
	paths, msgs := corpusMessages(t, 0)
	box := "Corpus"
	if err := c.Create(ctx, box); err != nil {
		t.Fatal(err)
	}
	date := time.Date(2021, time.March, 14, 15, 9, 26, 0, time.FixedZone("", -(3*3600+30*60)))
	uids := appendAll(t, c, box, msgs, func(i int) *AppendOptions {
		if i%3 == 0 {
			return &AppendOptions{Flags: []string{`\Seen`, "$Label1"}, InternalDate: date.Add(time.Duration(i) * time.Hour)}
		}
		return nil
	})
	mb, err := c.Select(ctx, box, nil)
	if err != nil {
		t.Fatalf("Select = %v", err)
	}
	if int(mb.Exists) != len(msgs) {
		t.Fatalf("Select: EXISTS %d, appended %d", mb.Exists, len(msgs))
	}
	got := fetchAll(t, c, AllSeq())
	if len(got) != len(msgs) {
		t.Fatalf("Fetch returned %d messages, want %d", len(got), len(msgs))
	}
	for i, uid := range uids {
		m := got[uid]
		if m == nil {
			t.Errorf("%s: UID %d from APPENDUID not fetched", paths[i], uid)
			continue
		}
		if int64(len(m.Body)) != m.Size {
			t.Errorf("%s: BODY[] %d bytes, RFC822.SIZE %d", paths[i], len(m.Body), m.Size)
		}
		// Dovecot serves a message appended with CRLF line ends byte for
		// byte; bare LF ends are served as CRLF.
		want := msgs[i]
		if !isCRLFOnly(want) {
			want = bytes.ReplaceAll(bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		}
		if isCRLFOnly(msgs[i]) || !bytes.Contains(msgs[i], []byte("\r")) {
			if !bytes.Equal(m.Body, want) {
				t.Errorf("%s: BODY[] differs from what was appended (%d vs %d bytes)", paths[i], len(m.Body), len(want))
			}
		}
		if i%3 == 0 {
			if !slices.Contains(m.Flags, `\Seen`) || !slices.Contains(m.Flags, "$Label1") {
				t.Errorf("%s: FLAGS %v, want \\Seen $Label1 as appended", paths[i], m.Flags)
			}
			wantDate := date.Add(time.Duration(i) * time.Hour)
			if !m.InternalDate.Equal(wantDate) {
				t.Errorf("%s: INTERNALDATE %v, want %v as appended", paths[i], m.InternalDate, wantDate)
			}
		}
	}
	// Python's imaplib, reading the same mailbox, sees the same bytes.
	py, ok := pythonFetchAll(t, srv, u, EncodeMailboxName(box))
	if !ok {
		t.Log("python3 not installed: imaplib cross-check not run")
		return
	}
	if len(py) != len(got) {
		t.Errorf("imaplib fetched %d messages, we fetched %d", len(py), len(got))
	}
	for uid, p := range py {
		m := got[uid]
		if m == nil || !bytes.Equal(m.Body, p.Body) || m.Size != p.Size {
			t.Errorf("UID %d: our BODY[]/RFC822.SIZE differ from imaplib's (%d bytes, size %d)", uid, len(p.Body), p.Size)
			continue
		}
		if pyDate, ok := Internaldate2tuple([]byte(`INTERNALDATE "` + p.Date + `"`)); !ok || !pyDate.Equal(m.InternalDate) {
			t.Errorf("UID %d: INTERNALDATE %v, imaplib read %q", uid, m.InternalDate, p.Date)
		}
		// \Recent belongs to one session (RFC 3501 §2.3.2): ours saw it first.
		ours := slices.DeleteFunc(slices.Clone(m.Flags), func(f string) bool { return strings.EqualFold(f, `\Recent`) })
		if pyFlags := strings.Fields(p.Flags); !sameSet(pyFlags, ours) {
			t.Errorf("UID %d: FLAGS %v, imaplib read %v", uid, m.Flags, pyFlags)
		}
	}
}

func isCRLFOnly(b []byte) bool {
	return bytes.Count(b, []byte("\n")) == bytes.Count(b, []byte("\r\n")) && bytes.Count(b, []byte("\r")) == bytes.Count(b, []byte("\r\n"))
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

package imap

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

// multipartMessage is a two-part message whose structure the tests know
// from how it is built here.
const multipartMessage = "From: \"Ann Example\" <ann@example.org>\r\n" +
	"To: bob@example.net, Cid <cid@example.com>\r\n" +
	"Subject: parts\r\n" +
	"Date: Sat, 06 Jan 2024 12:00:00 +0100\r\n" +
	"Message-ID: <parts@example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n" +
	"\r\n" +
	"preamble\r\n" +
	"--XYZ\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: 8bit\r\n" +
	"\r\n" +
	"Grüße\r\nline two\r\n" +
	"--XYZ\r\n" +
	"Content-Type: application/octet-stream; name=\"a.bin\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"Content-Disposition: attachment; filename=\"a.bin\"\r\n" +
	"\r\n" +
	"AAECAwQ=\r\n" +
	"--XYZ--\r\n"

func TestDovecotFetchStructure(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	setupMailbox(t, c, "Parts", [][]byte{[]byte(multipartMessage)})
	sections := []BodySection{
		{Specifier: "HEADER.FIELDS", Fields: []string{"Subject", "To"}, Peek: true},
		{Part: []int{1}, Peek: true},
		{Part: []int{2}, Specifier: "MIME", Peek: true},
		{Specifier: "TEXT", Peek: true, Partial: &Partial{Offset: 0, Count: 8}},
		{Peek: true, Partial: &Partial{Offset: 6, Count: 5}},
	}
	want := []string{
		"To: bob@example.net, Cid <cid@example.com>\r\nSubject: parts\r\n\r\n",
		"Grüße\r\nline two",
		"Content-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\n\r\n",
		"preamble",
		"\"Ann ",
	}
	var got []string
	var msg *FetchMessage
	err := c.Fetch(ctx, SeqSetNum(1), &FetchOptions{Envelope: true, BodyStructure: true, BodySections: sections},
		func(m *FetchMessage) error {
			for {
				b, err := m.NextBody()
				if err != nil || b == nil {
					msg = m
					return err
				}
				data, err := io.ReadAll(b)
				if err != nil {
					return err
				}
				got = append(got, string(data))
			}
		})
	if err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d sections %q, want %d", len(got), got, len(want))
	}
	for i := range want {
		// Dovecot returns HEADER.FIELDS in the message's order.
		if i == 0 {
			if !strings.Contains(got[0], "Subject: parts\r\n") || !strings.Contains(got[0], "To: bob@example.net") || !strings.HasSuffix(got[0], "\r\n\r\n") {
				t.Errorf("section %d = %q", i, got[0])
			}
			continue
		}
		if got[i] != want[i] {
			t.Errorf("section %d = %q, want %q", i, got[i], want[i])
		}
	}
	env := msg.Envelope
	if env == nil || env.Subject != "parts" || env.MessageID != "<parts@example.org>" || len(env.From) != 1 ||
		env.From[0].Name != "Ann Example" || env.From[0].Mailbox != "ann" || env.From[0].Host != "example.org" ||
		len(env.To) != 2 || env.To[1].String() != "Cid <cid@example.com>" || len(env.Sender) != 1 {
		t.Errorf("Envelope = %+v", env)
	}
	bs := msg.BodyStructure
	if bs == nil || bs.Type != "multipart" || bs.Subtype != "mixed" || len(bs.Parts) != 2 || bs.Params["boundary"] != "XYZ" {
		t.Fatalf("BodyStructure = %+v", bs)
	}
	text, bin := bs.Parts[0], bs.Parts[1]
	if text.Type != "text" || text.Subtype != "plain" || text.Params["charset"] != "utf-8" || text.Encoding != "8bit" ||
		// The CRLF before "--XYZ" belongs to the boundary (RFC 2046 §5.1.1):
		// Dovecot counts the one line break inside the part.
		text.Size != uint32(len("Grüße\r\nline two")) || text.Lines != 1 {
		t.Errorf("part 1 = %+v", text)
	}
	if bin.Type != "application" || bin.Subtype != "octet-stream" || !strings.EqualFold(bin.Encoding, "base64") ||
		!strings.EqualFold(bin.Disposition, "attachment") || bin.DispositionParams["filename"] != "a.bin" {
		t.Errorf("part 2 = %+v", bin)
	}
}

func TestDovecotListExtended(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	appendAllTo(t, c, "Counted", threadMessages()[:2])
	list, err := c.List(ctx, "", "*", &ListOptions{Status: []string{"MESSAGES", "UIDNEXT"}})
	if err != nil {
		t.Fatalf("List with STATUS = %v", err)
	}
	for _, m := range list {
		if m.Name == "Counted" && (m.Status == nil || m.Status.Messages != 2 || m.Status.UIDNext != 3) {
			t.Errorf("List status of Counted = %+v, want 2 messages, UIDNEXT 3", m.Status)
		}
	}
	special, err := c.List(ctx, "", "*", &ListOptions{SpecialUse: true})
	if err != nil {
		t.Fatalf("List (SPECIAL-USE) = %v", err)
	}
	// The harness defines Drafts, Sent, Trash, Junk and Archive (RFC 6154).
	if names := listNames(special); len(names) != 5 {
		t.Errorf("List (SPECIAL-USE) = %v, want the 5 special-use mailboxes", names)
	}
}

func TestDovecotCancelFetch(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	_, msgs := corpusMessages(t, 40)
	setupMailbox(t, c, "Cancel", msgs)
	ctx, cancel := context.WithCancel(testContext(t))
	n := 0
	err := c.Fetch(ctx, AllSeq(), &FetchOptions{UID: true, BodySections: []BodySection{{Peek: true}}},
		func(m *FetchMessage) error {
			n++
			if n == 3 {
				cancel()
			}
			return nil
		})
	if err == nil {
		// The server may have sent everything before the cancellation
		// was noticed; then success is the truth.
		if n != len(msgs) {
			t.Fatalf("Fetch after cancel = nil with %d of %d messages", n, len(msgs))
		}
		return
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch after cancel = %v, want an error wrapping context.Canceled", err)
	}
	var abort *AbortError
	if e := c.Noop(testContext(t)); !errors.As(e, &abort) {
		t.Errorf("Noop after a cancelled command = %v, want *AbortError (the connection is unusable)", e)
	}
}

func TestDovecotServerShutdown(t *testing.T) {
	t.Parallel()
	srv := dovecot.Start(t)
	alice := srv.User("alice")
	c := dialDovecot(t, srv, TLSNone)
	ctx := testContext(t)
	if err := c.Login(ctx, alice.Name, alice.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	var err error
	for deadline := time.Now().Add(testTimeout); time.Now().Before(deadline); {
		if err = c.Noop(ctx); err != nil {
			break
		}
	}
	var abort *AbortError
	if !errors.As(err, &abort) {
		t.Fatalf("Noop after the server stopped = %v, want *AbortError", err)
	}
	t.Logf("after shutdown: %v", err)
	if c.Err() == nil {
		t.Errorf("Err() = nil after the connection broke")
	}
}

func TestDovecotOAuth(t *testing.T) {
	t.Parallel()
	srv := dovecot.Start(t, dovecot.WithOAuth2())
	alice := srv.User("alice")
	port := srv.TLSPort
	for name, mech := range map[string]func(token string) SASLMechanism{
		"XOAUTH2":     func(token string) SASLMechanism { return XOAuth2Auth(alice.Name, token) },
		"OAUTHBEARER": func(token string) SASLMechanism { return OAuthBearerAuth(alice.Name, "localhost", port, token) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := testContext(t)
			c := dialDovecot(t, srv, TLSImplicit)
			if !c.Has(ctx, "AUTH="+name) {
				t.Fatalf("AUTH=%s not advertised", name)
			}
			err := c.Authenticate(ctx, mech("not-a-token"))
			var e *Error
			if !errors.As(err, &e) || e.Type != "NO" {
				t.Fatalf("Authenticate(%s, unknown token) = %v, want *Error NO", name, err)
			}
			token := srv.OAuth2Token(alice.Name)
			if err := c.Authenticate(ctx, mech(token)); err != nil {
				t.Fatalf("Authenticate(%s, issued token) = %v", name, err)
			}
			if _, err := c.Select(ctx, "INBOX", nil); err != nil {
				t.Errorf("Select after %s = %v", name, err)
			}
		})
	}
}

func TestDovecotTraceHidesSecrets(t *testing.T) {
	t.Parallel()
	srv := sharedDovecot.Get(t)
	carol := srv.User("carol")
	for name, auth := range map[string]func(ctx context.Context, c *Client) error{
		"LOGIN": func(ctx context.Context, c *Client) error { return c.Login(ctx, carol.Name, carol.Password) },
		"PLAIN": func(ctx context.Context, c *Client) error {
			return c.Authenticate(ctx, PlainAuth("", carol.Name, carol.Password))
		},
		"LOGIN-SASL": func(ctx context.Context, c *Client) error {
			return c.Authenticate(ctx, LoginAuth(carol.Name, carol.Password))
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := testContext(t)
			var trace syncBuffer
			c, err := Dial(ctx, srv.TLSAddr(), Options{TLS: TLSImplicit, TLSConfig: srv.ClientTLSConfig(), Debug: 5, DebugWriter: &trace})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := auth(ctx, c); err != nil {
				t.Fatalf("%s = %v", name, err)
			}
			if err := c.Noop(ctx); err != nil {
				t.Fatal(err)
			}
			tr := trace.String()
			if !strings.Contains(tr, "***") {
				t.Errorf("trace does not show a masked secret:\n%s", tr)
			}
			for _, secret := range []string{
				carol.Password,
				base64.StdEncoding.EncodeToString([]byte("\x00" + carol.Name + "\x00" + carol.Password)),
				base64.StdEncoding.EncodeToString([]byte(carol.Password)),
			} {
				if strings.Contains(tr, secret) {
					t.Errorf("trace contains the password (as %q):\n%s", secret, tr)
				}
			}
		})
	}
}

func TestDovecotTimeout(t *testing.T) {
	t.Parallel()
	srv := dovecot.Start(t)
	alice := srv.User("alice")
	ctx := testContext(t)
	// The first login waits for Dovecot's auth process to start: do it
	// without the short timeout, which is for a server gone silent.
	noTimeout := dialDovecot(t, srv, TLSNone) // Options.Timeout 30 s: the context ends first
	if err := noTimeout.Login(ctx, alice.Name, alice.Password); err != nil {
		t.Fatal(err)
	}
	c, err := Dial(ctx, srv.PlainAddr(), Options{TLS: TLSNone, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, alice.Name, alice.Password); err != nil {
		t.Fatal(err)
	}
	if err := srv.Pause(); err != nil {
		t.Fatal(err)
	}
	defer srv.Resume()
	err = c.Noop(ctx)
	var abort *AbortError
	var netErr interface{ Timeout() bool }
	if !errors.As(err, &abort) || !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("Noop to a silent server = %v, want *AbortError wrapping a timeout", err)
	}
	if err := c.Noop(ctx); !errors.As(err, &abort) {
		t.Errorf("Noop after the timeout = %v, want *AbortError", err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := noTimeout.Noop(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Noop with an expiring context = %v, want context.DeadlineExceeded", err)
	}
}

func TestDovecotStartTLSNotOffered(t *testing.T) {
	t.Parallel()
	srv := dovecot.Start(t, dovecot.WithoutTLS())
	var trace syncBuffer
	c, err := Dial(testContext(t), srv.PlainAddr(), Options{TLS: TLSStartTLS, Debug: 3, DebugWriter: &trace})
	if err == nil {
		c.Close()
		t.Fatal("Dial(STARTTLS) to a server without STARTTLS succeeded; it must not continue in clear")
	}
	var capErr *CapabilityError
	if !errors.As(err, &capErr) {
		t.Errorf("Dial = %v, want *CapabilityError", err)
	}
	for _, line := range strings.Split(trace.String(), "\n") {
		if strings.Contains(line, "C: ") && (strings.Contains(line, " LOGIN ") || strings.Contains(line, " AUTHENTICATE ")) {
			t.Errorf("credentials sent in clear: %s", line)
		}
	}
}

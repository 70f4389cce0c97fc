package dovecot

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// rawSession speaks just enough IMAP, by hand, to check the harness
// independently of internal/imap.
type rawSession struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, conn net.Conn) *rawSession {
	t.Helper()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	s := &rawSession{t: t, conn: conn, r: bufio.NewReader(conn)}
	if greeting := s.line(); !strings.HasPrefix(greeting, "* OK") {
		t.Fatalf("greeting = %q, want * OK", greeting)
	}
	return s
}

// dialPlain opens a raw session on srv's plain port, closed when t ends.
func dialPlain(t *testing.T, srv *Server) *rawSession {
	t.Helper()
	conn, err := net.Dial("tcp", srv.PlainAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return dialRaw(t, conn)
}

func (s *rawSession) line() string {
	s.t.Helper()
	l, err := s.r.ReadString('\n')
	if err != nil {
		s.t.Fatalf("read: %v", err)
	}
	return strings.TrimRight(l, "\r\n")
}

// command sends a line and returns the untagged lines and the tagged status line.
func (s *rawSession) command(tag, line string) (untagged []string, status string) {
	s.t.Helper()
	if _, err := s.conn.Write([]byte(tag + " " + line + "\r\n")); err != nil {
		s.t.Fatalf("write: %v", err)
	}
	for {
		l := s.line()
		if strings.HasPrefix(l, tag+" ") {
			return untagged, strings.TrimPrefix(l, tag+" ")
		}
		if strings.HasPrefix(l, "+") {
			// A SASL challenge, such as XOAUTH2's error report (RFC 7628
			// §3.2.2 style): answer with an empty response.
			if _, err := s.conn.Write([]byte("\r\n")); err != nil {
				s.t.Fatalf("write: %v", err)
			}
		}
		untagged = append(untagged, l)
	}
}

func capabilities(s *rawSession) string {
	untagged, status := s.command("c", "CAPABILITY")
	if !strings.HasPrefix(status, "OK") || len(untagged) == 0 {
		s.t.Fatalf("CAPABILITY = %q, %q", untagged, status)
	}
	return untagged[0] + " "
}

func TestDovecotHarness(t *testing.T) {
	begin := time.Now()
	srv := Start(t, All())
	t.Logf("dovecot start-up took %v", time.Since(begin))

	conn, err := net.Dial("tcp", srv.PlainAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	plain := dialRaw(t, conn)
	if caps := capabilities(plain); !strings.Contains(caps, " STARTTLS ") || strings.Contains(caps, "LOGINDISABLED") {
		t.Errorf("plain CAPABILITY = %q, want STARTTLS and no LOGINDISABLED", caps)
	}
	if _, status := plain.command("a", "LOGIN alice alice-secret"); !strings.HasPrefix(status, "OK") {
		t.Fatalf("LOGIN alice = %q", status)
	}
	caps := capabilities(plain)
	for _, want := range []string{" QUOTA ", " ACL ", " COMPRESS=DEFLATE ", " MOVE ", " UIDPLUS ", " SPECIAL-USE "} {
		if !strings.Contains(caps, want) {
			t.Errorf("CAPABILITY after login = %q, want %q", caps, want)
		}
	}
	untagged, status := plain.command("l", `LIST "" "*"`)
	if !strings.HasPrefix(status, "OK") || !strings.Contains(strings.Join(untagged, "\n"), `(\HasNoChildren \Sent) "/" Sent`) {
		t.Errorf("LIST = %q, %q; want a \\Sent mailbox", untagged, status)
	}

	tlsConn, err := tls.Dial("tcp", srv.TLSAddr(), srv.ClientTLSConfig())
	if err != nil {
		t.Fatalf("implicit TLS with the harness CA: %v", err)
	}
	defer tlsConn.Close()
	secure := dialRaw(t, tlsConn)
	// Carol's password is not ASCII: AUTHENTICATE PLAIN (RFC 4616) carries UTF-8.
	carol := srv.User("carol")
	ir := base64.StdEncoding.EncodeToString([]byte("\x00" + carol.Name + "\x00" + carol.Password))
	if _, status := secure.command("a", "AUTHENTICATE PLAIN "+ir); !strings.HasPrefix(status, "OK") {
		t.Errorf("AUTHENTICATE PLAIN carol = %q", status)
	}
	if _, status := secure.command("b", "LOGOUT"); !strings.HasPrefix(status, "OK") {
		t.Errorf("LOGOUT = %q", status)
	}

	if _, err := tls.Dial("tcp", srv.TLSAddr(), &tls.Config{ServerName: "localhost"}); err == nil {
		t.Error("TLS with system roots succeeded, want an unknown-authority error")
	} else if !errors.As(err, new(x509.UnknownAuthorityError)) {
		t.Logf("TLS with system roots: %v", err)
	}
	if fi, err := os.Stat(srv.Maildir("alice")); err != nil || !fi.IsDir() {
		t.Errorf("Maildir of alice: %v", err)
	}
}

func TestDovecotLoginDisabled(t *testing.T) {
	srv := Start(t, WithLoginDisabled())
	s := dialPlain(t, srv)
	if caps := capabilities(s); !strings.Contains(caps, " LOGINDISABLED ") || !strings.Contains(caps, " STARTTLS ") {
		t.Errorf("CAPABILITY = %q, want LOGINDISABLED and STARTTLS", caps)
	}
	if _, status := s.command("a", "LOGIN alice alice-secret"); !strings.HasPrefix(status, "NO") {
		t.Errorf("LOGIN before STARTTLS = %q, want NO", status)
	}
}

func TestDovecotStopRemovesFolder(t *testing.T) {
	SkipOrFail(t, Available())
	srv, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(srv.Dir); !os.IsNotExist(err) {
		t.Errorf("after Stop, %s: %v, want it gone", srv.Dir, err)
	}
	if _, err := net.DialTimeout("tcp", srv.PlainAddr(), time.Second); err == nil {
		t.Errorf("after Stop, %s still accepts", srv.PlainAddr())
	}
}

func TestDovecotAddUserWhileRunning(t *testing.T) {
	srv := Start(t, WithUserPool(1))
	if u := srv.NewUser(t); u.Name != "user1" {
		t.Errorf("first NewUser = %q, want user1 from the pool", u.Name)
	}
	u := srv.NewUser(t) // the pool is used up: added to the running server
	s := dialPlain(t, srv)
	ir := base64.StdEncoding.EncodeToString([]byte("\x00" + u.Name + "\x00" + u.Password))
	if _, status := s.command("a", "AUTHENTICATE PLAIN "+ir); !strings.HasPrefix(status, "OK") {
		t.Errorf("AUTHENTICATE PLAIN %s = %q", u.Name, status)
	}
}

// TestDovecotMissing runs this test binary again with Dovecot made
// unavailable: the harness must skip without CI and fail with CI=true.
func TestDovecotMissing(t *testing.T) {
	if os.Getenv("IMAPCTL_HARNESS_CHILD") == "1" {
		Start(t)
		t.Fatal("Start returned without Dovecot")
	}
	for _, ci := range []string{"", "true"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDovecotMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "IMAPCTL_HARNESS_CHILD=1", BinaryEnv+"=/nonexistent/dovecot", "CI="+ci)
		out, err := cmd.CombinedOutput()
		switch {
		case ci == "" && (err != nil || !strings.Contains(string(out), "--- SKIP") || !strings.Contains(string(out), "not available")):
			t.Errorf("without CI: err %v, output:\n%s\nwant a skip that says why", err, out)
		case ci == "true" && (err == nil || !strings.Contains(string(out), "--- FAIL")):
			t.Errorf("with CI=true: err %v, output:\n%s\nwant a failure", err, out)
		}
	}
}

func TestDovecotOAuth2(t *testing.T) {
	srv := Start(t, WithOAuth2())
	s := dialPlain(t, srv)
	if caps := capabilities(s); !strings.Contains(caps, " AUTH=XOAUTH2 ") || !strings.Contains(caps, " AUTH=OAUTHBEARER ") {
		t.Fatalf("CAPABILITY = %q, want AUTH=XOAUTH2 and AUTH=OAUTHBEARER", caps)
	}
	bad := base64.StdEncoding.EncodeToString([]byte("user=alice\x01auth=Bearer not-a-token\x01\x01"))
	if _, status := s.command("a", "AUTHENTICATE XOAUTH2 "+bad); !strings.HasPrefix(status, "NO") {
		t.Errorf("AUTHENTICATE XOAUTH2 with an unknown token = %q, want NO", status)
	}
	ir := base64.StdEncoding.EncodeToString([]byte("user=alice\x01auth=Bearer " + srv.OAuth2Token("alice") + "\x01\x01"))
	if _, status := s.command("b", "AUTHENTICATE XOAUTH2 "+ir); !strings.HasPrefix(status, "OK") {
		t.Errorf("AUTHENTICATE XOAUTH2 with an issued token = %q\n%s", status, srv.Log())
	}
}

func TestDovecotDeliver(t *testing.T) {
	srv := Start(t)
	u := srv.NewUser(t)
	msg := []byte("From: a@example.org\r\nSubject: delivered\r\n\r\nhello\r\n")
	for i := 0; i < 3; i++ {
		if err := srv.Deliver(u.Name, "Fast", msg, `\Seen`); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Deliver(u.Name, "", msg); err != nil {
		t.Fatal(err)
	}
	if err := srv.Deliver(u.Name, "Fast", msg, "$Keyword"); err == nil {
		t.Error("Deliver with a keyword succeeded")
	}
	s := dialPlain(t, srv)
	ir := base64.StdEncoding.EncodeToString([]byte("\x00" + u.Name + "\x00" + u.Password))
	if _, status := s.command("a", "AUTHENTICATE PLAIN "+ir); !strings.HasPrefix(status, "OK") {
		t.Fatalf("AUTHENTICATE = %q", status)
	}
	for _, tc := range []struct{ mailbox, want string }{
		{"Fast", "MESSAGES 3 UNSEEN 0"}, {"INBOX", "MESSAGES 1 UNSEEN 1"},
	} {
		untagged, status := s.command("s", "STATUS "+tc.mailbox+" (MESSAGES UNSEEN)")
		if !strings.HasPrefix(status, "OK") || len(untagged) != 1 || !strings.Contains(untagged[0], tc.want) {
			t.Errorf("STATUS %s = %q, %q; want %s", tc.mailbox, untagged, status, tc.want)
		}
	}
}

func TestDovecotWithoutTLS(t *testing.T) {
	srv := Start(t, WithoutTLS())
	if srv.TLSPort != 0 {
		t.Errorf("TLSPort = %d, want 0", srv.TLSPort)
	}
	if caps := capabilities(dialPlain(t, srv)); strings.Contains(caps, "STARTTLS") {
		t.Errorf("CAPABILITY = %q, want no STARTTLS", caps)
	}
}

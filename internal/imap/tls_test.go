package imap

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/imapctl/imapctl/internal/imap/imaptest"
	"github.com/imapctl/imapctl/internal/testutil/testcert"
)

// serveTLS plays plain and then upgrades the connection to TLS, or (with
// implicit) starts with TLS; then it plays secure.
func serveTLS(t *testing.T, implicit bool, plain, secure string) (string, *testcert.Bundle) {
	t.Helper()
	certs, err := testcert.New()
	if err != nil {
		t.Fatal(err)
	}
	addr := imaptest.ServeFunc(t, func(conn net.Conn) {
		if !implicit && !imaptest.Play(t, conn, plain) {
			return
		}
		tc := tls.Server(conn, certs.ServerTLSConfig())
		if err := tc.Handshake(); err != nil {
			return // the client refused the certificate
		}
		imaptest.Play(t, tc, secure)
	})
	return addr, certs
}

func TestTLSStartTLS(t *testing.T) {
	// RFC 3501 §6.2.1: after STARTTLS the client must forget the
	// capabilities learned in clear and ask again.
	addr, certs := serveTLS(t, false, `S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi
C: A0 STARTTLS
S: A0 OK Begin TLS negotiation now
`, `C: A1 CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=PLAIN
S: A1 OK done
C: A2 LOGIN joe secret
S: A2 OK done
`)
	c, err := Dial(ctx, addr, Options{TLS: TLSStartTLS, TLSConfig: certs.ClientTLSConfig(), Tags: NewTagGeneratorWithPrefix("A")})
	if err != nil {
		t.Fatalf("Dial(STARTTLS) = %v", err)
	}
	defer c.Close()
	if err := c.Login(ctx, "joe", "secret"); err != nil {
		t.Fatalf("Login after STARTTLS = %v", err)
	}
	st, ok := c.TLSConnectionState()
	if !ok || !st.HandshakeComplete || len(st.PeerCertificates) == 0 || st.Version < tls.VersionTLS12 {
		t.Errorf("TLSConnectionState after STARTTLS = %+v, %v", st, ok)
	}
}

func TestTLSConnectionStatePlain(t *testing.T) {
	c := dialScript(t, greeting)
	if st, ok := c.TLSConnectionState(); ok || st.HandshakeComplete {
		t.Errorf("TLSConnectionState of a plain connection = %+v, %v; want false", st, ok)
	}
}

func TestTLSImplicitWithCAFile(t *testing.T) {
	addr, certs := serveTLS(t, true, "", `S: * OK hi
C: A0 NOOP
S: A0 OK done
`)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, certs.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Dial(ctx, addr, Options{CAFile: caFile, Tags: NewTagGeneratorWithPrefix("A")})
	if err != nil {
		t.Fatalf("Dial(implicit TLS, CA file) = %v", err)
	}
	defer c.Close()
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	st, ok := c.TLSConnectionState()
	if !ok || !st.HandshakeComplete || len(st.VerifiedChains) == 0 {
		t.Errorf("TLSConnectionState with implicit TLS = %+v, %v", st, ok)
	}
}

func TestTLSUnknownCARefusedByDefault(t *testing.T) {
	addr, _ := serveTLS(t, true, "", "")
	_, err := Dial(ctx, addr, Options{})
	var ae *AbortError
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &ae) || !errors.As(err, &unknown) {
		t.Fatalf("Dial to a server with an unknown CA = %v, want *AbortError wrapping x509.UnknownAuthorityError", err)
	}
}

func TestTLSInsecureSkipVerifyWhenAsked(t *testing.T) {
	addr, _ := serveTLS(t, true, "", `S: * OK hi
C: A0 NOOP
S: A0 OK done
`)
	c, err := Dial(ctx, addr, Options{InsecureSkipVerify: true, Tags: NewTagGeneratorWithPrefix("A")})
	if err != nil {
		t.Fatalf("Dial(InsecureSkipVerify) = %v", err)
	}
	defer c.Close()
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

// A man in the middle injects "* ENABLED UTF8=ACCEPT" before the STARTTLS
// OK. Nothing said in clear may survive the handshake (RFC 3501 §6.2.1,
// RFC 2595 §3.1), and ENABLED only answers ENABLE (RFC 5161 §3.2), so
// after TLS a mailbox name still travels in modified UTF-7 (RFC 3501
// §5.1.3: "Entwürfe" is "Entw&APw-rfe").
func TestTLSStartTLSIgnoresInjectedEnabled(t *testing.T) {
	addr, certs := serveTLS(t, false, `S: * OK [CAPABILITY IMAP4rev1 STARTTLS] hi
C: A0 STARTTLS
S: * ENABLED UTF8=ACCEPT
S: A0 OK go
`, `C: A1 CAPABILITY
S: * CAPABILITY IMAP4rev1 AUTH=PLAIN
S: A1 OK done
C: A2 LOGIN joe secret
S: A2 OK done
C: A3 CREATE Entw&APw-rfe
S: A3 OK done
`)
	c, err := Dial(ctx, addr, Options{TLS: TLSStartTLS, TLSConfig: certs.ClientTLSConfig(), Tags: NewTagGeneratorWithPrefix("A")})
	if err != nil {
		t.Fatalf("Dial(STARTTLS) = %v", err)
	}
	defer c.Close()
	if err := c.Login(ctx, "joe", "secret"); err != nil {
		t.Fatalf("Login after STARTTLS = %v", err)
	}
	if err := c.Create(ctx, "Entwürfe"); err != nil {
		t.Fatalf("Create(Entwürfe) after STARTTLS = %v", err)
	}
}

// Untagged responses and a BYE received in clear are forgotten at the
// STARTTLS handshake (RFC 3501 §6.2.1, RFC 2595 §3.1): Response does not
// return them, and a connection closed later is not explained by the
// injected BYE's text.
func TestTLSStartTLSDiscardsCleartextResponses(t *testing.T) {
	addr, certs := serveTLS(t, false, `S: * OK [CAPABILITY IMAP4rev1 STARTTLS] hi
C: A0 STARTTLS
S: * FLAGS (\Injected)
S: * OK [ALERT] injected alert
S: * BYE injected goodbye
S: A0 OK go
`, `C: A1 NOOP
S: A1 OK done
`)
	c, err := Dial(ctx, addr, Options{TLS: TLSStartTLS, TLSConfig: certs.ClientTLSConfig(), Tags: NewTagGeneratorWithPrefix("A")})
	if err != nil {
		t.Fatalf("Dial(STARTTLS) = %v", err)
	}
	defer c.Close()
	if got := c.UntaggedResponses(); len(got) != 0 {
		t.Errorf("UntaggedResponses() after STARTTLS = %v, want none of those sent in clear", got)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatalf("Noop after STARTTLS = %v", err)
	}
	// The script ends: the server closes the TLS connection without BYE.
	err = c.Noop(ctx)
	var ae *AbortError
	if !errors.As(err, &ae) || ae.Bye != "" {
		t.Errorf("Noop on a connection closed without BYE = %v, want an *AbortError that names no BYE", err)
	}
}

// A PREAUTH greeting in clear cannot be followed by STARTTLS: STARTTLS is
// a not-authenticated state command (RFC 3501 §6.2.1), and an
// authentication said in clear is nothing a client may trust (RFC 2595
// §3.1). Dial with TLSStartTLS refuses it and hangs up without sending
// anything.
func TestTLSStartTLSRefusesPreauthGreeting(t *testing.T) {
	addr := imaptest.Serve(t, `S: * PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] hi
C: <EOF>
`)
	c, err := Dial(ctx, addr, Options{TLS: TLSStartTLS, Tags: NewTagGeneratorWithPrefix("A")})
	if err == nil {
		c.Close()
	}
	var capErr *CapabilityError
	if !errors.As(err, &capErr) || capErr.Command != "STARTTLS" {
		t.Fatalf("Dial(STARTTLS) after a PREAUTH greeting = %v, want a *CapabilityError for STARTTLS", err)
	}
}

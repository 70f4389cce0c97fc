package imap

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// SASLMechanism is a client SASL mechanism (RFC 4422) for AUTHENTICATE
// (RFC 3501 §6.2.2).
type SASLMechanism interface {
	// Name is the mechanism name, e.g. "PLAIN".
	Name() string
	// Start returns the initial response; hasIR is false for mechanisms
	// where the server speaks first (CRAM-MD5).
	Start() (ir []byte, hasIR bool, err error)
	// Next answers a server challenge.
	Next(challenge []byte) ([]byte, error)
}

// PlainAuth is SASL PLAIN (RFC 4616). Identity is the authorization
// identity, usually empty.
func PlainAuth(identity, username, password string) SASLMechanism {
	return &plainAuth{identity, username, password}
}

type plainAuth struct{ identity, username, password string }

func (a *plainAuth) Name() string { return "PLAIN" }
func (a *plainAuth) Start() ([]byte, bool, error) {
	return []byte(a.identity + "\x00" + a.username + "\x00" + a.password), true, nil
}
func (a *plainAuth) Next([]byte) ([]byte, error) {
	return nil, errors.New("imap: PLAIN: unexpected server challenge")
}

// LoginAuth is the obsolete SASL LOGIN mechanism
// (draft-murchison-sasl-login): the server prompts for the user name and
// then the password.
func LoginAuth(username, password string) SASLMechanism { return &loginAuth{username, password, 0} }

type loginAuth struct {
	username, password string
	step               int
}

func (a *loginAuth) Name() string                 { return "LOGIN" }
func (a *loginAuth) Start() ([]byte, bool, error) { return nil, false, nil }
func (a *loginAuth) Next([]byte) ([]byte, error) {
	a.step++
	switch a.step {
	case 1:
		return []byte(a.username), nil
	case 2:
		return []byte(a.password), nil
	}
	return nil, errors.New("imap: LOGIN: unexpected server challenge")
}

// CramMD5Auth is SASL CRAM-MD5 (RFC 2195), as imaplib's login_cram_md5.
func CramMD5Auth(username, secret string) SASLMechanism { return &cramMD5{username, secret} }

type cramMD5 struct{ username, secret string }

func (a *cramMD5) Name() string                 { return "CRAM-MD5" }
func (a *cramMD5) Start() ([]byte, bool, error) { return nil, false, nil }
func (a *cramMD5) Next(challenge []byte) ([]byte, error) {
	mac := hmac.New(md5.New, []byte(a.secret))
	mac.Write(challenge)
	return []byte(a.username + " " + hex.EncodeToString(mac.Sum(nil))), nil
}

// XOAuth2Auth is Google's and Microsoft's XOAUTH2 mechanism. On failure
// the server sends an error challenge, which is answered with an empty
// response so that the tagged NO follows.
func XOAuth2Auth(username, token string) SASLMechanism { return &xoauth2{username, token} }

type xoauth2 struct{ username, token string }

func (a *xoauth2) Name() string { return "XOAUTH2" }
func (a *xoauth2) Start() ([]byte, bool, error) {
	return []byte("user=" + a.username + "\x01auth=Bearer " + a.token + "\x01\x01"), true, nil
}
func (a *xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }

// OAuthBearerAuth is SASL OAUTHBEARER (RFC 7628 §3.1). Host and port are
// optional.
func OAuthBearerAuth(username, host string, port int, token string) SASLMechanism {
	return &oauthBearer{username, host, port, token}
}

type oauthBearer struct {
	username, host string
	port           int
	token          string
}

func (a *oauthBearer) Name() string { return "OAUTHBEARER" }
func (a *oauthBearer) Start() ([]byte, bool, error) {
	gs2 := "n,"
	if a.username != "" {
		u := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(a.username)
		gs2 += "a=" + u
	}
	s := gs2 + ",\x01"
	if a.host != "" {
		s += "host=" + a.host + "\x01"
	}
	if a.port != 0 {
		s += "port=" + strconv.Itoa(a.port) + "\x01"
	}
	return []byte(s + "auth=Bearer " + a.token + "\x01\x01"), true, nil
}

// Next answers the error challenge with the dummy "\x01" (RFC 7628 §3.2.3).
func (a *oauthBearer) Next([]byte) ([]byte, error) { return []byte{0x01}, nil }

// Login authenticates with LOGIN (RFC 3501 §6.2.3). It is refused locally
// when the server advertises LOGINDISABLED. Non-ASCII passwords are sent
// as literals; the password never appears in the trace.
func (c *Client) Login(ctx context.Context, username, password string) error {
	if c.Has(ctx, "LOGINDISABLED") {
		return &CapabilityError{Command: "LOGIN", Reason: "server advertises LOGINDISABLED"}
	}
	if err := c.Err(); err != nil {
		return err
	}
	cmd := c.newCommand("LOGIN")
	cmd.onOK = c.afterAuth
	return c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(username).SP().BeginSecret().AString(password).EndSecret()
	}, false)
}

// afterAuth forgets capabilities learned before authentication unless the
// OK carried new ones (RFC 3501 §6.2.2, RFC 9051 §6.2.2).
func (c *Client) afterAuth(status *Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.authed = true
	if status.Code == nil || status.Code.Name != imapwire.CodeCapability {
		c.caps = map[string]bool{}
	}
}

// Authenticate runs AUTHENTICATE (RFC 3501 §6.2.2) with mech, sending the
// initial response in the command when the server supports SASL-IR
// (RFC 4959). Responses are hidden in the trace. A mechanism the server
// does not list as AUTH=<name> is refused locally with a
// *CapabilityError, before anything is sent: a server that withholds
// AUTH=PLAIN on a cleartext connection (LOGINDISABLED) would otherwise
// receive the password in clear.
func (c *Client) Authenticate(ctx context.Context, mech SASLMechanism) error {
	name := strings.ToUpper(mech.Name())
	if !isAtom(name) {
		return &imapwire.EncodeError{Rule: "auth-type", Msg: name}
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return err
	}
	if !caps["AUTH="+name] {
		reason := "server does not advertise AUTH=" + name
		if caps["LOGINDISABLED"] {
			reason += " (and says LOGINDISABLED: it takes no password on this connection)"
		}
		return &CapabilityError{Command: "AUTHENTICATE", Reason: reason}
	}
	saslIR := caps["SASL-IR"]
	if err := c.Err(); err != nil {
		return err
	}
	ir, hasIR, err := mech.Start()
	if err != nil {
		return err
	}
	cmd := c.newCommand("AUTHENTICATE")
	cmd.onOK = c.afterAuth
	sentIR := false
	// The write side stays ours until the command completes, so that the
	// exchange of continuation lines cannot interleave with other commands.
	err = c.send(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().Raw(name)
		if hasIR && saslIR {
			e.SP().BeginSecret().Raw(encodeSASL(ir)).EndSecret()
			sentIR = true
		}
	}, true)
	if err != nil {
		return err
	}
	defer c.writeLock.Unlock()
	for {
		var challenge string
		select {
		case challenge = <-c.cont:
		case <-cmd.done:
			return cmd.err
		case <-ctx.Done():
			c.abort(ctx.Err())
			<-cmd.done
			return cmd.err
		}
		var resp []byte
		if hasIR && !sentIR {
			resp, sentIR = ir, true
		} else {
			dec, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(challenge))
			if derr != nil {
				c.writeLine(ctx, "*", true) // cancel the exchange (RFC 3501 §6.2.2)
				c.wait(ctx, cmd)
				return &AbortError{Err: fmt.Errorf("AUTHENTICATE: challenge is not base64: %v", derr)}
			}
			if resp, err = mech.Next(dec); err != nil {
				c.writeLine(ctx, "*", false)
				c.wait(ctx, cmd)
				return err
			}
		}
		if err := c.writeLine(ctx, encodeSASL(resp), true); err != nil {
			return err
		}
	}
}

// encodeSASL base64-encodes a SASL response; an empty initial response is
// "=" (RFC 4959 §3), an empty continuation response is an empty line.
func encodeSASL(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

// writeLine writes one continuation line for the command holding the
// write side.
func (c *Client) writeLine(ctx context.Context, line string, secret bool) error {
	if line == "=" {
		line = ""
	}
	e := c.enc
	e.Reset()
	if secret {
		e.BeginSecret()
	}
	e.Raw(line).EndSecret()
	if err := e.CRLF(); err != nil {
		c.abort(err)
		return c.abortErrOr(err)
	}
	return nil
}

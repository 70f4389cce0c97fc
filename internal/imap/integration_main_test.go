package imap

// Shared fixtures of the integration tests against real servers (Dovecot,
// go-imap's in-memory server): one private Dovecot per test binary, started
// on first use and stopped by TestMain.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

func TestMain(m *testing.M) {
	code := m.Run()
	sharedDovecot.Stop()
	os.Exit(code)
}

// sharedDovecot is the package's one Dovecot, with the quota, ACL and
// COMPRESS plugins. Tests isolate themselves with a fresh user each
// (dovecot.Server.NewUser).
var sharedDovecot = dovecot.Fixture{Options: []dovecot.Option{dovecot.All()}}

// testTimeout bounds every integration test's protocol exchange.
const testTimeout = 30 * time.Second

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// dialDovecot connects to srv in the given TLS mode, trusting the
// harness CA, and closes the client when the test ends.
func dialDovecot(t *testing.T, srv *dovecot.Server, mode TLSMode) *Client {
	t.Helper()
	addr := srv.PlainAddr()
	if mode == TLSImplicit {
		addr = srv.TLSAddr()
	}
	c, err := Dial(testContext(t), addr, Options{
		TLS: mode, TLSConfig: srv.ClientTLSConfig(), DialTimeout: testTimeout, Timeout: testTimeout,
	})
	if err != nil {
		t.Fatalf("Dial(%s, mode %d) = %v", addr, mode, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// loginDovecot connects over STARTTLS as a fresh user of the shared Dovecot.
func loginDovecot(t *testing.T) (*Client, *dovecot.Server, dovecot.User) {
	t.Helper()
	srv := sharedDovecot.Get(t)
	u := srv.NewUser(t)
	c := dialDovecot(t, srv, TLSStartTLS)
	if err := c.Login(testContext(t), u.Name, u.Password); err != nil {
		t.Fatalf("Login(%s) = %v", u.Name, err)
	}
	return c, srv, u
}

// pythonMessage is what Python's imaplib read for one message.
type pythonMessage struct {
	Size  int64  `json:"size"`
	Body  []byte `json:"body"`
	Flags string `json:"flags"`
	Date  string `json:"date"`
}

// runImaplib runs a Python script with an imaplib session "m" logged in
// to srv as u (AUTHENTICATE PLAIN over the plain port) and wireMailbox
// selected read-only, and returns what the script wrote to stdout. The
// password reaches Python on stdin, never in argv or the environment. ok
// is false when python3 is not installed.
func runImaplib(t *testing.T, srv *dovecot.Server, u dovecot.User, wireMailbox, script string, env ...string) (out []byte, ok bool) {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, false
	}
	const preamble = `
import base64, imaplib, json, os, re, sys
m = imaplib.IMAP4(os.environ["HOST"], int(os.environ["PORT"]))
user, password = os.environ["IMAP_USER"].encode(), sys.stdin.buffer.read()
m.authenticate("PLAIN", lambda _: b"\0" + user + b"\0" + password)
typ, _ = m.select('"' + os.environ["MAILBOX"] + '"', readonly=True)
assert typ == "OK", typ
`
	cmd := exec.Command(python, "-c", preamble+script)
	cmd.Env = append(os.Environ(), "HOST="+srv.Host, "PORT="+strconv.Itoa(srv.PlainPort),
		"IMAP_USER="+u.Name, "MAILBOX="+wireMailbox)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(u.Password)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("python imaplib: %v\n%s", err, stderr.String())
	}
	return out, true
}

// pythonFetchAll reads every message of mailbox (its modified UTF-7 wire
// name) with Python's imaplib, as an independent client: UID -> size,
// BODY[], flags and INTERNALDATE. ok is false when python3 is not
// installed.
func pythonFetchAll(t *testing.T, srv *dovecot.Server, u dovecot.User, wireMailbox string) (msgs map[uint32]pythonMessage, ok bool) {
	t.Helper()
	const script = `
typ, data = m.uid("FETCH", "1:*", "(UID RFC822.SIZE FLAGS INTERNALDATE BODY.PEEK[])")
assert typ == "OK", typ
out = {}
for item in data:
    if not isinstance(item, tuple):
        continue
    head, body = item
    uid = int(re.search(rb"UID (\d+)", head).group(1))
    size = int(re.search(rb"RFC822\.SIZE (\d+)", head).group(1))
    flags = b" ".join(imaplib.ParseFlags(head)).decode()
    date = re.search(rb'INTERNALDATE "([^"]*)"', head).group(1).decode()
    out[uid] = {"size": size, "body": base64.b64encode(body).decode(), "flags": flags, "date": date}
m.logout()
json.dump(out, sys.stdout)
`
	out, ok := runImaplib(t, srv, u, wireMailbox, script)
	if !ok {
		return nil, false
	}
	var raw map[string]struct {
		Size  int64  `json:"size"`
		Body  string `json:"body"`
		Flags string `json:"flags"`
		Date  string `json:"date"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("python imaplib output: %v", err)
	}
	msgs = map[uint32]pythonMessage{}
	for k, v := range raw {
		uid, _ := strconv.ParseUint(k, 10, 32)
		body, err := base64.StdEncoding.DecodeString(v.Body)
		if err != nil {
			t.Fatal(err)
		}
		msgs[uint32(uid)] = pythonMessage{Size: v.Size, Body: body, Flags: v.Flags, Date: v.Date}
	}
	return msgs, true
}

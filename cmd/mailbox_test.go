package cmd

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

func TestListAgainstServer(t *testing.T) {
	s := startTestServer(t)
	code, out, errOut := s.run(t, nil, "list")
	if code != ExitOK {
		t.Fatalf("list = %d, stderr %q", code, errOut)
	}
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, want := range s.Mailboxes {
		if !slices.Contains(got, want) {
			t.Errorf("list output %q lacks mailbox %q the server has", got, want)
		}
	}
	if !slices.Contains(got, memserver.NonASCIIMailbox) {
		t.Errorf("list output lacks the non-ASCII mailbox %q decoded to UTF-8", memserver.NonASCIIMailbox)
	}
}

func TestListJSONStatus(t *testing.T) {
	s := startTestServer(t)
	code, out, errOut := s.run(t, nil, "list", "--json", "--status", "INBOX")
	if code != ExitOK {
		t.Fatalf("list --json --status INBOX = %d, stderr %q", code, errOut)
	}
	var m listedMailbox
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("list --json output %q: %v", out, err)
	}
	if m.Name != "INBOX" || m.Delimiter != memserver.Delimiter {
		t.Errorf("list --json = %+v", m)
	}
	if got, want := m.Status["messages"], uint64(len(s.messagesIn("INBOX"))); got != want {
		t.Errorf("INBOX messages = %d, want %d seeded", got, want)
	}
}

func TestSelectAgainstServer(t *testing.T) {
	s := startTestServer(t)
	msgs := s.messagesIn("INBOX")
	code, out, errOut := s.run(t, nil, "select", "--json", "INBOX")
	if code != ExitOK {
		t.Fatalf("select = %d, stderr %q", code, errOut)
	}
	var mb selectedMailbox
	if err := json.Unmarshal([]byte(out), &mb); err != nil {
		t.Fatalf("select --json output %q: %v", out, err)
	}
	if int(mb.Exists) != len(msgs) || !mb.ReadOnly || mb.UIDNext != msgs[len(msgs)-1].UID+1 {
		t.Errorf("select = %+v; want exists %d, read-only, uidnext %d", mb, len(msgs), msgs[len(msgs)-1].UID+1)
	}
	code, out, _ = s.run(t, nil, "select", "--read-write", "INBOX")
	if code != ExitOK || !strings.Contains(out, "read_only: false\n") || !strings.HasPrefix(out, "exists: ") {
		t.Errorf("select --read-write = %d %q", code, out)
	}
}

func TestUnknownMailboxExits5(t *testing.T) {
	s := startTestServer(t)
	for _, args := range [][]string{{"select", "No/Such"}, {"status", "No/Such"}, {"delete", "No/Such"}} {
		code, out, errOut := s.run(t, nil, args...)
		if code != ExitServer || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "imapctl: ") {
			t.Errorf("%q = %d, stdout %q, stderr %q; want 5 and one line", args, code, out, errOut)
		}
	}
}

func TestMailboxLifecycleNonASCII(t *testing.T) {
	s := startTestServer(t)
	name, renamed := "Über/Ñandú", "Über/日本"
	steps := [][]string{{"create", name}, {"subscribe", name}, {"rename", name, renamed}, {"status", renamed}}
	for _, args := range steps {
		if code, _, errOut := s.run(t, nil, args...); code != ExitOK {
			t.Fatalf("%q = %d, stderr %q", args, code, errOut)
		}
	}
	_, out, _ := s.run(t, nil, "list", "Über/*")
	if out != renamed+"\n" {
		t.Errorf("list Über/* = %q, want %q", out, renamed+"\n")
	}
	if code, _, errOut := s.run(t, nil, "delete", renamed); code != ExitOK {
		t.Fatalf("delete = %d, %q", code, errOut)
	}
	if _, out, _ := s.run(t, nil, "list", "Über/*"); out != "" {
		t.Errorf("list after delete = %q", out)
	}
}

func TestCapability(t *testing.T) {
	s := startTestServer(t)
	code, out, _ := s.run(t, nil, "capability")
	if code != ExitOK || !strings.Contains(out, "IMAP4rev1\n") {
		t.Errorf("capability = %d %q", code, out)
	}
}

func TestWrongPasswordExits3(t *testing.T) {
	s := startTestServer(t)
	code, out, errOut := s.run(t, map[string]string{"IMAPCTL_PASSWORD": "wrong"}, "list")
	if code != ExitAuth || out != "" || strings.Count(errOut, "\n") != 1 {
		t.Errorf("list with a wrong password = %d, stdout %q, stderr %q; want 3", code, out, errOut)
	}
	if strings.Contains(errOut, "wrong") {
		t.Errorf("stderr %q shows the password", errOut)
	}
}

func TestRefusedConnectionExits4(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close() // nothing listens on the port any more
	env := map[string]string{"IMAPCTL_HOST": "127.0.0.1", "IMAPCTL_PORT": port, "IMAPCTL_TLS": "none", "IMAPCTL_USER": "u", "IMAPCTL_PASSWORD": "p"}
	code, out, errOut := runTest(t, env, "list")
	if code != ExitConnection || out != "" || !strings.HasPrefix(errOut, "imapctl: ") {
		t.Errorf("list against a closed port = %d, stdout %q, stderr %q; want 4", code, out, errOut)
	}
}

func TestImplicitTLSWithCAFile(t *testing.T) {
	s := startTestServer(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(s.TLSAddr)
	env := map[string]string{"IMAPCTL_TLS": "implicit", "IMAPCTL_PORT": port, "IMAPCTL_CA_FILE": ca}
	if code, out, errOut := s.run(t, env, "list", "INBOX"); code != ExitOK || out != "INBOX\n" || errOut != "" {
		t.Errorf("list over verified TLS = %d %q %q", code, out, errOut)
	}
	// Without the CA: the certificate is not trusted, exit 4 with a hint.
	delete(env, "IMAPCTL_CA_FILE")
	env["IMAPCTL_CA_FILE"] = ""
	code, out, errOut := s.run(t, env, "list", "INBOX")
	if code != ExitConnection || out != "" || !strings.Contains(errOut, "\nimapctl: hint: trust the server's CA") {
		t.Errorf("list with an unknown CA = %d %q %q; want 4 and a hint", code, out, errOut)
	}
	// --insecure connects, with a warning.
	code, out, errOut = s.run(t, env, "--insecure", "list", "INBOX")
	if code != ExitOK || out != "INBOX\n" || !strings.HasPrefix(errOut, "imapctl: warning: --insecure") {
		t.Errorf("list --insecure = %d %q %q; want a warning", code, out, errOut)
	}
	// STARTTLS on the plain port.
	env = map[string]string{"IMAPCTL_TLS": "starttls", "IMAPCTL_CA_FILE": ca}
	if code, out, errOut := s.run(t, env, "list", "INBOX"); code != ExitOK || out != "INBOX\n" {
		t.Errorf("list over STARTTLS = %d %q %q", code, out, errOut)
	}
}

// TestConfigFileAccountConnects reaches the server through a named
// account of a config file, its password from password_cmd.
func TestConfigFileAccountConnects(t *testing.T) {
	s := startTestServer(t)
	host, port, _ := net.SplitHostPort(s.Addr)
	cfg := "default_account: other\naccounts:\n  other:\n    host: 192.0.2.1\n  demo:\n    host: " + host +
		"\n    port: " + port + "\n    tls: none\n    user: " + s.Username +
		"\n    password_cmd: printf '%s\\n' '" + s.Password + "'\n"
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runTest(t, map[string]string{"IMAPCTL_CONFIG": path}, "--account", "demo", "list", "INBOX")
	if code != ExitOK || out != "INBOX\n" || errOut != "" {
		t.Errorf("list via account demo = %d %q %q", code, out, errOut)
	}
	// IMAPCTL_USER beats the file: a wrong user fails to log in.
	code, _, _ = runTest(t, map[string]string{"IMAPCTL_CONFIG": path, "IMAPCTL_USER": "mallory"}, "--account", "demo", "list")
	if code != ExitAuth {
		t.Errorf("list with IMAPCTL_USER overriding the file = %d, want 3", code)
	}
}

// TestSelectReadWriteGrantedReadOnly: a server may answer SELECT with
// OK [READ-ONLY] (RFC 3501 §6.3.1). select --read-write still prints the
// state the server gave (read_only: true), then the error line, exit 5.
func TestSelectReadWriteGrantedReadOnly(t *testing.T) {
	const selectShared = "login\n" +
		"C: $tag SELECT Shared\n" +
		"S: * FLAGS (\\Seen \\Deleted)\nS: * 3 EXISTS\nS: * 0 RECENT\n" +
		"S: * OK [UIDVALIDITY 42] x\nS: * OK [UIDNEXT 9] x\nS: * OK [PERMANENTFLAGS ()] x\n" +
		"S: $tag OK [READ-ONLY] SELECT completed, but read-only\n" +
		"C: $tag LOGOUT\nS: * BYE\nS: $tag OK bye\n"
	_, env := startScript(t, selectShared)
	code, out, errOut := runTest(t, env, "select", "--read-write", "Shared")
	want := "exists: 3\nrecent: 0\nuidvalidity: 42\nuidnext: 9\nflags: \\Seen \\Deleted\npermanentflags: \nread_only: true\n"
	if code != ExitServer || out != want || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "not writable") {
		t.Errorf("select --read-write Shared = %d, stdout %q, stderr %q; want %d, stdout %q and one error line", code, out, errOut, ExitServer, want)
	}
	_, env = startScript(t, selectShared)
	code, out, errOut = runTest(t, env, "--json", "select", "--read-write", "Shared")
	var mb selectedMailbox
	if err := json.Unmarshal([]byte(out), &mb); err != nil || code != ExitServer || !mb.ReadOnly || mb.Exists != 3 || mb.UIDValidity != 42 {
		t.Errorf("--json select --read-write Shared = %d, stdout %q (%v), stderr %q; want exit 5 and the state with read_only true", code, out, err, errOut)
	}
}

// TestListJSONNameNotUTF8: JSON strings hold only UTF-8 (RFC 8259 §8.1),
// so a mailbox name with other bytes cannot be "name" exactly; its exact
// bytes are in "name_base64" (base64 from Python:
// base64.b64encode(b"Lat\xfcn1") == b"TGF0/G4x").
func TestListJSONNameNotUTF8(t *testing.T) {
	_, env := startScript(t, "login\n"+
		"C: $tag LIST \"\" *\n"+
		"S: * LIST () \"/\" {6}\nraw: \"Lat\\xfcn1\\r\\n\"\nS: * LIST () \"/\" Plain\nS: $tag OK LIST completed\n"+
		"C: $tag LOGOUT\nS: * BYE\nS: $tag OK bye\n")
	code, out, errOut := runTest(t, env, "--json", "list")
	want := `{"name":"Lat\ufffdn1","name_base64":"TGF0/G4x","delimiter":"/","attributes":[]}` + "\n" +
		`{"name":"Plain","delimiter":"/","attributes":[]}` + "\n"
	if code != ExitOK || out != want {
		t.Errorf("--json list = %d %q (stderr %q), want %q", code, out, errOut, want)
	}
}

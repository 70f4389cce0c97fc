package fakeserver

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"os"
	"strings"
	"testing"
)

// dialScript starts a server for script and connects to it.
func dialScript(t *testing.T, text string) (*Server, net.Conn, *bufio.Reader) {
	t.Helper()
	s := StartT(t, text)
	conn, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return s, conn, bufio.NewReader(conn)
}

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v (got %q)", err, line)
	}
	return line
}

func TestScriptPlaysAndLogs(t *testing.T) {
	s, conn, r := dialScript(t, `
# a greeting, a login with a synchronizing literal, a select
login
C: $tag SELECT INBOX
S: * 3 EXISTS
S: $tag OK [READ-WRITE] done
`)
	if got := readLine(t, r); got != "* OK [CAPABILITY "+DefaultCapabilities+"] fake server ready\r\n" {
		t.Fatalf("greeting = %q", got)
	}
	io.WriteString(conn, "a1 LOGIN alice {4}\r\n")
	if got := readLine(t, r); !strings.HasPrefix(got, "+ ") {
		t.Fatalf("continuation = %q", got)
	}
	io.WriteString(conn, "p\r\nw\r\n")
	if got := readLine(t, r); got != "a1 OK [CAPABILITY "+DefaultCapabilities+"] logged in\r\n" {
		t.Fatalf("login reply = %q", got)
	}
	// An unexpected command is refused and logged; the step still waits.
	io.WriteString(conn, "a2 NOOP\r\n")
	if got := readLine(t, r); !strings.HasPrefix(got, "a2 BAD ") {
		t.Fatalf("reply to NOOP = %q", got)
	}
	io.WriteString(conn, "a3 CAPABILITY\r\n")
	if got := readLine(t, r); got != "* CAPABILITY "+DefaultCapabilities+"\r\n" {
		t.Fatalf("capability = %q", got)
	}
	readLine(t, r)
	io.WriteString(conn, "a4 select inbox\r\n")
	if got := readLine(t, r) + readLine(t, r); got != "* 3 EXISTS\r\na4 OK [READ-WRITE] done\r\n" {
		t.Fatalf("select reply = %q", got)
	}
	io.WriteString(conn, "a5 LOGOUT\r\n")
	if rest, _ := io.ReadAll(r); string(rest) != "* BYE fake server logging out\r\na5 OK LOGOUT completed\r\n" {
		t.Fatalf("logout reply = %q", rest)
	}
	want := "conn 1\nC: a1 LOGIN alice {4}\\r\\np\\r\\nw\nC!: a2 NOOP\nC: a3 CAPABILITY\nC: a4 select inbox\nC: a5 LOGOUT\n"
	if got := s.Transcript(); got != want {
		t.Errorf("Transcript() =\n%s\nwant\n%s", got, want)
	}
	if u := s.Unexpected(); len(u) != 1 || string(u[0].Command) != "a2 NOOP\r\n" {
		t.Errorf("Unexpected() = %v", u)
	}
}

func TestRawAndClose(t *testing.T) {
	_, _, r := dialScript(t, `raw: "* OK \x00\xff"
close
`)
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "* OK \x00\xff" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"a\r\nb":         `a\r\nb`,
		"nul\x00":        `nul\x00`,
		"back\\slash":    `back\\slash`,
		"Entwürfe 日本":    "Entwürfe 日本",
		"\xff\xfe latin": `\xff\xfe latin`,
		"tab\there\x7f":  `tab\there\x7f`,
	} {
		if got := Escape([]byte(in)); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCertificates(t *testing.T) {
	for kind, wantOK := range map[string]bool{"good": true, "wronghost": false, "expired": false, "selfsigned": false} {
		script, err := ParseScript("tls: implicit\ncert: " + kind + "\nS: * OK hi\n")
		if err != nil {
			t.Fatal(err)
		}
		s, err := Start(script)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(s.CACertPEM)
		conn, err := tls.Dial("tcp", s.Addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if (err == nil) != wantOK {
			t.Errorf("cert %s: tls.Dial error = %v, want success %v", kind, err, wantOK)
		}
		if conn != nil {
			conn.Close()
		}
		s.Close()
	}
}

func TestParseScriptErrors(t *testing.T) {
	for _, text := range []string{"X: what", "raw: not-quoted", "tls: maybe", "cert: odd", "C: $tag $tag"} {
		if _, err := ParseScript(text); err == nil {
			t.Errorf("ParseScript(%q) succeeded", text)
		}
	}
}

func TestExpectLineLeavesTheLiteral(t *testing.T) {
	s, conn, r := dialScript(t, `C-: $tag APPEND INBOX {*}
S: $tag NO [OVERQUOTA] too big
`)
	io.WriteString(conn, "t1 APPEND INBOX {5}\r\n")
	if got := readLine(t, r); got != "t1 NO [OVERQUOTA] too big\r\n" {
		t.Fatalf("reply = %q", got)
	}
	// A client that sends the literal anyway: its bytes arrive as a command.
	io.WriteString(conn, "hello\r\n")
	if got := readLine(t, r); !strings.HasPrefix(got, "hello BAD ") {
		t.Fatalf("reply = %q", got)
	}
	if got, want := s.Transcript(), "conn 1\nC: t1 APPEND INBOX {5}\nC!: hello\n"; got != want {
		t.Errorf("Transcript() = %q, want %q", got, want)
	}
}

func TestNextConnection(t *testing.T) {
	script, err := ParseScript("S: * OK first\nclose\nnext-connection\nS: * OK second\nclose\n")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(script)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, want := range []string{"* OK first\r\n", "* OK second\r\n", "* OK second\r\n"} {
		conn, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(conn)
		conn.Close()
		if string(got) != want {
			t.Errorf("connection got %q, want %q", got, want)
		}
	}
}

func TestMark(t *testing.T) {
	mark := t.TempDir() + "/reached"
	_, _, r := dialScript(t, "S: * OK hi\nmark: "+mark+"\nclose\n")
	io.ReadAll(r)
	if _, err := os.Stat(mark); err != nil {
		t.Errorf("mark step: %v", err)
	}
}

func TestArgEcho(t *testing.T) {
	_, conn, r := dialScript(t, "C: $tag STATUS $arg *\nS: * STATUS $arg (MESSAGES 1)\nS: $tag OK done\n")
	io.WriteString(conn, "x1 STATUS ../box (MESSAGES)\r\n")
	if got := readLine(t, r) + readLine(t, r); got != "* STATUS ../box (MESSAGES 1)\r\nx1 OK done\r\n" {
		t.Errorf("reply = %q", got)
	}
}

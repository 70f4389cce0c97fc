package memserver

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawFetchAll reads every message of INBOX with a hand-written minimal
// IMAP exchange, independent of internal/imap.
func rawFetchAll(t *testing.T, conn net.Conn, user, password string) map[uint32][]byte {
	t.Helper()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(conn)
	readLine := func() string {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return l
	}
	if g := readLine(); !strings.HasPrefix(g, "* OK") {
		t.Fatalf("greeting %q", g)
	}
	run := func(tag, cmd string, onLine func(line string)) {
		fmt.Fprintf(conn, "%s %s\r\n", tag, cmd)
		for {
			l := readLine()
			if strings.HasPrefix(l, tag+" ") {
				if !strings.HasPrefix(l, tag+" OK") {
					t.Fatalf("%s: %q", cmd, l)
				}
				return
			}
			if onLine != nil {
				onLine(l)
			}
		}
	}
	run("a", fmt.Sprintf("LOGIN %s %s", user, password), nil)
	run("b", "EXAMINE INBOX", nil)
	fetchLine := regexp.MustCompile(`^\* \d+ FETCH \(UID (\d+) RFC822\.SIZE (\d+) BODY\[\] \{(\d+)\}\r\n$`)
	got := map[uint32][]byte{}
	run("c", "FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])", func(line string) {
		m := fetchLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unexpected line %q", line)
		}
		uid, _ := strconv.ParseUint(m[1], 10, 32)
		size, _ := strconv.Atoi(m[2])
		n, _ := strconv.Atoi(m[3])
		if n != size {
			t.Errorf("UID %d: BODY[] literal {%d}, RFC822.SIZE %d", uid, n, size)
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			t.Fatal(err)
		}
		if rest := readLine(); rest != ")\r\n" {
			t.Fatalf("after literal: %q", rest)
		}
		got[uint32(uid)] = body
	})
	run("d", "LOGOUT", func(string) {})
	return got
}

func TestMemserverServesSeededMessagesExactly(t *testing.T) {
	srv := StartT(t)
	inbox := srv.MessagesIn("INBOX")
	if len(inbox) < 150 {
		t.Fatalf("seeded %d messages in INBOX (skipped %d), want most of the 193", len(inbox), len(srv.Skipped))
	}
	for _, s := range srv.Skipped {
		t.Logf("skipped %s: %s", s.Path, s.Reason)
	}
	conn, err := tls.Dial("tcp", srv.TLSAddr, srv.ClientTLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := rawFetchAll(t, conn, srv.Username, srv.Password)
	if len(got) != len(inbox) {
		t.Errorf("FETCH 1:* returned %d messages, seeded %d", len(got), len(inbox))
	}
	for _, m := range inbox {
		want, err := os.ReadFile(m.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !m.CRLFAdded && !bytes.Equal(m.Data, want) || m.CRLFAdded && !bytes.Equal(m.Data, bytes.ReplaceAll(bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))) {
			t.Errorf("UID %d (%s): seeded Data differs from the file", m.UID, m.Path)
		}
		if !bytes.Equal(got[m.UID], m.Data) {
			t.Errorf("UID %d (%s): BODY[] is %d bytes, file is %d", m.UID, m.Path, len(got[m.UID]), len(want))
		}
	}
}

func TestMemserverSkipsMessageWithoutHeaderBodySeparator(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(dir+"/x", 0o755)
	good := "From: a@example.org\r\nSubject: ok\r\n\r\nbody\r\n"
	bad := "From: a@example.org\r\nSubject: no blank line\r\n"
	os.WriteFile(dir+"/x/good.eml", []byte(good), 0o644)
	os.WriteFile(dir+"/x/bad.eml", []byte(bad), 0o644)
	srv := StartT(t, Options{CorpusDir: dir})
	if len(srv.Skipped) != 1 || !strings.HasSuffix(srv.Skipped[0].Path, "bad.eml") {
		t.Errorf("Skipped = %+v, want bad.eml", srv.Skipped)
	}
	if in := srv.MessagesIn("INBOX"); len(in) != 1 || in[0].UID != 1 || in[0].Size != int64(len(good)) {
		t.Errorf("INBOX = %+v, want good.eml as UID 1", in)
	}
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := rawFetchAll(t, conn, srv.Username, srv.Password); string(got[1]) != good {
		t.Errorf("BODY[] = %q, want %q", got[1], good)
	}
}

func TestMemserverStartClose(t *testing.T) {
	if _, err := Start(Options{RequireTLS: true}); err == nil {
		t.Error("Start with RequireTLS but no TLS succeeded")
	}
	srv, err := Start(Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Username != "alice" || srv.TLSAddr == "" || len(srv.Messages) != 0 || srv.ClientTLSConfig() == nil {
		t.Errorf("Start(TLS, no corpus) = %+v", srv)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	for _, addr := range []string{srv.Addr, srv.TLSAddr} {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts after Close", addr)
		}
	}
}

// Package imaptest runs scripted IMAP conversations for transcript tests,
// in the style of net/smtp's faker: the script lists what the server sends
// and the exact bytes the client must send, in order.
package imaptest

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// stepTimeout keeps a broken test from hanging: a client that sends less
// than the script expects is reported after this long.
const stepTimeout = 10 * time.Second

// Serve listens on a loopback port, accepts one connection and plays
// script on it; it returns the address to dial. Each script line starts
// with "S: " (the server sends the rest plus CRLF) or "C: " (the client
// must send exactly the rest plus CRLF). A line "C: " followed by
// "<literal>" bytes is matched byte for byte like any other. A mismatch
// is reported with t.Errorf and ends the conversation by closing the
// connection. "C: <EOF>" waits for the client to close the connection.
// Lines starting with "#" are comments. Escapes: "\n" in a
// line stands for a bare LF without the CRLF that is otherwise added when
// the line ends in "\n".
func Serve(t testing.TB, script string) string {
	t.Helper()
	return ServeFunc(t, func(conn net.Conn) { Play(t, conn, script) })
}

// ServeFunc listens on a loopback port, accepts one connection and hands
// it to serve, closing it afterwards; it returns the address to dial. The
// test's cleanup waits for serve to return.
func ServeFunc(t testing.TB, serve func(conn net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		serve(conn)
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

// Play runs script on conn (see Serve) and reports whether it completed.
func Play(t testing.TB, conn net.Conn, script string) bool {
	for i, line := range strings.Split(strings.TrimRight(script, "\n"), "\n") {
		line = strings.TrimLeft(line, "\t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line == "C:" || line == "S:" {
			line += " " // an empty line whose trailing space was trimmed
		}
		if len(line) < 3 {
			t.Errorf("script line %d: %q starts with neither \"S: \" nor \"C: \"", i+1, line)
			return false
		}
		data := line[3:] + "\r\n"
		if strings.HasSuffix(line, `\n`) {
			data = line[3:len(line)-2] + "\n"
		}
		switch line[:3] {
		case "S: ":
			if _, err := io.WriteString(conn, data); err != nil {
				t.Errorf("script line %d: server write: %v", i+1, err)
				return false
			}
		case "C: ":
			if line == "C: <EOF>" {
				// The client must hang up (after cancelling, say).
				conn.SetReadDeadline(time.Now().Add(stepTimeout))
				rest, err := io.ReadAll(conn)
				if err != nil || len(rest) > 0 {
					t.Errorf("script line %d: want client to close, got %q (%v)", i+1, rest, err)
					return false
				}
				continue
			}
			conn.SetReadDeadline(time.Now().Add(stepTimeout))
			got := make([]byte, len(data))
			n, err := io.ReadFull(conn, got)
			if err != nil || !bytes.Equal(got, []byte(data)) {
				t.Errorf("script line %d: client sent %q (%v), want %q", i+1, got[:n], err, data)
				return false
			}
		default:
			t.Errorf("script line %d: %q starts with neither \"S: \" nor \"C: \"", i+1, line)
			return false
		}
	}
	return true
}

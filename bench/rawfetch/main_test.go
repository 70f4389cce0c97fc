package main

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
)

// TestCommandLiterals runs a FETCH against a scripted server (responses in
// the shape of RFC 3501 §7.4.2, two literals, one followed by more items)
// and checks each literal is handed over whole and the tagged OK ends it.
func TestCommandLiterals(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	go func() {
		defer server.Close()
		br := bufio.NewReader(server)
		line, _ := br.ReadString('\n')
		if line != "a1 UID FETCH 1:* BODY.PEEK[]\r\n" {
			io.WriteString(server, "a1 BAD unexpected "+line)
			return
		}
		io.WriteString(server, "* 1 FETCH (UID 4 BODY[] {12}\r\nSubject: x\r\n)\r\n"+
			"* 2 FETCH (BODY[] {5}\r\nab}\r\n UID 9)\r\n"+
			"* OK [ALERT] {not a literal}\r\n"+
			"a1 OK done\r\n")
	}()
	s := &session{conn: client, br: bufio.NewReader(client), w: client}
	var got []string
	err := s.command("UID FETCH 1:* BODY.PEEK[]", func(size int64, r io.Reader) error {
		b, err := io.ReadAll(r)
		got = append(got, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Subject: x\r\n", "ab}\r\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("literals = %q, want %q", got, want)
	}
}

func TestCommandNo(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	go func() {
		defer server.Close()
		bufio.NewReader(server).ReadString('\n')
		io.WriteString(server, "a1 NO [AUTHENTICATIONFAILED] bad\r\n")
	}()
	s := &session{conn: client, br: bufio.NewReader(client), w: client}
	if err := s.command(`LOGIN "u" "p"`, nil); err == nil || !strings.Contains(err.Error(), "AUTHENTICATIONFAILED") {
		t.Errorf("LOGIN answered NO: err = %v, want the server's text", err)
	}
}

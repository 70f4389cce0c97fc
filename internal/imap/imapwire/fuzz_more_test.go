package imapwire

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
)

// FuzzEncoderOneLine writes a user's value with each encoder method that
// puts user input on the wire (Flag, Atom, Quoted, String, ListMailbox)
// into "A1 X <value> Y": either the encoder refuses the value, or the
// bytes decode back to the value and the command ends right after " Y"
// (CR, LF and NUL cannot start another command).
func FuzzEncoderOneLine(f *testing.F) {
	for _, s := range []string{`\Seen`, `\seen`, "$Label1", `\*`, "a b", "x\r\nA2 LOGOUT", "%/*", "INBOX.*", "\x00", "]", "{3}", "\"", "\\", "ü", "", strings.Repeat("y", 1100)} {
		for m := byte(0); m < 5; m++ {
			f.Add(s, m, false)
		}
	}
	f.Fuzz(func(t *testing.T, s string, method byte, utf8Mode bool) {
		var buf bytes.Buffer
		e := NewEncoder(bufio.NewWriter(&buf))
		e.UTF8 = utf8Mode
		e.Literals = LiteralPlus
		e.Raw("A1 X ")
		names := []string{"Flag", "Atom", "Quoted", "String", "ListMailbox"}
		method %= byte(len(names))
		switch method {
		case 0:
			e.Flag(s)
		case 1:
			e.Atom(s)
		case 2:
			e.Quoted(s)
		case 3:
			e.String(s)
		case 4:
			e.ListMailbox(s)
		}
		e.Raw(" Y")
		if err := e.CRLF(); err != nil {
			if method >= 3 && strings.IndexByte(s, 0) < 0 {
				t.Fatalf("%s(%q) refused: %v", names[method], s, err)
			}
			return
		}
		if strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("%s(%q) sent NUL: %q", names[method], s, buf.String())
		}
		d := NewDecoder(bufio.NewReader(bytes.NewReader(buf.Bytes())))
		if a, ok := d.Atom(); !ok || a != "A1" || !d.SP() {
			t.Fatalf("tag: %v", d.Err())
		}
		if a, ok := d.Atom(); !ok || a != "X" || !d.SP() {
			t.Fatalf("name: %v", d.Err())
		}
		var got string
		var ok bool
		want := s
		switch method {
		case 0:
			// The grammar's flag ("\" atom, "\*" or atom), not d.Flag, which
			// stops at '[' for servers' sake.
			if d.Accept('\\') {
				if got, ok = "*", d.Accept('*'); !ok {
					got, ok = d.Atom()
				}
				got = `\` + got
			} else {
				got, ok = d.Atom()
			}
		case 1:
			got, ok = d.Atom()
		case 2, 3:
			got, ok = d.String()
		case 4:
			if b, _ := d.PeekByte(); b == '"' || b == '{' {
				got, ok = d.String()
			} else {
				got, ok = d.readWhile("list-mailbox", func(c byte) bool { return isAStringChar(c) || c == '%' || c == '*' })
			}
		}
		if !ok || got != want {
			t.Fatalf("%s(%q) wrote %q, decoded %q, %v (%v)", names[method], s, buf.String(), got, ok, d.Err())
		}
		if !d.SP() {
			t.Fatalf("%s(%q) wrote %q: no SP after the value (%v)", names[method], s, buf.String(), d.Err())
		}
		if a, ok := d.Atom(); !ok || a != "Y" || !d.CRLF() {
			t.Fatalf("%s(%q) wrote %q: the line does not end after it (%v)", names[method], s, buf.String(), d.Err())
		}
		if _, err := d.r.ReadByte(); err != io.EOF {
			t.Fatalf("%s(%q) wrote %q: bytes after the command line", names[method], s, buf.String())
		}
	})
}

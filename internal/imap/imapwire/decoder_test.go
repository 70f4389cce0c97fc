package imapwire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func dec(s string) *Decoder { return NewDecoder(bufio.NewReader(strings.NewReader(s))) }

func TestDecoderPrimitives(t *testing.T) {
	tests := []struct {
		name string
		in   string
		read func(d *Decoder) (any, bool)
		want any
	}{
		{"atom", "FETCH ", func(d *Decoder) (any, bool) { return d.Atom() }, "FETCH"},
		{"number", "4294967295 ", func(d *Decoder) (any, bool) { return d.Number() }, uint32(4294967295)},
		{"number64", "9223372036854775807)", func(d *Decoder) (any, bool) { return d.Number64() }, uint64(9223372036854775807)},
		// RFC 3501 §4.3: quoted-specials escaped by "\".
		{"quoted escapes", `"a \"b\" \\c" `, func(d *Decoder) (any, bool) { return d.Quoted() }, `a "b" \c`},
		{"quoted empty", `"" `, func(d *Decoder) (any, bool) { return d.Quoted() }, ""},
		{"literal string", "{5}\r\nab\r\nc)", func(d *Decoder) (any, bool) { return d.String() }, "ab\r\nc"},
		{"literal nonsync", "{3+}\r\nabc)", func(d *Decoder) (any, bool) { return d.String() }, "abc"},
		{"literal8", "~{3}\r\na\x00c)", func(d *Decoder) (any, bool) { return d.String() }, "a\x00c"},
		{"literal lone LF", "{2}\nab)", func(d *Decoder) (any, bool) { return d.String() }, "ab"},
		{"astring atom with ]", "INBOX] ", func(d *Decoder) (any, bool) { return d.AString() }, "INBOX]"},
		{"astring quoted", `"Sent Items" `, func(d *Decoder) (any, bool) { return d.AString() }, "Sent Items"},
		{"nstring nil", "NIL ", func(d *Decoder) (any, bool) { _, isNil, ok := d.NString(); return isNil, ok }, true},
		{"nstring lowercase nil", "nil ", func(d *Decoder) (any, bool) { _, isNil, ok := d.NString(); return isNil, ok }, true},
		{"flag lowercase system", `\seen `, func(d *Decoder) (any, bool) { return d.Flag() }, `\Seen`},
		{"flag keyword", `$Forwarded `, func(d *Decoder) (any, bool) { return d.Flag() }, `$Forwarded`},
		{"flag wildcard", `\* `, func(d *Decoder) (any, bool) { return d.Flag() }, `\*`},
		{"flag list", `(\Answered \flagged  $Junk)`, func(d *Decoder) (any, bool) {
			f, ok := d.FlagList()
			return strings.Join(f, ","), ok
		}, `\Answered,\Flagged,$Junk`},
		{"empty list", `()`, func(d *Decoder) (any, bool) { f, ok := d.FlagList(); return len(f), ok }, 0},
		// RFC 3501 §9: "[" is an ATOM-CHAR, so a[b is a flag-keyword; "]" is not.
		{"flag keyword with [", `(a[b \Seen)`, func(d *Decoder) (any, bool) {
			f, ok := d.FlagList()
			return strings.Join(f, ","), ok
		}, `a[b,\Seen`},
		{"permanentflags code", `[PERMANENTFLAGS (\Seen a[b \*)] ok`, func(d *Decoder) (any, bool) {
			d.Accept('[')
			d.Token()
			d.SP()
			f, ok := d.FlagList()
			return strings.Join(f, ",") + fmt.Sprint(d.Accept(']')), ok
		}, `\Seen,a[b,\*true`},
		{"section token", "BODY[HEADER.FIELDS (FROM TO)]<0> ", func(d *Decoder) (any, bool) { return d.SectionToken() }, "BODY[HEADER.FIELDS (FROM TO)]<0>"},
		{"value nested", `(1 "two" NIL (3 {1}` + "\r\n" + `x))`, func(d *Decoder) (any, bool) {
			v, ok := d.Value()
			return v.String(), ok
		}, `(1 "two" NIL (3 "x"))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dec(tt.in)
			got, ok := tt.read(d)
			if !ok {
				t.Fatalf("read %q failed: %v", tt.in, d.Err())
			}
			if got != tt.want {
				t.Errorf("read %q = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecoderErrorsNameRule(t *testing.T) {
	tests := []struct {
		in, rule string
		read     func(d *Decoder) bool
	}{
		{"x", "number", func(d *Decoder) bool { _, ok := d.Number(); return ok }},
		{"99999999999 ", "number", func(d *Decoder) bool { _, ok := d.Number(); return ok }},
		{`"abc`, "quoted", func(d *Decoder) bool { _, ok := d.Quoted(); return ok }},
		{"\"ab\r\nc\"", "quoted", func(d *Decoder) bool { _, ok := d.Quoted(); return ok }},
		{"{99999999999999999999}\r\n", "literal", func(d *Decoder) bool { _, ok := d.String(); return ok }},
		{"(a b\r\n", "list", func(d *Decoder) bool { _, ok := d.Value(); return ok }},
		{"[UIDNEXT 5 text", "resp-text-code", func(d *Decoder) bool { _, ok := d.RespText(); return ok }},
		{"X", "CRLF", func(d *Decoder) bool { return d.CRLF() }},
	}
	for _, tt := range tests {
		d := dec(tt.in)
		if tt.read(d) {
			t.Errorf("read %q succeeded, want error", tt.in)
			continue
		}
		var de *DecodeError
		if !errors.As(d.Err(), &de) || de.Rule != tt.rule {
			t.Errorf("read %q: err = %v, want DecodeError for rule %q", tt.in, d.Err(), tt.rule)
		}
		// The first error sticks.
		if _, ok := d.Atom(); ok {
			t.Errorf("read after error succeeded")
		}
	}
}

func TestLiteralHugeAnnouncedSizeDoesNotAllocate(t *testing.T) {
	d := dec("{9223372036854775807}\r\nshort")
	allocs := testing.AllocsPerRun(1, func() {
		d = dec("{9223372036854775807}\r\nshort")
		_, _ = d.String()
	})
	if d.Err() == nil {
		t.Fatal("String() of huge literal succeeded")
	}
	if allocs > 64 {
		t.Errorf("allocs = %v", allocs)
	}
	// Streaming it ends in ErrUnexpectedEOF, after reading only what exists.
	d = dec("{9223372036854775807}\r\nshort")
	lit, ok := d.Literal()
	if !ok {
		t.Fatal(d.Err())
	}
	n, err := io.Copy(io.Discard, lit)
	if n != 5 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("copy = %d, %v; want 5, ErrUnexpectedEOF", n, err)
	}
}

func TestLiteralMustBeConsumed(t *testing.T) {
	d := dec("{3}\r\nabc)")
	if _, ok := d.Literal(); !ok {
		t.Fatal(d.Err())
	}
	if d.Accept(')') {
		t.Fatal("read past an unconsumed literal")
	}
	if !errors.Is(d.Err(), ErrLiteralNotConsumed) {
		t.Errorf("err = %v, want ErrLiteralNotConsumed", d.Err())
	}
}

func TestLineLengthBound(t *testing.T) {
	d := dec("* SEARCH " + strings.Repeat("1 ", 100) + "\r\n")
	d.MaxLineLength = 50
	d.Fields()
	if d.Err() == nil || !strings.Contains(d.Err().Error(), "line longer") {
		t.Errorf("err = %v, want line-length error", d.Err())
	}
}

func TestRespText(t *testing.T) {
	tests := []struct {
		in   string
		want RespCode
		text string
	}{
		// RFC 3501 §6.3.1 SELECT example.
		{`[UNSEEN 12] Message 12 is first unseen`, RespCode{Name: "UNSEEN", Raw: "12", Number: 12}, "Message 12 is first unseen"},
		{`[UIDVALIDITY 3857529045] UIDs valid`, RespCode{Name: "UIDVALIDITY", Raw: "3857529045", Number: 3857529045}, "UIDs valid"},
		{`[UIDNEXT 4392] Predicted next UID`, RespCode{Name: "UIDNEXT", Raw: "4392", Number: 4392}, "Predicted next UID"},
		{`[PERMANENTFLAGS (\Deleted \Seen \*)] Limited`, RespCode{Name: "PERMANENTFLAGS", Raw: `(\Deleted \Seen \*)`, Flags: []string{`\Deleted`, `\Seen`, `\*`}}, "Limited"},
		{`[READ-WRITE] SELECT completed`, RespCode{Name: "READ-WRITE"}, "SELECT completed"},
		{`[read-only] EXAMINE completed`, RespCode{Name: "READ-ONLY"}, "EXAMINE completed"},
		{`[TRYCREATE] No such mailbox`, RespCode{Name: "TRYCREATE"}, "No such mailbox"},
		{`[ALERT] System shutdown in 10 minutes`, RespCode{Name: "ALERT"}, "System shutdown in 10 minutes"},
		{`[CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] Dovecot ready.`, RespCode{Name: "CAPABILITY", Raw: "IMAP4rev1 LITERAL+ SASL-IR", Capabilities: []string{"IMAP4rev1", "LITERAL+", "SASL-IR"}}, "Dovecot ready."},
		// RFC 4315 §3 examples.
		{`[APPENDUID 38505 3955] APPEND completed`, RespCode{Name: "APPENDUID", Raw: "38505 3955", UIDValidity: 38505, DestUIDs: "3955"}, "APPEND completed"},
		{`[COPYUID 38505 304,319:320 3956:3958] Done`, RespCode{Name: "COPYUID", Raw: "38505 304,319:320 3956:3958", UIDValidity: 38505, SourceUIDs: "304,319:320", DestUIDs: "3956:3958"}, "Done"},
		// RFC 7162 §3.1.2.1 and §3.1.3 examples.
		{`[HIGHESTMODSEQ 715194045007] Highest`, RespCode{Name: "HIGHESTMODSEQ", Raw: "715194045007", Number: 715194045007}, "Highest"},
		{`[NOMODSEQ] Sorry`, RespCode{Name: "NOMODSEQ"}, "Sorry"},
		{`[MODIFIED 7,9] Conditional STORE failed`, RespCode{Name: "MODIFIED", Raw: "7,9", Set: "7,9"}, "Conditional STORE failed"},
		{`[CLOSED] Previous mailbox closed.`, RespCode{Name: "CLOSED"}, "Previous mailbox closed."},
		{`[BADCHARSET (UTF-8 "US-ASCII")] bad`, RespCode{Name: "BADCHARSET", Raw: `(UTF-8 "US-ASCII")`, Charsets: []string{"UTF-8", "US-ASCII"}}, "bad"},
		{`[X-UNKNOWN-CODE a [b] "c]"] text`, RespCode{Name: "X-UNKNOWN-CODE", Raw: `a [b] "c]"`}, "text"},
	}
	for _, tt := range tests {
		d := dec(tt.in + "\r\n")
		rt, ok := d.RespText()
		if !ok {
			t.Errorf("RespText(%q): %v", tt.in, d.Err())
			continue
		}
		if rt.Text != tt.text || rt.Code == nil || !sameCode(*rt.Code, tt.want) {
			t.Errorf("RespText(%q) = %+v %q, want %+v %q", tt.in, rt.Code, rt.Text, tt.want, tt.text)
		}
	}
	// A "[" without "]" on the line is text, not a broken code.
	d := dec("[not a code\r\n")
	if rt, ok := d.RespText(); !ok || rt.Code != nil || rt.Text != "[not a code" {
		t.Errorf("RespText([not a code) = %+v, %v", rt, d.Err())
	}
	d = dec("completed\r\n")
	if rt, ok := d.RespText(); !ok || rt.Code != nil || rt.Text != "completed" {
		t.Errorf("plain RespText = %+v, %v", rt, d.Err())
	}
}

func sameCode(a, b RespCode) bool {
	j := func(s []string) string { return strings.Join(s, "\x00") }
	return a.Name == b.Name && a.Raw == b.Raw && j(a.Flags) == j(b.Flags) && j(a.Capabilities) == j(b.Capabilities) &&
		j(a.Charsets) == j(b.Charsets) && a.Number == b.Number && a.UIDValidity == b.UIDValidity &&
		a.SourceUIDs == b.SourceUIDs && a.DestUIDs == b.DestUIDs && a.Set == b.Set
}

func TestDiscardLineSkipsLiteral(t *testing.T) {
	d := dec("* 1 FETCH (BODY[] {5}\r\nx\r\n)y)\r\n* 2 EXISTS\r\n")
	if err := d.DiscardLine(); err != nil {
		t.Fatal(err)
	}
	fs, ok := d.Fields()
	if !ok {
		t.Fatal(d.Err())
	}
	var b bytes.Buffer
	for _, f := range fs {
		b.WriteString(f.String() + " ")
	}
	if b.String() != "* 2 EXISTS " {
		t.Errorf("after DiscardLine: %q", b.String())
	}
}

func TestLiteralInMemoryBoundIsPerLine(t *testing.T) {
	d := dec("({4}\r\nabcd {4}\r\nefgh {4}\r\nijkl)\r\n")
	d.MaxLiteralInMemory = 10
	if _, ok := d.Value(); ok || !strings.Contains(d.Err().Error(), "in-memory bound") {
		t.Errorf("three 4-byte literals under a 10-byte bound: err = %v", d.Err())
	}
	d = dec("{4}\r\nabcd\r\n{4}\r\nefgh\r\n{4}\r\nijkl\r\n")
	d.MaxLiteralInMemory = 5
	for i := 0; i < 3; i++ {
		if _, ok := d.String(); !ok || !d.CRLF() {
			t.Fatalf("literal %d on its own line: %v", i, d.Err())
		}
	}
}

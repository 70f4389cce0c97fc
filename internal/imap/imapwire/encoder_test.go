package imapwire

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEncoderChoosesForm(t *testing.T) {
	tests := []struct {
		name  string
		mode  LiteralMode
		utf8  bool
		value string
		want  string
	}{
		{"atom", LiteralSync, false, "INBOX", "INBOX"},
		{"atom with ]", LiteralSync, false, "a]b", "a]b"},
		{"space quoted", LiteralSync, false, "Sent Items", `"Sent Items"`},
		{"empty quoted", LiteralSync, false, "", `""`},
		{"NIL quoted", LiteralSync, false, "nil", `"nil"`},
		{"escapes", LiteralSync, false, `a"b\c`, `"a\"b\\c"`},
		{"wildcard quoted", LiteralSync, false, "a*", `"a*"`},
		// CR and LF never travel outside a literal (RFC 3501 §4.3).
		{"CRLF literal", LiteralSync, false, "a\r\nb", "{4}\r\na\r\nb"},
		{"LF literal plus", LiteralPlus, false, "a\nb", "{3+}\r\na\nb"},
		{"8bit literal minus", LiteralMinus, false, "pässword", "{9+}\r\npässword"},
		{"8bit quoted with UTF8=ACCEPT", LiteralSync, true, "Entwürfe", `"Entwürfe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			e := NewEncoder(bufio.NewWriter(&buf))
			e.Literals = tt.mode
			e.UTF8 = tt.utf8
			waited := 0
			e.WaitContinuation = func() error { waited++; return nil }
			e.AString(tt.value)
			if err := e.CRLF(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want+"\r\n" {
				t.Errorf("AString(%q) wrote %q, want %q", tt.value, got, tt.want+"\r\n")
			}
			sync := strings.HasPrefix(tt.want, "{") && !strings.Contains(tt.want, "+}")
			if sync != (waited == 1) {
				t.Errorf("waited for continuation %d times, synchronising=%v", waited, sync)
			}
		})
	}
}

func TestEncoderLiteralMinusLargeIsSync(t *testing.T) {
	var buf bytes.Buffer
	e := NewEncoder(bufio.NewWriter(&buf))
	e.Literals = LiteralMinus
	waited := false
	e.WaitContinuation = func() error { waited = true; return nil }
	e.Literal(4097, strings.NewReader(strings.Repeat("x", 4097)), false)
	if err := e.CRLF(); err != nil {
		t.Fatal(err)
	}
	if !waited || !strings.HasPrefix(buf.String(), "{4097}\r\n") {
		t.Errorf("LITERAL- 4097 bytes: waited=%v, wrote %q", waited, buf.String()[:10])
	}
}

func TestEncoderRejectsNUL(t *testing.T) {
	var buf bytes.Buffer
	e := NewEncoder(bufio.NewWriter(&buf))
	e.Raw("A1 SELECT ").AString("in\x00box")
	var ee *EncodeError
	if err := e.CRLF(); !errors.As(err, &ee) {
		t.Errorf("CRLF() = %v, want EncodeError", err)
	}
	if e.Raw("x\r\ny").Err() == nil {
		t.Error("Raw with CRLF accepted")
	}
}

func TestEncoderAtomValidation(t *testing.T) {
	for _, bad := range []string{"", "a b", "a(", "a\r", "a*", "é"} {
		var buf bytes.Buffer
		e := NewEncoder(bufio.NewWriter(&buf))
		if e.Atom(bad).Err() == nil {
			t.Errorf("Atom(%q) accepted", bad)
		}
	}
}

func TestEncoderTraceMasksSecret(t *testing.T) {
	var buf bytes.Buffer
	var lines []string
	e := NewEncoder(bufio.NewWriter(&buf))
	e.Literals = LiteralPlus
	e.TraceLine = func(l string) { lines = append(lines, l) }
	e.Raw("a1 LOGIN ").AString("joe").SP().BeginSecret().AString("pässwörd").EndSecret()
	if err := e.CRLF(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(lines, "|")
	if strings.Contains(got, "ss") || got != "a1 LOGIN joe ***" {
		t.Errorf("trace = %q", got)
	}
	if !strings.Contains(buf.String(), "pässwörd") {
		t.Errorf("wire lacks password: %q", buf.String())
	}
}

package imapwire

import (
	"errors"
	"strings"
	"testing"
)

// RFC 3501 §9 lets lists nest without limit; a server sending endless "("
// must get a malformed-data error, not exhaust the stack.
func TestNestingBound(t *testing.T) {
	d := dec(strings.Repeat("(", 1_000_000) + "\r\n")
	_, ok := d.Value()
	var de *DecodeError
	if ok || !errors.As(d.Err(), &de) || !strings.Contains(de.Msg, "nested deeper") {
		t.Fatalf("ok=%v err=%v, want nesting error", ok, d.Err())
	}
}

// A BODYSTRUCTURE of a message nested 30 multiparts deep (two list
// levels per part) is within the bound.
func TestNestingWithinBound(t *testing.T) {
	leaf := `("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 1 1)`
	bs := leaf
	for range 30 {
		bs = "(" + bs + ` "MIXED")`
	}
	d := dec(bs + "\r\n")
	if _, ok := d.Value(); !ok {
		t.Fatalf("err = %v", d.Err())
	}
}

// A flag list (RFC 3501 §9 "flag-list") of tiny atoms is bounded in
// element count, whatever the line length bound.
func TestElementBound(t *testing.T) {
	d := dec("(" + strings.Repeat("$a ", 2000) + ")\r\n")
	d.MaxLineElements = 1000
	d.MaxLineLength = 1 << 30
	_, ok := d.FlagList()
	if ok || d.Err() == nil || !strings.Contains(d.Err().Error(), "more than 1000 elements") {
		t.Fatalf("ok=%v err=%v, want element bound error", ok, d.Err())
	}
	// Elements are counted per line: the next line starts afresh.
	d = dec("(" + strings.Repeat("$a ", 600) + ")\r\n(" + strings.Repeat("$a ", 600) + ")\r\n")
	d.MaxLineElements = 1000
	for i := range 2 {
		if _, ok := d.FlagList(); !ok || !d.CRLF() {
			t.Fatalf("line %d: err = %v", i, d.Err())
		}
	}
	// Top-level values of Fields count too.
	d = dec(strings.Repeat("a ", 2000) + "\r\n")
	d.MaxLineElements = 1000
	if _, ok := d.Fields(); ok {
		t.Fatal("Fields read 2000 values with a bound of 1000")
	}
}

// The default line bound is 1 MiB.
func TestDefaultLineBound(t *testing.T) {
	d := dec("(" + strings.Repeat("$a ", 400_000) + ")\r\n")
	_, ok := d.FlagList()
	if ok || !strings.Contains(d.Err().Error(), "line longer than 1048576") {
		t.Fatalf("ok=%v err=%v", ok, d.Err())
	}
}

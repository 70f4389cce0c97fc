package imapwire

import (
	"strconv"
	"strings"
)

// ValueKind tells what a generic Value holds.
type ValueKind int

// Kinds of Value.
const (
	AtomValue   ValueKind = iota // atom, number or other bare token (Text)
	StringValue                  // quoted string or literal (Text)
	NilValue                     // NIL
	ListValue                    // parenthesized list (List)
)

// Value is one element of a response line read without knowing its
// grammar: the raw form behind imaplib's untagged_responses.
type Value struct {
	Kind ValueKind
	Text string
	List []Value
}

// String renders the value in wire-like syntax for display.
func (v Value) String() string {
	switch v.Kind {
	case StringValue:
		return strconv.Quote(v.Text)
	case NilValue:
		return "NIL"
	case ListValue:
		parts := make([]string, len(v.List))
		for i, e := range v.List {
			parts[i] = e.String()
		}
		return "(" + strings.Join(parts, " ") + ")"
	}
	return v.Text
}

// Number interprets an atom value as a 32-bit number.
func (v Value) Number() (uint32, bool) {
	if v.Kind != AtomValue {
		return 0, false
	}
	n, err := strconv.ParseUint(v.Text, 10, 32)
	return uint32(n), err == nil
}

// Number64 interprets an atom value as a 63-bit number.
func (v Value) Number64() (uint64, bool) {
	if v.Kind != AtomValue {
		return 0, false
	}
	n, err := strconv.ParseUint(v.Text, 10, 63)
	return n, err == nil
}

// IsAtom reports whether v is an atom equal to s, ignoring case.
func (v Value) IsAtom(s string) bool { return v.Kind == AtomValue && strings.EqualFold(v.Text, s) }

// StringOrAtom returns the text of a string or atom; NIL gives "".
func (v Value) StringOrAtom() string {
	if v.Kind == AtomValue || v.Kind == StringValue {
		return v.Text
	}
	return ""
}

// Value reads one element of any kind: list, quoted string, literal, NIL
// or a bare token. A bare token may carry a bracketed section and a
// partial suffix, as in "BODY[HEADER.FIELDS (FROM)]<0>".
func (d *Decoder) Value() (Value, bool) {
	b, ok := d.peek("value")
	if !ok {
		return Value{}, false
	}
	switch b {
	case '(':
		var list []Value
		ok := d.List("list", func() bool {
			v, ok := d.Value()
			if ok {
				list = append(list, v)
			}
			return ok
		})
		return Value{Kind: ListValue, List: list}, ok
	case '"', '{', '~':
		if b == '"' || d.atLiteral("value") {
			s, ok := d.String()
			return Value{Kind: StringValue, Text: s}, ok
		}
	}
	s, ok := d.SectionToken()
	if !ok {
		return Value{}, false
	}
	if strings.EqualFold(s, "NIL") {
		return Value{Kind: NilValue}, true
	}
	return Value{Kind: AtomValue, Text: s}, true
}

// SectionToken reads a token that may contain one or more bracketed parts,
// such as "BODY[1.2.MIME]", "BODY[HEADER.FIELDS (DATE FROM)]<0>" or
// "BINARY.SIZE[1]" (RFC 3501 §9 "msg-att-static" names).
func (d *Decoder) SectionToken() (string, bool) {
	var sb strings.Builder
	for {
		b, ok := d.peek("atom")
		if !ok {
			return "", false
		}
		switch {
		case b == '[':
			d.readByte("section")
			sb.WriteByte('[')
			for {
				c, ok := d.readByte("section")
				if !ok {
					return "", false
				}
				if c == '\r' || c == '\n' {
					return "", d.fail("section", "line end inside section")
				}
				sb.WriteByte(c)
				if c == ']' {
					break
				}
			}
		case b == ' ' || b == '(' || b == ')' || b == '"' || b == ']' || b == '\r' || b == '\n' || b < 0x20 || b == 0x7f:
			if sb.Len() == 0 {
				return "", d.fail("atom", "unexpected %q", b)
			}
			return sb.String(), true
		default:
			d.readByte("atom")
			sb.WriteByte(b)
		}
	}
}

// Fields reads space-separated values up to the line end, which is not
// consumed.
func (d *Decoder) Fields() ([]Value, bool) {
	var vs []Value
	for {
		for d.Accept(' ') {
		}
		if d.err != nil {
			return nil, false
		}
		if d.AtLineEnd() {
			return vs, true
		}
		if !d.countElement("value") {
			return nil, false
		}
		v, ok := d.Value()
		if !ok {
			return nil, false
		}
		vs = append(vs, v)
	}
}

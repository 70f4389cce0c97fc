package imapwire

import (
	"bufio"
	"strings"
)

// Response code names (RFC 3501 §7.1, RFC 4315 UIDPLUS, RFC 7162 CONDSTORE
// and QRESYNC, RFC 5530, RFC 9051).
const (
	CodeAlert          = "ALERT"
	CodeBadCharset     = "BADCHARSET"
	CodeCapability     = "CAPABILITY"
	CodeParse          = "PARSE"
	CodePermanentFlags = "PERMANENTFLAGS"
	CodeReadOnly       = "READ-ONLY"
	CodeReadWrite      = "READ-WRITE"
	CodeTryCreate      = "TRYCREATE"
	CodeUIDNext        = "UIDNEXT"
	CodeUIDValidity    = "UIDVALIDITY"
	CodeUnseen         = "UNSEEN"
	CodeAppendUID      = "APPENDUID"
	CodeCopyUID        = "COPYUID"
	CodeUIDNotSticky   = "UIDNOTSTICKY"
	CodeHighestModSeq  = "HIGHESTMODSEQ"
	CodeNoModSeq       = "NOMODSEQ"
	CodeModified       = "MODIFIED"
	CodeClosed         = "CLOSED"
	CodeTooBig         = "TOOBIG"
	CodeNonExistent    = "NONEXISTENT"
)

// RespCode is a response code (RFC 3501 §7.1 "resp-text-code"). Name is
// upper-cased; Raw keeps the arguments as sent, so unknown codes are never
// lost. The typed fields are filled for the codes that carry them.
type RespCode struct {
	Name string
	Raw  string

	// Flags of PERMANENTFLAGS; Capabilities of CAPABILITY; Charsets of
	// BADCHARSET.
	Flags        []string
	Capabilities []string
	Charsets     []string
	// Number of UIDNEXT, UIDVALIDITY, UNSEEN, HIGHESTMODSEQ.
	Number uint64
	// UIDValidity, SourceUIDs and DestUIDs of APPENDUID and COPYUID
	// (RFC 4315 §3); APPENDUID has no SourceUIDs.
	UIDValidity uint32
	SourceUIDs  string
	DestUIDs    string
	// Set of MODIFIED (RFC 7162 §3.1.3).
	Set string
}

// RespText is "[" resp-text-code "]" SP text (RFC 3501 §9 "resp-text").
type RespText struct {
	Code *RespCode // nil when there was none
	Text string
}

// RespText reads a resp-text up to, not including, the line end.
func (d *Decoder) RespText() (RespText, bool) {
	var rt RespText
	if d.AtLineEnd() {
		return rt, d.err == nil // some servers omit the text entirely
	}
	if d.Peek('[') && d.codeCloses() {
		d.Accept('[')
		name, ok := d.readWhile("resp-text-code", func(c byte) bool {
			return c != ' ' && c != ']' && c != '\r' && c != '\n' && c > 0x1f && c != 0x7f
		})
		if !ok {
			return rt, false
		}
		code := &RespCode{Name: strings.ToUpper(name)}
		if d.Accept(' ') {
			raw, ok := d.codeArgs()
			if !ok {
				return rt, false
			}
			code.Raw = raw
		}
		if !d.Expect("resp-text-code", ']') {
			return rt, false
		}
		code.parseArgs()
		rt.Code = code
		d.Accept(' ')
	}
	text, ok := d.Text()
	rt.Text = text
	return rt, ok
}

// codeCloses reports whether the "[" ahead is closed by "]" on the same
// line (looking at most 4 KiB ahead); if not, the bracket is plain text,
// as some servers send ("* OK [no code here").
func (d *Decoder) codeCloses() bool {
	ahead, _ := d.r.Peek(min(4096, max(d.r.Buffered(), 1)))
	for _, b := range ahead {
		switch b {
		case ']':
			return true
		case '\r', '\n':
			return false
		}
	}
	// Not all of the line is buffered: assume a code.
	return len(ahead) >= 4096 || len(ahead) == d.r.Buffered()
}

// codeArgs reads the raw arguments of a response code up to the closing
// "]", stepping over quoted strings and nested brackets.
func (d *Decoder) codeArgs() (string, bool) {
	var sb strings.Builder
	depth := 0
	inQuote := false
	for {
		b, ok := d.peek("resp-text-code")
		if !ok {
			return "", false
		}
		switch {
		case b == '\r' || b == '\n':
			return "", d.fail("resp-text-code", "line end before \"]\"")
		case inQuote && b == '\\':
			d.readByte("resp-text-code")
			sb.WriteByte(b)
			b, ok = d.peek("resp-text-code")
			if !ok || b == '\r' || b == '\n' {
				return "", d.fail("resp-text-code", "line end in quoted string")
			}
		case b == '"':
			inQuote = !inQuote
		case !inQuote && b == '[':
			depth++
		case !inQuote && b == ']':
			if depth == 0 {
				return sb.String(), true
			}
			depth--
		}
		d.readByte("resp-text-code")
		sb.WriteByte(b)
	}
}

// parseArgs fills the typed fields from Raw. Arguments that do not parse
// leave the typed fields empty; Raw is always kept.
func (c *RespCode) parseArgs() {
	sub := NewDecoder(bufio.NewReader(strings.NewReader(c.Raw + "\r\n")))
	switch c.Name {
	case CodePermanentFlags:
		if flags, ok := sub.FlagList(); ok {
			c.Flags = flags
		}
	case CodeCapability:
		c.Capabilities = strings.Fields(c.Raw)
	case CodeBadCharset:
		if vs, ok := sub.Fields(); ok && len(vs) == 1 && vs[0].Kind == ListValue {
			for _, v := range vs[0].List {
				c.Charsets = append(c.Charsets, v.StringOrAtom())
			}
		}
	case CodeUIDNext, CodeUIDValidity, CodeUnseen, CodeHighestModSeq:
		if n, ok := sub.Number64(); ok {
			c.Number = n
		}
	case CodeAppendUID, CodeCopyUID:
		f := strings.Fields(c.Raw)
		want := 2
		if c.Name == CodeCopyUID {
			want = 3
		}
		if len(f) != want {
			return
		}
		v, ok := Value{Text: f[0]}.Number()
		if !ok {
			return
		}
		c.UIDValidity = v
		if want == 3 {
			c.SourceUIDs, c.DestUIDs = f[1], f[2]
		} else {
			c.DestUIDs = f[1]
		}
	case CodeModified:
		c.Set = strings.TrimSpace(c.Raw)
	}
}

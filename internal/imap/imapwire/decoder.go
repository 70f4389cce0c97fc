// Package imapwire reads and writes the IMAP wire syntax of RFC 3501 §9
// (formal syntax) as amended by RFC 7888 (LITERAL+/LITERAL-), RFC 3516
// (literal8) and RFC 9051 (IMAP4rev2).
//
// A Decoder reads server responses token by token; its methods are named
// after the grammar rules they read and keep the first error. An Encoder
// writes client commands and chooses between atom, quoted string and
// literal from the content, so that a caller's string can never end a
// command line early.
package imapwire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DefaultMaxLineLength bounds the bytes of one response line, literals not
// counted. RFC 3501 sets no limit; RFC 2683 §3.2.1.5 asks servers to take
// command lines of about 8000 octets. 1 MiB leaves room for any FLAGS,
// LIST, STATUS or FETCH line of a real server while bounding memory (a
// list of tiny atoms costs about 25 times its wire size once decoded).
const DefaultMaxLineLength = 1 << 20

// MaxResultLineLength is the line bound for the responses that grow with
// the mailbox: SEARCH and SORT (RFC 3501 §7.2.5, RFC 5256), ESEARCH
// (RFC 4731) and THREAD (RFC 5256). A SEARCH result for a mailbox of a
// million messages is about 7 MB. The client raises MaxLineLength to this
// bound once it has read such a response's name.
const MaxResultLineLength = 32 << 20

// DefaultMaxLineElements bounds the list elements and values decoded on one
// line, so that a line of tiny elements within MaxResultLineLength cannot
// use gigabytes (each element costs about 50 bytes in memory). SEARCH and
// SORT numbers are read compactly and are not counted.
const DefaultMaxLineElements = 1 << 20

// MaxNesting bounds the depth of nested parenthesized lists (RFC 3501 §9
// does not; a BODYSTRUCTURE nests a few levels per MIME level, so 100
// allows messages nested about 30 multiparts deep). Deeper data is
// reported as malformed rather than exhausting the stack.
const MaxNesting = 100

// DefaultMaxLiteralInMemory bounds the literals that the decoder reads
// into strings on one line (for example a long subject in an ENVELOPE). Message bodies are
// never read this way; they are streamed through a LiteralReader.
const DefaultMaxLiteralInMemory = 16 << 20

// ErrLiteralNotConsumed is reported when a read is attempted while the
// reader of a previous literal still has unread bytes.
var ErrLiteralNotConsumed = errors.New("previous literal not fully consumed")

// DecodeError reports malformed server data: the grammar rule that failed
// and why.
type DecodeError struct {
	Rule string // RFC 3501 §9 rule name, e.g. "number" or "quoted"
	Msg  string
	Err  error // underlying I/O error, if any
}

func (e *DecodeError) Error() string {
	if e.Err != nil && e.Msg == "" {
		return fmt.Sprintf("imapwire: reading %s: %v", e.Rule, e.Err)
	}
	if e.Err != nil {
		return fmt.Sprintf("imapwire: %s: %s: %v", e.Rule, e.Msg, e.Err)
	}
	return fmt.Sprintf("imapwire: %s: %s", e.Rule, e.Msg)
}

// Unwrap returns the underlying I/O error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Decoder reads the response grammar of RFC 3501 §9 from a bufio.Reader.
//
// Every method returns false once an error has occurred, and Err returns
// the first error. The decoder tolerates a lone LF as line end and system
// flags in any letter case.
type Decoder struct {
	r   *bufio.Reader
	err error

	// MaxLineLength bounds the non-literal bytes of a line.
	MaxLineLength int64
	// MaxLiteralInMemory bounds literals read into strings by String,
	// AString, NString and Value.
	MaxLiteralInMemory int64
	// MaxLineElements bounds the list elements decoded on one line.
	MaxLineElements int64

	line    int64
	elems   int64 // list elements decoded on this line
	depth   int   // open parenthesized lists
	lineMem int64 // literal bytes read into memory on this line
	lit     *LiteralReader
}

// NewDecoder returns a decoder reading from r with the default bounds.
func NewDecoder(r *bufio.Reader) *Decoder {
	return &Decoder{r: r, MaxLineLength: DefaultMaxLineLength, MaxLiteralInMemory: DefaultMaxLiteralInMemory,
		MaxLineElements: DefaultMaxLineElements}
}

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// ResetErr clears a recorded error, letting a caller skip a malformed line
// with DiscardLine and continue.
func (d *Decoder) ResetErr() { d.err = nil }

func (d *Decoder) setErr(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *Decoder) fail(rule, format string, args ...any) bool {
	d.setErr(&DecodeError{Rule: rule, Msg: fmt.Sprintf(format, args...)})
	return false
}

func (d *Decoder) ioFail(rule string, err error) bool {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	d.setErr(&DecodeError{Rule: rule, Err: err})
	return false
}

func (d *Decoder) ready(rule string) bool {
	if d.err != nil {
		return false
	}
	if d.lit != nil {
		if d.lit.n > 0 {
			d.setErr(&DecodeError{Rule: rule, Err: ErrLiteralNotConsumed})
			return false
		}
		d.lit = nil
	}
	return true
}

// peek returns the next byte without consuming it.
func (d *Decoder) peek(rule string) (byte, bool) {
	if !d.ready(rule) {
		return 0, false
	}
	b, err := d.r.Peek(1)
	if err != nil {
		return 0, d.ioFail(rule, err)
	}
	return b[0], true
}

func (d *Decoder) readByte(rule string) (byte, bool) {
	if !d.ready(rule) {
		return 0, false
	}
	b, err := d.r.ReadByte()
	if err != nil {
		return 0, d.ioFail(rule, err)
	}
	d.line++
	if d.MaxLineLength > 0 && d.line > d.MaxLineLength {
		return 0, d.fail(rule, "line longer than %d bytes", d.MaxLineLength)
	}
	return b, true
}

// atLiteral reports whether a literal ("{" or "~{") starts here.
func (d *Decoder) atLiteral(rule string) bool {
	b, ok := d.peek(rule)
	if !ok {
		return false
	}
	if b == '{' {
		return true
	}
	if b != '~' {
		return false
	}
	two, err := d.r.Peek(2)
	return err == nil && two[1] == '{'
}

// PeekByte reports the next byte without consuming it.
func (d *Decoder) PeekByte() (byte, bool) { return d.peek("peek") }

// Peek reports whether the next byte is c, without consuming it.
func (d *Decoder) Peek(c byte) bool {
	b, ok := d.peek("peek")
	return ok && b == c
}

// Accept consumes the next byte if it is c and reports whether it did.
func (d *Decoder) Accept(c byte) bool {
	if d.Peek(c) {
		d.readByte("accept")
		return true
	}
	return false
}

// Expect consumes c or records an error naming rule.
func (d *Decoder) Expect(rule string, c byte) bool {
	b, ok := d.readByte(rule)
	if !ok {
		return false
	}
	if b != c {
		return d.fail(rule, "want %q, got %q", c, b)
	}
	return true
}

// SP reads one space (RFC 3501 §9 "SP"). Servers that send several spaces
// are tolerated.
func (d *Decoder) SP() bool {
	if !d.Expect("SP", ' ') {
		return false
	}
	for d.Peek(' ') {
		d.readByte("SP")
	}
	return true
}

// CRLF reads a line end (RFC 3501 §9 "CRLF"); a lone LF is accepted.
func (d *Decoder) CRLF() bool {
	if !d.lineEnd() {
		return false
	}
	d.line = 0
	d.lineMem = 0
	d.elems = 0
	d.depth = 0
	return true
}

// lineEnd reads CRLF or LF without ending the logical line (after a
// literal header the response goes on).
func (d *Decoder) lineEnd() bool {
	b, ok := d.readByte("CRLF")
	if !ok {
		return false
	}
	if b == '\r' {
		b, ok = d.readByte("CRLF")
		if !ok {
			return false
		}
	}
	if b != '\n' {
		return d.fail("CRLF", "want line end, got %q", b)
	}
	return true
}

// AtLineEnd reports whether the next byte starts a line end.
func (d *Decoder) AtLineEnd() bool {
	b, ok := d.peek("CRLF")
	return ok && (b == '\r' || b == '\n')
}

// DiscardLine skips everything up to and including the next line end,
// streaming through any literal announced on the way. It is used to
// resynchronise after unknown or malformed data; it clears no error.
func (d *Decoder) DiscardLine() error {
	if d.lit != nil && d.lit.n > 0 {
		if err := d.lit.Discard(); err != nil {
			return err
		}
	}
	d.lit = nil
	var last []byte
	for {
		b, err := d.r.ReadByte()
		if err != nil {
			return err
		}
		if b == '\n' {
			d.line = 0
			// A literal announced at the end of the line: skip its bytes too.
			if n, ok := literalHeader(last); ok {
				if _, err := d.r.Discard(int(min(n, int64(^uint(0)>>1)))); err != nil {
					return err
				}
				last = last[:0]
				continue
			}
			return nil
		}
		if len(last) < 32 {
			last = append(last, b)
		} else {
			copy(last, last[1:])
			last[len(last)-1] = b
		}
	}
}

// literalHeader reports whether s ends in a literal header "{n}" or "{n+}".
func literalHeader(s []byte) (int64, bool) {
	str := strings.TrimSuffix(string(s), "\r")
	if !strings.HasSuffix(str, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(str, '{')
	if i < 0 {
		return 0, false
	}
	num := strings.TrimSuffix(strings.TrimSuffix(str[i+1:], "}"), "+")
	n, err := strconv.ParseInt(num, 10, 64)
	return n, err == nil && n >= 0
}

// isAtomChar reports whether c is an ATOM-CHAR (RFC 3501 §9): any CHAR
// except atom-specials.
func isAtomChar(c byte) bool {
	switch c {
	case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		return false
	}
	return c > 0x1f && c < 0x7f
}

// isAStringChar reports whether c is an ASTRING-CHAR: ATOM-CHAR or "]".
func isAStringChar(c byte) bool { return c == ']' || isAtomChar(c) }

func (d *Decoder) readWhile(rule string, ok func(byte) bool) (string, bool) {
	var sb strings.Builder
	for {
		b, good := d.peek(rule)
		if !good {
			if sb.Len() > 0 && errors.Is(d.err, io.ErrUnexpectedEOF) {
				return sb.String(), false
			}
			return "", false
		}
		if !ok(b) {
			break
		}
		if _, good := d.readByte(rule); !good {
			return "", false
		}
		sb.WriteByte(b)
	}
	if sb.Len() == 0 {
		b, _ := d.peek(rule)
		return "", d.fail(rule, "unexpected %q", b)
	}
	return sb.String(), true
}

// Atom reads an atom (RFC 3501 §9 "atom").
func (d *Decoder) Atom() (string, bool) { return d.readWhile("atom", isAtomChar) }

// Token reads a run of bytes up to a space, parenthesis, bracket, quote or
// line end. It is looser than Atom and is used where real servers send
// atoms with characters the grammar forbids (e.g. "\*" or "%").
func (d *Decoder) Token() (string, bool) {
	return d.readWhile("atom", func(c byte) bool {
		switch c {
		case ' ', '(', ')', '"', '[', ']', '\r', '\n':
			return false
		}
		return c > 0x1f && c != 0x7f
	})
}

// Number reads a number (RFC 3501 §9 "number", 32 bits unsigned).
func (d *Decoder) Number() (uint32, bool) {
	s, ok := d.readWhile("number", isDigit)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, d.fail("number", "%q out of range", s)
	}
	return uint32(n), true
}

// Number64 reads a number of up to 63 bits (RFC 7162 "mod-sequence-value",
// RFC 9051 "number64").
func (d *Decoder) Number64() (uint64, bool) {
	s, ok := d.readWhile("number64", isDigit)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return 0, d.fail("number64", "%q out of range", s)
	}
	return n, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Quoted reads a quoted string (RFC 3501 §9 "quoted"), undoing the "\"
// escapes of quoted-specials. Other escaped characters are kept as sent.
func (d *Decoder) Quoted() (string, bool) {
	if !d.Expect("quoted", '"') {
		return "", false
	}
	var sb strings.Builder
	for {
		b, ok := d.readByte("quoted")
		if !ok {
			return "", false
		}
		switch b {
		case '"':
			return sb.String(), true
		case '\\':
			b, ok = d.readByte("quoted")
			if !ok {
				return "", false
			}
			if b == '\r' || b == '\n' {
				return "", d.fail("quoted", "line end inside quoted string")
			}
		case '\r', '\n':
			return "", d.fail("quoted", "line end inside quoted string")
		}
		sb.WriteByte(b)
	}
}

// LiteralReader streams the bytes of one literal. It must be read to EOF
// (or discarded) before the decoder is used again.
type LiteralReader struct {
	d *Decoder
	n int64
	// Size is the byte count the server announced.
	Size int64
	// Binary is true for a literal8 "~{n}" (RFC 3516).
	Binary bool
	// NonSync is true for "{n+}" (RFC 7888); servers never send it, but it
	// is tolerated.
	NonSync bool
}

// Read reads literal bytes; it returns io.EOF after Size bytes and
// io.ErrUnexpectedEOF if the connection ends sooner.
func (l *LiteralReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.d.r.Read(p)
	l.n -= int64(n)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		l.d.setErr(&DecodeError{Rule: "literal", Err: err})
		return n, err
	}
	return n, nil
}

// Remaining reports how many literal bytes are still unread.
func (l *LiteralReader) Remaining() int64 { return l.n }

// Discard skips the unread rest of the literal.
func (l *LiteralReader) Discard() error {
	for l.n > 0 {
		chunk := min(l.n, 1<<30)
		n, err := l.d.r.Discard(int(chunk))
		l.n -= int64(n)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			l.d.setErr(&DecodeError{Rule: "literal", Err: err})
			return err
		}
	}
	return nil
}

// Literal reads a literal header — "{n}", "{n+}" or the literal8 form
// "~{n}" (RFC 3501 §9 "literal", RFC 3516 "literal8") — and its CRLF, and
// returns a reader limited to the n bytes that follow. Nothing is
// allocated for the announced size.
func (d *Decoder) Literal() (*LiteralReader, bool) {
	binary := d.Accept('~')
	if !d.Expect("literal", '{') {
		return nil, false
	}
	s, ok := d.readWhile("literal", isDigit)
	if !ok {
		return nil, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, d.fail("literal", "size %q out of range", s)
	}
	nonSync := d.Accept('+')
	if !d.Expect("literal", '}') || !d.lineEnd() {
		return nil, false
	}
	d.lit = &LiteralReader{d: d, n: n, Size: n, Binary: binary, NonSync: nonSync}
	return d.lit, true
}

func (d *Decoder) literalString(rule string) (string, bool) {
	lit, ok := d.Literal()
	if !ok {
		return "", false
	}
	// The bound holds for all literals of one line together, so that a
	// response cannot grow memory with many literals.
	if d.MaxLiteralInMemory > 0 && lit.Size > d.MaxLiteralInMemory-d.lineMem {
		return "", d.fail(rule, "literal of %d bytes exceeds in-memory bound of %d per line", lit.Size, d.MaxLiteralInMemory)
	}
	d.lineMem += lit.Size
	var sb strings.Builder
	// Grow in steps: the announced size is only a claim.
	if _, err := io.Copy(&sb, lit); err != nil {
		return "", d.ioFail(rule, err)
	}
	return sb.String(), true
}

// String reads a string (RFC 3501 §9 "string"): quoted or literal. A literal
// is read into memory up to MaxLiteralInMemory.
func (d *Decoder) String() (string, bool) {
	b, ok := d.peek("string")
	if !ok {
		return "", false
	}
	if b == '"' {
		return d.Quoted()
	}
	if d.atLiteral("string") {
		return d.literalString("string")
	}
	return "", d.fail("string", "want quoted string or literal, got %q", b)
}

// AString reads an astring (RFC 3501 §9): 1*ASTRING-CHAR or string.
func (d *Decoder) AString() (string, bool) {
	b, ok := d.peek("astring")
	if !ok {
		return "", false
	}
	if b == '"' || d.atLiteral("astring") {
		return d.String()
	}
	return d.readWhile("astring", isAStringChar)
}

// NString reads an nstring (RFC 3501 §9): string or NIL. isNil reports NIL.
func (d *Decoder) NString() (s string, isNil bool, ok bool) {
	b, ok := d.peek("nstring")
	if !ok {
		return "", false, false
	}
	if b == 'N' || b == 'n' {
		a, ok := d.Atom()
		if !ok {
			return "", false, false
		}
		if !strings.EqualFold(a, "NIL") {
			return "", false, d.fail("nstring", "want string or NIL, got %q", a)
		}
		return "", true, true
	}
	s, ok = d.String()
	return s, false, ok
}

// List reads a parenthesized list, calling item for each element
// (RFC 3501 §9 uses this shape for flag lists, body structures, FETCH
// attributes and more). Empty lists and extra spaces are tolerated.
//
// Lists nested deeper than MaxNesting and lines with more than
// MaxLineElements elements are reported as malformed.
func (d *Decoder) List(rule string, item func() bool) bool {
	if d.depth >= MaxNesting {
		return d.fail(rule, "lists nested deeper than %d", MaxNesting)
	}
	if !d.Expect(rule, '(') {
		return false
	}
	d.depth++
	defer func() { d.depth-- }()
	for {
		for d.Accept(' ') {
		}
		if d.Accept(')') {
			return true
		}
		if d.err != nil {
			return false
		}
		if !d.countElement(rule) {
			return false
		}
		if !item() {
			return d.fail(rule, "bad list element")
		}
		// Lists of lists may be adjacent without SP, as the parts of a
		// multipart body (RFC 3501 §9 body-type-mpart) and addresses are.
		if !d.Peek(' ') && !d.Peek(')') && !d.Peek('(') {
			b, _ := d.peek(rule)
			return d.fail(rule, "want SP or \")\" after list element, got %q", b)
		}
	}
}

// countElement counts one decoded element against MaxLineElements.
func (d *Decoder) countElement(rule string) bool {
	d.elems++
	if d.MaxLineElements > 0 && d.elems > d.MaxLineElements {
		return d.fail(rule, "more than %d elements on one line", d.MaxLineElements)
	}
	return true
}

// Text reads text up to the line end (RFC 3501 §9 "text"), which is not
// consumed. It may be empty.
func (d *Decoder) Text() (string, bool) {
	var sb strings.Builder
	for {
		b, ok := d.peek("text")
		if !ok {
			return "", false
		}
		if b == '\r' || b == '\n' {
			return sb.String(), true
		}
		d.readByte("text")
		sb.WriteByte(b)
	}
}

// Flag reads a flag (RFC 3501 §9 "flag", "flag-perm", "flag-fetch"):
// "\" atom, "\*" or a keyword atom. System flags are returned in their RFC
// spelling whatever case the server used.
func (d *Decoder) Flag() (string, bool) {
	if d.Accept('\\') {
		if d.Accept('*') {
			return `\*`, true
		}
		a, ok := d.flagToken()
		if !ok {
			return "", false
		}
		return CanonicalFlag(`\` + a), true
	}
	return d.flagToken()
}

// flagToken is Token that also takes "[": a flag-keyword is an atom, and
// "[" is an ATOM-CHAR (only "]", resp-specials, is not; RFC 3501 §9).
func (d *Decoder) flagToken() (string, bool) {
	return d.readWhile("atom", func(c byte) bool {
		switch c {
		case ' ', '(', ')', '"', ']', '\r', '\n':
			return false
		}
		return c > 0x1f && c != 0x7f
	})
}

// FlagList reads "(" [flag *(SP flag)] ")".
func (d *Decoder) FlagList() ([]string, bool) {
	flags := []string{}
	ok := d.List("flag-list", func() bool {
		f, ok := d.Flag()
		if ok {
			flags = append(flags, f)
		}
		return ok
	})
	return flags, ok
}

var systemFlags = []string{`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`,
	// LIST mailbox attributes (RFC 3501 §7.2.2, RFC 6154, RFC 5258)
	`\Noinferiors`, `\Noselect`, `\Marked`, `\Unmarked`, `\HasChildren`, `\HasNoChildren`,
	`\NonExistent`, `\Subscribed`, `\Remote`, `\All`, `\Archive`, `\Drafts`, `\Flagged`,
	`\Junk`, `\Sent`, `\Trash`, `\Important`}

// CanonicalFlag returns the RFC spelling of a system flag or mailbox
// attribute given in any case (servers send "\seen"); other flags are
// returned unchanged.
func CanonicalFlag(f string) string {
	for _, s := range systemFlags {
		if strings.EqualFold(s, f) {
			return s
		}
	}
	return f
}

// SetReader switches the decoder to a new source, e.g. after COMPRESS
// (RFC 4978) or STARTTLS. Any open literal must have been consumed.
func (d *Decoder) SetReader(r *bufio.Reader) {
	d.r = r
}

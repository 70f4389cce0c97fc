package imapwire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LiteralMode says how the encoder sends literals (RFC 7888).
type LiteralMode int

const (
	// LiteralSync sends "{n}" and waits for the server's continuation
	// request before the data (RFC 3501 §7.5).
	LiteralSync LiteralMode = iota
	// LiteralPlus sends every literal as non-synchronising "{n+}"
	// (RFC 7888 LITERAL+).
	LiteralPlus
	// LiteralMinus sends literals of at most 4096 bytes as "{n+}" and
	// larger ones synchronising (RFC 7888 LITERAL-).
	LiteralMinus
)

// EncodeError reports a value that cannot be put on the wire, such as a
// string containing NUL.
type EncodeError struct {
	Rule string
	Msg  string
}

func (e *EncodeError) Error() string { return "imapwire: cannot encode " + e.Rule + ": " + e.Msg }

// Encoder writes one client command at a time (RFC 3501 §9 "command").
// Methods chain and keep the first error; CRLF ends the command and
// flushes.
type Encoder struct {
	w *bufio.Writer

	// Literals is the literal mode the server allows.
	Literals LiteralMode
	// UTF8 allows UTF-8 in quoted strings (RFC 6855 §3, after ENABLE
	// UTF8=ACCEPT, and IMAP4rev2).
	UTF8 bool
	// WaitContinuation is called after a synchronising literal's header was
	// flushed; it returns nil when the server sent its continuation request
	// and an error (e.g. the command's tagged NO) otherwise.
	WaitContinuation func() error
	// TraceLine, if set, receives each command line as written, with the
	// parts between BeginSecret and EndSecret replaced by "***" and
	// literal data replaced by a size note.
	TraceLine func(line string)

	err     error
	trace   strings.Builder
	secret  bool
	flushed bool
}

// Flushed reports whether part of the current command already reached the
// connection (before a synchronising literal).
func (e *Encoder) Flushed() bool { return e.flushed }

// NewEncoder returns an encoder writing to w.
func NewEncoder(w *bufio.Writer) *Encoder { return &Encoder{w: w} }

// Err returns the first error met.
func (e *Encoder) Err() error { return e.err }

// Reset clears the error and trace state before a new command.
func (e *Encoder) Reset() {
	e.err = nil
	e.trace.Reset()
	e.secret = false
	e.flushed = false
}

func (e *Encoder) setErr(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *Encoder) write(s string) {
	if e.err != nil {
		return
	}
	if _, err := e.w.WriteString(s); err != nil {
		e.setErr(err)
		return
	}
	if !e.secret {
		e.trace.WriteString(s)
	}
}

// BeginSecret starts a part of the command (a password, a token) that the
// trace shows as "***".
func (e *Encoder) BeginSecret() *Encoder {
	if !e.secret {
		e.trace.WriteString("***")
	}
	e.secret = true
	return e
}

// EndSecret ends the part started by BeginSecret.
func (e *Encoder) EndSecret() *Encoder {
	e.secret = false
	return e
}

// Raw writes s verbatim. It is for command names and other text the
// caller has already validated; s must not contain CR, LF or NUL.
func (e *Encoder) Raw(s string) *Encoder {
	if strings.ContainsAny(s, "\r\n\x00") {
		e.setErr(&EncodeError{Rule: "command", Msg: "line end or NUL in raw text"})
		return e
	}
	e.write(s)
	return e
}

// SP writes one space.
func (e *Encoder) SP() *Encoder {
	e.write(" ")
	return e
}

// Special writes one punctuation byte such as "(" or ")".
func (e *Encoder) Special(c byte) *Encoder {
	e.write(string(c))
	return e
}

// Atom writes s as an atom (RFC 3501 §9 "atom"); s must consist of
// ATOM-CHARs. Flags ("\Seen") are written with Flag instead.
func (e *Encoder) Atom(s string) *Encoder {
	if s == "" {
		e.setErr(&EncodeError{Rule: "atom", Msg: "empty"})
		return e
	}
	for i := 0; i < len(s); i++ {
		if !isAtomChar(s[i]) {
			e.setErr(&EncodeError{Rule: "atom", Msg: fmt.Sprintf("%q is not an atom", s)})
			return e
		}
	}
	e.write(s)
	return e
}

// Flag writes a flag (RFC 3501 §9 "flag"): "\" atom or a keyword atom.
func (e *Encoder) Flag(f string) *Encoder {
	if rest, ok := strings.CutPrefix(f, `\`); ok {
		if rest == "*" {
			e.write(`\*`)
			return e
		}
		e.write(`\`)
		return e.Atom(rest)
	}
	return e.Atom(f)
}

// Number writes a 32-bit number.
func (e *Encoder) Number(n uint32) *Encoder {
	e.write(strconv.FormatUint(uint64(n), 10))
	return e
}

// Number64 writes a 63-bit number (RFC 7162 mod-sequence-value).
func (e *Encoder) Number64(n uint64) *Encoder {
	e.write(strconv.FormatUint(n, 10))
	return e
}

// quotable reports whether s can travel as a quoted string: no CR, LF or
// NUL, and 7-bit unless UTF-8 is allowed.
func (e *Encoder) quotable(s string) bool {
	if len(s) > 1024 { // long values go as literals, as imaplib and go-imap do
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' || c == 0 {
			return false
		}
		if c >= 0x80 && !e.UTF8 {
			return false
		}
	}
	return !e.UTF8 || utf8.ValidString(s)
}

// Quoted writes s as a quoted string, escaping '"' and '\'.
func (e *Encoder) Quoted(s string) *Encoder {
	if !e.quotable(s) {
		e.setErr(&EncodeError{Rule: "quoted", Msg: "value needs a literal"})
		return e
	}
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			sb.WriteByte('\\')
		}
		sb.WriteByte(s[i])
	}
	sb.WriteByte('"')
	e.write(sb.String())
	return e
}

// String writes s as a quoted string when it can be one and as a literal
// otherwise (RFC 3501 §4.3). A string with NUL cannot be sent at all.
func (e *Encoder) String(s string) *Encoder {
	if strings.IndexByte(s, 0) >= 0 {
		e.setErr(&EncodeError{Rule: "string", Msg: "NUL is not allowed in IMAP strings"})
		return e
	}
	if e.quotable(s) {
		return e.Quoted(s)
	}
	return e.Literal(int64(len(s)), strings.NewReader(s), false)
}

// AString writes s as an atom when every byte is an ASTRING-CHAR, else as
// a string (RFC 3501 §9 "astring"). "NIL" is quoted so that it cannot be
// mistaken for nil where an nstring is also allowed.
func (e *Encoder) AString(s string) *Encoder {
	if s != "" && !strings.EqualFold(s, "NIL") {
		atom := true
		for i := 0; i < len(s); i++ {
			if !isAStringChar(s[i]) {
				atom = false
				break
			}
		}
		if atom {
			e.write(s)
			return e
		}
	}
	return e.String(s)
}

// Literal writes a literal of exactly size bytes read from r (RFC 3501
// §4.3; binary selects the literal8 form "~{n}" of RFC 3516). A
// synchronising literal waits for WaitContinuation before its data.
func (e *Encoder) Literal(size int64, r io.Reader, binary bool) *Encoder {
	if e.err != nil {
		return e
	}
	nonSync := e.Literals == LiteralPlus || (e.Literals == LiteralMinus && size <= 4096)
	header := "{" + strconv.FormatInt(size, 10)
	if binary {
		header = "~" + header
	}
	if nonSync {
		header += "+"
	}
	header += "}"
	e.write(header)
	e.writeLineEnd()
	if e.err != nil {
		return e
	}
	if !nonSync {
		e.flushed = true
		if err := e.w.Flush(); err != nil {
			e.setErr(err)
			return e
		}
		if e.WaitContinuation != nil {
			if err := e.WaitContinuation(); err != nil {
				e.setErr(err)
				return e
			}
		}
	}
	n, err := io.CopyN(e.w, r, size)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("imapwire: literal source ended after %d of %d bytes", n, size)
		}
		e.setErr(err)
		return e
	}
	if !e.secret {
		e.trace.WriteString(fmt.Sprintf("<%d bytes>", size))
	}
	return e
}

func (e *Encoder) writeLineEnd() {
	if e.err != nil {
		return
	}
	if _, err := e.w.WriteString("\r\n"); err != nil {
		e.setErr(err)
		return
	}
	// A line that is only the end of a secret literal has nothing to show.
	if e.TraceLine != nil && e.trace.Len() > 0 {
		e.TraceLine(e.trace.String())
	}
	e.trace.Reset()
}

// CRLF ends the command line and flushes it to the connection.
func (e *Encoder) CRLF() error {
	e.writeLineEnd()
	if e.err == nil {
		e.setErr(e.w.Flush())
	}
	return e.err
}

// ListMailbox writes a LIST pattern (RFC 3501 §9 "list-mailbox"): bare
// when every byte is a list-char (ATOM-CHAR, "%", "*" or "]"), else as a
// string.
func (e *Encoder) ListMailbox(s string) *Encoder {
	bare := s != ""
	for i := 0; i < len(s) && bare; i++ {
		bare = isAStringChar(s[i]) || s[i] == '%' || s[i] == '*'
	}
	if bare {
		e.write(s)
		return e
	}
	return e.String(s)
}

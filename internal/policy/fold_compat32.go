package policy

import (
	"encoding/base64"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// compat32DefaultWidth stands in for "no limit" as email.header.Header
// does when maxlinelen is 0.
const compat32DefaultWidth = 1000000

// compat32SplitChars are Header.encode's default split characters, in
// order of preference.
const compat32SplitChars = ";, \t"

// foldCompat32 is Python's Compat32._fold(name, value, sanitize) for
// fold_binary: sanitize is cte_type == "7bit". A value with 8-bit bytes is
// written unchanged unless sanitizing, in which case it becomes RFC 2047
// encoded words in the unknown-8bit charset; any other value is wrapped
// by the email.header.Header algorithm, which keeps existing line breaks.
func (p *Policy) foldCompat32(name, value string) (string, error) {
	var b strings.Builder
	b.WriteString(name)
	b.WriteString(": ")
	eightBit := hasSurrogates(value)
	if eightBit && p.CTEType != "7bit" {
		b.WriteString(value)
	} else {
		width := p.MaxLineLength
		if width <= 0 {
			width = compat32DefaultWidth
		}
		charset := ""
		if eightBit {
			charset = unknown8bitCharset
		}
		encoded := encodeCompat32Header(value, charset, len(name)+2, width, p.Linesep)
		b.WriteString(encoded)
		if embeddedHeader().MatchString(encoded) {
			b.WriteString(p.Linesep)
			return b.String(), &HeaderFoldError{Name: name, PythonError: "HeaderParseError",
				Detail: "header value appears to contain an embedded header"}
		}
	}
	b.WriteString(p.Linesep)
	return b.String(), nil
}

// embeddedHeader is email.header._embedded_header: a folded value must not
// contain a line that looks like a new header field.
var embeddedHeader = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\n[^ \t]+:`) })

// encodeCompat32Header is email.header.Header(value, charset, header_name).
// encode(maxlinelen=width, linesep=linesep) for a single chunk whose
// charset is us-ascii (charset ""), or unknown-8bit or utf-8, whose text
// becomes encoded words (RFC 2047).
func encodeCompat32Header(value, charset string, headerLen, width int, linesep string) string {
	f := &valueFormatter{
		width:          width,
		continuationWS: " ",
		splitChars:     compat32SplitChars,
		charset:        charset,
		current:        accumulator{initialSize: headerLen},
	}
	lines := splitLines(value)
	if len(lines) > 0 {
		f.feed("", lines[0])
	} else {
		f.feed("", "")
	}
	for _, line := range lines[min(1, len(lines)):] {
		f.newline()
		trimmed := strings.TrimLeftFunc(line, func(r rune) bool { return r < 0x80 && isPySpace(byte(r)) })
		if charset != "" {
			f.feed(f.continuationWS, " "+trimmed)
		} else {
			f.feed(line[:len(line)-len(trimmed)], trimmed)
		}
	}
	if len(lines) > 1 {
		f.newline()
	}
	f.addTransition()
	f.newline()
	return strings.Join(f.lines, linesep)
}

// chunk is one (folding whitespace, text) pair of _Accumulator.
type chunk struct{ fws, text string }

// accumulator is email.header._Accumulator: the line being built, as
// whitespace/text pairs, plus the room taken by the header name on the
// first line.
type accumulator struct {
	initialSize int
	parts       []chunk
	// size is the sum of the parts' lengths, kept so that length() is
	// constant-time.
	size int
}

func (a *accumulator) push(fws, text string) {
	a.parts = append(a.parts, chunk{fws, text})
	a.size += len(fws) + len(text)
}

func (a *accumulator) pop() chunk {
	if len(a.parts) == 0 {
		return chunk{}
	}
	c := a.parts[len(a.parts)-1]
	a.parts = a.parts[:len(a.parts)-1]
	a.size -= len(c.fws) + len(c.text)
	return c
}

func (a *accumulator) length() int { return a.initialSize + a.size }

func (a *accumulator) String() string {
	var b strings.Builder
	for _, c := range a.parts {
		b.WriteString(c.fws)
		b.WriteString(c.text)
	}
	return b.String()
}

func (a *accumulator) reset(parts []chunk) {
	a.parts = parts
	a.initialSize = 0
	a.size = 0
	for _, c := range parts {
		a.size += len(c.fws) + len(c.text)
	}
}

func (a *accumulator) isOnlyWS() bool {
	return a.initialSize == 0 && (len(a.parts) == 0 || pyIsSpace(a.String()))
}

// valueFormatter is email.header._ValueFormatter for one chunk of one
// charset: us-ascii (charset "": split at whitespace, preferring
// splitChars) or encoded words in charset (unknown-8bit or utf-8).
type valueFormatter struct {
	width          int
	continuationWS string
	splitChars     string
	charset        string
	lines          []string
	current        accumulator
}

func (f *valueFormatter) newline() {
	end := f.current.pop()
	if end != (chunk{" ", ""}) {
		f.current.push(end.fws, end.text)
	}
	if f.current.length() > 0 {
		if f.current.isOnlyWS() && len(f.lines) > 0 {
			f.lines[len(f.lines)-1] += f.current.String()
		} else {
			f.lines = append(f.lines, f.current.String())
		}
	}
	f.current.reset(nil)
}

func (f *valueFormatter) addTransition() { f.current.push(" ", "") }

func (f *valueFormatter) feed(fws, s string) {
	if f.charset == "" {
		f.asciiSplit(fws, s)
		return
	}
	first := f.width - f.current.length()
	rest := f.width - len(f.continuationWS)
	encodedLines := headerEncodeLines(f.charset, s, first, rest)
	if encodedLines[0] != nil {
		f.appendChunk(fws, *encodedLines[0])
	}
	if len(encodedLines) == 1 {
		return
	}
	last := *encodedLines[len(encodedLines)-1]
	f.newline()
	f.current.push(f.continuationWS, last)
	for _, l := range encodedLines[1 : len(encodedLines)-1] {
		f.lines = append(f.lines, f.continuationWS+*l)
	}
}

// asciiSplit is _ascii_split: re.split("([ \t]+)", fws+s) taken as
// (whitespace, word) pairs.
func (f *valueFormatter) asciiSplit(fws, s string) {
	text := fws + s
	if text == "" {
		return
	}
	isFWS := func(c byte) bool { return c == ' ' || c == '\t' }
	i := 0
	for i < len(text) {
		j := i
		for j < len(text) && isFWS(text[j]) {
			j++
		}
		k := j
		for k < len(text) && !isFWS(text[k]) {
			k++
		}
		f.appendChunk(text[i:j], text[j:k])
		i = k
	}
}

func (f *valueFormatter) appendChunk(fws, s string) {
	f.current.push(fws, s)
	if f.current.length() <= f.width {
		return
	}
	for ci := 0; ci < len(f.splitChars); ci++ {
		ch := f.splitChars[ci]
		for i := len(f.current.parts) - 1; i > 0; i-- {
			if ch == ' ' || ch == '\t' {
				w := f.current.parts[i].fws
				if w != "" && w[0] == ch {
					f.splitAt(i)
					return
				}
			}
			prev := f.current.parts[i-1].text
			if prev != "" && prev[len(prev)-1] == ch {
				f.splitAt(i)
				return
			}
		}
	}
	last := f.current.pop()
	if f.current.initialSize > 0 {
		f.newline()
		if last.fws == "" {
			last.fws = " "
		}
	}
	f.current.push(last.fws, last.text)
}

func (f *valueFormatter) splitAt(i int) {
	remainder := append([]chunk(nil), f.current.parts[i:]...)
	f.current.parts = f.current.parts[:i]
	f.lines = append(f.lines, f.current.String())
	f.current.reset(remainder)
}

// unknown8bitCharset is the charset name Python gives undecodable bytes.
const unknown8bitCharset = "unknown-8bit"

// headerEncodeLines is Charset(charset).header_encode_lines for the
// utf-8 and unknown-8bit charsets: s split between characters (UTF-8
// sequences, or single bytes for unknown-8bit, whose characters stand
// for one byte each) into RFC 2047 encoded words, "Q" or "B", whichever
// is shorter for all of s; the first fits firstWidth and the others
// restWidth (chrome excluded from the budget's text part as Python
// computes it). A nil first element means not even one character fitted
// on the first line.
func headerEncodeLines(charset, s string, firstWidth, restWidth int) []*string {
	useBase64 := base64HeaderLength(len(s)) < qHeaderLength(s)
	extra := len(charset) + 7
	encode := func(b string) *string {
		var out string
		switch {
		case b == "":
		case useBase64:
			out = "=?" + charset + "?b?" + base64.StdEncoding.EncodeToString([]byte(b)) + "?="
		default:
			out = "=?" + charset + "?q?" + qEncodeHeader(b) + "?="
		}
		return &out
	}
	var lines []*string
	maxlen := firstWidth - extra
	start := 0
	qlen := 0 // Q length of s[start:i]
	for i := 0; i < len(s); {
		size := 1
		if charset != unknown8bitCharset {
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		charQ := qHeaderLength(s[i : i+size])
		length := qlen + charQ
		if useBase64 {
			length = base64HeaderLength(i + size - start)
		}
		if length > maxlen {
			if len(lines) == 0 && i == start {
				lines = append(lines, nil)
			} else {
				lines = append(lines, encode(s[start:i]))
			}
			start, qlen = i, 0
			maxlen = restWidth - extra
		}
		qlen += charQ
		i += size
	}
	return append(lines, encode(s[start:]))
}

// base64HeaderLength is email.base64mime.header_length for n bytes.
func base64HeaderLength(n int) int {
	l := n / 3 * 4
	if n%3 != 0 {
		l += 4
	}
	return l
}

// qSafe reports whether byte c stays literal in the RFC 2047 "Q"
// encoding as email.quoprimime writes it.
func qSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-!*+/", c) >= 0
}

func qByteLength(c byte) int {
	if qSafe(c) || c == ' ' {
		return 1
	}
	return 3
}

// qHeaderLength is email.quoprimime.header_length.
func qHeaderLength(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n += qByteLength(s[i])
	}
	return n
}

// qEncodeHeader is the body of email.quoprimime.header_encode: RFC 2047
// section 4.2 "Q" encoding with space written as "_".
func qEncodeHeader(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b.WriteByte('_')
		case qSafe(c):
			b.WriteByte(c)
		default:
			b.WriteByte('=')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

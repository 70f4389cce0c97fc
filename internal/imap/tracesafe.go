package imap

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// traceSafe returns one trace line with every byte that could drive a
// terminal written visibly: C0 controls (CR and LF included, so a line of
// the trace is always one line), DEL and the C1 controls U+0080..U+009F as
// Go escapes (\x1b, \x7f, \u009b), and bytes that are not valid UTF-8 as
// \xNN. The trace shows what a server sent, and a hostile server must not
// reach the terminal of the user reading it with escape sequences
// (ECMA-48 §5).
func traceSafe(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if traceEscaped(r, size) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case traceEscaped(r, size) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case traceEscaped(r, size):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// traceEscaped reports whether the rune r, size bytes long, is written as
// an escape by traceSafe.
func traceEscaped(r rune, size int) bool {
	return (r == utf8.RuneError && size == 1) || r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

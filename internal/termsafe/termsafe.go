// Package termsafe makes text that a server chose safe to show on a
// terminal: a hostile server must not reach the user's terminal with
// escape sequences (ECMA-48 §5) through error text, mailbox names or the
// protocol trace.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape returns s with every byte that could drive a terminal written
// visibly instead: C0 controls (including CR and TAB; LF only when
// keepNewline is false), DEL and the C1 controls U+0080..U+009F as Go
// escapes (\x1b, \x7f, \u009b), and bytes that are not valid UTF-8 as
// \xNN. Clean text is returned unchanged without allocating.
func Escape(s string, keepNewline bool) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, size, keepNewline) {
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
		case needsEscape(r, size, keepNewline) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r, size, keepNewline):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether the rune r, size bytes long, is written as
// an escape by Escape.
func needsEscape(r rune, size int, keepNewline bool) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case r == '\n':
		return !keepNewline
	case r < 0x20, r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	}
	return false
}

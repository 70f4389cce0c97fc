package imap

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// modifiedBase64Alphabet is the base64 alphabet of RFC 3501 §5.1.3: RFC 2045
// base64 with "," in place of "/".
const modifiedBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

// MailboxNameError reports a mailbox name received from a server that is not
// valid modified UTF-7 (RFC 3501 §5.1.3).
type MailboxNameError struct {
	Name   string // the name as it came from the server
	Offset int    // byte offset in Name where the problem was found
	Reason string // what is wrong, e.g. "shift sequence not closed by \"-\""
}

func (e *MailboxNameError) Error() string {
	return fmt.Sprintf("imap: mailbox name %q is not modified UTF-7 (RFC 3501 §5.1.3): %s at byte %d", e.Name, e.Reason, e.Offset)
}

// MailboxEncodeError reports a mailbox name given by the caller that cannot
// be sent: it is not valid UTF-8, so it has no modified UTF-7 form
// (RFC 3501 §5.1.3) and is not a UTF-8 name (RFC 6855 §3). Nothing is sent.
type MailboxEncodeError struct {
	Name   string // the name as given
	Offset int    // byte offset of the first invalid byte
}

func (e *MailboxEncodeError) Error() string {
	return fmt.Sprintf("imap: mailbox name %q is not valid UTF-8 (byte %d)", e.Name, e.Offset)
}

// checkMailboxName refuses a name that is not valid UTF-8.
func checkMailboxName(name string) error {
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError && size <= 1 {
			return &MailboxEncodeError{Name: name, Offset: i}
		}
		i += size
	}
	return nil
}

// isDirectlyEncoded reports whether r stands for itself in modified UTF-7:
// the printable US-ASCII characters 0x20-0x7e (RFC 3501 §5.1.3). "&" is
// among them but is written "&-".
func isDirectlyEncoded(r rune) bool {
	return r >= 0x20 && r <= 0x7e
}

// EncodeMailboxName converts a UTF-8 mailbox name to the modified UTF-7 form
// that travels on the wire (RFC 3501 §5.1.3): printable US-ASCII stands for
// itself, "&" becomes "&-", and every run of other characters becomes "&",
// the modified base64 of its UTF-16BE form without padding, and "-".
//
// Bytes of name that are not valid UTF-8 are encoded as U+FFFD, so the result
// is always valid modified UTF-7; the Client refuses such names instead
// (*MailboxEncodeError), since U+FFFD would name another mailbox.
func EncodeMailboxName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		if isDirectlyEncoded(r) {
			b.WriteByte(byte(r))
			if r == '&' {
				b.WriteByte('-')
			}
			i += size
			continue
		}
		// Collect the whole run of characters that need base64, so that the
		// result has a single shift sequence per run as RFC 3501 requires.
		var units []uint16
		for i < len(name) {
			r, size = utf8.DecodeRuneInString(name[i:])
			if isDirectlyEncoded(r) {
				break
			}
			// utf8.DecodeRuneInString yields U+FFFD for invalid bytes.
			units = utf16.AppendRune(units, r)
			i += size
		}
		b.WriteByte('&')
		writeModifiedBase64(&b, units)
		b.WriteByte('-')
	}
	return b.String()
}

// writeModifiedBase64 writes the UTF-16BE bytes of units in modified base64
// without "=" padding; leftover bits are zero-filled.
func writeModifiedBase64(b *strings.Builder, units []uint16) {
	var acc uint32
	var bits uint
	for _, u := range units {
		acc = acc<<16 | uint32(u)
		bits += 16
		for bits >= 6 {
			bits -= 6
			b.WriteByte(modifiedBase64Alphabet[(acc>>bits)&0x3f])
		}
		acc &= 1<<bits - 1
	}
	if bits > 0 {
		b.WriteByte(modifiedBase64Alphabet[(acc<<(6-bits))&0x3f])
	}
}

// modifiedBase64Value returns the 6-bit value of c in the modified base64
// alphabet, or -1.
func modifiedBase64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == ',':
		return 63
	}
	return -1
}

// DecodeMailboxName converts a mailbox name in modified UTF-7 as it came
// from the server to UTF-8 (RFC 3501 §5.1.3).
//
// It is strict and accepts only the one form an RFC 3501 encoder produces,
// so that EncodeMailboxName(DecodeMailboxName(wire)) == wire. It returns a
// *MailboxNameError for: a byte outside printable US-ASCII; "&" without a
// closing "-"; a character outside the modified base64 alphabet; a shift
// sequence whose length is not that of whole UTF-16 units or whose padding
// bits are not zero; base64 that encodes a printable US-ASCII character
// (which must stand for itself); two shift sequences in a row (which must be
// one); and an unpaired UTF-16 surrogate.
func DecodeMailboxName(wire string) (string, error) {
	fail := func(offset int, reason string) (string, error) {
		return "", &MailboxNameError{Name: wire, Offset: offset, Reason: reason}
	}
	var b strings.Builder
	b.Grow(len(wire))
	lastShiftEnd := -1 // index just after the "-" of the previous base64 sequence
	for i := 0; i < len(wire); {
		c := wire[i]
		if c != '&' {
			if !isDirectlyEncoded(rune(c)) {
				return fail(i, fmt.Sprintf("byte 0x%02x is not printable US-ASCII and must be base64-encoded", c))
			}
			b.WriteByte(c)
			i++
			continue
		}
		start := i
		i++
		if i < len(wire) && wire[i] == '-' {
			b.WriteByte('&')
			i++
			continue
		}
		if start == lastShiftEnd {
			return fail(start, "two shift sequences in a row must be one")
		}
		var units []uint16
		var acc uint32
		var bits uint
		closed := false
		for i < len(wire) {
			c := wire[i]
			if c == '-' {
				closed = true
				i++
				break
			}
			v := modifiedBase64Value(c)
			if v < 0 {
				return fail(i, fmt.Sprintf("byte %q is not in the modified base64 alphabet", c))
			}
			acc = acc<<6 | uint32(v)
			bits += 6
			if bits >= 16 {
				bits -= 16
				units = append(units, uint16(acc>>bits))
				acc &= 1<<bits - 1
			}
			i++
		}
		if !closed {
			return fail(start, "shift sequence not closed by \"-\"")
		}
		if len(units) == 0 {
			return fail(start, "empty or too short shift sequence")
		}
		if bits >= 6 {
			return fail(start, "shift sequence length is not a whole number of UTF-16 units")
		}
		if acc != 0 {
			return fail(start, "shift sequence has non-zero padding bits")
		}
		for k := 0; k < len(units); k++ {
			u := units[k]
			switch {
			case utf16.IsSurrogate(rune(u)):
				if u >= 0xdc00 || k+1 >= len(units) {
					return fail(start, fmt.Sprintf("unpaired UTF-16 surrogate U+%04X", u))
				}
				r := utf16.DecodeRune(rune(u), rune(units[k+1]))
				if r == utf8.RuneError {
					return fail(start, fmt.Sprintf("unpaired UTF-16 surrogate U+%04X", u))
				}
				b.WriteRune(r)
				k++
			case isDirectlyEncoded(rune(u)):
				return fail(start, fmt.Sprintf("printable US-ASCII %q must not be base64-encoded", rune(u)))
			default:
				b.WriteRune(rune(u))
			}
		}
		lastShiftEnd = i
	}
	return b.String(), nil
}

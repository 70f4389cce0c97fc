package output

import (
	"bytes"
	"strings"
)

// MaxHeaderSniff bounds what a [HeaderSniffer] keeps of a message.
const MaxHeaderSniff = 256 << 10

// HeaderSniffer is an io.Writer that keeps the start of a message until
// its header ends (at most MaxHeaderSniff bytes), to read its Message-ID
// while the message streams elsewhere. Its zero value is ready to use.
type HeaderSniffer struct {
	buf  []byte
	done bool
	// scanned is how much of buf has been searched for the blank line.
	scanned int
}

// Reset empties h for the next message, keeping its buffer.
func (h *HeaderSniffer) Reset() { h.buf, h.done, h.scanned = h.buf[:0], false, 0 }

// Write keeps p while the header lasts; it never fails.
func (h *HeaderSniffer) Write(p []byte) (int, error) {
	if h.done {
		return len(p), nil
	}
	h.buf = append(h.buf, p[:min(len(p), MaxHeaderSniff-len(h.buf))]...)
	// Search only what this write added, and the two bytes before it
	// that may start the blank line ("\n\n" or "\n\r\n").
	from := max(h.scanned-2, 0)
	h.scanned = len(h.buf)
	rest := h.buf[from:]
	if len(h.buf) >= MaxHeaderSniff || bytes.Contains(rest, []byte("\n\r\n")) || bytes.Contains(rest, []byte("\n\n")) {
		h.done = true
	}
	return len(p), nil
}

// MessageID returns the Message-ID field of the header written so far;
// see [MessageIDOf].
func (h *HeaderSniffer) MessageID() string { return MessageIDOf(h.buf) }

// MessageIDOf returns the value of the Message-ID field (RFC 5322
// §3.6.4) of a message header, unfolded (§2.2.3) and trimmed, or "" when
// there is none before the blank line that ends the header.
func MessageIDOf(header []byte) string {
	// Lines are walked in place (no copy of the header per message).
	nextLine := func(b []byte) (line, rest []byte) {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return b[:i], b[i+1:]
		}
		return b, nil
	}
	for rest := header; len(rest) > 0; {
		var line []byte
		line, rest = nextLine(rest)
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !strings.EqualFold(strings.TrimSpace(string(name)), "Message-ID") {
			continue
		}
		v := string(value)
		for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			line, rest = nextLine(rest)
			v += string(bytes.TrimRight(line, "\r"))
		}
		return strings.TrimSpace(v)
	}
	return ""
}

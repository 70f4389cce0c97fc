package output

import (
	"strings"
	"testing"
)

// TestMessageIDOf reads the Message-ID field (RFC 5322 §3.6.4) of a
// header: any case of the name, folded values unfolded (§2.2.3), CRLF or
// LF line ends, nothing after the blank line that ends the header.
func TestMessageIDOf(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"From: a@example.org\r\nMessage-ID: <1@example.org>\r\n\r\n", "<1@example.org>"},
		{"message-id:<2@example.org>\n\n", "<2@example.org>"},
		{"MESSAGE-ID: \r\n <3@example.org>\r\nSubject: x\r\n\r\n", "<3@example.org>"},
		{"Message-ID: <4@\n\texample.org>\nTo: b\n\n", "<4@\texample.org>"},
		{"Subject: none\r\n\r\nMessage-ID: <in-body@example.org>\r\n", ""},
		{"Subject: x\r\nMessage-ID: <5@example.org>", "<5@example.org>"},
		{"X-Message-ID: <no@example.org>\r\n\r\n", ""},
		{"", ""},
	} {
		if got := MessageIDOf([]byte(tc.header)); got != tc.want {
			t.Errorf("MessageIDOf(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

// A HeaderSniffer fed a message in pieces of any size reads the same
// Message-ID as MessageIDOf on the whole, and stops keeping bytes at the
// blank line even when it is split between two writes.
func TestHeaderSnifferSplitWrites(t *testing.T) {
	msg := "From: a@example.org\r\nMessage-ID:\r\n <6@example.org>\r\n\r\nMessage-ID: <body@example.org>\r\n" + strings.Repeat("x", 5000)
	for _, size := range []int{1, 2, 3, 7, 64, 4096} {
		var h HeaderSniffer
		for i := 0; i < len(msg); i += size {
			h.Write([]byte(msg[i:min(i+size, len(msg))]))
		}
		if got := h.MessageID(); got != "<6@example.org>" {
			t.Errorf("pieces of %d: MessageID = %q, want <6@example.org>", size, got)
		}
		if len(h.buf) > strings.Index(msg, "\r\n\r\n")+4+size {
			t.Errorf("pieces of %d: kept %d bytes, past the header", size, len(h.buf))
		}
		h.Reset()
		h.Write([]byte("Message-ID: <7@example.org>\n\n"))
		if got := h.MessageID(); got != "<7@example.org>" {
			t.Errorf("after Reset: %q", got)
		}
	}
}

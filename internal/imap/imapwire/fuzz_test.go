package imapwire

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
)

// Transcripts captured from Dovecot 2.3 and from RFC 3501 §8's example.
var seedTranscripts = []string{
	"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n",
	"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1700000000] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\na2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n",
	"* 1 FETCH (UID 1 RFC822.SIZE 12 FLAGS (\\Seen) BODY[] {12}\r\nSubject: x\r\n)\r\na3 OK Fetch completed.\r\n",
	"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
	"* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n* LIST (\\Noselect) \".\" {4}\r\nTr&AOQ-\r\n* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UNSEEN 1)\r\n",
	"* SEARCH 2 84 882\r\n* ESEARCH (TAG \"a5\") UID COUNT 3 MIN 1 MAX 7\r\n+ idling\r\n* BYE Logging out\r\n",
	"* 2 fetch (flags (\\seen) BINARY[1] ~{3}\n\x00ab MODSEQ (5))\n",
	"+ PDk0MTQuNjk2MzA5NTk1MjNAcG9zdG9mZmljZS5yZXN0b24ubWNpLm5ldD4=\r\n",
	"* 1 FETCH (BODY[] {9223372036854775807}\r\nabc",
}

// FuzzDecoder reads arbitrary bytes the way the client reads responses:
// it must not panic, and a literal announced larger than the in-memory
// bound must not be allocated.
func FuzzDecoder(f *testing.F) {
	for _, s := range seedTranscripts {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(bufio.NewReader(bytes.NewReader(data)))
		d.MaxLiteralInMemory = 1 << 16
		d.MaxLineLength = 1 << 16
		for i := 0; i < 100; i++ {
			if d.Peek('+') {
				d.Expect("continue-req", '+')
				d.Accept(' ')
				d.RespText()
			} else {
				if _, ok := d.Token(); !ok {
					return
				}
				if !d.SP() {
					return
				}
				if b, ok := d.PeekByte(); ok && b >= '0' && b <= '9' {
					d.Number()
					d.SP()
					d.Atom()
					if d.Accept(' ') && d.Peek('(') {
						// Stream literals the way FETCH bodies are read.
						d.List("msg-att", func() bool {
							if b, _ := d.PeekByte(); b == '{' || b == '~' {
								lit, ok := d.Literal()
								if ok {
									io.Copy(io.Discard, lit)
								}
								return ok
							}
							_, ok := d.Value()
							return ok
						})
					}
				} else if a, ok := d.Atom(); ok && (a == "OK" || a == "NO" || a == "BAD" || a == "BYE") {
					d.SP()
					d.RespText()
				} else {
					d.Fields()
				}
			}
			if !d.CRLF() {
				return
			}
		}
	})
}

// FuzzAStringRoundTrip checks that whatever a user's string holds, the
// encoder's choice of atom, quoted string or literal decodes back to the
// same string and the command line ends exactly where the encoder ended it
// (no CR/LF injection). NUL must be refused.
func FuzzAStringRoundTrip(f *testing.F) {
	for _, s := range []string{"INBOX", "", "NIL", "a b", "a\"b\\c", "x\r\nA1 DELETE INBOX", "pässword", "\x00", "]", "{5}", "~{1}", "*%", strings.Repeat("x", 1025)} {
		f.Add(s, false, byte(0))
	}
	f.Fuzz(func(t *testing.T, s string, utf8Mode bool, mode byte) {
		var buf bytes.Buffer
		e := NewEncoder(bufio.NewWriter(&buf))
		e.UTF8 = utf8Mode
		e.Literals = LiteralMode(mode % 3)
		e.WaitContinuation = func() error { return nil }
		e.Raw("A1 X ").AString(s).Raw(" Y")
		err := e.CRLF()
		if strings.IndexByte(s, 0) >= 0 {
			if err == nil {
				t.Fatalf("AString(%q) with NUL accepted", s)
			}
			return
		}
		if err != nil {
			t.Fatalf("AString(%q) = %v", s, err)
		}
		d := NewDecoder(bufio.NewReader(bytes.NewReader(buf.Bytes())))
		if a, ok := d.Atom(); !ok || a != "A1" || !d.SP() {
			t.Fatalf("tag: %v", d.Err())
		}
		if a, ok := d.Atom(); !ok || a != "X" || !d.SP() {
			t.Fatalf("name: %v", d.Err())
		}
		got, ok := d.AString()
		if !ok || got != s {
			t.Fatalf("AString(%q) wrote %q, decoded %q (%v)", s, buf.String(), got, d.Err())
		}
		if !d.SP() {
			t.Fatalf("after AString(%q): %v", s, d.Err())
		}
		if a, ok := d.Atom(); !ok || a != "Y" || !d.CRLF() {
			t.Fatalf("AString(%q) wrote %q: line does not end after it (%v)", s, buf.String(), d.Err())
		}
		if _, err := d.r.ReadByte(); err != io.EOF {
			t.Fatalf("AString(%q) wrote %q: bytes after the command line", s, buf.String())
		}
	})
}

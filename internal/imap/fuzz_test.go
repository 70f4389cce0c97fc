package imap

import (
	"io"
	"net"
	"testing"
)

// FuzzClientResponses feeds arbitrary server output to a client that has a
// FETCH with a body section in flight: whatever the bytes, the client must
// not panic or hang, and must end with a result or an error.
func FuzzClientResponses(f *testing.F) {
	seeds := []string{
		"* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n* 1 FETCH (UID 1 RFC822.SIZE 3 BODY[] {3}\r\nabc)\r\nA0 OK done\r\n",
		"* OK hi\r\n* 1 FETCH (BODY[] {5}\r\nab)\r\n",
		"* OK hi\r\n* 2 FETCH (FLAGS (\\seen) BODY[HEADER] ~{2}\n\x00a ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"a\" \"b\" NIL NIL NIL \"base64\" 2) \"mixed\"))\r\nA0 OK x\r\n",
		"* PREAUTH hi\r\n* 3 EXISTS\r\n* 1 EXPUNGE\r\n* SEARCH 1 2\r\n* ESEARCH (TAG \"A0\") COUNT 2\r\n+ go\r\n* BYE bye\r\n",
		"* OK hi\r\n* 1 FETCH (BODY[] {9223372036854775807}\r\nabc",
		"* OK hi\r\nA0 NO [TRYCREATE] nope\r\n",
		"* OK hi\r\n* LIST (\\Noselect) \"/\" {3}\r\na/b\r\n* STATUS x (MESSAGES 1)\r\nA0 BAD [PARSE] x\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		go io.Copy(io.Discard, server)
		go func() {
			server.Write(data)
			server.Close()
		}()
		c := NewClient(client, Options{MaxLineLength: 1 << 16, MaxLiteralInMemory: 1 << 16, Tags: NewTagGeneratorWithPrefix("A")})
		_ = c.Fetch(ctx, AllSeq(), &FetchOptions{UID: true, Envelope: true, BodyStructure: true,
			BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
			for {
				b, err := m.NextBody()
				if err != nil || b == nil {
					return err
				}
				if _, err := io.Copy(io.Discard, b); err != nil {
					return err
				}
			}
		})
		c.Close()
	})
}

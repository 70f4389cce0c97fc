package imap

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/imap/imaptest"
)

// serveManySmall answers every command with the same pre-rendered FETCH
// responses for messages small messages of size bytes, each with the
// attributes a fetch or backup asks for (RFC 3501 section 7.4.2), so that
// the client's response decoding, not the server, is what is measured.
func serveManySmall(tb testing.TB, messages, size int) (addr string, streamBytes int64) {
	tb.Helper()
	const line = "Received: from a line of header text\r\n"
	body := strings.Repeat(line, size/len(line)+1)[:size-2] + "\r\n"
	var stream bytes.Buffer
	for i := 1; i <= messages; i++ {
		fmt.Fprintf(&stream, "* %d FETCH (UID %d FLAGS (\\Seen $Label1 NonJunk) INTERNALDATE \"02-Dec-2026 04:21:10 +0000\" RFC822.SIZE %d BODY[] {%d}\r\n%s)\r\n", i, i+1000, size, size, body)
	}
	rendered := stream.Bytes()
	addr = imaptest.ServeFunc(tb, func(conn net.Conn) {
		br := bufio.NewReader(conn)
		conn.Write([]byte("* OK [CAPABILITY IMAP4rev1] hi\r\n"))
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, _, _ := strings.Cut(line, " ")
			conn.Write(rendered)
			fmt.Fprintf(conn, "%s OK done\r\n", tag)
		}
	})
	return addr, int64(len(rendered))
}

// BenchmarkFetchDecodeSmall measures the response decoder on the common
// case of many small messages with metadata: MB/s of the response
// stream, and allocations per message.
func BenchmarkFetchDecodeSmall(b *testing.B) {
	const messages, size = 2000, 2 << 10
	addr, streamBytes := serveManySmall(b, messages, size)
	c, err := Dial(ctx, addr, Options{TLS: TLSNone})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	opts := &FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true, BodySections: []BodySection{{Peek: true}}}
	b.SetBytes(streamBytes)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := c.Fetch(ctx, AllUID(), opts, func(m *FetchMessage) error {
			body, err := m.NextBody()
			if err != nil {
				return err
			}
			if _, err := io.Copy(io.Discard, body); err != nil {
				return err
			}
			n++
			return m.Finish()
		})
		if err != nil {
			b.Fatal(err)
		}
		if n != messages {
			b.Fatalf("%d messages, want %d", n, messages)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*messages), "ns/msg")
}

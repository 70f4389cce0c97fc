package imap

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/imap/imaptest"
)

// serveBigFetch answers every FETCH with messages messages of size bytes
// each, generated on the fly.
func serveBigFetch(tb testing.TB, messages int, size int64) string {
	tb.Helper()
	return imaptest.ServeFunc(tb, func(conn net.Conn) {
		br := bufio.NewReader(conn)
		bw := bufio.NewWriterSize(conn, 64<<10)
		bw.WriteString("* OK [CAPABILITY IMAP4rev1] hi\r\n")
		bw.Flush()
		chunk := []byte(strings.Repeat("0123456789abcdef", 4096))
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, _, _ := strings.Cut(line, " ")
			for i := 1; i <= messages; i++ {
				fmt.Fprintf(bw, "* %d FETCH (UID %d RFC822.SIZE %d BODY[] {%d}\r\n", i, i, size, size)
				for left := size; left > 0; {
					n := min(left, int64(len(chunk)))
					bw.Write(chunk[:n])
					left -= n
				}
				bw.WriteString(")\r\n")
			}
			fmt.Fprintf(bw, "%s OK done\r\n", tag)
			bw.Flush()
		}
	})
}

// TestFetchMemoryDoesNotGrowWithMessageSize streams a 64 MiB body and
// checks that the client allocated far less than that.
func TestFetchMemoryDoesNotGrowWithMessageSize(t *testing.T) {
	const size = 64 << 20
	addr := serveBigFetch(t, 1, size)
	c, err := Dial(ctx, addr, Options{TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var n int64
	err = c.Fetch(ctx, AllUID(), &FetchOptions{UID: true, RFC822Size: true, BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
		b, err := m.NextBody()
		if err != nil {
			return err
		}
		n, err = io.Copy(io.Discard, b)
		return err
	})
	runtime.ReadMemStats(&after)
	if err != nil || n != size {
		t.Fatalf("Fetch = %v after %d bytes, want %d", err, n, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("streaming a %d-byte body allocated %d bytes", size, alloc)
	}
}

// BenchmarkFetchStream measures streaming throughput of a whole-mailbox
// fetch (one command, 100 messages of 256 KiB) over loopback.
func BenchmarkFetchStream(b *testing.B) {
	const messages, size = 100, 256 << 10
	addr := serveBigFetch(b, messages, size)
	c, err := Dial(ctx, addr, Options{TLS: TLSNone})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.SetBytes(messages * size)
	b.ReportAllocs()
	for b.Loop() {
		err := c.Fetch(ctx, AllUID(), &FetchOptions{UID: true, BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
			body, err := m.NextBody()
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, body)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

package output

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkMaildir delivers batches of messages into a Maildir, fsyncing
// each message or committing each batch as a group. Every round writes
// into its own fresh folder (creating files next to many just deleted is
// much slower on some file systems); all are deleted after the last round.
func BenchmarkMaildir(b *testing.B) {
	root, err := os.MkdirTemp("", "imapctl-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(root)
	const batch = 100
	body := "Subject: benchmark\n\n" + strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef012345678901234\n", 64)
	rounds := 0
	for _, group := range []bool{false, true} {
		name := "fsync-each"
		if group {
			name = "group-commit"
		}
		b.Run(fmt.Sprintf("%s/%d-messages", name, batch), func(b *testing.B) {
			b.SetBytes(int64(batch * len(body)))
			for b.Loop() {
				rounds++
				sink := NewMaildirSink(filepath.Join(root, fmt.Sprintf("round-%d", rounds)), Options{GroupCommit: group})
				for i := 0; i < batch; i++ {
					if _, err := sink.Put(context.Background(), Message{UID: uint32(i + 1), Flags: []string{`\Seen`}}, func(w io.Writer) error { _, err := io.WriteString(w, body); return err }); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := sink.Flush(); err != nil {
					b.Fatal(err)
				}
				if err := sink.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Seconds()*1e6)/float64(b.N*batch), "µs/message")
		})
	}
}

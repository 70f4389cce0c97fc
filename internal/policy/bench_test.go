package policy

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkWrite measures Write throughput (MB/s of input) per policy
// over every message of the corpus.
func BenchmarkWrite(b *testing.B) {
	var messages [][]byte
	total := 0
	err := filepath.WalkDir(filepath.Join(testdataDir, "corpus"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".eml" {
			return err
		}
		data, err := os.ReadFile(path)
		messages = append(messages, data)
		total += len(data)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, spec := range []string{"raw", `raw,linesep=\r\n`, "default", "compat32", "SMTP", "default,refold_source=none", "default,refold_source=all", "SMTP,cte_type=7bit"} {
		p, err := ParseSpec(spec, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(spec, func(b *testing.B) {
			b.SetBytes(int64(total))
			for b.Loop() {
				for _, m := range messages {
					p.Write(io.Discard, bytes.NewReader(m))
				}
			}
		})
	}
}

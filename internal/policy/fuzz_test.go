package policy

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// crlfOnly reports whether every LF of b is preceded by CR (input "with
// CRLF endings", for which raw,linesep=\r\n promises the input back).
func crlfOnly(b []byte) bool {
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			return false
		}
	}
	return true
}

// FuzzWrite parses and writes arbitrary input under raw and several
// parsing policies: nothing may panic, and raw,linesep=\r\n must give
// CRLF input back unchanged.
func FuzzWrite(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(testdataDir, "policy-edge", "messages", "*.eml"))
	for _, name := range seeds {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("Subject: x\r\n\r\nbody\r\n"))
	specs := []string{
		`raw,linesep=\r\n`,
		"raw",
		`default,refold_source=none,linesep=\r\n`,
		"default",
		"compat32",
		"strict",
		"SMTP,cte_type=7bit",
	}
	policies := make([]*Policy, len(specs))
	for i, spec := range specs {
		p, err := ParseSpec(spec, nil)
		if err != nil {
			f.Fatal(err)
		}
		policies[i] = p
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		for i, p := range policies {
			var out bytes.Buffer
			report, err := p.Write(&out, bytes.NewReader(data))
			if p.IsRaw() && err != nil {
				t.Fatalf("%s: Write = %v", specs[i], err)
			}
			if err == nil && report.Written != int64(out.Len()) {
				t.Fatalf("%s: Report.Written = %d, wrote %d", specs[i], report.Written, out.Len())
			}
			if specs[i] == `raw,linesep=\r\n` && crlfOnly(data) && !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("raw,linesep=\\r\\n changed CRLF input %q into %q", data, out.Bytes())
			}
			// Reads of 3 bytes (a CR at the end of the buffer, lines
			// split across reads), buffers left by the previous message
			// and bodies beyond 64 bytes spooled to files change
			// nothing.
			var again bytes.Buffer
			_, err2 := p.write(&again, &smallReads{data: data, n: 3}, 64)
			if (err == nil) != (err2 == nil) || !bytes.Equal(randomBoundary.ReplaceAll(out.Bytes(), nil), randomBoundary.ReplaceAll(again.Bytes(), nil)) {
				t.Fatalf("%s: 3-byte reads, 64 bytes in memory wrote %q (%v), one read %q (%v)", specs[i], again.Bytes(), err2, out.Bytes(), err)
			}
		}
	})
}

// randomBoundary matches a boundary the generator makes up for a
// multipart without one (Python's "=" * 15 + 19 random digits + "=="):
// two writes of such a message differ there only.
var randomBoundary = regexp.MustCompile(`={15}[0-9]{19}==`)

// smallReads returns data n bytes per Read.
type smallReads struct {
	data []byte
	n    int
}

func (r *smallReads) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[k:]
	return k, nil
}

package policy

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

func TestRawLineEndings(t *testing.T) {
	tests := []struct {
		name, spec, in, want string
	}{
		{"crlf kept", `raw,linesep=\r\n`, "A: b\r\n\r\nbody\r\n", "A: b\r\n\r\nbody\r\n"},
		{"lf to crlf", `raw,linesep=\r\n`, "A: b\n\nbody\n", "A: b\r\n\r\nbody\r\n"},
		{"crlf to lf", "raw", "A: b\r\n\r\nbody\r\nlast", "A: b\n\nbody\nlast"},
		{"mixed", "raw,linesep=CRLF", "a\nb\r\nc\n", "a\r\nb\r\nc\r\n"},
		{"lone cr kept", "raw", "a\rb\r\nc\r", "a\rb\nc\r"},
		{"cr before crlf", "raw", "a\r\r\nb", "a\r\nb"},
		{"to cr", "raw,linesep=CR", "a\r\nb\nc", "a\rb\rc"},
		{"empty", "raw", "", ""},
		{"binary bytes", "raw", "\x00\xff\r\n\x80", "\x00\xff\n\x80"},
	}
	for _, tt := range tests {
		p, err := ParseSpec(tt.spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = strings.NewReader(tt.in)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			var out bytes.Buffer
			report, err := p.Write(&out, r)
			if err != nil || out.String() != tt.want || report.Written != int64(len(tt.want)) {
				t.Errorf("%s: Write(%q) under %s (one byte reads: %v) = %q, %+v, %v; want %q", tt.name, tt.in, tt.spec, oneByte, out.String(), report, err, tt.want)
			}
		}
	}
}

// repeatReader yields line over and over until n bytes were read.
type repeatReader struct {
	line []byte
	n    int64
	pos  int
}

func (r *repeatReader) Read(b []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	total := 0
	for total < len(b) && r.n > 0 {
		c := copy(b[total:], r.line[r.pos:])
		if int64(c) > r.n {
			c = int(r.n)
		}
		total += c
		r.n -= int64(c)
		r.pos = (r.pos + c) % len(r.line)
	}
	return total, nil
}

// TestRawConstantMemory streams 64 MiB through raw and checks that the
// bytes allocated stay far below the message size.
func TestRawConstantMemory(t *testing.T) {
	p, _ := ParseSpec(`raw,linesep=\r\n`, nil)
	const size = 64 << 20
	src := &repeatReader{line: []byte("Some body text that goes on a while\n"), n: size}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	report, err := p.Write(io.Discard, src)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if report.Written <= size {
		t.Errorf("Written = %d, want more than %d (LF became CRLF)", report.Written, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("raw allocated %d bytes for a %d byte message, want under 1 MiB", alloc, size)
	}
}

func TestRawReadError(t *testing.T) {
	p, _ := NamedPolicy("raw")
	boom := errors.New("connection reset")
	_, err := p.Write(io.Discard, io.MultiReader(strings.NewReader("a\r\n"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want %v", err, boom)
	}
}

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
		{"crs before crlf", "raw", "a\r\r\r\nb\r\r", "a\r\r\nb\r\r"},
		{"lone lf after lone cr", "raw,linesep=CRLF", "\r\r\n\n\r", "\r\r\n\r\n\r"},
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

func TestReadError(t *testing.T) {
	boom := errors.New("connection reset")
	for _, spec := range []string{"raw", "default", "compat32"} {
		p, _ := ParseSpec(spec, nil)
		var out bytes.Buffer
		_, err := p.Write(&out, io.MultiReader(strings.NewReader("Subject: a\r\n\r\nbody"), iotest.ErrReader(boom)))
		if !errors.Is(err, boom) {
			t.Errorf("%s: Write = %v, want %v", spec, err, boom)
		}
		if spec != "raw" && out.Len() != 0 {
			t.Errorf("%s: wrote %q after a read error", spec, out.String())
		}
	}
}

// heapProbeReader yields a message of n bytes (a header, then body lines)
// and records the live heap after a GC once probeAt bytes were read.
type heapProbeReader struct {
	header    []byte
	body      repeatReader
	probeAt   int64
	read      int64
	heapAtMid uint64
}

func (r *heapProbeReader) Read(b []byte) (int, error) {
	var n int
	var err error
	if len(r.header) > 0 {
		n = copy(b, r.header)
		r.header = r.header[n:]
	} else {
		n, err = r.body.Read(b)
	}
	before := r.read
	r.read += int64(n)
	if before < r.probeAt && r.read >= r.probeAt {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		r.heapAtMid = ms.HeapAlloc
	}
	return n, err
}

// TestParsedBodyBoundedMemory sends a 32 MiB body through a parsing
// policy and checks that the live heap stays well below the body size
// (bodies beyond MaxBodyMemory are spooled to a temporary file).
func TestParsedBodyBoundedMemory(t *testing.T) {
	const size = 32 << 20
	if MaxBodyMemory > size/4 {
		t.Fatalf("MaxBodyMemory %d is too large for this test", MaxBodyMemory)
	}
	src := &heapProbeReader{
		header:  []byte("Subject: big\r\nContent-Type: text/plain\r\n\r\n"),
		body:    repeatReader{line: []byte("From a line of body text that goes on for a while\r\n"), n: size},
		probeAt: 28 << 20,
	}
	p, _ := ParseSpec(`default,mangle_from_=true`, nil)
	// The heap other tests left live (codec tables loaded once) is not
	// this Write's: measure growth from here.
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var out countingDiscard
	report, err := p.Write(&out, src)
	if err != nil {
		t.Fatal(err)
	}
	if out.n != report.Written || out.n < size {
		t.Fatalf("wrote %d bytes (report %d), want about %d", out.n, report.Written, size)
	}
	if limit := uint64(MaxBodyMemory + 8<<20); src.heapAtMid > before.HeapAlloc+limit {
		t.Errorf("live heap grew by %d bytes while parsing a %d byte body, want under %d", src.heapAtMid-before.HeapAlloc, size, limit)
	}
}

type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(b []byte) (int, error) {
	c.n += int64(len(b))
	return len(b), nil
}

// TestSpooledBodyMatchesInMemory writes a body of several read chunks
// through a temporary file and checks that the output equals the
// in-memory path's (which TestPythonParity compares with Python), with
// "From " lines falling across chunk boundaries.
func TestSpooledBodyMatchesInMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString("Subject: x\nContent-Type: multipart/mixed; boundary=b\n\npreamble\n--b\n\n")
	// The part's payload is spooled from its first byte: put a "From "
	// line across the first 64 KiB read.
	b.WriteString(strings.Repeat("y", 64<<10-3) + "\nFrom split\n")
	for i := 0; b.Len() < 300<<10; i++ {
		b.WriteString(strings.Repeat("y", i%97))
		b.WriteString("\nFrom here\nFr\nFrom\n")
	}
	b.WriteString("\n--b--\nFrom epilogue\n")
	in := b.String()
	for _, spec := range []string{`default,mangle_from_=true,linesep=\r\n`, "compat32", "default"} {
		p, _ := ParseSpec(spec, nil)
		var inMemory, spooled bytes.Buffer
		if _, err := p.write(&inMemory, strings.NewReader(in), MaxBodyMemory); err != nil {
			t.Fatal(err)
		}
		if _, err := p.write(&spooled, strings.NewReader(in), 0); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(inMemory.Bytes(), spooled.Bytes()) {
			t.Errorf("%s: spooled output differs: %s", spec, firstDifference(spooled.Bytes(), inMemory.Bytes()))
		}
	}
}

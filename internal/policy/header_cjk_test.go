package policy

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// wtf8 writes s as Python's str.encode('utf-8', 'surrogatepass') does,
// surrogate escapes included, to compare with the samples' output.
func wtf8(s string) string {
	var b strings.Builder
	for _, r := range s {
		if isSurrogateRune(r) {
			cp := 0xDC00 + (r - surrogateBase)
			b.WriteByte(0xED)
			b.WriteByte(byte(0x80 | (cp>>6)&0x3F))
			b.WriteByte(byte(0x80 | cp&0x3F))
			continue
		}
		var buf [4]byte
		n := utf8.EncodeRune(buf[:], r)
		b.Write(buf[:n])
	}
	return b.String()
}

// TestCJKDecodeMatchesPython compares the CJK (and UTF-16/32) decoders
// with Python's
// bytes.decode(codec, 'surrogateescape') on the random byte strings of
// testdata/cjk-decode.jsonl.gz (gen_cjk.py samples).
func TestCJKDecodeMatchesPython(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "cjk-decode.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	pass, total, unsure := 0, 0, 0
	for sc.Scan() {
		var rec struct {
			Codec string
			In    string
			Out   *string
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		in := []byte(latin1Bytes(t, rec.In))
		total++
		s, _, err, ok := decodeCJK(rec.Codec, in)
		if !ok {
			s, _, err, ok = decodeUTF16or32(rec.Codec, in)
		}
		if !ok {
			t.Fatalf("no decoder for %s", rec.Codec)
		}
		switch {
		case err == errUnsupportedCharset:
			unsure++
			pass++
			continue
		case rec.Out == nil:
			if err == errDecodeRaises {
				pass++
				continue
			}
			t.Errorf("%s %q: got %q, %v; Python raises", rec.Codec, in, s, err)
		case err != nil:
			t.Errorf("%s %q: got error %v; Python gives %q", rec.Codec, in, err, latin1Bytes(t, *rec.Out))
		case wtf8(s) != latin1Bytes(t, *rec.Out):
			t.Errorf("%s %q: got %q; Python gives %q", rec.Codec, in, wtf8(s), latin1Bytes(t, *rec.Out))
		default:
			pass++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("CJK decoding: %d/%d match Python (%d left to the caller as unsupported)", pass, total, unsure)
}

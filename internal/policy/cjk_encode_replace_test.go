package policy

import (
	"strings"
	"testing"
)

// TestCJKReplaceDecodeAndEncodeMatchPython compares decodeCJKReplace with
// Python's bytes.decode(codec, 'replace'), decodeCJK with
// bytes.decode(codec, 'surrogateescape'), and encodeCJK/encodeISO2022JP
// with Python's str.encode(codec) on the records of
// testdata/cjk-encode-replace.jsonl.gz (gen_cjk_encode_replace.py).
func TestCJKReplaceDecodeAndEncodeMatchPython(t *testing.T) {
	type record struct {
		Op, Codec, In, Escaped string
		Out                    *string
	}
	counts := map[string]int{}
	forEachGoldenRecord(t, "cjk-encode-replace.jsonl.gz", func(rec record) {
		counts[rec.Op]++
		switch rec.Op {
		case "decode":
			in := []byte(latin1Bytes(t, rec.In))
			if got := decodeCJKReplace(rec.Codec, in); rec.Out == nil || got != *rec.Out {
				t.Errorf("decodeCJKReplace(%s, %q) = %+q, want %+q", rec.Codec, in, got, *rec.Out)
			}
			if strings.ContainsFunc(*rec.Out, func(r rune) bool { return r >= surrogateBase+0x80 }) {
				// U+10FF80-U+10FFFF stand for surrogate escapes in
				// decodeCJK's result (header_token.go): not comparable.
				counts["escaped-unchecked"]++
				return
			}
			got, _, err, _ := decodeCJK(rec.Codec, in)
			if want := latin1Bytes(t, rec.Escaped); err != nil || wtf8(got) != want {
				t.Errorf("decodeCJK(%s, %q) = %q, %v, want Python's surrogateescape %q", rec.Codec, in, wtf8(got), err, want)
			}
		case "encode":
			var got string
			var ok bool
			if rec.Codec == "iso2022_jp" {
				var err error
				got, _, err = encodeISO2022JP(rec.In, rec.Codec)
				ok = err == nil
			} else {
				got, _, ok = encodeCJK(rec.Codec, rec.In)
			}
			switch {
			case rec.Out == nil && ok:
				t.Errorf("encodeCJK(%s, %+q) = %q, want Python's UnicodeEncodeError", rec.Codec, rec.In, got)
			case rec.Out != nil && !ok:
				t.Errorf("encodeCJK(%s, %+q) failed, want %q", rec.Codec, rec.In, latin1Bytes(t, *rec.Out))
			case rec.Out != nil && got != latin1Bytes(t, *rec.Out):
				t.Errorf("encodeCJK(%s, %+q) = %q, want %q", rec.Codec, rec.In, got, latin1Bytes(t, *rec.Out))
			}
		default:
			t.Fatalf("unknown op %q", rec.Op)
		}
	})
	if counts["decode"] == 0 || counts["encode"] == 0 {
		t.Fatalf("records: %v", counts)
	}
	t.Logf("records: %v", counts)
}

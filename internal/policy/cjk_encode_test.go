package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestReencodeCJKMatchesPython writes the messages of
// testdata/reencode-cjk.jsonl.gz (gen_reencode_cjk.py: 8-bit bodies in
// multibyte charsets, under SMTP and default with cte_type=7bit) and
// compares the output byte for byte with Python's BytesGenerator, or
// Python's exception with a *GenerateError naming it.
func TestReencodeCJKMatchesPython(t *testing.T) {
	total, failures := checkWriteGolden(t, "reencode-cjk.jsonl.gz")
	t.Logf("%d records, %d of them Python's exceptions", total, failures)
}

// TestReencodeContentTypeMatchesPython does the same with the records of
// testdata/cjk-encode-ctype.jsonl.gz (gen_cjk_encode_ctype.py): 8-bit
// bodies whose Content-Type holds 8-bit bytes, RFC 2231 values and the
// like, which the re-encoding rewrites (under compat32 as Python's
// set_param does with the header fetched as text).
func TestReencodeContentTypeMatchesPython(t *testing.T) {
	total, failures := checkWriteGolden(t, "cjk-encode-ctype.jsonl.gz")
	t.Logf("%d records, %d of them Python's exceptions", total, failures)
}

// checkWriteGolden writes each message of a golden file in the format
// of gen_reencode_cjk.py and compares the output with Python's, or
// Python's exception with a *GenerateError naming it.
func checkWriteGolden(t *testing.T, name string) (total, failures int) {
	t.Helper()
	type record struct {
		Name, Charset, Policy, Input, Output, Error string
	}
	forEachGoldenRecord(t, name, func(rec record) {
		total++
		out, werr := writeGoldenInput(t, rec.Policy, rec.Input)
		var ge *GenerateError
		id := rec.Name + " " + rec.Policy
		if rec.Error != "" {
			var fe *HeaderFoldError
			if !errors.As(werr, &ge) || !strings.HasPrefix(ge.Reason, rec.Error) && !(errors.As(werr, &fe) && fe.PythonError == rec.Error) {
				t.Errorf("%s: Write = %v, want a GenerateError for Python's %s", id, werr, rec.Error)
			}
			failures++
			return
		}
		if werr != nil {
			t.Errorf("%s: Write: %v", id, werr)
			return
		}
		want, err := base64.StdEncoding.DecodeString(rec.Output)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s:\n got %q\nwant %q", id, out, want)
		}
	})
	if total == 0 {
		t.Fatal("no records")
	}
	return total, failures
}

// forEachGoldenRecord calls f with each JSON line of the gzip-compressed
// file testdata/name, decoded into a T.
func forEachGoldenRecord[T any](t *testing.T, name string, f func(T)) {
	t.Helper()
	sc, done := openGzipLines(t, name)
	defer done()
	for sc.Scan() {
		var rec T
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		f(rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// writeGoldenInput writes a golden record's base64 input message under
// its policy spec and returns the output and Write's error.
func writeGoldenInput(t *testing.T, spec, input string) ([]byte, error) {
	t.Helper()
	in, err := base64.StdEncoding.DecodeString(input)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseSpec(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, werr := p.Write(&out, bytes.NewReader(in))
	return out.Bytes(), werr
}

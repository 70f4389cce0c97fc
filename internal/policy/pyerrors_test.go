package policy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// checkPythonCases writes every message of dir/messages under every
// policy of dir/expected/manifest.json (written by policy_oracle.py
// --batch from CPython 3.11.7's email package) and compares: the same
// bytes and defects where Python wrote the message, and a *GenerateError
// naming Python's exception class where Python raised one.
func checkPythonCases(t *testing.T, dir string) {
	t.Helper()
	m := loadManifest(t, filepath.Join(dir, "expected"))
	var rels []string
	for rel := range m.Messages {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	for _, rel := range rels {
		input, err := os.ReadFile(filepath.Join(dir, "messages", rel))
		if err != nil {
			t.Fatal(err)
		}
		for slug, want := range m.Messages[rel].Outputs {
			spec := m.Policies[slug]
			p, err := ParseSpec(spec, nil)
			if err != nil {
				t.Fatalf("ParseSpec(%q) = %v", spec, err)
			}
			var out bytes.Buffer
			report, err := p.Write(&out, bytes.NewReader(input))
			switch want.Status {
			case "error":
				wantClass, _, _ := strings.Cut(want.Error, ":")
				var ge *GenerateError
				if !errors.As(err, &ge) {
					t.Errorf("%s (policy %q): Write = %v, want a GenerateError like Python's %s", rel, spec, err, want.Error)
					continue
				}
				if gotClass := pythonClass(ge); gotClass != wantClass {
					t.Errorf("%s (policy %q): Write = %v, want Python's %s", rel, spec, err, want.Error)
				}
				if out.Len() != 0 {
					t.Errorf("%s (policy %q): wrote %d bytes despite the error", rel, spec, out.Len())
				}
			case "ok":
				if err != nil {
					t.Errorf("%s (policy %q): Write = %v, want Python's output", rel, spec, err)
					continue
				}
				expected, err := os.ReadFile(filepath.Join(dir, "expected", slug, rel))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.Bytes(), expected) {
					t.Errorf("%s (policy %q): output differs from Python's: %s", rel, spec, firstDifference(out.Bytes(), expected))
				}
				var got []string
				for _, d := range report.Defects {
					got = append(got, d.Class)
				}
				if (len(got) != 0 || len(want.Defects) != 0) && !reflect.DeepEqual(got, want.Defects) {
					t.Errorf("%s (policy %q): defects %v, want %v", rel, spec, got, want.Defects)
				}
			default:
				t.Fatalf("%s (policy %q): unexpected status %q in the manifest", rel, spec, want.Status)
			}
		}
	}
}

// pythonClass is the Python exception class a GenerateError names: that
// of the header that cannot be written, or the start of its Reason.
func pythonClass(ge *GenerateError) string {
	var fe *HeaderFoldError
	if errors.As(ge, &fe) {
		return fe.PythonError
	}
	class, _, _ := strings.Cut(ge.Reason, ":")
	return class
}

// TestCharsetNUL checks charset names with a NUL byte in encoded words,
// RFC 2231 parameters and the Content-Type charset of a re-encoded body.
// Python's codec lookup raises ValueError for them, not LookupError: an
// encoded word is then kept as literal text, an RFC 2231 value and a
// cte_type=7bit re-encoding raise. The expected output comes from
// Python 3.11.7 via policy_oracle.py (testdata/gen_charset_nul.py).
func TestCharsetNUL(t *testing.T) {
	checkPythonCases(t, "testdata/charset-nul")
}

// TestErrorOrder checks which exception is reported when several parts
// of a message would make Python raise: Python writes a part's payload
// (every sub-part, the string payload of a multipart it could not split)
// before the part's own headers, so the innermost error wins, and a
// header Python would never finish folding is not reached when a
// sub-part raises first. The expected classes come from Python 3.11.7
// via policy_oracle.py (testdata/gen_error_order.py).
func TestErrorOrder(t *testing.T) {
	checkPythonCases(t, "testdata/error-order")
}

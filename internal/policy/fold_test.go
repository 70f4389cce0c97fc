package policy

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// foldGoldenRecord is one line of testdata/fold-golden.jsonl, written by
// testdata/gen_fold_golden.py from CPython 3.11.7's fold_binary.
type foldGoldenRecord struct {
	Name  string                     `json:"name"`
	Value string                     `json:"value"`
	Fold  map[string]json.RawMessage `json:"fold"`
}

// latin1Bytes turns the golden file's one-character-per-byte text back
// into the bytes it stands for.
func latin1Bytes(t testing.TB, s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			t.Fatalf("golden text has non-latin-1 rune %U", r)
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// foldTestPolicy builds the Policy for a golden-file SPEC (the
// policy_oracle.py grammar) with ParseSpec.
func foldTestPolicy(t testing.TB, spec string) *Policy {
	p, err := ParseSpec(spec, nil)
	if err != nil {
		t.Fatalf("ParseSpec(%q): %v", spec, err)
	}
	return p
}

// foldCaseKey names one (policy, header) case in fold-known-failures.txt.
func foldCaseKey(spec, name, value string) string {
	sum := sha256.Sum256([]byte(value))
	return spec + "\t" + name + "\t" + hex.EncodeToString(sum[:8])
}

// foldGoldenFiles are the golden files: the corpus headers and edge
// cases (gen_fold_golden.py), synthetic headers
// (gen_fold_stress.py), random values (gen_fold_random.py), CJK
// charsets (gen_cjk.py folds) and corpus headers with random edits
// (gen_fold_mutate.py), each gzip-compressed.
var foldGoldenFiles = []string{"fold-golden.jsonl.gz", "fold-stress.jsonl.gz", "fold-random.jsonl.gz", "fold-cjk.jsonl.gz", "fold-mutate.jsonl.gz"}

func loadFoldGolden(t testing.TB) []foldGoldenRecord {
	var recs []foldGoldenRecord
	for _, name := range foldGoldenFiles {
		recs = append(recs, loadFoldGoldenFile(t, filepath.Join("testdata", name))...)
	}
	if extra := os.Getenv("FOLD_EXTRA_GOLDEN"); extra != "" {
		// A larger, uncommitted file from the generators, for exploring.
		recs = append(recs, loadFoldGoldenFile(t, extra)...)
	}
	return recs
}

func loadFoldGoldenFile(t testing.TB, name string) []foldGoldenRecord {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	var recs []foldGoldenRecord
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r foldGoldenRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		r.Name = latin1Bytes(t, r.Name)
		r.Value = latin1Bytes(t, r.Value)
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func loadKnownFoldFailures(t testing.TB) map[string]bool {
	data, err := os.ReadFile(filepath.Join("testdata", "fold-known-failures.txt"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		known[line] = true
	}
	return known
}

// TestFoldBinaryMatchesPython checks foldBinary against Python's
// fold_binary for every header of the corpus and the hand-picked cases,
// under each policy of the golden file. Cases listed in
// fold-known-failures.txt must still fail; any other mismatch fails.
// Set FOLD_WRITE_KNOWN=1 to rewrite that list from the current results,
// FOLD_SHOW=<header name> to log every mismatch for that header name,
// FOLD_EXTRA_GOLDEN=<file> to add a generated file to the comparison.
func TestFoldBinaryMatchesPython(t *testing.T) {
	recs := loadFoldGolden(t)
	known := loadKnownFoldFailures(t)
	type count struct{ pass, fail, pyErr int }
	counts := map[string]*count{}
	var failing []string
	unexpected := 0
	policies := map[string]*Policy{}
	policyFor := func(spec string) *Policy {
		if policies[spec] == nil {
			policies[spec] = foldTestPolicy(t, spec)
		}
		return policies[spec]
	}
	for _, r := range recs {
		for spec, raw := range r.Fold {
			c := counts[spec]
			if c == nil {
				c = &count{}
				counts[spec] = c
			}
			var want string
			var got string
			key := foldCaseKey(spec, r.Name, r.Value)
			if err := json.Unmarshal(raw, &want); err != nil {
				// Python raised: foldBinaryChecked must report the same
				// exception class.
				var pyErr struct{ Error string }
				if err := json.Unmarshal(raw, &pyErr); err != nil {
					t.Fatal(err)
				}
				c.pyErr++
				want, _, _ = strings.Cut(pyErr.Error, ":")
				_, err := policyFor(spec).foldBinaryChecked(r.Name, r.Value)
				var foldErr *HeaderFoldError
				if errors.As(err, &foldErr) {
					got = foldErr.PythonError
				} else {
					got = fmt.Sprintf("no error (%v)", err)
				}
			} else {
				want = latin1Bytes(t, want)
				got = policyFor(spec).foldBinary(r.Name, r.Value)
			}
			if got == want {
				c.pass++
				if known[key] && os.Getenv("FOLD_WRITE_KNOWN") == "" {
					t.Errorf("listed as known failure but now passes: %q\n(remove it from testdata/fold-known-failures.txt)", key)
				}
				continue
			}
			c.fail++
			failing = append(failing, key)
			if os.Getenv("FOLD_SHOW") != "" && strings.EqualFold(os.Getenv("FOLD_SHOW"), r.Name) {
				t.Logf("%s: foldBinary(%q, %q)\n got %q\nwant %q", spec, r.Name, r.Value, got, want)
			}
			if !known[key] && os.Getenv("FOLD_WRITE_KNOWN") == "" {
				unexpected++
				if unexpected <= 20 {
					t.Errorf("%s: foldBinary(%q, %q)\n got %q\nwant %q", spec, r.Name, r.Value, got, want)
				}
			}
		}
	}
	if unexpected > 20 {
		t.Errorf("... %d unexpected failures in all", unexpected)
	}
	specs := make([]string, 0, len(counts))
	for s := range counts {
		specs = append(specs, s)
	}
	sort.Strings(specs)
	total, passed := 0, 0
	for _, s := range specs {
		c := counts[s]
		t.Logf("%-45s %5d/%5d match Python (%d where Python raised)", s, c.pass, c.pass+c.fail, c.pyErr)
		total += c.pass + c.fail
		passed += c.pass
	}
	t.Logf("fold_binary: %d/%d match Python", passed, total)
	if os.Getenv("FOLD_WRITE_KNOWN") != "" {
		sort.Strings(failing)
		out := "# (policy spec, header name, sha256 of value [:8]) where foldBinary still differs from Python.\n" +
			"# The test fails when one of these starts to pass; regenerate with FOLD_WRITE_KNOWN=1.\n" +
			strings.Join(failing, "\n") + "\n"
		if err := os.WriteFile(filepath.Join("testdata", "fold-known-failures.txt"), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Println("wrote", len(failing), "known failures")
	}
}

// BenchmarkFoldBinary folds every corpus header (fold-golden.jsonl) under
// policies that take each code path: compat32, EmailPolicy without
// refolding, and refolding everything.
func BenchmarkFoldBinary(b *testing.B) {
	recs := loadFoldGoldenFile(b, filepath.Join("testdata", "fold-golden.jsonl.gz"))
	size := 0
	for _, r := range recs {
		size += len(r.Name) + len(r.Value)
	}
	for _, spec := range []string{"compat32", "default", "default,refold_source=none", "default,refold_source=all", "default,max_line_length=40"} {
		p := foldTestPolicy(b, spec)
		b.Run(spec, func(b *testing.B) {
			b.SetBytes(int64(size))
			for i := 0; i < b.N; i++ {
				for _, r := range recs {
					p.foldBinary(r.Name, r.Value)
				}
			}
		})
	}
}

// TestFoldBinaryExamples shows, on a few readable cases, what each
// folding path does. The expected values are Python 3.11.7's
// policy.fold_binary output for the same policy, name and value.
func TestFoldBinaryExamples(t *testing.T) {
	tests := []struct {
		spec, name, value, want string
	}{
		// Compat32: Header.encode splits at "; ", ", " and spaces.
		{"compat32", "Subject",
			"a very long subject line that goes on and on, and then some more; with separators and words that run past the limit",
			"Subject: a very long subject line that goes on and on, and then some more;\n with separators and words that run past the limit\n"},
		// Compat32 under cte_type=7bit: 8-bit bytes become unknown-8bit encoded words.
		{"compat32,cte_type=7bit", "Subject", "caf\xe9 au lait", "Subject: =?unknown-8bit?q?caf=E9_au_lait?=\n"},
		// EmailPolicy, short lines: the source lines rejoined with linesep.
		{"default", "To", "Jane Doe <jane@example.com>,\n Bob <bob@example.com>", "To: Jane Doe <jane@example.com>,\n Bob <bob@example.com>\n"},
		// Refolding decodes encoded words and re-encodes them as UTF-8.
		{"default,refold_source=all", "Subject", "=?iso-8859-1?q?caf=E9?= au lait", "Subject: =?utf-8?q?caf=C3=A9?= au lait\n"},
		// 8-bit bytes under cte_type=7bit force a refold with unknown-8bit.
		{"SMTP,cte_type=7bit", "From", "J\xc3\xb6rg <joerg@example.com>", "From: =?unknown-8bit?q?J=C3=B6rg?= <joerg@example.com>\r\n"},
		// A parameter too long for the line becomes RFC 2231 sections.
		{"default,max_line_length=40", "Content-Type", `application/pdf; name="a rather long file name for a report.pdf"`,
			"Content-Type: application/pdf;\n name*0*=us-ascii''a%20rather%20long%20;\n name*1*=file%20name%20for%20a%20report;\n name*2*=.pdf\n"},
		// Date headers are re-formatted from the parsed date.
		{"default,refold_source=all", "Date", "Tue,  6 Mar 2001 09:29:58 -0800 (PST)", "Date: Tue, 06 Mar 2001 09:29:58 -0800\n"},
		// Text after a valid msg-id is dropped.
		{"default,refold_source=all", "Message-ID", "<1234@example.com> trailing junk", "Message-ID: <1234@example.com> \n"},
	}
	for _, tt := range tests {
		if got := foldTestPolicy(t, tt.spec).foldBinary(tt.name, tt.value); got != tt.want {
			t.Errorf("%s: foldBinary(%q, %q) = %q, want %q", tt.spec, tt.name, tt.value, got, tt.want)
		}
	}
}

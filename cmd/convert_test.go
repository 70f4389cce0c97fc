package cmd

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// Expected outputs are Python's (testdata/policy-expected, written by
// BytesGenerator under each policy).
func TestConvertMatchesPython(t *testing.T) {
	for _, tt := range []struct{ policy, dir, msg string }{
		{"SMTP", "SMTP", "dkimpy/ed25519test.eml"},
		{"default", "default", "dkimpy/message.eml"},
		{"compat32", "compat32", "eml-format/sample.eml"},
	} {
		want, err := os.ReadFile("../testdata/policy-expected/" + tt.dir + "/" + tt.msg)
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runTest(t, nil, "convert", "--policy", tt.policy, "../testdata/corpus/"+tt.msg)
		if code != ExitOK || out != string(want) {
			t.Errorf("convert --policy %s %s = %d (stderr %q), output equal to Python's: %v", tt.policy, tt.msg, code, errOut, out == string(want))
		}
	}
}

func TestConvertStdin(t *testing.T) {
	msg, err := os.ReadFile("../testdata/corpus/dkimpy/ed25519test.eml")
	if err != nil {
		t.Fatal(err)
	}
	ios, in, out, errOut := Test()
	in.Write(msg)
	f := NewFactory(ios)
	f.LookupEnv = func(string) (string, bool) { return "", false }
	// raw,linesep=\r\n: the input bytes with CRLF line endings.
	if code := run(t.Context(), []string{"convert", "--policy", `raw,linesep=\r\n`}, f); code != ExitOK {
		t.Fatalf("convert (stdin) = %d, stderr %q", code, errOut.String())
	}
	want := strings.ReplaceAll(string(msg), "\n", "\r\n")
	if out.String() != want {
		t.Errorf("convert raw,linesep=\\r\\n differs from the input with CRLF")
	}
}

func TestConvertStrictDefectExits6(t *testing.T) {
	// Python's strict policy raises CloseBoundaryNotFoundDefect on this one.
	code, out, errOut := runTest(t, nil, "convert", "--policy", "strict", "../testdata/corpus/enmime/low-quality-bad-final-boundary.eml")
	if code != ExitPartial {
		t.Errorf("convert --policy strict (defective) = %d, want %d", code, ExitPartial)
	}
	if out != "" {
		t.Errorf("stdout = %d bytes, want nothing for a message with a defect", len(out))
	}
	if !strings.Contains(errOut, "CloseBoundaryNotFoundDefect") {
		t.Errorf("stderr = %q, want the defect's name", errOut)
	}
}

func TestConvertBadInput(t *testing.T) {
	code, out, errOut := runTest(t, nil, "convert", "--policy", "default+nosuch", "../testdata/corpus/dkimpy/ed25519test.eml")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, "nosuch") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("convert with a bad policy = %d, stdout %q, stderr %q; want 2 and one line naming the bad part", code, out, errOut)
	}
	code, _, errOut = runTest(t, nil, "convert", "no/such/file.eml")
	if code != ExitUsage || !strings.HasPrefix(errOut, "imapctl: ") {
		t.Errorf("convert of a missing file = %d, stderr %q; want 2", code, errOut)
	}
}

func TestConvertJSONReportsDefects(t *testing.T) {
	// Under default (no raise_on_defect) Python records the defect and writes the message.
	msg := "enmime/low-quality-bad-final-boundary.eml"
	code, out, errOut := runTest(t, nil, "--json", "convert", "--policy", "default", "../testdata/corpus/"+msg)
	want, err := os.ReadFile("../testdata/policy-expected/default/" + msg)
	if err != nil {
		t.Fatal(err)
	}
	if code != ExitOK || out != string(want) {
		t.Errorf("convert --json = %d; output equal to Python's: %v", code, out == string(want))
	}
	var report convertReport
	if err := json.Unmarshal([]byte(errOut), &report); err != nil {
		t.Fatalf("stderr %q: %v", errOut, err)
	}
	if len(report.Defects) == 0 || report.Defects[0].Class != "CloseBoundaryNotFoundDefect" || report.Bytes != int64(len(want)) {
		t.Errorf("report = %+v; want CloseBoundaryNotFoundDefect (as Python's manifest says) and %d bytes", report, len(want))
	}
}

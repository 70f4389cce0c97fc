package policy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestStrictDefectError checks that raise_on_defect gives a typed error
// naming Python's defect class and the part, and writes nothing. The
// defect classes are those Python 3.11 raises for these inputs (see
// testdata/policy-edge/expected/manifest.json).
func TestStrictDefectError(t *testing.T) {
	tests := []struct{ in, defect, part string }{
		{"Subject: x\nnot a header\n", "MissingHeaderBodySeparatorDefect", "message"},
		{" cont\nSubject: x\n\n", "FirstHeaderLineIsContinuationDefect", "message"},
		{"Content-Type: multipart/mixed\n\nx\n", "NoBoundaryInMultipartDefect", "message"},
		{"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n", "CloseBoundaryNotFoundDefect", "message"},
		{"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=c\n\nno start\n--b--\n", "StartBoundaryNotFoundDefect", "part 1"},
	}
	p, _ := NamedPolicy("strict")
	for _, tt := range tests {
		var out bytes.Buffer
		_, err := p.Write(&out, strings.NewReader(tt.in))
		var de *DefectError
		if !errors.As(err, &de) || de.Defect != tt.defect || de.Part != tt.part {
			t.Errorf("Write(%q) = %v, want DefectError %s in %s", tt.in, err, tt.defect, tt.part)
		}
		if out.Len() != 0 {
			t.Errorf("Write(%q) wrote %q despite the defect", tt.in, out.String())
		}
	}
}

// TestReportDefects checks the defect report (for --json): Python's
// msg.walk() order, with the part each defect belongs to.
func TestReportDefects(t *testing.T) {
	in := "From x\nSubject: s\nFrom misplaced\nX: y\n\n" +
		"--not-the-boundary\n"
	p, _ := NamedPolicy("default")
	report, err := p.Write(&bytes.Buffer{}, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Defect{{Part: "message", Class: "MisplacedEnvelopeHeaderDefect"}}
	if !reflect.DeepEqual(report.Defects, want) {
		t.Errorf("Defects = %+v, want %+v", report.Defects, want)
	}

	in = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative\n\nx\n--b\n cont\nA: b\n\ny\n--b--\n"
	report, err = p.Write(&bytes.Buffer{}, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want = []Defect{{"part 1", "NoBoundaryInMultipartDefect"}, {"part 2", "FirstHeaderLineIsContinuationDefect"}}
	if !reflect.DeepEqual(report.Defects, want) {
		t.Errorf("Defects = %+v, want %+v", report.Defects, want)
	}
}

func TestGenerateErrorWritesNothing(t *testing.T) {
	p, _ := ParseSpec("SMTP,cte_type=7bit", nil)
	var out bytes.Buffer
	_, err := p.Write(&out, strings.NewReader("Content-Type: text/plain\n\ncaf\xc3\xa9\n"))
	var ge *GenerateError
	if !errors.As(err, &ge) || !strings.Contains(ge.Reason, "UnicodeEncodeError") {
		t.Fatalf("Write = %v, want a GenerateError like Python's UnicodeEncodeError", err)
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q", out.String())
	}
}

// TestEmptyBoundaryRegenerated checks Python's behaviour for a multipart
// whose boundary parameter is blank: the parser splits on "--" lines, and
// the generator makes a fresh random boundary and rewrites Content-Type
// with it (Message.set_boundary). The expected output is Python 3.11's,
// with its random 19 digits replaced by N.
func TestEmptyBoundaryRegenerated(t *testing.T) {
	in := "Content-Type: multipart/mixed; boundary=\" \"; charset=x\n\n--\n\none\n--\n\ntwo\n-- --\n"
	want := "Content-Type: multipart/mixed;\n boundary=\"===============N==\"; charset=\"x\"\n\n--===============N==\n\none\n--===============N==\n\ntwo\n-- --\n--===============N==--\n"
	digits := regexp.MustCompile(`===============[0-9]{19}==`)
	for _, spec := range []string{"default", "compat32"} {
		p, _ := ParseSpec(spec, nil)
		var out bytes.Buffer
		if _, err := p.Write(&out, strings.NewReader(in)); err != nil {
			t.Fatal(err)
		}
		if got := digits.ReplaceAllString(out.String(), "===============N=="); got != want {
			t.Errorf("%s: wrote %q, want %q", spec, got, want)
		}
		if n := len(digits.FindAllString(out.String(), -1)); n != 4 {
			t.Errorf("%s: boundary appears %d times, want 4", spec, n)
		}
	}
}

// TestDefectErrorDrainsReader checks that after a defect r is at the end
// of the message, as after a success, so a caller reading several
// messages from one stream stays in step.
func TestDefectErrorDrainsReader(t *testing.T) {
	p, _ := NamedPolicy("strict")
	r := strings.NewReader("Subject: x\nnot a header\n" + strings.Repeat("body line\n", 10000))
	if _, err := p.Write(&bytes.Buffer{}, r); err == nil {
		t.Fatal("Write succeeded, want a defect")
	}
	if r.Len() != 0 {
		t.Errorf("%d bytes left unread", r.Len())
	}
}

// TestLimits checks the bounds that keep a parsed message's structure in
// bounded memory.
func TestLimits(t *testing.T) {
	p, _ := NamedPolicy("default")
	const limit = 100
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=b\n\n")
	for i := 0; i < limit; i++ {
		b.WriteString("--b\n\nx\n")
	}
	_, err := parseMessage(strings.NewReader(b.String()), p, &bodyBudget{maxParts: limit})
	var tooMany *TooManyPartsError
	if !errors.As(err, &tooMany) || tooMany.Limit != limit {
		t.Errorf("parsing %d parts with a limit of %d = %v, want TooManyPartsError", limit+1, limit, err)
	}
	if _, err := parseMessage(strings.NewReader(b.String()), p, &bodyBudget{maxParts: limit + 1}); err != nil {
		t.Errorf("parsing %d parts with a limit of %d = %v", limit+1, limit+1, err)
	}

	huge := "Subject: " + strings.Repeat("x", MaxHeaderBytes) + "\n\nbody\n"
	_, err = p.Write(&bytes.Buffer{}, strings.NewReader(huge))
	var tooLong *HeaderTooLongError
	if !errors.As(err, &tooLong) {
		t.Errorf("Write(huge header) = %v, want HeaderTooLongError", err)
	}
}

// TestWriteConcurrent uses one Policy from several goroutines (run with
// -race): a Policy never changes, so the outputs equal sequential ones.
func TestWriteConcurrent(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join(testdataDir, "policy-edge", "messages", "*.eml"))
	p, _ := ParseSpec(`SMTP,cte_type=7bit,mangle_from_=true`, nil)
	want := map[string]string{}
	for _, name := range names {
		data, _ := os.ReadFile(name)
		var out bytes.Buffer
		p.Write(&out, bytes.NewReader(data))
		want[name] = out.String()
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, name := range names {
				data, _ := os.ReadFile(name)
				var out bytes.Buffer
				p.Write(&out, bytes.NewReader(data))
				if out.String() != want[name] {
					t.Errorf("%s: concurrent Write differs", name)
				}
			}
		}()
	}
	wg.Wait()
}

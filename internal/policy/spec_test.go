package policy

import (
	"errors"
	"strings"
	"testing"
)

// TestParseSpecMatchesPython checks attribute values against what
// policy_oracle.py's parse_spec gives in Python 3.11 (values printed by
// python3 and copied here).
func TestParseSpecMatchesPython(t *testing.T) {
	tests := []struct {
		spec          string
		family        Family
		maxLineLength int
		linesep       string
		cteType       string
		raiseOnDefect bool
		mangleFrom    bool
		utf8          bool
		refoldSource  string
	}{
		{"default", FamilyEmail, 78, "\n", "8bit", false, false, false, "long"},
		{"compat32", FamilyCompat32, 78, "\n", "8bit", false, true, false, ""},
		{"SMTP", FamilyEmail, 78, "\r\n", "8bit", false, false, false, "long"},
		{"SMTPUTF8", FamilyEmail, 78, "\r\n", "8bit", false, false, true, "long"},
		{"HTTP", FamilyEmail, 0, "\r\n", "8bit", false, false, false, "long"},
		{"strict", FamilyEmail, 78, "\n", "8bit", true, false, false, "long"},
		{"smtp", FamilyEmail, 78, "\r\n", "8bit", false, false, false, "long"},
		{"http", FamilyEmail, 0, "\r\n", "8bit", false, false, false, "long"},
		{"smtputf8", FamilyEmail, 78, "\r\n", "8bit", false, false, true, "long"},
		{"SMTP+strict", FamilyEmail, 78, "\r\n", "8bit", true, false, false, "long"},
		{"SMTP+strict,max_line_length=100", FamilyEmail, 100, "\r\n", "8bit", true, false, false, "long"},
		{"default,linesep=\\r\\n,refold_source=all", FamilyEmail, 78, "\r\n", "8bit", false, false, false, "all"},
		{"compat32+SMTP", FamilyCompat32, 78, "\r\n", "8bit", false, true, false, ""},
		{"SMTP+compat32", FamilyEmail, 78, "\r\n", "8bit", false, false, false, "long"},
		{"HTTP+default", FamilyEmail, 0, "\r\n", "8bit", false, false, false, "long"},
		{"default,max_line_length=40", FamilyEmail, 40, "\n", "8bit", false, false, false, "long"},
		{"default,max_line_length=none", FamilyEmail, 0, "\n", "8bit", false, false, false, "long"},
		{"SMTP,cte_type=7bit", FamilyEmail, 78, "\r\n", "7bit", false, false, false, "long"},
		{"compat32,mangle_from_=true", FamilyCompat32, 78, "\n", "8bit", false, true, false, ""},
		{"default,mangle_from_=yes", FamilyEmail, 78, "\n", "8bit", false, true, false, "long"},
		{"default,linesep=CRLF", FamilyEmail, 78, "\r\n", "8bit", false, false, false, "long"},
		{"default,linesep=cr", FamilyEmail, 78, "\r", "8bit", false, false, false, "long"},
		{"default,utf8=on,raise_on_defect=1", FamilyEmail, 78, "\n", "8bit", true, false, true, "long"},
		{" default , max_line_length = 7 ,", FamilyEmail, 7, "\n", "8bit", false, false, false, "long"},
		{"strict+HTTP", FamilyEmail, 0, "\r\n", "8bit", true, false, false, "long"},
	}
	for _, tt := range tests {
		p, err := ParseSpec(tt.spec, nil)
		if err != nil {
			t.Errorf("ParseSpec(%q) = %v", tt.spec, err)
			continue
		}
		got := Policy{Family: p.Family, MaxLineLength: p.MaxLineLength, Linesep: p.Linesep, CTEType: p.CTEType,
			RaiseOnDefect: p.RaiseOnDefect, MangleFrom: p.MangleFrom, UTF8: p.UTF8, RefoldSource: p.RefoldSource}
		want := Policy{Family: tt.family, MaxLineLength: tt.maxLineLength, Linesep: tt.linesep, CTEType: tt.cteType,
			RaiseOnDefect: tt.raiseOnDefect, MangleFrom: tt.mangleFrom, UTF8: tt.utf8, RefoldSource: tt.refoldSource}
		if got != want {
			t.Errorf("ParseSpec(%q) = %+v, want %+v", tt.spec, got, want)
		}
		// String must read back to the same values.
		back, err := ParseSpec(p.String(), nil)
		if err != nil || !back.sameValues(p) {
			t.Errorf("ParseSpec(%q).String() = %q, which reads back as %+v, %v", tt.spec, p.String(), back, err)
		}
	}
}

// TestParseSpecErrors checks that every spec Python's parse_spec rejects
// is rejected, and that the error names the bad part.
func TestParseSpecErrors(t *testing.T) {
	tests := []struct{ spec, part string }{
		{"compat32,utf8=true", "utf8"},
		{"compat32,refold_source=all", "refold_source"},
		{"compat32+SMTPUTF8", "utf8"},
		{"bogus", "bogus"},
		{"default,foo=1", "foo"},
		{"default,linesep=x", "linesep=x"},
		{"default,max_line_length=abc", "max_line_length=abc"},
		{"default,cte_type=9bit", "cte_type=9bit"},
		{"", `""`},
		{"default,utf8", "utf8"},
		{"default,utf8=maybe", "utf8=maybe"},
		{"default+raw", "raw"},
		{"raw,max_line_length=10", "max_line_length=10"},
		{"raw+strict", "raise_on_defect"},
	}
	for _, tt := range tests {
		p, err := ParseSpec(tt.spec, nil)
		if err == nil {
			t.Errorf("ParseSpec(%q) = %v, want an error", tt.spec, p)
			continue
		}
		var se *SpecError
		if !errors.As(err, &se) {
			t.Errorf("ParseSpec(%q) error %T is not a *SpecError", tt.spec, err)
		}
		if !strings.Contains(err.Error(), tt.part) {
			t.Errorf("ParseSpec(%q) = %q, want it to name %q", tt.spec, err, tt.part)
		}
	}
}

func TestRawSpec(t *testing.T) {
	for spec, sep := range map[string]string{"raw": "\n", `raw,linesep=\r\n`: "\r\n", "raw,linesep=CR": "\r", "raw+SMTP": "\r\n"} {
		p, err := ParseSpec(spec, nil)
		if err != nil || !p.IsRaw() || p.Linesep != sep {
			t.Errorf("ParseSpec(%q) = %+v, %v; want raw with linesep %q", spec, p, err, sep)
		}
	}
}

// TestAddLaterExplicitWins mirrors Python: policy100 + policy80 has 80, and
// an attribute the right operand did not set explicitly does not override.
func TestAddLaterExplicitWins(t *testing.T) {
	named := map[string]string{"p100": "default,max_line_length=100", "p80": "default,max_line_length=80", "crlf": "p100,linesep=CRLF"}
	p, err := ParseSpec("p100+p80", named)
	if err != nil || p.MaxLineLength != 80 {
		t.Fatalf("p100+p80 = %+v, %v; want max_line_length 80", p, err)
	}
	p, err = ParseSpec("HTTP+default", named)
	if err != nil || p.MaxLineLength != 0 || p.Linesep != "\r\n" {
		t.Fatalf("HTTP+default = %+v, %v; want HTTP's values", p, err)
	}
	p, err = ParseSpec("p80+crlf", named)
	if err != nil || p.MaxLineLength != 100 || p.Linesep != "\r\n" {
		t.Fatalf("p80+crlf = %+v, %v; want 100 and CRLF", p, err)
	}
	if _, err := ParseSpec("loop", map[string]string{"loop": "loop"}); err == nil {
		t.Fatal("a self-referencing named policy parsed")
	}
}

func TestCloneDoesNotChangeOriginal(t *testing.T) {
	p, _ := NamedPolicy("SMTP")
	q, err := p.Clone(Override{"max_line_length", "120"}, Override{"cte_type", "7bit"})
	if err != nil {
		t.Fatal(err)
	}
	if p.MaxLineLength != 78 || p.CTEType != "8bit" || q.MaxLineLength != 120 || q.CTEType != "7bit" || q.Linesep != "\r\n" {
		t.Fatalf("Clone: original %+v, clone %+v", p, q)
	}
	if got := q.String(); got != `default,linesep=\r\n,cte_type=7bit,max_line_length=120` && !strings.Contains(got, "max_line_length=120") {
		t.Errorf("String() = %q", got)
	}
}

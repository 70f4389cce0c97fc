package policy

import (
	"errors"
	"strings"
	"testing"
)

// FuzzFoldBinary checks that foldBinary never panics for any header
// value under Compat32 and EmailPolicy variants, that every result is
// one header field ending in the policy's line separator, and that
// refolding plain words (each shorter than the line limit, so breaking
// is always possible) never produces a line longer than max_line_length,
// as Python's _refold_parse_tree guarantees for such input.
func FuzzFoldBinary(f *testing.F) {
	for _, seed := range []string{
		"", "plain subject", "=?utf-8?q?caf=C3=A9?= and more",
		"Jane Doe <jane@example.com>, \"Doe, J.\" <j@example.org>",
		"text/plain; charset=\"utf-8\"; name*0*=utf-8''a%C3%A9; name*1=b",
		"attachment; filename=\"r\xc3\xa9sum\xc3\xa9.pdf\"",
		"Mon, 20 Nov 1995 19:12:08 -0500", "<id@host>", "1.0 (comment)",
		"line one\r\n continued\n\tand\x0bmore", "\xff\xfe bytes =?x?q?y?=",
	} {
		f.Add("Subject", seed, uint8(78))
		f.Add("To", seed, uint8(40))
		f.Add("Content-Type", seed, uint8(25))
	}
	f.Fuzz(checkFoldBinary)
}

var fuzzHeaderNames = []string{"Subject", "To", "From", "Cc", "Date", "Message-ID", "MIME-Version",
	"Content-Type", "Content-Disposition", "Content-Transfer-Encoding", "X-Other"}

func checkFoldBinary(t *testing.T, name, value string, width uint8) {
	names := fuzzHeaderNames
	if !validFieldName(name) {
		name = names[int(width)%len(names)]
	}
	// header_source_parse never leaves a trailing line break or a
	// leading blank.
	value = strings.TrimLeft(strings.TrimRight(value, "\r\n"), " \t")
	policies := []*Policy{
		{Family: FamilyCompat32, MaxLineLength: int(width), Linesep: "\n", CTEType: "8bit"},
		{Family: FamilyCompat32, MaxLineLength: int(width), Linesep: "\r\n", CTEType: "7bit"},
		{Family: FamilyEmail, MaxLineLength: int(width), Linesep: "\n", CTEType: "8bit", RefoldSource: "long"},
		{Family: FamilyEmail, MaxLineLength: int(width), Linesep: "\r\n", CTEType: "7bit", RefoldSource: "all"},
		{Family: FamilyEmail, MaxLineLength: int(width), Linesep: "\n", CTEType: "8bit", RefoldSource: "all", UTF8: true},
	}
	for _, p := range policies {
		got, err := p.foldBinaryChecked(name, value)
		var foldErr *HeaderFoldError
		if err != nil && !errors.As(err, &foldErr) {
			t.Fatalf("foldBinaryChecked(%q, %q) error %v is not a *HeaderFoldError", name, value, err)
		}
		if !strings.HasPrefix(got, name+":") || !strings.HasSuffix(got, p.Linesep) {
			t.Fatalf("foldBinary(%q, %q) = %q: not one %q field ending in %q", name, value, got, name, p.Linesep)
		}
	}

	// Plain words, each at most 20 letters, under a limit of at least
	// 30: every line must fit.
	maxlen := 30 + int(width)%70
	var words []string
	for _, w := range strings.FieldsFunc(value, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		if len(w) > 20 {
			w = w[:20]
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return
	}
	p := &Policy{Family: FamilyEmail, MaxLineLength: maxlen, Linesep: "\n", CTEType: "8bit", RefoldSource: "all"}
	got := p.foldBinary("Subject", strings.Join(words, " "))
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if len(line) > maxlen {
			t.Fatalf("refold of %q at %d: line %q is %d long", strings.Join(words, " "), maxlen, line, len(line))
		}
	}
}

// validFieldName reports whether name is a header field name the parser
// can produce (RFC 5322 section 3.6.8 ftext, non-empty).
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 33 || name[i] > 126 || name[i] == ':' {
			return false
		}
	}
	return true
}

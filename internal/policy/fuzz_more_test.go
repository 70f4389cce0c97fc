package policy

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseSpec feeds arbitrary --policy specs, with config-defined names
// that may refer to each other (or to themselves): ParseSpec must not
// panic or loop, and an accepted spec's canonical form (Policy.String)
// must parse back to the same attribute values, with a line separator
// that is one of the three allowed and a policy that can write a message.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{
		"default", "raw", `raw,linesep=\r\n`, "SMTP+strict,max_line_length=100", "compat32+SMTP",
		" default , max_line_length = 7 ,", "mine", "loop", "default,linesep=CRLF", "strict,utf8=on,raise_on_defect=1",
		"raw+default", "default,max_line_length=-1", "default,max_line_length=99999999999999999999", "default,linesep=\\x",
		"default,cte_type=7bit,refold_source=all,mangle_from_=yes", ",", "+", "default,=", "HTTP+raw",
	} {
		f.Add(s, "SMTP,utf8=yes", "loop")
	}
	msg := []byte("From: a@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?= a long subject that will have to be folded somewhere near here\r\n\r\nFrom the start\r\nbody\n")
	f.Fuzz(func(t *testing.T, spec, mine, loop string) {
		named := map[string]string{"mine": mine, "loop": loop}
		p, err := ParseSpec(spec, named)
		if err != nil {
			if _, ok := err.(*SpecError); !ok && !strings.Contains(err.Error(), "policy") {
				t.Fatalf("ParseSpec(%q) = %v: an error that does not name the policy", spec, err)
			}
			return
		}
		switch p.Linesep {
		case "\n", "\r\n", "\r":
		default:
			t.Fatalf("ParseSpec(%q): linesep %q", spec, p.Linesep)
		}
		if p.MaxLineLength < 0 {
			t.Fatalf("ParseSpec(%q): max_line_length %d", spec, p.MaxLineLength)
		}
		canon := p.String()
		q, err := ParseSpec(canon, nil)
		if err != nil {
			t.Fatalf("ParseSpec(%q) = %q, which does not parse back: %v", spec, canon, err)
		}
		if !p.sameValues(q) {
			t.Fatalf("ParseSpec(%q) = %q, which parses back to %q", spec, canon, q.String())
		}
		var out bytes.Buffer
		if _, err := p.Write(&out, bytes.NewReader(msg)); err != nil && p.IsRaw() {
			t.Fatalf("%q: Write = %v", canon, err)
		}
	})
}

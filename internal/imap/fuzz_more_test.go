package imap

import (
	"strings"
	"testing"
)

// FuzzParseNumSet parses arbitrary user input as a sequence set and a UID
// set (RFC 3501 §9 sequence-set): accepted input renders (String) in wire
// syntax only — digits, ':', ',' and '*', so nothing else can reach the
// command line — and that rendering parses back to the same set, with
// membership agreeing with the input's own ranges.
func FuzzParseNumSet(f *testing.F) {
	for _, s := range []string{"1", "1:*", "*", "*:5", "1,2,3", "5:1", "4294967295", "4294967296", "0", "01", "1:", ":1", ",", "1,,2", "1 2", "1\r\nA1 LOGOUT", "+1", "-1", "1:2:3", "१"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, uid bool) {
		parse := ParseSeqSet
		if uid {
			parse = ParseUIDSet
		}
		set, err := parse(s)
		if err != nil {
			if !set.IsEmpty() {
				t.Fatalf("parse(%q) failed (%v) but returned %v", s, err, set)
			}
			return
		}
		if set.IsEmpty() || set.UID != uid {
			t.Fatalf("parse(%q) = %+v", s, set)
		}
		wire := set.String()
		if wire == "" || strings.Trim(wire, "0123456789:,*") != "" {
			t.Fatalf("parse(%q) renders as %q", s, wire)
		}
		back, err := parse(wire)
		if err != nil || back.String() != wire {
			t.Fatalf("parse(%q) renders as %q, which parses back to %q, %v", s, wire, back.String(), err)
		}
		// Every number the input names explicitly is in the set.
		for _, part := range strings.Split(s, ",") {
			for _, n := range strings.Split(part, ":") {
				if n == "*" {
					continue
				}
				v, err := parseSeqNumber(n)
				if err != nil || !set.Contains(v) {
					t.Fatalf("parse(%q) = %q: does not contain %s", s, wire, n)
				}
			}
		}
		// Split for several command lines, the parts are the set in
		// order, each within the limit unless it is a single range.
		limit := 1 + len(s)%23
		var joined []string
		for _, part := range set.parts(limit) {
			p := part.String()
			if part.UID != uid || p == "" || (len(p) > limit && len(part.Ranges) > 1) {
				t.Fatalf("parse(%q).parts(%d) has part %q (UID %v)", s, limit, p, part.UID)
			}
			joined = append(joined, p)
		}
		if strings.Join(joined, ",") != wire {
			t.Fatalf("parse(%q).parts(%d) = %q, want the parts of %q", s, limit, joined, wire)
		}
	})
}

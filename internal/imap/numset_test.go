package imap

import (
	"strings"
	"testing"
)

func TestNumSetContainsUpTo(t *testing.T) {
	// RFC 3501 §9: "*" is the largest number in use, and "n:m" is the same
	// as "m:n"; §6.4.8: with UIDs up to 3 (largest 3), "10:*" is "3:10"
	// and so takes in UID 3.
	tests := []struct {
		set     string
		n       uint32
		largest uint32
		want    bool
	}{
		{"10:*", 3, 3, true},
		{"10:*", 2, 3, false},
		{"10:*", 10, 12, true},
		{"10:*", 12, 12, true},
		{"10:*", 9, 12, false},
		{"*", 3, 3, true},
		{"*", 2, 3, false},
		{"*:4", 3, 3, true},
		{"*:4", 4, 6, true},
		{"*:4", 3, 6, false},
		{"1:5", 5, 3, true},
		{"1,3:*", 2, 7, false},
		{"1,3:*", 7, 7, true},
		// largest 0 is not known: "*" stays unbounded.
		{"10:*", 3, 0, false},
		{"10:*", 4000000000, 0, true},
	}
	for _, tc := range tests {
		set, err := ParseUIDSet(tc.set)
		if err != nil {
			t.Fatal(err)
		}
		if got := set.ContainsUpTo(tc.n, tc.largest); got != tc.want {
			t.Errorf("%s.ContainsUpTo(%d, largest %d) = %v, want %v", tc.set, tc.n, tc.largest, got, tc.want)
		}
	}
}

func TestTranscriptFetchStarBelowStart(t *testing.T) {
	// Three messages: FETCH 10:* means 3:10 (RFC 3501 §9), and the server
	// answers for message 3. That answer is the result, not a unilateral
	// FETCH.
	c := dialScript(t, greeting+`C: A0 SELECT INBOX
S: * 3 EXISTS
S: * OK [UIDVALIDITY 42] ok
S: A0 OK [READ-WRITE] done
C: A1 FETCH 10:* (FLAGS)
S: * 3 FETCH (FLAGS (\Seen))
S: A1 OK done
C: A2 STORE 10:* +FLAGS (\Flagged)
S: * 3 FETCH (FLAGS (\Seen \Flagged))
S: A2 OK done
`)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	set, _ := ParseSeqSet("10:*")
	var got []uint32
	if err := c.Fetch(ctx, set, &FetchOptions{Flags: true}, func(m *FetchMessage) error {
		got = append(got, m.SeqNum)
		return nil
	}); err != nil || len(got) != 1 || got[0] != 3 {
		t.Errorf("Fetch(10:*) with 3 messages = %v, %v; want message 3", got, err)
	}
	res, err := c.Store(ctx, set, StoreAdd, []string{`\Flagged`}, nil)
	if err != nil || len(res.Messages) != 1 || res.Messages[0].SeqNum != 3 {
		t.Errorf("Store(10:*) with 3 messages = %+v, %v; want message 3's flags", res, err)
	}
}

func TestNumSetParts(t *testing.T) {
	tests := []struct {
		set      string
		maxBytes int
		want     []string
	}{
		{"1:*", 10, []string{"1:*"}},
		{"1,3,5,7,9", 9, []string{"1,3,5,7,9"}},
		{"1,3,5,7,9", 8, []string{"1,3,5,7", "9"}},
		{"1,3,5,7,9", 3, []string{"1,3", "5,7", "9"}},
		// A range longer than maxBytes travels alone: it cannot be split.
		{"1,100000:200000,5,*", 4, []string{"1", "100000:200000", "5,*"}},
		{"10,12,14:*", 5, []string{"10,12", "14:*"}},
	}
	for _, tc := range tests {
		set, err := ParseUIDSet(tc.set)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, part := range set.parts(tc.maxBytes) {
			if !part.UID {
				t.Errorf("parts(%q) lost the UID form", tc.set)
			}
			got = append(got, part.String())
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q.parts(%d) = %q, want %q", tc.set, tc.maxBytes, got, tc.want)
		}
	}
}

package cmd

import (
	"reflect"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestSearchFlagsCriteria(t *testing.T) {
	sf := SearchFlags{From: "alice", Since: "2024-01-05", Before: "2024-12-31", Unseen: true, Larger: "10k", Subject: "café"}
	got, err := sf.criteria(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &imap.SearchCriteria{From: []string{"alice"}, Subject: []string{"café"}, Since: date(2024, 1, 5),
		Before: date(2024, 12, 31), NotFlag: []string{`\Seen`}, Larger: new(uint32(10240))}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("criteria = %+v, want %+v", got, want)
	}
}

func TestParseSearchKeys(t *testing.T) {
	uid := imap.NumSet{Ranges: []imap.NumRange{{Start: 1, Stop: 10}}, UID: true}
	tests := []struct {
		args []string
		want imap.SearchCriteria
	}{
		{[]string{"FROM", "alice", "SINCE", "1-Jan-2024", "UNSEEN"},
			imap.SearchCriteria{From: []string{"alice"}, Since: date(2024, 1, 1), NotFlag: []string{`\Seen`}}},
		{[]string{"or", "from", "a", "(to", "b", "flagged)"},
			imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{From: []string{"a"}}, {Not: []imap.SearchCriteria{{Not: []imap.SearchCriteria{{To: []string{"b"}, Flag: []string{`\Flagged`}}}}}}}}}},
		{[]string{"NOT", "DELETED", "UID", "1:10", "HEADER", "X-Spam", "yes", "KEYWORD", "$Label1"},
			imap.SearchCriteria{Not: []imap.SearchCriteria{{Flag: []string{`\Deleted`}}}, UID: &uid, Header: [][2]string{{"X-Spam", "yes"}}, Flag: []string{"$Label1"}}},
		{[]string{"SINCE", "2024-01-01", "SINCE", "2024-02-01"},
			imap.SearchCriteria{Since: date(2024, 1, 1), Not: []imap.SearchCriteria{{Not: []imap.SearchCriteria{{Since: date(2024, 2, 1)}}}}}},
	}
	for _, tt := range tests {
		got, err := parseSearchKeys(tt.args)
		if err != nil {
			t.Errorf("parseSearchKeys(%q) = %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("parseSearchKeys(%q) = %+v, want %+v", tt.args, *got, tt.want)
		}
	}
}

func TestSearchBadInput(t *testing.T) {
	for _, sf := range []SearchFlags{{Since: "01/05/2024"}, {Before: "2024-13-01"}, {Larger: "big"}, {Smaller: "-1"}, {Larger: "5G"}} {
		if _, err := sf.criteria(nil); err == nil {
			t.Errorf("criteria(%+v) = nil error, want usage error", sf)
		} else if _, ok := err.(*UsageError); !ok {
			t.Errorf("criteria(%+v) = %T, want *UsageError", sf, err)
		}
	}
	for _, args := range [][]string{{"FROM"}, {"FRUM", "x"}, {"(", "SEEN"}, {"SEEN", ")"}, {"UID", "1:x"}, {"SINCE", "yesterday"}, {"OR", "SEEN"}} {
		if _, err := parseSearchKeys(args); err == nil {
			t.Errorf("parseSearchKeys(%q) = nil error", args)
		} else if _, ok := err.(*UsageError); !ok {
			t.Errorf("parseSearchKeys(%q) = %T %v, want *UsageError", args, err, err)
		}
	}
}

func TestSplitCriteria(t *testing.T) {
	got, err := splitCriteria(`FROM "Ann \"A\" Lee"  UNSEEN SUBJECT ""`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"FROM", `Ann "A" Lee`, "UNSEEN", "SUBJECT", ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitCriteria = %q, want %q", got, want)
	}
	if _, err := splitCriteria(`FROM "open`); err == nil {
		t.Error("splitCriteria(unterminated) = nil error")
	}
}

// TestParseSearchKeysValuesKeepParentheses: parentheses are split off
// only where a key is expected; a key's argument is taken whole (RFC 3501
// §6.4.4 SUBJECT <string>), so "(no subject)" is a subject, not a group.
func TestParseSearchKeysValuesKeepParentheses(t *testing.T) {
	tests := []struct {
		args []string
		want imap.SearchCriteria
	}{
		{[]string{"SUBJECT", "(no subject)"}, imap.SearchCriteria{Subject: []string{"(no subject)"}}},
		{[]string{"SUBJECT", "(1"}, imap.SearchCriteria{Subject: []string{"(1"}}},
		{[]string{"SUBJECT", "PEP 394)"}, imap.SearchCriteria{Subject: []string{"PEP 394)"}}},
		{[]string{"SUBJECT", "", "SEEN"}, imap.SearchCriteria{Subject: []string{""}, Flag: []string{`\Seen`}}},
		{[]string{"HEADER", "(X", "y)"}, imap.SearchCriteria{Header: [][2]string{{"(X", "y)"}}}},
		{[]string{"(FROM", ")", ")"}, imap.SearchCriteria{Not: []imap.SearchCriteria{{Not: []imap.SearchCriteria{{From: []string{")"}}}}}}},
	}
	for _, tt := range tests {
		got, err := parseSearchKeys(tt.args)
		if err != nil {
			t.Errorf("parseSearchKeys(%q) = %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("parseSearchKeys(%q) = %+v, want %+v", tt.args, *got, tt.want)
		}
	}
	for _, args := range [][]string{{"(FROM)", "alice"}, {""}, {"(SUBJECT", "x)"}} {
		if _, err := parseSearchKeys(args); err == nil {
			t.Errorf("parseSearchKeys(%q) = nil error, want a usage error", args)
		}
	}
}

// TestSplitCriteriaParentheses: in a --search string, parentheses outside
// quotes are tokens of their own, as in IMAP (RFC 3501 §9); inside quotes
// they belong to the value.
func TestSplitCriteriaParentheses(t *testing.T) {
	got, err := splitCriteria(`(OR SUBJECT "(no subject)" FROM "Ann Lee")NOT(SEEN)`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"(", "OR", "SUBJECT", "(no subject)", "FROM", "Ann Lee", ")", "NOT", "(", "SEEN", ")"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitCriteria = %q, want %q", got, want)
	}
}

package cmd

import (
	"reflect"
	"testing"
)

func TestSearchFlagsCriteria(t *testing.T) {
	sf := SearchFlags{From: "alice", Since: "2024-01-05", Before: "2024-12-31", Unseen: true, Larger: "10k", Subject: "café"}
	got, err := sf.criteria([]string{"NOT", "DELETED"})
	if err != nil {
		t.Fatal(err)
	}
	// RFC 3501 §9: date = date-day "-" date-month "-" date-year, e.g. 5-Jan-2024.
	want := []string{"FROM", "alice", "SUBJECT", "café", "SINCE", "5-Jan-2024", "BEFORE", "31-Dec-2024", "UNSEEN", "LARGER", "10240", "NOT", "DELETED"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("criteria = %q, want %q", got, want)
	}
	if !needsUTF8(got) {
		t.Errorf("needsUTF8(%q) = false, want true", got)
	}
	if needsUTF8([]string{"FROM", "alice"}) {
		t.Errorf("needsUTF8(ASCII) = true")
	}
}

func TestSearchFlagsBadInput(t *testing.T) {
	for _, sf := range []SearchFlags{{Since: "01/05/2024"}, {Before: "2024-13-01"}, {Larger: "big"}, {Smaller: "-1"}, {Larger: "5G"}} {
		if _, err := sf.criteria(nil); err == nil {
			t.Errorf("criteria(%+v) = nil error, want usage error", sf)
		} else if _, ok := err.(*UsageError); !ok {
			t.Errorf("criteria(%+v) = %T, want *UsageError", sf, err)
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

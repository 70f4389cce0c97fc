package cmd

import (
	"testing"

	"github.com/imapctl/imapctl/internal/imap"
)

func TestNewNumRunsFromSet(t *testing.T) {
	set, err := imap.ParseUIDSet("9:7,1,2:3,5,20:21")
	if err != nil {
		t.Fatal(err)
	}
	s := newNumRuns(set)
	var got []uint32
	s.Each(func(n uint32) { got = append(got, n) })
	want := []uint32{1, 2, 3, 5, 7, 8, 9, 20, 21}
	if len(got) != len(want) {
		t.Fatalf("numbers = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("numbers = %v, want %v", got, want)
		}
	}
	if s.Runs() != 4 {
		t.Fatalf("%d runs, want 4 (1:3 5 7:9 20:21)", s.Runs())
	}
	if finiteSet(imap.AllUID()) || !finiteSet(set) {
		t.Fatal("finiteSet wrong")
	}
}

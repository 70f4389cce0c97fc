package cmd

import (
	"math/rand"
	"testing"

	"github.com/imapctl/imapctl/internal/imap"
)

// A whole mailbox of ascending UIDs is one run, however many there are:
// what fetch keeps per run does not grow with the mailbox.
func TestNumRunsAscendingStaysOneRun(t *testing.T) {
	var s numRuns
	for uid := uint32(1); uid <= 100000; uid++ {
		if !s.Add(uid) {
			t.Fatalf("Add(%d) reported a duplicate", uid)
		}
	}
	if len(s.runs) != 1 || s.Len() != 100000 {
		t.Fatalf("runs = %d, len = %d; want 1 run of 100000", len(s.runs), s.Len())
	}
	if s.Add(500) {
		t.Fatal("Add(500) again reported new")
	}
	// UIDs with gaps (expunged messages): one run per gap, not per UID.
	var g numRuns
	for uid := uint32(1); uid <= 100000; uid++ {
		if uid%1000 != 0 {
			g.Add(uid)
		}
	}
	if len(g.runs) != 100 {
		t.Fatalf("runs = %d, want 100 (one per gap)", len(g.runs))
	}
}

// numRuns agrees with a map on random insertions in any order.
func TestNumRunsMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var s numRuns
	m := map[uint32]bool{}
	for i := 0; i < 5000; i++ {
		n := uint32(rng.Intn(300)) + 1
		if got, want := s.Add(n), !m[n]; got != want {
			t.Fatalf("Add(%d) = %v, want %v", n, got, want)
		}
		m[n] = true
	}
	for n := uint32(0); n <= 302; n++ {
		if s.Contains(n) != m[n] {
			t.Fatalf("Contains(%d) = %v, want %v", n, s.Contains(n), m[n])
		}
	}
	for i := 1; i < len(s.runs); i++ {
		if s.runs[i-1].hi+1 >= s.runs[i].lo {
			t.Fatalf("runs %v and %v overlap or touch", s.runs[i-1], s.runs[i])
		}
	}
	if s.Len() != len(m) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(m))
	}
	// The ends of the number space do not wrap.
	var e numRuns
	e.Add(^uint32(0))
	e.Add(1)
	e.Add(^uint32(0) - 1)
	if e.Len() != 3 || len(e.runs) != 2 || e.Contains(0) {
		t.Fatalf("edge runs = %v", e.runs)
	}
}

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
	if len(s.runs) != 4 {
		t.Fatalf("runs = %v, want 1:3 5 7:9 20:21", s.runs)
	}
	if finiteSet(imap.AllUID()) || !finiteSet(set) {
		t.Fatal("finiteSet wrong")
	}
}

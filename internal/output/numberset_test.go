package output

import (
	"math/rand"
	"testing"
)

// A whole mailbox of ascending UIDs is one run, however many there are:
// what fetch keeps per run does not grow with the mailbox.
func TestNumberSetAscendingStaysOneRun(t *testing.T) {
	var s NumberSet
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
	var g NumberSet
	for uid := uint32(1); uid <= 100000; uid++ {
		if uid%1000 != 0 {
			g.Add(uid)
		}
	}
	if len(g.runs) != 100 {
		t.Fatalf("runs = %d, want 100 (one per gap)", len(g.runs))
	}
}

// NumberSet agrees with a map on random insertions in any order.
func TestNumberSetMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var s NumberSet
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
	var e NumberSet
	e.Add(^uint32(0))
	e.Add(1)
	e.Add(^uint32(0) - 1)
	if e.Len() != 3 || len(e.runs) != 2 || e.Contains(0) {
		t.Fatalf("edge runs = %v", e.runs)
	}
}

// Without agrees with a map difference on random sets, including runs
// that reach the top of the number space.
func TestNumberSetWithoutMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for round := 0; round < 300; round++ {
		var a, b NumberSet
		inA, inB := map[uint32]bool{}, map[uint32]bool{}
		base := uint32(1)
		if round%3 == 0 {
			base = ^uint32(0) - 80 // near the top: no wrap
		}
		for i := 0; i < rng.Intn(60); i++ {
			lo := base + uint32(rng.Intn(70))
			hi := lo + uint32(rng.Intn(6))
			if hi < lo {
				hi = ^uint32(0)
			}
			a.AddRange(lo, hi)
			for n := uint64(lo); n <= uint64(hi); n++ {
				inA[uint32(n)] = true
			}
		}
		for i := 0; i < rng.Intn(60); i++ {
			n := base + uint32(rng.Intn(80))
			if n < base {
				continue
			}
			b.Add(n)
			inB[n] = true
		}
		d := a.Without(&b)
		want := 0
		for n := range inA {
			if !inB[n] {
				want++
				if !d.Contains(n) {
					t.Fatalf("round %d: %d in a, not in b, missing from a without b", round, n)
				}
			}
		}
		if d.Len() != want {
			t.Fatalf("round %d: Len = %d, want %d", round, d.Len(), want)
		}
		for i := 1; i < len(d.runs); i++ {
			if d.runs[i-1].hi+1 >= d.runs[i].lo {
				t.Fatalf("round %d: runs %v and %v overlap or touch", round, d.runs[i-1], d.runs[i])
			}
		}
	}
}

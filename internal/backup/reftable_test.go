package backup

import (
	"math/rand/v2"
	"testing"
)

// TestRefTableMatchesMap runs random sets (mostly ascending UIDs, some
// out of order, some again), removals and lookups on a refTable and on a
// map, and checks that they always agree (ascending also yields in UID
// order).
func TestRefTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for round := range 100 {
		var tab refTable[storedRef]
		want := map[uint32]storedRef{}
		next := uint32(1 + rng.IntN(10))
		for op := range rng.IntN(2000) {
			uid := next
			switch rng.IntN(10) {
			case 0, 1: // an existing or earlier UID
				uid = uint32(1 + rng.IntN(int(next)))
			case 2: // removal
				u := uint32(1 + rng.IntN(int(next)))
				tab.remove(u)
				delete(want, u)
				continue
			default:
				next += uint32(1 + rng.IntN(3))
			}
			r := storedRef{file: rng.Uint64(), flags: uint32(rng.IntN(4)), found: rng.IntN(2) == 0}
			tab.set(uid, r)
			want[uid] = r
			if tab.len() != len(want) {
				t.Fatalf("round %d op %d: len = %d, want %d", round, op, tab.len(), len(want))
			}
		}
		for u := uint32(0); u <= next+1; u++ {
			got, ok := tab.get(u)
			w, wok := want[u]
			if ok != wok || got != w {
				t.Fatalf("round %d: get(%d) = %+v, %v; want %+v, %v", round, u, got, ok, w, wok)
			}
		}
		seen := map[uint32]bool{}
		for u, r := range tab.all() {
			if seen[u] || want[u] != r {
				t.Fatalf("round %d: all() yields UID %d (%+v) twice or wrongly (want %+v)", round, u, r, want[u])
			}
			seen[u] = true
		}
		if len(seen) != len(want) {
			t.Fatalf("round %d: all() yields %d UIDs, want %d", round, len(seen), len(want))
		}
		var last uint32
		n := 0
		for u, r := range tab.ascending() {
			if n > 0 && u <= last || want[u] != r {
				t.Fatalf("round %d: ascending() yields UID %d (%+v) after %d or wrongly (want %+v)", round, u, r, last, want[u])
			}
			last = u
			n++
		}
		if n != len(want) {
			t.Fatalf("round %d: ascending() yields %d UIDs, want %d", round, n, len(want))
		}
	}
}

package cmd

import (
	"sort"

	"github.com/imapctl/imapctl/internal/imap"
)

// numRuns is a set of message numbers (UIDs or sequence numbers) kept as
// sorted, disjoint, non-adjacent ranges. Its memory grows with the number
// of gaps between the numbers, not with how many there are: the UIDs of a
// FETCH response arrive mostly ascending (RFC 3501 §2.3.1.1: UIDs are
// strictly ascending in a mailbox), so a whole mailbox is usually one run.
type numRuns struct {
	runs []numRun
}

// numRun is the closed range lo..hi.
type numRun struct{ lo, hi uint32 }

// newNumRuns returns the numbers of a set without "*" as runs.
func newNumRuns(set imap.NumSet) *numRuns {
	s := &numRuns{}
	for _, r := range set.Ranges {
		lo, hi := min(r.Start, r.Stop), max(r.Start, r.Stop)
		s.addRange(lo, hi)
	}
	return s
}

// search returns the index of the first run whose hi is ≥ n.
func (s *numRuns) search(n uint32) int {
	return sort.Search(len(s.runs), func(i int) bool { return s.runs[i].hi >= n })
}

// Contains reports whether n is in the set.
func (s *numRuns) Contains(n uint32) bool {
	i := s.search(n)
	return i < len(s.runs) && s.runs[i].lo <= n
}

// Add puts n into the set and reports whether it was new.
func (s *numRuns) Add(n uint32) bool {
	last := len(s.runs) - 1
	switch {
	case last >= 0 && s.runs[last].hi < ^uint32(0) && s.runs[last].hi+1 == n: // the usual case
		s.runs[last].hi = n
		return true
	case last < 0 || n > s.runs[last].hi:
		s.runs = append(s.runs, numRun{n, n})
		return true
	}
	i := s.search(n)
	if s.runs[i].lo <= n {
		return false
	}
	joinsLeft := i > 0 && s.runs[i-1].hi+1 == n
	joinsRight := s.runs[i].lo-1 == n
	switch {
	case joinsLeft && joinsRight:
		s.runs[i-1].hi = s.runs[i].hi
		s.runs = append(s.runs[:i], s.runs[i+1:]...)
	case joinsLeft:
		s.runs[i-1].hi = n
	case joinsRight:
		s.runs[i].lo = n
	default:
		s.runs = append(s.runs, numRun{})
		copy(s.runs[i+1:], s.runs[i:])
		s.runs[i] = numRun{n, n}
	}
	return true
}

// addRange puts lo..hi (lo ≤ hi) into the set.
func (s *numRuns) addRange(lo, hi uint32) {
	i := s.search(lo)
	if i > 0 && s.runs[i-1].hi < ^uint32(0) && s.runs[i-1].hi+1 == lo {
		i--
	}
	// Runs i..j-1 overlap or touch lo..hi: they merge into one.
	j := i
	for j < len(s.runs) && (s.runs[j].lo <= hi || (hi < ^uint32(0) && s.runs[j].lo == hi+1)) {
		lo, hi = min(lo, s.runs[j].lo), max(hi, s.runs[j].hi)
		j++
	}
	s.runs = append(s.runs[:i], append([]numRun{{lo, hi}}, s.runs[j:]...)...)
}

// Len returns how many numbers the set holds.
func (s *numRuns) Len() int {
	n := 0
	for _, r := range s.runs {
		n += int(r.hi-r.lo) + 1
	}
	return n
}

// Each calls fn with every number of the set in ascending order.
func (s *numRuns) Each(fn func(n uint32)) {
	for _, r := range s.runs {
		for n := r.lo; ; n++ {
			fn(n)
			if n == r.hi {
				break
			}
		}
	}
}

// finiteSet reports whether set names its numbers without "*".
func finiteSet(set imap.NumSet) bool {
	for _, r := range set.Ranges {
		if r.Start == 0 || r.Stop == 0 {
			return false
		}
	}
	return true
}

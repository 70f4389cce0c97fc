package output

import "sort"

// NumberSet is a set of message numbers (UIDs or sequence numbers) kept as
// sorted, disjoint, non-adjacent ranges. Its memory grows with the number
// of gaps between the numbers, not with how many there are: the UIDs of a
// FETCH response arrive mostly ascending (RFC 3501 §2.3.1.1: UIDs are
// strictly ascending in a mailbox), so a whole mailbox is usually one run.
type NumberSet struct {
	runs []numberRun
}

// numberRun is the closed range lo..hi.
type numberRun struct{ lo, hi uint32 }

// search returns the index of the first run whose hi is ≥ n.
func (s *NumberSet) search(n uint32) int {
	return sort.Search(len(s.runs), func(i int) bool { return s.runs[i].hi >= n })
}

// Contains reports whether n is in the set.
func (s *NumberSet) Contains(n uint32) bool {
	i := s.search(n)
	return i < len(s.runs) && s.runs[i].lo <= n
}

// Add puts n into the set and reports whether it was new.
func (s *NumberSet) Add(n uint32) bool {
	last := len(s.runs) - 1
	switch {
	case last >= 0 && s.runs[last].hi < ^uint32(0) && s.runs[last].hi+1 == n: // the usual case
		s.runs[last].hi = n
		return true
	case last < 0 || n > s.runs[last].hi:
		s.runs = append(s.runs, numberRun{n, n})
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
		s.runs = append(s.runs, numberRun{})
		copy(s.runs[i+1:], s.runs[i:])
		s.runs[i] = numberRun{n, n}
	}
	return true
}

// AddRange puts lo..hi (lo ≤ hi) into the set.
func (s *NumberSet) AddRange(lo, hi uint32) {
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
	s.runs = append(s.runs[:i], append([]numberRun{{lo, hi}}, s.runs[j:]...)...)
}

// Len returns how many numbers the set holds.
func (s *NumberSet) Len() int {
	n := 0
	for _, r := range s.runs {
		n += int(r.hi-r.lo) + 1
	}
	return n
}

// Each calls fn with every number of the set in ascending order.
func (s *NumberSet) Each(fn func(n uint32)) {
	for _, r := range s.runs {
		for n := r.lo; ; n++ {
			fn(n)
			if n == r.hi {
				break
			}
		}
	}
}

// EachRun calls fn with every run lo..hi of the set in ascending order.
func (s *NumberSet) EachRun(fn func(lo, hi uint32)) {
	for _, r := range s.runs {
		fn(r.lo, r.hi)
	}
}

// Without returns the numbers of s that are not in other, walking the
// runs of both once.
func (s *NumberSet) Without(other *NumberSet) *NumberSet {
	out := &NumberSet{}
	j := 0
	for _, r := range s.runs {
		next := uint64(r.lo)
		for ; j < len(other.runs) && other.runs[j].lo <= r.hi; j++ {
			o := other.runs[j]
			if uint64(o.hi) < next {
				continue
			}
			if uint64(o.lo) > next {
				out.runs = append(out.runs, numberRun{uint32(next), o.lo - 1})
			}
			next = uint64(o.hi) + 1
			if o.hi > r.hi {
				break // o reaches into the next run of s
			}
		}
		if next <= uint64(r.hi) {
			out.runs = append(out.runs, numberRun{uint32(next), r.hi})
		}
	}
	return out
}

// Runs returns how many runs the set is kept as: what its memory grows
// with.
func (s *NumberSet) Runs() int { return len(s.runs) }

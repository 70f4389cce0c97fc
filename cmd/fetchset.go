package cmd

import (
	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
)

// newNumRuns returns the numbers of a set without "*" as runs.
func newNumRuns(set imap.NumSet) *output.NumberSet {
	s := &output.NumberSet{}
	for _, r := range set.Ranges {
		lo, hi := min(r.Start, r.Stop), max(r.Start, r.Stop)
		s.AddRange(lo, hi)
	}
	return s
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

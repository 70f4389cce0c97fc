package imap

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// NumRange is one element of a sequence set (RFC 3501 §9 "seq-range"):
// Start:Stop, with 0 standing for "*" (the largest number in use).
// A single number has Start == Stop.
type NumRange struct {
	Start, Stop uint32
}

// NumSet is a sequence set (RFC 3501 §9 "sequence-set") of either message
// sequence numbers or UIDs; UID selects the UID form of the commands that
// take it (RFC 3501 §6.4.8).
type NumSet struct {
	Ranges []NumRange
	UID    bool
}

// SeqSetNum returns a set of message sequence numbers.
func SeqSetNum(nums ...uint32) NumSet {
	var s NumSet
	for _, n := range nums {
		s.AddNum(n)
	}
	return s
}

// UIDSetNum returns a set of UIDs.
func UIDSetNum(uids ...uint32) NumSet {
	s := SeqSetNum(uids...)
	s.UID = true
	return s
}

// AllSeq is the set "1:*" of all messages by sequence number.
func AllSeq() NumSet { return NumSet{Ranges: []NumRange{{1, 0}}} }

// AllUID is the set "1:*" of all messages by UID.
func AllUID() NumSet { return NumSet{Ranges: []NumRange{{1, 0}}, UID: true} }

// AddRange adds start:stop (0 = "*").
func (s *NumSet) AddRange(start, stop uint32) {
	s.Ranges = append(s.Ranges, NumRange{start, stop})
}

// AddNum adds n, extending the last range when n follows it, so that
// consecutive numbers travel as "a:b".
func (s *NumSet) AddNum(n uint32) {
	if k := len(s.Ranges); k > 0 {
		last := &s.Ranges[k-1]
		if last.Start != 0 && last.Stop != 0 && last.Start <= last.Stop && n == last.Stop+1 {
			last.Stop = n
			return
		}
	}
	s.AddRange(n, n)
}

// IsEmpty reports whether the set has no elements.
func (s NumSet) IsEmpty() bool { return len(s.Ranges) == 0 }

// Contains reports whether n is in the set; "*" is taken as unbounded.
// That is right only for sets without "*": RFC 3501 §9 makes "10:*" take
// in the last message even when it is below 10. Sets with "*" want
// ContainsUpTo.
func (s NumSet) Contains(n uint32) bool { return s.ContainsUpTo(n, 0) }

// ContainsUpTo reports whether n is in the set in a mailbox whose largest
// number in use (message sequence number or UID, as the set is) is
// largest. "*" stands for largest (RFC 3501 §9 seq-number), and a range
// is the same in either order, so "n:*" is min(n, largest):max(n,
// largest), and "10:*" takes in message 3 when 3 is the last (RFC 3501
// §6.4.8 gives the UID example). A largest of 0 (not known) leaves "*"
// unbounded.
func (s NumSet) ContainsUpTo(n, largest uint32) bool {
	star := largest
	if star == 0 {
		star = ^uint32(0)
	}
	for _, r := range s.Ranges {
		lo, hi := r.Start, r.Stop
		if lo == 0 {
			lo = star
		}
		if hi == 0 {
			hi = star
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if n >= lo && n <= hi {
			return true
		}
	}
	return false
}

// count returns how many numbers the ranges of s span, counting numbers
// in overlapping ranges twice, without expanding them. It returns false if
// the set contains "*".
func (s NumSet) count() (uint64, bool) {
	var n uint64
	for _, r := range s.Ranges {
		if r.Start == 0 || r.Stop == 0 {
			return 0, false
		}
		n += uint64(max(r.Start, r.Stop)-min(r.Start, r.Stop)) + 1
	}
	return n, true
}

// Nums returns the numbers of a set without "*", sorted and without
// duplicates. It returns false if the set contains "*".
func (s NumSet) Nums() ([]uint32, bool) {
	var out []uint32
	for _, r := range s.Ranges {
		if r.Start == 0 || r.Stop == 0 {
			return nil, false
		}
		lo, hi := min(r.Start, r.Stop), max(r.Start, r.Stop)
		for n := lo; ; n++ {
			out = append(out, n)
			if n == hi {
				break
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// String renders the set in wire syntax, e.g. "1:*,5,7:9".
func (s NumSet) String() string {
	var sb strings.Builder
	for i, r := range s.Ranges {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(numOrStar(r.Start))
		if r.Stop != r.Start {
			sb.WriteByte(':')
			sb.WriteString(numOrStar(r.Stop))
		}
	}
	return sb.String()
}

// maxSetBytes bounds the sequence set of one command line. RFC 7162 §4
// asks clients to keep a command line to about 8192 octets (RFC 2683
// §3.2.1.5 said 1000), and servers refuse longer ones: Dovecot answers
// BAD "Too long argument" past its imap_max_line_length (64 KB by
// default). A command whose set is longer is sent as several commands,
// one per part of the set (see NumSet.parts).
const maxSetBytes = 7900

// parts splits s, in order, into sets whose wire form is at most
// maxBytes long; their union is s. A set that fits is the only part.
// Splitting keeps meaning for sequence numbers in FETCH and STORE: a
// server sends no EXPUNGE while they run, nor between commands (RFC 3501
// §7.4.1), so nothing renumbers the messages between the parts. COPY and
// MOVE may carry EXPUNGEs: their long sequence sets go by UID instead
// (Client.uidsOf).
func (s NumSet) parts(maxBytes int) []NumSet {
	var out []NumSet
	cur := NumSet{UID: s.UID}
	size := 0
	var digits [2 * 10]byte
	for _, r := range s.Ranges {
		n := len(strconv.AppendUint(digits[:0], uint64(r.Start), 10))
		if r.Stop != r.Start {
			n += 1 + len(strconv.AppendUint(digits[:0], uint64(r.Stop), 10))
		}
		if size > 0 && size+1+n > maxBytes {
			out = append(out, cur)
			cur, size = NumSet{UID: s.UID}, 0
		}
		if size > 0 {
			size++
		}
		size += n
		cur.Ranges = append(cur.Ranges, r)
	}
	return append(out, cur)
}

func numOrStar(n uint32) string {
	if n == 0 {
		return "*"
	}
	return strconv.FormatUint(uint64(n), 10)
}

// ErrEmptySet is returned by commands given an empty set.
var ErrEmptySet = errors.New("imap: empty sequence set")

// ParseSeqSet parses user input such as "1:*,5,7:9" into a set of
// sequence numbers (RFC 3501 §9 "sequence-set"). Zero, signs, spaces and
// anything else outside the grammar are rejected.
func ParseSeqSet(s string) (NumSet, error) { return parseNumSet(s, false) }

// ParseUIDSet parses a set of UIDs with the syntax of ParseSeqSet.
func ParseUIDSet(s string) (NumSet, error) { return parseNumSet(s, true) }

func parseNumSet(s string, uid bool) (NumSet, error) {
	set := NumSet{UID: uid}
	if s == "" {
		return set, fmt.Errorf("imap: invalid sequence set %q: empty", s)
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := parseSeqNumber(lo)
		if err != nil {
			return NumSet{}, fmt.Errorf("imap: invalid sequence set %q: %v", s, err)
		}
		b := a
		if isRange {
			if b, err = parseSeqNumber(hi); err != nil {
				return NumSet{}, fmt.Errorf("imap: invalid sequence set %q: %v", s, err)
			}
		}
		set.AddRange(a, b)
	}
	return set, nil
}

// parseSeqNumber parses seq-number: nz-number or "*" (returned as 0).
func parseSeqNumber(s string) (uint32, error) {
	if s == "*" {
		return 0, nil
	}
	if s == "" {
		return 0, errors.New("missing number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not a number", s)
		}
	}
	if s[0] == '0' {
		return 0, fmt.Errorf("%q: numbers start at 1", s)
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return uint32(n), nil
}

package backup

import (
	"iter"
	"maps"
	"slices"
	"sort"
)

// refTable maps the UIDs of a mailbox's stored messages to a small value
// (a storedRef for backup, a lineRef for verify and restore). UIDs mostly
// come in ascending order (the manifest is written in FETCH order, and a
// UID FETCH answers in UID order), so it keeps them in a sorted slice
// beside their values (a few bytes per message more than the value, where
// a Go map takes 40 to 60) and puts the few that come out of order into a
// map. A removed message stays in the slice, marked gone.
type refTable[R any] struct {
	uids   []uint32 // ascending
	refs   []R      // refs[i] is uids[i]'s
	isGone []bool   // isGone[i]: uids[i] was removed
	gone   int      // entries of uids marked gone
	other  map[uint32]R
}

// search returns the position of uid in t.uids, gone or not, or -1.
func (t *refTable[R]) search(uid uint32) int {
	i := sort.Search(len(t.uids), func(i int) bool { return t.uids[i] >= uid })
	if i < len(t.uids) && t.uids[i] == uid {
		return i
	}
	return -1
}

// get returns uid's value.
func (t *refTable[R]) get(uid uint32) (R, bool) {
	if i := t.search(uid); i >= 0 && !t.isGone[i] {
		return t.refs[i], true
	}
	r, ok := t.other[uid]
	return r, ok
}

// set adds or replaces uid's value.
func (t *refTable[R]) set(uid uint32, r R) {
	if i := t.search(uid); i >= 0 {
		if t.isGone[i] {
			t.isGone[i] = false
			t.gone--
		}
		t.refs[i] = r
		return
	}
	if _, ok := t.other[uid]; ok || (len(t.uids) > 0 && uid < t.uids[len(t.uids)-1]) {
		if t.other == nil {
			t.other = map[uint32]R{}
		}
		t.other[uid] = r
		return
	}
	t.uids = append(t.uids, uid)
	t.refs = append(t.refs, r)
	t.isGone = append(t.isGone, false)
}

// remove deletes uid's value.
func (t *refTable[R]) remove(uid uint32) {
	if i := t.search(uid); i >= 0 && !t.isGone[i] {
		var zero R
		t.refs[i] = zero
		t.isGone[i] = true
		t.gone++
		return
	}
	delete(t.other, uid)
}

// len is the number of UIDs with a value.
func (t *refTable[R]) len() int { return len(t.uids) - t.gone + len(t.other) }

// all yields every UID and its value: the sorted ones in order, then the
// others. The table must not change while it runs.
func (t *refTable[R]) all() iter.Seq2[uint32, R] {
	return func(yield func(uint32, R) bool) {
		for i, uid := range t.uids {
			if !t.isGone[i] && !yield(uid, t.refs[i]) {
				return
			}
		}
		for uid, r := range t.other {
			if !yield(uid, r) {
				return
			}
		}
	}
}

// ascending yields every UID and its value in UID order (the few out of
// order ones merged in). The table must not change while it runs.
func (t *refTable[R]) ascending() iter.Seq2[uint32, R] {
	return func(yield func(uint32, R) bool) {
		others := slices.Sorted(maps.Keys(t.other))
		for i, uid := range t.uids {
			for len(others) > 0 && others[0] < uid {
				if !yield(others[0], t.other[others[0]]) {
					return
				}
				others = others[1:]
			}
			if !t.isGone[i] && !yield(uid, t.refs[i]) {
				return
			}
		}
		for _, uid := range others {
			if !yield(uid, t.other[uid]) {
				return
			}
		}
	}
}

package backup

import (
	"iter"
	"sort"
)

// refTable maps the UIDs of a mailbox's stored messages to their
// storedRef. UIDs mostly come in ascending order (the manifest is written
// in FETCH order, and a UID FETCH answers in UID order), so it keeps them
// in a sorted slice beside their refs (20 bytes per message, where a Go
// map takes 40 to 60) and puts the few that come out of order into a map.
// A removed message stays in the slice, marked gone.
type refTable struct {
	uids  []uint32    // ascending
	refs  []storedRef // refs[i] is uids[i]'s
	gone  int         // entries of uids marked gone
	other map[uint32]storedRef
}

// search returns the position of uid in t.uids, gone or not, or -1.
func (t *refTable) search(uid uint32) int {
	i := sort.Search(len(t.uids), func(i int) bool { return t.uids[i] >= uid })
	if i < len(t.uids) && t.uids[i] == uid {
		return i
	}
	return -1
}

// get returns uid's ref.
func (t *refTable) get(uid uint32) (storedRef, bool) {
	if i := t.search(uid); i >= 0 && !t.refs[i].gone {
		return t.refs[i], true
	}
	r, ok := t.other[uid]
	return r, ok
}

// set adds or replaces uid's ref.
func (t *refTable) set(uid uint32, r storedRef) {
	r.gone = false
	if i := t.search(uid); i >= 0 {
		if t.refs[i].gone {
			t.gone--
		}
		t.refs[i] = r
		return
	}
	if _, ok := t.other[uid]; ok || (len(t.uids) > 0 && uid < t.uids[len(t.uids)-1]) {
		if t.other == nil {
			t.other = map[uint32]storedRef{}
		}
		t.other[uid] = r
		return
	}
	t.uids = append(t.uids, uid)
	t.refs = append(t.refs, r)
}

// remove deletes uid's ref.
func (t *refTable) remove(uid uint32) {
	if i := t.search(uid); i >= 0 && !t.refs[i].gone {
		t.refs[i] = storedRef{gone: true}
		t.gone++
		return
	}
	delete(t.other, uid)
}

// len is the number of UIDs with a ref.
func (t *refTable) len() int { return len(t.uids) - t.gone + len(t.other) }

// all yields every UID and its ref: the sorted ones in order, then the
// others. The table must not change while it runs.
func (t *refTable) all() iter.Seq2[uint32, storedRef] {
	return func(yield func(uint32, storedRef) bool) {
		for i, uid := range t.uids {
			if !t.refs[i].gone && !yield(uid, t.refs[i]) {
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

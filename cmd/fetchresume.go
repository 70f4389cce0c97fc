package cmd

import (
	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
)

// maxResumeRanges bounds the ranges of a FETCH set that leaves out the
// messages already in a Maildir, and so the memory and the number of
// commands a Maildir with many gaps costs (the client sends a set too
// long for one command line as several commands of about 8 KB each, some
// 600 ranges): a set that would need more is sent as it was asked for,
// and the messages already there are left out as they arrive.
const maxResumeRanges = 100000

// maildirResume is how a fetch into a Maildir treats the messages already
// there. A Maildir records the mailbox its messages came from
// (output.MaildirOrigin); while it holds messages of that one origin, a
// fetch from the same origin leaves out the UIDs below the record's
// FetchedBelow and those its file names carry, so that a run repeated by
// cron fetches only new messages (not those a mail reader deleted), and
// a run that was interrupted fetches only what it had not stored.
type maildirResume struct {
	// present holds the UIDs that are not fetched again; nil when none
	// are known.
	present *output.NumberSet
	// trusted is true when the Maildir's record names this fetch's origin,
	// or will once the first message is stored: the run may then move
	// FetchedBelow (see advanceTo).
	trusted bool
	// When change is true, the sink records origin as the Maildir's
	// before its first message, or with a nil origin removes the record.
	// When trusted, origin is the record as it is (or will be).
	change bool
	origin *output.MaildirOrigin
	// otherOrigin is the origin the Maildir recorded when it differs from
	// this fetch's while it holds messages: they are no longer recognized.
	// damaged is true when its record could not be read.
	otherOrigin *output.MaildirOrigin
	damaged     bool
	// lock is the run's lock on the Maildir, taken by the sink when it
	// creates the Maildir.
	lock *output.MaildirLock
}

// planMaildirResume decides, from what the Maildir holds, what a fetch
// from origin leaves out and records. whole is true when the fetch stores
// whole messages (not --headers or --part): only those stand for the
// server's messages. Messages of unknown origin (a Maildir filled by
// another program, or before origins were recorded) are never taken for
// the server's, and a Maildir that gets messages of a second origin loses
// its record for good, so that no later run leaves out a message on the
// word of a file from elsewhere.
func planMaildirResume(state output.MaildirState, origin output.MaildirOrigin, whole bool) maildirResume {
	var plan maildirResume
	if state.Messages > 0 && state.Recorded && state.Origin != nil && !state.Origin.Same(origin) {
		plan.otherOrigin = state.Origin
	}
	plan.damaged = state.Messages > 0 && state.Recorded && state.Origin == nil
	switch {
	case !whole || origin.UIDValidity == 0:
		plan.change = state.Recorded
	case state.Recorded && state.Origin != nil && state.Origin.Same(origin):
		plan.trusted = true
		plan.origin = state.Origin
		present := state.UIDs
		if below := state.Origin.FetchedBelow; below > 1 {
			present.AddRange(1, below-1)
		}
		if present.Len() > 0 {
			plan.present = present
		}
	case state.Messages == 0:
		origin.FetchedBelow = 0
		plan.change, plan.origin, plan.trusted = true, &origin, true
	default:
		plan.change = state.Recorded
	}
	return plan
}

// subtractSet returns the UID set to fetch for set when the UIDs of
// present are already stored. A range ending in "*" is bounded by
// uidNext (the mailbox's UIDNEXT at SELECT, RFC 3501 §2.3.1.1; 0 when the
// server sent none) when it starts below it, else kept with "*" after the
// last present UID. When the result would have more than maxRanges
// ranges (and more than set), it is set itself. The result may still name
// present UIDs (a range kept with "*", or set itself): the caller leaves
// those out as they arrive. It never names a UID that set does not. ok is
// false when nothing is left to fetch.
func subtractSet(set imap.NumSet, present *output.NumberSet, uidNext uint32, maxRanges int) (out imap.NumSet, ok bool) {
	var lastPresent uint32
	present.EachRun(func(_, hi uint32) { lastPresent = hi })
	want := &output.NumberSet{}
	var starred []imap.NumRange // kept with "*", after the finite part
	for _, r := range set.Ranges {
		if r.Start != 0 && r.Stop != 0 {
			want.AddRange(min(r.Start, r.Stop), max(r.Start, r.Stop))
			continue
		}
		from := max(r.Start, r.Stop) // the end that is not "*"
		switch {
		case from == 0: // "*" alone: the last message
			starred = append(starred, r)
		case uidNext != 0 && from < uidNext:
			want.AddRange(from, uidNext-1)
		case uidNext != 0:
			// No message has such a UID yet; the server would send the
			// last one (RFC 3501 §6.4.8), which is left out as it arrives
			// when it is already stored.
			starred = append(starred, r)
		case from <= lastPresent && lastPresent < ^uint32(0):
			want.AddRange(from, lastPresent)
			starred = append(starred, imap.NumRange{Start: lastPresent + 1})
		default:
			starred = append(starred, r)
		}
	}
	out.UID = set.UID
	want.Without(present).EachRun(func(lo, hi uint32) {
		out.Ranges = append(out.Ranges, imap.NumRange{Start: lo, Stop: hi})
	})
	out.Ranges = append(out.Ranges, starred...)
	if len(out.Ranges) > max(maxRanges, len(set.Ranges)) {
		return set, true
	}
	return out, len(out.Ranges) > 0
}

// advanceTo moves the Maildir's FetchedBelow to uidNext (the mailbox's
// UIDNEXT at SELECT) after a fetch that stored every message it asked
// for, when what it asked for (set, before the messages already there
// were left out) held every UID from the old FetchedBelow up to uidNext:
// then every message below uidNext is in the Maildir or was already gone.
// Nothing is written when the Maildir got no record (a fetch that stored
// nothing into a new Maildir creates none).
func (plan maildirResume) advanceTo(root string, set imap.NumSet, uidNext uint32) error {
	if !plan.trusted || !set.UID || uidNext == 0 || uidNext <= plan.origin.FetchedBelow {
		return nil
	}
	from := max(plan.origin.FetchedBelow, 1)
	asked := &output.NumberSet{}
	for _, r := range set.Ranges {
		lo, hi := min(r.Start, r.Stop), max(r.Start, r.Stop)
		if hi == 0 {
			continue // "*" alone is the last message, not those before it
		}
		if lo == 0 { // n:* is n up to the largest UID, below uidNext
			if hi >= uidNext {
				continue
			}
			lo, hi = hi, uidNext-1
		}
		asked.AddRange(lo, hi)
	}
	if need := numbers([2]uint32{from, uidNext - 1}); need.Without(asked).Len() > 0 {
		return nil
	}
	recorded, _, err := output.ReadMaildirOrigin(root)
	if err != nil || recorded == nil || !recorded.Same(*plan.origin) {
		return err // no record, or not this one: nothing to move
	}
	advanced := *recorded
	advanced.FetchedBelow = uidNext
	return output.RecordMaildirOrigin(root, &advanced)
}

// numbers returns the set of the closed ranges given.
func numbers(runs ...[2]uint32) *output.NumberSet {
	s := &output.NumberSet{}
	for _, r := range runs {
		s.AddRange(r[0], r[1])
	}
	return s
}

package imap

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// StoreAction says how STORE changes flags (RFC 3501 §6.4.6).
type StoreAction int

const (
	// StoreAdd adds flags (+FLAGS).
	StoreAdd StoreAction = iota
	// StoreRemove removes flags (-FLAGS).
	StoreRemove
	// StoreReplace replaces all flags (FLAGS).
	StoreReplace
)

// StoreOptions modify STORE.
type StoreOptions struct {
	// Silent suppresses the FETCH responses (.SILENT).
	Silent bool
	// UnchangedSince makes the store conditional (RFC 7162 §3.1.3); 0 means
	// unconditional.
	UnchangedSince uint64
}

// StoreResult holds the FETCH responses of a non-silent STORE and, for a
// conditional store, the messages that were not changed.
type StoreResult struct {
	Messages []*FetchMessage
	// Modified is the [MODIFIED set] of RFC 7162 §3.1.3, or "".
	Modified string
}

// readOnly refuses a change to a mailbox selected read-only.
func (c *Client) readOnly(command string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mailbox != nil && c.mailbox.ReadOnly {
		return &ReadOnlyError{Mailbox: c.mailbox.Name, Command: command}
	}
	return nil
}

// Store changes the flags of messages (RFC 3501 §6.4.6, UID STORE
// §6.4.8).
func (c *Client) Store(ctx context.Context, set NumSet, action StoreAction, flags []string, opts *StoreOptions) (*StoreResult, error) {
	if set.IsEmpty() {
		return nil, ErrEmptySet
	}
	if opts == nil {
		opts = &StoreOptions{}
	}
	name := "STORE"
	if set.UID {
		name = "UID STORE"
	}
	if err := c.readOnly(name); err != nil {
		return nil, err
	}
	item := [...]string{"+FLAGS", "-FLAGS", "FLAGS"}[action]
	if opts.Silent {
		item += ".SILENT"
	}
	res := &StoreResult{}
	parts := set.parts(maxSetBytes)
	for i, part := range parts {
		cmd := c.newCommand(name, "FETCH")
		cmd.fetch = &fetchSink{set: &part}
		err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
			e.SP().Raw(part.String())
			if opts.UnchangedSince > 0 {
				e.Raw(" (UNCHANGEDSINCE ").Number64(opts.UnchangedSince).Raw(")")
			}
			e.SP().Raw(item).Raw(" (")
			for i, f := range flags {
				if i > 0 {
					e.SP()
				}
				e.Flag(f)
			}
			e.Raw(")")
		}, false)
		if err != nil {
			return nil, partsDone(err, parts, i)
		}
		res.Messages = append(res.Messages, cmd.fetch.collect...)
		if cmd.status != nil && cmd.status.Code != nil && cmd.status.Code.Name == imapwire.CodeModified {
			res.Modified = joinSets(res.Modified, cmd.status.Code.Set)
		}
	}
	return res, nil
}

// partsDone is err of the command sent for parts[i], the parts of a set
// too long for one command (see NumSet.parts), saying that the commands
// for the parts before it were done; for the first part it is err itself.
func partsDone(err error, parts []NumSet, i int) error {
	if i == 0 {
		return err
	}
	return fmt.Errorf("%w (the set was too long for one command line and was sent in %d parts; the %d before the one starting at %s were done)",
		err, len(parts), i, numOrStar(parts[i].Ranges[0].Start))
}

// joinSets joins two sets in wire syntax; either may be empty.
func joinSets(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "," + b
}

// CopyResult is the [COPYUID] of a COPY or MOVE (RFC 4315 §3); empty when
// the server does not support UIDPLUS.
type CopyResult struct {
	UIDValidity uint32
	SourceUIDs  string
	DestUIDs    string
}

func copyResultOf(codes ...*imapwire.RespCode) *CopyResult {
	for _, code := range codes {
		if code != nil && code.Name == imapwire.CodeCopyUID {
			return &CopyResult{UIDValidity: code.UIDValidity, SourceUIDs: code.SourceUIDs, DestUIDs: code.DestUIDs}
		}
	}
	return &CopyResult{}
}

// Copy copies messages to mailbox dest (RFC 3501 §6.4.7, UID COPY
// §6.4.8). A set too long for one command line is copied by several
// commands, one after another: if one fails, the messages of those
// before it stay copied (the error says so).
func (c *Client) Copy(ctx context.Context, set NumSet, dest string) (*CopyResult, error) {
	if set.IsEmpty() {
		return nil, ErrEmptySet
	}
	name := "COPY"
	if set.UID {
		name = "UID COPY"
	}
	wire, werr := c.wireMailbox(dest)
	if werr != nil {
		return nil, werr
	}
	parts := set.parts(maxSetBytes)
	if len(parts) > 1 && !set.UID {
		// An EXPUNGE may come during a COPY (RFC 3501 §7.4.1) and would
		// renumber the messages of the parts after it.
		uids, err := c.uidsOf(ctx, set)
		if err != nil || uids.IsEmpty() {
			return &CopyResult{}, err
		}
		set, name, parts = uids, "UID COPY", uids.parts(maxSetBytes)
	}
	uidplus := c.Has(ctx, "UIDPLUS")
	var res *CopyResult
	for i, part := range parts {
		cmd := c.newCommand(name)
		if err := c.run(ctx, cmd, func(e *imapwire.Encoder) { e.SP().Raw(part.String()).SP().AString(wire) }, false); err != nil {
			return nil, partsDone(err, parts, i)
		}
		res = res.join(copyResultOf(cmd.status.Code), uidplus)
	}
	return res, nil
}

// join is the result of two COPY or MOVE commands, one after the other,
// to the same mailbox: their [COPYUID]s joined. A server with UIDPLUS
// sends COPYUID for every copy (RFC 4315 §3), so there a result without
// one copied nothing (its set named no message) and adds nothing;
// otherwise, when either has none, so has the join. A nil r is the first.
func (r *CopyResult) join(next *CopyResult, uidplus bool) *CopyResult {
	switch {
	case r == nil:
		return next
	case uidplus && next.SourceUIDs == "":
		return r
	case uidplus && r.SourceUIDs == "":
		return next
	case r.SourceUIDs == "" || next.SourceUIDs == "" || r.UIDValidity != next.UIDValidity:
		return &CopyResult{}
	}
	return &CopyResult{UIDValidity: r.UIDValidity, SourceUIDs: joinSets(r.SourceUIDs, next.SourceUIDs), DestUIDs: joinSets(r.DestUIDs, next.DestUIDs)}
}

// uidsOf returns the UIDs of the messages a set of sequence numbers, or
// of UIDs with "*", names now, with FETCH (UID), itself sent in parts
// when the set is long. A plain FETCH gets no EXPUNGE while it runs and
// none comes between commands (RFC 3501 §7.4.1), so the numbers of every
// part name the messages they named when the set was given.
func (c *Client) uidsOf(ctx context.Context, set NumSet) (NumSet, error) {
	var uids []uint32
	err := c.Fetch(ctx, set, &FetchOptions{UID: true}, func(m *FetchMessage) error {
		if m.UID != 0 {
			uids = append(uids, m.UID)
		}
		return nil
	})
	if err != nil {
		return NumSet{}, err
	}
	return UIDSetNum(sortedUnique(uids)...), nil
}

// Move moves messages to dest with MOVE (RFC 6851) when the server has it.
//
// A set too long for one command line (see NumSet.parts) is moved by
// several MOVE commands, by UID: a set of sequence numbers is first
// resolved to UIDs, since each MOVE renumbers the messages after it.
//
// Otherwise it falls back to COPY, STORE \Deleted and EXPUNGE, all by
// explicit UIDs: unless set is UIDs without "*" already, it first
// resolves set to the UIDs of the messages it names now (FETCH (UID),
// one extra round trip), because during the COPY
// the server may report another client's expunge, which renumbers the
// messages (RFC 3501 §7.4.1), or a new message that a set such as "4:*"
// would then take in without its having been copied. When the server
// answers the UID COPY with COPYUID (RFC 4315 §3), only its source UIDs
// are marked \Deleted and expunged. With UIDPLUS exactly those are removed
// with UID EXPUNGE (RFC 4315 §2.1); without it the fallback uses EXPUNGE
// only when no other message in the mailbox is marked \Deleted, and
// refuses otherwise, since EXPUNGE would remove those too.
func (c *Client) Move(ctx context.Context, set NumSet, dest string) (*CopyResult, error) {
	if set.IsEmpty() {
		return nil, ErrEmptySet
	}
	name := "MOVE"
	if set.UID {
		name = "UID MOVE"
	}
	if err := c.readOnly(name); err != nil {
		return nil, err
	}
	if c.Has(ctx, "MOVE") || c.Has(ctx, "IMAP4rev2") {
		wire, werr := c.wireMailbox(dest)
		if werr != nil {
			return nil, werr
		}
		parts := set.parts(maxSetBytes)
		if len(parts) > 1 && !set.UID {
			// Each MOVE expunges what it moved (RFC 6851 §3.3),
			// renumbering the messages of the parts after it.
			uids, err := c.uidsOf(ctx, set)
			if err != nil || uids.IsEmpty() {
				return &CopyResult{}, err
			}
			name, parts = "UID MOVE", uids.parts(maxSetBytes)
		}
		uidplus := c.Has(ctx, "UIDPLUS")
		var res *CopyResult
		for i, part := range parts {
			cmd := c.newCommand(name, "OK")
			if err := c.run(ctx, cmd, func(e *imapwire.Encoder) { e.SP().Raw(part.String()).SP().AString(wire) }, false); err != nil {
				return res, partsDone(err, parts, i)
			}
			codes := []*imapwire.RespCode{cmd.status.Code}
			for _, r := range cmd.responses {
				codes = append(codes, r.Code)
			}
			res = res.join(copyResultOf(codes...), uidplus)
		}
		return res, nil
	}
	uids := set
	if _, explicit := set.count(); !set.UID || !explicit {
		resolved, err := c.uidsOf(ctx, set)
		if err != nil {
			return nil, err
		}
		if resolved.IsEmpty() {
			return &CopyResult{}, nil
		}
		uids = resolved
	}
	uidplus := c.Has(ctx, "UIDPLUS")
	if !uidplus {
		deleted, err := c.Search(ctx, &SearchCriteria{Flag: []string{`\Deleted`}}, &SearchOptions{UID: true})
		if err != nil {
			return nil, err
		}
		others := 0
		for _, uid := range deleted.All {
			if !uids.Contains(uid) {
				others++
			}
		}
		if others > 0 {
			return nil, &CapabilityError{Command: "MOVE", Reason: fmt.Sprintf(
				"server has neither MOVE nor UIDPLUS and %d other message(s) are marked \\Deleted; EXPUNGE would remove them", others)}
		}
	}
	// A set too long for one command line moves part by part, each part
	// copied, marked and expunged before the next: if one fails, the
	// parts before it are moved and none is left in both mailboxes.
	var res *CopyResult
	parts := uids.parts(maxSetBytes)
	for i, part := range parts {
		moved, err := c.moveByCopy(ctx, part, dest, uidplus)
		if moved != nil {
			res = res.join(moved, uidplus)
		}
		if err != nil {
			return res, partsDone(err, parts, i)
		}
	}
	return res, nil
}

// moveByCopy moves the messages uids (a UID set without "*" that fits
// one command line) to dest with UID COPY, UID STORE +FLAGS \Deleted and
// UID EXPUNGE (uidplus) or EXPUNGE.
func (c *Client) moveByCopy(ctx context.Context, uids NumSet, dest string, uidplus bool) (*CopyResult, error) {
	res, err := c.Copy(ctx, uids, dest)
	if err != nil {
		return nil, err
	}
	if res.SourceUIDs != "" {
		uids = copiedOf(uids, res.SourceUIDs)
		if uids.IsEmpty() {
			return res, nil
		}
	}
	if _, err := c.Store(ctx, uids, StoreAdd, []string{`\Deleted`}, &StoreOptions{Silent: true}); err != nil {
		return res, fmt.Errorf("imap: MOVE: copied, but marking the originals deleted failed: %w", err)
	}
	if uidplus {
		_, err = c.UIDExpunge(ctx, uids)
	} else {
		_, err = c.Expunge(ctx)
	}
	if err != nil {
		return res, fmt.Errorf("imap: MOVE: copied, but expunging the originals failed: %w", err)
	}
	return res, nil
}

// copiedOf returns the UIDs of uids that the source set of a COPYUID
// (RFC 4315 §3) names: the messages the server did copy. A source set
// that does not parse leaves uids as they are.
func copiedOf(uids NumSet, source string) NumSet {
	copied, err := ParseUIDSet(source)
	if err != nil {
		return uids
	}
	nums, _ := uids.Nums()
	var out []uint32
	for _, n := range nums {
		if copied.Contains(n) {
			out = append(out, n)
		}
	}
	return UIDSetNum(out...)
}

// sortedUnique returns nums sorted and without duplicates, so that
// consecutive numbers make ranges in a set.
func sortedUnique(nums []uint32) []uint32 {
	nums = slices.Clone(nums)
	slices.Sort(nums)
	return slices.Compact(nums)
}

// Expunge removes all messages marked \Deleted (RFC 3501 §6.4.3) and
// returns the sequence numbers the server reported, in order. After
// ENABLE QRESYNC the server reports UIDs in VANISHED responses instead
// (RFC 7162 §3.2.10): the result is then empty and the VANISHED
// responses are kept for Response("VANISHED").
func (c *Client) Expunge(ctx context.Context) ([]uint32, error) {
	if err := c.readOnly("EXPUNGE"); err != nil {
		return nil, err
	}
	cmd := c.newCommand("EXPUNGE", "EXPUNGE", "VANISHED")
	if err := c.run(ctx, cmd, nil, false); err != nil {
		return nil, err
	}
	return expunged(cmd.responses), nil
}

// UIDExpunge removes only the messages of uids that are marked \Deleted
// (RFC 4315 §2.1). Its result is like Expunge's.
func (c *Client) UIDExpunge(ctx context.Context, uids NumSet) ([]uint32, error) {
	if !uids.UID {
		return nil, errors.New("imap: UID EXPUNGE needs a UID set")
	}
	if uids.IsEmpty() {
		return nil, ErrEmptySet
	}
	if err := c.readOnly("UID EXPUNGE"); err != nil {
		return nil, err
	}
	if !c.Has(ctx, "UIDPLUS") && !c.Has(ctx, "IMAP4rev2") {
		return nil, &CapabilityError{Command: "UID EXPUNGE", Reason: "server does not support UIDPLUS"}
	}
	var out []uint32
	parts := uids.parts(maxSetBytes)
	for i, part := range parts {
		cmd := c.newCommand("UID EXPUNGE", "EXPUNGE", "VANISHED")
		if err := c.run(ctx, cmd, func(e *imapwire.Encoder) { e.SP().Raw(part.String()) }, false); err != nil {
			return nil, partsDone(err, parts, i)
		}
		out = append(out, expunged(cmd.responses)...)
	}
	return out, nil
}

func expunged(rs []*Response) []uint32 {
	var out []uint32
	for _, r := range rs {
		if r.Name == "EXPUNGE" {
			out = append(out, r.Num)
		}
	}
	return out
}

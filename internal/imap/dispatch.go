package imap

import (
	"context"
	"strings"
)

// This file decides when a command may be sent while others are in flight
// (RFC 3501 §5.5). Untagged responses carry no tag: the reader can only
// give one to the command that asked for its kind when a single pending
// command asks for it. So a command waits, before it is written and before
// it gets a tag, until no pending command conflicts with it:
//
//   - Two commands that collect the same kind of untagged response
//     (FETCH for FETCH, UID FETCH, STORE and PARTIAL; SEARCH, SORT,
//     THREAD, LIST, LSUB, EXPUNGE/VANISHED, ACL, QUOTA, ...) never run at
//     once: servers may run pipelined commands in parallel and interleave
//     their answers (Dovecot does with FETCH). A STATUS response names its
//     mailbox, so only STATUS commands for the same mailbox wait for each
//     other (a LIST with RETURN (STATUS) waits for every STATUS); an
//     ESEARCH response names its command by tag (RFC 4731 §3.1) and never
//     makes a command wait.
//   - SELECT, EXAMINE, CLOSE, UNSELECT (they change the selected state),
//     LOGIN, AUTHENTICATE, STARTTLS, COMPRESS, ENABLE (they change the
//     connection) and IDLE run alone: they wait for every pending command
//     and every command waits for them.
//   - A command whose arguments or results are message sequence numbers
//     (FETCH, STORE, SEARCH, COPY, MOVE, SORT, THREAD, PARTIAL without
//     UID) waits while a command other than FETCH, STORE or SEARCH is
//     pending, since that one may be answered with EXPUNGE responses that
//     renumber the messages (RFC 3501 §5.5, §7.4.1).
//   - A command that removes messages (EXPUNGE, UID EXPUNGE, MOVE) and a
//     command that reads or changes messages (FETCH, STORE, SEARCH, COPY,
//     MOVE, SORT, THREAD, PARTIAL) never run at once.
//
// Waiting commands keep their order among themselves when they conflict
// with each other, so a command that must run alone is not starved by a
// stream of others. A waiting command has not been sent: cancelling its
// context returns ctx.Err() and leaves the connection usable.

// claim is a kind of untagged response a command collects. An empty key
// means every response of that name; otherwise only the one naming key
// (STATUS by mailbox).
type claim struct {
	name string
	key  string
}

// dispatchClass says how a command may share the connection.
type dispatchClass struct {
	// claims are the untagged responses the command collects that no
	// tag attributes to it.
	claims []claim
	// alone: no other command may be in flight with it.
	alone bool
	// message: it reads or changes messages of the selected mailbox.
	message bool
	// expunges: it removes messages (renumbering the others).
	expunges bool
	// seqNums: its arguments or results are message sequence numbers.
	seqNums bool
	// mayExpunge: the server may send EXPUNGE responses while it runs
	// (any command but FETCH, STORE and SEARCH, RFC 3501 §7.4.1).
	mayExpunge bool
}

// classify derives a command's dispatch class from its name and the
// untagged responses it collects.
func classify(cmd *command) dispatchClass {
	name := strings.ToUpper(cmd.name)
	uid := false
	if rest, ok := strings.CutPrefix(name, "UID "); ok {
		name, uid = rest, true
	}
	var dc dispatchClass
	switch name {
	case "SELECT", "EXAMINE", "CLOSE", "UNSELECT",
		"LOGIN", "AUTHENTICATE", "STARTTLS", "COMPRESS", "ENABLE", "IDLE":
		dc.alone = true
	case "FETCH", "STORE", "SEARCH":
		dc.message = true
		dc.seqNums = !uid
		// UID FETCH, UID STORE and UID SEARCH are other commands, during
		// which EXPUNGE may be sent (RFC 3501 §7.4.1 note).
		dc.mayExpunge = uid
	case "COPY", "SORT", "THREAD", "PARTIAL":
		dc.message = true
		dc.seqNums = !uid
		dc.mayExpunge = true
	case "MOVE":
		dc.message, dc.expunges = true, true
		dc.seqNums = !uid
		dc.mayExpunge = true
	case "EXPUNGE":
		dc.expunges = true
		dc.mayExpunge = true
	default:
		dc.mayExpunge = true
	}
	for w := range cmd.want {
		switch w {
		case "ESEARCH":
			// Attributed by its (TAG ...) correlator.
		case "STATUS":
			dc.claims = append(dc.claims, claim{name: w, key: statusKey(cmd.key)})
		default:
			dc.claims = append(dc.claims, claim{name: w})
		}
	}
	return dc
}

// statusKey is the mailbox a STATUS command claims; INBOX in any case is
// one mailbox (RFC 3501 §5.1).
func statusKey(wire string) string {
	if strings.EqualFold(wire, "INBOX") {
		return "INBOX"
	}
	return wire
}

// conflicts reports whether later may not be sent while earlier is in
// flight.
func conflicts(earlier, later *dispatchClass) bool {
	if earlier.alone || later.alone {
		return true
	}
	if later.seqNums && earlier.mayExpunge {
		return true
	}
	if (earlier.expunges && later.message) || (earlier.message && later.expunges) {
		return true
	}
	for _, a := range earlier.claims {
		for _, b := range later.claims {
			if a.name == b.name && (a.key == "" || b.key == "" || a.key == b.key) {
				return true
			}
		}
	}
	return false
}

// blockerLocked returns the command cmd must wait for, or nil when it may
// be sent now: a pending command it conflicts with, or an earlier waiting
// command related to it either way (which keeps their order).
func (c *Client) blockerLocked(cmd *command) *command {
	if p := c.completing; p != nil && conflicts(&p.class, &cmd.class) {
		return p
	}
	for _, p := range c.pending {
		if conflicts(&p.class, &cmd.class) {
			return p
		}
	}
	for _, q := range c.queue {
		if q == cmd {
			break
		}
		if conflicts(&q.class, &cmd.class) || conflicts(&cmd.class, &q.class) {
			return q
		}
	}
	return nil
}

// dispatch waits until cmd may be sent, then gives it a tag and makes it
// pending. On success the write side is locked and the caller writes the
// command. Waiting honours ctx and ends when the connection is aborted.
func (c *Client) dispatch(ctx context.Context, cmd *command) error {
	cmd.class = classify(cmd)
	queued := false
	leave := func() {
		// Called with c.mu held.
		if !queued {
			return
		}
		for i, q := range c.queue {
			if q == cmd {
				c.queue = append(c.queue[:i], c.queue[i+1:]...)
				break
			}
		}
		queued = false
		c.wakeWaitersLocked()
	}
	for {
		if err := c.writeLock.lock(ctx); err != nil {
			c.mu.Lock()
			leave()
			c.mu.Unlock()
			return err
		}
		c.mu.Lock()
		if c.abortErr != nil {
			err := c.abortErr
			leave()
			c.mu.Unlock()
			c.writeLock.Unlock()
			return err
		}
		blocker := c.blockerLocked(cmd)
		if blocker == nil {
			leave()
			cmd.tag = c.tags.Next()
			c.pending = append(c.pending, cmd)
			c.mu.Unlock()
			return nil
		}
		if !queued {
			c.queue = append(c.queue, cmd)
			queued = true
			if c.trace != nil && c.trace.level >= 3 {
				what := blocker.name
				if blocker.tag != "" {
					what = blocker.tag + " " + what
				} else {
					what += " (waiting)"
				}
				c.trace.printf("%s waits for %s (RFC 3501 §5.5)", cmd.name, what)
			}
		}
		wake := c.wake
		c.mu.Unlock()
		c.writeLock.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			c.mu.Lock()
			leave()
			c.mu.Unlock()
			return ctx.Err()
		}
	}
}

// wakeWaitersLocked lets waiting commands check again whether they may be
// sent; called when a command completes, is forgotten or stops waiting,
// and on abort.
func (c *Client) wakeWaitersLocked() {
	if len(c.queue) == 0 {
		return
	}
	close(c.wake)
	c.wake = make(chan struct{})
}

// writeLock serialises writing commands. Unlike a sync.Mutex, taking it
// honours a context, so a command waiting behind IDLE or a long APPEND
// can be cancelled.
type writeLock chan struct{}

func newWriteLock() writeLock { return make(writeLock, 1) }

func (w writeLock) lock(ctx context.Context) error {
	select {
	case w <- struct{}{}:
		return nil
	default:
	}
	select {
	case w <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unlock releases the write side.
func (w writeLock) Unlock() { <-w }

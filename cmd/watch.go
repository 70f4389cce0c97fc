package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// WatchOptions are the inputs of the watch command.
type WatchOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	// Reconnect forgets a broken connection; the next Client call dials.
	Reconnect func()
	// Subscribe installs the handler of unsolicited responses; it must be
	// called before Client.
	Subscribe func(func(*imap.Response))
	JSON      bool
	Quiet     bool

	Mailbox  string
	UntilNew bool
	// Limit ends the watch after this long; 0 means never.
	Limit time.Duration
	// Poll is the NOOP interval for servers without IDLE.
	Poll time.Duration
	// ForcePoll polls with NOOP even when the server has IDLE.
	ForcePoll bool
	// Renew restarts IDLE this often (RFC 2177: servers may drop an IDLE
	// after 30 minutes).
	Renew time.Duration
}

// NewWatchCmd returns the watch command (IDLE, RFC 2177).
func NewWatchCmd(f *Factory, runF func(*WatchOptions) error) *cobra.Command {
	opts := &WatchOptions{IO: f.IOStreams, Client: f.Client, Reconnect: f.Reconnect,
		Subscribe: func(fn func(*imap.Response)) { f.OnUntagged = fn }, Renew: 25 * time.Minute}
	cmd := &cobra.Command{
		Use:   "watch MAILBOX",
		Short: "Print new messages, expunges and flag changes as they happen",
		Long: `Watch MAILBOX with IDLE (or NOOP polling where the server lacks IDLE, or
with --poll INTERVAL) and
print one line per event:
  new UID              a message arrived
  expunge SEQ          message number SEQ was removed
  flags SEQ UID FLAGS  a message's flags changed
(NDJSON with --json). Where the server leaves the UID out of a flag change
(Dovecot does), watch asks for it with one FETCH after the batch of events;
UID is "-" (no "uid" in JSON) when it cannot be learnt, e.g. because the
message was expunged first.
Control characters in a server's flags are shown as escapes such as \x1b.
IDLE is renewed every 25 minutes, before servers drop
it, and a dropped connection is re-established.

--until-new exits 0 at the first new message, for a script waiting for a
confirmation mail; with --limit, imapctl exits 6 if none came in time.`,
		Args: exactArgs(1, "one MAILBOX"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Quiet = f.Global.Quiet
			opts.Mailbox = args[0]
			opts.ForcePoll = c.Flags().Changed("poll")
			if opts.Limit < 0 || opts.Poll <= 0 || opts.Renew <= 0 {
				return usageErrorf("--limit, --poll and --renew want positive durations")
			}
			if runF != nil {
				return runF(opts)
			}
			return watchRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.UntilNew, "until-new", false, "exit at the first new message")
	cmd.Flags().DurationVar(&opts.Limit, "limit", 0, "stop after this long (e.g. 5m); with --until-new, exit 6 if nothing came")
	cmd.Flags().DurationVar(&opts.Poll, "poll", 30*time.Second, "poll with NOOP at this interval instead of IDLE (the default without IDLE)")
	cmd.Flags().DurationVar(&opts.Renew, "renew", 25*time.Minute, "restart IDLE (and look for missed messages) this often")
	_ = cmd.Flags().MarkHidden("renew")
	return cmd
}

// watchEvent is one line of watch --json.
type watchEvent struct {
	Event       string   `json:"event"`
	UIDValidity uint32   `json:"uidvalidity,omitempty"`
	UID         uint32   `json:"uid,omitempty"`
	Seq         uint32   `json:"seq,omitempty"`
	Flags       []string `json:"flags,omitempty"`
}

// errNewMessage ends the loop for --until-new.
var errNewMessage = errors.New("new message")

// watcher holds the state of one watch.
type watcher struct {
	opts        *WatchOptions
	events      chan *imap.Response
	overflow    atomic.Bool
	uidValidity uint32
	uidNext     uint32 // every UID below it has been reported or was there at the start
	exists      uint32
	pending     *imap.Response // taken from events while idling
	announce    bool           // say on stderr when the watch is in place
	renewed     bool           // the last IDLE ended at its renewal time
}

// watchRun watches until interrupted, the limit, or --until-new.
func watchRun(opts *WatchOptions) error {
	w := &watcher{opts: opts, events: make(chan *imap.Response, 4096)}
	opts.Subscribe(func(r *imap.Response) {
		switch r.Name {
		case "EXISTS", "EXPUNGE", "FETCH", "VANISHED":
			select {
			case w.events <- r:
			default:
				w.overflow.Store(true) // resynchronise from UIDNEXT
			}
		}
	})
	parent := opts.Context
	ctx := parent
	var deadline time.Time
	if opts.Limit > 0 {
		var cancel context.CancelFunc
		deadline = time.Now().Add(opts.Limit)
		ctx, cancel = context.WithDeadline(parent, deadline)
		defer cancel()
	}
	// A dial can fail at the deadline a moment before ctx reports it.
	limitReached := func() bool {
		return ctx.Err() != nil || (!deadline.IsZero() && !time.Now().Before(deadline))
	}
	backoff := time.Second
	first := true
	for {
		err := w.session(ctx, first)
		first = false
		switch {
		case errors.Is(err, errNewMessage):
			return nil
		case parent.Err() != nil:
			return parent.Err()
		case limitReached():
			if opts.UntilNew {
				return &LimitError{What: fmt.Sprintf("no new message in %s within %s", opts.Mailbox, opts.Limit)}
			}
			return nil
		}
		var abort *imap.AbortError
		if !errors.As(err, &abort) || w.uidValidity == 0 {
			return err // not a dropped connection, or the first connect failed
		}
		if !opts.Quiet {
			opts.IO.Warnf("connection lost (%v); reconnecting in %s", err, backoff)
		}
		opts.Reconnect()
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			continue
		}
		backoff = min(backoff*2, time.Minute)
	}
}

// session connects (or reuses the connection), examines the mailbox and
// waits for events until an error.
func (w *watcher) session(ctx context.Context, first bool) error {
	opts := w.opts
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	mb, err := c.Examine(ctx, opts.Mailbox)
	if err != nil {
		return err
	}
	if first || mb.UIDValidity != w.uidValidity {
		uidNext := mb.UIDNext
		if uidNext == 0 && mb.Exists > 0 {
			// Change nothing until the baseline is known: after a drop
			// here the next session asks again.
			if uidNext, err = lastUIDPlusOne(ctx, c, mb.Exists); err != nil {
				return err
			}
		}
		if !first {
			w.emit(watchEvent{Event: "uidvalidity", UIDValidity: mb.UIDValidity})
		}
		w.uidValidity, w.uidNext = mb.UIDValidity, uidNext
	} else if err := w.reportNew(ctx, c); err != nil {
		return err // messages that came while we were away
	}
	w.exists = mb.Exists
	idle := !opts.ForcePoll && (c.Has(ctx, "IDLE") || c.Has(ctx, "IMAP4rev2"))
	w.announce = !opts.Quiet && first
	if w.announce && !idle {
		opts.IO.errorLine("", fmt.Sprintf("watching %s (NOOP every %s)", opts.Mailbox, opts.Poll))
		w.announce = false
	}
	for {
		if idle {
			err = w.idleOnce(ctx, c)
		} else {
			err = w.pollOnce(ctx, c)
		}
		if err != nil {
			return err
		}
		if err := w.handle(ctx, c); err != nil {
			return err
		}
	}
}

// lastUIDPlusOne is the baseline of a mailbox whose SELECT gave no
// [UIDNEXT] (RFC 3501 §6.3.1 allows that): one more than the UID of its
// last message, exists, whose UID is the highest (UIDs ascend with
// sequence numbers, §2.3.1.1). FETCH by number, not "*", so that a message
// arriving meanwhile is still reported as new.
func lastUIDPlusOne(ctx context.Context, c *imap.Client, exists uint32) (uint32, error) {
	var last uint32
	err := c.Fetch(ctx, imap.SeqSetNum(exists), &imap.FetchOptions{UID: true}, func(m *imap.FetchMessage) error {
		last = max(last, m.UID)
		return nil
	})
	if err != nil || last == 0 {
		return 0, err // without a UID, every message counts as new, as before
	}
	return last + 1, nil
}

// idleOnce idles until an event arrives, the renewal time, or the end.
func (w *watcher) idleOnce(ctx context.Context, c *imap.Client) error {
	ic, err := c.Idle(ctx)
	if err != nil {
		return err
	}
	if w.announce { // once the server accepted IDLE, events reach us
		w.opts.IO.errorLine("", fmt.Sprintf("watching %s (IDLE)", w.opts.Mailbox))
		w.announce = false
	}
	renew := time.NewTimer(w.opts.Renew)
	defer renew.Stop()
	select {
	case <-ic.Done():
	case <-renew.C:
		w.renewed = true
	case <-ctx.Done():
	case ev := <-w.events:
		w.pending = ev // handle reports it first
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ic.Stop(stopCtx); err != nil {
		return err
	}
	return ctx.Err()
}

// pollOnce waits one interval and sends NOOP so the server reports changes.
func (w *watcher) pollOnce(ctx context.Context, c *imap.Client) error {
	select {
	case <-time.After(w.opts.Poll):
	case <-ctx.Done():
		return ctx.Err()
	}
	return c.Noop(ctx)
}

// handle reports the queued events.
//
// A FETCH that announces a flag change need not carry the UID (RFC 3501
// §7.4.2; Dovecot sends none). The events of one round are held back
// until the UIDs of those messages are known: one FETCH (UID) for all of
// them, by their numbers as they are after the round's EXPUNGEs. Asking
// by number keeps the numbering still: no EXPUNGE may come during a FETCH
// (§7.4.1). This costs nothing at the start, nothing per message, and
// nothing with servers that send the UID.
func (w *watcher) handle(ctx context.Context, c *imap.Client) error {
	sawNew := false
	var batch []watchEvent
	var unknown []uidLookup
	for {
		r := w.pending
		w.pending = nil
		if r == nil {
			select {
			case r = <-w.events:
			default:
			}
		}
		if r == nil {
			break
		}
		switch r.Name {
		case "EXISTS":
			if r.Num > w.exists {
				sawNew = true
			}
			w.exists = r.Num
		case "EXPUNGE":
			batch = append(batch, watchEvent{Event: "expunge", Seq: r.Num})
			for i := range unknown {
				unknown[i].expunged(r.Num)
			}
			if w.exists > 0 {
				w.exists--
			}
		case "FETCH":
			if r.Fetch != nil && r.Fetch.Flags != nil {
				if r.Fetch.UID == 0 {
					unknown = append(unknown, uidLookup{event: len(batch), seq: r.Num})
				}
				batch = append(batch, watchEvent{Event: "flags", Seq: r.Num, UID: r.Fetch.UID, Flags: nonNil(r.Fetch.Flags)})
			}
		}
	}
	later, err := w.lookUpUIDs(ctx, c, batch, unknown)
	for _, ev := range batch {
		w.emit(ev) // even after a failed lookup: print what is known
	}
	for _, ev := range later {
		w.emit(ev)
	}
	if err != nil {
		return err
	}
	// At each IDLE renewal, look for messages whose EXISTS got lost.
	renewed := w.renewed
	w.renewed = false
	if sawNew || w.overflow.Swap(false) || renewed {
		return w.reportNew(ctx, c)
	}
	return nil
}

// uidLookup is a flags event whose UID is to be asked.
type uidLookup struct {
	event int    // index in the round's events
	seq   uint32 // the message's number now; 0 once it is expunged
}

// expunged follows "* n EXPUNGE" (RFC 3501 §7.4.1): the numbers above n
// go down by one, and message n is gone.
func (l *uidLookup) expunged(n uint32) {
	switch {
	case l.seq == n:
		l.seq = 0
	case l.seq > n:
		l.seq--
	}
}

// lookUpUIDs fills in the UIDs of the flags events in unknown with one
// FETCH (UID). A message expunged within the round keeps UID 0: its
// number now names another message. So do all after events were dropped
// (the queue overflowed), as a lost EXPUNGE would shift the numbers. The
// server may put newer FLAGS in its answer (RFC 3501 §7.4.1); they are
// returned as events to print after the round's. A refusal (NO, BAD)
// leaves UIDs 0 and is no error.
func (w *watcher) lookUpUIDs(ctx context.Context, c *imap.Client, batch []watchEvent, unknown []uidLookup) ([]watchEvent, error) {
	var seqs []uint32
	for _, l := range unknown {
		if l.seq != 0 {
			seqs = append(seqs, l.seq)
		}
	}
	if len(seqs) == 0 || w.overflow.Load() {
		return nil, nil
	}
	slices.Sort(seqs)
	seqs = slices.Compact(seqs)
	uids := make(map[uint32]uint32, len(seqs))
	flags := make(map[uint32][]string)
	err := c.Fetch(ctx, imap.SeqSetNum(seqs...), &imap.FetchOptions{UID: true}, func(m *imap.FetchMessage) error {
		if m.UID != 0 {
			uids[m.SeqNum] = m.UID
		}
		if m.Flags != nil {
			flags[m.SeqNum] = m.Flags
		}
		return nil
	})
	last := make(map[uint32][]string, len(unknown)) // the flags the round reports last, by number now
	for _, l := range unknown {
		if l.seq != 0 {
			batch[l.event].UID = uids[l.seq]
			last[l.seq] = batch[l.event].Flags
		}
	}
	var refused *imap.Error
	if errors.As(err, &refused) {
		// E.g. NO [EXPUNGEISSUED] (RFC 5530 §3): the watch goes on.
		w.opts.IO.Warnf("cannot learn the UIDs of changed messages: %v", err)
		err = nil
	}
	var later []watchEvent
	for _, seq := range seqs {
		if f, ok := flags[seq]; ok && uids[seq] != 0 && !sameFlags(f, last[seq]) {
			later = append(later, watchEvent{Event: "flags", Seq: seq, UID: uids[seq], Flags: nonNil(f)})
		}
	}
	return later, err
}

// sameFlags reports whether two FLAGS lists hold the same flags, in any
// order (a flag-list is a set, RFC 3501 §2.3.2).
func sameFlags(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// reportNew prints the UIDs at or above uidNext.
func (w *watcher) reportNew(ctx context.Context, c *imap.Client) error {
	var uids []uint32
	set := imap.NumSet{Ranges: []imap.NumRange{{Start: max(w.uidNext, 1), Stop: 0}}, UID: true}
	err := c.Fetch(ctx, set, &imap.FetchOptions{UID: true}, func(m *imap.FetchMessage) error {
		// n:* always includes the highest UID, even below n (RFC 3501 §6.4.8).
		if m.UID >= w.uidNext {
			uids = append(uids, m.UID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, uid := range uids {
		w.emit(watchEvent{Event: "new", UID: uid})
		w.uidNext = max(w.uidNext, uid+1)
	}
	if len(uids) > 0 && w.opts.UntilNew {
		return errNewMessage
	}
	return nil
}

// emit prints one event.
func (w *watcher) emit(ev watchEvent) {
	if w.opts.JSON {
		_ = writeJSONLine(w.opts.IO.Out, ev)
		return
	}
	switch ev.Event {
	case "new":
		fmt.Fprintf(w.opts.IO.Out, "new %d\n", ev.UID)
	case "expunge":
		fmt.Fprintf(w.opts.IO.Out, "expunge %d\n", ev.Seq)
	case "flags":
		uid := "-" // expunged before its UID could be asked
		if ev.UID != 0 {
			uid = strconv.FormatUint(uint64(ev.UID), 10)
		}
		fmt.Fprintf(w.opts.IO.Out, "flags %d %s %s\n", ev.Seq, uid, terminalSafe(strings.Join(ev.Flags, " "), false))
	case "uidvalidity":
		fmt.Fprintf(w.opts.IO.Out, "uidvalidity %d\n", ev.UIDValidity)
	}
}

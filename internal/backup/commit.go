package backup

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/imapctl/imapctl/internal/output"
)

// groupCommitter commits the messages of a mailbox sync in groups: the
// group's files are made durable (the sink's Flush: one syncfs, renames,
// folder fsyncs), then their manifest lines are appended and fsynced, and
// only then are they in the index (and, at the end of the sync, in the
// state file). That order is what crash safety rests on (doc.go).
//
// In the Maildir and eml formats a group is committed on a goroutine of
// its own while the next group is fetched into a second sink, so that the
// FETCH does not stall while the disk syncs; at most one group is in
// flight, and the next commit waits for it. The mbox format has one file,
// hence one sink, and commits in turn.
type groupCommitter struct {
	ms    *mailboxSync
	sinks []output.Sink
	cur   int // the sink that takes new messages
	// pending is the group being fetched (into sinks[cur]) and
	// pendingBytes its stored size.
	pending      []pendingMessage
	pendingBytes int64
	// inflight, when not nil, delivers the result of the group being
	// committed, whose entries are inflightEntries.
	inflight        chan error
	inflightEntries []Entry
	err             error // the first commit error; no commit after it
}

// newGroupCommitter opens the sinks of ms's folder.
func newGroupCommitter(ms *mailboxSync) (*groupCommitter, error) {
	g := &groupCommitter{ms: ms}
	n := 2
	if ms.state.Format == FormatMbox {
		n = 1
	}
	for range n {
		sink, err := newSink(ms.state.Format, ms.dir, ms.index.mboxEnd)
		if err != nil {
			g.close()
			return nil, err
		}
		g.sinks = append(g.sinks, sink)
	}
	return g, nil
}

// sink is where the next message goes.
func (g *groupCommitter) sink() output.Sink { return g.sinks[g.cur] }

// add puts a written message (or a failure) into the pending group and
// starts its commit once the group is full.
func (g *groupCommitter) add(p pendingMessage) error {
	g.pending = append(g.pending, p)
	g.pendingBytes += p.stored.Size
	opts := &g.ms.r.opts
	if len(g.pending) >= opts.BatchMessages || g.pendingBytes >= opts.BatchBytes {
		return g.start()
	}
	return g.err
}

// start commits the pending group: on a goroutine when there are two
// sinks (after the previous group's commit ended), else right away.
func (g *groupCommitter) start() error {
	if err := g.wait(); err != nil || len(g.pending) == 0 {
		return err
	}
	entries := make([]Entry, len(g.pending))
	for i, p := range g.pending {
		entries[i] = p.entry
	}
	sink := g.sinks[g.cur]
	g.pending, g.pendingBytes = g.pending[:0], 0
	if len(g.sinks) == 1 {
		g.inflight = make(chan error, 1)
		g.inflightEntries = entries
		g.inflight <- g.commit(sink, entries)
		return g.wait()
	}
	done := make(chan error, 1)
	g.inflight, g.inflightEntries = done, entries
	g.cur = (g.cur + 1) % len(g.sinks)
	go func() { done <- g.commit(sink, entries) }()
	return nil
}

// commit makes one group durable: files, then manifest lines. It touches
// nothing the fetching goroutine uses but the folder's files.
func (g *groupCommitter) commit(sink output.Sink, entries []Entry) error {
	crash := g.ms.r.opts.crashPoint
	crash("flushing")
	if _, err := sink.Flush(); err != nil {
		return err
	}
	crash("files committed")
	// A message whose stored bytes are not the server's (not lossless)
	// gets the SHA-256 of its file, now durable, as stored_sha256.
	for i := range entries {
		e := &entries[i]
		if e.Op != OpStored || e.Lossless || e.StoredSHA256 != "" {
			continue
		}
		d, err := digestStored(g.ms.state.Format, g.ms.dir, e, g.ms.state.Linesep)
		if err != nil {
			return err
		}
		if d.Size != e.StoredSize {
			return fmt.Errorf("backup: UID %d: %d bytes stored, %d read back", e.UID, e.StoredSize, d.Size)
		}
		e.StoredSHA256 = d.SHA256
	}
	if err := appendManifest(g.ms.dir, entries); err != nil {
		// The files are in place but not recorded: removed, they are
		// missing (fetched again by the next run) rather than extra.
		g.removeFiles(entries)
		return err
	}
	crash("manifest appended")
	return nil
}

// wait waits for the group in flight, if any, and puts its messages into
// the index once they are durable.
func (g *groupCommitter) wait() error {
	if g.inflight != nil {
		err := <-g.inflight
		g.inflight = nil
		if err != nil && g.err == nil {
			g.err = err
		}
		if err == nil {
			g.committed(g.inflightEntries)
		}
		g.inflightEntries = nil
	}
	return g.err
}

// committed puts the messages of a durable group into the index and
// counts them: a message counts as new (Summary.NewMessages, Bytes) only
// once its commit succeeded, since a failed commit removes its files.
func (g *groupCommitter) committed(entries []Entry) {
	var stored int
	var bytes int64
	var lossy int
	for i := range entries {
		e := &entries[i]
		g.ms.index.apply(e)
		if e.Op != OpStored {
			continue
		}
		stored++
		bytes += e.Size
		if !e.Lossless {
			lossy++
		}
	}
	if stored == 0 {
		return
	}
	g.ms.added += stored
	g.ms.r.add(func(s *Summary) {
		s.NewMessages += stored
		s.Bytes += bytes
		s.Lossy += lossy
	})
}

// flush commits everything pending and waits until it is durable.
func (g *groupCommitter) flush() error {
	if err := g.start(); err != nil {
		return err
	}
	return g.wait()
}

// close waits for a commit in flight and closes the sinks. A group still
// pending (after an error) is committed by the sink's Close without its
// manifest lines; its files are removed again, so that the messages are
// missing (fetched again by the next run), not extra.
func (g *groupCommitter) close() {
	g.wait()
	for _, s := range g.sinks {
		s.Close()
	}
	entries := make([]Entry, len(g.pending))
	for i, p := range g.pending {
		entries[i] = p.entry
	}
	g.removeFiles(entries)
	g.pending = nil
}

// removeFiles removes the message files of entries that are not recorded
// (Maildir, eml; an mbox is cut back to its recorded end by the next run).
func (g *groupCommitter) removeFiles(entries []Entry) {
	if g.ms.state.Format == FormatMbox {
		return
	}
	for _, e := range entries {
		if e.Op == OpStored && e.File != "" {
			os.Remove(filepath.Join(g.ms.dir, e.File))
		}
	}
}

package cmd

import "github.com/imapctl/imapctl/internal/output"

// fetchCommitter commits the groups of files fetch --out writes. With a
// Maildir or .eml sink (output.GroupDetacher) a full group is committed
// on a goroutine of its own (one syncfs, renames, folder fsyncs) while
// the FETCH goes on into the same sink, so that the network read does
// not stall while the disk syncs; at most one group is in flight, and the
// next commit waits for it. An mbox (one file) and stdout commit in turn.
// As in backup's groupCommitter, the first commit error stops all later
// commits.
//
// Only the goroutine that runs the FETCH calls its methods; the result of
// a commit (the --json lines) is reported there too, in commit order.
type fetchCommitter struct {
	sink     output.Sink
	detacher output.GroupDetacher // nil: commit in turn
	// report is told the messages a commit made durable; uidOf gives the
	// UID of each by storedKey.
	report func(stored []output.Stored, uidOf map[string]uint32) error
	// commitGroup commits a detached group ((*output.Group).Commit; a
	// test may wrap it).
	commitGroup func(*output.Group) ([]output.Stored, error)
	// inflight, when not nil, delivers the result of the group being
	// committed, whose UIDs are inflightUIDs.
	inflight     chan fetchCommitResult
	inflightUIDs map[string]uint32
	err          error // the first commit error; no commit after it
}

// fetchCommitResult is what a group commit returns.
type fetchCommitResult struct {
	stored []output.Stored
	err    error
}

// newFetchCommitter commits sink's groups, on a goroutine when the sink
// can detach them.
func newFetchCommitter(sink output.Sink, report func([]output.Stored, map[string]uint32) error) *fetchCommitter {
	c := &fetchCommitter{sink: sink, report: report, commitGroup: (*output.Group).Commit}
	c.detacher, _ = sink.(output.GroupDetacher)
	return c
}

// start commits the messages put since the last start, whose UIDs are
// uidOf: on a goroutine when the sink can detach them (after the commit
// in flight ended), else right away. After a commit error it commits
// nothing: the group is discarded and the error returned.
func (c *fetchCommitter) start(uidOf map[string]uint32) error {
	if err := c.wait(); err != nil {
		if c.detacher != nil {
			c.detacher.DetachGroup().Discard()
		}
		return err
	}
	if c.detacher == nil {
		stored, err := c.sink.Flush()
		return c.collect(fetchCommitResult{stored, err}, uidOf)
	}
	group := c.detacher.DetachGroup()
	if group.Len() == 0 {
		return nil
	}
	done := make(chan fetchCommitResult, 1)
	c.inflight, c.inflightUIDs = done, uidOf
	commit := c.commitGroup
	go func() {
		stored, err := commit(group)
		done <- fetchCommitResult{stored, err}
	}()
	return nil
}

// wait waits for the group in flight, if any, and reports its files.
func (c *fetchCommitter) wait() error {
	if c.inflight != nil {
		r := <-c.inflight
		uidOf := c.inflightUIDs
		c.inflight, c.inflightUIDs = nil, nil
		c.collect(r, uidOf)
	}
	return c.err
}

// collect reports a commit's files and keeps its error (the first one).
func (c *fetchCommitter) collect(r fetchCommitResult, uidOf map[string]uint32) error {
	err := c.report(r.stored, uidOf)
	if r.err != nil {
		err = r.err
	}
	if err != nil && c.err == nil {
		c.err = err
	}
	return c.err
}

// finish commits what is pending and waits until it is durable.
func (c *fetchCommitter) finish(uidOf map[string]uint32) error {
	if err := c.start(uidOf); err != nil {
		return err
	}
	return c.wait()
}

package output

// Group is a pending group commit taken out of a file sink by
// [GroupDetacher.DetachGroup]: messages whose bytes are written to temp
// files but not yet durable nor in place. Committing it touches only the
// group's own files, so it may run on another goroutine while the sink
// takes the next messages. Call Commit or Discard once.
type Group struct {
	files []pendingFile
}

// Len returns the number of messages in the group.
func (g *Group) Len() int { return len(g.files) }

// Commit makes the group's messages durable and puts them in place, as
// [Sink.Flush] does, and returns them with Committed set. After an error
// none of them counts as committed and their temp files are removed
// (some may already be in place; see [Sink.Flush]).
func (g *Group) Commit() ([]Stored, error) {
	if len(g.files) == 0 {
		return nil, nil
	}
	files := g.files
	g.files = nil
	out, err := commitFiles(files)
	if err != nil {
		removePending(files)
		return nil, err
	}
	return out, nil
}

// Discard removes the group's temp files: none of its messages is stored.
func (g *Group) Discard() {
	removePending(g.files)
	g.files = nil
}

// GroupDetacher is a group-commit sink whose pending group can be
// committed while it takes the next messages: the Maildir and .eml
// sinks, whose messages are files of their own. (An mbox is one file:
// its sink commits in turn.)
type GroupDetacher interface {
	Sink
	// DetachGroup takes the messages Put since the last Flush or
	// DetachGroup out of the sink and returns them as a Group to commit.
	// The sink keeps what names depend on (the .eml {n} counter and the
	// names given in the run), so later messages are named as if the
	// group had been flushed. Amend no longer finds a detached message,
	// and Flush and Close no longer commit it.
	DetachGroup() *Group
}

// DetachGroup takes the pending group out; see [GroupDetacher].
func (s *MaildirSink) DetachGroup() *Group { return s.file.detach() }

// DetachGroup takes the pending group out; see [GroupDetacher].
func (s *EMLSink) DetachGroup() *Group { return s.file.detach() }

// detach takes the pending files out of the sink.
func (s *fileSink) detach() *Group {
	g := &Group{files: s.pending}
	s.pending = nil
	return g
}

// The file sinks can commit a group while taking the next.
var (
	_ GroupDetacher = (*MaildirSink)(nil)
	_ GroupDetacher = (*EMLSink)(nil)
)

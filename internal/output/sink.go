package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Message is the metadata of one message handed to a [Sink]. Only UID,
// Flags and InternalDate come from the server's FETCH response (RFC 3501
// section 7.4.2); the rest is optional context used for file names.
type Message struct {
	// UID is the message's unique identifier (RFC 3501 section 2.3.1.1);
	// 0 when unknown (for example a message read from a file).
	UID uint32
	// UIDValidity is the mailbox's UIDVALIDITY (RFC 3501 section 2.3.1.1);
	// 0 when unknown. Used by the {uidvalidity} name placeholder.
	UIDValidity uint32
	// Mailbox is the decoded (UTF-8) mailbox name the message comes from.
	Mailbox string
	// Flags are the IMAP flags, for example `\Seen` (RFC 3501 section 2.3.2).
	Flags []string
	// InternalDate is the server's INTERNALDATE (RFC 3501 section 2.3.3).
	// It dates the mbox "From " line and becomes the file's modification
	// time; the zero value means now.
	InternalDate time.Time
	// Size, when positive, is the exact number of bytes the write function
	// must produce; any other count fails the Put with *SizeMismatchError.
	// Leave it 0 when a policy may change the bytes.
	Size int64
	// Sender is the envelope sender for the mbox "From " line; empty or
	// unusable (spaces, control bytes) becomes MAILER-DAEMON.
	Sender string
	// MessageID is the Message-ID header, used only by the {messageid}
	// name placeholder.
	MessageID string
	// Complete, when set, is called once the write function has returned
	// without error and before the sink names, dates and commits the
	// message. It fills in metadata that was not known when Put began: RFC
	// 3501 section 7.4.2 leaves the order of FETCH data items to the
	// server, and some send UID, FLAGS or INTERNALDATE after the body, so
	// a caller reads the rest of the FETCH response here. The final
	// Maildir name (",U=", info letters, cur/ or new/), the .eml name and
	// the file's modification time come from the completed metadata. An
	// error fails the Put: nothing of the message remains. An mbox "From "
	// line is written before the body (see [MboxSink.Put]), so it cannot
	// use what Complete adds.
	Complete func(m *Message) error
}

// complete runs m.Complete, if any.
func (m *Message) complete() error {
	if m.Complete == nil {
		return nil
	}
	return m.Complete(m)
}

// WriteFunc streams one message's bytes into w. Returning an error (or the
// context being cancelled) aborts the Put: nothing of the message is kept.
type WriteFunc func(w io.Writer) error

// Stored describes where a message went.
type Stored struct {
	// Path is the file holding the message (the mbox file for mbox sinks;
	// empty for a writer sink).
	Path string
	// Offset and End delimit the message in an mbox file: End is the file
	// size right after it, the value to pass as [MboxOptions.CommittedSize]
	// on the next run. Both are 0 for other sinks.
	Offset, End int64
	// Size is the number of message bytes the write function produced
	// (before any mbox quoting).
	Size int64
	// Committed is true when the message is durable (fsynced). With group
	// commit Put returns Committed false and Flush reports it committed.
	Committed bool
	// NewlineAdded is true when an mbox sink added a final newline the
	// message did not have.
	NewlineAdded bool
	// DroppedFlags lists flags a Maildir file name cannot carry.
	DroppedFlags []string
}

// Sink is a destination for messages. A Sink is not safe for concurrent
// use: give each goroutine (each mailbox of a backup) its own.
type Sink interface {
	// Put stores one message whose bytes write streams. If write returns
	// an error, or ctx is cancelled, nothing of this message remains and
	// messages stored before are untouched.
	Put(ctx context.Context, m Message, write WriteFunc) (Stored, error)
	// Flush makes every message Put since the last Flush durable and
	// returns them, now with Committed set. Without group commit each Put
	// is already durable and Flush returns nothing. After an error no
	// message of the batch counts as committed, although some may already
	// be in place (Maildir names carry ",U=<uid>" so a later run can find
	// them with ListMaildir; .eml names are replaced idempotently).
	Flush() ([]Stored, error)
	// Amend changes the metadata of a message that Put stored but that is
	// not committed yet (group commit): the server may send a message's
	// FLAGS, or its INTERNALDATE, in a later untagged FETCH response of
	// the same command (RFC 3501 section 7.4.2). Flags are replaced when
	// late.Flags is not nil, the date when late.InternalDate is not zero;
	// other fields are ignored. It returns the message's new Stored (a
	// Maildir name follows the flags) and true, or st and false when the
	// message is not pending any more, or the sink keeps neither flags nor
	// dates per message (mbox, stream): then nothing changed.
	Amend(st Stored, late Message) (Stored, bool)
	// Close flushes and releases files and locks. A sink is not usable
	// after Close.
	Close() error
}

// Options are the settings common to the file sinks.
type Options struct {
	// GroupCommit defers durability to Flush, so that a batch of messages
	// costs a few fsyncs instead of two per message.
	GroupCommit bool
	// FileMode is the permission of new message files; 0 means 0600.
	// Folders are created 0700.
	FileMode os.FileMode
}

func (o Options) fileMode() os.FileMode {
	if o.FileMode == 0 {
		return 0o600
	}
	return o.FileMode
}

// ErrClosed is returned by Put on a sink that was closed.
var ErrClosed = errors.New("output: sink closed")

// ErrSingleMessage is returned by a raw [WriterSink] asked to write a
// second message: raw output has no separator between messages.
var ErrSingleMessage = errors.New("output: raw output holds one message only")

// SizeMismatchError reports that a message's byte count differs from what
// was expected, or that the file on disk does not hold every byte written.
type SizeMismatchError struct {
	Path      string
	Want, Got int64
}

func (e *SizeMismatchError) Error() string {
	return fmt.Sprintf("output: %s: message has %d bytes, want %d", e.Path, e.Got, e.Want)
}

// NameError reports a file name template that is invalid, or a name that
// would leave the target folder or collide with another message's name.
type NameError struct {
	Template string
	Name     string
	Reason   string
}

func (e *NameError) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("output: name %q (template %q): %s", e.Name, e.Template, e.Reason)
	}
	return fmt.Sprintf("output: name template %q: %s", e.Template, e.Reason)
}

// LockedError reports that another process holds the lock on an mbox.
type LockedError struct {
	Path string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("output: %s is locked by another writer", e.Path)
}

// CommittedSizeError reports an mbox shorter than the size recorded as
// committed: it was changed by someone else and is not appended to.
type CommittedSizeError struct {
	Path            string
	Committed, Size int64
}

func (e *CommittedSizeError) Error() string {
	return fmt.Sprintf("output: %s has %d bytes, less than the %d recorded as committed", e.Path, e.Size, e.Committed)
}

// ctxWriter fails writes once its context is cancelled and counts bytes.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
	n   int64
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return n, err
}

// runWrite calls write with a context-checking counting writer around w and
// checks the outcome: the write error, the context, and the expected size.
func runWrite(ctx context.Context, m Message, path string, w io.Writer, write WriteFunc) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	cw := &ctxWriter{ctx: ctx, w: w}
	if err := write(cw); err != nil {
		return cw.n, err
	}
	if err := ctx.Err(); err != nil {
		return cw.n, err
	}
	if m.Size > 0 && cw.n != m.Size {
		return cw.n, &SizeMismatchError{Path: path, Want: m.Size, Got: cw.n}
	}
	return cw.n, nil
}

// Every sink can take late metadata.
var (
	_ Sink = (*WriterSink)(nil)
	_ Sink = (*MboxSink)(nil)
	_ Sink = (*MaildirSink)(nil)
	_ Sink = (*EMLSink)(nil)
)

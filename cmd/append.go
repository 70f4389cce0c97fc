package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"slices"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/policy"
	"github.com/spf13/cobra"
)

// AppendOptions are the inputs of the append command.
type AppendOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	Policy  func(defaultSpec string) (*policy.Policy, error)
	JSON    bool
	Quiet   bool

	Mailbox string
	// Inputs are message files, mboxes, Maildirs or "-" for stdin.
	Inputs []string
	Flags  []string
	// Date, when set, is every message's internal date.
	Date time.Time
}

// NewAppendCmd returns the append command (RFC 3501 §6.3.11).
func NewAppendCmd(f *Factory, runF func(*AppendOptions) error) *cobra.Command {
	opts := &AppendOptions{IO: f.IOStreams, Client: f.Client, Policy: f.Policy}
	var flagsArg []string
	var dateArg string
	cmd := &cobra.Command{
		Use:   "append MAILBOX [FILE...]",
		Short: "Upload messages from files, a Maildir, an mbox or stdin",
		Long: `Append messages to MAILBOX. A FILE is a message, an mbox, a Maildir or a
folder of .eml files; "-" or no FILE reads stdin (a message, or an mbox when
it starts with "From "). Each message is written under --policy (default
raw) with CRLF line endings, as IMAP requires, then sent.

The internal date is --date, else the message's Date header, else the mbox
"From " line date or the file's modification time. Flags are --flags plus
those in Maildir file names. With UIDPLUS, the new UID of each message is
printed, one per line (NDJSON with source and uidvalidity under --json).

Messages are sent without waiting for each answer (up to 64 in flight). When
the server refuses one, or the run is interrupted, nothing more is sent, but
the answers to those already sent are read and their UIDs printed, so that
every message the server stored is reported (a message whose APPEND has
begun is sent to its end; a second Ctrl-C stops at once).`,
		Args: rangeArgs(1, -1, "a MAILBOX and optional FILEs"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Quiet = f.Global.Quiet
			opts.Mailbox = args[0]
			opts.Inputs = args[1:]
			if len(opts.Inputs) == 0 {
				opts.Inputs = []string{"-"}
			}
			var err error
			if opts.Flags, err = parseFlagArgs(flagsArg); err != nil {
				return err
			}
			if dateArg != "" {
				if opts.Date, err = parseAppendDate(dateArg); err != nil {
					return err
				}
			}
			stdin := 0
			for _, in := range opts.Inputs {
				if in == "-" {
					stdin++
					continue
				}
				if err := checkReadable(in); err != nil {
					return &UsageError{err}
				}
			}
			if stdin > 1 {
				return usageErrorf("stdin (-) can be read only once")
			}
			if runF != nil {
				return runF(opts)
			}
			return appendRun(opts)
		},
	}
	cmd.Flags().StringArrayVar(&flagsArg, "flags", nil, `flags for the new messages, e.g. '\Seen,$Label1' (repeatable; split at commas and spaces)`)
	cmd.Flags().StringVar(&dateArg, "date", "", "internal date: YYYY-MM-DD, RFC 3339 or an RFC 5322 date")
	return cmd
}

// checkReadable opens path (a file, or a folder) so that an unreadable
// input fails before anything is sent.
func checkReadable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// parseAppendDate reads --date.
func parseAppendDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t, nil
	}
	return time.Time{}, usageErrorf("--date %q: want YYYY-MM-DD, RFC 3339 (2024-01-02T15:04:05+01:00) or an RFC 5322 date", s)
}

// appendedMessage is one line of append --json.
type appendedMessage struct {
	Source      string `json:"source"`
	Index       int    `json:"index"`
	UIDValidity uint32 `json:"uidvalidity,omitempty"`
	UID         uint32 `json:"uid,omitempty"`
	Size        int64  `json:"size"`
}

// appendWindow is how many APPENDs may be in flight at once: enough to
// hide the round trip on a distant server, few enough that an error (or a
// Ctrl-C) is acted on soon and leaves few messages whose outcome is still
// to be read.
const appendWindow = 64

// appendedItem is what append reports of a message it sent.
type appendedItem struct {
	source string
	where  string
	index  int
	size   int64
}

// appendRun writes each message under the policy into a spool and sends
// it. APPENDs are pipelined (up to appendWindow in flight): many messages
// cost one round trip, not one each. Answers are read in order, so UIDs
// print in the order of the input. When a message fails on the server, or
// the run is interrupted, nothing more is sent, the answers of those in
// flight are still read and printed, then the error is returned: every
// message the server took is reported.
func appendRun(opts *AppendOptions) error {
	pol, err := opts.Policy("raw")
	if err != nil {
		return err
	}
	// IMAP wants CRLF (RFC 3501 §2.3.1); only the line ending is forced.
	if pol, err = pol.Clone(policy.Override{Key: "linesep", Value: "CRLF"}); err != nil {
		return &UsageError{err}
	}
	ctx := opts.Context
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	failures := &batchFailures{io: opts.IO, quiet: opts.Quiet}
	total := 0
	// The first message the server refused stops the run; the answers to
	// those already sent are still read and reported.
	var serverErr error
	queue := &imap.AppendQueue[appendedItem]{Window: appendWindow, Done: func(a appendedItem, res *imap.AppendResult, err error) error {
		if err != nil {
			if serverErr == nil {
				serverErr = fmt.Errorf("%s: %w", a.where, err)
			}
			return serverErr
		}
		return reportAppended(opts, a, res)
	}}
	err = func() error {
		for _, name := range opts.Inputs {
			if name == "-" && opts.IO.IsStdinTTY && !opts.Quiet {
				fmt.Fprintln(opts.IO.ErrOut, "imapctl: reading a message from the terminal; end it with Ctrl-D")
			}
			src, err := openInput(opts.IO.In, name)
			if err != nil {
				return &UsageError{fmt.Errorf("append: %w", err)}
			}
			err = func() error {
				defer src.source.Close()
				for {
					if err := ctx.Err(); err != nil {
						return err // Ctrl-C: no new message; those sent are answered below
					}
					meta, body, err := src.source.Next()
					if err == io.EOF {
						return nil
					}
					if err != nil {
						return fmt.Errorf("append: %s: %w", src.name, err)
					}
					total++
					where := src.where(meta.Index)
					pending, size, err := startAppendOne(ctx, c, opts, pol, meta, body)
					if err != nil {
						if !isMessageFailure(err) || ctx.Err() != nil {
							// A refusal before the message was sent (a
							// tagged NO instead of the "+" of a
							// synchronising literal, RFC 3501 §7.5, or
							// over APPENDLIMIT, RFC 7889) names the
							// message, as one refused later does.
							return fmt.Errorf("%s: %w", where, err)
						}
						// Report in input order: the answers before it first.
						if err := queue.Drain(ctx); err != nil {
							return err
						}
						failures.add(where, err)
						continue
					}
					if err := queue.Add(ctx, pending, appendedItem{source: src.name, where: where, index: meta.Index, size: size}); err != nil {
						return err
					}
				}
			}()
			if err != nil {
				return err
			}
		}
		return nil
	}()
	if derr := queue.Drain(ctx); err == nil {
		err = derr
	}
	if err != nil {
		return err
	}
	return failures.result(total)
}

// reportAppended prints the UID of an appended message (NDJSON under
// --json).
func reportAppended(opts *AppendOptions, a appendedItem, res *imap.AppendResult) error {
	if opts.JSON {
		return writeJSONLine(opts.IO.Out, appendedMessage{Source: a.source, Index: a.index, UIDValidity: res.UIDValidity, UID: res.UID, Size: a.size})
	}
	if res.UID != 0 {
		_, err := fmt.Fprintln(opts.IO.Out, res.UID)
		return err
	}
	return nil
}

// startAppendOne spools one message and sends its APPEND, returning once
// the message is written (the spool is gone by then).
func startAppendOne(ctx context.Context, c *imap.Client, opts *AppendOptions, pol *policy.Policy, meta output.SourceMessage, body io.Reader) (*imap.PendingAppend, int64, error) {
	sp := &spool{limit: 1 << 20}
	defer sp.Close()
	if _, err := pol.Write(sp, body); err != nil {
		return nil, 0, err
	}
	date := opts.Date
	if date.IsZero() {
		if r, err := sp.Reader(); err == nil {
			if msg, err := mail.ReadMessage(io.LimitReader(r, 1<<20)); err == nil {
				date, _ = msg.Header.Date()
			}
		}
	}
	if date.IsZero() {
		date = meta.InternalDate
	}
	flags := slices.Clone(opts.Flags)
	for _, fl := range meta.Flags {
		if !slices.Contains(flags, fl) {
			flags = append(flags, fl)
		}
	}
	r, err := sp.Reader()
	if err != nil {
		return nil, 0, err
	}
	// The message is whole in the spool: once its APPEND has begun it is
	// sent to the end even after Ctrl-C (waiting for the "+" of a
	// synchronising literal, RFC 3501 §7.5), so that the connection stays
	// usable and the answers of the messages sent before it are still
	// read; --timeout bounds the wait, and a second Ctrl-C ends imapctl.
	pending, err := c.StartAppend(context.WithoutCancel(ctx), opts.Mailbox, sp.size, r, &imap.AppendOptions{Flags: flags, InternalDate: date})
	return pending, sp.size, err
}

// spool holds one message: in memory up to limit bytes, then in a
// temporary file, so that a large message costs disk, not memory.
type spool struct {
	limit int
	buf   bytes.Buffer
	file  *os.File
	size  int64
}

func (s *spool) Write(p []byte) (int, error) {
	if s.file == nil && s.buf.Len()+len(p) > s.limit {
		f, err := os.CreateTemp("", "imapctl-append-*")
		if err != nil {
			return 0, err
		}
		s.file = f
		if _, err := f.Write(s.buf.Bytes()); err != nil {
			return 0, err
		}
		s.buf = bytes.Buffer{}
	}
	var n int
	var err error
	if s.file != nil {
		n, err = s.file.Write(p)
	} else {
		n, err = s.buf.Write(p)
	}
	s.size += int64(n)
	return n, err
}

// Reader returns the spooled bytes from the start.
func (s *spool) Reader() (io.Reader, error) {
	if s.file == nil {
		return bytes.NewReader(s.buf.Bytes()), nil
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.LimitReader(s.file, s.size), nil
}

// Close removes the temporary file.
func (s *spool) Close() error {
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	err := s.file.Close()
	return errors.Join(err, os.Remove(name))
}

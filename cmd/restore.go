package cmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/imapctl/imapctl/internal/backup"
	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// RestoreOptions are the inputs of the restore command.
type RestoreOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	Account func() (backup.Account, error)
	JSON    bool
	Quiet   bool

	Dir    string
	Prefix string
	// From names the backed-up account to restore when DIR holds several.
	From string
	// Journal is --journal: the restore journal file ("" for the one in
	// the state folder).
	Journal string
	// LookupEnv reads XDG_STATE_HOME and HOME for the journal's folder.
	LookupEnv func(string) (string, bool)
}

// NewRestoreCmd returns the restore command.
func NewRestoreCmd(f *Factory, runF func(*RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{IO: f.IOStreams, Client: f.Client, Account: f.currentAccount, LookupEnv: f.LookupEnv}
	cmd := &cobra.Command{
		Use:   "restore DIR",
		Short: "Upload a backup (or a Maildir, mbox or .eml folder) to the account",
		Long: `Upload the messages of DIR to the account with APPEND, keeping their flags
and INTERNALDATE and creating mailboxes as needed. DIR is a backup made by
imapctl backup (or one account's folder in it), a Maildir, an mbox file or a
folder of .eml files. --to PREFIX restores under another mailbox.

A rerun uploads nothing twice: the APPENDUIDs are kept in a journal, and a
message the journal does not know is still skipped when the target mailbox
has one with the same Message-ID, size and SHA-256. Messages are streamed
from their files. Restore never writes into DIR (it may be read-only, or a
live Maildir): the journal is $XDG_STATE_HOME/imapctl/restore/HASH.jsonl
(default ~/.local/state/...), named from DIR, the target account and --to,
or --journal FILE. A journal that cannot be written is warned about and the
restore goes on. The same restore run twice at once fails at once (a lock
beside the journal).`,
		Args: exactArgs(1, "the folder DIR to restore"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON, opts.Quiet = f.Global.JSON, f.Global.Quiet
			opts.Dir = args[0]
			if runF != nil {
				return runF(opts)
			}
			return restoreRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Prefix, "to", "", "restore under this mailbox (PREFIX/<mailbox>)")
	cmd.Flags().StringVar(&opts.From, "from", "", "the backed-up account folder to restore, when DIR holds several")
	cmd.Flags().StringVar(&opts.Journal, "journal", "", "restore journal file (default in $XDG_STATE_HOME/imapctl/restore/)")
	return cmd
}

func restoreRun(opts *RestoreOptions) error {
	target, err := opts.Account()
	if err != nil {
		return err
	}
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	from := target
	if opts.From != "" {
		from = backup.Account{Name: opts.From}
	}
	journalDir := restoreJournalDir(opts.LookupEnv)
	if journalDir == "" && opts.Journal == "" {
		opts.IO.Warnf("no folder for the restore journal (neither XDG_STATE_HOME nor HOME is set); going on without it (or give --journal FILE)")
	}
	sum, err := backup.Restore(opts.Context, c, backup.RestoreOptions{
		Dir: opts.Dir, Account: from, Target: target.User + "@" + target.Host, Prefix: opts.Prefix,
		Journal: opts.Journal, JournalDir: journalDir, Warn: opts.IO.Warnf,
	})
	var partial *backup.PartialError
	var locked *backup.RestoreLockedError
	switch {
	case errors.As(err, &locked):
		return withHint(err, "wait for the other run to finish")
	case err != nil && !errors.As(err, &partial):
		return err
	}
	if opts.JSON {
		if err := writeJSONLine(opts.IO.Out, sum); err != nil {
			return err
		}
	} else if !opts.Quiet || partial != nil {
		fmt.Fprintf(opts.IO.Out, "restore: %d mailboxes, %d messages uploaded (%s), %d already there\n",
			sum.Mailboxes, sum.Uploaded, humanBytes(sum.Bytes), sum.Skipped)
	}
	if partial != nil {
		return restoreFailures(opts.IO, sum)
	}
	return nil
}

// restoreJournalDir is where restore keeps its journals:
// $XDG_STATE_HOME/imapctl/restore, falling back to ~/.local/state as the
// XDG base directory specification says; "" without either.
func restoreJournalDir(lookupEnv func(string) (string, bool)) string {
	if dir, ok := lookupEnv("XDG_STATE_HOME"); ok && filepath.IsAbs(dir) {
		return filepath.Join(dir, "imapctl", "restore")
	}
	if home, ok := lookupEnv("HOME"); ok && home != "" {
		return filepath.Join(home, ".local", "state", "imapctl", "restore")
	}
	return ""
}

// restorePartialError is the PartialError (exit 6) of a restore, worded
// for what failed: messages on their own, whole mailboxes, or both. A
// failed mailbox is not a message, and the messages it left behind are
// not counted.
type restorePartialError struct {
	partial *PartialError
	text    string
}

func (e *restorePartialError) Error() string { return e.text }
func (e *restorePartialError) Unwrap() error { return e.partial }

// restoreFailures names every failure of sum on stderr and returns the
// error that exits 6, saying "N of M messages" (M: the messages looked
// at) and "K of L mailboxes".
func restoreFailures(ios *IOStreams, sum *backup.RestoreSummary) error {
	for _, f := range sum.Failures {
		ios.errorLine("failed: ", f.String())
	}
	looked := sum.Uploaded + sum.Skipped + sum.FailedMessages
	partial := &PartialError{Failed: sum.FailedMessages, Total: looked, First: errors.New(sum.Failures[0].String())}
	var parts []string
	if sum.FailedMessages > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d messages", sum.FailedMessages, looked))
	}
	if sum.FailedMailboxes > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d mailboxes", sum.FailedMailboxes, sum.Mailboxes))
	}
	return &restorePartialError{partial: partial,
		text: fmt.Sprintf("%s failed; first: %v", strings.Join(parts, " and "), partial.First)}
}

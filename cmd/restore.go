package cmd

import (
	"context"
	"errors"
	"fmt"

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
}

// NewRestoreCmd returns the restore command.
func NewRestoreCmd(f *Factory, runF func(*RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{IO: f.IOStreams, Client: f.Client, Account: f.currentAccount}
	cmd := &cobra.Command{
		Use:   "restore DIR",
		Short: "Upload a backup (or a Maildir, mbox or .eml folder) to the account",
		Long: `Upload the messages of DIR to the account with APPEND, keeping their flags
and INTERNALDATE and creating mailboxes as needed. DIR is a backup made by
imapctl backup (or one account's folder in it), a Maildir, an mbox file or a
folder of .eml files. --to PREFIX restores under another mailbox.

A rerun uploads nothing twice: the APPENDUIDs are kept in a journal
(DIR/<account>/.imapctl-restore/), and a message the journal does not know is
still skipped when the target mailbox has one with the same Message-ID, size
and SHA-256. Messages are streamed from their files.`,
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
	sum, err := backup.Restore(opts.Context, c, backup.RestoreOptions{
		Dir: opts.Dir, Account: from, Target: target.User + "@" + target.Host, Prefix: opts.Prefix,
		Warn: opts.IO.Warnf,
	})
	var partial *backup.PartialError
	if err != nil && !errors.As(err, &partial) {
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
		return reportFailures(opts.IO, partial.Failures, sum.Uploaded+len(partial.Failures))
	}
	return nil
}

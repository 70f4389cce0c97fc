package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/imapctl/imapctl/internal/backup"
	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// VerifyOptions are the inputs of the verify command.
type VerifyOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	// Account returns the account connected to (its name finds its folder
	// in a backup of several accounts).
	Account func() (backup.Account, error)
	JSON    bool
	Quiet   bool

	Dir  string
	Deep bool
}

// NewVerifyCmd returns the verify command.
func NewVerifyCmd(f *Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: f.IOStreams, Client: f.Client, Account: f.currentAccount}
	cmd := &cobra.Command{
		Use:   "verify DIR",
		Short: "Compare a backup with the server and its files with the manifest",
		Long: `Check a backup made by imapctl backup: every file against its manifest line
(SHA-256 of the stored bytes, and of the bytes put back to CRLF when stored
losslessly), and every mailbox against the server (UIDs, RFC822.SIZE, and
with --deep the SHA-256 of every message). A mailbox whose UIDVALIDITY
differs (a restored copy) is compared by content.

Prints one line per difference — "MAILBOX: UID n: missing|extra|size|content|
file-missing|file-changed|file-extra" — then a summary unless --quiet; with
--json one object per difference and a summary object. Exit status 0 only
when backup and server match, 6 otherwise. A backup running in DIR makes
verify fail at once (nothing compared), as does a backup that started while
verify was comparing: run verify again once it has finished.`,
		Args: exactArgs(1, "the backup folder DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON, opts.Quiet = f.Global.JSON, f.Global.Quiet
			opts.Dir = args[0]
			if runF != nil {
				return runF(opts)
			}
			return verifyRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Deep, "deep", false, "also compare the SHA-256 of every message on the server")
	return cmd
}

func verifyRun(opts *VerifyOptions) error {
	acct, err := opts.Account()
	if err != nil {
		return err
	}
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	rep, err := backup.Verify(opts.Context, c, backup.VerifyOptions{Dir: opts.Dir, Account: acct, Deep: opts.Deep})
	var locked *backup.LockedError
	var during *backup.BackupDuringVerifyError
	switch {
	case errors.As(err, &locked), errors.As(err, &during):
		return withHint(err, "wait for the backup to finish, then run verify again")
	case err != nil:
		return err
	}
	mismatches := 0
	for _, d := range rep.Differences {
		if d.Kind != backup.DiffUIDValidity {
			mismatches++
		}
		if opts.JSON {
			if err := writeJSONLine(opts.IO.Out, d); err != nil {
				return err
			}
		} else if d.Kind != backup.DiffUIDValidity || !opts.Quiet {
			fmt.Fprintln(opts.IO.Out, d)
		}
	}
	if opts.JSON {
		if err := writeJSONLine(opts.IO.Out, map[string]any{"mailboxes": rep.Mailboxes, "messages": rep.Messages, "differences": mismatches, "match": mismatches == 0}); err != nil {
			return err
		}
	} else if !opts.Quiet {
		verdict := "backup and server match"
		if mismatches > 0 {
			verdict = fmt.Sprintf("%d differences", mismatches)
		}
		fmt.Fprintf(opts.IO.Out, "verify: %d mailboxes, %d messages: %s\n", rep.Mailboxes, rep.Messages, verdict)
	}
	if mismatches > 0 {
		for _, d := range rep.Differences {
			if d.Kind != backup.DiffUIDValidity {
				return &DifferencesError{Differences: mismatches, First: d.String()}
			}
		}
	}
	return nil
}

// DifferencesError is the last line of a verify that found differences.
// They are not a count of the backup's messages (a message missing from
// the backup is one too), so none is given. It exits with ExitPartial.
type DifferencesError struct {
	Differences int
	First       string
}

func (e *DifferencesError) Error() string {
	return fmt.Sprintf("%s between the backup and the server; first: %s", countOf(e.Differences, "difference", "differences"), e.First)
}

// Unwrap makes the error a PartialError for the exit status.
func (e *DifferencesError) Unwrap() error {
	return &PartialError{Failed: e.Differences, Total: e.Differences}
}

// currentAccount is the account of this run's settings, as backup names
// it: the config account name, or user@host.
func (f *Factory) currentAccount() (backup.Account, error) {
	s, err := f.Settings()
	if err != nil {
		return backup.Account{}, err
	}
	return backup.Account{Name: accountName(s), User: s.User, Host: s.Host}, nil
}

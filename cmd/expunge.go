package cmd

import (
	"context"
	"fmt"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// ExpungeOptions are the inputs of the expunge command.
type ExpungeOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool
	Mailbox string
	// UIDs, when set, limits the expunge to these (UID EXPUNGE).
	UIDs *imap.NumSet
}

// NewExpungeCmd returns the expunge command (RFC 3501 §6.4.3, UID
// EXPUNGE RFC 4315 §2.1).
func NewExpungeCmd(f *Factory, runF func(*ExpungeOptions) error) *cobra.Command {
	opts := &ExpungeOptions{IO: f.IOStreams, Client: f.Client}
	var uidArg string
	cmd := &cobra.Command{
		Use:   "expunge MAILBOX",
		Short: "Remove messages marked \\Deleted",
		Long: `Remove the messages of MAILBOX marked \Deleted, or with --uid SET only those
of SET (UID EXPUNGE, needs UIDPLUS). Prints the sequence numbers the server
reported as expunged, one per line, in the order it sent them.`,
		Args: exactArgs(1, "one MAILBOX"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Mailbox = args[0]
			if uidArg != "" {
				set, err := parseSetArg(uidArg, false)
				if err != nil {
					return err
				}
				opts.UIDs = &set
			}
			if runF != nil {
				return runF(opts)
			}
			return expungeRun(opts)
		},
	}
	cmd.Flags().StringVar(&uidArg, "uid", "", "expunge only these UIDs (UID EXPUNGE)")
	return cmd
}

// expungeRun selects read-write and expunges.
func expungeRun(opts *ExpungeOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	if _, err := c.Select(opts.Context, opts.Mailbox, nil); err != nil {
		return err
	}
	var seqs []uint32
	if opts.UIDs != nil {
		seqs, err = c.UIDExpunge(opts.Context, *opts.UIDs)
	} else {
		seqs, err = c.Expunge(opts.Context)
	}
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSONLine(opts.IO.Out, map[string][]uint32{"expunged": nonNilNums(seqs)})
	}
	for _, n := range seqs {
		if _, err := fmt.Fprintln(opts.IO.Out, n); err != nil {
			return err
		}
	}
	return nil
}

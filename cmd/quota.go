package cmd

import (
	"context"
	"fmt"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// QuotaOptions are the inputs of the quota command.
type QuotaOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool
	Mailbox string
}

// NewQuotaCmd returns the quota command (GETQUOTAROOT, RFC 9208 §4.3).
func NewQuotaCmd(f *Factory, runF func(*QuotaOptions) error) *cobra.Command {
	opts := &QuotaOptions{IO: f.IOStreams, Client: f.Client}
	return &cobra.Command{
		Use:   "quota [MAILBOX]",
		Short: "Show the quota usage and limits of a mailbox (default INBOX)",
		Long: `Print the quota roots of MAILBOX and their resources as
"ROOT RESOURCE USAGE LIMIT" lines (STORAGE is in KiB, MESSAGE in messages,
RFC 9208), or NDJSON with --json. ROOT is Go-quoted; control characters a
server puts in ROOT or RESOURCE are shown as escapes (\x1b), never sent to
the terminal.`,
		Args: rangeArgs(0, 1, "at most one MAILBOX"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Mailbox = "INBOX"
			if len(args) == 1 {
				opts.Mailbox = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return quotaRun(opts)
		},
	}
}

type jsonQuota struct {
	Root     string `json:"root"`
	Resource string `json:"resource"`
	Usage    uint64 `json:"usage"`
	Limit    uint64 `json:"limit"`
}

// quotaRun asks GETQUOTAROOT.
func quotaRun(opts *QuotaOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	_, quotas, err := c.GetQuotaRoot(opts.Context, opts.Mailbox)
	if err != nil {
		return err
	}
	for _, q := range quotas {
		for _, r := range q.Resources {
			if opts.JSON {
				err = writeJSONLine(opts.IO.Out, jsonQuota{q.Root, r.Name, r.Usage, r.Limit})
			} else {
				_, err = fmt.Fprintf(opts.IO.Out, "%q %s %d %d\n", q.Root, terminalSafe(r.Name, false), r.Usage, r.Limit)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

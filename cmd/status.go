package cmd

import (
	"context"
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// StatusOptions are the inputs of the status command.
type StatusOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool
	Mailbox string
	Items   []string
}

// NewStatusCmd returns the status command (RFC 3501 §6.3.10).
func NewStatusCmd(f *Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IOStreams, Client: f.Client}
	return &cobra.Command{
		Use:   "status MAILBOX [ITEM...]",
		Short: "Show a mailbox's counts without selecting it",
		Long: `Print STATUS items of MAILBOX as "item: value" lines (or one JSON object).
Items default to MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN, plus
HIGHESTMODSEQ when the server has CONDSTORE.`,
		Args: rangeArgs(1, -1, "a MAILBOX and optional STATUS items"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Mailbox = args[0]
			opts.Items = args[1:]
			for _, item := range opts.Items {
				if item == "" || strings.ContainsAny(item, " ()\"\\{}%*\r\n") {
					return usageErrorf("bad STATUS item %q", item)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return statusRun(opts)
		},
	}
}

// statusRun asks STATUS and prints the items in the order asked.
func statusRun(opts *StatusOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	items := opts.Items
	if len(items) == 0 {
		items = []string{"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN"}
		if c.Has(opts.Context, "CONDSTORE") {
			items = append(items, "HIGHESTMODSEQ")
		}
	}
	st, err := c.Status(opts.Context, opts.Mailbox, items)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSONLine(opts.IO.Out, lowerKeys(st.Items))
	}
	var kvs []keyValue
	for _, item := range items {
		if v, ok := st.Items[strings.ToUpper(item)]; ok {
			kvs = append(kvs, keyValue{strings.ToLower(item), v})
		}
	}
	return writeKeyValues(opts.IO.Out, kvs)
}

package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// ListOptions are the inputs of the list command.
type ListOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool

	Pattern    string
	Reference  string
	Subscribed bool
	Status     bool
}

// listStatusItems are the counts --status asks for.
var listStatusItems = []string{"MESSAGES", "UNSEEN", "RECENT", "UIDNEXT", "UIDVALIDITY"}

// NewListCmd returns the list command (RFC 3501 §6.3.8 LIST, §6.3.9 LSUB).
func NewListCmd(f *Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Client: f.Client}
	cmd := &cobra.Command{
		Use:   "list [PATTERN]",
		Short: "List mailboxes, one UTF-8 name per line",
		Long: `List mailboxes matching PATTERN (default "*": all; "%" matches one level).
Names are decoded from modified UTF-7 to UTF-8. With --json, each mailbox is
one JSON object: name, delimiter, attributes (with the special-use ones such
as \Sent and \Trash) and, with --status, its counts.

In text output, control characters and invalid UTF-8 in a name are written
as Go-style escapes (ESC as \x1b, LF as \x0a, U+009B as \u009b), so that
each line holds exactly one name; backslashes are not escaped. --json output
holds the exact name (JSON escapes).`,
		Args: rangeArgs(0, 1, "at most one PATTERN"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Pattern = "*"
			if len(args) == 1 {
				opts.Pattern = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Reference, "ref", "", "reference name the pattern is relative to")
	cmd.Flags().BoolVar(&opts.Subscribed, "subscribed", false, "list subscribed mailboxes only (LSUB)")
	cmd.Flags().BoolVar(&opts.Status, "status", false, "add message counts (LIST-STATUS, else STATUS)")
	return cmd
}

// listedMailbox is the JSON form of one mailbox.
type listedMailbox struct {
	Name       string            `json:"name"`
	Delimiter  string            `json:"delimiter"`
	Attributes []string          `json:"attributes"`
	Status     map[string]uint64 `json:"status,omitempty"`
}

// listRun prints the mailboxes.
func listRun(opts *ListOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	var boxes []*imap.ListMailbox
	if opts.Subscribed {
		boxes, err = c.Lsub(opts.Context, opts.Reference, opts.Pattern)
		if err == nil && opts.Status {
			err = addStatus(opts.Context, c, boxes)
		}
	} else {
		// Special-use attributes (\Sent, \Drafts, ...) are only sent when
		// asked for (RFC 6154 §5.2); the client asks only when the server
		// offers SPECIAL-USE.
		lo := &imap.ListOptions{ReturnSpecialUse: true}
		if opts.Status {
			lo.Status = listStatusItems
		}
		boxes, err = c.List(opts.Context, opts.Reference, opts.Pattern, lo)
	}
	if err != nil {
		return err
	}
	for _, m := range boxes {
		if opts.JSON {
			out := listedMailbox{Name: m.Name, Delimiter: m.Delimiter, Attributes: m.Attributes}
			if out.Attributes == nil {
				out.Attributes = []string{}
			}
			if m.Status != nil {
				out.Status = lowerKeys(m.Status.Items)
			}
			if err := writeJSONLine(opts.IO.Out, out); err != nil {
				return err
			}
			continue
		}
		// A name is the server's choice: control characters are escaped so
		// that it cannot forge lines or drive the terminal.
		line := terminalSafe(m.Name, false)
		if m.Status != nil {
			line += "\t" + statusSummary(m.Status)
		}
		if _, err := fmt.Fprintln(opts.IO.Out, line); err != nil {
			return err
		}
	}
	return nil
}

// addStatus fills the status of each selectable mailbox with STATUS, the
// commands pipelined (one round trip for all).
func addStatus(ctx context.Context, c *imap.Client, boxes []*imap.ListMailbox) error {
	return c.StatusEach(ctx, boxes, listStatusItems)
}

// statusSummary renders counts as "messages=3 unseen=1 ...".
func statusSummary(st *imap.MailboxStatus) string {
	var parts []string
	for _, item := range listStatusItems {
		if v, ok := st.Items[item]; ok {
			parts = append(parts, fmt.Sprintf("%s=%d", strings.ToLower(item), v))
		}
	}
	return strings.Join(parts, " ")
}

func lowerKeys(m map[string]uint64) map[string]uint64 {
	out := make(map[string]uint64, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

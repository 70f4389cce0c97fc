package cmd

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

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

With --status, a mailbox whose STATUS the server refuses is listed without
counts (with --json, "status_error" holds the server's answer) and gets one
warning line on stderr. A mailbox that does not exist, such as a stale
subscription (RFC 3501 §6.3.9), is no error; any other refusal exits 5
once every mailbox has been listed.

In text output, control characters and invalid UTF-8 in a name are written
as Go-style escapes (ESC as \x1b, LF as \x0a, U+009B as \u009b), so that
each line holds exactly one name; backslashes are not escaped. --json output
holds the exact name (JSON escapes) when it is valid UTF-8. JSON cannot hold
other bytes: for such a name, "name" has U+FFFD in their place and
"name_base64" holds the exact bytes (standard base64).`,
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
	Name string `json:"name"`
	// NameBase64 is the exact name, for a name that is not valid UTF-8:
	// encoding/json puts U+FFFD in Name for its invalid bytes.
	NameBase64 string            `json:"name_base64,omitempty"`
	Delimiter  string            `json:"delimiter"`
	Attributes []string          `json:"attributes"`
	Status     map[string]uint64 `json:"status,omitempty"`
	// StatusError is the server's answer when its STATUS failed.
	StatusError string `json:"status_error,omitempty"`
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
	// A STATUS the server refused for some mailboxes (a stale
	// subscription, RFC 3501 §6.3.9) leaves those without counts; the
	// others are still listed.
	if err != nil && !statusRefused(boxes) {
		return err
	}
	for _, m := range boxes {
		if opts.JSON {
			out := listedMailbox{Name: m.Name, Delimiter: m.Delimiter, Attributes: m.Attributes}
			if !utf8.ValidString(m.Name) {
				out.NameBase64 = base64.StdEncoding.EncodeToString([]byte(m.Name))
			}
			if out.Attributes == nil {
				out.Attributes = []string{}
			}
			if m.Status != nil {
				out.Status = lowerKeys(m.Status.Items)
			}
			if m.StatusErr != nil {
				out.StatusError = m.StatusErr.Error()
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
	return statusFailures(opts.Context, c, opts.IO, boxes)
}

// statusRefused reports whether the server answered the STATUS of some
// mailboxes of boxes with NO or BAD, and every STATUS error is such an
// answer (not a lost connection).
func statusRefused(boxes []*imap.ListMailbox) bool {
	refused := false
	for _, m := range boxes {
		if m.StatusErr == nil {
			continue
		}
		var serverErr *imap.Error
		if !errors.As(m.StatusErr, &serverErr) {
			return false
		}
		refused = true
	}
	return refused
}

// statusFailures writes one warning for each mailbox of boxes whose STATUS
// failed because it does not exist: LSUB lists subscriptions to deleted
// mailboxes (RFC 3501 §6.3.9), which is no error. The first other failure
// is returned (exit 5), the rest warned about: each mailbox gets one
// stderr line.
func statusFailures(ctx context.Context, c *imap.Client, ios *IOStreams, boxes []*imap.ListMailbox) error {
	var first error
	for _, m := range boxes {
		if m.StatusErr == nil {
			continue
		}
		if first == nil && !mailboxGone(ctx, c, m) {
			first = fmt.Errorf("mailbox %q: no counts: %w", m.Name, m.StatusErr)
			continue
		}
		ios.Warnf("mailbox %q: no counts: %v", m.Name, m.StatusErr)
	}
	return first
}

// mailboxGone reports whether m, whose STATUS failed, does not exist: the
// server said so with [NONEXISTENT] (RFC 5530 §3), or, as Dovecot answers
// STATUS with a bare NO, a LIST of its exact name does not return it
// (or returns it \NonExistent, RFC 5258 §3).
func mailboxGone(ctx context.Context, c *imap.Client, m *imap.ListMailbox) bool {
	var serverErr *imap.Error
	if !errors.As(m.StatusErr, &serverErr) {
		return false
	}
	if serverErr.Code == "NONEXISTENT" {
		return true
	}
	list, err := c.List(ctx, "", m.Name, nil)
	if err != nil {
		return false
	}
	for _, l := range list {
		if l.Name == m.Name && !l.HasAttribute(`\NonExistent`) {
			return false
		}
	}
	return true
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

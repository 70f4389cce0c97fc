package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// StoreOptions are the inputs of the store command.
type StoreOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool

	Mailbox string
	Set     imap.NumSet
	Action  imap.StoreAction
	Flags   []string
	Silent  bool
}

// NewStoreCmd returns the store command (RFC 3501 §6.4.6).
func NewStoreCmd(f *Factory, runF func(*StoreOptions) error) *cobra.Command {
	opts := &StoreOptions{IO: f.IOStreams, Client: f.Client}
	var add, remove, replace, seq bool
	cmd := &cobra.Command{
		Use:   "store MAILBOX SET --add|--remove|--set FLAG...",
		Short: "Add, remove or set flags of messages",
		Long: `Change the flags of the messages of SET (UIDs unless --seq) and print each
message's new flags: "UID FLAG..." lines, or NDJSON with --json. Control
characters in a server's flag keywords are shown as escapes (\x1b). For example:

  imapctl store INBOX 4:7 --add '\Seen' '$Done'
  imapctl store INBOX 12 --set            # clear all flags`,
		Args: rangeArgs(2, -1, "MAILBOX, SET and flags"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Mailbox = args[0]
			var err error
			if opts.Set, err = parseSetArg(args[1], seq); err != nil {
				return err
			}
			switch {
			case add && !remove && !replace:
				opts.Action = imap.StoreAdd
			case remove && !add && !replace:
				opts.Action = imap.StoreRemove
			case replace && !add && !remove:
				opts.Action = imap.StoreReplace
			default:
				return usageErrorf("store wants exactly one of --add, --remove or --set")
			}
			if opts.Flags, err = parseFlagArgs(args[2:]); err != nil {
				return err
			}
			if len(opts.Flags) == 0 && opts.Action != imap.StoreReplace {
				return usageErrorf("store --add/--remove wants at least one FLAG")
			}
			if runF != nil {
				return runF(opts)
			}
			return storeRun(opts)
		},
	}
	cmd.Flags().BoolVar(&add, "add", false, "add the flags (+FLAGS)")
	cmd.Flags().BoolVar(&remove, "remove", false, "remove the flags (-FLAGS)")
	cmd.Flags().BoolVar(&replace, "set", false, "replace all flags with these (FLAGS)")
	cmd.Flags().BoolVar(&opts.Silent, "silent", false, "do not ask for or print the new flags (.SILENT)")
	cmd.Flags().BoolVar(&seq, "seq", false, "SET holds sequence numbers, not UIDs")
	return cmd
}

// storedFlags is one line of store --json.
type storedFlags struct {
	UID   uint32   `json:"uid"`
	Seq   uint32   `json:"seq"`
	Flags []string `json:"flags"`
}

// storeRun selects the mailbox read-write and stores the flags.
func storeRun(opts *StoreOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	if _, err := c.Select(opts.Context, opts.Mailbox, nil); err != nil {
		return err
	}
	res, err := c.Store(opts.Context, opts.Set, opts.Action, opts.Flags, &imap.StoreOptions{Silent: opts.Silent})
	if err != nil {
		return err
	}
	if opts.Silent {
		return nil
	}
	var exists uint32
	if mb := c.Mailbox(); mb != nil {
		exists = mb.Exists
	}
	asked := askedNumbers(opts.Set, res.Messages, exists)
	for _, m := range res.Messages {
		if m.Flags == nil || !asked(m) {
			// A FETCH for a message outside SET is another client's change
			// (RFC 3501 §7.4.2 unilateral) or a server's error: not ours to
			// print as the result of this STORE.
			continue
		}
		if opts.JSON {
			if err := writeJSONLine(opts.IO.Out, storedFlags{UID: m.UID, Seq: m.SeqNum, Flags: nonNil(m.Flags)}); err != nil {
				return err
			}
			continue
		}
		id := m.UID
		if !opts.Set.UID || id == 0 {
			id = m.SeqNum
		}
		line := fmt.Sprint(id)
		if len(m.Flags) > 0 {
			line += " " + terminalSafe(strings.Join(m.Flags, " "), false)
		}
		if _, err := fmt.Fprintln(opts.IO.Out, line); err != nil {
			return err
		}
	}
	return nil
}

// askedNumbers returns a test of whether a FETCH response of a STORE on set
// is about a message of set: by UID for a UID set (a response without UID
// is not), else by sequence number. "*" is the largest number in use
// (RFC 3501 §9), so "10:*" takes in the last message even when it is
// below 10 (§6.4.8): for sequence numbers that is exists, the mailbox's
// message count after the STORE; for UIDs the UID of message exists,
// or, when no response is about it, the largest UID among msgs.
func askedNumbers(set imap.NumSet, msgs []*imap.FetchMessage, exists uint32) func(*imap.FetchMessage) bool {
	number := func(m *imap.FetchMessage) uint32 {
		if set.UID {
			return m.UID
		}
		return m.SeqNum
	}
	largest := exists
	if set.UID {
		largest = 0
		for _, m := range msgs {
			if m.SeqNum == exists && m.UID != 0 {
				largest = m.UID
				break
			}
			largest = max(largest, m.UID)
		}
	}
	return func(m *imap.FetchMessage) bool {
		n := number(m)
		return n != 0 && set.ContainsUpTo(n, largest)
	}
}

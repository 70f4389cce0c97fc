package cmd

import (
	"context"
	"errors"
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// SelectOptions are the inputs of the select command.
type SelectOptions struct {
	IO        *IOStreams
	Context   context.Context
	Client    func(context.Context) (*imap.Client, error)
	JSON      bool
	Mailbox   string
	ReadWrite bool
}

// NewSelectCmd returns the select command (RFC 3501 §6.3.1 SELECT, §6.3.2
// EXAMINE).
func NewSelectCmd(f *Factory, runF func(*SelectOptions) error) *cobra.Command {
	opts := &SelectOptions{IO: f.IOStreams, Client: f.Client}
	cmd := &cobra.Command{
		Use:   "select MAILBOX",
		Short: "Show a mailbox's state (EXAMINE unless --read-write)",
		Long: `Open MAILBOX read-only with EXAMINE (or SELECT with --read-write) and print
what the server reports: exists, recent, first_unseen (the sequence number of
the first unseen message, from [UNSEEN n]), uidvalidity, uidnext, flags,
permanentflags, highestmodseq (with CONDSTORE) and read_only, as "key: value"
lines or, with --json, one JSON object. Control characters in a server's flag
keywords are shown as escapes (\x1b), never sent to the terminal.

When the server opens a mailbox read-only although --read-write asked for
SELECT ([READ-ONLY]), the state is printed (read_only: true) and imapctl
exits 5 with an error line saying the mailbox is not writable.`,
		Args: exactArgs(1, "one MAILBOX"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Mailbox = args[0]
			if runF != nil {
				return runF(opts)
			}
			return selectRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.ReadWrite, "read-write", false, "use SELECT (may clear \\Recent) instead of EXAMINE")
	return cmd
}

// selectedMailbox is the JSON form of a SELECT result.
type selectedMailbox struct {
	Name           string   `json:"name"`
	Exists         uint32   `json:"exists"`
	Recent         uint32   `json:"recent"`
	FirstUnseen    uint32   `json:"first_unseen,omitempty"`
	UIDValidity    uint32   `json:"uidvalidity"`
	UIDNext        uint32   `json:"uidnext,omitempty"`
	Flags          []string `json:"flags"`
	PermanentFlags []string `json:"permanentflags"`
	HighestModSeq  uint64   `json:"highestmodseq,omitempty"`
	ReadOnly       bool     `json:"read_only"`
}

// selectRun selects the mailbox and prints its state.
func selectRun(opts *SelectOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	mb, err := c.Select(opts.Context, opts.Mailbox, &imap.SelectOptions{
		ReadOnly:  !opts.ReadWrite,
		CondStore: c.Has(opts.Context, "CONDSTORE"),
	})
	var readOnly *imap.ReadOnlyError
	if err != nil && !errors.As(err, &readOnly) {
		return err
	}
	// --read-write on a mailbox the server opened read-only ([READ-ONLY],
	// RFC 3501 §6.3.1): the state is printed, and the error (exit 5) says
	// that write access was not granted.
	if perr := printSelected(opts, mb); perr != nil {
		return perr
	}
	return err
}

// printSelected prints the state of the selected mailbox mb.
func printSelected(opts *SelectOptions, mb *imap.Mailbox) error {
	out := selectedMailbox{
		Name: opts.Mailbox, Exists: mb.Exists, Recent: mb.Recent, FirstUnseen: mb.FirstUnseen,
		UIDValidity: mb.UIDValidity, UIDNext: mb.UIDNext, Flags: nonNil(mb.Flags),
		PermanentFlags: nonNil(mb.PermanentFlags), HighestModSeq: mb.HighestModSeq, ReadOnly: mb.ReadOnly,
	}
	if opts.JSON {
		return writeJSONLine(opts.IO.Out, out)
	}
	kvs := []keyValue{{"exists", out.Exists}, {"recent", out.Recent}}
	if out.FirstUnseen != 0 {
		kvs = append(kvs, keyValue{"first_unseen", out.FirstUnseen})
	}
	kvs = append(kvs, keyValue{"uidvalidity", out.UIDValidity})
	if out.UIDNext != 0 {
		kvs = append(kvs, keyValue{"uidnext", out.UIDNext})
	}
	kvs = append(kvs, keyValue{"flags", terminalSafe(strings.Join(out.Flags, " "), false)}, keyValue{"permanentflags", terminalSafe(strings.Join(out.PermanentFlags, " "), false)})
	if out.HighestModSeq != 0 {
		kvs = append(kvs, keyValue{"highestmodseq", out.HighestModSeq})
	}
	kvs = append(kvs, keyValue{"read_only", out.ReadOnly})
	return writeKeyValues(opts.IO.Out, kvs)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

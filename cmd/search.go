package cmd

import (
	"context"
	"fmt"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// SearchOptions are the inputs of the search command.
type SearchOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool

	Mailbox  string
	Criteria *imap.SearchCriteria
	Seq      bool
	Count    bool
}

// NewSearchCmd returns the search command (RFC 3501 §6.4.4, ESEARCH RFC 4731).
func NewSearchCmd(f *Factory, runF func(*SearchOptions) error) *cobra.Command {
	opts := &SearchOptions{IO: f.IOStreams, Client: f.Client}
	var flags SearchFlags
	cmd := &cobra.Command{
		Use:   "search MAILBOX [CRITERIA...]",
		Short: "Print the UIDs of matching messages, one per line",
		Long: `Search MAILBOX and print the UIDs (sequence numbers with --seq) of the
matching messages. CRITERIA are IMAP SEARCH keys, e.g.

  imapctl search INBOX FROM alice SINCE 1-Jan-2024 UNSEEN
  imapctl search INBOX OR FROM alice FROM bob NOT DELETED
  imapctl search INBOX --from alice --since 2024-01-01 --larger 1M

Each key's argument is one shell word (quote it for spaces). Dates may be
YYYY-MM-DD. Non-ASCII text is sent with CHARSET UTF-8. The friendly flags
combine with the keys (all must match). --count prints the number of
matches (with ESEARCH when the server offers it).`,
		Args: rangeArgs(1, -1, "a MAILBOX and optional search keys"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Mailbox = args[0]
			sc, err := flags.criteria(args[1:])
			if err != nil {
				return err
			}
			opts.Criteria = sc
			if runF != nil {
				return runF(opts)
			}
			return searchRun(opts)
		},
	}
	addSearchFlags(cmd.Flags(), &flags)
	cmd.Flags().BoolVar(&opts.Seq, "seq", false, "print sequence numbers instead of UIDs")
	cmd.Flags().BoolVar(&opts.Count, "count", false, "print only the number of matches")
	return cmd
}

// searchResult is the JSON form of a search; All is nil with --count.
type searchResult struct {
	UID   bool      `json:"uid"`
	Count uint32    `json:"count"`
	All   *[]uint32 `json:"all,omitempty"`
}

// searchRun examines the mailbox and searches it.
func searchRun(opts *SearchOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	if _, err := c.Examine(opts.Context, opts.Mailbox); err != nil {
		return err
	}
	so := &imap.SearchOptions{UID: !opts.Seq}
	if opts.Count {
		so.Return = []string{"COUNT"}
	}
	res, err := c.Search(opts.Context, opts.Criteria, so)
	if err != nil {
		return err
	}
	if opts.JSON {
		out := searchResult{UID: res.UID, Count: res.Count}
		if !opts.Count {
			all := nonNilNums(res.All)
			out.All = &all
		}
		return writeJSONLine(opts.IO.Out, out)
	}
	if opts.Count {
		_, err := fmt.Fprintln(opts.IO.Out, res.Count)
		return err
	}
	for _, n := range res.All {
		if _, err := fmt.Fprintln(opts.IO.Out, n); err != nil {
			return err
		}
	}
	return nil
}

func nonNilNums(s []uint32) []uint32 {
	if s == nil {
		return []uint32{}
	}
	return s
}

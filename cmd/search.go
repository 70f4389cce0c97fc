package cmd

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

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
	// SortKeys, when set, orders the result with SORT (RFC 5256 §3),
	// e.g. ["REVERSE DATE", "SUBJECT"].
	SortKeys []string
	// Thread, when set, groups the result with THREAD by this algorithm
	// (REFERENCES or ORDEREDSUBJECT, RFC 5256 §3).
	Thread string
}

// NewSearchCmd returns the search command (RFC 3501 §6.4.4, ESEARCH RFC 4731).
func NewSearchCmd(f *Factory, runF func(*SearchOptions) error) *cobra.Command {
	opts := &SearchOptions{IO: f.IOStreams, Client: f.Client}
	var flags SearchFlags
	var sortArg, threadArg string
	cmd := &cobra.Command{
		Use:   "search MAILBOX [CRITERIA...]",
		Short: "Print the UIDs of matching messages, one per line",
		Long: `Search MAILBOX and print the UIDs (sequence numbers with --seq) of the
matching messages. CRITERIA are IMAP SEARCH keys, e.g.

  imapctl search INBOX FROM alice SINCE 1-Jan-2024 UNSEEN
  imapctl search INBOX OR FROM alice FROM bob NOT DELETED
  imapctl search INBOX --from alice --since 2024-01-01 --larger 1M

Each key's argument is one shell word (quote it for spaces), taken whole,
parentheses included: SUBJECT '(no subject)'. Parentheses that group keys
are words of their own or stuck to a key: '(FROM' alice ')'. Dates may be
YYYY-MM-DD. Non-ASCII text is sent with CHARSET UTF-8. The friendly flags
combine with the keys (all must match). --count prints the number of
matches (with ESEARCH when the server offers it).

--sort KEYS prints the matches in the server's order by KEYS (RFC 5256
SORT): a comma-separated list of arrival, cc, date, from, size, subject, to
(and displayfrom, displayto where the server offers SORT=DISPLAY, RFC 5957),
each reversed by a leading "-", e.g. --sort -date,subject for the newest
first. --thread references (or orderedsubject) prints one conversation per
line as RFC 5256 THREAD writes it: "(3 6 (4 23)(44 7 96))" is 3, its reply
6, and two branches under 6; with --json one object per conversation,
{"uid":3,"replies":[...]}. Both fail with exit 5 when the server does not
offer SORT or THREAD=<algorithm>.`,
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
			if opts.SortKeys, err = parseSortKeys(sortArg); err != nil {
				return err
			}
			if opts.Thread, err = parseThreadAlgorithm(threadArg); err != nil {
				return err
			}
			if n := btoi(opts.Count) + btoi(len(opts.SortKeys) > 0) + btoi(opts.Thread != ""); n > 1 {
				return usageErrorf("--count, --sort and --thread exclude each other")
			}
			if runF != nil {
				return runF(opts)
			}
			return searchRun(opts)
		},
	}
	addSearchFlags(cmd.Flags(), &flags)
	cmd.Flags().BoolVar(&opts.Seq, "seq", false, "print sequence numbers instead of UIDs")
	cmd.Flags().BoolVar(&opts.Count, "count", false, "print only the number of matches")
	cmd.Flags().StringVar(&sortArg, "sort", "", "order by these SORT keys, e.g. -date,subject (RFC 5256)")
	cmd.Flags().StringVar(&threadArg, "thread", "", "group into conversations: references or orderedsubject (RFC 5256)")
	return cmd
}

// sortKeys are the SORT keys of RFC 5256 §3 and RFC 5957 §3.
var sortKeys = []string{"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"}

// parseSortKeys reads --sort: comma-separated keys, each reversed by a
// leading "-" (or the word "reverse"), into SORT's form ("REVERSE DATE").
func parseSortKeys(arg string) ([]string, error) {
	if arg == "" {
		return nil, nil
	}
	var keys []string
	for _, k := range strings.Split(arg, ",") {
		k = strings.ToUpper(strings.TrimSpace(k))
		reverse := false
		if rest, ok := strings.CutPrefix(k, "-"); ok {
			k, reverse = rest, true
		} else if rest, ok := strings.CutPrefix(k, "REVERSE "); ok {
			k, reverse = strings.TrimSpace(rest), true
		}
		if !slices.Contains(sortKeys, k) {
			return nil, usageErrorf("--sort %q: unknown key %q; want a comma-separated list of %s, each optionally with a leading -",
				arg, k, strings.ToLower(strings.Join(sortKeys, ", ")))
		}
		if reverse {
			k = "REVERSE " + k
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// parseThreadAlgorithm reads --thread (RFC 5256 §3).
func parseThreadAlgorithm(arg string) (string, error) {
	switch alg := strings.ToUpper(arg); alg {
	case "", "REFERENCES", "ORDEREDSUBJECT":
		return alg, nil
	}
	return "", usageErrorf("--thread %q: want references or orderedsubject", arg)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
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
	switch {
	case len(opts.SortKeys) > 0:
		return sortRun(c, opts)
	case opts.Thread != "":
		return threadRun(c, opts)
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

// sortRun prints the matches in SORT's order (RFC 5256 §3).
func sortRun(c *imap.Client, opts *SearchOptions) error {
	if !c.Has(opts.Context, "SORT") {
		return &imap.CapabilityError{Command: "SORT", Reason: "server does not offer SORT (RFC 5256)"}
	}
	nums, err := c.Sort(opts.Context, opts.SortKeys, opts.Criteria, !opts.Seq)
	if err != nil {
		return err
	}
	if opts.JSON {
		all := nonNilNums(nums)
		return writeJSONLine(opts.IO.Out, searchResult{UID: !opts.Seq, Count: uint32(len(nums)), All: &all})
	}
	for _, n := range nums {
		if _, err := fmt.Fprintln(opts.IO.Out, n); err != nil {
			return err
		}
	}
	return nil
}

// threadJSON is one message of a conversation with its replies.
type threadJSON struct {
	// UID is the message's UID (sequence number with --seq); 0 for a
	// parent the server knows of but that is not in the mailbox, which
	// only groups its replies (RFC 5256 §4).
	UID     uint32        `json:"uid"`
	Replies []*threadJSON `json:"replies"`
}

// threadRun prints one conversation per line (RFC 5256 §4).
func threadRun(c *imap.Client, opts *SearchOptions) error {
	if !c.Has(opts.Context, "THREAD="+opts.Thread) {
		return &imap.CapabilityError{Command: "THREAD", Reason: "server does not offer THREAD=" + opts.Thread + " (RFC 5256)"}
	}
	threads, err := c.ThreadMessages(opts.Context, opts.Thread, opts.Criteria, !opts.Seq)
	if err != nil {
		return err
	}
	for _, t := range threads {
		if opts.JSON {
			err = writeJSONLine(opts.IO.Out, toThreadJSON(t))
		} else {
			_, err = fmt.Fprintln(opts.IO.Out, formatThread(t))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func toThreadJSON(t *imap.Thread) *threadJSON {
	out := &threadJSON{UID: t.Num, Replies: []*threadJSON{}}
	for _, c := range t.Children {
		out.Replies = append(out.Replies, toThreadJSON(c))
	}
	return out
}

// formatThread writes t as RFC 5256 §4's thread-list: a chain of single
// replies as numbers, two or more replies as one parenthesized branch
// each, e.g. "(3 6 (4 23)(44 7 96))". A grouping parent that is not in
// the mailbox (Num 0) writes only its branches.
func formatThread(t *imap.Thread) string {
	var b strings.Builder
	b.WriteByte('(')
	writeThreadChain(&b, t)
	b.WriteByte(')')
	return b.String()
}

func writeThreadChain(b *strings.Builder, t *imap.Thread) {
	for {
		if t.Num != 0 {
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "(") {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatUint(uint64(t.Num), 10))
		}
		if len(t.Children) != 1 {
			break
		}
		t = t.Children[0]
	}
	if len(t.Children) > 1 {
		if !strings.HasSuffix(b.String(), "(") {
			b.WriteByte(' ')
		}
		for _, c := range t.Children {
			b.WriteByte('(')
			writeThreadChain(b, c)
			b.WriteByte(')')
		}
	}
}

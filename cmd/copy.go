package cmd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// CopyOptions are the inputs of the copy command.
type CopyOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool

	Mailbox string
	Set     imap.NumSet
	Dest    string
	Move    bool
	Create  bool
}

// NewCopyCmd returns the copy command (RFC 3501 §6.4.7, MOVE RFC 6851).
func NewCopyCmd(f *Factory, runF func(*CopyOptions) error) *cobra.Command {
	opts := &CopyOptions{IO: f.IOStreams, Client: f.Client}
	var seq bool
	cmd := &cobra.Command{
		Use:   "copy MAILBOX SET DEST",
		Short: "Copy (or --move) messages to another mailbox",
		Long: `Copy the messages of SET (UIDs unless --seq) from MAILBOX to DEST. With
--move they are moved: MOVE when the server has it, else SET is turned into
explicit UIDs first (FETCH (UID), unless it is UIDs without "*"), and those
are copied, marked \Deleted and removed with UID EXPUNGE (EXPUNGE without
UIDPLUS, refused when other messages are \Deleted already). With --create,
DEST is created when the server answers [TRYCREATE]. When the server
reports COPYUID (UIDPLUS), each "SOURCE-UID DEST-UID" pair is printed, one
per line.`,
		Args: exactArgs(3, "MAILBOX, SET and DEST"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			opts.Mailbox, opts.Dest = args[0], args[2]
			var err error
			if opts.Set, err = parseSetArg(args[1], seq); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return copyRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Move, "move", false, "move instead of copy")
	cmd.Flags().BoolVar(&opts.Create, "create", false, "create DEST when the server says TRYCREATE")
	cmd.Flags().BoolVar(&seq, "seq", false, "SET holds sequence numbers, not UIDs")
	return cmd
}

// copyRun copies or moves, creating DEST on TRYCREATE when asked.
func copyRun(opts *CopyOptions) error {
	ctx := opts.Context
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if _, err := c.Select(ctx, opts.Mailbox, &imap.SelectOptions{ReadOnly: !opts.Move}); err != nil {
		return err
	}
	do := c.Copy
	if opts.Move {
		do = c.Move
	}
	res, err := do(ctx, opts.Set, opts.Dest)
	var serverErr *imap.Error
	if err != nil && errors.As(err, &serverErr) && serverErr.Code == "TRYCREATE" {
		if !opts.Create {
			return withHint(err, fmt.Sprintf("add --create to create %q", opts.Dest))
		}
		if err := c.Create(ctx, opts.Dest); err != nil {
			return err
		}
		res, err = do(ctx, opts.Set, opts.Dest)
	}
	if err != nil {
		return err
	}
	return printCopyUID(opts, res)
}

// copyUIDPair is one line of copy --json.
type copyUIDPair struct {
	UIDValidity uint32 `json:"uidvalidity"`
	Source      uint32 `json:"source"`
	Dest        uint32 `json:"dest"`
}

// printCopyUID prints the COPYUID mapping (RFC 4315 §3): the two sets
// list corresponding UIDs in the same order.
func printCopyUID(opts *CopyOptions, res *imap.CopyResult) error {
	if res == nil || res.SourceUIDs == "" {
		return nil
	}
	src, errSrc := expandUIDSet(res.SourceUIDs)
	dst, errDst := expandUIDSet(res.DestUIDs)
	if errSrc != nil || errDst != nil || len(src) != len(dst) {
		_, err := fmt.Fprintf(opts.IO.Out, "%s %s\n", res.SourceUIDs, res.DestUIDs)
		return err
	}
	for i := range src {
		var err error
		if opts.JSON {
			err = writeJSONLine(opts.IO.Out, copyUIDPair{res.UIDValidity, src[i], dst[i]})
		} else {
			_, err = fmt.Fprintf(opts.IO.Out, "%d %d\n", src[i], dst[i])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// expandUIDSet lists a uid-set in its order (ranges ascending), without
// "*" (RFC 4315 §4 uid-set). It is bounded to keep a hostile server from
// making us allocate without end.
func expandUIDSet(s string) ([]uint32, error) {
	var out []uint32
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := strconv.ParseUint(lo, 10, 32)
		if err != nil || a == 0 {
			return nil, fmt.Errorf("bad uid-set %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 32); err != nil || b == 0 {
				return nil, fmt.Errorf("bad uid-set %q", s)
			}
		}
		if a > b {
			a, b = b, a
		}
		if b-a > 1<<20 || len(out) > 1<<20 {
			return nil, fmt.Errorf("uid-set %q too large", s)
		}
		for n := a; n <= b; n++ {
			out = append(out, uint32(n))
		}
	}
	return out, nil
}

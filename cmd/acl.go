package cmd

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// ACLOptions are the inputs of the acl subcommands (RFC 4314).
type ACLOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool

	// Op is "get", "set", "delete" or "myrights".
	Op         string
	Mailbox    string
	Identifier string
	Rights     string
}

// NewACLCmd returns the acl command with get, set, delete and myrights.
func NewACLCmd(f *Factory, runF func(*ACLOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "acl",
		Short: "Read and change mailbox access control lists (RFC 4314)",
		Long: `Read and change mailbox access control lists (RFC 4314). In text output,
control characters a server puts in an identifier or rights string are shown
as escapes (\x1b), never sent to the terminal.`,
		Args: noArgs,
	}
	sub := func(op, use, short string, n int, names string) *cobra.Command {
		opts := &ACLOptions{IO: f.IOStreams, Client: f.Client, Op: op}
		return &cobra.Command{
			Use:   use,
			Short: short,
			Args:  exactArgs(n, names),
			RunE: func(c *cobra.Command, args []string) error {
				opts.Context = c.Context()
				opts.JSON = f.Global.JSON
				opts.Mailbox = args[0]
				if n > 1 {
					opts.Identifier = args[1]
				}
				if n > 2 {
					opts.Rights = args[2]
				}
				if runF != nil {
					return runF(opts)
				}
				return aclRun(opts)
			},
		}
	}
	set := sub("set", "set MAILBOX IDENTIFIER RIGHTS", "Grant rights; +RIGHTS adds, -RIGHTS removes (SETACL)", 3, "MAILBOX, IDENTIFIER and RIGHTS")
	set.Long = `Set IDENTIFIER's rights on MAILBOX (SETACL, RFC 4314 §3.1): RIGHTS
replaces them, +RIGHTS adds to them and -RIGHTS removes from them. An
IDENTIFIER that starts with "-" names negative rights (§2). Everything after
MAILBOX is taken as written, so options go before it:

  imapctl acl set INBOX bob lrs
  imapctl acl set INBOX bob -w
  imapctl acl set INBOX -bob +d`
	del := sub("delete", "delete MAILBOX IDENTIFIER", "Remove an identifier's rights (DELETEACL)", 2, "MAILBOX and IDENTIFIER")
	del.Long = `Remove IDENTIFIER from MAILBOX's access control list (DELETEACL, RFC 4314
§3.2). An IDENTIFIER that starts with "-" names negative rights (§2), and is
taken as written, as is everything after MAILBOX: options go before it.`
	for _, c := range []*cobra.Command{set, del} {
		// "-w" (remove w) and "-bob" (bob's negative rights) are arguments,
		// not options: flag parsing stops at the first argument, MAILBOX.
		c.Flags().SetInterspersed(false)
		c.Args = aclArgs(c.Args)
	}
	cmd.AddCommand(
		sub("get", "get MAILBOX", "Print IDENTIFIER RIGHTS lines (GETACL)", 1, "one MAILBOX"),
		set,
		del,
		sub("myrights", "myrights MAILBOX", "Print your rights on a mailbox (MYRIGHTS)", 1, "one MAILBOX"),
	)
	return cmd
}

// aclArgs wraps the argument check of a command that parses no options
// after its first argument, with a hint when an option came too late.
func aclArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		err := check(c, args)
		if err == nil {
			return nil
		}
		for _, a := range args[min(1, len(args)):] {
			if strings.HasPrefix(a, "--") {
				return withHint(err, fmt.Sprintf("options such as %s go before MAILBOX", a))
			}
		}
		return err
	}
}

// aclRun runs one ACL command.
func aclRun(opts *ACLOptions) error {
	ctx := opts.Context
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	switch opts.Op {
	case "set":
		return c.SetACL(ctx, opts.Mailbox, opts.Identifier, opts.Rights)
	case "delete":
		return c.DeleteACL(ctx, opts.Mailbox, opts.Identifier)
	case "myrights":
		rights, err := c.MyRights(ctx, opts.Mailbox)
		if err != nil {
			return err
		}
		if opts.JSON {
			return writeJSONLine(opts.IO.Out, map[string]string{"mailbox": opts.Mailbox, "rights": rights})
		}
		_, err = fmt.Fprintln(opts.IO.Out, terminalSafe(rights, false))
		return err
	}
	acl, err := c.GetACL(ctx, opts.Mailbox)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSONLine(opts.IO.Out, acl)
	}
	ids := make([]string, 0, len(acl))
	for id := range acl {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, err := fmt.Fprintf(opts.IO.Out, "%s %s\n", terminalSafe(id, false), terminalSafe(acl[id], false)); err != nil {
			return err
		}
	}
	return nil
}

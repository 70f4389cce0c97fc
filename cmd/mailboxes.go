package cmd

import (
	"context"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// MailboxOpOptions are the inputs of the commands that change one
// mailbox: create, delete, rename, subscribe, unsubscribe.
type MailboxOpOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	// Op is the command name: "create", "delete", "rename", "subscribe"
	// or "unsubscribe".
	Op      string
	Mailbox string
	// NewName is rename's second argument.
	NewName string
}

// newMailboxOpCmd builds one of the mailbox-changing commands.
func newMailboxOpCmd(f *Factory, runF func(*MailboxOpOptions) error, op, use, short string, nargs int) *cobra.Command {
	opts := &MailboxOpOptions{IO: f.IOStreams, Client: f.Client, Op: op}
	names := "one MAILBOX"
	if nargs == 2 {
		names = "MAILBOX and NEWNAME"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(nargs, names),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.Mailbox = args[0]
			if nargs == 2 {
				opts.NewName = args[1]
			}
			if runF != nil {
				return runF(opts)
			}
			return mailboxOpRun(opts)
		},
	}
}

// NewCreateCmd returns the create command (RFC 3501 §6.3.3).
func NewCreateCmd(f *Factory, runF func(*MailboxOpOptions) error) *cobra.Command {
	return newMailboxOpCmd(f, runF, "create", "create MAILBOX", "Create a mailbox (a UTF-8 name)", 1)
}

// NewDeleteCmd returns the delete command (RFC 3501 §6.3.4).
func NewDeleteCmd(f *Factory, runF func(*MailboxOpOptions) error) *cobra.Command {
	return newMailboxOpCmd(f, runF, "delete", "delete MAILBOX", "Delete a mailbox", 1)
}

// NewRenameCmd returns the rename command (RFC 3501 §6.3.5).
func NewRenameCmd(f *Factory, runF func(*MailboxOpOptions) error) *cobra.Command {
	return newMailboxOpCmd(f, runF, "rename", "rename MAILBOX NEWNAME", "Rename a mailbox", 2)
}

// NewSubscribeCmd returns the subscribe command (RFC 3501 §6.3.6).
func NewSubscribeCmd(f *Factory, runF func(*MailboxOpOptions) error) *cobra.Command {
	return newMailboxOpCmd(f, runF, "subscribe", "subscribe MAILBOX", "Add a mailbox to the subscriptions", 1)
}

// NewUnsubscribeCmd returns the unsubscribe command (RFC 3501 §6.3.7).
func NewUnsubscribeCmd(f *Factory, runF func(*MailboxOpOptions) error) *cobra.Command {
	return newMailboxOpCmd(f, runF, "unsubscribe", "unsubscribe MAILBOX", "Remove a mailbox from the subscriptions", 1)
}

// mailboxOpRun sends the command; it prints nothing on success.
func mailboxOpRun(opts *MailboxOpOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	switch opts.Op {
	case "create":
		return c.Create(opts.Context, opts.Mailbox)
	case "delete":
		return c.Delete(opts.Context, opts.Mailbox)
	case "rename":
		return c.Rename(opts.Context, opts.Mailbox, opts.NewName)
	case "subscribe":
		return c.Subscribe(opts.Context, opts.Mailbox)
	default:
		return c.Unsubscribe(opts.Context, opts.Mailbox)
	}
}

package cmd

import (
	"context"
	"fmt"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// CapabilityOptions are the inputs of the capability command.
type CapabilityOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool
}

// NewCapabilityCmd returns the capability command (RFC 3501 §6.1.1).
func NewCapabilityCmd(f *Factory, runF func(*CapabilityOptions) error) *cobra.Command {
	opts := &CapabilityOptions{IO: f.IOStreams, Client: f.Client}
	return &cobra.Command{
		Use:   "capability",
		Short: "List the server's capabilities, one per line",
		Long: `List the server's capabilities (RFC 3501 §7.2.1), one per line, or one
JSON array with --json. Control characters a server puts in a capability are
shown as escapes (\x1b), never sent to the terminal.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			if runF != nil {
				return runF(opts)
			}
			return capabilityRun(opts)
		},
	}
}

// capabilityRun asks CAPABILITY after login (the list may differ from
// the one before it, RFC 3501 §6.2.3).
func capabilityRun(opts *CapabilityOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	caps, err := c.Capability(opts.Context)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSONLine(opts.IO.Out, caps)
	}
	for _, cp := range caps {
		if _, err := fmt.Fprintln(opts.IO.Out, terminalSafe(cp, false)); err != nil {
			return err
		}
	}
	return nil
}

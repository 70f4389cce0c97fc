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
		Args:  noArgs,
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
		if _, err := fmt.Fprintln(opts.IO.Out, cp); err != nil {
			return err
		}
	}
	return nil
}

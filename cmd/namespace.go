package cmd

import (
	"context"
	"fmt"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// NamespaceOptions are the inputs of the namespace command.
type NamespaceOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)
	JSON    bool
}

// NewNamespaceCmd returns the namespace command (RFC 2342).
func NewNamespaceCmd(f *Factory, runF func(*NamespaceOptions) error) *cobra.Command {
	opts := &NamespaceOptions{IO: f.IOStreams, Client: f.Client}
	return &cobra.Command{
		Use:   "namespace",
		Short: "Show the personal, other users' and shared namespaces",
		Long: `Print the server's namespaces (RFC 2342), one per line as
"KIND PREFIX DELIMITER" where KIND is personal, other or shared, or one JSON
object with --json. PREFIX and DELIMITER are Go-quoted, so control
characters a server puts in them are shown escaped (\x1b), never sent to the
terminal.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON = f.Global.JSON
			if runF != nil {
				return runF(opts)
			}
			return namespaceRun(opts)
		},
	}
}

type jsonNamespace struct {
	Prefix    string `json:"prefix"`
	Delimiter string `json:"delimiter"`
}

// namespaceRun asks NAMESPACE.
func namespaceRun(opts *NamespaceOptions) error {
	c, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	ns, err := c.Namespace(opts.Context)
	if err != nil {
		return err
	}
	kinds := []struct {
		name string
		list []imap.Namespace
	}{{"personal", ns.Personal}, {"other", ns.Other}, {"shared", ns.Shared}}
	if opts.JSON {
		out := map[string][]jsonNamespace{}
		for _, k := range kinds {
			out[k.name] = []jsonNamespace{}
			for _, n := range k.list {
				out[k.name] = append(out[k.name], jsonNamespace{n.Prefix, n.Delimiter})
			}
		}
		return writeJSONLine(opts.IO.Out, out)
	}
	for _, k := range kinds {
		for _, n := range k.list {
			if _, err := fmt.Fprintf(opts.IO.Out, "%s %q %q\n", k.name, n.Prefix, n.Delimiter); err != nil {
				return err
			}
		}
	}
	return nil
}

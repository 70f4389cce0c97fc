package cmd

import (
	"github.com/spf13/cobra"
)

// CompletionOptions are the inputs of the completion command.
type CompletionOptions struct {
	IO    *IOStreams
	Shell string
	Root  *cobra.Command
}

// NewCompletionCmd returns the completion command for bash, zsh and fish.
func NewCompletionCmd(f *Factory, runF func(*CompletionOptions) error) *cobra.Command {
	opts := &CompletionOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script",
		Long: `Print a shell completion script. For example:
  bash:  source <(imapctl completion bash)
  zsh:   imapctl completion zsh > "${fpath[1]}/_imapctl"
  fish:  imapctl completion fish > ~/.config/fish/completions/imapctl.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 || !contains([]string{"bash", "zsh", "fish"}, args[0]) {
				return usageErrorf("completion wants one shell: bash, zsh or fish")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			opts.Shell = args[0]
			opts.Root = c.Root()
			if runF != nil {
				return runF(opts)
			}
			return completionRun(opts)
		},
	}
}

// completionRun writes the script for opts.Shell.
func completionRun(opts *CompletionOptions) error {
	switch opts.Shell {
	case "bash":
		return opts.Root.GenBashCompletionV2(opts.IO.Out, true)
	case "zsh":
		return opts.Root.GenZshCompletion(opts.IO.Out)
	default:
		return opts.Root.GenFishCompletion(opts.IO.Out, true)
	}
}

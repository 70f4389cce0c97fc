// Package cmd wires imapctl's command-line flags to options and calls into
// internal packages. It holds no protocol code.
package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit statuses of imapctl, listed under EXIT STATUS in --help and the README.
const (
	ExitOK          = 0
	ExitInternal    = 1
	ExitUsage       = 2
	ExitAuth        = 3
	ExitConnection  = 4
	ExitServer      = 5
	ExitPartial     = 6
	ExitInterrupted = 130
)

// usageError marks errors caused by bad command-line input.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// NewRootCmd builds the imapctl root command.
func NewRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "imapctl",
		Short:         "A command-line IMAP client",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err}
	})
	return root
}

// Main runs imapctl with os.Args and returns the process exit status.
func Main() int {
	return run(os.Args[1:], os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	root := NewRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "imapctl: %v\n", err)
		var ue *usageError
		if errors.As(err, &ue) {
			return ExitUsage
		}
		return ExitInternal
	}
	return ExitOK
}

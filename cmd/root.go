// Package cmd wires imapctl's command-line flags to options and calls into
// internal packages. It holds no protocol code.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const rootLong = `imapctl is a command-line IMAP client: list, select, search, fetch, store,
copy and append, writing messages to stdout, eml files, Maildir or mbox under
a --policy with the semantics of Python's email.policy (or raw: the bytes as
the server sent them).

Messages are addressed by UID unless --seq is given. Settings come from flags,
then IMAPCTL_* environment variables (IMAPCTL_HOST, IMAPCTL_USER, ...), then
the config file ($XDG_CONFIG_HOME/imapctl/config.yaml), then defaults.
The password comes from IMAPCTL_PASSWORD, password_cmd/--password-cmd, or a
prompt on the terminal; OAuth2 tokens from token_cmd/--token-cmd.

` + exitStatusHelp

// addConnectionFlags defines the global flags on fs.
func addConnectionFlags(fs *pflag.FlagSet, g *GlobalFlags) {
	fs.String("host", "", "IMAP server host name")
	fs.Int("port", 0, "server port (default 993, or 143 with --tls starttls|none)")
	fs.String("user", "", "user name to log in with")
	fs.String("tls", "implicit", "TLS mode: implicit, starttls or none")
	fs.String("ca-file", "", "PEM file of CA certificates to trust instead of the system's")
	fs.Bool("insecure", false, "skip TLS certificate verification (dangerous)")
	fs.String("compress", "auto", "COMPRESS=DEFLATE (RFC 4978): auto (when offered and the server is not on a loopback address), always (fail if not offered) or never")
	fs.String("auth", "", "authentication: login, plain, cram-md5, xoauth2 or oauthbearer (default login, or plain under LOGINDISABLED)")
	fs.String("timeout", "30s", "dial and read timeout")
	fs.String("account", "", "named account of the config file")
	fs.String("config", "", "config file (default $XDG_CONFIG_HOME/imapctl/config.yaml)")
	fs.String("password-cmd", "", "shell command printing the password on its first line")
	fs.String("token-cmd", "", "shell command printing an OAuth2 access token (xoauth2, oauthbearer)")
	fs.Int("debug", 0, "protocol trace on stderr at this level (secrets hidden)")
	fs.String("policy", "", "message policy spec, e.g. raw, default, SMTP+strict,max_line_length=100")
	fs.BoolVar(&g.JSON, "json", false, "print JSON (NDJSON for lists)")
	fs.BoolVarP(&g.Quiet, "quiet", "q", false, "print no warnings or progress (a server's [ALERT] is still shown)")
}

// NewRootCmd builds the imapctl command tree on f.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "imapctl",
		Short:         "A command-line IMAP client",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return c.Help()
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withHint(&UsageError{err}, fmt.Sprintf("run '%s --help' for usage", c.CommandPath()))
	})
	addConnectionFlags(root.PersistentFlags(), &f.Global)
	f.flags = root.PersistentFlags()

	root.AddCommand(
		NewVersionCmd(f, nil),
		NewCompletionCmd(f, nil),
		NewManCmd(f, nil),
		NewConvertCmd(f, nil),
		NewCapabilityCmd(f, nil),
		NewListCmd(f, nil),
		NewSelectCmd(f, nil),
		NewStatusCmd(f, nil),
		NewSearchCmd(f, nil),
		NewFetchCmd(f, nil),
		NewStoreCmd(f, nil),
		NewCopyCmd(f, nil),
		NewExpungeCmd(f, nil),
		NewAppendCmd(f, nil),
		NewNamespaceCmd(f, nil),
		NewQuotaCmd(f, nil),
		NewACLCmd(f, nil),
		NewRawCmd(f, nil),
		NewWatchCmd(f, nil),
		NewCreateCmd(f, nil),
		NewDeleteCmd(f, nil),
		NewRenameCmd(f, nil),
		NewSubscribeCmd(f, nil),
		NewUnsubscribeCmd(f, nil),
		NewBackupCmd(f, nil),
		NewVerifyCmd(f, nil),
		NewRestoreCmd(f, nil),
		NewCheckCmd(f, nil),
	)
	return root
}

// Main runs imapctl with the process's arguments and streams and returns
// its exit status. It is the one place where errors become exit codes and
// stderr lines.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first Ctrl-C, a second one kills at once. AfterFunc starts
	// no goroutine until ctx is done.
	context.AfterFunc(ctx, stop)
	return run(ctx, os.Args[1:], NewFactory(System()))
}

// run executes one command line on f and reports the outcome.
func run(ctx context.Context, args []string, f *Factory) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	err := root.ExecuteContext(ctx)
	f.closeClient()
	if err == nil {
		return ExitOK
	}
	code := exitCode(ctx, err)
	if code == ExitInterrupted {
		fmt.Fprintln(f.IOStreams.ErrOut, "imapctl: interrupted")
		return code
	}
	f.IOStreams.errorLine("", err.Error())
	if hint := hintOf(err); hint != "" {
		f.IOStreams.errorLine("hint: ", hint)
	}
	return code
}

// exitCode maps an error to imapctl's exit status.
func exitCode(ctx context.Context, err error) int {
	if ctx.Err() != nil {
		return ExitInterrupted
	}
	var usage *UsageError
	var partial *PartialError
	var limit *LimitError
	switch {
	case errors.As(err, &usage):
		return ExitUsage
	case errors.As(err, &partial), errors.As(err, &limit):
		return ExitPartial
	case strings.HasPrefix(err.Error(), "unknown command "),
		strings.HasPrefix(err.Error(), "unknown flag"):
		return ExitUsage
	}
	if code, ok := protocolExitCode(err); ok {
		return code
	}
	return ExitInternal
}

// noArgs rejects positional arguments as a usage error.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		if c.HasSubCommands() {
			return usageErrorf("unknown command %q for %q", args[0], c.CommandPath())
		}
		return usageErrorf("%s takes no arguments", c.CommandPath())
	}
	return nil
}

// exactArgs wants n positional arguments, named in the message.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s wants %s (got %d arguments)", c.CommandPath(), names, len(args))
		}
		return nil
	}
}

// rangeArgs wants between min and max positional arguments.
func rangeArgs(min, max int, names string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < min || (max >= 0 && len(args) > max) {
			return usageErrorf("%s wants %s (got %d arguments)", c.CommandPath(), names, len(args))
		}
		return nil
	}
}

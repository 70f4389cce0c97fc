// Package cmd wires imapctl's command-line flags to options and calls into
// internal packages. It holds no protocol code.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
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
	root := newRoot(f)
	for _, sub := range subcommands() {
		root.AddCommand(sub.build(f))
	}
	return root
}

// newRoot returns the root command with its flags and no subcommands.
func newRoot(f *Factory) *cobra.Command {
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
	return root
}

// subcommand is one command of the root: its name (the first word of its
// Use) and its constructor.
type subcommand struct {
	name  string
	build func(*Factory) *cobra.Command
}

// subcommands lists the root's commands in the order NewRootCmd adds them.
func subcommands() []subcommand {
	return []subcommand{
		{"version", func(f *Factory) *cobra.Command { return NewVersionCmd(f, nil) }},
		{"completion", func(f *Factory) *cobra.Command { return NewCompletionCmd(f, nil) }},
		{"man", func(f *Factory) *cobra.Command { return NewManCmd(f, nil) }},
		{"convert", func(f *Factory) *cobra.Command { return NewConvertCmd(f, nil) }},
		{"capability", func(f *Factory) *cobra.Command { return NewCapabilityCmd(f, nil) }},
		{"list", func(f *Factory) *cobra.Command { return NewListCmd(f, nil) }},
		{"select", func(f *Factory) *cobra.Command { return NewSelectCmd(f, nil) }},
		{"status", func(f *Factory) *cobra.Command { return NewStatusCmd(f, nil) }},
		{"search", func(f *Factory) *cobra.Command { return NewSearchCmd(f, nil) }},
		{"fetch", func(f *Factory) *cobra.Command { return NewFetchCmd(f, nil) }},
		{"store", func(f *Factory) *cobra.Command { return NewStoreCmd(f, nil) }},
		{"copy", func(f *Factory) *cobra.Command { return NewCopyCmd(f, nil) }},
		{"expunge", func(f *Factory) *cobra.Command { return NewExpungeCmd(f, nil) }},
		{"append", func(f *Factory) *cobra.Command { return NewAppendCmd(f, nil) }},
		{"namespace", func(f *Factory) *cobra.Command { return NewNamespaceCmd(f, nil) }},
		{"quota", func(f *Factory) *cobra.Command { return NewQuotaCmd(f, nil) }},
		{"acl", func(f *Factory) *cobra.Command { return NewACLCmd(f, nil) }},
		{"raw", func(f *Factory) *cobra.Command { return NewRawCmd(f, nil) }},
		{"watch", func(f *Factory) *cobra.Command { return NewWatchCmd(f, nil) }},
		{"create", func(f *Factory) *cobra.Command { return NewCreateCmd(f, nil) }},
		{"delete", func(f *Factory) *cobra.Command { return NewDeleteCmd(f, nil) }},
		{"rename", func(f *Factory) *cobra.Command { return NewRenameCmd(f, nil) }},
		{"subscribe", func(f *Factory) *cobra.Command { return NewSubscribeCmd(f, nil) }},
		{"unsubscribe", func(f *Factory) *cobra.Command { return NewUnsubscribeCmd(f, nil) }},
		{"backup", func(f *Factory) *cobra.Command { return NewBackupCmd(f, nil) }},
		{"verify", func(f *Factory) *cobra.Command { return NewVerifyCmd(f, nil) }},
		{"restore", func(f *Factory) *cobra.Command { return NewRestoreCmd(f, nil) }},
		{"check", func(f *Factory) *cobra.Command { return NewCheckCmd(f, nil) }},
	}
}

// newRootCmdFor builds the command tree that runs args. When args run one
// subcommand that needs no other (not completion or man, which walk the
// tree), the root gets only that one: building all commands and their flags
// is most of the start-up work of a command such as version. Otherwise
// (help, --help of the root, __complete, an unknown command and its
// suggestions) it is NewRootCmd's whole tree.
//
// Which command args run is cobra's decision: with a stub of the candidate
// as the root's only child, Find strips the root's flags from args and
// matches the first remaining word exactly as it does in the whole tree,
// so the stub is found only where the real command would be.
func newRootCmdFor(f *Factory, args []string) *cobra.Command {
	all := subcommands()
	for _, arg := range args {
		i := slices.IndexFunc(all, func(s subcommand) bool { return s.name == arg })
		if i < 0 {
			continue
		}
		if arg == "completion" || arg == "man" {
			break
		}
		root := newRoot(f)
		stub := &cobra.Command{Use: arg, Run: func(*cobra.Command, []string) {}}
		root.AddCommand(stub)
		if c, _, err := root.Find(args); err != nil || c != stub {
			continue // arg is a flag's value, or comes after "--"
		}
		root.RemoveCommand(stub)
		root.AddCommand(all[i].build(f))
		return root
	}
	return NewRootCmd(f)
}

// Main runs imapctl with the process's arguments and streams and returns
// its exit status. It is the one place where errors become exit codes and
// stderr lines.
func Main() int {
	f := NewFactory(System())
	args := os.Args[1:]
	root := newRootCmdFor(f, args)
	ctx := context.Background()
	if !printsOnly(root, args) {
		// Ctrl-C or SIGTERM cancels the command's context; after the
		// first, a second one kills at once. AfterFunc starts no
		// goroutine until ctx is done.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		context.AfterFunc(ctx, stop)
		// Ctrl-C at the password prompt ends it, with the terminal's echo
		// restored.
		f.IOStreams.ReadSecret = ttySecretReader(ctx)
	}
	return execute(ctx, f, root, args)
}

// printsOnly reports whether args run, on root, a command that only
// prints text (imapctl version, help, completion scripts and shell
// completion requests; not man, which writes files): such a command
// needs no signal handling (os/signal starts a thread, about 1.5 ms of
// start-up here), and Ctrl-C ends it at once as it ends any program.
func printsOnly(root *cobra.Command, args []string) bool {
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		return true // cobra takes these only as the first word
	}
	root.InitDefaultHelpCmd() // as Execute does, so that Find sees "help"
	c, _, err := root.Find(args)
	if err != nil {
		return false
	}
	for ; c != nil && c.HasParent(); c = c.Parent() {
		switch c.Name() {
		case "version", "help", "completion":
			return true
		}
	}
	return false
}

// run executes one command line on f and reports the outcome.
func run(ctx context.Context, args []string, f *Factory) int {
	return execute(ctx, f, newRootCmdFor(f, args), args)
}

// execute runs args on root, a command tree built on f, and reports the
// outcome.
func execute(ctx context.Context, f *Factory, root *cobra.Command, args []string) int {
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

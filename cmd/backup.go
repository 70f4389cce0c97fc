package cmd

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/imapctl/imapctl/internal/backup"
	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// BackupOptions are the inputs of the backup command.
type BackupOptions struct {
	IO      *IOStreams
	Context context.Context
	// Accounts resolves account names (none: the current account) into
	// connectable accounts.
	Accounts func(names []string) ([]backup.Account, error)
	JSON     bool
	Quiet    bool

	Out                 string
	AccountNames        []string
	Mailboxes           []string
	Exclude             []string
	Format              string
	Jobs                int
	OnUIDValidityChange string
	Prune               bool
	// Policy returns the message policy and its spec (default raw).
	Policy func() (*backup.PolicyChoice, error)
}

// NewBackupCmd returns the backup command.
func NewBackupCmd(f *Factory, runF func(*BackupOptions) error) *cobra.Command {
	opts := &BackupOptions{IO: f.IOStreams, Accounts: f.backupAccounts, Policy: f.backupPolicy}
	cmd := &cobra.Command{
		Use:   "backup --out DIR",
		Short: "Back up every mailbox of one or more accounts, incrementally",
		Long: `Back up every selectable mailbox into DIR/<account>/<mailbox path>: the
config file's account name (or user@host), then the mailbox name in UTF-8,
one folder per hierarchy level, with '/', '%', control bytes and names that
could clash with the backup's own files escaped as %XX.

Each mailbox keeps a state file (UIDVALIDITY, last UID, HIGHESTMODSEQ) and an
append-only manifest (UID, size, SHA-256 of the server's bytes, flags,
INTERNALDATE, Message-ID). A rerun fetches only new messages in one pipelined
UID FETCH, updates flags (cheaply with CONDSTORE), and costs one STATUS per
mailbox when nothing changed. It is safe to kill at any moment: a message
counts only once its file, then its manifest line, are on disk, and the next
run repairs what an interruption left. A lock stops two runs on one DIR.

Messages are stored under --policy (default raw: the server's bytes with LF
line ends); the manifest says when a message cannot be stored losslessly.
A mailbox folder keeps the policy it was first backed up with (verify and
restore read all its files with that policy's line ends): a run whose policy
(--policy, IMAPCTL_POLICY or the config's policy key) differs for a folder it
would update is refused before anything is written, exit status 2.
Messages deleted on the server stay in the backup unless --prune.
With --quiet nothing is printed on success, except a UIDVALIDITY change
(the old copy is moved aside or deleted); otherwise one summary line (or a
JSON object with --json). Exit status 6 when some messages or mailboxes
failed, each named on stderr. Exit status 4 when a connection was lost: that
account gets no more work, what was stored is kept and the next run resumes;
4 wins over 6 when both happen, since running again is what to do next.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON, opts.Quiet = f.Global.JSON, f.Global.Quiet
			if opts.Out == "" {
				return usageErrorf("backup needs --out DIR")
			}
			switch opts.Format {
			case backup.FormatMaildir, backup.FormatMbox, backup.FormatEML:
			default:
				return usageErrorf("bad --format %q (want maildir, mbox or eml)", opts.Format)
			}
			switch opts.OnUIDValidityChange {
			case backup.OnUIDValidityKeep, backup.OnUIDValidityRefetch, backup.OnUIDValidityFail:
			default:
				return usageErrorf("bad --on-uidvalidity-change %q (want keep, refetch or fail)", opts.OnUIDValidityChange)
			}
			if opts.Jobs < 1 {
				return usageErrorf("--jobs must be at least 1")
			}
			if runF != nil {
				return runF(opts)
			}
			return backupRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Out, "out", "o", "", "backup folder")
	fl.StringArrayVar(&opts.AccountNames, "account", nil, "named account of the config file to back up (repeatable; default the current account)")
	fl.StringArrayVar(&opts.Mailboxes, "mailbox", nil, "only mailboxes matching this LIST pattern (* any, % one level; repeatable)")
	fl.StringArrayVar(&opts.Exclude, "exclude", nil, "skip mailboxes matching this LIST pattern (repeatable)")
	fl.StringVar(&opts.Format, "format", backup.FormatMaildir, "storage format: maildir, mbox or eml")
	fl.IntVarP(&opts.Jobs, "jobs", "j", 1, "connections per account")
	fl.StringVar(&opts.OnUIDValidityChange, "on-uidvalidity-change", backup.OnUIDValidityKeep, "when a mailbox's UIDVALIDITY changed: keep (old copy to a dated folder), refetch, or fail")
	fl.BoolVar(&opts.Prune, "prune", false, "remove messages deleted on the server from the backup")
	return cmd
}

// backupRun runs the backup and reports it.
func backupRun(opts *BackupOptions) error {
	accounts, err := opts.Accounts(opts.AccountNames)
	if err != nil {
		return err
	}
	pol, err := opts.Policy()
	if err != nil {
		return err
	}
	sum, err := backup.Run(opts.Context, backup.Options{
		Dir: opts.Out, Accounts: accounts, Mailboxes: opts.Mailboxes, Exclude: opts.Exclude,
		Format: opts.Format, Policy: pol.Policy, PolicySpec: pol.Spec, Jobs: opts.Jobs,
		OnUIDValidityChange: opts.OnUIDValidityChange, Prune: opts.Prune,
		Warn: opts.IO.Warnf,
		// A UIDVALIDITY change is said even under --quiet: cron mails it.
		Notice: func(format string, args ...any) {
			opts.IO.errorLine("warning: ", fmt.Sprintf(format, args...))
		},
	})
	var partial *backup.PartialError
	var locked *backup.LockedError
	var policyErr *backup.PolicyMismatchError
	var lost *backup.ConnectionLostError
	switch {
	case errors.As(err, &locked):
		return withHint(err, "wait for the other run, or remove the lock file if no process holds it")
	case errors.As(err, &policyErr):
		return withHint(&UsageError{err}, fmt.Sprintf("run with --policy %q, or back up into a new --out folder", policyErr.Recorded))
	case errors.As(err, &lost):
	case err != nil && !errors.As(err, &partial):
		return err
	}
	if opts.JSON {
		if err := writeJSONLine(opts.IO.Out, sum); err != nil {
			return err
		}
	} else if !opts.Quiet || partial != nil || lost != nil {
		lossy := ""
		if sum.Lossy > 0 {
			lossy = fmt.Sprintf(" (%d not lossless under the policy)", sum.Lossy)
		}
		fmt.Fprintf(opts.IO.Out, "backup: %d mailboxes (%d changed), %d new messages%s, %s, %d flag updates, %d pruned, %s\n",
			sum.Mailboxes, sum.Changed, sum.NewMessages, lossy, humanBytes(sum.Bytes), sum.FlagUpdates, sum.Pruned, sum.Duration.Round(time.Millisecond))
	}
	if lost != nil {
		// Exit 4: the connection's error, after the other failures.
		for _, f := range lost.Failures {
			opts.IO.errorLine("failed: ", f.String())
		}
		return withHint(lost, "what was stored is kept: run the backup again to resume")
	}
	if partial != nil {
		return reportBackupFailures(opts.IO, partial.Failures, sum.NewMessages)
	}
	return nil
}

// BackupFailuresError is the last line of a backup in which some messages,
// mailboxes or accounts failed: each kind counted on its own, messages
// against those the run fetched. It exits with ExitPartial.
type BackupFailuresError struct {
	// Messages of MessagesTotal failed (MessagesTotal counts the messages
	// stored too); Mailboxes and Accounts failed as a whole.
	Messages, MessagesTotal int
	Mailboxes, Accounts     int
	First                   string
}

func (e *BackupFailuresError) Error() string {
	var parts []string
	if e.Messages > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d messages", e.Messages, e.MessagesTotal))
	}
	if e.Mailboxes > 0 {
		parts = append(parts, countOf(e.Mailboxes, "mailbox", "mailboxes"))
	}
	if e.Accounts > 0 {
		parts = append(parts, countOf(e.Accounts, "account", "accounts"))
	}
	return fmt.Sprintf("%s failed; first: %s", strings.Join(parts, " and "), e.First)
}

// Unwrap makes the error a PartialError for the exit status.
func (e *BackupFailuresError) Unwrap() error {
	return &PartialError{Failed: e.Messages + e.Mailboxes + e.Accounts, Total: e.MessagesTotal + e.Mailboxes + e.Accounts}
}

// countOf is "1 mailbox" or "n mailboxes".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// reportBackupFailures names every failure on stderr and returns the
// BackupFailuresError that exits 6; stored is the number of messages
// the run stored.
func reportBackupFailures(ios *IOStreams, failures []backup.Failure, stored int) error {
	e := &BackupFailuresError{First: failures[0].String()}
	for _, f := range failures {
		ios.errorLine("failed: ", f.String())
		switch {
		case f.IsMessage():
			e.Messages++
		case f.Mailbox != "":
			e.Mailboxes++
		default:
			e.Accounts++
		}
	}
	e.MessagesTotal = stored + e.Messages
	return e
}

// reportFailures names every failure on stderr and returns the
// PartialError that exits 6.
func reportFailures(ios *IOStreams, failures []backup.Failure, total int) error {
	for _, f := range failures {
		ios.errorLine("failed: ", f.String())
	}
	return &PartialError{Failed: len(failures), Total: total, First: errors.New(failures[0].String())}
}

// humanBytes formats a byte count with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// backupPolicy is the policy of a backup: --policy, else raw.
func (f *Factory) backupPolicy() (*backup.PolicyChoice, error) {
	p, err := f.Policy("raw")
	if err != nil {
		return nil, err
	}
	s, _ := f.Settings()
	spec := "raw"
	if s != nil && s.Policy != "" {
		spec = s.Policy
	}
	return &backup.PolicyChoice{Policy: p, Spec: spec}, nil
}

// backupAccounts returns the accounts named (the current one when none
// is), each connecting with its own settings: flags given on the command
// line, IMAPCTL_* variables, then its config file section.
func (f *Factory) backupAccounts(names []string) ([]backup.Account, error) {
	if len(names) == 0 {
		names = []string{""}
	}
	seen := map[string]bool{}
	var out []backup.Account
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		sub := f.accountFactory(name)
		s, err := sub.Settings()
		if err != nil {
			return nil, err
		}
		out = append(out, backup.Account{
			Name: accountName(s), User: s.User, Host: s.Host,
			Connect: func(ctx context.Context) (*imap.Client, error) {
				if sub.Dial != nil {
					return sub.Dial(ctx)
				}
				return connect(ctx, sub, s)
			},
		})
	}
	return out, nil
}

// accountName names an account's folder in a backup: the config file's
// account name, or user@host for an account given by flags.
func accountName(s *Settings) string {
	if s.Account != "" {
		return s.Account
	}
	return s.User + "@" + s.Host
}

// configAccounts lists the account names of the config file.
func (f *Factory) configAccounts() ([]string, error) {
	if _, err := f.Settings(); err != nil {
		return nil, err
	}
	var names []string
	for name := range f.viper.GetStringMap("accounts") {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// accountFactory is a Factory for account name ("" the current one) with
// the same command-line flags (except --account) and environment. A
// password asked on the terminal is asked once per account.
func (f *Factory) accountFactory(name string) *Factory {
	ios := *f.IOStreams
	var once sync.Once
	var secret []byte
	var secretErr error
	ios.ReadSecret = func(prompt string) ([]byte, error) {
		once.Do(func() { secret, secretErr = f.IOStreams.ReadSecret(prompt) })
		return secret, secretErr
	}
	sub := &Factory{IOStreams: &ios, LookupEnv: f.LookupEnv, Global: f.Global, Dial: f.Dial}
	flags := pflag.NewFlagSet("account", pflag.ContinueOnError)
	addConnectionFlags(flags, &sub.Global)
	if f.flags != nil {
		// VisitAll with Changed, not Visit: cobra parses persistent flags
		// through the subcommand's flag set, so the root set's own record
		// of what was set stays empty while the shared *Flag is Changed.
		f.flags.VisitAll(func(fl *pflag.Flag) {
			if fl.Changed && fl.Name != "account" {
				flags.Set(fl.Name, fl.Value.String())
			}
		})
	}
	if name != "" {
		flags.Set("account", name)
	} else if f.flags != nil {
		if fl := f.flags.Lookup("account"); fl != nil && fl.Changed {
			flags.Set("account", fl.Value.String())
		}
	}
	sub.flags = flags
	return sub
}

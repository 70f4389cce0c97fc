package cmd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/imapctl/imapctl/internal/backup"
	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// CheckOptions are the inputs of the check command.
type CheckOptions struct {
	IO      *IOStreams
	Context context.Context
	// Targets resolves account names (all: every config account; none:
	// the current account).
	Targets func(names []string, all bool) ([]backup.CheckTarget, error)
	JSON    bool
	Quiet   bool

	AccountNames []string
	All          bool
	Jobs         int
	WarnQuota    float64
	WarnCertDays int
}

// NewCheckCmd returns the check command.
func NewCheckCmd(f *Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: f.IOStreams, Targets: f.checkTargets}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Log in to accounts and report TLS, certificate, quota and INBOX health",
		Long: `Log in to each account and report the TLS version and certificate expiry,
the capabilities, quota use (RFC 9208), INBOX message and unseen counts and
the time it took to log in: one line per account, or one JSON object per
account with --json (NDJSON). Control characters in server text (error
messages, quota resource names) are shown as escapes such as \x1b.

Exit status: 0 all fine, 3 some authentication failed, 4 some account
unreachable (connection or TLS failure), 6 a threshold (--warn-quota,
--warn-cert-days) crossed. When several apply, 4 wins over 3, and 3 over 6.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.JSON, opts.Quiet = f.Global.JSON, f.Global.Quiet
			if opts.Jobs < 1 {
				return usageErrorf("--jobs must be at least 1")
			}
			if opts.All && len(opts.AccountNames) > 0 {
				return usageErrorf("--all-accounts and --account exclude each other")
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.AccountNames, "account", nil, "named account of the config file to check (repeatable; default the current account)")
	fl.BoolVar(&opts.All, "all-accounts", false, "check every account of the config file")
	fl.IntVarP(&opts.Jobs, "jobs", "j", 4, "accounts checked at once")
	fl.Float64Var(&opts.WarnQuota, "warn-quota", 90, "warn (exit 6) when a quota resource is used at or above this percentage; 0 disables")
	fl.IntVar(&opts.WarnCertDays, "warn-cert-days", 14, "warn (exit 6) when the server certificate expires within this many days; 0 disables")
	return cmd
}

func checkRun(opts *CheckOptions) error {
	targets, err := opts.Targets(opts.AccountNames, opts.All)
	if err != nil {
		return err
	}
	results := backup.CheckAccounts(opts.Context, targets, opts.Jobs, backup.CheckThresholds{QuotaPercent: opts.WarnQuota, CertDays: opts.WarnCertDays}, nil)
	var unreachable, authFailed, other error
	warnings := 0
	for _, r := range results {
		if opts.JSON {
			if err := writeJSONLine(opts.IO.Out, r); err != nil {
				return err
			}
		} else if !opts.Quiet || r.Status != backup.CheckOK {
			fmt.Fprintln(opts.IO.Out, checkLine(r))
		}
		switch r.Status {
		case backup.CheckUnreachable:
			unreachable = errors.Join(unreachable, fmt.Errorf("%s: %w", r.Account, r.Err))
		case backup.CheckAuthFailed:
			// The AuthError below says "authentication failed" once for
			// all accounts: drop each account's own prefix.
			err := r.Err
			var failure *backup.AuthFailure
			if errors.As(err, &failure) {
				err = failure.Err
			}
			authFailed = errors.Join(authFailed, fmt.Errorf("%s: %w", r.Account, err))
		case backup.CheckError:
			other = errors.Join(other, fmt.Errorf("%s: %w", r.Account, r.Err))
		case backup.CheckWarning:
			warnings++
		}
	}
	if opts.Context.Err() != nil {
		return opts.Context.Err()
	}
	switch {
	case unreachable != nil:
		return unreachable
	case authFailed != nil:
		return &AuthError{authFailed}
	case other != nil:
		return other
	case warnings > 0:
		return &ThresholdError{Accounts: warnings, Total: len(results)}
	}
	return nil
}

// checkLine is the text form of one account's report, one line with the
// control characters of server text (error messages, quota resource names)
// escaped by terminalSafe.
func checkLine(r backup.CheckResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", r.Account, r.Status)
	if r.Error != "" {
		fmt.Fprintf(&b, ": %s", r.Error)
		return terminalSafe(b.String(), false)
	}
	fmt.Fprintf(&b, ", login %.2fs", r.LoginSeconds)
	switch {
	case r.TLSVersion != "":
		fmt.Fprintf(&b, ", %s", r.TLSVersion)
	case r.TLSMode == "none":
		b.WriteString(", no TLS")
	default:
		fmt.Fprintf(&b, ", TLS (%s; version not known)", r.TLSMode)
	}
	if r.CertDaysLeft != nil {
		fmt.Fprintf(&b, ", certificate expires %s (%d days)", r.CertNotAfter.Format("2006-01-02"), *r.CertDaysLeft)
	}
	for _, q := range r.Quota {
		fmt.Fprintf(&b, ", quota %s %.0f%%", q.Name, q.Percent)
	}
	fmt.Fprintf(&b, ", INBOX %d messages (%d unseen), %d capabilities", r.InboxMessages, r.InboxUnseen, len(r.Capabilities))
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "; warning: %s", w)
	}
	return terminalSafe(b.String(), false)
}

// checkTargets resolves the accounts to check.
func (f *Factory) checkTargets(names []string, all bool) ([]backup.CheckTarget, error) {
	if all {
		var err error
		if names, err = f.configAccounts(); err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, usageErrorf("--all-accounts: the config file has no accounts")
		}
	}
	if len(names) == 0 {
		names = []string{""}
	}
	var out []backup.CheckTarget
	for _, name := range names {
		sub := f.accountFactory(name)
		s, err := sub.Settings()
		if err != nil {
			return nil, err
		}
		out = append(out, backup.CheckTarget{Name: accountName(s), Host: s.Host, TLSMode: s.TLS, Connect: func(ctx context.Context) (*imap.Client, *tls.ConnectionState, error) {
			return connectForCheck(ctx, sub, s)
		}})
	}
	return out, nil
}

// connectForCheck connects as every command does (connect: CA file,
// --insecure warning, alerts, --compress) and reports the TLS state of the
// connection, for implicit TLS and after STARTTLS alike.
func connectForCheck(ctx context.Context, f *Factory, s *Settings) (*imap.Client, *tls.ConnectionState, error) {
	var c *imap.Client
	var err error
	if f.Dial != nil {
		c, err = f.Dial(ctx)
	} else {
		c, err = connect(ctx, f, s)
	}
	if err != nil {
		var auth *AuthError
		if errors.As(err, &auth) {
			return nil, nil, &backup.AuthFailure{Err: auth.Err}
		}
		return nil, nil, err
	}
	var state *tls.ConnectionState
	if cs, ok := c.TLSConnectionState(); ok {
		state = &cs
	}
	return c, state, nil
}

// loadCAFile reads a PEM file of CA certificates.
func loadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", path)
	}
	return pool, nil
}

// ThresholdError says check found accounts past a warning threshold. It
// exits with ExitPartial.
type ThresholdError struct {
	Accounts, Total int
}

func (e *ThresholdError) Error() string {
	return fmt.Sprintf("%d of %d accounts crossed a warning threshold", e.Accounts, e.Total)
}

// Unwrap makes the error a PartialError for the exit status.
func (e *ThresholdError) Unwrap() error {
	return &PartialError{Failed: e.Accounts, Total: e.Total}
}

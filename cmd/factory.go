package cmd

import (
	"context"

	"github.com/imapctl/imapctl/internal/imap"
	"os"

	"github.com/imapctl/imapctl/internal/policy"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// GlobalFlags are the flags every subcommand accepts. Connection settings
// among them are read through Factory.Settings, which applies the config
// file and environment; JSON and Quiet are read directly.
type GlobalFlags struct {
	JSON  bool
	Quiet bool
}

// Factory holds the lazily built dependencies of a command: settings, the
// connected client, the policy. A command that needs no server never
// connects, and tests replace the pieces they need.
type Factory struct {
	IOStreams *IOStreams
	// LookupEnv reads the environment (os.LookupEnv unless a test swaps it).
	LookupEnv func(string) (string, bool)
	Global    GlobalFlags

	// Dial, when set, replaces connecting with the settings (tests use it
	// to hand out a client of a test server).
	Dial func(ctx context.Context) (*imap.Client, error)
	// OnUntagged, when set before the first Client call, receives the
	// server's unsolicited responses (imap.Options.OnUntagged): the events
	// watch reports. It runs on the client's reader goroutine.
	OnUntagged func(*imap.Response)

	flags    *pflag.FlagSet // the root's persistent flags, once parsed
	client   *imap.Client
	viper    *viper.Viper // the config file, made by Settings
	settings *Settings
	err      error
}

// NewFactory returns a Factory on ios reading the process environment.
func NewFactory(ios *IOStreams) *Factory {
	return &Factory{
		IOStreams: ios,
		LookupEnv: os.LookupEnv,
	}
}

// Settings resolves the connection settings once per run.
func (f *Factory) Settings() (*Settings, error) {
	if f.settings == nil && f.err == nil {
		flags := f.flags
		if flags == nil {
			flags = pflag.NewFlagSet("none", pflag.ContinueOnError)
			addConnectionFlags(flags, &f.Global)
		}
		f.IOStreams.Quiet = f.Global.Quiet
		f.viper = viper.New()
		f.settings, f.err = resolveSettings(flags, f.LookupEnv, f.viper, f.IOStreams)
	}
	return f.settings, f.err
}

// Policy returns the message policy of this run: the spec from --policy,
// IMAPCTL_POLICY or the config's policy key, else defaultSpec (each
// command has its own default: raw for fetch, default for convert).
// Named policies of the config file are available to the spec.
func (f *Factory) Policy(defaultSpec string) (*policy.Policy, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	spec := s.Policy
	if spec == "" {
		spec = defaultSpec
	}
	p, err := policy.ParseSpec(spec, s.Policies)
	if err != nil {
		return nil, &UsageError{err}
	}
	return p, nil
}

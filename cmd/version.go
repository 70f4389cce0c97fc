package cmd

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// VersionOptions are the inputs of the version command.
type VersionOptions struct {
	IO *IOStreams
}

// NewVersionCmd returns the version command.
func NewVersionCmd(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "version",
		Short: "Print imapctl's version",
		Args:  noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

// versionRun prints the module version (or VCS revision) and Go version.
func versionRun(opts *VersionOptions) error {
	version, goVersion := "(devel)", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		if version == "(devel)" {
			var revision, modified string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					revision = s.Value
				case "vcs.modified":
					if s.Value == "true" {
						modified = "+dirty"
					}
				}
			}
			if len(revision) > 12 {
				revision = revision[:12]
			}
			if revision != "" {
				version = "devel-" + revision + modified
			}
		}
	}
	_, err := fmt.Fprintf(opts.IO.Out, "imapctl %s %s\n", version, goVersion)
	return err
}

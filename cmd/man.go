package cmd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// ManOptions are the inputs of the man command.
type ManOptions struct {
	IO    *IOStreams
	Dir   string
	Root  *cobra.Command
	Quiet bool
}

// NewManCmd returns the man command, which writes one roff man page per
// command (imapctl.1, imapctl-fetch.1, ...).
func NewManCmd(f *Factory, runF func(*ManOptions) error) *cobra.Command {
	opts := &ManOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "man [DIR]",
		Short: "Write man pages into DIR (default: the current directory)",
		Args:  rangeArgs(0, 1, "at most one directory"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Dir = "."
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			opts.Root = c.Root()
			opts.Quiet = f.Global.Quiet
			if runF != nil {
				return runF(opts)
			}
			return manRun(opts)
		},
	}
}

// manRun writes a page for every visible command under opts.Root.
func manRun(opts *ManOptions) error {
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		if c.Hidden {
			return nil
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		if err := writeFileAtomic(filepath.Join(opts.Dir, name), manPage(c)); err != nil {
			return err
		}
		if !opts.Quiet {
			fmt.Fprintf(opts.IO.ErrOut, "imapctl: wrote %s\n", filepath.Join(opts.Dir, name))
		}
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(opts.Root)
}

// manPage renders c as a man(7) page.
func manPage(c *cobra.Command) []byte {
	var b bytes.Buffer
	title := strings.ToUpper(strings.ReplaceAll(c.CommandPath(), " ", "-"))
	fmt.Fprintf(&b, ".TH %q 1 \"\" \"imapctl\" \"imapctl manual\"\n", title)
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", roffEscape(strings.ReplaceAll(c.CommandPath(), " ", "-")), roffEscape(c.Short))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B %s\n", roffEscape(c.UseLine()))
	long := c.Long
	if long == "" {
		long = c.Short
	}
	b.WriteString(".SH DESCRIPTION\n")
	verbatim := false // inside indented lines, shown as they are (.nf)
	for _, line := range strings.Split(long, "\n") {
		indented := strings.HasPrefix(line, " ")
		if indented != verbatim {
			verbatim = indented
			if indented {
				b.WriteString(".nf\n")
			} else {
				b.WriteString(".fi\n")
			}
		}
		switch {
		case line == "":
			b.WriteString(".PP\n")
		case indented:
			fmt.Fprintf(&b, "%s\n", roffEscape(line))
		case strings.ToUpper(line) == line:
			fmt.Fprintf(&b, ".SH %s\n", roffEscape(line))
		default:
			fmt.Fprintf(&b, "%s\n", roffEscape(line))
		}
	}
	if verbatim {
		b.WriteString(".fi\n")
	}
	writeFlags := func(heading string, fs *pflag.FlagSet) {
		if !fs.HasAvailableFlags() {
			return
		}
		fmt.Fprintf(&b, ".SH %s\n", heading)
		fs.VisitAll(func(fl *pflag.Flag) {
			if fl.Hidden {
				return
			}
			name := "\\-\\-" + roffEscape(fl.Name)
			if fl.Shorthand != "" {
				name = "\\-" + fl.Shorthand + ", " + name
			}
			fmt.Fprintf(&b, ".TP\n\\fB%s\\fR\n%s\n", name, roffEscape(fl.Usage))
		})
	}
	writeFlags("OPTIONS", c.NonInheritedFlags())
	writeFlags("GLOBAL OPTIONS", c.InheritedFlags())
	if c.HasAvailableSubCommands() {
		b.WriteString(".SH COMMANDS\n")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				fmt.Fprintf(&b, ".TP\n\\fB%s\\fR\n%s\n", roffEscape(sub.Name()), roffEscape(sub.Short))
			}
		}
	}
	return b.Bytes()
}

// roffEscape keeps text from being read as roff requests or escapes.
func roffEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// writeFileAtomic writes data to a temp file next to path, syncs it and
// renames it over path, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

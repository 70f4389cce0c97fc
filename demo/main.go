// Command demo shows imapctl at work: it starts go-imap's in-memory IMAP
// server (internal/testutil/memserver) on a loopback port, seeded with the
// sample messages of testdata/corpus and serving implicit TLS (RFC 8314)
// with a certificate from a freshly generated CA, then runs the built imapctl
// binary through the main job — list, select, search, fetch to stdout and to
// a Maildir — printing each command before its output.
//
// It is run by `make demo`. It needs Go only: no Dovecot, no Python. The
// server lives in this process, so go-imap (a test-only dependency) is never
// linked into imapctl itself. Everything the demo creates is in one
// temporary folder, removed on exit, on failure and on Ctrl-C.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

func main() {
	os.Exit(mainStatus())
}

// mainStatus runs the demo and returns the process's exit status.
func mainStatus() int {
	imapctl := flag.String("imapctl", "bin/imapctl", "the imapctl binary to run")
	corpus := flag.String("corpus", "testdata/corpus", "folder of .eml files to seed the server with")
	maxLines := flag.Int("lines", 12, "show at most this many lines of each command's output")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	d := &demo{out: os.Stdout, maxLines: *maxLines}
	err := d.run(ctx, *imapctl, *corpus)
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "demo: interrupted")
		return 130
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		return 1
	}
	return 0
}

// demo holds what the steps share.
type demo struct {
	out      io.Writer
	maxLines int
	binary   string          // absolute path of imapctl
	dir      string          // the temporary working folder
	env      []string        // imapctl's environment
	failed   []string        // commands that did not exit as expected
	commands map[string]bool // imapctl's subcommands
}

// step is one imapctl command line of the demo.
type step struct {
	// title says what the step shows.
	title string
	// args are imapctl's arguments.
	args []string
	// wantCode is the exit status the step expects (0 for all but the
	// error example).
	wantCode int
	// after runs when the command succeeded, e.g. to show the files it wrote.
	after func() error
}

func (d *demo) run(ctx context.Context, imapctl, corpus string) (err error) {
	if d.binary, err = filepath.Abs(imapctl); err != nil {
		return err
	}
	if _, err := os.Stat(d.binary); err != nil {
		return fmt.Errorf("%w (build it first: make build)", err)
	}
	if d.dir, err = os.MkdirTemp("", "imapctl-demo-"); err != nil {
		return err
	}
	defer os.RemoveAll(d.dir)

	server, err := memserver.Start(memserver.Options{TLS: true, CorpusDir: corpus})
	if err != nil {
		return err
	}
	defer server.Close()

	caFile := filepath.Join(d.dir, "demo-ca.pem")
	if err := os.WriteFile(caFile, server.CACertPEM, 0o644); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(server.TLSAddr)
	if err != nil {
		return err
	}
	d.env = demoEnvironment(os.Environ(), map[string]string{
		"IMAPCTL_HOST":     host,
		"IMAPCTL_PORT":     port,
		"IMAPCTL_USER":     server.Username,
		"IMAPCTL_CA_FILE":  caFile,
		"IMAPCTL_PASSWORD": server.Password,
		// Keep the user's own config file out of the demo.
		"XDG_CONFIG_HOME": filepath.Join(d.dir, "config"),
	})

	inbox := server.MessagesIn("INBOX")
	if len(inbox) == 0 {
		return fmt.Errorf("no messages seeded from %s", corpus)
	}
	firstUID := strconv.FormatUint(uint64(inbox[0].UID), 10)
	source := memserver.CorpusMailbox(corpusSource(corpus, inbox[0].Path))

	fmt.Fprintf(d.out, "imapctl demo: go-imap's in-memory IMAP server on %s (implicit TLS), %d sample messages from %s\n",
		server.TLSAddr, len(inbox), corpus)
	fmt.Fprintf(d.out, "Its certificate is signed by a CA made for this demo; imapctl verifies it (--ca-file).\n")
	fmt.Fprintf(d.out, "Working folder: %s (removed at the end)\n\n", d.dir)
	fmt.Fprintf(d.out, "$ export IMAPCTL_HOST=%s IMAPCTL_PORT=%s IMAPCTL_USER=%s IMAPCTL_CA_FILE=%s\n",
		host, port, server.Username, filepath.Base(caFile))
	fmt.Fprintf(d.out, "$ export IMAPCTL_PASSWORD=********   # the password travels in the environment, never on the command line\n")

	steps := []step{
		{title: "What the server can do", args: []string{"capability"}},
		{title: "Every mailbox, names decoded from modified UTF-7", args: []string{"list"}},
		{title: "Mailboxes with their counts, as JSON", args: []string{"--json", "list", "--status", "Corpus/%"}},
		{title: "The state of INBOX (EXAMINE: read-only)", args: []string{"select", "INBOX"}},
		{title: "Counts without selecting", args: []string{"status", memserver.NonASCIIMailbox}},
		{title: "Search with IMAP keys: UIDs of unseen messages from example.com", args: []string{"search", "INBOX", "FROM", "example.com", "UNSEEN"}},
		{title: "Search with the friendly flags", args: []string{"search", "INBOX", "--larger", "20000", "--count"}},
		{title: "One message to stdout, as the server stored it", args: []string{"fetch", "--policy", "raw", "INBOX", firstUID}},
		{title: "Flags, size and envelope as NDJSON", args: []string{"--json", "fetch", "INBOX", "1:3", "--items", "FLAGS INTERNALDATE RFC822.SIZE"}},
		{
			title: "A whole mailbox into a Maildir (flags in the file names)",
			args:  []string{"fetch", source, "--out", "maildir", "--format", "maildir"},
			after: func() error { return d.showTree("maildir") },
		},
		{
			// The Maildir recorded where its messages came from: the same
			// command again (from cron, or after Ctrl-C) fetches only what
			// is new, here nothing, and --json lists no stored file.
			title: "The same again, as cron would run it: only new messages are fetched (none here)",
			args:  []string{"--json", "fetch", source, "--out", "maildir", "--format", "maildir"},
			after: func() error { return d.showTree("maildir") },
		},
		{
			title: "A few messages as an mboxrd stream on stdout",
			args:  []string{"fetch", "INBOX", "1:2"},
		},
		{title: "Flag a message; the new flags are printed", args: []string{"store", "INBOX", firstUID, "--add", `\Flagged`, "$Demo"}},
		{title: "Copy it to a new mailbox (created when the server says TRYCREATE)", args: []string{"copy", "--create", "INBOX", firstUID, "Saved/Ärger"}},
		{title: "Upload the Maildir into another mailbox", args: []string{"append", "Archive", "maildir"}},
		{title: "Counts of the mailboxes touched", args: []string{"list", "--status", "Saved/*"}},
		{title: "A mistake: a mailbox that does not exist (exit status 5)", args: []string{"select", "No/Such/Mailbox"}, wantCode: 5},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.runStep(ctx, s); err != nil {
			return err
		}
	}
	fmt.Fprintln(d.out)
	if len(d.failed) > 0 {
		return fmt.Errorf("%d commands did not do what the demo expected: %s", len(d.failed), strings.Join(d.failed, "; "))
	}
	fmt.Fprintln(d.out, "Demo finished; the server is stopped and the working folder removed.")
	return nil
}

// runStep prints a step's command line, runs it and prints its output.
func (d *demo) runStep(ctx context.Context, s step) error {
	if !d.hasCommand(ctx, s.args) {
		fmt.Fprintf(d.out, "\n# %s\n# (skipped: this imapctl has no %q command yet)\n", s.title, commandName(s.args))
		return nil
	}
	fmt.Fprintf(d.out, "\n# %s\n$ imapctl %s\n", s.title, shellQuote(s.args))
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, d.binary, s.args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = d.dir, d.env, &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		return err
	}
	d.printLimited(stdout.Bytes())
	d.printLimited(stderr.Bytes())
	if code != 0 {
		fmt.Fprintf(d.out, "[exit status %d]\n", code)
	}
	if code != s.wantCode {
		d.failed = append(d.failed, fmt.Sprintf("imapctl %s: exit status %d, want %d", shellQuote(s.args), code, s.wantCode))
		return nil
	}
	if s.after != nil {
		return s.after()
	}
	return nil
}

// hasCommand reports whether imapctl knows the subcommand of args: whether
// "imapctl --help" lists it under "Available Commands".
func (d *demo) hasCommand(ctx context.Context, args []string) bool {
	if d.commands == nil {
		d.commands = map[string]bool{}
		cmd := exec.CommandContext(ctx, d.binary, "--help")
		cmd.Env = d.env
		help, _ := cmd.Output()
		inList := false
		for _, line := range strings.Split(string(help), "\n") {
			switch {
			case strings.HasPrefix(line, "Available Commands:"):
				inList = true
			case inList && strings.HasPrefix(line, "  "):
				if fields := strings.Fields(line); len(fields) > 0 {
					d.commands[fields[0]] = true
				}
			default:
				inList = false
			}
		}
	}
	return d.commands[commandName(args)]
}

// commandName is the first argument that is not a flag.
func commandName(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// printLimited prints data, cut to maxLines lines.
func (d *demo) printLimited(data []byte) {
	if len(data) == 0 {
		return
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) > d.maxLines {
		more := len(lines) - d.maxLines
		lines = append(lines[:d.maxLines], fmt.Sprintf("... (%d more lines, %d bytes in all)", more, len(data)))
	}
	for _, l := range lines {
		fmt.Fprintln(d.out, l)
	}
}

// showTree prints the files under dir (relative to the working folder),
// cut to maxLines.
func (d *demo) showTree(dir string) error {
	var files []string
	root := filepath.Join(d.dir, dir)
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(d.dir, p)
		if e.IsDir() {
			rel += "/"
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	fmt.Fprintf(d.out, "$ find %s\n", dir)
	d.printLimited([]byte(strings.Join(files, "\n")))
	return nil
}

// demoEnvironment is env without IMAPCTL_* variables, plus set.
func demoEnvironment(env []string, set map[string]string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "IMAPCTL_") || set[name] != "" {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// corpusSource is the corpus folder a file belongs to (its first path
// element under corpus).
func corpusSource(corpus, file string) string {
	rel, err := filepath.Rel(corpus, file)
	if err != nil {
		return ""
	}
	source, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
	return source
}

// shellQuote joins args as a POSIX shell would need them typed.
func shellQuote(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") == "" {
			quoted[i] = a
			continue
		}
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

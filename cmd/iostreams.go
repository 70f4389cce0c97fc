package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IOStreams is every terminal stream imapctl touches. Commands write data
// to Out and everything else (warnings, progress, hints) to ErrOut, so
// that stdout stays data only.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	IsStdinTTY  bool
	IsStdoutTTY bool
	IsStderrTTY bool

	// Quiet (--quiet) drops warnings and their hints (Warnf, Hintf).
	Quiet bool

	// ReadSecret shows prompt on the controlling terminal and reads one
	// line without echo. Secrets never come from In, which may carry data.
	ReadSecret func(prompt string) ([]byte, error)
}

// System returns the process's standard streams, with the password
// prompt on /dev/tty. Main makes the prompt end on Ctrl-C
// (ttySecretReader with its signal context).
func System() *IOStreams {
	return &IOStreams{
		In:          os.Stdin,
		Out:         os.Stdout,
		ErrOut:      os.Stderr,
		IsStdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		IsStdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		IsStderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		ReadSecret:  ttySecretReader(context.Background()),
	}
}

// Test returns IOStreams backed by buffers: stdin (empty, for the caller
// to fill), stdout and stderr. No stream is a terminal and a password
// prompt fails.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	ios = &IOStreams{
		In:     in,
		Out:    out,
		ErrOut: errOut,
		ReadSecret: func(string) ([]byte, error) {
			return nil, errors.New("no terminal to ask for a password")
		},
	}
	return ios, in, out, errOut
}

// Warnf writes one "imapctl: warning: ..." line to ErrOut, with control
// characters escaped (terminalSafe); nothing under --quiet.
func (s *IOStreams) Warnf(format string, args ...any) {
	if s.Quiet {
		return
	}
	s.errorLine("warning: ", fmt.Sprintf(format, args...))
}

// Alert writes the text of a server's [ALERT] as one "imapctl: server
// alert: ..." line, escaped like every stderr line. RFC 3501 §7.1 says
// the client MUST present it to the user, so --quiet does not drop it.
func (s *IOStreams) Alert(text string) {
	s.errorLine("server alert: ", text)
}

// Hintf writes one "imapctl: hint: ..." line that goes with a warning;
// nothing under --quiet.
func (s *IOStreams) Hintf(format string, args ...any) {
	if s.Quiet {
		return
	}
	s.errorLine("hint: ", fmt.Sprintf(format, args...))
}

// errorLine writes msg to ErrOut as "imapctl: "+prefix+msg, each line of
// msg on its own "imapctl: " line, every other control character and
// invalid UTF-8 escaped (terminalSafe). It is the one place where error
// and warning text, which may come from the server, reaches stderr.
func (s *IOStreams) errorLine(prefix, msg string) {
	msg = strings.ReplaceAll(terminalSafe(msg, true), "\n", "\nimapctl: ")
	fmt.Fprintf(s.ErrOut, "imapctl: %s%s\n", prefix, msg)
}

// ttySecretReader returns a ReadSecret that prompts on /dev/tty and gives
// up when ctx is done (Ctrl-C): see readSecretFromTTY.
func ttySecretReader(ctx context.Context) func(prompt string) ([]byte, error) {
	return func(prompt string) ([]byte, error) { return readSecretFromTTY(ctx, prompt) }
}

// readSecretFromTTY prompts on /dev/tty, the way ssh and age do, so that
// stdin and stdout stay free for data. When ctx is done first (Ctrl-C),
// the terminal gets its echo back and a newline, and ctx's error is
// returned, so that imapctl ends as interrupted rather than waiting on.
func readSecretFromTTY(ctx context.Context, prompt string) ([]byte, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, errors.New("no terminal to ask for a password (set IMAPCTL_PASSWORD or password_cmd)")
	}
	fd := int(tty.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		tty.Close()
		return nil, fmt.Errorf("reading password from terminal: %w", err)
	}
	fmt.Fprint(tty, prompt)
	// The read owns tty: after an interruption it may still be blocked in
	// read(2), which closing the file would not end, and the file must not
	// be closed (its descriptor reused) under it.
	read := func() ([]byte, error) {
		defer tty.Close()
		secret, err := term.ReadPassword(fd)
		fmt.Fprintln(tty)
		return secret, err
	}
	restore := func() {
		term.Restore(fd, state)
		fmt.Fprintln(tty)
	}
	return readSecretCancellable(ctx, read, restore)
}

// readSecretCancellable returns what read returns, or, when ctx is done
// first, calls restore (the terminal's echo back, a newline) and returns
// ctx's error, leaving read to the background. (A Ctrl-C in the
// microseconds between the start of read and its turning echo off would
// leave echo off; nothing short of setting the terminal modes ourselves
// closes that window, and a human cannot hit it.)
func readSecretCancellable(ctx context.Context, read func() ([]byte, error), restore func()) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		restore()
		return nil, err
	}
	type result struct {
		secret []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		secret, err := read()
		done <- result{secret, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("reading password from terminal: %w", r.err)
		}
		return r.secret, nil
	case <-ctx.Done():
		restore()
		return nil, ctx.Err()
	}
}

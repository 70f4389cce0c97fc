package imap

import (
	"fmt"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// Error is a server's NO or BAD completion of a command (RFC 3501 §7.1.2,
// §7.1.3): imaplib's IMAP4.error. The connection stays usable.
type Error struct {
	// Command is the command that failed, e.g. "SELECT" or "UID FETCH".
	Command string
	// Type is "NO" or "BAD".
	Type string
	// Code is the response code's name ("TRYCREATE", "AUTHENTICATIONFAILED",
	// ...) or "" when there was none; RespCode carries its arguments.
	Code     string
	RespCode *imapwire.RespCode
	// Text is the human-readable text the server sent.
	Text string
}

func (e *Error) Error() string {
	code := ""
	if e.Code != "" {
		code = "[" + e.Code + "] "
	}
	return fmt.Sprintf("imap: %s: %s %s%s", e.Command, e.Type, code, e.Text)
}

// AbortError means the connection can no longer be used: it broke, timed
// out, the server said BYE (RFC 3501 §7.1.5), sent data we could not
// parse, or the caller cancelled a command in flight. It is imaplib's
// IMAP4.abort.
type AbortError struct {
	// Bye is the text of the server's BYE, if that was the cause.
	Bye string
	// Err is the underlying cause (an I/O error, *imapwire.DecodeError,
	// context.Canceled, ...); nil when the cause is a BYE.
	Err error
}

func (e *AbortError) Error() string {
	if e.Err == nil {
		return "imap: connection closed by server: BYE " + e.Bye
	}
	return "imap: connection aborted: " + e.Err.Error()
}

// Unwrap returns the underlying cause.
func (e *AbortError) Unwrap() error { return e.Err }

// ReadOnlyError reports an attempt to change a mailbox that is selected
// read-only (RFC 3501 §6.3.2 EXAMINE, or a SELECT the server answered with
// [READ-ONLY]): imaplib's IMAP4.readonly.
type ReadOnlyError struct {
	Mailbox string
	Command string
}

func (e *ReadOnlyError) Error() string {
	if e.Command == "SELECT" {
		return fmt.Sprintf("imap: mailbox %q is not writable (server selected it read-only)", e.Mailbox)
	}
	return fmt.Sprintf("imap: %s: mailbox %q is selected read-only", e.Command, e.Mailbox)
}

// CapabilityError reports a command the server does not support or forbids
// (e.g. LOGIN under LOGINDISABLED, STARTTLS not offered). It is refused
// locally, before anything is sent.
type CapabilityError struct {
	Command string
	Reason  string
}

func (e *CapabilityError) Error() string { return "imap: " + e.Command + ": " + e.Reason }

// MissingDataError reports a command the server completed with OK without
// the untagged data the RFC requires for it, e.g. a STATUS with no STATUS
// response naming the mailbox asked for (RFC 3501 §6.3.10, §7.2.4). The
// connection is still usable; the result for this command is unknown.
type MissingDataError struct {
	Command string // "STATUS"
	Mailbox string // the mailbox asked for, in UTF-8
	Want    string // the response that did not come, e.g. "STATUS"
}

func (e *MissingDataError) Error() string {
	return fmt.Sprintf("imap: %s %q completed without a %s response for that mailbox", e.Command, e.Mailbox, e.Want)
}

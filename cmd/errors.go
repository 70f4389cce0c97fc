package cmd

import (
	"errors"
	"fmt"
)

// Exit statuses of imapctl, listed under EXIT STATUS in --help and the README.
const (
	ExitOK          = 0
	ExitInternal    = 1
	ExitUsage       = 2
	ExitAuth        = 3
	ExitConnection  = 4
	ExitServer      = 5
	ExitPartial     = 6
	ExitInterrupted = 130
)

// exitStatusHelp is the EXIT STATUS section of the root --help.
const exitStatusHelp = `EXIT STATUS
  0    ok
  1    internal error
  2    usage error
  3    authentication failed
  4    cannot connect / TLS / connection lost
  5    the server said NO or BAD (no such mailbox, ...)
  6    some messages failed (defects under a strict policy, partial fetch)
  130  interrupted`

// UsageError is bad command-line input: a flag, an argument, a config
// value or a policy spec. It exits with ExitUsage.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// usageErrorf returns a UsageError with a formatted message.
func usageErrorf(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// PartialError says that some messages of a batch failed while the others
// were processed. It exits with ExitPartial.
type PartialError struct {
	Failed, Total int
	// First is the first failure, shown to the user.
	First error
}

func (e *PartialError) Error() string {
	if e.First == nil {
		return fmt.Sprintf("%d of %d messages failed", e.Failed, e.Total)
	}
	return fmt.Sprintf("%d of %d messages failed; first: %v", e.Failed, e.Total, e.First)
}

// HintError carries an extra "imapctl: hint: ..." line for the user.
type HintError struct {
	Err  error
	Hint string
}

func (e *HintError) Error() string { return e.Err.Error() }
func (e *HintError) Unwrap() error { return e.Err }

// withHint wraps err with a hint line; a nil err stays nil.
func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &HintError{Err: err, Hint: hint}
}

// hintOf returns the innermost hint attached to err, if any.
func hintOf(err error) string {
	var h *HintError
	if errors.As(err, &h) {
		return h.Hint
	}
	return ""
}

// LimitError says that a wait ended at its time limit without what it
// waited for (watch --until-new --limit). It exits with ExitPartial.
type LimitError struct{ What string }

func (e *LimitError) Error() string { return e.What }

// batchFailures collects the messages of a batch that failed on their own
// (a defect under a strict policy, an inconsistent server copy) while the
// others went through. The first failure goes into the final error line;
// later ones are warned about as they happen.
type batchFailures struct {
	io     *IOStreams
	quiet  bool
	failed int
	first  error
}

// add records that the message at where failed with err.
func (b *batchFailures) add(where string, err error) { b.addN(where, err, 1) }

// addN records that n messages, named together by where, failed with err.
func (b *batchFailures) addN(where string, err error, n int) {
	b.failed += n
	if b.first == nil {
		b.first = fmt.Errorf("%s: %w", where, err)
	} else if !b.quiet {
		b.io.Warnf("%s: %v", where, err)
	}
}

// result is a *PartialError when any of total messages failed, else nil.
func (b *batchFailures) result(total int) error {
	if b.failed == 0 {
		return nil
	}
	return &PartialError{Failed: b.failed, Total: max(total, b.failed), First: b.first}
}

// where names message meta of src for messages.
func (src messageSource) where(index int) string {
	if src.single {
		return src.name
	}
	return fmt.Sprintf("%s message %d", src.name, index)
}

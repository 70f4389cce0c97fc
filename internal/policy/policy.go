// Package policy parses a message's source and writes it back under a
// Policy, with the semantics of Python's email.policy (compat32 and
// EmailPolicy) plus imapctl's own "raw" policy.
package policy

// Family says which of Python's policy classes a Policy behaves like, or
// that it is imapctl's raw pass-through.
type Family int

const (
	// FamilyEmail is Python's email.policy.EmailPolicy (default, SMTP, SMTPUTF8, HTTP, strict).
	FamilyEmail Family = iota
	// FamilyCompat32 is Python's email.policy.Compat32 (compat32).
	FamilyCompat32
	// FamilyRaw is imapctl's raw policy: bytes as the server sent them, only line endings set.
	FamilyRaw
)

// Policy is an immutable set of attributes controlling how a message is
// parsed and written, mirroring Python's email.policy attributes.
type Policy struct {
	// Family selects the algorithm family (EmailPolicy, Compat32, raw).
	Family Family
	// MaxLineLength is the folding limit; 0 means no limit (Python's 0 or None).
	MaxLineLength int
	// Linesep is the line ending written: "\n", "\r\n" or "\r".
	Linesep string
	// CTEType is "7bit" or "8bit".
	CTEType string
	// RaiseOnDefect makes any parser defect an error.
	RaiseOnDefect bool
	// MangleFrom writes body lines starting "From " as ">From ".
	MangleFrom bool
	// UTF8 (EmailPolicy only) allows UTF-8 in headers instead of encoded words.
	UTF8 bool
	// RefoldSource (EmailPolicy only) is "none", "long" or "all".
	RefoldSource string
}

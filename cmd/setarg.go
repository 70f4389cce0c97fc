package cmd

import (
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
)

// parseSetArg reads a SET argument: UIDs, or sequence numbers with seq.
// A malformed set is a usage error.
func parseSetArg(s string, seq bool) (imap.NumSet, error) {
	var set imap.NumSet
	var err error
	if seq {
		set, err = imap.ParseSeqSet(s)
	} else {
		set, err = imap.ParseUIDSet(s)
	}
	if err != nil {
		return set, &UsageError{err}
	}
	return set, nil
}

// parseFlagArgs validates flags typed by the user (RFC 3501 §9 flag): a
// system flag such as \Seen or a keyword atom. Commas and spaces separate
// several flags in one argument.
func parseFlagArgs(args []string) ([]string, error) {
	var flags []string
	for _, a := range args {
		for _, fl := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == ' ' }) {
			if !validFlag(fl) {
				return nil, usageErrorf("bad flag %q: want a system flag like \\Seen or a keyword atom like $Label1", fl)
			}
			flags = append(flags, fl)
		}
	}
	return flags, nil
}

// validFlag reports whether f is a flag: "\" atom, or an atom (no
// atom-specials: ( ) { SP CTL % * " \ ]).
func validFlag(f string) bool {
	name := strings.TrimPrefix(f, `\`)
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

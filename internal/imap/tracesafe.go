package imap

import "github.com/imapctl/imapctl/internal/termsafe"

// traceSafe returns one trace line with every byte that could drive a
// terminal written visibly, CR and LF included, so that a line of the
// trace is always one line and a hostile server cannot reach the user's
// terminal through it.
func traceSafe(s string) string { return termsafe.Escape(s, false) }

package cmd

import "github.com/imapctl/imapctl/internal/termsafe"

// terminalSafe returns s with every byte that could drive a terminal
// written visibly (see termsafe.Escape): text a server chose (NO/BAD/BYE
// text, [ALERT]s, mailbox names) passes through it before it reaches a
// terminal.
func terminalSafe(s string, keepNewline bool) string { return termsafe.Escape(s, keepNewline) }

// Command imapctl is a command-line IMAP client: list, select, search,
// fetch, store, copy and append, writing messages under Python-compatible
// email policies.
package main

import (
	"os"

	"github.com/imapctl/imapctl/cmd"
)

func main() {
	os.Exit(cmd.Main())
}

package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDovecotSearchSizeZero searches Dovecot with a size of 0: no message
// is smaller than 0 octets and every message is larger (RFC 3501 §6.4.4
// LARGER/SMALLER compare RFC822.SIZE strictly). A size of 0 used to
// vanish from the query, which then matched every message. (go-imap's
// in-memory server treats SMALLER 0 as unset too, so it cannot serve as
// the reference here.)
func TestDovecotSearchSizeZero(t *testing.T) {
	_, env := startDovecotUser(t)
	must := mustRun(t, env)
	must("create", "Sizes")
	path := filepath.Join(t.TempDir(), "m.eml")
	if err := os.WriteFile(path, []byte("Subject: x\r\n\r\nbody\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	must("append", "Sizes", path)
	must("append", "Sizes", path)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"SMALLER", "0"}, "0\n"},
		{[]string{"--smaller", "0"}, "0\n"},
		{[]string{"--smaller", "0k"}, "0\n"},
		{[]string{"OR", "SMALLER", "0", "SEEN"}, "0\n"},
		{[]string{"LARGER", "0"}, "2\n"},
		{[]string{"--larger", "0", "NOT", "LARGER", "0"}, "0\n"},
	} {
		code, out, errOut := runTest(t, env, append([]string{"search", "--count", "Sizes"}, tt.args...)...)
		if code != ExitOK || out != tt.want {
			t.Errorf("search --count Sizes %q = %d %q (stderr %q), want %q", tt.args, code, out, errOut, tt.want)
		}
	}
}

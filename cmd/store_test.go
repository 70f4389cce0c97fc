package cmd

import (
	"os"
	"strings"
	"testing"
)

// RFC 3501 §6.4.8 and §9: "*" is the largest number in use and a range is
// the same in either order, so with UIDs 1 to 3, "10:*" is "3:10" and
// takes in UID 3. Dovecot flags UID 3; store must print that change.
func TestDovecotStoreStarAboveLast(t *testing.T) {
	_, env := startDovecotUser(t)
	must := mustRun(t, env)
	path := t.TempDir() + "/m.eml"
	if err := os.WriteFile(path, []byte("Subject: a\r\n\r\nbody\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		must("append", "INBOX", path)
	}
	// printed returns the numbers store printed and checks that each line
	// shows flag.
	printed := func(out, flag string) []string {
		t.Helper()
		var nums []string
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			fields := strings.Fields(line)
			if len(fields) == 0 {
				continue
			}
			nums = append(nums, fields[0])
			if !strings.Contains(line, flag) {
				t.Errorf("store line %q lacks %s", line, flag)
			}
		}
		return nums
	}

	out := must("store", "INBOX", "10:*", "--add", `\Flagged`)
	if got := printed(out, `\Flagged`); strings.Join(got, " ") != "3" {
		t.Errorf("store INBOX 10:* --add \\Flagged printed %q, want UID 3's new flags", out)
	}
	if got := must("search", "INBOX", "FLAGGED"); got != "3\n" {
		t.Errorf("search FLAGGED after store 10:* = %q, want 3 (the server's reading of 10:*)", got)
	}

	out = must("store", "INBOX", "2:*", "--add", `$Two`)
	if got := printed(out, `$Two`); strings.Join(got, " ") != "2 3" {
		t.Errorf("store INBOX 2:* --add $Two printed %q, want UIDs 2 and 3", out)
	}
}

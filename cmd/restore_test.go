package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// restoreMaildir writes a Maildir "Box" with the messages m1 and m2.
func restoreMaildir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Box")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o700)
	}
	for i, name := range []string{"1700000000.M1P1.host:2,S", "1700000001.M1P1.host:2,"} {
		msg := fmt.Sprintf("From: a@example.org\nSubject: m%d\nMessage-ID: <m%d@example.org>\n\nbody %d\n", i+1, i+1, i+1)
		if err := os.WriteFile(filepath.Join(dir, "cur", name), []byte(msg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

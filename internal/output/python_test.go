package output

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// runPython runs a Python 3 script with args and returns its stdout.
// Python's mailbox module is the reference the formats are checked
// against; without python3 the test is skipped, except under CI=true.
func runPython(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required under CI")
		}
		t.Skip("python3 not installed")
	}
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	return out
}

// corpusMessage is one message of testdata/corpus.
type corpusMessage struct {
	name string
	data string
}

// loadCorpus returns the corpus messages, skipping any whose first line
// is a "From " line (an mbox envelope, not part of the message).
func loadCorpus(t *testing.T) []corpusMessage {
	t.Helper()
	var out []corpusMessage
	root := filepath.Join("..", "..", "testdata", "corpus")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".eml") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(b, []byte("From ")) {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, corpusMessage{name: rel, data: string(b)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("corpus has %d messages, want the testdata corpus (>100)", len(out))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// hasQuotedFromLine reports whether s has a line matching ^>+From , where
// mboxo (Python) and mboxrd differ.
func hasQuotedFromLine(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		trimmed := strings.TrimLeft(line, ">")
		if len(trimmed) < len(line) && strings.HasPrefix(trimmed, "From ") {
			return true
		}
	}
	return false
}

package policy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var updateKnownFailures = flag.Bool("update-known-failures", false, "rewrite testdata/policy-known-failures.txt with the pairs that fail now")

const (
	testdataDir       = "../../testdata"
	knownFailuresFile = testdataDir + "/policy-known-failures.txt"
)

// manifest is testdata/policy-expected/manifest.json, written by
// policy_oracle.py from Python 3.11's own output.
type manifest struct {
	Policies map[string]string `json:"policies"`
	Messages map[string]struct {
		Outputs map[string]struct {
			Status  string   `json:"status"`
			Defect  string   `json:"defect"`
			Error   string   `json:"error"`
			Defects []string `json:"defects"`
		} `json:"outputs"`
	} `json:"messages"`
}

// parityDataset is a directory of messages with Python's outputs.
type parityDataset struct {
	prefix      string // prefix of message names in known failures and logs
	messages    string // directory of input messages
	expected    string // directory of policy_oracle.py --batch output
	description string
}

// parityDatasets are the real-message corpus and hand-made edge cases
// (testdata/policy-edge/README.md), both with Python's output.
var parityDatasets = []parityDataset{
	{"", testdataDir + "/corpus", testdataDir + "/policy-expected", "corpus"},
	{"edge/", testdataDir + "/policy-edge/messages", testdataDir + "/policy-edge/expected", "edge cases"},
}

func loadManifest(t testing.TB, expectedDir string) *manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(expectedDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func loadKnownFailures(t *testing.T) map[string]bool {
	known := map[string]bool{}
	f, err := os.Open(knownFailuresFile)
	if errors.Is(err, os.ErrNotExist) {
		return known
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		known[line] = true
	}
	return known
}

// runPair writes one corpus message under spec and says how the result
// differs from Python's ("" when it does not).
func runPair(spec, rel string, want struct {
	Status  string   `json:"status"`
	Defect  string   `json:"defect"`
	Error   string   `json:"error"`
	Defects []string `json:"defects"`
}, slug string, ds parityDataset, bodyMemory int) (problem string) {
	defer func() {
		if r := recover(); r != nil {
			problem = fmt.Sprintf("panic: %v", r)
		}
	}()
	p, err := ParseSpec(spec, nil)
	if err != nil {
		return fmt.Sprintf("ParseSpec: %v", err)
	}
	input, err := os.ReadFile(filepath.Join(ds.messages, rel))
	if err != nil {
		return err.Error()
	}
	var out bytes.Buffer
	report, err := p.write(&out, bytes.NewReader(input), bodyMemory)
	switch want.Status {
	case "defect":
		var de *DefectError
		if !errors.As(err, &de) || de.Defect != want.Defect {
			return fmt.Sprintf("Write = %v, want defect %s", err, want.Defect)
		}
		if out.Len() != 0 {
			return "output written despite the defect"
		}
		return ""
	case "error":
		// Python raised while writing; we must not write either.
		if err == nil {
			return fmt.Sprintf("Write wrote %d bytes, want an error like Python's %s", out.Len(), want.Error)
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("Write = %v, want output", err)
	}
	expected, err := os.ReadFile(filepath.Join(ds.expected, slug, rel))
	if err != nil {
		return err.Error()
	}
	if !bytes.Equal(out.Bytes(), expected) {
		return "output differs from Python's: " + firstDifference(out.Bytes(), expected)
	}
	var got []string
	for _, d := range report.Defects {
		got = append(got, d.Class)
	}
	if len(got) != 0 || len(want.Defects) != 0 {
		if !reflect.DeepEqual(got, want.Defects) {
			return fmt.Sprintf("defects %v, want %v", got, want.Defects)
		}
	}
	return ""
}

func firstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-40)
	return fmt.Sprintf("at byte %d: got %q, want %q", i, got[lo:min(len(got), i+40)], want[lo:min(len(want), i+40)])
}

// TestPythonParity runs every (message, policy) pair of
// testdata/policy-expected/manifest.json: output byte-equal to Python's
// where Python wrote output, the same defect class where Python raised
// one, no panic where Python itself crashed. Pairs listed in
// testdata/policy-known-failures.txt may fail (and count as failures in
// the printed summary); a listed pair that passes fails the test so that
// the list only shrinks.
//
// Set IMAPCTL_POLICY_PARITY_DIR to a directory with messages/ and
// expected/ (policy_oracle.py --batch messages ... --expected-out
// expected) to compare more messages the same way.
func TestPythonParity(t *testing.T) {
	known := loadKnownFailures(t)
	var failing, summary []string
	datasets := parityDatasets
	if dir := os.Getenv("IMAPCTL_POLICY_PARITY_DIR"); dir != "" {
		datasets = append(datasets, parityDataset{"extra/", filepath.Join(dir, "messages"), filepath.Join(dir, "expected"), "extra"})
	}
	for _, ds := range datasets {
		m := loadManifest(t, ds.expected)
		var rels []string
		for rel := range m.Messages {
			rels = append(rels, rel)
		}
		sort.Strings(rels)
		var slugs []string
		for slug := range m.Policies {
			slugs = append(slugs, slug)
		}
		sort.Strings(slugs)
		all, allPass := 0, 0
		for _, slug := range slugs {
			spec := m.Policies[slug]
			pass, total := 0, 0
			for _, rel := range rels {
				want, ok := m.Messages[rel].Outputs[slug]
				if !ok {
					continue
				}
				total++
				key := slug + " " + ds.prefix + rel
				problem := runPair(spec, rel, want, slug, ds, MaxBodyMemory)
				switch {
				case problem == "" && known[key]:
					pass++
					if !*updateKnownFailures {
						t.Errorf("%s passes now: remove it from %s (or run with -update-known-failures)", key, knownFailuresFile)
					}
				case problem == "":
					pass++
				default:
					failing = append(failing, key)
					if !known[key] && !*updateKnownFailures {
						t.Errorf("%s (policy %q): %s", ds.prefix+rel, spec, problem)
					} else if testing.Verbose() {
						t.Logf("known failure %s: %s", key, problem)
					}
				}
			}
			summary = append(summary, fmt.Sprintf("%-12s %-58s %4d/%4d pairs match Python", ds.description, spec, pass, total))
			all += total
			allPass += pass
		}
		summary = append(summary, fmt.Sprintf("%-12s %-58s %4d/%4d pairs match Python", ds.description, "(all policies)", allPass, all))
	}
	if *updateKnownFailures {
		content := "# (policy-slug message) pairs of testdata/policy-expected and testdata/policy-edge\n" +
			"# that internal/policy does not match yet; each counts as a failure in TestPythonParity's summary.\n" +
			"# TestPythonParity fails on any other failing pair and on a listed pair that passes.\n" +
			"# Regenerate after a fix: go test ./internal/policy -run TestPythonParity -update-known-failures\n" +
			strings.Join(failing, "\n") + "\n"
		if err := os.WriteFile(knownFailuresFile, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("summary", func(t *testing.T) {
		for _, line := range summary {
			t.Log(line)
		}
		t.Logf("%d known failures listed in %s", len(failing), knownFailuresFile)
	})
}

// TestPythonParitySpooled runs the edge cases with no body memory at all,
// so that every payload, preamble and epilogue goes through a temporary
// file, and compares with Python's output as TestPythonParity does.
func TestPythonParitySpooled(t *testing.T) {
	ds := parityDatasets[1]
	m := loadManifest(t, ds.expected)
	for rel, msg := range m.Messages {
		for slug, want := range msg.Outputs {
			if problem := runPair(m.Policies[slug], rel, want, slug, ds, 0); problem != "" {
				t.Errorf("%s (policy %q, bodies spooled): %s", rel, m.Policies[slug], problem)
			}
		}
	}
}

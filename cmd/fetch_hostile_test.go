package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/output"
)

// emlFiles lists the file names in dir.
func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// storedFiles lists the names of the files under dir, but for the record
// of a Maildir's origin (output.MaildirOriginFile).
func storedFiles(dir string) []string {
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != filepath.Join(dir, output.MaildirOriginFile) {
			names = append(names, filepath.Base(p))
		}
		return nil
	})
	return names
}

// RFC 3501 §7.4.2: a server may send the data of a message more than
// once. The first copy is stored, later ones are ignored with a warning;
// this is never a usage error. The second copy comes with the UID before
// and after the body.
func TestFetchSameUIDTwiceKeepsFirst(t *testing.T) {
	for name, second := range map[string]string{
		"uid first": bodyLiteral("* 1 FETCH (UID 7 ", ")"),
		"uid after": bodyLiteral("* 1 FETCH (", " UID 7)"),
	} {
		t.Run(name, func(t *testing.T) {
			script := examineOne + "C: $tag UID FETCH 7 *\n" +
				bodyLiteral("* 1 FETCH (UID 7 FLAGS () ", ")") + second +
				"S: $tag OK UID FETCH completed\n"
			_, env := startScript(t, script)
			dir := filepath.Join(t.TempDir(), "eml")
			code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "INBOX", "7")
			if code != ExitOK {
				t.Fatalf("fetch = %d, %s", code, errOut)
			}
			if names := emlFiles(t, dir); len(names) != 1 || names[0] != "7.eml" {
				t.Fatalf("files %v, want [7.eml]", names)
			}
			if data, _ := os.ReadFile(filepath.Join(dir, "7.eml")); string(data) != lateBody {
				t.Errorf("7.eml holds %q, want %q", data, lateBody)
			}
			if !strings.Contains(errOut, "UID 7") || !strings.Contains(errOut, "sent again") {
				t.Errorf("stderr %q: want a warning naming UID 7", errOut)
			}
		})
	}
}

// A FETCH response for a UID not asked for (UID FETCH 7 answered with
// UID 9 too) is unsolicited: not stored, whether its UID comes before or
// after the body, and the run succeeds without a word.
func TestFetchIgnoresMessagesNotAskedFor(t *testing.T) {
	for name, other := range map[string]string{
		"uid first": bodyLiteral("* 3 FETCH (UID 9 ", ")"),
		"uid after": bodyLiteral("* 3 FETCH (", " UID 9)"),
	} {
		for _, format := range []string{"eml", "maildir"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				script := examineOne + "C: $tag UID FETCH 7 *\n" +
					bodyLiteral("* 1 FETCH (UID 7 FLAGS () ", ")") + other +
					"S: $tag OK UID FETCH completed\n"
				_, env := startScript(t, script)
				dir := filepath.Join(t.TempDir(), "out")
				code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", format, "INBOX", "7")
				if code != ExitOK {
					t.Fatalf("fetch = %d, %s", code, errOut)
				}
				names := storedFiles(dir)
				if len(names) != 1 || !(names[0] == "7.eml" || strings.Contains(names[0], ",U=7,")) {
					t.Fatalf("files %v, want only UID 7's", names)
				}
				if errOut != "" {
					t.Errorf("stderr %q: want nothing (an unsolicited FETCH is ordinary)", errOut)
				}
			})
		}
	}
}

// --search: only the UIDs the search returned are stored.
func TestFetchSearchIgnoresOtherUIDs(t *testing.T) {
	script := examineOne + "C: $tag UID SEARCH *\nS: * SEARCH 7\nS: $tag OK done\n" +
		"C: $tag UID FETCH 7 *\n" +
		bodyLiteral("* 1 FETCH (UID 7 FLAGS () ", ")") + bodyLiteral("* 2 FETCH (UID 8 ", ")") +
		"S: $tag OK UID FETCH completed\n"
	_, env := startScript(t, script)
	dir := filepath.Join(t.TempDir(), "eml")
	code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--search", "ALL", "INBOX")
	if code != ExitOK {
		t.Fatalf("fetch = %d, %s", code, errOut)
	}
	if names := emlFiles(t, dir); len(names) != 1 || names[0] != "7.eml" {
		t.Fatalf("files %v, want [7.eml]", names)
	}
}

// BODY[] NIL, or an empty BODY[] while RFC822.SIZE is 17 (before or after
// the body), is a message that could not be fetched: exit 6, named, no
// file.
func TestFetchMissingBodyFails(t *testing.T) {
	for name, resp := range map[string]string{
		"nil":               "S: * 1 FETCH (UID 7 RFC822.SIZE 17 BODY[] NIL)\n",
		"nil without size":  "S: * 1 FETCH (UID 7 BODY[] NIL)\n",
		"empty, size after": "S: * 1 FETCH (UID 7 BODY[] {0}\nraw: \"\"\nS:  RFC822.SIZE 17)\n",
	} {
		t.Run(name, func(t *testing.T) {
			script := examineOne + "C: $tag UID FETCH 7 *\n" + resp + "S: $tag OK UID FETCH completed\n"
			_, env := startScript(t, script)
			dir := filepath.Join(t.TempDir(), "eml")
			code, _, errOut := runTest(t, env, "fetch", "--out", dir, "INBOX", "7")
			if code != ExitPartial {
				t.Fatalf("fetch = %d, want %d; stderr %s", code, ExitPartial, errOut)
			}
			if !strings.Contains(errOut, "UID 7") {
				t.Errorf("stderr %q does not name UID 7", errOut)
			}
			if names := emlFiles(t, dir); len(names) != 0 {
				t.Errorf("files %v, want none", names)
			}
		})
	}
}

package backup

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzMailboxPath checks that any mailbox name becomes a relative path
// inside the account folder, with no "." or ".." level and no reserved
// name, and that the path gives the name back.
func FuzzMailboxPath(f *testing.F) {
	for _, s := range []string{"INBOX", "a/b", "../etc", "/abs", "x//y", ".", "cur", "50%", "Entwürfe/日本語", "a\x00b", "1.eml", "new/tmp"} {
		f.Add(s, "/")
		f.Add(s, ".")
	}
	f.Fuzz(func(t *testing.T, name, delimiter string) {
		if len(delimiter) > 1 {
			delimiter = delimiter[:1]
		}
		p := MailboxPath(name, delimiter)
		if !filepath.IsLocal(p) {
			t.Fatalf("MailboxPath(%q, %q) = %q: not local", name, delimiter, p)
		}
		for _, level := range strings.Split(p, string(filepath.Separator)) {
			if level == "." || level == ".." || level == "" || strings.HasPrefix(level, ".") || reservedNames[strings.ToLower(level)] || strings.HasSuffix(strings.ToLower(level), ".eml") {
				t.Fatalf("MailboxPath(%q, %q) = %q: bad level %q", name, delimiter, p, level)
			}
		}
		back, err := MailboxFromPath(p, delimiter)
		if delimiter == "" {
			back, err = UnescapeName(p)
		}
		if err != nil || back != name {
			t.Fatalf("MailboxFromPath(%q) = %q, %v; want %q", p, back, err, name)
		}
	})
}

// FuzzReadManifest feeds arbitrary bytes as a manifest: no panic, a
// manifest cut at any byte still reads (its torn last line dropped), and
// the compact manifestIndex folds it to the same entries as Manifest.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte(`{"op":"stored","uid":1,"size":3,"sha256":"ab","lossless":true,"file":"cur/x"}` + "\n" + `{"op":"flags","uid":1,"flags":["\\Seen"]}` + "\n"))
	f.Add([]byte(`{"op":"failed","uid":2,"error":"x"}` + "\n" + `{"op":"stor`))
	f.Add([]byte(`{"op":"stored","uid":3,"file":"cur/3:2,","modseq":4}` + "\n" + `{"op":"stored","uid":2,"file":"cur/2"}` + "\n" +
		`{"op":"flags","uid":3,"flags":["\\Seen"],"file":"cur/3:2,S","modseq":9}` + "\n" + `  {"op":"flags","uid":3,"flags":[]}` + "\n\n" +
		`{"op":"flags","uid":2,"modseq":7}` + "\n" + `{"op":"expunged","uid":9}` + "\n" + `{"op":"stored","uid":9,"file":"cur/9"}` + "\n" +
		`{"op":"flags","uid":9,"file":"cur/9:2,F"}` + "\n" + `{"op":"stored","uid":9,"file":"cur/9b"}` + "\n" + `{"op":"expunged","uid":2}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ManifestFileName), data, 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := readManifest(dir, true)
		if err != nil {
			return
		}
		info, _ := os.Stat(filepath.Join(dir, ManifestFileName))
		if n := info.Size(); n > 0 && n < int64(len(data)) && data[n-1] != '\n' {
			t.Fatalf("repaired manifest ends mid-line")
		}
		for uid, e := range m.Messages {
			if e.UID != uid || e.Op != OpStored {
				t.Fatalf("folded entry %d = %+v", uid, e)
			}
		}
		idx, err := openManifestIndex(dir)
		if err != nil {
			t.Fatalf("index: %v (Manifest read it)", err)
		}
		defer idx.Close()
		if idx.len() != len(m.Messages) {
			t.Fatalf("index holds %d messages, Manifest %d", idx.len(), len(m.Messages))
		}
		var last uint32
		for uid, r := range idx.ascending() {
			if uid <= last && last != 0 {
				t.Fatalf("index yields UID %d after %d", uid, last)
			}
			last = uid
			e, err := idx.entry(uid, r)
			if err != nil {
				t.Fatalf("index entry %d: %v", uid, err)
			}
			if want := m.Messages[uid]; !reflect.DeepEqual(e, want) {
				t.Fatalf("index entry %d = %+v, Manifest's %+v", uid, e, want)
			}
			if r.fileHash != fileHash(e.File) {
				t.Fatalf("index entry %d: file hash is not that of %q", uid, e.File)
			}
		}
	})
}

package output

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzFiles splits fuzz input into files: entries separated by 0xff, each
// "subdir\x00name\x00content". Names that cannot be file names (empty,
// ".", "..", with '/') are dropped; duplicates keep the first.
func fuzzFiles(data []byte) [][3]string {
	var files [][3]string
	seen := map[string]bool{}
	for _, entry := range bytes.Split(data, []byte{0xff}) {
		parts := bytes.SplitN(entry, []byte{0}, 3)
		if len(parts) != 3 {
			continue
		}
		sub, name := string(parts[0]), string(parts[1])
		if name == "" || name == "." || name == ".." || len(name) > 200 || strings.ContainsAny(name, "/\x00") || seen[sub+"/"+name] {
			continue
		}
		seen[sub+"/"+name] = true
		files = append(files, [3]string{sub, name, string(parts[2])})
		if len(files) == 20 {
			break
		}
	}
	return files
}

// validIMAPFlag reports whether f can go into an APPEND or STORE flag
// list (RFC 3501 §9 flag): "\" atom or a keyword atom.
func validIMAPFlag(f string) bool {
	name := strings.TrimPrefix(f, `\`)
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

// FuzzFolderSources builds a Maildir (cur/, new/, tmp/ files) or a folder
// of .eml files from arbitrary names and contents and reads it as append
// and restore do: no panic; every message read is a file of cur/ or new/
// (never tmp/, never a hidden file) or a visible .eml file, read once,
// with exactly the file's bytes and size; Maildir flags are valid IMAP
// flags (they are sent in APPEND) and its UIDs those of the names.
func FuzzFolderSources(f *testing.F) {
	f.Add([]byte("cur\x001700000000.M1P2Q3.host,U=7:2,FS\x00Subject: a\r\n\r\nx\r\n\xffnew\x001700000001.M1.host\x00b\xfftmp\x001700000002.x\x00partial\xffcur\x00.hidden:2,S\x00h"), true)
	f.Add([]byte("cur\x00x:2,abcdefghijklmnopqrstuvwxyzDFPRST\x00m\xffcur\x00y:1,\x00n\xffnew\x00z,U=99999999999:2,S\x00o"), true)
	f.Add([]byte(".\x0012.eml\x00a\xff.\x002.eml\x00b\xff.\x00x.EML\x00c\xff.\x00.9.eml\x00hidden\xff.\x00note.txt\x00t"), false)
	f.Fuzz(func(t *testing.T, data []byte, maildir bool) {
		dir := t.TempDir()
		if maildir {
			for _, sub := range []string{"cur", "new", "tmp"} {
				if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
					t.Fatal(err)
				}
			}
		}
		written := map[string]string{}
		for _, fl := range fuzzFiles(data) {
			sub := "."
			if maildir {
				sub = []string{"cur", "new", "tmp"}[len(fl[0])%3]
			}
			path := filepath.Join(dir, sub, fl[1])
			if err := os.WriteFile(path, []byte(fl[2]), 0o600); err != nil {
				continue // a name the file system refuses
			}
			written[path] = fl[2]
		}
		var src Source
		var err error
		if maildir {
			src, err = OpenMaildir(dir)
		} else {
			src, err = OpenEMLFolder(dir)
		}
		if err != nil {
			return
		}
		defer src.Close()
		read := map[string]bool{}
		for {
			m, body, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			want, ok := written[m.Path]
			base := filepath.Base(m.Path)
			if !ok || read[m.Path] || strings.HasPrefix(base, ".") {
				t.Fatalf("read %s (written %v, read before %v)", m.Path, ok, read[m.Path])
			}
			read[m.Path] = true
			sub := filepath.Base(filepath.Dir(m.Path))
			if maildir && sub != "cur" && sub != "new" {
				t.Fatalf("read %s from %s/", m.Path, sub)
			}
			if !maildir && !strings.EqualFold(filepath.Ext(base), ".eml") {
				t.Fatalf("read %s: not an .eml file", m.Path)
			}
			got, err := io.ReadAll(body)
			if err != nil || string(got) != want || m.Size != int64(len(want)) {
				t.Fatalf("%s: read %q (size %d), %v; want %q", m.Path, got, m.Size, err, want)
			}
			for _, fl := range m.Flags {
				if !validIMAPFlag(fl) {
					t.Fatalf("%s: flag %q cannot be sent to a server", m.Path, fl)
				}
			}
			if maildir {
				parsed, err := ParseMaildirName(base)
				if err != nil || parsed.UID != m.UID {
					t.Fatalf("%s: UID %d; name parses as %+v, %v", m.Path, m.UID, parsed, err)
				}
			}
		}
	})
}

package output

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestListMaildirAndSetFlags(t *testing.T) {
	root := t.TempDir()
	sink := NewMaildirSink(root, Options{})
	var paths []string
	for uid := uint32(1); uid <= 3; uid++ {
		s, err := sink.Put(context.Background(), Message{UID: uid * 10}, bytesWriter("m\n"))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, s.Path)
	}
	sink.Close()
	seen, _, err := SetMaildirFlags(paths[0], []string{`\Seen`, `\Flagged`})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(seen, ":2,FS") || filepath.Base(filepath.Dir(seen)) != "cur" {
		t.Errorf("SetMaildirFlags(Seen Flagged) = %s", seen)
	}
	answered, dropped, err := SetMaildirFlags(seen, []string{`\Answered`, `$Junk`})
	if err != nil || !strings.HasSuffix(answered, ":2,R") || !reflect.DeepEqual(dropped, []string{`$Junk`}) {
		t.Errorf("SetMaildirFlags(Answered $Junk) = %s, %v, %v", answered, dropped, err)
	}
	same, _, err := SetMaildirFlags(answered, []string{`\answered`})
	if err != nil || same != answered {
		t.Errorf("SetMaildirFlags(unchanged) = %s, %v; want %s", same, err, answered)
	}
	cleared, _, err := SetMaildirFlags(answered, nil)
	if err != nil || filepath.Base(filepath.Dir(cleared)) != "new" || strings.Contains(cleared, ":") {
		t.Errorf("SetMaildirFlags(none) = %s, %v", cleared, err)
	}
	final, _, _ := SetMaildirFlags(paths[1], []string{`\Deleted`, `\Draft`})

	files, err := ListMaildir(root)
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint32]string{}
	for _, f := range files {
		letters, _ := MaildirInfo(f.Name.Flags)
		got[f.Name.UID] = f.Subdir + ":" + letters
		if f.Name.Size != 2 {
			t.Errorf("%s: size %d, want 2", f.Path, f.Name.Size)
		}
	}
	if want := map[uint32]string{10: "new:", 20: "cur:DT", 30: "new:"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListMaildir = %v, want %v", got, want)
	}
	// Python's mailbox.Maildir agrees on the flags after the renames.
	script := `
import mailbox, sys, json
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
print(json.dumps({k: box.get_message(k).get_flags() for k in box.keys()}))
`
	var pyFlags map[string]string
	if err := json.Unmarshal(runPython(t, script, root), &pyFlags); err != nil {
		t.Fatal(err)
	}
	key, _, _ := strings.Cut(filepath.Base(final), ":")
	if len(pyFlags) != 3 || pyFlags[key] != "DT" {
		t.Errorf("Python sees flags %v, want %s: DT among 3", pyFlags, key)
	}
	if _, _, err := SetMaildirFlags(filepath.Join(root, "tmp", "x"), nil); err == nil {
		t.Error("SetMaildirFlags on a tmp/ file succeeded")
	}
}

func TestCleanTempFiles(t *testing.T) {
	root := t.TempDir()
	sink := NewMaildirSink(root, Options{GroupCommit: true})
	if _, err := sink.Put(context.Background(), Message{UID: 1, InternalDate: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}, bytesWriter("pending\n")); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(root, "tmp", "123.crashed.host")
	os.WriteFile(old, []byte("half"), 0o600)
	long := time.Now().Add(-48 * time.Hour)
	os.Chtimes(old, long, long)
	// A pending group-commit file, although its message is from 2001, is fresh.
	if n, err := CleanMaildirTmp(root, 0); err != nil || n != 1 {
		t.Fatalf("CleanMaildirTmp = %d, %v; want 1", n, err)
	}
	committed, err := sink.Flush()
	if err != nil || len(committed) != 1 {
		t.Fatalf("Flush after cleaning = %v, %v", committed, err)
	}
	if info, _ := os.Stat(committed[0].Path); !info.ModTime().Equal(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("group-committed mtime = %v, want INTERNALDATE", info.ModTime())
	}
	sink.Close()

	dir := t.TempDir()
	for _, name := range []string{".7.eml.0011aabbccdd.tmp", "7.eml", ".hidden"} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, nil, 0o600)
		os.Chtimes(path, long, long)
	}
	if n, err := CleanEMLTemp(dir, time.Hour); err != nil || n != 1 {
		t.Fatalf("CleanEMLTemp = %d, %v; want 1", n, err)
	}
	if got := listTree(t, dir); !reflect.DeepEqual(got, []string{".hidden", "7.eml"}) {
		t.Errorf("after CleanEMLTemp: %v", got)
	}
}

func TestNewReaderSource(t *testing.T) {
	mbox := "\r\n\nFrom a Mon Jan  1 00:00:00 2024\nSubject: 1\n\nFrom b\nSubject: 2\n"
	_, bodies := readSource(t, NewReaderSource(strings.NewReader(mbox), "-", MboxRD))
	if !reflect.DeepEqual(bodies, []string{"Subject: 1\n", "Subject: 2\n"}) {
		t.Errorf("mbox on a stream read as %q", bodies)
	}
	msg := "Subject: From the start\n\nFrom here\n"
	_, bodies = readSource(t, NewReaderSource(strings.NewReader(msg), "-", MboxRD))
	if !reflect.DeepEqual(bodies, []string{msg}) {
		t.Errorf("message on a stream read as %q", bodies)
	}
}

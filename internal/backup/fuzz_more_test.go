package backup

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzReadState feeds arbitrary bytes as a mailbox's state file: no
// panic; a state that reads is written back (atomically, as a run does)
// and reads again to the same values.
func FuzzReadState(f *testing.F) {
	f.Add([]byte(`{"mailbox":"INBOX","delimiter":"/","uidvalidity":7,"last_uid":42,"highestmodseq":9,"messages":3,"unseen":1,"format":"maildir","policy":"raw","linesep":"\n","updated":"2026-12-02T00:00:00Z"}`))
	f.Add([]byte(`{"mailbox":"a\u0000b","attributes":["\\Sent"],"uidvalidity":4294967295,"last_uid":-1}`))
	f.Add([]byte(`{"mailbox":"\xff\xfe","format":"mbox","highestmodseq":18446744073709551615}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"updated":"not a time"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, StateFileName), data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, has, err := readState(dir)
		if err != nil {
			if has {
				t.Fatalf("readState failed (%v) but says there is a state", err)
			}
			return
		}
		if !has {
			t.Fatal("readState found no state in an existing file")
		}
		if err := writeState(dir, st, nil); err != nil {
			t.Fatalf("writeState(%+v) = %v", st, err)
		}
		back, has, err := readState(dir)
		if err != nil || !has {
			t.Fatalf("state %+v written, read back: %v", st, err)
		}
		st.Updated, back.Updated = time.Time{}, time.Time{}
		if !reflect.DeepEqual(st, back) && !(len(st.Attributes) == 0 && len(back.Attributes) == 0) {
			t.Fatalf("state %+v reads back as %+v", st, back)
		}
		if m, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(m) > 0 {
			t.Fatalf("temp files left: %v", m)
		}
	})
}

// FuzzUnescapeName reads arbitrary folder names as restore does when it
// recreates mailbox names from a backup's folders: no panic; a name that
// unescapes escapes again to one safe folder level (local, no separator,
// no leading dot, not a reserved name) that unescapes to the same name.
func FuzzUnescapeName(f *testing.F) {
	for _, s := range []string{"INBOX", "%_", "%2E.", "%2F%2f", "%", "%4", "%zz", "%+1", "a%00b", "%63ur", "x%2Eeml", "..", "Entw%C3%BCrfe", "%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := UnescapeName(s)
		if err != nil {
			return
		}
		level := EscapeName(name)
		if !filepath.IsLocal(level) || strings.ContainsAny(level, `/\`) || strings.HasPrefix(level, ".") || reservedNames[strings.ToLower(level)] {
			t.Fatalf("UnescapeName(%q) = %q, which escapes to %q: not one safe level", s, name, level)
		}
		back, err := UnescapeName(level)
		if err != nil || back != name {
			t.Fatalf("UnescapeName(%q) = %q; EscapeName gives %q, which unescapes to %q, %v", s, name, level, back, err)
		}
	})
}

package output

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// maildirNamePattern is the name scheme of the Maildir specification
// (time, then M<µs>P<pid>Q<delivery>R<random> as "modern" deliveries, then
// host), with our ",U=" and ",S=" fields and the ":2," info.
var maildirNamePattern = regexp.MustCompile(`^([0-9]+)\.M[0-9]+P[0-9]+Q[0-9]+R[0-9a-f]{16}\.[^/:,]+(,U=[0-9]+)?,S=([0-9]+)(:2,[A-Z]*)?$`)

func TestMaildirSinkNamesAndFlags(t *testing.T) {
	root := filepath.Join(t.TempDir(), "Mail")
	sink := NewMaildirSink(root, Options{})
	date := time.Date(2022, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		flags       []string
		uid         uint32
		wantDir     string
		wantInfo    string
		wantDropped []string
	}{
		{nil, 1, "new", "", nil},
		{[]string{`\Recent`}, 2, "new", "", []string{`\Recent`}},
		{[]string{`\Seen`}, 3, "cur", ":2,S", nil},
		{[]string{`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `$Forwarded`}, 4, "cur", ":2,DFPRST", nil},
		{[]string{`\deleted`, `\SEEN`, `$Junk`}, 5, "cur", ":2,ST", []string{`$Junk`}},
		{[]string{`\Flagged`}, 0, "cur", ":2,F", nil},
	}
	for _, tt := range tests {
		body := "Subject: " + strings.Join(tt.flags, " ") + "\n\nbody\n"
		stored, err := sink.Put(context.Background(), Message{UID: tt.uid, Flags: tt.flags, InternalDate: date}, bytesWriter(body))
		if err != nil {
			t.Fatalf("Put(%v) = %v", tt.flags, err)
		}
		dir, name := filepath.Split(stored.Path)
		if filepath.Base(dir) != tt.wantDir {
			t.Errorf("Put(%v) in %s, want %s", tt.flags, dir, tt.wantDir)
		}
		match := maildirNamePattern.FindStringSubmatch(name)
		if match == nil {
			t.Fatalf("Put(%v) name %q does not follow the Maildir scheme", tt.flags, name)
		}
		if match[3] != itoa(len(body)) || match[4] != tt.wantInfo {
			t.Errorf("Put(%v) name %q: size %s info %q, want %d %q", tt.flags, name, match[3], match[4], len(body), tt.wantInfo)
		}
		if (match[2] != "") != (tt.uid != 0) || tt.uid != 0 && match[2] != ",U="+itoa(int(tt.uid)) {
			t.Errorf("Put(%v) name %q: UID field %q, want UID %d", tt.flags, name, match[2], tt.uid)
		}
		if !reflect.DeepEqual(stored.DroppedFlags, tt.wantDropped) {
			t.Errorf("Put(%v).DroppedFlags = %v, want %v", tt.flags, stored.DroppedFlags, tt.wantDropped)
		}
		if got := readFile(t, stored.Path); got != body {
			t.Errorf("%s = %q, want %q", stored.Path, got, body)
		}
		info, _ := os.Stat(stored.Path)
		if !info.ModTime().Equal(date) || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mtime %v mode %v, want %v 0600", stored.Path, info.ModTime(), info.Mode().Perm(), date)
		}
	}
	sink.Close()
	if entries, _ := os.ReadDir(filepath.Join(root, "tmp")); len(entries) != 0 {
		t.Errorf("tmp/ holds %d files after delivery", len(entries))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Python's mailbox.Maildir, reading our Maildir, sees the same messages,
// subfolders, flags and bytes.
func TestMaildirSinkReadByPython(t *testing.T) {
	root := filepath.Join(t.TempDir(), "Mail")
	sink := NewMaildirSink(root, Options{})
	flagSets := [][]string{nil, {`\Seen`}, {`\Seen`, `\Answered`}, {`\Flagged`, `\Draft`, `\Deleted`, `$Forwarded`}}
	type entry struct {
		Key, Subdir, Flags, Data string
	}
	var want []entry
	for i, m := range loadCorpus(t)[:40] {
		flags := flagSets[i%len(flagSets)]
		stored, err := sink.Put(context.Background(), Message{UID: uint32(i + 1), Flags: flags}, bytesWriter(m.data))
		if err != nil {
			t.Fatal(err)
		}
		letters, _ := MaildirInfo(flags)
		subdir := "new"
		if letters != "" {
			subdir = "cur"
		}
		key, _, _ := strings.Cut(filepath.Base(stored.Path), ":")
		want = append(want, entry{Key: key, Subdir: subdir, Flags: letters, Data: m.data})
	}
	sink.Close()
	script := `
import mailbox, sys, json
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
out = []
for key in box.keys():
    msg = box.get_message(key)
    out.append({"Key": key, "Subdir": msg.get_subdir(), "Flags": msg.get_flags(),
                "Data": box.get_bytes(key).decode("latin-1")})
print(json.dumps(out))
`
	var got []entry
	if err := json.Unmarshal(runPython(t, script, root), &got); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		want[i].Data = latin1(want[i].Data)
	}
	sortEntries := func(e []entry) { sort.Slice(e, func(i, j int) bool { return e[i].Key < e[j].Key }) }
	sortEntries(got)
	sortEntries(want)
	if len(got) != len(want) {
		t.Fatalf("Python sees %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Python reads %s as subdir %s flags %q (%d bytes), want %s %q (%d bytes)",
				want[i].Key, got[i].Subdir, got[i].Flags, len(got[i].Data), want[i].Subdir, want[i].Flags, len(want[i].Data))
		}
	}
}

// latin1 maps bytes to runes one to one, as Python's latin-1 decoding.
func latin1(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

// Our Maildir reader reads a Maildir made by Python's mailbox.Maildir:
// the same bytes, and flags from the info letters.
func TestMaildirSourceReadsPythonMaildir(t *testing.T) {
	root := filepath.Join(t.TempDir(), "Mail")
	script := `
import mailbox, sys
box = mailbox.Maildir(sys.argv[1], create=True)
for i, flags in enumerate(["", "S", "RS", "DFPT", "FS"]):
    msg = mailbox.MaildirMessage(b"Subject: %d\n\nbody %d\n" % (i, i))
    if flags:
        msg.set_subdir("cur")
        msg.set_flags(flags)
    box.add(msg)
box.close()
`
	runPython(t, script, root)
	kind, err := DetectKind(root)
	if err != nil || kind != KindMaildir {
		t.Fatalf("DetectKind = %v, %v; want maildir", kind, err)
	}
	src, err := Open(root, MboxRD)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	wantFlags := map[string][]string{
		"0": nil, "1": {`\Seen`}, "2": {`\Answered`, `\Seen`},
		"3": {`\Draft`, `\Flagged`, `$Forwarded`, `\Deleted`}, "4": {`\Flagged`, `\Seen`},
	}
	seen := 0
	for {
		meta, body, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(body)
		subject := strings.TrimPrefix(strings.SplitN(string(data), "\n", 2)[0], "Subject: ")
		if want := "Subject: " + subject + "\n\nbody " + subject + "\n"; string(data) != want {
			t.Errorf("message %q = %q", subject, data)
		}
		if !reflect.DeepEqual(meta.Flags, wantFlags[subject]) {
			t.Errorf("message %s flags = %v, want %v", subject, meta.Flags, wantFlags[subject])
		}
		seen++
	}
	if seen != len(wantFlags) {
		t.Errorf("read %d messages, want %d", seen, len(wantFlags))
	}
}

func TestMaildirSinkFailuresLeaveNothing(t *testing.T) {
	root := filepath.Join(t.TempDir(), "Mail")
	sink := NewMaildirSink(root, Options{})
	ctx := context.Background()
	if _, err := sink.Put(ctx, Message{}, failingWriter("x", 0)); !errors.Is(err, errInjected) {
		t.Fatalf("Put = %v", err)
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Maildir created by a Put that failed before its first byte: %v", err)
	}
	good, err := sink.Put(ctx, Message{UID: 1}, bytesWriter("kept\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Put(ctx, Message{UID: 2, Flags: []string{`\Seen`}}, failingWriter("half of it\n", 5)); !errors.Is(err, errInjected) {
		t.Fatalf("Put = %v", err)
	}
	if _, err := sink.Put(cancelledContext(), Message{UID: 3}, bytesWriter("x\n")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put(cancelled) = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	midway := func(w io.Writer) error {
		io.WriteString(w, "line one\n")
		cancel()
		_, err := io.WriteString(w, "line two\n")
		return err
	}
	if _, err := sink.Put(cctx, Message{UID: 4}, midway); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put(cancelled midway) = %v", err)
	}
	rel, _ := filepath.Rel(root, good.Path)
	if got, want := listTree(t, root), []string{"cur/", "new/", rel, "tmp/"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Maildir = %v, want %v", got, want)
	}
	makeReadOnly(t, filepath.Join(root, "tmp"))
	if _, err := sink.Put(ctx, Message{UID: 5}, bytesWriter("x\n")); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("Put with read-only tmp/ = %v, want permission error", err)
	}
	if got, want := listTree(t, root), []string{"cur/", "new/", rel, "tmp/"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Maildir = %v, want %v", got, want)
	}
	if got := readFile(t, good.Path); got != "kept\n" {
		t.Errorf("earlier message = %q", got)
	}
}

func TestMaildirSinkGroupCommit(t *testing.T) {
	root := t.TempDir()
	sink := NewMaildirSink(root, Options{GroupCommit: true})
	for i := 1; i <= 5; i++ {
		flags := []string{}
		if i%2 == 0 {
			flags = []string{`\Seen`, `$Label1`}
		}
		s, err := sink.Put(context.Background(), Message{UID: uint32(i), Flags: flags}, bytesWriter("m\n"))
		if err != nil || s.Committed {
			t.Fatalf("Put = %+v, %v; want uncommitted", s, err)
		}
	}
	if names, _ := visibleNames(filepath.Join(root, "tmp")); len(names) != 5 {
		t.Fatalf("tmp/ before Flush holds %d files, want 5", len(names))
	}
	if names, _ := visibleNames(filepath.Join(root, "new")); len(names) != 0 {
		t.Fatalf("new/ before Flush holds %d files, want 0", len(names))
	}
	committed, err := sink.Flush()
	if err != nil || len(committed) != 5 {
		t.Fatalf("Flush = %d, %v", len(committed), err)
	}
	for i, s := range committed {
		if !s.Committed {
			t.Errorf("Flush result %d not committed", i)
		}
		if _, err := os.Stat(s.Path); err != nil {
			t.Errorf("committed %s: %v", s.Path, err)
		}
		if i%2 == 1 && !reflect.DeepEqual(s.DroppedFlags, []string{`$Label1`}) {
			t.Errorf("Flush result %d DroppedFlags = %v", i, s.DroppedFlags)
		}
	}
	if names, _ := visibleNames(filepath.Join(root, "tmp")); len(names) != 0 {
		t.Fatalf("tmp/ after Flush holds %d files", len(names))
	}
	sink.Close()
}

func TestParseMaildirName(t *testing.T) {
	tests := []struct {
		name string
		want MaildirName
	}{
		{"1700000000.M5P7Q1R00aa.host,U=12,S=345:2,FS", MaildirName{Unique: "1700000000.M5P7Q1R00aa.host", Delivered: time.Unix(1700000000, 0),
			Size: 345, UID: 12, HasInfo: true, Letters: "FS", Flags: []string{`\Flagged`, `\Seen`}}},
		// Dovecot's names: S= and W= fields, keyword letters a-z.
		{"1035478339.27041_118.foo.org,S=1000,W=1030:2,Sab", MaildirName{Unique: "1035478339.27041_118.foo.org", Delivered: time.Unix(1035478339, 0),
			Size: 1000, HasInfo: true, Letters: "Sab", Flags: []string{`\Seen`}}},
		{"12345.abc.host", MaildirName{Unique: "12345.abc.host", Delivered: time.Unix(12345, 0), Size: -1}},
		{"plain", MaildirName{Unique: "plain", Size: -1}},
		{"x:1,experimental", MaildirName{Unique: "x", Size: -1}},
		{"x:2,", MaildirName{Unique: "x", Size: -1, HasInfo: true}},
	}
	for _, tt := range tests {
		got, err := ParseMaildirName(tt.name)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseMaildirName(%q) = %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", ".hidden", "a/b"} {
		if _, err := ParseMaildirName(bad); err == nil {
			t.Errorf("ParseMaildirName(%q) succeeded", bad)
		}
	}
}

// mkdirsDurable makes a Maildir's folders (and its missing parents),
// leaves a complete one alone and refuses a file where a folder must be.
func TestMkdirsDurable(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "Maildir")
	for range 2 { // new, then already there
		if err := mkdirsDurable(root, "cur", "new", "tmp"); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []string{"cur", "new", "tmp"} {
			if info, err := os.Stat(filepath.Join(root, sub)); err != nil || !info.IsDir() {
				t.Fatalf("%s: %v", sub, err)
			}
		}
	}
	bad := filepath.Join(t.TempDir(), "bad")
	os.Mkdir(bad, 0o700)
	os.WriteFile(filepath.Join(bad, "new"), nil, 0o600)
	if err := mkdirsDurable(bad, "cur", "new", "tmp"); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("new is a file: %v, want an error", err)
	}
}

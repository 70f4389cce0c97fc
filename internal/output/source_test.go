package output

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// readSource reads every message of a Source.
func readSource(t testing.TB, src Source) ([]SourceMessage, []string) {
	t.Helper()
	defer src.Close()
	var metas []SourceMessage
	var bodies []string
	for {
		meta, body, err := src.Next()
		if err == io.EOF {
			return metas, bodies
		}
		if err != nil {
			t.Fatalf("Next = %v", err)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		metas = append(metas, meta)
		bodies = append(bodies, string(b))
	}
}

func TestDetectKindAndOpen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	date := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
	messages := []string{"Subject: 1\n\nFrom me\n", "Subject: 2\n\nbody\n", "Subject: 3\n\n>From x\n"}
	flags := [][]string{{`\Seen`}, nil, {`\Answered`, `\Seen`}}

	maildir := filepath.Join(dir, "maildir")
	mbox := filepath.Join(dir, "box.mbox")
	emls := filepath.Join(dir, "emls")
	sinks := []Sink{NewMaildirSink(maildir, Options{}), NewMboxSink(mbox, MboxOptions{}), NewEMLSink(emls, NameTemplate{}, Options{})}
	for _, sink := range sinks {
		for i, m := range messages {
			uid := uint32([]int{9, 10, 100}[i])
			if _, err := sink.Put(ctx, Message{UID: uid, Flags: flags[i], InternalDate: date.Add(time.Duration(i) * time.Hour), Sender: "s@x"}, bytesWriter(m)); err != nil {
				t.Fatal(err)
			}
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
	}
	single := filepath.Join(dir, "one.eml")
	os.WriteFile(single, []byte(messages[1]), 0o600)
	os.Chtimes(single, date, date)

	tests := []struct {
		path      string
		kind      SourceKind
		wantFlags bool
		wantUIDs  []uint32
		bodies    []string
	}{
		{maildir, KindMaildir, true, []uint32{9, 10, 100}, messages},
		{mbox, KindMbox, false, []uint32{0, 0, 0}, messages},
		{emls, KindEMLFolder, false, []uint32{9, 10, 100}, messages},
		{single, KindMessage, false, []uint32{0}, messages[1:2]},
	}
	for _, tt := range tests {
		kind, err := DetectKind(tt.path)
		if err != nil || kind != tt.kind {
			t.Errorf("DetectKind(%s) = %v, %v; want %v", tt.path, kind, err, tt.kind)
			continue
		}
		src, err := Open(tt.path, MboxRD)
		if err != nil {
			t.Fatal(err)
		}
		metas, bodies := readSource(t, src)
		if tt.kind == KindMaildir {
			// Delivered within the same second: order is by name, so compare as sets.
			byUID := map[uint32]string{}
			for i, m := range metas {
				byUID[m.UID] = bodies[i]
			}
			bodies = []string{byUID[9], byUID[10], byUID[100]}
		}
		if !reflect.DeepEqual(bodies, tt.bodies) {
			t.Errorf("Open(%s) read %q, want %q", tt.kind, bodies, tt.bodies)
		}
		for i, m := range metas {
			if tt.kind != KindMaildir && m.UID != tt.wantUIDs[i] {
				t.Errorf("%s message %d UID = %d, want %d", tt.kind, i, m.UID, tt.wantUIDs[i])
			}
			if m.InternalDate.IsZero() {
				t.Errorf("%s message %d has no date", tt.kind, i)
			}
			if tt.kind == KindMaildir {
				want := flags[map[uint32]int{9: 0, 10: 1, 100: 2}[m.UID]]
				if !reflect.DeepEqual(m.Flags, want) {
					t.Errorf("maildir UID %d flags = %v, want %v", m.UID, m.Flags, want)
				}
			}
			if tt.kind == KindMbox && (m.Sender != "s@x" || !m.InternalDate.Equal(date.Add(time.Duration(i)*time.Hour))) {
				t.Errorf("mbox message %d: sender %q date %v", i, m.Sender, m.InternalDate)
			}
			if tt.kind == KindEMLFolder && !m.InternalDate.Equal(date.Add(time.Duration(i)*time.Hour)) {
				t.Errorf("eml %d date %v, want the file time", i, m.InternalDate)
			}
		}
	}
}

func TestEMLFolderOrderAndHiddenFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"10.eml", "9.eml", "b.eml", "a.EML", ".9.eml.abc.tmp", "notes.txt", "100.eml"} {
		os.WriteFile(filepath.Join(dir, name), []byte(name), 0o600)
	}
	os.Mkdir(filepath.Join(dir, "sub.eml"), 0o700)
	src, err := OpenEMLFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, bodies := readSource(t, src)
	if want := []string{"9.eml", "10.eml", "100.eml", "a.EML", "b.eml"}; !reflect.DeepEqual(bodies, want) {
		t.Errorf("read %q, want %q", bodies, want)
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "x.txt"), nil, 0o600)
	var formatErr *FormatError
	if _, err := OpenEMLFolder(empty); !errors.As(err, &formatErr) {
		t.Errorf("OpenEMLFolder(no .eml) = %v, want *FormatError", err)
	}
}

func TestMboxReaderRejectsNonMbox(t *testing.T) {
	r := NewMboxReader(strings.NewReader("Subject: x\n\nbody\n"), "x", MboxRD)
	var formatErr *FormatError
	if _, _, err := r.Next(); !errors.As(err, &formatErr) {
		t.Fatalf("Next = %v, want *FormatError", err)
	}
	if _, _, err := NewMboxReader(strings.NewReader(""), "x", MboxRD).Next(); err != io.EOF {
		t.Fatalf("Next on an empty mbox = %v, want io.EOF", err)
	}
}

// Messages may be skipped without reading them, and lines far longer
// than the read buffer pass through unchanged.
func TestMboxReaderSkipsAndLongLines(t *testing.T) {
	long := strings.Repeat("x", 3*mboxBufferSize+17)
	data := "\nFrom a Mon Jan  1 00:00:00 2024\n" + long + "\nFrom b\n" +
		">" + long + "\n\nFrom c\nlast\n"
	r := NewMboxReader(strings.NewReader(data), "x", MboxRD)
	if _, _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	meta, body, err := r.Next() // the first message was not read
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(body)
	if meta.Sender != "b" || string(b) != ">"+long+"\n" {
		t.Errorf("second message: sender %q, %d bytes", meta.Sender, len(b))
	}
	meta, body, _ = r.Next()
	b, _ = io.ReadAll(body)
	if meta.Index != 3 || string(b) != "last\n" {
		t.Errorf("third message %d = %q", meta.Index, b)
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Errorf("Next at end = %v", err)
	}
}

func TestMboxDialects(t *testing.T) {
	data := "From a\n>From 1\n>>From 2\n>From\n"
	want := map[MboxDialect]string{
		MboxRD:        "From 1\n>From 2\n>From\n",
		MboxO:         "From 1\n>>From 2\n>From\n",
		MboxNoUnquote: ">From 1\n>>From 2\n>From\n",
	}
	for dialect, w := range want {
		_, bodies := readAllMbox(t, []byte(data), dialect)
		if len(bodies) != 1 || bodies[0] != w {
			t.Errorf("dialect %d read %q, want %q", dialect, bodies, w)
		}
	}
}

func TestMessageSource(t *testing.T) {
	metas, bodies := readSource(t, NewMessageSource(strings.NewReader("Subject: x\n\n"), "-"))
	if len(bodies) != 1 || bodies[0] != "Subject: x\n\n" || metas[0].Path != "-" {
		t.Errorf("read %+v %q", metas, bodies)
	}
}

// TestOpenKindFromFirstBytes: OpenKind tells an mbox ("From " line first,
// after any blank lines) from a message by the bytes it reads for the
// messages, agrees with DetectKind, and hands out every byte of a message.
func TestOpenKindFromFirstBytes(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("\r\n", 5000) // more blank lines than one buffer
	tests := []struct {
		name, content string
		kind          SourceKind
	}{
		{"empty", "", KindMessage},
		{"message", "Subject: x\n\nFrom me\n", KindMessage},
		{"mbox", "From a@b Thu Jan  1 00:00:00 2021\nSubject: x\n\nbody\n", KindMbox},
		{"blank-then-mbox", "\n\r\n\nFrom a@b Thu Jan  1 00:00:00 2021\nSubject: x\n\nbody\n", KindMbox},
		{"many-blank-then-mbox", long + "From a@b Thu Jan  1 00:00:00 2021\nSubject: x\n\nbody\n", KindMbox},
		{"many-blank-then-message", long + "Subject: x\n\nbody\n", KindMessage},
		{"short", "Fro", KindMessage},
		{"from-without-space", "From:x@y\n\nbody\n", KindMessage},
		{"one-long-line", "From " + strings.Repeat("x", 10000) + "\n\nbody\n", KindMbox},
		{"blank-lines-only", "\n\n\n", KindMessage},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		src, kind, err := OpenKind(path, MboxRD)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if detected, _ := DetectKind(path); kind != tt.kind || detected != tt.kind {
			t.Errorf("%s: OpenKind kind %v, DetectKind %v; want %v", tt.name, kind, detected, tt.kind)
		}
		metas, bodies := readSource(t, src)
		if tt.kind == KindMessage {
			if len(bodies) != 1 || bodies[0] != tt.content || metas[0].Size != int64(len(tt.content)) || metas[0].Path != path || metas[0].Index != 1 {
				t.Errorf("%s: read %d messages (%q), meta %+v; want the file", tt.name, len(bodies), bodies, metas)
			}
		} else if len(bodies) != 1 || !strings.HasSuffix(bodies[0], "body\n") {
			t.Errorf("%s: mbox read %q", tt.name, bodies)
		}
		// Closed early: Next reports an error or the end, never panics.
		src, _, err = OpenKind(path, MboxRD)
		if err != nil {
			t.Fatal(err)
		}
		src.Close()
		if _, r, err := src.Next(); err == nil || r != nil {
			t.Errorf("%s: Next after Close = %v, %v; want an error", tt.name, r, err)
		}
	}
}

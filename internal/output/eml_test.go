package output

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestEMLSinkStoresOneFilePerMessage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	sink := NewEMLSink(dir, NameTemplate{}, Options{})
	date := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
	msgs := map[uint32]string{7: "Subject: a\n\nbody a\n", 42: "Subject: b\n\nFrom here\n", 3: ""}
	for _, uid := range []uint32{7, 42, 3} {
		stored, err := sink.Put(context.Background(), Message{UID: uid, InternalDate: date}, bytesWriter(msgs[uid]))
		if err != nil {
			t.Fatalf("Put(%d) = %v", uid, err)
		}
		if !stored.Committed || stored.Size != int64(len(msgs[uid])) {
			t.Errorf("Put(%d) = %+v, want committed, size %d", uid, stored, len(msgs[uid]))
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := listTree(t, dir), []string{"3.eml", "42.eml", "7.eml"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("files = %v, want %v", got, want)
	}
	for uid, body := range msgs {
		path := filepath.Join(dir, NameTemplate{text: "{uid}"}.Expand(Message{UID: uid}, 0)+".eml")
		if got := readFile(t, path); got != body {
			t.Errorf("%s = %q, want %q", path, got, body)
		}
		info, _ := os.Stat(path)
		if !info.ModTime().Equal(date) {
			t.Errorf("%s mtime = %v, want INTERNALDATE %v", path, info.ModTime(), date)
		}
	}
}

func TestEMLSinkFailedWriteLeavesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	sink := NewEMLSink(dir, NameTemplate{}, Options{})
	// A failure before the first byte creates not even the folder.
	if _, err := sink.Put(context.Background(), Message{UID: 1}, failingWriter("x", 0)); !errors.Is(err, errInjected) {
		t.Fatalf("Put = %v, want injected error", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("folder exists after failure before first byte: %v", err)
	}
	if _, err := sink.Put(context.Background(), Message{UID: 2}, bytesWriter("good\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Put(context.Background(), Message{UID: 3}, failingWriter("half a message\n", 6)); !errors.Is(err, errInjected) {
		t.Fatalf("Put = %v, want injected error", err)
	}
	sink.Close()
	// A failure in a later run must not touch an existing file of the same name.
	rerun := NewEMLSink(dir, NameTemplate{}, Options{})
	if _, err := rerun.Put(context.Background(), Message{UID: 2}, failingWriter("replacement\n", 4)); !errors.Is(err, errInjected) {
		t.Fatalf("Put = %v, want injected error", err)
	}
	rerun.Close()
	if got, want := listTree(t, dir), []string{"2.eml"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("files = %v, want %v", got, want)
	}
	if got := readFile(t, filepath.Join(dir, "2.eml")); got != "good\n" {
		t.Errorf("2.eml = %q", got)
	}
}

func TestEMLSinkCancelledContext(t *testing.T) {
	dir := t.TempDir()
	sink := NewEMLSink(dir, NameTemplate{}, Options{})
	defer sink.Close()
	if _, err := sink.Put(cancelledContext(), Message{UID: 1}, bytesWriter("x\n")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put(cancelled) = %v, want context.Canceled", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	write := func(w io.Writer) error {
		io.WriteString(w, "first line\n")
		cancel() // Ctrl-C arrives mid-message
		_, err := io.WriteString(w, "second line\n")
		return err
	}
	if _, err := sink.Put(ctx, Message{UID: 2}, write); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put(cancelled midway) = %v, want context.Canceled", err)
	}
	// A write function that ignores the error still loses its message.
	ctx2, cancel2 := context.WithCancel(context.Background())
	ignoring := func(w io.Writer) error {
		io.WriteString(w, "data\n")
		cancel2()
		return nil
	}
	if _, err := sink.Put(ctx2, Message{UID: 3}, ignoring); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put(cancel ignored) = %v, want context.Canceled", err)
	}
	if got := listTree(t, dir); len(got) != 0 {
		t.Fatalf("files after cancelled Puts = %v, want none", got)
	}
}

func TestEMLSinkReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	sink := NewEMLSink(dir, NameTemplate{}, Options{})
	if _, err := sink.Put(context.Background(), Message{UID: 1}, bytesWriter("one\n")); err != nil {
		t.Fatal(err)
	}
	makeReadOnly(t, dir)
	_, err := sink.Put(context.Background(), Message{UID: 2}, bytesWriter("two\n"))
	if err == nil {
		t.Fatal("Put into a read-only folder succeeded")
	}
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("Put = %v, want a permission error", err)
	}
	if got, want := listTree(t, dir), []string{"1.eml"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("files = %v, want %v", got, want)
	}
}

func TestEMLSinkSizeMismatch(t *testing.T) {
	dir := t.TempDir()
	sink := NewEMLSink(dir, NameTemplate{}, Options{})
	_, err := sink.Put(context.Background(), Message{UID: 1, Size: 100}, bytesWriter("short\n"))
	var mismatch *SizeMismatchError
	if !errors.As(err, &mismatch) || mismatch.Want != 100 || mismatch.Got != 6 {
		t.Fatalf("Put = %v, want *SizeMismatchError 6/100", err)
	}
	if got := listTree(t, dir); len(got) != 0 {
		t.Fatalf("files = %v, want none", got)
	}
}

func TestNameTemplate(t *testing.T) {
	m := Message{UID: 12, UIDValidity: 99, Mailbox: "Lists/go-nuts", MessageID: "<a/b@c>",
		InternalDate: time.Date(2023, 12, 31, 23, 5, 6, 0, time.FixedZone("x", 3600))}
	tests := []struct{ template, want string }{
		{"{uid}", "12"},
		{"{mailbox}-{uid}", "Lists_go-nuts-12"},
		{"{date}_{time}_{n}", "2023-12-31_220506_5"},
		{"{uidvalidity}.{uid}", "99.12"},
		{"{messageid}", "a_b@c"},
		{".{uid}", "_12"},
		{"{mailbox}", "Lists_go-nuts"},
	}
	for _, tt := range tests {
		tmpl, err := ParseNameTemplate(tt.template)
		if err != nil {
			t.Fatalf("ParseNameTemplate(%q) = %v", tt.template, err)
		}
		if got := tmpl.Expand(m, 5); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.template, got, tt.want)
		}
	}
	dots := Message{Mailbox: ".."}
	tmpl, _ := ParseNameTemplate("{mailbox}")
	if got := tmpl.Expand(dots, 1); got != "_." {
		t.Errorf("Expand({mailbox}=..) = %q, want _.", got)
	}
	if got := tmpl.Expand(Message{}, 1); got != "_" {
		t.Errorf("Expand({mailbox}=\"\") = %q, want _", got)
	}
	for _, bad := range []string{"", "{uid", "uid}", "{nope}", "a/{uid}", `a\b`, "..", ".", "x\ny", "{}"} {
		var nameErr *NameError
		if _, err := ParseNameTemplate(bad); !errors.As(err, &nameErr) {
			t.Errorf("ParseNameTemplate(%q) = %v, want *NameError", bad, err)
		}
	}
}

func TestEMLSinkNameCollision(t *testing.T) {
	dir := t.TempDir()
	tmpl, _ := ParseNameTemplate("{mailbox}")
	sink := NewEMLSink(dir, tmpl, Options{})
	defer sink.Close()
	if _, err := sink.Put(context.Background(), Message{UID: 1, Mailbox: "INBOX"}, bytesWriter("a\n")); err != nil {
		t.Fatal(err)
	}
	var nameErr *NameError
	if _, err := sink.Put(context.Background(), Message{UID: 2, Mailbox: "INBOX"}, bytesWriter("b\n")); !errors.As(err, &nameErr) {
		t.Fatalf("second Put with the same name = %v, want *NameError", err)
	}
	if got := readFile(t, filepath.Join(dir, "INBOX.eml")); got != "a\n" {
		t.Errorf("INBOX.eml = %q, want the first message", got)
	}
}

func TestEMLSinkGroupCommit(t *testing.T) {
	dir := t.TempDir()
	sink := NewEMLSink(dir, NameTemplate{}, Options{GroupCommit: true})
	for uid := uint32(1); uid <= 3; uid++ {
		stored, err := sink.Put(context.Background(), Message{UID: uid}, bytesWriter("m\n"))
		if err != nil || stored.Committed {
			t.Fatalf("Put(%d) = %+v, %v; want uncommitted", uid, stored, err)
		}
	}
	if got := listTree(t, dir); len(got) != 3 || !hasTempFiles(got) {
		t.Fatalf("before Flush: %v, want 3 temp files only", got)
	}
	committed, err := sink.Flush()
	if err != nil || len(committed) != 3 {
		t.Fatalf("Flush = %d, %v; want 3", len(committed), err)
	}
	for _, s := range committed {
		if !s.Committed {
			t.Errorf("Flush returned %+v uncommitted", s)
		}
	}
	if got, want := listTree(t, dir), []string{"1.eml", "2.eml", "3.eml"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after Flush: %v, want %v", got, want)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Put(context.Background(), Message{UID: 9}, bytesWriter("m\n")); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}
}

// With the default name {uid}, the names given in a run are kept as runs
// of UIDs: a repeated UID is still refused, and 2,000 ascending UIDs
// (group-committed every 256, as fetch does) leave one run and no name
// map behind.
func TestEMLSinkDefaultNamesBookkeepingIsFlat(t *testing.T) {
	dir := t.TempDir()
	sink := NewEMLSink(dir, NameTemplate{}, Options{GroupCommit: true})
	defer sink.Close()
	for uid := uint32(1); uid <= 2000; uid++ {
		if _, err := sink.Put(context.Background(), Message{UID: uid}, bytesWriter("a\n")); err != nil {
			t.Fatal(err)
		}
		if uid%256 == 0 {
			if _, err := sink.Flush(); err != nil {
				t.Fatal(err)
			}
			if len(sink.file.pending) != 0 {
				t.Fatalf("%d files pending after Flush", len(sink.file.pending))
			}
		}
	}
	if sink.usedUIDs.Runs() != 1 || len(sink.used) != 0 {
		t.Errorf("bookkeeping: %d runs, %d names; want 1 run, no names", sink.usedUIDs.Runs(), len(sink.used))
	}
	var nameErr *NameError
	if _, err := sink.Put(context.Background(), Message{UID: 7}, bytesWriter("b\n")); !errors.As(err, &nameErr) {
		t.Fatalf("Put of UID 7 again = %v, want *NameError", err)
	}
	if got := readFile(t, filepath.Join(dir, "7.eml")); got != "a\n" {
		t.Errorf("7.eml = %q, want the first message", got)
	}
}

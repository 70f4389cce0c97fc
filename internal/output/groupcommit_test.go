package output

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A detached Maildir group is committed on another goroutine while the
// sink writes the next messages: the group's files end up in new/ and
// cur/ with their bytes and flags, the next ones stay in tmp/ until their
// own commit, and a detached message cannot be amended any more.
func TestMaildirDetachedGroupCommitsWhileSinkWrites(t *testing.T) {
	root := t.TempDir()
	s := NewMaildirSink(root, Options{GroupCommit: true})
	ctx := context.Background()
	put := func(uid uint32, flags ...string) Stored {
		t.Helper()
		st, err := s.Put(ctx, Message{UID: uid, Flags: flags}, bytesWriter(fmt.Sprintf("Subject: %d\n\nbody %d\n", uid, uid)))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	first := put(1)
	put(2, `\Seen`)
	g := s.DetachGroup()
	if g.Len() != 2 {
		t.Fatalf("detached group has %d messages, want 2", g.Len())
	}
	if _, ok := s.Amend(first, Message{Flags: []string{`\Flagged`}}); ok {
		t.Error("Amend changed a detached message")
	}
	type result struct {
		stored []Stored
		err    error
	}
	done := make(chan result, 1)
	go func() {
		st, err := g.Commit()
		done <- result{st, err}
	}()
	put(3) // while the group may be committing
	put(4, `\Answered`)
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.stored) != 2 || !r.stored[0].Committed || !r.stored[1].Committed {
		t.Fatalf("group commit returned %+v, want two committed messages", r.stored)
	}
	for i, st := range r.stored {
		want := fmt.Sprintf("Subject: %d\n\nbody %d\n", i+1, i+1)
		if got := readFile(t, st.Path); got != want {
			t.Errorf("%s holds %q, want %q", st.Path, got, want)
		}
	}
	if !strings.Contains(r.stored[0].Path, string(filepath.Separator)+"new"+string(filepath.Separator)) ||
		!strings.HasSuffix(r.stored[1].Path, ":2,S") {
		t.Errorf("paths %q, %q: want UID 1 in new/, UID 2 in cur/ with :2,S", r.stored[0].Path, r.stored[1].Path)
	}
	if tmp, _ := os.ReadDir(filepath.Join(root, "tmp")); len(tmp) != 2 {
		t.Errorf("tmp/ holds %d files, want the 2 messages not committed yet", len(tmp))
	}
	rest, err := s.Flush()
	if err != nil || len(rest) != 2 {
		t.Fatalf("Flush = %d messages, %v; want the 2 written after the detach", len(rest), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var uids []uint32
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(root, sub))
		for _, e := range entries {
			name, err := ParseMaildirName(e.Name())
			if err != nil {
				t.Fatal(err)
			}
			uids = append(uids, name.UID)
		}
	}
	slices.Sort(uids)
	if !slices.Equal(uids, []uint32{1, 2, 3, 4}) || hasTempFiles(listTree(t, root)) {
		t.Errorf("Maildir holds UIDs %v, files %q; want 1-4 and no temp file", uids, listTree(t, root))
	}
}

// The .eml sink keeps numbering ({n}) and refusing a name used earlier in
// the run across a detached group.
func TestEMLDetachedGroupKeepsNames(t *testing.T) {
	dir := t.TempDir()
	tmpl, err := ParseNameTemplate("{n}-{date}")
	if err != nil {
		t.Fatal(err)
	}
	s := NewEMLSink(dir, tmpl, Options{GroupCommit: true})
	ctx := context.Background()
	if _, err := s.Put(ctx, Message{UID: 1, InternalDate: lateDate}, bytesWriter(lateMessage)); err != nil {
		t.Fatal(err)
	}
	stored, err := s.DetachGroup().Commit()
	if err != nil || len(stored) != 1 || filepath.Base(stored[0].Path) != "1-2024-03-05.eml" {
		t.Fatalf("first group committed %+v, %v; want 1-2024-03-05.eml", stored, err)
	}
	st, err := s.Put(ctx, Message{UID: 2, InternalDate: lateDate}, bytesWriter(lateMessage))
	if err != nil || filepath.Base(st.Path) != "2-2024-03-05.eml" {
		t.Errorf("second message named %q (%v), want 2-2024-03-05.eml", st.Path, err)
	}
	s.Close()

	// {uid} twice in one run: the second fails although the first was
	// detached and committed.
	dir = t.TempDir()
	s = NewEMLSink(dir, NameTemplate{}, Options{GroupCommit: true})
	defer s.Close()
	if _, err := s.Put(ctx, Message{UID: 5}, bytesWriter(lateMessage)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DetachGroup().Commit(); err != nil {
		t.Fatal(err)
	}
	_, err = s.Put(ctx, Message{UID: 5}, bytesWriter("other\n"))
	if _, ok := err.(*NameError); !ok {
		t.Errorf("second UID 5 after a detached group: %v, want *NameError", err)
	}
	if got := readFile(t, filepath.Join(dir, "5.eml")); got != lateMessage {
		t.Errorf("5.eml = %q, want the first message", got)
	}
}

// A discarded group leaves nothing, and Close does not commit it.
func TestDetachedGroupDiscard(t *testing.T) {
	for _, format := range []string{"maildir", "eml"} {
		root := t.TempDir()
		var s GroupDetacher = NewMaildirSink(root, Options{GroupCommit: true})
		if format == "eml" {
			s = NewEMLSink(root, NameTemplate{}, Options{GroupCommit: true})
		}
		for uid := uint32(1); uid <= 3; uid++ {
			if _, err := s.Put(context.Background(), Message{UID: uid}, bytesWriter(lateMessage)); err != nil {
				t.Fatal(err)
			}
		}
		s.DetachGroup().Discard()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		for _, f := range listTree(t, root) {
			if !strings.HasSuffix(f, "/") {
				t.Errorf("%s: %s left after Discard and Close", format, f)
			}
		}
	}
}

package output

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMaildirOriginSame(t *testing.T) {
	o := MaildirOrigin{Host: "imap.example.org", User: "alice", Mailbox: "INBOX", UIDValidity: 7}
	for _, c := range []struct {
		p    MaildirOrigin
		same bool
	}{
		{o, true},
		{MaildirOrigin{Host: "IMAP.Example.ORG", User: "alice", Mailbox: "inbox", UIDValidity: 7}, true},
		{MaildirOrigin{Host: "imap.example.org", User: "Alice", Mailbox: "INBOX", UIDValidity: 7}, false},
		{MaildirOrigin{Host: "imap.example.org", User: "alice", Mailbox: "INBOX", UIDValidity: 8}, false},
		{MaildirOrigin{Host: "imap.example.org", User: "alice", Mailbox: "Sent", UIDValidity: 7}, false},
		{MaildirOrigin{Host: "other.example.org", User: "alice", Mailbox: "INBOX", UIDValidity: 7}, false},
	} {
		if got := o.Same(c.p); got != c.same {
			t.Errorf("%+v Same %+v = %v, want %v", o, c.p, got, c.same)
		}
	}
	// Only INBOX is case-insensitive (RFC 3501 §5.1).
	a, b := o, o
	a.Mailbox, b.Mailbox = "Archive", "archive"
	if a.Same(b) {
		t.Errorf("Archive and archive are different mailboxes")
	}
}

// putMessage stores one message with uid into the sink and commits it.
func putMessage(t *testing.T, s Sink, uid uint32) {
	t.Helper()
	if _, err := s.Put(context.Background(), Message{UID: uid}, func(w io.Writer) error {
		_, err := io.WriteString(w, "Subject: x\r\n\r\nbody\r\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Flush(); err != nil {
		t.Fatal(err)
	}
}

// A Maildir records its origin before its first message, and nothing
// when no message is stored; ReadMaildirState gives back the origin and
// the UIDs of the file names.
func TestMaildirSinkRecordsOrigin(t *testing.T) {
	root := filepath.Join(t.TempDir(), "md")
	state, err := ReadMaildirState(root)
	if err != nil || state.Recorded || state.Messages != 0 || state.UIDs.Len() != 0 {
		t.Fatalf("state of a missing Maildir = %+v, %v; want empty", state, err)
	}
	origin := MaildirOrigin{Host: "h", User: "u", Mailbox: "INBOX", UIDValidity: 42}

	s := NewMaildirSink(root, Options{GroupCommit: true})
	s.RecordOrigin(&origin)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a sink that stored nothing created %s: %v", root, err)
	}

	s = NewMaildirSink(root, Options{GroupCommit: true})
	s.RecordOrigin(&origin)
	for _, uid := range []uint32{3, 4, 9} {
		putMessage(t, s, uid)
	}
	s.Close()
	state, err = ReadMaildirState(root)
	if err != nil {
		t.Fatal(err)
	}
	if !state.Recorded || state.Origin == nil || *state.Origin != origin {
		t.Fatalf("recorded origin = %v %+v, want %+v", state.Recorded, state.Origin, origin)
	}
	if state.Messages != 3 || state.UIDs.Len() != 3 || !state.UIDs.Contains(3) || !state.UIDs.Contains(4) || !state.UIDs.Contains(9) {
		t.Fatalf("state = %+v (UIDs %d), want 3 messages, UIDs 3, 4, 9", state, state.UIDs.Len())
	}
	// No temp file of the record is left behind.
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left behind: %s", e.Name())
		}
	}

	// A nil origin removes the record before the next message.
	s = NewMaildirSink(root, Options{GroupCommit: true})
	s.RecordOrigin(nil)
	putMessage(t, s, 1)
	s.Close()
	state, err = ReadMaildirState(root)
	if err != nil || state.Recorded || state.Messages != 4 {
		t.Fatalf("after RecordOrigin(nil): %+v, %v; want no record, 4 messages", state, err)
	}
}

// A record that cannot be read is reported as recorded without origin;
// a file where the Maildir should be is an error.
func TestReadMaildirStateDamaged(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, MaildirOriginFile), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	state, err := ReadMaildirState(root)
	if err != nil || !state.Recorded || state.Origin != nil {
		t.Fatalf("damaged record: %+v, %v; want recorded, no origin", state, err)
	}
	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := ReadMaildirState(file); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Fatalf("ReadMaildirState(a file) = %v, want a 'not a folder' error", err)
	}
}

// A second lock on a Maildir fails at once while the first is held, and
// succeeds after it was released; a missing Maildir is not created.
func TestLockMaildir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "md")
	l, err := LockMaildir(missing)
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("LockMaildir created %s: %v", missing, err)
	}
	root := t.TempDir()
	first, err := LockMaildir(root)
	if err != nil {
		t.Fatal(err)
	}
	var locked *LockedError
	if _, err := LockMaildir(root); !errors.As(err, &locked) || locked.Path != root {
		t.Fatalf("second LockMaildir = %v, want *LockedError for %s", err, root)
	}
	first.Unlock()
	second, err := LockMaildir(root)
	if err != nil {
		t.Fatalf("LockMaildir after Unlock: %v", err)
	}
	second.Unlock()
}

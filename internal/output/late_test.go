package output

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// RFC 5322 appendix A.1.1: the Date field of its first example message.
const lateMessage = "From: John Doe <jdoe@machine.example>\n" +
	"To: Mary Smith <mary@example.net>\n" +
	"Subject: Saying Hello\n" +
	"Date: Fri, 21 Nov 1997 09:55:06 -0600\n" +
	"Message-ID: <1234@local.machine.example>\n" +
	"\n" +
	"This is a message just to say hello.\n" +
	"From the start.\n"

// The INTERNALDATE a server sends, RFC 3501 date-time syntax.
var lateDate = time.Date(2024, 3, 5, 10, 11, 12, 0, time.FixedZone("", 2*3600))

// completeWith returns a Complete hook that sets what a server sent after
// the body: UID 7, FLAGS (\Seen $Junk), INTERNALDATE.
func completeWith(uid uint32) func(*Message) error {
	return func(m *Message) error {
		m.UID, m.Flags, m.InternalDate = uid, []string{`\Seen`, `$Junk`}, lateDate
		return nil
	}
}

func TestLateMetadataNamesMaildirFile(t *testing.T) {
	for _, group := range []bool{false, true} {
		root := t.TempDir()
		s := NewMaildirSink(root, Options{GroupCommit: group})
		st, err := s.Put(context.Background(), Message{Complete: completeWith(7)}, bytesWriter(lateMessage))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.DroppedFlags; len(got) != 1 || got[0] != "$Junk" {
			t.Errorf("group=%v: dropped flags %q, want [$Junk]", group, got)
		}
		if _, err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		s.Close()
		files := listTree(t, root)
		if len(files) != 4 || files[0] != "cur/" {
			t.Fatalf("group=%v: files %q, want one file in cur/", group, files)
		}
		name, err := ParseMaildirName(filepath.Base(files[1]))
		if err != nil {
			t.Fatal(err)
		}
		if name.UID != 7 || name.Letters != "S" || name.Size != int64(len(lateMessage)) {
			t.Errorf("group=%v: name %q: want U=7, S=%d, info :2,S", group, files[1], len(lateMessage))
		}
		info, err := os.Stat(filepath.Join(root, files[1]))
		if err != nil {
			t.Fatal(err)
		}
		if !info.ModTime().Equal(lateDate) {
			t.Errorf("group=%v: mtime %v, want INTERNALDATE %v", group, info.ModTime(), lateDate)
		}
	}
}

func TestAmendRenamesPendingMaildirFile(t *testing.T) {
	root := t.TempDir()
	s := NewMaildirSink(root, Options{GroupCommit: true})
	defer s.Close()
	st, err := s.Put(context.Background(), Message{UID: 7}, bytesWriter(lateMessage))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(filepath.Dir(st.Path)) != "new" {
		t.Fatalf("without flags the message goes to new/, got %s", st.Path)
	}
	// A later "* 1 FETCH (FLAGS (\Seen \Flagged))".
	amended, ok := s.Amend(st, Message{Flags: []string{`\Seen`, `\Flagged`}, InternalDate: lateDate})
	if !ok || !strings.HasSuffix(amended.Path, ":2,FS") || filepath.Base(filepath.Dir(amended.Path)) != "cur" {
		t.Fatalf("Amend = %s, %v; want cur/...:2,FS", amended.Path, ok)
	}
	committed, err := s.Flush()
	if err != nil {
		t.Fatal(err)
	}
	if len(committed) != 1 || committed[0].Path != amended.Path {
		t.Fatalf("Flush = %+v, want the amended path %s", committed, amended.Path)
	}
	info, err := os.Stat(amended.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !info.ModTime().Equal(lateDate) {
		t.Errorf("mtime %v, want %v", info.ModTime(), lateDate)
	}
	// Committed: too late to amend, nothing changes.
	if again, ok := s.Amend(amended, Message{Flags: []string{}}); ok || again.Path != amended.Path {
		t.Errorf("Amend after commit = %s, %v; want unchanged, false", again.Path, ok)
	}
	if _, err := os.Stat(amended.Path); err != nil {
		t.Error(err)
	}
}

func TestLateMetadataNamesEMLFile(t *testing.T) {
	dir := t.TempDir()
	tmpl, err := ParseNameTemplate("{uid}-{date}")
	if err != nil {
		t.Fatal(err)
	}
	s := NewEMLSink(dir, tmpl, Options{GroupCommit: true})
	if _, err := s.Put(context.Background(), Message{Complete: completeWith(7)}, bytesWriter(lateMessage)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The date in UTC: 2024-03-05 08:11:12.
	if got := listTree(t, dir); len(got) != 1 || got[0] != "7-2024-03-05.eml" {
		t.Fatalf("files %q, want [7-2024-03-05.eml]", got)
	}
	info, _ := os.Stat(filepath.Join(dir, "7-2024-03-05.eml"))
	if !info.ModTime().Equal(lateDate) {
		t.Errorf("mtime %v, want %v", info.ModTime(), lateDate)
	}
}

// A Complete that fails (say, no UID ever came) leaves nothing of the
// message, and what was stored before stays.
func TestCompleteFailureLeavesNothing(t *testing.T) {
	noUID := errors.New("server sent no UID")
	fail := func(*Message) error { return noUID }
	for _, format := range []string{"maildir", "eml", "mbox"} {
		for _, group := range []bool{false, true} {
			dir := t.TempDir()
			var s Sink
			switch format {
			case "maildir":
				s = NewMaildirSink(dir, Options{GroupCommit: group})
			case "eml":
				s = NewEMLSink(dir, NameTemplate{}, Options{GroupCommit: group})
			default:
				s = NewMboxSink(filepath.Join(dir, "mbox"), MboxOptions{Options: Options{GroupCommit: group}})
			}
			if _, err := s.Put(context.Background(), Message{UID: 1, InternalDate: lateDate}, bytesWriter(lateMessage)); err != nil {
				t.Fatal(err)
			}
			before := listTree(t, dir)
			var size int64
			if format == "mbox" {
				info, _ := os.Stat(filepath.Join(dir, "mbox"))
				size = info.Size()
			}
			if _, err := s.Put(context.Background(), Message{Complete: fail}, bytesWriter(lateMessage)); !errors.Is(err, noUID) {
				t.Errorf("%s group=%v: Put = %v, want the Complete error", format, group, err)
			}
			if _, err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			s.Close()
			after := listTree(t, dir)
			if hasTempFiles(after) {
				t.Errorf("%s group=%v: temp files left: %q", format, group, after)
			}
			if format == "mbox" {
				info, _ := os.Stat(filepath.Join(dir, "mbox"))
				if info.Size() != size {
					t.Errorf("mbox: size %d after the failed message, want %d", info.Size(), size)
				}
			} else if !group && strings.Join(after, " ") != strings.Join(before, " ") {
				t.Errorf("%s group=%v: files %q, want %q", format, group, after, before)
			}
			if format != "mbox" {
				if n := countMessages(after); n != 1 {
					t.Errorf("%s group=%v: %d message files, want 1: %q", format, group, n, after)
				}
			}
		}
	}
}

func countMessages(names []string) int {
	n := 0
	for _, name := range names {
		if !strings.HasSuffix(name, "/") && !strings.HasPrefix(filepath.Base(name), ".") && !strings.HasPrefix(name, "tmp/") {
			n++
		}
	}
	return n
}

// Without an INTERNALDATE when the body starts, the "From " line takes the
// message's Date field (RFC 5322 A.1.1: Fri, 21 Nov 1997 09:55:06 -0600,
// which is 15:55:06 UTC).
func TestMboxFromLineDatedByHeaderWhenInternalDateIsLate(t *testing.T) {
	const want = "From MAILER-DAEMON Fri Nov 21 15:55:06 1997\n"
	dir := t.TempDir()
	path := filepath.Join(dir, "mbox")
	s := NewMboxSink(path, MboxOptions{})
	st, err := s.Put(context.Background(), Message{Complete: completeWith(7)}, bytesWriter(lateMessage))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	data := readFile(t, path)
	wantFile := want + strings.Replace(lateMessage, "\nFrom the", "\n>From the", 1) + "\n"
	if data != wantFile {
		t.Errorf("mbox holds\n%q\nwant\n%q", data, wantFile)
	}
	if st.End != int64(len(data)) || st.Size != int64(len(lateMessage)) {
		t.Errorf("Stored = %+v, want End %d, Size %d", st, len(data), len(lateMessage))
	}

	var out strings.Builder
	w := NewWriterSink(&out, WriterMboxrd)
	if _, err := w.Put(context.Background(), Message{Complete: completeWith(7)}, bytesWriter(lateMessage)); err != nil {
		t.Fatal(err)
	}
	if out.String() != wantFile {
		t.Errorf("stream holds\n%q\nwant\n%q", out.String(), wantFile)
	}
}

func TestHeaderDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{lateMessage, time.Date(1997, 11, 21, 15, 55, 6, 0, time.UTC)},
		// Folded (RFC 5322 section 3.2.2), CRLF, field name in lower case.
		{"Subject: x\r\ndate: Thu,\r\n 13 Feb 1969 23:32:54 -0330\r\n\r\nbody\r\n", time.Date(1969, 2, 14, 3, 2, 54, 0, time.UTC)},
		// A Date in the body is not the header's.
		{"Subject: x\n\nDate: Fri, 21 Nov 1997 09:55:06 -0600\n", time.Time{}},
		{"Date: not a date\n\n", time.Time{}},
		{"", time.Time{}},
	} {
		if got := headerDate([]byte(tc.in)); !got.Equal(tc.want) {
			t.Errorf("headerDate(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzHeaderDater: whatever the message and however it is split into
// writes, the "From " line is begun exactly once, before any message
// byte, and every byte reaches the next writer in order.
func FuzzHeaderDater(f *testing.F) {
	f.Add([]byte(lateMessage), uint8(7))
	f.Add([]byte("Date: Thu,\r\n 13 Feb 1969 23:32:54 -0330\r\n\r\nbody"), uint8(1))
	f.Add([]byte("no header end"), uint8(3))
	f.Fuzz(func(t *testing.T, msg []byte, chunk uint8) {
		var out strings.Builder
		begun := 0
		d := &headerDater{next: &out, begin: func(time.Time) error {
			if out.Len() != 0 {
				t.Fatal("From line begun after message bytes")
			}
			begun++
			out.WriteString("FROM\n")
			return nil
		}}
		step := int(chunk%16) + 1
		for rest := msg; len(rest) > 0; {
			n := min(step, len(rest))
			if w, err := d.Write(rest[:n]); err != nil || w != n {
				t.Fatalf("Write = %d, %v", w, err)
			}
			rest = rest[n:]
		}
		if err := d.release(); err != nil {
			t.Fatal(err)
		}
		if begun != 1 || out.String() != "FROM\n"+string(msg) {
			t.Fatalf("begun %d times, output %q", begun, out.String())
		}
	})
}

package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The mboxrd quoting rule (LoC fdd000385, qmail mbox(5)): a line matching
// ^>*From gets one more '>'; nothing else changes.
func TestMboxrdQuoting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"From me\n", ">From me\n"},
		{">From me\n", ">>From me\n"},
		{">>>From x\n", ">>>>From x\n"},
		{"From\n", "From\n"},
		{"From:x\n", "From:x\n"},
		{" From x\n", " From x\n"},
		{"a From x\n", "a From x\n"},
		{">F\n>\n>>", ">F\n>\n>>"},
		{"x\nFrom y\r\nFrom ", "x\n>From y\r\n>From "},
		{"\n\nFrom \n", "\n\n>From \n"},
		{">From", ">From"},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 2, 3, 1000} {
			var buf bytes.Buffer
			q := newMboxrdWriter(&buf)
			for s := tt.in; s != ""; {
				n := min(chunk, len(s))
				q.Write([]byte(s[:n]))
				s = s[n:]
			}
			if q.examining {
				q.release()
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("quote(%q) in chunks of %d = %q, want %q", tt.in, chunk, got, tt.want)
			}
		}
	}
}

// readAllMbox reads every message of an mbox stream.
func readAllMbox(t testing.TB, data []byte, dialect MboxDialect) ([]SourceMessage, []string) {
	t.Helper()
	return readSource(t, NewMboxReader(bytes.NewReader(data), "test.mbox", dialect))
}

// pythonMbox is a script writing argv[2:] (message files) to the mbox
// argv[1] with Python's mailbox.mbox, each with the "From " line
// "From sender@example.com <asctime of 2024-02-29 13:14:15 UTC + i days>".
const pythonMbox = `
import mailbox, sys, time, calendar
box = mailbox.mbox(sys.argv[1])
base = calendar.timegm((2024, 2, 29, 13, 14, 15))
for i, path in enumerate(sys.argv[2:]):
    data = open(path, 'rb').read()
    stamp = time.asctime(time.gmtime(base + i * 86400)).encode()
    box.add(b'From sender@example.com ' + stamp + b'\n' + data)
box.flush()
box.close()
`

func corpusDate(i int) time.Time {
	return time.Date(2024, 2, 29, 13, 14, 15, 0, time.UTC).AddDate(0, 0, i)
}

// Our mboxrd stream equals Python's mailbox.mbox output for every corpus
// message without a ^>+From line (where mboxo and mboxrd differ): the same
// "From " lines, quoting, added final newlines and blank lines.
func TestWriterSinkMboxrdMatchesPython(t *testing.T) {
	dir := t.TempDir()
	var files []string
	var ours bytes.Buffer
	sink := NewWriterSink(&ours, WriterMboxrd)
	for _, m := range loadCorpus(t) {
		if hasQuotedFromLine(m.data) {
			continue
		}
		path := filepath.Join(dir, fmt.Sprintf("%03d.eml", len(files)))
		os.WriteFile(path, []byte(m.data), 0o600)
		msg := Message{Sender: "sender@example.com", InternalDate: corpusDate(len(files))}
		if _, err := sink.Put(context.Background(), msg, bytesWriter(m.data)); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	pyPath := filepath.Join(dir, "python.mbox")
	runPython(t, pythonMbox, append([]string{pyPath}, files...)...)
	python, _ := os.ReadFile(pyPath)
	if want := string(python); ours.String() != want {
		t.Fatalf("our mboxrd stream differs from Python's mailbox.mbox\n%s", firstDiff(ours.String(), want))
	}
}

func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n got: %q\nwant: %q", i, a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
}

// Our reader reads Python's mbox (mboxo) back to the original messages.
func TestMboxReaderReadsPythonMbox(t *testing.T) {
	dir := t.TempDir()
	var files []string
	var want []string
	for _, m := range loadCorpus(t) {
		if hasQuotedFromLine(m.data) {
			continue // mboxo cannot tell these from quoted lines
		}
		path := filepath.Join(dir, fmt.Sprintf("%03d.eml", len(files)))
		os.WriteFile(path, []byte(m.data), 0o600)
		files = append(files, path)
		if !strings.HasSuffix(m.data, "\n") {
			m.data += "\n"
		}
		want = append(want, m.data)
	}
	pyPath := filepath.Join(dir, "python.mbox")
	runPython(t, pythonMbox, append([]string{pyPath}, files...)...)
	data, _ := os.ReadFile(pyPath)
	for _, dialect := range []MboxDialect{MboxO, MboxRD} {
		metas, bodies := readAllMbox(t, data, dialect)
		if len(bodies) != len(want) {
			t.Fatalf("dialect %d: read %d messages, want %d", dialect, len(bodies), len(want))
		}
		for i := range want {
			if bodies[i] != want[i] {
				t.Errorf("dialect %d: message %d (%s) differs\n%s", dialect, i+1, files[i], firstDiff(bodies[i], want[i]))
			}
			if metas[i].Sender != "sender@example.com" || !metas[i].InternalDate.Equal(corpusDate(i)) {
				t.Errorf("message %d: sender %q date %v, want sender@example.com %v", i+1, metas[i].Sender, metas[i].InternalDate, corpusDate(i))
			}
		}
	}
}

// Our mboxrd round trip is exact for every corpus message and for bodies
// full of From lines at every quoting depth; Python's mailbox.mbox finds
// the same messages and From lines in our file.
func TestMboxSinkRoundTrip(t *testing.T) {
	messages := []string{
		"Subject: quoting\n\nFrom the start\n>From one\n>>From two\n>>>From three\nFrom\n>From\n",
		"Subject: no final newline\n\nlast line",
		"",
		"Subject: ends with blank lines\n\nbody\n\n\n",
		"Subject: crlf\r\n\r\nFrom x\r\n>From y\r\n\r\n",
	}
	for _, m := range loadCorpus(t) {
		messages = append(messages, m.data)
	}
	path := filepath.Join(t.TempDir(), "sub", "box.mbox")
	sink := NewMboxSink(path, MboxOptions{})
	var stored []Stored
	for i, m := range messages {
		s, err := sink.Put(context.Background(), Message{Sender: "a@b.example", InternalDate: corpusDate(i)}, bytesWriter(m))
		if err != nil {
			t.Fatalf("Put(%d) = %v", i, err)
		}
		if s.Size != int64(len(m)) || !s.Committed {
			t.Errorf("Put(%d) = %+v", i, s)
		}
		if wantAdded := m != "" && !strings.HasSuffix(m, "\n"); s.NewlineAdded != wantAdded {
			t.Errorf("Put(%d).NewlineAdded = %v, want %v", i, s.NewlineAdded, wantAdded)
		}
		stored = append(stored, s)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if stored[len(stored)-1].End != int64(len(data)) {
		t.Errorf("last End = %d, file size %d", stored[len(stored)-1].End, len(data))
	}
	metas, bodies := readAllMbox(t, data, MboxRD)
	if len(bodies) != len(messages) {
		t.Fatalf("read %d messages, want %d", len(bodies), len(messages))
	}
	for i, want := range messages {
		if want != "" && !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if bodies[i] != want {
			t.Errorf("message %d differs after round trip\n%s", i, firstDiff(bodies[i], want))
		}
		if metas[i].Offset != stored[i].Offset {
			t.Errorf("message %d: read offset %d, stored offset %d", i, metas[i].Offset, stored[i].Offset)
		}
	}
	script := `
import mailbox, sys, json
box = mailbox.mbox(sys.argv[1], create=False)
print(json.dumps([box.get_message(k).get_from() for k in box.keys()]))
`
	var pyFroms []string
	if err := json.Unmarshal(runPython(t, script, path), &pyFroms); err != nil {
		t.Fatal(err)
	}
	if len(pyFroms) != len(messages) {
		t.Fatalf("Python's mailbox.mbox sees %d messages, want %d", len(pyFroms), len(messages))
	}
	for i, from := range pyFroms {
		if want := strings.TrimSuffix(strings.TrimPrefix(FromLine("a@b.example", corpusDate(i)), "From "), "\n"); from != want {
			t.Errorf("Python get_from(%d) = %q, want %q", i, from, want)
		}
	}
}

func TestMboxSinkFailureRollsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "box")
	sink := NewMboxSink(path, MboxOptions{})
	ctx := context.Background()
	if _, err := sink.Put(ctx, Message{}, failingWriter("x", 0)); !errors.Is(err, errInjected) {
		t.Fatalf("Put = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("mbox created by a Put that failed before its first byte: %v", err)
	}
	if _, err := sink.Put(ctx, Message{}, bytesWriter("Subject: one\n\nFrom a\n")); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)
	// Large enough to pass the 64 KiB buffer, so bytes reach the file.
	big := strings.Repeat("From line\n", 20000)
	if _, err := sink.Put(ctx, Message{}, failingWriter(big, len(big)-3)); !errors.Is(err, errInjected) {
		t.Fatalf("Put = %v", err)
	}
	if got := readFile(t, path); got != before {
		t.Fatalf("failed append left %d bytes behind", len(got)-len(before))
	}
	cctx, cancel := context.WithCancel(ctx)
	write := func(w io.Writer) error {
		io.WriteString(w, big)
		cancel()
		_, err := io.WriteString(w, "more\n")
		return err
	}
	if _, err := sink.Put(cctx, Message{}, write); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put(cancelled) = %v", err)
	}
	if _, err := sink.Put(ctx, Message{Size: 5}, bytesWriter("four")); err == nil {
		t.Fatal("Put with the wrong size succeeded")
	}
	if got := readFile(t, path); got != before {
		t.Fatalf("cancelled append left %d bytes behind", len(got)-len(before))
	}
	if _, err := sink.Put(ctx, Message{}, bytesWriter("Subject: two\n\nbody\n")); err != nil {
		t.Fatal(err)
	}
	sink.Close()
	_, bodies := readAllMbox(t, []byte(readFile(t, path)), MboxRD)
	if len(bodies) != 2 || bodies[0] != "Subject: one\n\nFrom a\n" || bodies[1] != "Subject: two\n\nbody\n" {
		t.Fatalf("messages = %q", bodies)
	}
}

func TestMboxSinkLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "box")
	first := NewMboxSink(path, MboxOptions{})
	if _, err := first.Put(context.Background(), Message{}, bytesWriter("one\n")); err != nil {
		t.Fatal(err)
	}
	second := NewMboxSink(path, MboxOptions{})
	var locked *LockedError
	if _, err := second.Put(context.Background(), Message{}, bytesWriter("two\n")); !errors.As(err, &locked) {
		t.Fatalf("second writer Put = %v, want *LockedError", err)
	}
	first.Close()
	if _, err := second.Put(context.Background(), Message{}, bytesWriter("two\n")); err != nil {
		t.Fatalf("Put after the first writer closed = %v", err)
	}
	second.Close()
	if _, bodies := readAllMbox(t, []byte(readFile(t, path)), MboxRD); len(bodies) != 2 {
		t.Fatalf("messages = %q", bodies)
	}
}

// A run killed mid-append leaves a partial message; the next run, told
// the committed size, cuts it off before appending.
func TestMboxSinkCommittedSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "box")
	sink := NewMboxSink(path, MboxOptions{})
	stored, err := sink.Put(context.Background(), Message{}, bytesWriter("one\n"))
	if err != nil {
		t.Fatal(err)
	}
	sink.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("From crashed Thu Jan  1 00:00:00 2024\nhalf a mess")
	f.Close()
	rerun := NewMboxSink(path, MboxOptions{KnownCommitted: true, CommittedSize: stored.End})
	if _, err := rerun.Put(context.Background(), Message{}, bytesWriter("two\n")); err != nil {
		t.Fatal(err)
	}
	rerun.Close()
	if _, bodies := readAllMbox(t, []byte(readFile(t, path)), MboxRD); len(bodies) != 2 || bodies[1] != "two\n" {
		t.Fatalf("messages = %q", bodies)
	}
	shrunk := NewMboxSink(path, MboxOptions{KnownCommitted: true, CommittedSize: 1 << 20})
	var sizeErr *CommittedSizeError
	if _, err := shrunk.Put(context.Background(), Message{}, bytesWriter("x\n")); !errors.As(err, &sizeErr) {
		t.Fatalf("Put on a file shorter than committed = %v, want *CommittedSizeError", err)
	}
	shrunk.Close()
}

// Appending to an mbox whose last message lacks its final newline or
// blank line (hand edits, other writers) adds the separator first.
func TestMboxSinkRepairsSeparatorBeforeAppending(t *testing.T) {
	for _, existing := range []string{
		"From a Thu Jan  1 00:00:00 2024\nSubject: old\n\nbody\n",
		"From a Thu Jan  1 00:00:00 2024\nSubject: old\n\nbody",
		"From a Thu Jan  1 00:00:00 2024\nSubject: old\n\nbody\n\n",
	} {
		path := filepath.Join(t.TempDir(), "box")
		os.WriteFile(path, []byte(existing), 0o600)
		sink := NewMboxSink(path, MboxOptions{})
		if _, err := sink.Put(context.Background(), Message{}, bytesWriter("Subject: new\n\nbody\n")); err != nil {
			t.Fatal(err)
		}
		sink.Close()
		_, bodies := readAllMbox(t, []byte(readFile(t, path)), MboxRD)
		if len(bodies) != 2 || bodies[0] != "Subject: old\n\nbody\n" || bodies[1] != "Subject: new\n\nbody\n" {
			t.Errorf("after appending to %q: messages = %q", existing, bodies)
		}
	}
}

func TestMboxSinkGroupCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "box")
	sink := NewMboxSink(path, MboxOptions{Options: Options{GroupCommit: true}})
	for i := 0; i < 3; i++ {
		s, err := sink.Put(context.Background(), Message{}, bytesWriter("m\n"))
		if err != nil || s.Committed {
			t.Fatalf("Put = %+v, %v; want uncommitted", s, err)
		}
	}
	committed, err := sink.Flush()
	if err != nil || len(committed) != 3 || !committed[2].Committed {
		t.Fatalf("Flush = %+v, %v", committed, err)
	}
	if again, _ := sink.Flush(); len(again) != 0 {
		t.Errorf("second Flush = %+v, want nothing", again)
	}
	sink.Close()
}

func TestWriterSinkRaw(t *testing.T) {
	var buf bytes.Buffer
	sink := NewWriterSink(&buf, WriterRaw)
	msg := "From: a\n\nFrom here, unquoted\n"
	if _, err := sink.Put(context.Background(), Message{}, bytesWriter(msg)); err != nil {
		t.Fatal(err)
	}
	if buf.String() != msg {
		t.Errorf("raw output = %q, want %q", buf.String(), msg)
	}
	if _, err := sink.Put(context.Background(), Message{}, bytesWriter(msg)); !errors.Is(err, ErrSingleMessage) {
		t.Errorf("second raw Put = %v, want ErrSingleMessage", err)
	}
}

func TestFromLine(t *testing.T) {
	date := time.Date(2024, 1, 5, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	tests := []struct{ sender, want string }{
		{"alice@example.com", "From alice@example.com Fri Jan  5 02:04:05 2024\n"},
		{"", "From MAILER-DAEMON Fri Jan  5 02:04:05 2024\n"},
		{"bad sender", "From MAILER-DAEMON Fri Jan  5 02:04:05 2024\n"},
		{"a\nFrom x", "From MAILER-DAEMON Fri Jan  5 02:04:05 2024\n"},
	}
	for _, tt := range tests {
		if got := FromLine(tt.sender, date); got != tt.want {
			t.Errorf("FromLine(%q) = %q, want %q", tt.sender, got, tt.want)
		}
	}
	sender, got := ParseFromLine("From alice@example.com Fri Jan  5 02:04:05 2024\n")
	if sender != "alice@example.com" || !got.Equal(date) {
		t.Errorf("ParseFromLine = %q, %v", sender, got)
	}
}

func TestMboxSinkReadOnly(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old")
	sink := NewMboxSink(existing, MboxOptions{})
	if _, err := sink.Put(context.Background(), Message{}, bytesWriter("kept\n")); err != nil {
		t.Fatal(err)
	}
	sink.Close()
	before := readFile(t, existing)
	makeReadOnly(t, existing)
	makeReadOnly(t, dir)
	for _, path := range []string{existing, filepath.Join(dir, "new")} {
		sink := NewMboxSink(path, MboxOptions{})
		if _, err := sink.Put(context.Background(), Message{}, bytesWriter("lost\n")); !errors.Is(err, os.ErrPermission) {
			t.Errorf("Put to %s in a read-only folder = %v, want a permission error", path, err)
		}
		sink.Close()
	}
	if got := listTree(t, dir); len(got) != 1 || readFile(t, existing) != before {
		t.Errorf("after failed Puts: %v, %q", got, readFile(t, existing))
	}
}

// Flags that Python's mailbox.mboxMessage (like mutt) keeps in Status and
// X-Status header fields are read as IMAP flags, mapped as Python maps
// them to Maildir flags.
func TestMboxReaderStatusFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "box")
	script := `
import mailbox, sys, json
box = mailbox.mbox(sys.argv[1])
combos = ["", "RO", "O", "RAF", "D", "ROFAD"]
for i, flags in enumerate(combos):
    msg = mailbox.mboxMessage(b"Subject: %d\n\nbody\n" % i)
    msg.set_from("a@b.example", True)
    msg.set_flags(flags)
    box.add(msg)
box.close()
box = mailbox.mbox(sys.argv[1])
out = []
for key in box.keys():
    m = mailbox.MaildirMessage(box.get_message(key))
    out.append({"flags": m.get_flags(), "data": box.get_bytes(key).decode()})
print(json.dumps(out))
`
	var python []struct {
		Flags string
		Data  string
	}
	if err := json.Unmarshal(runPython(t, script, path), &python); err != nil {
		t.Fatal(err)
	}
	metas, bodies := readAllMbox(t, []byte(readFile(t, path)), MboxRD)
	if len(metas) != len(python) {
		t.Fatalf("read %d messages, Python %d", len(metas), len(python))
	}
	for i, py := range python {
		letters, _ := MaildirInfo(metas[i].Flags)
		if letters != py.Flags {
			t.Errorf("message %d: flags %v (letters %q), Python's Maildir conversion gives %q", i, metas[i].Flags, letters, py.Flags)
		}
		if bodies[i] != py.Data {
			t.Errorf("message %d: %q, Python get_bytes %q", i, bodies[i], py.Data)
		}
	}
}

// readHeaderAhead stops at the blank line after the header however the
// reads split it ("\n\n" or "\n\r\n" across two reads), and takes the
// Status flags from the header only.
func TestReadHeaderAheadSplitReads(t *testing.T) {
	for _, msg := range []string{
		"Status: RO\nSubject: x\n\nStatus: D\nbody\n",
		"Status: RO\r\nSubject: x\r\n\r\nStatus: D\r\n",
		"\nStatus: D\n",
		"\r\nStatus: D\n",
		"Status: R\nX-Status: F\n",
	} {
		for _, n := range []int{1, 2, 3, 4096} {
			head, flags, err := readHeaderAhead(&chunkReader{data: []byte(msg), n: n}, nil)
			if err != nil {
				t.Fatal(err)
			}
			end := headerEnd([]byte(msg))
			if end >= 0 && len(head) > end+2+n {
				t.Errorf("%q in reads of %d: read %q, past the read that ends the blank line", msg, n, head)
			}
			if end < 0 {
				end = len(msg)
			}
			if !strings.HasPrefix(msg, string(head)) || len(head) < end {
				t.Errorf("%q in reads of %d: read %q, want at least the header", msg, n, head)
			}
			if want := statusFlags([]byte(msg[:end])); !slices.Equal(flags, want) {
				t.Errorf("%q in reads of %d: flags %v, want %v", msg, n, flags, want)
			}
		}
	}
}

// chunkReader returns data n bytes per Read.
type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[k:]
	return k, nil
}

package cmd

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

const crlfRaw = `raw,linesep=\r\n`

func lf(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")) }

func TestFetchOneMessageToStdout(t *testing.T) {
	s := startTestServer(t)
	for _, m := range s.messagesIn("INBOX")[:5] {
		uid := strconv.Itoa(int(m.UID))
		code, out, errOut := s.run(t, nil, "fetch", "--policy", crlfRaw, "INBOX", uid)
		if code != ExitOK || out != string(m.Data) {
			t.Errorf("fetch --policy raw,linesep=\\r\\n INBOX %s = %d (stderr %q); bytes equal BODY[]: %v", uid, code, errOut, out == string(m.Data))
		}
		// The default policy is raw with LF line endings.
		code, out, _ = s.run(t, nil, "fetch", "INBOX", uid)
		if code != ExitOK || out != string(lf(m.Data)) {
			t.Errorf("fetch INBOX %s = %d; equal to BODY[] with LF: %v", uid, code, out == string(lf(m.Data)))
		}
	}
}

func TestFetchToMboxStreamAndFile(t *testing.T) {
	s := startTestServer(t)
	msgs := s.messagesIn("INBOX")[:4]
	set := strconv.Itoa(int(msgs[0].UID)) + ":" + strconv.Itoa(int(msgs[3].UID))
	code, out, errOut := s.run(t, nil, "fetch", "--policy", crlfRaw, "INBOX", set)
	if code != ExitOK {
		t.Fatalf("fetch INBOX %s = %d, %q", set, code, errOut)
	}
	checkMbox(t, strings.NewReader(out), msgs)

	path := filepath.Join(t.TempDir(), "out.mbox")
	if code, _, errOut := s.run(t, nil, "fetch", "--policy", crlfRaw, "-o", path, "--format", "mbox", "INBOX", set); code != ExitOK {
		t.Fatalf("fetch --format mbox = %d, %q", code, errOut)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkMbox(t, f, msgs)
}

// checkMbox reads an mboxrd stream back and compares it with the server's messages.
func checkMbox(t *testing.T, r io.Reader, want []memserver.SeededMessage) {
	t.Helper()
	mr := output.NewMboxReader(r, "mbox", output.MboxRD)
	for i, m := range want {
		_, body, err := mr.Next()
		if err != nil {
			t.Fatalf("mbox message %d: %v", i+1, err)
		}
		got, _ := io.ReadAll(body)
		if !bytes.Equal(got, m.Data) {
			t.Errorf("mbox message %d (UID %d) differs from BODY[] (%d bytes, want %d)", i+1, m.UID, len(got), len(m.Data))
		}
	}
	if _, _, err := mr.Next(); err != io.EOF {
		t.Errorf("mbox has more messages than fetched: %v", err)
	}
}

func TestFetchToMaildirAndEML(t *testing.T) {
	s := startTestServer(t)
	mailbox := memserver.CorpusMailbox("dkimpy")
	msgs := s.messagesIn(mailbox)
	dir := t.TempDir()
	md, eml := filepath.Join(dir, "md"), filepath.Join(dir, "eml")
	if code, _, errOut := s.run(t, nil, "fetch", "--policy", crlfRaw, "-o", md, "--format", "maildir", mailbox); code != ExitOK {
		t.Fatalf("fetch --format maildir = %d, %q", code, errOut)
	}
	if code, _, errOut := s.run(t, nil, "fetch", "--policy", crlfRaw, "-o", eml, mailbox); code != ExitOK {
		t.Fatalf("fetch --format eml = %d, %q", code, errOut)
	}
	files := map[uint32]string{}
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(md, sub))
		for _, e := range entries {
			name, err := output.ParseMaildirName(e.Name())
			if err != nil {
				t.Fatalf("Maildir file %s: %v", e.Name(), err)
			}
			files[name.UID] = filepath.Join(md, sub, e.Name())
		}
	}
	if len(files) != len(msgs) {
		t.Errorf("Maildir holds %d messages, server has %d", len(files), len(msgs))
	}
	for _, m := range msgs {
		data, err := os.ReadFile(files[m.UID])
		if err != nil || !bytes.Equal(data, m.Data) {
			t.Errorf("Maildir UID %d: equal to BODY[]: %v (%v)", m.UID, bytes.Equal(data, m.Data), err)
		}
		seen := strings.HasSuffix(files[m.UID], "S") || strings.Contains(filepath.Base(files[m.UID]), ":2,") && strings.Contains(filepath.Base(files[m.UID])[strings.Index(filepath.Base(files[m.UID]), ":2,"):], "S")
		if seen != slices.Contains(m.Flags, `\Seen`) {
			t.Errorf("Maildir UID %d name %s, server flags %v", m.UID, filepath.Base(files[m.UID]), m.Flags)
		}
		data, err = os.ReadFile(filepath.Join(eml, strconv.Itoa(int(m.UID))+".eml"))
		if err != nil || !bytes.Equal(data, m.Data) {
			t.Errorf("%d.eml equal to BODY[]: %v (%v)", m.UID, bytes.Equal(data, m.Data), err)
		}
	}
}

func TestFetchFailuresWriteNothing(t *testing.T) {
	s := startTestServer(t)
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"fetch", "INBOX", "99999"}, ExitPartial},
		{[]string{"fetch", "INBOX", "1:x"}, ExitUsage},
		{[]string{"fetch", "INBOX", "0"}, ExitUsage},
		{[]string{"fetch", "No/Such", "1"}, ExitServer},
		{[]string{"fetch", "--policy", "bogus", "INBOX", "1"}, ExitUsage},
		{[]string{"fetch", "--format", "zip", "INBOX", "1"}, ExitUsage},
	} {
		dir := filepath.Join(t.TempDir(), "out")
		args := append(slices.Clone(tt.args), "-o", dir)
		code, out, errOut := s.run(t, nil, args...)
		if code != tt.code || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "imapctl: ") {
			t.Errorf("%q = %d, stdout %q, stderr %q; want %d and one line", args, code, out, errOut, tt.code)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%q created %s", args, dir)
		}
	}
}

func TestFetchMarkSeen(t *testing.T) {
	s := startTestServer(t)
	var unseen memserver.SeededMessage
	for _, m := range s.messagesIn("INBOX") {
		if !slices.Contains(m.Flags, `\Seen`) {
			unseen = m
			break
		}
	}
	uid := strconv.Itoa(int(unseen.UID))
	s.run(t, nil, "fetch", "INBOX", uid)
	if _, out, _ := s.run(t, nil, "search", "INBOX", "UID", uid, "SEEN"); out != "" {
		t.Fatalf("fetch without --mark-seen set \\Seen on UID %s", uid)
	}
	s.run(t, nil, "fetch", "--mark-seen", "INBOX", uid)
	if _, out, _ := s.run(t, nil, "search", "INBOX", "UID", uid, "SEEN"); out != uid+"\n" {
		t.Errorf("fetch --mark-seen did not set \\Seen on UID %s (search printed %q)", uid, out)
	}
}

// partOf decodes part n of a multipart message with the standard library.
func partOf(t *testing.T, data []byte, n int) []byte {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for i := 1; ; i++ {
		p, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		if i == n {
			body, _ := io.ReadAll(p)
			if p.Header.Get("Content-Transfer-Encoding") == "base64" {
				// encoding/base64 skips the CR and LF of the body's lines.
				dec, err := base64.StdEncoding.DecodeString(string(body))
				if err != nil {
					t.Fatal(err)
				}
				return dec
			}
			return body
		}
	}
}

func TestFetchPartDecodeAndItems(t *testing.T) {
	s := startTestServer(t)
	var target memserver.SeededMessage
	for _, m := range s.messagesIn("INBOX") {
		if bytes.Contains(m.Data, []byte("Content-Transfer-Encoding: base64")) && bytes.Contains(m.Data, []byte("multipart/mixed")) && !bytes.Contains(m.Data, []byte("multipart/alternative")) {
			target = m
			break
		}
	}
	if target.UID == 0 {
		t.Fatal("no seeded multipart/mixed message with a base64 part")
	}
	uid := strconv.Itoa(int(target.UID))
	code, out, errOut := s.run(t, nil, "fetch", "--items", "FLAGS RFC822.SIZE BODYSTRUCTURE", "INBOX", uid)
	if code != ExitOK {
		t.Fatalf("fetch --items = %d %q", code, errOut)
	}
	var items fetchedItems
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatalf("fetch --items output %q: %v", out, err)
	}
	if items.UID != target.UID || items.Size == nil || *items.Size != target.Size || !slices.Equal(*items.Flags, target.Flags) {
		t.Errorf("fetch --items = %s; want uid %d size %d flags %v", out, target.UID, target.Size, target.Flags)
	}
	part := 0
	for i, p := range items.BodyStructure.Parts {
		if p.Encoding == "base64" {
			part = i + 1
		}
	}
	code, out, errOut = s.run(t, nil, "fetch", "--part", strconv.Itoa(part), "--decode", "INBOX", uid)
	if want := partOf(t, target.Data, part); code != ExitOK || out != string(want) {
		t.Errorf("fetch --part %d --decode = %d (%q); equal to the decoded part: %v", part, code, errOut, out == string(want))
	}
}

func TestFetchFlagParsing(t *testing.T) {
	for _, tt := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"INBOX"}, true},
		{[]string{"INBOX", "1:*,5"}, true},
		{[]string{"INBOX", "--part", "1.2.MIME"}, true},
		{[]string{"INBOX", "--part", "HEADER.FIELDS (FROM TO)"}, true},
		{[]string{"INBOX", "--part", "1.BOGUS"}, false},
		{[]string{"INBOX", "--decode"}, false},
		{[]string{"INBOX", "--name", "{uid}"}, false},
		{[]string{"INBOX", "-o", "d", "--name", "{nosuch}"}, false},
		{[]string{"INBOX", "--items", "FLAGS NOPE"}, false},
		{[]string{"INBOX", "--search", `FROM "unterminated`}, false},
		{[]string{"INBOX", "--format", "mbox"}, false},
		{[]string{"INBOX", "--headers", "--part", "1"}, false},
	} {
		ios, _, _, _ := Test()
		var got *FetchOptions
		cmd := NewFetchCmd(NewFactory(ios), func(o *FetchOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if tt.ok != (err == nil) {
			t.Errorf("fetch %q: err = %v, want ok=%v", tt.args, err, tt.ok)
		}
		if err != nil {
			if _, isUsage := err.(*UsageError); !isUsage {
				t.Errorf("fetch %q: error %T, want *UsageError", tt.args, err)
			}
		} else if got == nil || !got.Set.UID {
			t.Errorf("fetch %q: options %+v, want a UID set", tt.args, got)
		}
	}
}

func TestCompactSet(t *testing.T) {
	got := compactSet([]uint32{9, 4, 5, 6, 6, 11, 12}, true)
	if got.String() != "4:6,9,11:12" || !got.UID {
		t.Errorf("compactSet = %v (uid %v), want 4:6,9,11:12", got, got.UID)
	}
}

func TestFetchSeqAndSearch(t *testing.T) {
	s := startTestServer(t)
	msgs := s.messagesIn("INBOX")
	code, out, errOut := s.run(t, nil, "fetch", "--seq", "--policy", crlfRaw, "INBOX", "2")
	if code != ExitOK || out != string(msgs[1].Data) {
		t.Errorf("fetch --seq INBOX 2 = %d %q; equal to message 2's BODY[]: %v", code, errOut, out == string(msgs[1].Data))
	}
	// --search SEEN within a UID range gives the seen ones of that range.
	var want []memserver.SeededMessage
	for _, m := range msgs[:10] {
		if slices.Contains(m.Flags, `\Seen`) {
			want = append(want, m)
		}
	}
	set := "1:" + strconv.Itoa(int(msgs[9].UID))
	code, out, errOut = s.run(t, nil, "fetch", "--policy", crlfRaw, "--search", "SEEN", "INBOX", set)
	if code != ExitOK {
		t.Fatalf("fetch --search = %d %q", code, errOut)
	}
	checkMbox(t, strings.NewReader(out), want)
}

func TestFetchRefusesBinaryToTerminal(t *testing.T) {
	s := startTestServer(t)
	var target memserver.SeededMessage
	for _, m := range s.messagesIn("INBOX") {
		if bytes.Contains(m.Data, []byte("image/jpeg")) {
			target = m
			break
		}
	}
	if target.UID == 0 {
		t.Skip("no seeded message with a JPEG part")
	}
	ios, _, out, errOut := Test()
	ios.IsStdoutTTY = true
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) { v, ok := s.env[k]; return v, ok }
	_, items, _ := s.run(t, nil, "fetch", "--items", "BODYSTRUCTURE", "INBOX", strconv.Itoa(int(target.UID)))
	var line fetchedItems
	if err := json.Unmarshal([]byte(items), &line); err != nil {
		t.Fatal(err)
	}
	part := ""
	for _, p := range line.BodyStructure.Parts {
		if p.Type == "image/jpeg" {
			part = p.Part
		}
	}
	if part == "" {
		t.Skipf("JPEG not a top-level part of UID %d", target.UID)
	}
	code := run(t.Context(), []string{"fetch", "--part", part, "--decode", "INBOX", strconv.Itoa(int(target.UID))}, f)
	if code != ExitUsage || out.Len() != 0 || !strings.Contains(errOut.String(), "imapctl: hint: redirect") {
		t.Errorf("fetch --decode of a JPEG to a terminal = %d, %d bytes, %q; want 2 with a hint", code, out.Len(), errOut.String())
	}
}

func TestFetchOutJSONListsCommittedFiles(t *testing.T) {
	s := startTestServer(t)
	mailbox := memserver.CorpusMailbox("dkimpy")
	msgs := s.messagesIn(mailbox)
	defer func(n int) { flushEvery = n }(flushEvery)
	flushEvery = 2 // several group commits in one run
	for _, format := range []string{"eml", "maildir", "mbox"} {
		dir := filepath.Join(t.TempDir(), "out")
		code, out, errOut := s.run(t, nil, "fetch", "--json", "--policy", crlfRaw, "-o", dir, "--format", format, mailbox)
		if code != ExitOK {
			t.Fatalf("fetch --json --format %s = %d %q", format, code, errOut)
		}
		for i, st := range storedFileLines(t, out, len(msgs)) {
			if st.UID != msgs[i].UID || st.Size != msgs[i].Size {
				t.Errorf("%s line %d = %+v, want UID %d size %d", format, i+1, st, msgs[i].UID, msgs[i].Size)
			}
			data, err := os.ReadFile(st.Path)
			if err != nil {
				t.Fatal(err)
			}
			if format != "mbox" && !bytes.Equal(data, msgs[i].Data) {
				t.Errorf("%s: %s differs from BODY[] of UID %d", format, st.Path, st.UID)
			}
			if format == "mbox" && (st.Offset == nil || st.End == nil || *st.End > int64(len(data))) {
				t.Errorf("mbox line %+v: want offset and end within the file", st)
			}
		}
	}
}

// storedFileLines reads fetch --out --json output: want storedFile lines.
func storedFileLines(t *testing.T, out string, want int) []storedFile {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != want {
		t.Fatalf("fetch --json printed %d lines, want %d", len(lines), want)
	}
	files := make([]storedFile, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &files[i]); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
	return files
}

// fetchCommitSink is a Maildir sink and the committer of its groups, with
// the UIDs each reported commit listed, in the order reported.
type fetchCommitSink struct {
	t        *testing.T
	dir      string
	sink     *output.MaildirSink
	commits  *fetchCommitter
	reported [][]uint32
}

func newFetchCommitSink(t *testing.T) *fetchCommitSink {
	f := &fetchCommitSink{t: t, dir: t.TempDir()}
	f.sink = output.NewMaildirSink(f.dir, output.Options{GroupCommit: true})
	f.commits = newFetchCommitter(f.sink, func(stored []output.Stored, uidOf map[string]uint32) error {
		var uids []uint32
		for _, st := range stored {
			uids = append(uids, uidOf[storedKey(st)])
		}
		f.reported = append(f.reported, uids)
		return nil
	})
	return f
}

// put stores a small message as UID uid and returns its group entry.
func (f *fetchCommitSink) put(uid uint32) map[string]uint32 {
	f.t.Helper()
	st, err := f.sink.Put(f.t.Context(), output.Message{UID: uid}, func(w io.Writer) error {
		_, err := io.WriteString(w, "Subject: "+strconv.Itoa(int(uid))+"\n\nhello\n")
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return map[string]uint32{storedKey(st): uid}
}

// uids lists the UIDs of the messages in the Maildir's new/ and cur/.
func (f *fetchCommitSink) uids() []uint32 {
	var uids []uint32
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(f.dir, sub))
		for _, e := range entries {
			name, err := output.ParseMaildirName(e.Name())
			if err != nil {
				f.t.Fatal(err)
			}
			uids = append(uids, name.UID)
		}
	}
	slices.Sort(uids)
	return uids
}

// A Maildir group is committed while the next message is written: the
// commit below cannot end before the next message's Put returned (a
// commit in turn, inside start, would never return: the test would hang).
// Its result is reported only when the committer is next called, on the
// fetching goroutine.
func TestFetchGroupCommitRunsWhileNextMessageIsWritten(t *testing.T) {
	f := newFetchCommitSink(t)
	nextWritten := make(chan struct{})
	f.commits.commitGroup = func(g *output.Group) ([]output.Stored, error) {
		<-nextWritten
		return g.Commit()
	}
	first := f.put(1)
	if err := f.commits.start(first); err != nil {
		t.Fatal(err)
	}
	second := f.put(2)
	close(nextWritten)
	if len(f.reported) != 0 {
		t.Errorf("reported %v before the committer was called again", f.reported)
	}
	if err := f.commits.finish(second); err != nil {
		t.Fatal(err)
	}
	if err := f.sink.Close(); err != nil {
		t.Fatal(err)
	}
	if len(f.reported) != 2 || !slices.Equal(f.reported[0], []uint32{1}) || !slices.Equal(f.reported[1], []uint32{2}) {
		t.Errorf("reported %v, want [[1] [2]]", f.reported)
	}
	if got := f.uids(); !slices.Equal(got, []uint32{1, 2}) {
		t.Errorf("Maildir holds UIDs %v, want [1 2]", got)
	}
}

// After a group's commit fails nothing more is committed: the group
// fetched meanwhile is discarded, its temp file removed.
func TestFetchGroupCommitErrorStopsLaterCommits(t *testing.T) {
	f := newFetchCommitSink(t)
	failed := errors.New("no space left on device")
	f.commits.commitGroup = func(g *output.Group) ([]output.Stored, error) {
		g.Discard()
		return nil, failed
	}
	if err := f.commits.start(f.put(1)); err != nil {
		t.Fatal(err) // the failure is known only when the commit ended
	}
	second := f.put(2)
	if err := f.commits.finish(second); !errors.Is(err, failed) {
		t.Errorf("finish = %v, want %v", err, failed)
	}
	if err := f.sink.Close(); err != nil {
		t.Fatal(err)
	}
	if len(f.reported) != 1 || len(f.reported[0]) != 0 {
		t.Errorf("reported %v, want one commit without files", f.reported)
	}
	var files []string
	filepath.WalkDir(f.dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if len(files) != 0 {
		t.Errorf("files left after a failed commit: %q", files)
	}
}

// With groups of 3 messages, committed while the next are fetched,
// --json still lists every file once, in the order of the messages, and
// the .eml {n} numbers follow that order across groups.
func TestFetchOutJSONInOrderWithSmallGroups(t *testing.T) {
	s := startTestServer(t)
	msgs := s.messagesIn("INBOX")
	if len(msgs) < 10 {
		t.Fatalf("INBOX has %d messages, want 10", len(msgs))
	}
	msgs = msgs[:10] // groups of 3, 3, 3 and 1
	set := strconv.Itoa(int(msgs[0].UID)) + ":" + strconv.Itoa(int(msgs[9].UID))
	defer func(n int) { flushEvery = n }(flushEvery)
	flushEvery = 3
	for _, format := range []string{"eml", "maildir"} {
		dir := filepath.Join(t.TempDir(), "out")
		args := []string{"fetch", "--json", "--policy", crlfRaw, "-o", dir, "--format", format, "INBOX", set}
		if format == "eml" {
			args = append(args, "--name", "{n}")
		}
		code, out, errOut := s.run(t, nil, args...)
		if code != ExitOK {
			t.Fatalf("%q = %d %q", args, code, errOut)
		}
		for i, st := range storedFileLines(t, out, len(msgs)) {
			if st.UID != msgs[i].UID {
				t.Errorf("%s line %d: UID %d, want %d", format, i+1, st.UID, msgs[i].UID)
			}
			if format == "eml" && filepath.Base(st.Path) != strconv.Itoa(i+1)+".eml" {
				t.Errorf("eml line %d: %s, want %d.eml", i+1, st.Path, i+1)
			}
			if data, err := os.ReadFile(st.Path); err != nil || !bytes.Equal(data, msgs[i].Data) {
				t.Errorf("%s: %s equal to BODY[] of UID %d: %v (%v)", format, st.Path, st.UID, bytes.Equal(data, msgs[i].Data), err)
			}
		}
		var count int
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && path != filepath.Join(dir, output.MaildirOriginFile) {
				count++
				if strings.HasPrefix(d.Name(), ".") || filepath.Base(filepath.Dir(path)) == "tmp" {
					t.Errorf("%s: temp file %s left", format, path)
				}
			}
			return nil
		})
		if count != len(msgs) {
			t.Errorf("%s: %d files, want %d", format, count, len(msgs))
		}
	}
}

// --name '{messageid}' names each file by the message's Message-ID field
// (RFC 5322 §3.6.4, read here with Go's net/mail), without its angle
// brackets.
func TestFetchEMLNamedByMessageID(t *testing.T) {
	s := startTestServer(t)
	mailbox := memserver.CorpusMailbox("dkimpy")
	// The messages whose Message-IDs are plain and unique in the mailbox
	// (two of its messages share one).
	ids := map[uint32]string{}
	count := map[string]int{}
	for _, m := range s.messagesIn(mailbox) {
		parsed, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		id := strings.Trim(strings.TrimSpace(parsed.Header.Get("Message-Id")), "<>")
		if id != "" && !strings.ContainsAny(id, "/\x00") {
			ids[m.UID] = id
			count[id]++
		}
	}
	var uids []string
	for _, m := range s.messagesIn(mailbox) {
		if count[ids[m.UID]] == 1 {
			uids = append(uids, strconv.Itoa(int(m.UID)))
		}
	}
	if len(uids) < 2 {
		t.Fatalf("only %d messages with a unique Message-ID: the test needs more", len(uids))
	}
	dir := filepath.Join(t.TempDir(), "eml")
	code, _, errOut := s.run(t, nil, "fetch", "--policy", crlfRaw, "-o", dir, "--name", "{messageid}", mailbox, strings.Join(uids, ","))
	if code != ExitOK {
		t.Fatalf("fetch --name {messageid} = %d, %s", code, errOut)
	}
	for _, m := range s.messagesIn(mailbox) {
		if count[ids[m.UID]] != 1 {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, ids[m.UID]+".eml"))
		if err != nil || !bytes.Equal(data, m.Data) {
			t.Errorf("UID %d: %s.eml equal to BODY[]: %v (%v)", m.UID, ids[m.UID], bytes.Equal(data, m.Data), err)
		}
	}
	if names := emlFiles(t, dir); len(names) != len(uids) {
		t.Errorf("files %v, want %d", names, len(uids))
	}
}

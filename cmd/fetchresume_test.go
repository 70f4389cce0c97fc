package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// subtractSet leaves out the UIDs already stored. The expected sets
// follow RFC 3501 §6.4.8 and §9: "n:*" is every UID from n to the largest
// in use (below UIDNEXT), and a range is the same in either order.
func TestSubtractSet(t *testing.T) {
	for _, c := range []struct {
		set     string
		present *output.NumberSet
		uidNext uint32
		max     int
		want    string // "" when nothing is left
	}{
		{"1:*", numbers([2]uint32{1, 5}), 11, 1000, "6:10"},
		{"1:*", numbers([2]uint32{1, 10}), 11, 1000, ""},
		{"1:*", numbers([2]uint32{2, 3}, [2]uint32{7, 7}), 11, 1000, "1,4:6,8:10"},
		{"*:3", numbers([2]uint32{3, 4}), 11, 1000, "5:10"},
		// No UIDNEXT: after the last stored UID the set keeps its "*".
		{"1:*", numbers([2]uint32{1, 5}, [2]uint32{8, 9}), 0, 1000, "6:7,10:*"},
		{"20:*", numbers([2]uint32{1, 5}), 0, 1000, "20:*"},
		// n:* with n at or past UIDNEXT names no message that is not
		// already there but the last: kept, left out as it arrives.
		{"11:*", numbers([2]uint32{1, 10}), 11, 1000, "11:*"},
		{"*", numbers([2]uint32{1, 10}), 11, 1000, "*"},
		// Finite sets, in any order, and reversed ranges.
		{"9:2,20", numbers([2]uint32{4, 5}), 30, 1000, "2:3,6:9,20"},
		{"4:5", numbers([2]uint32{1, 10}), 30, 1000, ""},
		// Beyond max ranges the set goes as it was asked for.
		{"1:*", numbers([2]uint32{2, 2}, [2]uint32{4, 4}, [2]uint32{6, 6}, [2]uint32{8, 8}), 11, 3, "1:*"},
		{"1:*", numbers([2]uint32{2, 2}, [2]uint32{4, 4}), 0, 2, "1:*"},
		{"1:*", numbers([2]uint32{2, 2}, [2]uint32{4, 4}), 0, 3, "1,3,5:*"},
		{"1,3,5,7", numbers([2]uint32{3, 3}), 0, 1, "1,5,7"},
	} {
		set, err := imap.ParseUIDSet(c.set)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := subtractSet(set, c.present, c.uidNext, c.max)
		if c.want == "" {
			if ok {
				t.Errorf("subtractSet(%s, UIDNEXT %d) = %s, want nothing", c.set, c.uidNext, got)
			}
			continue
		}
		if !ok || got.String() != c.want || !got.UID {
			t.Errorf("subtractSet(%s, UIDNEXT %d, max %d) = %s (%v, UID %v), want %s", c.set, c.uidNext, c.max, got, ok, got.UID, c.want)
		}
	}
}

// planMaildirResume trusts the UIDs of a Maildir only while its record
// names this very mailbox, and never records an origin over messages of
// unknown origin.
func TestPlanMaildirResume(t *testing.T) {
	inbox := output.MaildirOrigin{Host: "h", User: "u", Mailbox: "INBOX", UIDValidity: 5}
	other := inbox
	other.UIDValidity = 6
	uids := numbers([2]uint32{1, 3})
	for _, c := range []struct {
		name        string
		state       output.MaildirState
		whole       bool
		present     bool
		change      bool
		record      bool // the change records an origin (else removes it)
		otherOrigin bool
	}{
		{"new Maildir", output.MaildirState{UIDs: &output.NumberSet{}}, true, false, true, true, false},
		{"same origin", output.MaildirState{Recorded: true, Origin: &inbox, Messages: 3, UIDs: uids}, true, true, false, false, false},
		{"same origin, empty", output.MaildirState{Recorded: true, Origin: &inbox, UIDs: &output.NumberSet{}}, true, false, false, false, false},
		{"UIDVALIDITY changed", output.MaildirState{Recorded: true, Origin: &other, Messages: 3, UIDs: uids}, true, false, true, false, true},
		// Nothing of the other origin is left: its record is replaced
		// without a warning.
		{"other origin, emptied", output.MaildirState{Recorded: true, Origin: &other, UIDs: &output.NumberSet{}}, true, false, true, true, false},
		{"messages of unknown origin", output.MaildirState{Messages: 3, UIDs: uids}, true, false, false, false, false},
		{"damaged record", output.MaildirState{Recorded: true, Messages: 3, UIDs: uids}, true, false, true, false, false},
		{"headers only", output.MaildirState{Recorded: true, Origin: &inbox, Messages: 3, UIDs: uids}, false, false, true, false, false},
		{"headers only into a new Maildir", output.MaildirState{UIDs: &output.NumberSet{}}, false, false, false, false, false},
	} {
		plan := planMaildirResume(c.state, inbox, c.whole)
		records := plan.change && plan.origin != nil
		if (plan.present != nil) != c.present || plan.change != c.change || records != c.record || (plan.otherOrigin != nil) != c.otherOrigin {
			t.Errorf("%s: plan present %v change %v records %v other %v; want %v %v %v %v", c.name,
				plan.present != nil, plan.change, records, plan.otherOrigin, c.present, c.change, c.record, c.otherOrigin)
		}
		if records && *plan.origin != inbox {
			t.Errorf("%s: records %+v, want %+v", c.name, *plan.origin, inbox)
		}
		if trusted := c.present || records || c.name == "same origin, empty"; plan.trusted != trusted {
			t.Errorf("%s: trusted %v, want %v", c.name, plan.trusted, trusted)
		}
		if damaged := c.name == "damaged record"; plan.damaged != damaged {
			t.Errorf("%s: damaged %v, want %v", c.name, plan.damaged, damaged)
		}
	}

	// Below FetchedBelow every UID counts as fetched, with or without
	// its file; above it only the files' UIDs do.
	fetched := inbox
	fetched.FetchedBelow = 100
	plan := planMaildirResume(output.MaildirState{Recorded: true, Origin: &fetched, Messages: 2, UIDs: numbers([2]uint32{120, 121})}, inbox, true)
	if p := plan.present; p == nil || p.Len() != 101 || !p.Contains(1) || !p.Contains(99) || p.Contains(100) || !p.Contains(121) || p.Contains(122) {
		t.Errorf("present with FetchedBelow 100 and files 120, 121: %v", p)
	}
}

// maildirUIDs counts the files of each UID in a Maildir's new/ and cur/.
func maildirUIDs(t *testing.T, dir string) map[uint32]int {
	t.Helper()
	count := map[uint32]int{}
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			name, err := output.ParseMaildirName(e.Name())
			if err != nil {
				t.Fatalf("Maildir file %s: %v", e.Name(), err)
			}
			count[name.UID]++
		}
	}
	return count
}

// examineThree answers EXAMINE INBOX with three messages, UIDs 7 to 9.
const examineThree = `login
C: $tag EXAMINE INBOX
S: * 3 EXISTS
S: * OK [UIDVALIDITY 42] UIDs valid
S: * OK [UIDNEXT 10] next
S: $tag OK [READ-ONLY] EXAMINE completed
`

// A fetch into a Maildir that loses its connection keeps the messages
// that came; run again, it asks only for the others and stores each
// message once.
func TestFetchMaildirResumesAfterLostConnection(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "md")
	first := examineThree + "C: $tag UID FETCH 1:* *\n" +
		bodyLiteral("* 1 FETCH (UID 7 FLAGS () ", ")") +
		bodyLiteral("* 2 FETCH (UID 8 FLAGS () ", ")") +
		"close\n"
	_, env := startScript(t, first)
	code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "maildir", "INBOX")
	if code != ExitConnection {
		t.Fatalf("fetch with a lost connection = %d, want %d; %s", code, ExitConnection, errOut)
	}
	if got := maildirUIDs(t, dir); len(got) != 2 || got[7] != 1 || got[8] != 1 {
		t.Fatalf("after the lost connection the Maildir holds %v, want UIDs 7 and 8 once", got)
	}

	// UIDs below 7 may exist on the server for all the client knows:
	// they are asked for; 7 and 8 are not.
	second := examineThree + "C: $tag UID FETCH 1:6,9 *\n" +
		bodyLiteral("* 3 FETCH (UID 9 FLAGS () ", ")") +
		"S: $tag OK UID FETCH completed\n"
	s, env := startScript(t, second)
	code, _, errOut = runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "maildir", "INBOX")
	if code != ExitOK {
		t.Fatalf("second fetch = %d, %s; commands:\n%s", code, errOut, s.Transcript())
	}
	if u := s.Unexpected(); len(u) != 0 {
		t.Fatalf("unexpected commands: %v", u)
	}
	if got := maildirUIDs(t, dir); len(got) != 3 || got[7] != 1 || got[8] != 1 || got[9] != 1 {
		t.Fatalf("after the second run the Maildir holds %v, want UIDs 7, 8 and 9 once", got)
	}

	// A third run has nothing to fetch and sends no FETCH.
	third := examineThree + "C: $tag LOGOUT\nS: * BYE\nS: $tag OK bye\n"
	s, env = startScript(t, third)
	if code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "maildir", "INBOX"); code != ExitOK {
		t.Fatalf("third fetch = %d, %s; commands:\n%s", code, errOut, s.Transcript())
	}
	if strings.Contains(s.Transcript(), "FETCH") {
		t.Errorf("third run sent a FETCH:\n%s", s.Transcript())
	}
}

// fetchLastInto fetches set, answered with the last message (UID 9) of
// examineThree's INBOX, into the Maildir dir.
func fetchLastInto(t *testing.T, dir, set string) {
	t.Helper()
	script := examineThree + "C: $tag UID FETCH " + set + " *\n" +
		bodyLiteral("* 3 FETCH (UID 9 FLAGS () ", ")") +
		"S: $tag OK UID FETCH completed\n"
	_, env := startScript(t, script)
	if code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "maildir", "INBOX", set); code != ExitOK {
		t.Fatalf("fetch %s = %d, %s", set, code, errOut)
	}
}

// A message already in the Maildir that the server sends anyway (UID 9
// for "10:*" when 9 is the last, RFC 3501 §6.4.8) is not stored again.
func TestFetchMaildirLeavesOutStoredMessagesAsTheyArrive(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "md")
	fetchLastInto(t, dir, "9")
	for name, after := range map[string]string{"uid first": "", "uid after body": "after"} {
		t.Run(name, func(t *testing.T) {
			body := bodyLiteral("* 3 FETCH (UID 9 FLAGS () ", ")")
			if after != "" {
				body = bodyLiteral("* 3 FETCH (FLAGS () ", " UID 9)")
			}
			second := examineThree + "C: $tag UID FETCH 10:* *\n" + body + "S: $tag OK UID FETCH completed\n"
			_, env := startScript(t, second)
			code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "maildir", "INBOX", "10:*")
			if code != ExitOK || errOut != "" {
				t.Fatalf("fetch 10:* = %d, stderr %q; want 0 and nothing", code, errOut)
			}
			if got := maildirUIDs(t, dir); len(got) != 1 || got[9] != 1 {
				t.Fatalf("Maildir holds %v, want UID 9 once", got)
			}
		})
	}
}

// The cron flow against go-imap's in-memory server: a second fetch of the
// same mailbox into the same Maildir fetches nothing, not even a message
// whose file a mail reader deleted; a new message is fetched alone; a
// fetch of another mailbox into the Maildir ends the record, with a
// warning, and from then on every run fetches all.
func TestFetchMaildirCronFlow(t *testing.T) {
	s := startTestServer(t)
	mailbox := memserver.CorpusMailbox("dkimpy")
	msgs := s.messagesIn(mailbox)
	dir := filepath.Join(t.TempDir(), "md")
	fetch := func(args ...string) (string, map[uint32]int) {
		t.Helper()
		code, _, errOut := s.run(t, nil, append([]string{"--debug", "3", "fetch", "--policy", crlfRaw, "-o", dir, "--format", "maildir"}, args...)...)
		if code != ExitOK {
			t.Fatalf("fetch %v = %d, %s", args, code, errOut)
		}
		return errOut, maildirUIDs(t, dir)
	}
	_, got := fetch(mailbox)
	if len(got) != len(msgs) {
		t.Fatalf("first run stored %v, want the %d messages", got, len(msgs))
	}
	origin, _, err := output.ReadMaildirOrigin(dir)
	if err != nil || origin == nil || origin.Mailbox != mailbox || origin.FetchedBelow <= msgs[len(msgs)-1].UID {
		t.Fatalf("record after the first run: %+v, %v; want %s, fetched below a UID past %d", origin, err, mailbox, msgs[len(msgs)-1].UID)
	}

	// A mail reader deletes one message; the next run fetches nothing.
	deleted := msgs[0].UID
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			if n, _ := output.ParseMaildirName(e.Name()); n.UID == deleted {
				os.Remove(filepath.Join(dir, sub, e.Name()))
			}
		}
	}
	trace, got := fetch(mailbox)
	if strings.Contains(trace, "UID FETCH") || len(got) != len(msgs)-1 || got[deleted] != 0 {
		t.Fatalf("second run: Maildir %v, trace has UID FETCH: %v; want no FETCH and UID %d still gone", got, strings.Contains(trace, "UID FETCH"), deleted)
	}

	// A new message is fetched alone.
	path := filepath.Join(t.TempDir(), "new.eml")
	os.WriteFile(path, []byte("Subject: new\r\n\r\nnew\r\n"), 0o600)
	if code, _, errOut := s.run(t, nil, "append", mailbox, path); code != ExitOK {
		t.Fatalf("append = %d, %s", code, errOut)
	}
	trace, got = fetch(mailbox)
	if len(got) != len(msgs) || strings.Count(trace, "UID FETCH") != 1 {
		t.Fatalf("after a new message: Maildir %v, %d UID FETCH commands; want %d files, one FETCH\n%s", got, strings.Count(trace, "UID FETCH"), len(msgs), trace)
	}
	for uid, n := range got {
		if n != 1 {
			t.Errorf("UID %d stored %d times", uid, n)
		}
	}

	// Another mailbox into the same Maildir: warned, all of it fetched,
	// the record gone; the first mailbox's next run fetches all again.
	other := memserver.CorpusMailbox("eml-format")
	trace, _ = fetch(other)
	if !strings.Contains(trace, "warning: "+dir+" holds messages of "+mailbox) {
		t.Errorf("fetch of another mailbox: stderr %q, want a warning naming %s", trace, mailbox)
	}
	if _, recorded, _ := output.ReadMaildirOrigin(dir); recorded {
		t.Errorf("the record stays after messages of another mailbox were added")
	}
	before := countFiles(t, dir)
	_, _ = fetch(mailbox)
	if after := countFiles(t, dir); after != before+len(msgs)+1 {
		t.Errorf("after the record ended, a fetch of %s stored %d files, want all %d", mailbox, after-before, len(msgs)+1)
	}
}

// countFiles counts the message files of a Maildir.
func countFiles(t *testing.T, dir string) int {
	n := 0
	for _, c := range maildirUIDs(t, dir) {
		n += c
	}
	return n
}

// --headers into a Maildir with a record ends the record: header-only
// files do not stand for the messages.
func TestFetchMaildirHeadersEndRecord(t *testing.T) {
	s := startTestServer(t)
	mailbox := memserver.CorpusMailbox("dkimpy")
	dir := filepath.Join(t.TempDir(), "md")
	if code, _, errOut := s.run(t, nil, "fetch", "-o", dir, "--format", "maildir", mailbox, "1"); code != ExitOK {
		t.Fatalf("fetch = %d, %s", code, errOut)
	}
	if _, recorded, _ := output.ReadMaildirOrigin(dir); !recorded {
		t.Fatalf("a new Maildir got no record")
	}
	if code, _, errOut := s.run(t, nil, "fetch", "--headers", "-o", dir, "--format", "maildir", mailbox, "2"); code != ExitOK {
		t.Fatalf("fetch --headers = %d, %s", code, errOut)
	}
	if _, recorded, _ := output.ReadMaildirOrigin(dir); recorded {
		t.Errorf("the record stays after header-only files were added")
	}
}

// expandUIDs is the set of existing UIDs (1..largest) that set names,
// read as RFC 3501 §9 says: "*" is the largest UID in use, and a range
// holds every number between its ends in either order.
func expandUIDs(set imap.NumSet, largest uint32) map[uint32]bool {
	out := map[uint32]bool{}
	for _, r := range set.Ranges {
		a, b := r.Start, r.Stop
		if a == 0 {
			a = largest
		}
		if b == 0 {
			b = largest
		}
		for n := min(a, b); n <= max(a, b) && n <= largest; n++ {
			out[n] = true
		}
	}
	return out
}

// subtractSet never drops a message that was asked for and is not
// stored, and never asks for one that was not asked for; within
// maxRanges, with UIDNEXT known, it asks for no stored message but the
// last one that "n:*" names past UIDNEXT.
func FuzzSubtractSet(f *testing.F) {
	f.Add([]byte{1, 0, 3, 5}, []byte{2, 4}, uint8(11), uint8(5))
	f.Add([]byte{7, 9, 0, 0}, []byte{1, 3, 8, 8}, uint8(0), uint8(2))
	f.Add([]byte{200, 0}, []byte{1, 150}, uint8(120), uint8(1))
	f.Fuzz(func(t *testing.T, setBytes, presentBytes []byte, uidNext, maxRanges uint8) {
		if len(setBytes) < 2 || maxRanges == 0 || uidNext == 1 {
			return // an empty set; a mailbox without messages
		}
		set := imap.NumSet{UID: true}
		for i := 0; i+1 < len(setBytes) && i < 40; i += 2 {
			set.Ranges = append(set.Ranges, imap.NumRange{Start: uint32(setBytes[i]), Stop: uint32(setBytes[i+1])})
		}
		present := &output.NumberSet{}
		for i := 0; i+1 < len(presentBytes) && i < 40; i += 2 {
			lo, hi := max(uint32(presentBytes[i]), 1), max(uint32(presentBytes[i+1]), 1)
			present.AddRange(min(lo, hi), max(lo, hi))
		}
		largest := uint32(255)
		if uidNext != 0 {
			largest = uint32(uidNext) - 1
		}
		got, ok := subtractSet(set, present, uint32(uidNext), int(maxRanges))
		asked := expandUIDs(set, largest)
		fetched := map[uint32]bool{}
		if ok {
			fetched = expandUIDs(got, largest)
		}
		for n := range asked {
			if !present.Contains(n) && !fetched[n] {
				t.Fatalf("set %s, present %v, UIDNEXT %d: UID %d asked for and missing, not in %s", set, present, uidNext, n, got)
			}
		}
		unbounded, _ := subtractSet(set, present, uint32(uidNext), 1<<30)
		withinBound := len(unbounded.Ranges) <= max(int(maxRanges), len(set.Ranges))
		for n := range fetched {
			if !asked[n] {
				t.Fatalf("set %s, UIDNEXT %d: %s names UID %d, not asked for", set, uidNext, got, n)
			}
			if uidNext != 0 && withinBound && present.Contains(n) && n != largest {
				t.Fatalf("set %s, present %v, UIDNEXT %d: %s asks again for stored UID %d", set, present, uidNext, got, n)
			}
		}
		if len(got.Ranges) > max(int(maxRanges), len(set.Ranges)) {
			t.Fatalf("%s: %d ranges, more than %d and than the %d asked for", got, len(got.Ranges), maxRanges, len(set.Ranges))
		}
	})
}

// While a fetch holds a Maildir, a second fetch into it stops before it
// connects: exit 1, one line naming the Maildir, and a hint.
func TestFetchMaildirLocked(t *testing.T) {
	dir := t.TempDir()
	lock, err := output.LockMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	s, env := startScript(t, "")
	code, _, errOut := runTest(t, env, "fetch", "--out", dir, "--format", "maildir", "INBOX")
	if code != ExitInternal || !strings.Contains(errOut, dir+" is locked") || !strings.Contains(errOut, "another imapctl fetch") {
		t.Fatalf("fetch into a locked Maildir = %d, %q; want %d naming %s, with a hint", code, errOut, ExitInternal, dir)
	}
	if got := s.Received(); len(got) != 0 {
		t.Errorf("sent to the server: %v", got)
	}
}

// threeMessages answers UID FETCH with UIDs 7, 8 and 9.
func threeMessages(set string) string {
	return examineThree + "C: $tag UID FETCH " + set + " *\n" +
		bodyLiteral("* 1 FETCH (UID 7 FLAGS () ", ")") +
		bodyLiteral("* 2 FETCH (UID 8 FLAGS () ", ")") +
		bodyLiteral("* 3 FETCH (UID 9 FLAGS () ", ")") +
		"S: $tag OK UID FETCH completed\n"
}

// "*" alone is the last message (RFC 3501 §6.4.8): fetching it does not
// count the messages below it as fetched.
func TestFetchMaildirStarAloneCoversOnlyTheLast(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "md")
	fetchLastInto(t, dir, "*")
	if o, _, _ := output.ReadMaildirOrigin(dir); o == nil || o.FetchedBelow != 0 {
		t.Fatalf("record after fetching * alone: %+v, want one that counts nothing as fetched", o)
	}
	second := examineThree + "C: $tag UID FETCH 1:8 *\n" +
		bodyLiteral("* 1 FETCH (UID 7 FLAGS () ", ")") +
		bodyLiteral("* 2 FETCH (UID 8 FLAGS () ", ")") +
		"S: $tag OK UID FETCH completed\n"
	s, env := startScript(t, second)
	if code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "maildir", "INBOX"); code != ExitOK {
		t.Fatalf("full fetch = %d, %s\n%s", code, errOut, s.Transcript())
	}
	if got := maildirUIDs(t, dir); len(got) != 3 || got[7] != 1 || got[8] != 1 || got[9] != 1 {
		t.Errorf("Maildir holds %v, want UIDs 7, 8 and 9 once", got)
	}
}

// Two runs into a Maildir that does not exist yet (cron starts the second
// while the first, the initial full fetch, still runs): the first locks
// the Maildir when it creates it, and the second stops with exit 1
// before it stores anything, so no message is stored twice. Whatever the
// timing, each UID is stored once.
func TestFetchMaildirConcurrentFirstRuns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "md")
	slow := examineThree + "C: $tag UID FETCH 1:* *\n" +
		bodyLiteral("* 1 FETCH (UID 7 FLAGS () ", ")") +
		"sleep: 1500ms\n" +
		bodyLiteral("* 2 FETCH (UID 8 FLAGS () ", ")") +
		bodyLiteral("* 3 FETCH (UID 9 FLAGS () ", ")") +
		"S: $tag OK UID FETCH completed\n"
	_, env1 := startScript(t, slow)
	done := make(chan int)
	go func() {
		code, _, _ := runTest(t, env1, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "maildir", "INBOX")
		done <- code
	}()
	time.Sleep(500 * time.Millisecond) // usually the first run has created the Maildir
	_, env2 := startScript(t, threeMessages("1:*"))
	code2, _, errOut2 := runTest(t, env2, "fetch", "--policy", crlfRaw, "--out", dir, "--format", "maildir", "INBOX")
	code1 := <-done
	if code1 != ExitOK && code2 != ExitOK {
		t.Fatalf("both runs failed: %d and %d (%q)", code1, code2, errOut2)
	}
	if code1 == ExitOK && code2 == ExitOK {
		t.Errorf("both runs succeeded: one should have found the Maildir locked")
	}
	if loser := code2; code2 != ExitOK && (loser != ExitInternal || !strings.Contains(errOut2, "locked")) {
		t.Errorf("second run = %d, %q; want %d and a line saying the Maildir is locked", code2, errOut2, ExitInternal)
	}
	got := maildirUIDs(t, dir)
	if len(got) != 3 {
		t.Errorf("Maildir holds %v, want UIDs 7, 8 and 9", got)
	}
	for uid, n := range got {
		if n != 1 {
			t.Errorf("UID %d stored %d times", uid, n)
		}
	}
}

// A record that cannot be read: all is fetched, with a warning, and the
// record is gone.
func TestFetchMaildirDamagedRecordWarns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "md")
	_, env := startScript(t, threeMessages("1:*"))
	if code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "-o", dir, "--format", "maildir", "INBOX"); code != ExitOK {
		t.Fatal(code, errOut)
	}
	os.WriteFile(filepath.Join(dir, output.MaildirOriginFile), []byte(`{"host":"127.0.0.1","us`), 0o600)
	_, env = startScript(t, threeMessages("1:*"))
	code, _, errOut := runTest(t, env, "fetch", "--policy", crlfRaw, "-o", dir, "--format", "maildir", "INBOX")
	if code != ExitOK || !strings.Contains(errOut, "warning: "+dir+": cannot read "+output.MaildirOriginFile) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("fetch with a damaged record = %d, %q; want 0 and a one-line warning", code, errOut)
	}
	if _, recorded, _ := output.ReadMaildirOrigin(dir); recorded {
		t.Errorf("the damaged record stays")
	}
}

// UIDs asked for that the mailbox lacks are reported a range at a time:
// one line for 1:4294967295, not one per number.
func TestFetchMissingUIDsReportedAsRanges(t *testing.T) {
	s := startTestServer(t)
	mailbox := memserver.CorpusMailbox("dkimpy")
	last := s.messagesIn(mailbox)[len(s.messagesIn(mailbox))-1].UID
	dir := filepath.Join(t.TempDir(), "md")
	code, _, errOut := s.run(t, nil, "fetch", "-o", dir, "--format", "maildir", mailbox, "1:4294967295")
	want := fmt.Sprintf("UIDs %d:4294967295: not in %s", last+1, mailbox)
	if code != ExitPartial || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, want) {
		t.Errorf("fetch 1:4294967295 = %d, %q; want %d and one line with %q", code, errOut, ExitPartial, want)
	}
	if got := maildirUIDs(t, dir); len(got) != int(last) {
		t.Errorf("Maildir holds %d messages, want the %d of the mailbox", len(got), last)
	}
}

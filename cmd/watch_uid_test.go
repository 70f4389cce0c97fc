package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A server may leave out [UIDNEXT] (RFC 3501 §6.3.1: the client then "can
// not make any assumptions about the next unique identifier value"). The
// three messages there at the start (UIDs up to 12) are not new: watch
// takes the UID of the last one as its baseline and reports only the
// message that arrives during IDLE.
func TestWatchWithoutUIDNextReportsOnlyNewMessages(t *testing.T) {
	s, env := startScript(t, `caps: IMAP4rev1 IDLE AUTH=PLAIN
login
C: $tag EXAMINE Junk
S: * 3 EXISTS
S: * OK [UIDVALIDITY 7] x
S: $tag OK [READ-ONLY] done
C: $tag FETCH 3 (UID)
S: * 3 FETCH (UID 12)
S: $tag OK done
C: $tag IDLE
S: + idling
S: * 4 EXISTS
C: DONE
S: $tag OK done
C: $tag UID FETCH 13:* (UID)
S: * 4 FETCH (UID 13)
S: $tag OK done
`)
	code, out, errOut := runTest(t, env, "watch", "Junk", "--until-new", "--limit", "30s")
	if code != ExitOK || out != "new 13\n" {
		t.Errorf("watch --until-new Junk: exit %d, stdout %q (want \"new 13\\n\"), stderr %q\n%s", code, out, errOut, s.Transcript())
	}
}

// An empty mailbox without [UIDNEXT]: every message that comes is new, so
// there is nothing to ask before idling.
func TestWatchWithoutUIDNextEmptyMailbox(t *testing.T) {
	s, env := startScript(t, `caps: IMAP4rev1 IDLE AUTH=PLAIN
login
C: $tag EXAMINE Junk
S: * 0 EXISTS
S: * OK [UIDVALIDITY 7] x
S: $tag OK [READ-ONLY] done
C: $tag IDLE
S: + idling
S: * 1 EXISTS
C: DONE
S: $tag OK done
C: $tag UID FETCH 1:* (UID)
S: * 1 FETCH (UID 4)
S: $tag OK done
`)
	code, out, errOut := runTest(t, env, "watch", "Junk", "--until-new", "--limit", "30s")
	if code != ExitOK || out != "new 4\n" || strings.Contains(s.Transcript(), "FETCH 0") {
		t.Errorf("watch --until-new Junk: exit %d, stdout %q (want \"new 4\\n\"), stderr %q\n%s", code, out, errOut, s.Transcript())
	}
}

// Unsolicited FETCH responses need not carry the UID (RFC 3501 §7.4.2;
// Dovecot sends none). watch asks the UIDs of all the changed messages in
// one FETCH after the IDLE round, by their sequence numbers as they are
// once the round's EXPUNGEs are applied (§7.4.1: a later EXPUNGE n
// lowers every number above n). The mailbox holds UIDs 11 to 15:
//
//	S: * 4 FETCH    UID 14, number 3 after "2 EXPUNGE", 2 after the second
//	S: * 2 EXPUNGE  UID 12 goes: 11 13 14 15
//	S: * 1 FETCH    UID 11
//	S: * 2 FETCH    UID 13, expunged next: its UID can no longer be asked ("-")
//	S: * 2 EXPUNGE  UID 13 goes: 11 14 15
//
// The server may add FLAGS to the answer (§7.4.1): newer flags of UID 14
// are reported after the round.
func TestWatchFlagsWithoutUIDLooksUpTheUID(t *testing.T) {
	script := `caps: IMAP4rev1 IDLE AUTH=PLAIN
login
C: $tag EXAMINE INBOX
S: * 5 EXISTS
S: * OK [UIDVALIDITY 7] x
S: * OK [UIDNEXT 20] x
S: $tag OK [READ-ONLY] done
C: $tag IDLE
S: + idling
S: * 4 FETCH (FLAGS (\Flagged))
S: * 2 EXPUNGE
S: * 1 FETCH (FLAGS (\Seen))
S: * 2 FETCH (FLAGS (\Deleted))
S: * 2 EXPUNGE
C: DONE
S: $tag OK done
C: $tag FETCH 1:2 (UID)
S: * 1 FETCH (UID 11)
S: * 2 FETCH (UID 14 FLAGS (\Flagged \Seen))
S: $tag OK done
C: $tag IDLE
S: + idling
S: * 4 EXISTS
C: DONE
S: $tag OK done
C: $tag UID FETCH 20:* (UID)
S: * 4 FETCH (UID 20)
S: $tag OK done
`
	s, env := startScript(t, script)
	code, out, errOut := runTest(t, env, "watch", "INBOX", "--until-new", "--limit", "30s")
	want := "flags 4 14 \\Flagged\nexpunge 2\nflags 1 11 \\Seen\nflags 2 - \\Deleted\nexpunge 2\nflags 2 14 \\Flagged \\Seen\nnew 20\n"
	if code != ExitOK || out != want {
		t.Errorf("watch: exit %d, stdout\n%s\nwant\n%s\nstderr %q\n%s", code, out, want, errOut, s.Transcript())
	}
	s, env = startScript(t, script)
	code, out, errOut = runTest(t, env, "--json", "watch", "INBOX", "--until-new", "--limit", "30s")
	want = `{"event":"flags","uid":14,"seq":4,"flags":["\\Flagged"]}` + "\n" +
		`{"event":"expunge","seq":2}` + "\n" +
		`{"event":"flags","uid":11,"seq":1,"flags":["\\Seen"]}` + "\n" +
		`{"event":"flags","seq":2,"flags":["\\Deleted"]}` + "\n" +
		`{"event":"expunge","seq":2}` + "\n" +
		`{"event":"flags","uid":14,"seq":2,"flags":["\\Flagged","\\Seen"]}` + "\n" +
		`{"event":"new","uid":20}` + "\n"
	if code != ExitOK || out != want {
		t.Errorf("watch --json: exit %d, stdout\n%s\nwant\n%s\nstderr %q\n%s", code, out, want, errOut, s.Transcript())
	}
}

// Against Dovecot, which sends flag changes without the UID: another
// client flags the second message while watch idles; watch prints the UID
// Dovecot gives that message (not its sequence number, nor 0).
func TestWatchFlagsUIDFromDovecot(t *testing.T) {
	d, env := startDovecotUser(t)
	for i := 1; i <= 3; i++ {
		if err := d.Deliver(env["IMAPCTL_USER"], "INBOX", []byte(fmt.Sprintf("Subject: %d\n\nbody\n", i))); err != nil {
			t.Fatal(err)
		}
	}
	must := mustRun(t, env)
	// Expunge the first message so that UIDs and sequence numbers differ.
	first := strings.Fields(must("search", "INBOX", "ALL"))[0]
	must("store", "--silent", "INBOX", first, "--add", `\Deleted`)
	must("expunge", "INBOX")
	uids := strings.Fields(must("search", "INBOX", "ALL"))
	if len(uids) != 2 || uids[1] == "2" {
		t.Fatalf("UIDs after the expunge: %q", uids)
	}

	ios, _, _, _ := Test()
	errOut := &signalWriter{want: "imapctl: watching INBOX", ready: make(chan struct{})}
	out := &signalWriter{want: "flags ", ready: make(chan struct{})}
	ios.ErrOut, ios.Out = errOut, out
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	done := make(chan int)
	go func() {
		done <- run(context.Background(), []string{"watch", "--until-new", "--limit", "60s", "INBOX"}, f)
	}()
	select {
	case <-errOut.ready:
	case code := <-done:
		t.Fatalf("watch ended early with %d: %s", code, errOut.buf.String())
	}
	must("store", "--silent", "INBOX", uids[1], "--add", `\Flagged`)
	select {
	case <-out.ready:
	case code := <-done:
		t.Fatalf("watch ended with %d before a flags line: stdout %q, stderr %q", code, out.buf.String(), errOut.buf.String())
	}
	path := filepath.Join(t.TempDir(), "msg.eml")
	if err := os.WriteFile(path, []byte("Subject: new\n\nbody\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	appended := must("append", "INBOX", path) // ends --until-new
	if code := <-done; code != ExitOK {
		t.Fatalf("watch = %d, stderr %q", code, errOut.buf.String())
	}
	lines := strings.Split(out.buf.String(), "\n")
	if want := "flags 2 " + uids[1] + " "; !strings.HasPrefix(lines[0], want) || !strings.Contains(lines[0], `\Flagged`) {
		t.Errorf("watch printed %q first, want %q... with \\Flagged (message 2 has UID %s)", lines[0], want, uids[1])
	}
	if !strings.HasSuffix(out.buf.String(), "new "+appended) {
		t.Errorf("watch printed %q, want it to end with %q", out.buf.String(), "new "+appended)
	}
}

// A server may refuse the FETCH that asks the UIDs, e.g. because another
// client expunged the message (RFC 5530 §3 EXPUNGEISSUED): the UID is
// shown as "-", a warning says why, and the watch goes on.
func TestWatchFlagsUIDLookupRefused(t *testing.T) {
	s, env := startScript(t, `caps: IMAP4rev1 IDLE AUTH=PLAIN
login
C: $tag EXAMINE INBOX
S: * 2 EXISTS
S: * OK [UIDVALIDITY 7] x
S: * OK [UIDNEXT 20] x
S: $tag OK [READ-ONLY] done
C: $tag IDLE
S: + idling
S: * 2 FETCH (FLAGS (\Seen))
C: DONE
S: $tag OK done
C: $tag FETCH 2 (UID)
S: $tag NO [EXPUNGEISSUED] Some messages were expunged
C: $tag IDLE
S: + idling
S: * 3 EXISTS
C: DONE
S: $tag OK done
C: $tag UID FETCH 20:* (UID)
S: * 3 FETCH (UID 20)
S: $tag OK done
`)
	code, out, errOut := runTest(t, env, "watch", "INBOX", "--until-new", "--limit", "30s")
	if code != ExitOK || out != "flags 2 - \\Seen\nnew 20\n" || !strings.Contains(errOut, "imapctl: warning: ") || !strings.Contains(errOut, "expunged") {
		t.Errorf("watch: exit %d, stdout %q, stderr %q\n%s", code, out, errOut, s.Transcript())
	}
}

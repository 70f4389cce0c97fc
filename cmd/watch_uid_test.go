package cmd

import (
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

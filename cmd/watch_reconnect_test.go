package cmd

import (
	"strings"
	"testing"
)

// The connection drops during IDLE: watch dials again, finds the message
// that came meanwhile (UIDNEXT 10 -> 11) and --until-new ends with it
// (e2e/testdata/hostile/watch_reconnect).
func TestWatchReconnectsAfterDrop(t *testing.T) {
	s, env := startScript(t, watchDropScript)
	code, out, errOut := runTest(t, env, "watch", "INBOX", "--until-new", "--limit", "30s")
	if code != ExitOK || out != "new 10\n" {
		t.Errorf("watch: exit %d, stdout %q, stderr %q\n%s", code, out, errOut, s.Transcript())
	}
	if !strings.Contains(s.Transcript(), "conn 2") {
		t.Errorf("no second connection:\n%s", s.Transcript())
	}
}

// watchDropScript is e2e/testdata/hostile/watch_reconnect's drop.txt with
// the second greeting and LOGIN written out: the fakeserver "login"
// shorthand always adds its steps to the first connection.
const watchDropScript = `caps: IMAP4rev1 IDLE AUTH=PLAIN
login
C: $tag EXAMINE INBOX
S: * 3 EXISTS
S: * OK [UIDVALIDITY 7] x
S: * OK [UIDNEXT 10] x
S: $tag OK [READ-ONLY] done
C: $tag IDLE
S: + idling
close
next-connection
S: * OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] fake server ready
C: $tag LOGIN *
S: $tag OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] logged in
C: $tag EXAMINE INBOX
S: * 4 EXISTS
S: * OK [UIDVALIDITY 7] x
S: * OK [UIDNEXT 11] x
S: $tag OK [READ-ONLY] done
C: $tag UID FETCH 10:* (UID)
S: * 4 FETCH (UID 10)
S: $tag OK done
`

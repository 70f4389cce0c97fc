package cmd

import (
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/fakeserver"
)

// storesAndExpunges lists the STORE and EXPUNGE commands the server got,
// without their tags.
func storesAndExpunges(s *fakeserver.Server) []string {
	var out []string
	for _, r := range s.Received() {
		_, cmd, _ := strings.Cut(strings.TrimSuffix(string(r.Command), "\r\n"), " ")
		if strings.Contains(cmd, "STORE") || strings.Contains(cmd, "EXPUNGE") {
			out = append(out, cmd)
		}
	}
	return out
}

// A server with neither MOVE nor UIDPLUS; another client expunges message 1
// while our COPY runs, which RFC 3501 §7.4.1 allows: message 3 becomes 2,
// and the message that was 4 becomes 3. copy --move --seq 3 must mark and
// expunge the message the user chose (UID 13), not the one now numbered 3.
func TestCopyMoveFallbackExpungeDuringCopy(t *testing.T) {
	s, env := startScript(t, `caps: IMAP4rev1 AUTH=PLAIN LITERAL+
login
C: $tag SELECT INBOX
S: * 5 EXISTS
S: * OK [UIDVALIDITY 42] ok
S: $tag OK [READ-WRITE] SELECT completed
C: $tag FETCH 3 (UID)
S: * 3 FETCH (UID 13)
S: $tag OK FETCH completed
C: $tag UID SEARCH DELETED
S: * SEARCH
S: $tag OK SEARCH completed
C: $tag UID COPY 13 Trash
S: * 1 EXPUNGE
S: $tag OK COPY completed
C: $tag UID STORE 13 +FLAGS.SILENT (\\Deleted)
S: $tag OK STORE completed
C: $tag EXPUNGE
S: * 2 EXPUNGE
S: $tag OK EXPUNGE completed
`)
	code, _, errOut := runTest(t, env, "copy", "--move", "--seq", "INBOX", "3", "Trash")
	if code != ExitOK {
		t.Errorf("copy --move --seq INBOX 3 Trash = %d (%q), want %d", code, errOut, ExitOK)
	}
	want := []string{`UID STORE 13 +FLAGS.SILENT (\Deleted)`, "EXPUNGE"}
	if got := storesAndExpunges(s); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("copy --move --seq 3 after '* 1 EXPUNGE' sent %q, want %q (the message chosen, by UID)\n%s", got, want, s.Transcript())
	}
}

// UIDPLUS but no MOVE: a message (UID 9) arrives while the COPY runs.
// UID 9 falls in the user's set 4:*, but it was not copied, so it must
// not be marked \Deleted and expunged (RFC 4315 §2.1 UID EXPUNGE removes
// what the set names).
func TestCopyMoveFallbackNewArrivalNotDeleted(t *testing.T) {
	s, env := startScript(t, `caps: IMAP4rev1 AUTH=PLAIN LITERAL+ UIDPLUS
login
C: $tag SELECT INBOX
S: * 5 EXISTS
S: * OK [UIDVALIDITY 42] ok
S: $tag OK [READ-WRITE] SELECT completed
C: $tag UID FETCH 4:* (UID)
S: * 1 FETCH (UID 4)
S: * 2 FETCH (UID 5)
S: * 3 FETCH (UID 6)
S: * 4 FETCH (UID 7)
S: * 5 FETCH (UID 8)
S: $tag OK FETCH completed
C: $tag UID COPY 4:8 Trash
S: * 6 EXISTS
S: $tag OK [COPYUID 7 4:8 1:5] COPY completed
C: $tag UID STORE 4:8 +FLAGS.SILENT (\\Deleted)
S: $tag OK STORE completed
C: $tag UID EXPUNGE 4:8
S: * 1 EXPUNGE
S: * 1 EXPUNGE
S: * 1 EXPUNGE
S: * 1 EXPUNGE
S: * 1 EXPUNGE
S: $tag OK EXPUNGE completed
`)
	code, out, errOut := runTest(t, env, "copy", "--move", "INBOX", "4:*", "Trash")
	if code != ExitOK {
		t.Errorf("copy --move INBOX 4:* Trash = %d (%q), want %d", code, errOut, ExitOK)
	}
	if want := "4 1\n5 2\n6 3\n7 4\n8 5\n"; out != want {
		t.Errorf("copy --move INBOX 4:* Trash printed %q, want the COPYUID pairs %q", out, want)
	}
	want := []string{`UID STORE 4:8 +FLAGS.SILENT (\Deleted)`, "UID EXPUNGE 4:8"}
	if got := storesAndExpunges(s); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("copy --move 4:* with UID 9 arriving during COPY sent %q, want %q\n%s", got, want, s.Transcript())
	}
}

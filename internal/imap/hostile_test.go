package imap

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// Transcripts of servers sending data that is well-formed only by RFC 3501
// §9's unbounded grammar, or not at all: the client must end with one
// *AbortError, never crash or exhaust memory.

const examineInbox = `C: A0 EXAMINE INBOX
S: * 1 EXISTS
S: * OK [UIDVALIDITY 7] x
S: A0 OK [READ-ONLY] done
`

func TestHostileNestedBodyStructure(t *testing.T) {
	c := dialScript(t, greeting+examineInbox+`C: A1 FETCH 1 (UID BODYSTRUCTURE)
S: * 1 FETCH (UID 1 BODYSTRUCTURE `+strings.Repeat("(", 100_000)+`
`)
	if _, err := c.Examine(ctx, "INBOX"); err != nil {
		t.Fatal(err)
	}
	err := c.Fetch(ctx, SeqSetNum(1), &FetchOptions{UID: true, BodyStructure: true}, func(m *FetchMessage) error { return nil })
	var ae *AbortError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("Fetch = %v, want *AbortError for nesting", err)
	}
}

func TestHostileEndlessFlagList(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 EXAMINE INBOX
S: * FLAGS (`+strings.Repeat(`\Seen $a $b $c `, 100_000)+`
`)
	_, err := c.Examine(ctx, "INBOX")
	var ae *AbortError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "line longer than 1048576") {
		t.Fatalf("Examine = %v, want *AbortError for line length", err)
	}
}

// A SEARCH result (RFC 3501 §7.2.5) longer than the ordinary 1 MiB line
// bound is still read: such results grow with the mailbox.
func TestSearchResultOverOrdinaryLineBound(t *testing.T) {
	var sb strings.Builder
	const n = 200_000
	for i := 1; i <= n; i++ {
		sb.WriteString(" " + strconv.Itoa(1_000_000+i))
	}
	c := dialScript(t, greeting+examineInbox+`C: A1 UID SEARCH ALL
S: * SEARCH`+sb.String()+`
S: A1 OK done
`)
	if _, err := c.Examine(ctx, "INBOX"); err != nil {
		t.Fatal(err)
	}
	res, err := c.Search(ctx, nil, &SearchOptions{UID: true})
	if err != nil || len(res.All) != n || res.All[n-1] != 1_000_000+n {
		t.Fatalf("Search = %d results, %v", len(res.All), err)
	}
}

// RFC 3501 §2.2.2: a completion carries the tag of a command the client
// sent. One naming no command in flight ends the connection at once
// instead of leaving the command to wait for its timeout.
func TestHostileUnknownTag(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 EXAMINE INBOX
S: * 0 EXISTS
S: ZZZ999 OK [READ-ONLY] done
C: <EOF>
`)
	_, err := c.Examine(ctx, "INBOX")
	var ae *AbortError
	var ue *UnknownTagError
	if !errors.As(err, &ae) || !errors.As(err, &ue) || ue.Tag != "ZZZ999" {
		t.Fatalf("Examine = %v, want *AbortError wrapping *UnknownTagError", err)
	}
}

// RFC 3501 §6.1.3: the BYE that answers LOGOUT is expected; the debug
// trace does not call it an abort.
func TestLogoutByeIsNotAnAbort(t *testing.T) {
	var trace strings.Builder
	c := dialScript(t, greeting+`C: A0 LOGOUT
S: * BYE logging out
S: A0 OK LOGOUT completed
`, func(o *Options) { o.Debug = 1; o.DebugWriter = &trace })
	if err := c.Logout(ctx); err != nil {
		t.Fatalf("Logout = %v", err)
	}
	if strings.Contains(trace.String(), "abort") {
		t.Errorf("trace calls LOGOUT's BYE an abort:\n%s", trace.String())
	}
}

// RFC 3501 §7.2.4: a STATUS response names its mailbox. One naming another
// mailbox than the command asked for is not that command's answer: the
// command reports the missing data, and the stray reply is not given to
// the next STATUS either.
func TestStatusAttributedByName(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 STATUS a (MESSAGES)
S: * STATUS "/abs" (MESSAGES 1)
S: A0 OK done
C: A1 STATUS /abs (MESSAGES)
S: * STATUS "a" (MESSAGES 2)
S: A1 OK done
C: A2 STATUS b (MESSAGES)
S: * STATUS b (MESSAGES 3)
S: A2 OK done
C: A3 STATUS &AOk- (MESSAGES)
S: * STATUS "&AOk-" (MESSAGES 4)
S: A3 OK done
`)
	for _, name := range []string{"a", "/abs"} {
		st, err := c.Status(ctx, name, []string{"MESSAGES"})
		var me *MissingDataError
		if !errors.As(err, &me) || me.Mailbox != name {
			t.Errorf("Status(%q) = %+v, %v; want *MissingDataError", name, st, err)
		}
	}
	if st, err := c.Status(ctx, "b", []string{"MESSAGES"}); err != nil || st.Messages != 3 {
		t.Errorf("Status(b) = %+v, %v", st, err)
	}
	if st, err := c.Status(ctx, "é", []string{"MESSAGES"}); err != nil || st.Messages != 4 {
		t.Errorf("Status(é) = %+v, %v", st, err)
	}
}

// RFC 3501 §9: body section data is an nstring; NIL means the server could
// not give the section, which a reader must not mistake for an empty one.
func TestFetchBodyNil(t *testing.T) {
	c := dialScript(t, greeting+examineInbox+`C: A1 UID FETCH 1 (UID RFC822.SIZE BODY.PEEK[])
S: * 1 FETCH (UID 1 RFC822.SIZE 17 BODY[] NIL)
S: A1 OK done
`)
	if _, err := c.Examine(ctx, "INBOX"); err != nil {
		t.Fatal(err)
	}
	var readErr error
	var isNil bool
	err := c.Fetch(ctx, UIDSetNum(1), &FetchOptions{UID: true, RFC822Size: true, BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
		b, err := m.NextBody()
		if err != nil || b == nil {
			t.Fatalf("NextBody = %v, %v", b, err)
		}
		isNil = b.IsNil()
		_, readErr = io.ReadAll(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ne *NilSectionError
	if !isNil || !errors.As(readErr, &ne) || ne.UID != 1 || ne.Section != "BODY[]" || ne.RFC822Size != 17 {
		t.Fatalf("IsNil = %v, read error = %v; want *NilSectionError", isNil, readErr)
	}
}

// RFC 3501 §7.4.2: a FETCH response names the section it carries, and
// BODY.PEEK[] is answered as BODY[]. A BODY[HEADER] sent instead is not
// handed out as the message; it is skipped and named in Unrequested.
func TestFetchWrongSectionNotHandedOut(t *testing.T) {
	c := dialScript(t, greeting+examineInbox+`C: A1 UID FETCH 1:2 (UID RFC822.SIZE BODY.PEEK[])
S: * 1 FETCH (UID 1 RFC822.SIZE 30 BODY[HEADER] {14}
S: Subject: a
S: 
S: )
S: * 2 FETCH (UID 2 RFC822.SIZE 15 body[] {15}
S: Subject: b
S: 
S: x)
S: A1 OK done
`)
	if _, err := c.Examine(ctx, "INBOX"); err != nil {
		t.Fatal(err)
	}
	got := map[uint32]string{}
	var unrequested []string
	set, _ := ParseUIDSet("1:2")
	err := c.Fetch(ctx, set, &FetchOptions{UID: true, RFC822Size: true, BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
		b, err := m.NextBody()
		if err != nil {
			return err
		}
		if b == nil {
			unrequested = append(unrequested, m.Unrequested...)
			return nil
		}
		data, err := io.ReadAll(b)
		if err != nil {
			return err
		}
		got[m.UID] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[2] != "Subject: b\r\n\r\nx" {
		t.Errorf("bodies = %v, want only UID 2's BODY[]", got)
	}
	if len(unrequested) != 1 || unrequested[0] != "BODY[HEADER]" {
		t.Errorf("Unrequested = %q, want [BODY[HEADER]]", unrequested)
	}
}

// A mailbox name that is not valid UTF-8 has no modified UTF-7 form
// (RFC 3501 §5.1.3): it is refused before anything is sent, never turned
// into U+FFFD (another mailbox).
func TestInvalidUTF8MailboxNameRefused(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 NOOP
S: A0 OK done
`)
	name := "caf\xe9"
	var me *MailboxEncodeError
	if _, err := c.Select(ctx, name, nil); !errors.As(err, &me) || me.Offset != 3 {
		t.Errorf("Select(%q) = %v, want *MailboxEncodeError at byte 3", name, err)
	}
	if err := c.Rename(ctx, "ok", name); !errors.As(err, &me) {
		t.Errorf("Rename to %q = %v, want *MailboxEncodeError", name, err)
	}
	if _, err := c.Status(ctx, name, []string{"MESSAGES"}); !errors.As(err, &me) {
		t.Errorf("Status(%q) = %v, want *MailboxEncodeError", name, err)
	}
	if _, err := c.Append(ctx, name, 1, strings.NewReader("x"), nil); !errors.As(err, &me) {
		t.Errorf("Append(%q) = %v, want *MailboxEncodeError", name, err)
	}
	// U+FFFD itself is a valid character and not refused.
	if err := checkMailboxName("a\uFFFDb"); err != nil {
		t.Errorf("checkMailboxName(U+FFFD) = %v", err)
	}
	// Nothing was sent for the refused names: the next command is NOOP.
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

// RFC 4731 §3.1: ESEARCH ALL is a sequence set. One spanning 2^32 numbers
// is refused as malformed instead of being expanded into 16 GiB; a
// VANISHED of such a set (RFC 7162 §3.2.10) is counted, not expanded.
func TestHostileHugeESearchAndVanishedSets(t *testing.T) {
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 ESEARCH] ready
C: A0 EXAMINE INBOX
S: * 5 EXISTS
S: A0 OK [READ-ONLY] done
C: A1 NOOP
S: * VANISHED 1:4294967295
S: A1 OK done
C: A2 UID SEARCH RETURN (ALL) ALL
S: * ESEARCH (TAG "A2") UID ALL 1:4294967295
S: A2 OK done
C: <EOF>
`)
	if _, err := c.Examine(ctx, "INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	if mb := c.Mailbox(); mb == nil || mb.Exists != 0 {
		t.Errorf("Mailbox after VANISHED 1:4294967295 = %+v, want Exists 0", mb)
	}
	_, err := c.Search(ctx, nil, &SearchOptions{UID: true, Return: []string{"ALL"}})
	var ae *AbortError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("Search = %v, want *AbortError for the set size", err)
	}
}

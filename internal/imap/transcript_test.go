package imap

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/imap/imaptest"
	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// The transcripts below follow the examples and grammar of the RFCs named
// in each test; tags are "A0", "A1", ... (imaplib's scheme with prefix A).

const greeting = "S: * OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR IDLE UIDPLUS MOVE ENABLE NAMESPACE UNSELECT ID] ready\n"
const greetingSync = "S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\n"

// greetingAuth lists the SASL mechanisms of the AUTHENTICATE tests: a
// client uses only those the server advertises (RFC 3501 §6.2.2).
const greetingAuth = "S: * OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN AUTH=LOGIN AUTH=CRAM-MD5 AUTH=XOAUTH2 AUTH=OAUTHBEARER] ready\n"

func dialScript(t *testing.T, script string, modify ...func(*Options)) *Client {
	t.Helper()
	addr := imaptest.Serve(t, script)
	opts := Options{TLS: TLSNone, Tags: NewTagGeneratorWithPrefix("A")}
	for _, m := range modify {
		m(&opts)
	}
	c, err := Dial(context.Background(), addr, opts)
	if err != nil {
		t.Fatalf("Dial = %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var ctx = context.Background()

func TestTranscriptCapabilityNoopLogout(t *testing.T) {
	// RFC 3501 §6.1.1, §6.1.2, §6.1.3 examples.
	c := dialScript(t, `S: * OK IMAP4rev1 Service Ready
C: A0 CAPABILITY
S: * CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED
S: A0 OK CAPABILITY completed
C: A1 NOOP
S: * 22 EXPUNGE
S: * 23 EXISTS
S: * 3 RECENT
S: * 14 FETCH (FLAGS (\Seen \Deleted))
S: A1 OK NOOP completed
C: A2 LOGOUT
S: * BYE IMAP4rev1 Server logging out
S: A2 OK LOGOUT completed
`)
	caps, err := c.Capability(ctx)
	if want := []string{"IMAP4rev1", "STARTTLS", "AUTH=GSSAPI", "LOGINDISABLED"}; err != nil || !slices.Equal(caps, want) {
		t.Errorf("Capability() = %v, %v; want %v", caps, err, want)
	}
	if !c.Has(ctx, "logindisabled") {
		t.Error("Has(logindisabled) = false")
	}
	// LOGIN is refused locally under LOGINDISABLED: nothing is sent.
	var ce *CapabilityError
	if err := c.Login(ctx, "joe", "secret"); !errors.As(err, &ce) {
		t.Errorf("Login under LOGINDISABLED = %v, want *CapabilityError", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop() = %v", err)
	}
	exists := c.Response("EXISTS")
	if len(exists) != 1 || exists[0].Num != 23 {
		t.Errorf("Response(EXISTS) = %v", exists)
	}
	fetch := c.Response("FETCH")
	if len(fetch) != 1 || fetch[0].Fetch == nil || !slices.Equal(fetch[0].Fetch.Flags, []string{`\Seen`, `\Deleted`}) {
		t.Errorf("Response(FETCH) = %v", fetch)
	}
	if err := c.Logout(ctx); err != nil {
		t.Errorf("Logout() = %v", err)
	}
}

func TestTranscriptLogin(t *testing.T) {
	// RFC 3501 §6.2.3 example; the password is an astring.
	c := dialScript(t, greetingSync+`C: A0 LOGIN SMITH SESAME
S: A0 OK [CAPABILITY IMAP4rev1 IDLE] LOGIN completed
`)
	if err := c.Login(ctx, "SMITH", "SESAME"); err != nil {
		t.Fatalf("Login = %v", err)
	}
	if !c.Has(ctx, "IDLE") || c.Has(ctx, "AUTH=PLAIN") {
		t.Errorf("capabilities after LOGIN not replaced by the OK's: %v", c.caps)
	}
}

func TestTranscriptLoginNonASCIIPasswordSyncLiteral(t *testing.T) {
	// RFC 3501 §4.3, §7.5: an 8-bit password goes as a synchronising
	// literal; the client waits for "+".
	c := dialScript(t, greetingSync+`C: A0 LOGIN joe {9}
S: + Ready for literal data
C: pässword
S: A0 OK LOGIN completed
`)
	if err := c.Login(ctx, "joe", "pässword"); err != nil {
		t.Fatalf("Login = %v", err)
	}
}

func TestTranscriptLoginQuotedAndLiteralPlus(t *testing.T) {
	// RFC 7888 LITERAL+: "{n+}" and no wait.
	c := dialScript(t, greeting+`C: A0 LOGIN "joe smith" {11+}
C: sec"ret
C: wx
S: A0 NO [AUTHENTICATIONFAILED] Authentication failed.
`)
	err := c.Login(ctx, "joe smith", "sec\"ret\r\nwx")
	var ie *Error
	if !errors.As(err, &ie) || ie.Type != "NO" || ie.Code != "AUTHENTICATIONFAILED" || ie.Command != "LOGIN" {
		t.Fatalf("Login = %v, want *Error NO [AUTHENTICATIONFAILED]", err)
	}
	if strings.Contains(err.Error(), "sec") {
		t.Errorf("error %q leaks the password", err)
	}
}

func TestTranscriptLoginTraceHidesPassword(t *testing.T) {
	var trace bytes.Buffer
	c := dialScript(t, greeting+`C: A0 LOGIN joe hunter22
S: A0 OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] done
C: A1 AUTHENTICATE PLAIN AGpvZQBodW50ZXIyMg==
S: A1 OK done
`, func(o *Options) { o.Debug = 4; o.DebugWriter = &trace })
	if err := c.Login(ctx, "joe", "hunter22"); err != nil {
		t.Fatal(err)
	}
	if err := c.Authenticate(ctx, PlainAuth("", "joe", "hunter22")); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if strings.Contains(trace.String(), "hunter") || strings.Contains(trace.String(), "AGpvZQBodW50ZXIyMg") {
		t.Errorf("trace leaks the password:\n%s", trace.String())
	}
	if !strings.Contains(trace.String(), "C: A0 LOGIN joe ***") || !strings.Contains(trace.String(), "S: A1 OK done") {
		t.Errorf("trace lacks the masked command or the response:\n%s", trace.String())
	}
}

func TestTranscriptAuthenticatePlainWithoutSASLIR(t *testing.T) {
	// RFC 4616 §4 example; without SASL-IR the response follows "+".
	c := dialScript(t, greetingSync+`C: A0 AUTHENTICATE PLAIN
S: + 
C: AHRpbQB0YW5zdGFhZnRhbnN0YWFm
S: A0 OK Success
`)
	if err := c.Authenticate(ctx, PlainAuth("", "tim", "tanstaaftanstaaf")); err != nil {
		t.Fatalf("Authenticate(PLAIN) = %v", err)
	}
}

func TestTranscriptAuthenticateCramMD5(t *testing.T) {
	// RFC 2195 §2 example.
	c := dialScript(t, greetingAuth+`C: A0 AUTHENTICATE CRAM-MD5
S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
S: A0 OK CRAM authentication successful
`)
	if err := c.Authenticate(ctx, CramMD5Auth("tim", "tanstaaftanstaaf")); err != nil {
		t.Fatalf("Authenticate(CRAM-MD5) = %v", err)
	}
}

func TestTranscriptAuthenticateLogin(t *testing.T) {
	c := dialScript(t, greetingAuth+`C: A0 AUTHENTICATE LOGIN
S: + VXNlcm5hbWU6
C: dGlt
S: + UGFzc3dvcmQ6
C: dGFuc3RhYWY=
S: A0 OK done
`)
	if err := c.Authenticate(ctx, LoginAuth("tim", "tanstaaf")); err != nil {
		t.Fatalf("Authenticate(LOGIN) = %v", err)
	}
}

func TestTranscriptAuthenticateXOAuth2Failure(t *testing.T) {
	// Google's XOAUTH2 protocol: an error challenge is answered with an
	// empty line, then the tagged NO arrives.
	c := dialScript(t, greetingAuth+`C: A0 AUTHENTICATE XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==
S: + eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K
C: 
S: A0 NO SASL authentication failed
`)
	err := c.Authenticate(ctx, XOAuth2Auth("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"))
	var ie *Error
	if !errors.As(err, &ie) || ie.Type != "NO" {
		t.Fatalf("Authenticate(XOAUTH2) = %v, want *Error NO", err)
	}
}

func TestTranscriptAuthenticateOAuthBearer(t *testing.T) {
	// RFC 7628 §4.1 example (initial response in the command, SASL-IR).
	c := dialScript(t, greetingAuth+`C: A0 AUTHENTICATE OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2c9PQEB
S: A0 OK Success
`)
	err := c.Authenticate(ctx, OAuthBearerAuth("user@example.com", "server.example.com", 143, "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg=="))
	if err != nil {
		t.Fatalf("Authenticate(OAUTHBEARER) = %v", err)
	}
}

// RFC 3501 §6.3.1 SELECT example.
const selectExample = `C: A0 SELECT INBOX
S: * 172 EXISTS
S: * 1 RECENT
S: * OK [UNSEEN 12] Message 12 is first unseen
S: * OK [UIDVALIDITY 3857529045] UIDs valid
S: * OK [UIDNEXT 4392] Predicted next UID
S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
S: * OK [PERMANENTFLAGS (\Deleted \Seen \*)] Limited
S: A0 OK [READ-WRITE] SELECT completed
`

func TestTranscriptSelect(t *testing.T) {
	var alerts []string
	c := dialScript(t, greeting+strings.Replace(selectExample, "S: * 1 RECENT\n", "S: * 1 RECENT\nS: * OK [ALERT] quota almost full\n", 1)+`C: A1 NOOP
S: * 3 EXPUNGE
S: * 175 EXISTS
S: * OK [HIGHESTMODSEQ 90060115205545359] x
S: A1 OK done
`, func(o *Options) {
		o.OnUntagged = func(r *Response) {
			if r.Code != nil && r.Code.Name == "ALERT" {
				alerts = append(alerts, r.Text)
			}
		}
	})
	mb, err := c.Select(ctx, "INBOX", nil)
	if err != nil {
		t.Fatalf("Select = %v", err)
	}
	if !slices.Equal(alerts, []string{"quota almost full"}) {
		t.Errorf("alerts during SELECT = %q", alerts)
	}
	want := Mailbox{Name: "INBOX", Exists: 172, Recent: 1, FirstUnseen: 12, UIDValidity: 3857529045, UIDNext: 4392,
		Flags: []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`}, PermanentFlags: []string{`\Deleted`, `\Seen`, `\*`}}
	if !sameMailbox(*mb, want) {
		t.Errorf("Select = %+v, want %+v", *mb, want)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	if m := c.Mailbox(); m.Exists != 175 || m.HighestModSeq != 90060115205545359 {
		t.Errorf("Mailbox() after NOOP = %+v, want Exists 175, HighestModSeq 90060115205545359", m)
	}
}

func sameMailbox(a, b Mailbox) bool {
	return a.Name == b.Name && a.ReadOnly == b.ReadOnly && a.Exists == b.Exists && a.Recent == b.Recent &&
		a.FirstUnseen == b.FirstUnseen && a.UIDValidity == b.UIDValidity && a.UIDNext == b.UIDNext &&
		a.HighestModSeq == b.HighestModSeq && slices.Equal(a.Flags, b.Flags) && slices.Equal(a.PermanentFlags, b.PermanentFlags)
}

func TestTranscriptExamineAndReadOnly(t *testing.T) {
	// RFC 3501 §6.3.2 EXAMINE example; then changes are refused locally.
	c := dialScript(t, greeting+`C: A0 EXAMINE blurdybloop
S: * 17 EXISTS
S: * 2 RECENT
S: * OK [UNSEEN 8] Message 8 is first unseen
S: * OK [UIDVALIDITY 3857529045] UIDs valid
S: * OK [UIDNEXT 4392] Predicted next UID
S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
S: * OK [PERMANENTFLAGS ()] No permanent flags permitted
S: A0 OK [READ-ONLY] EXAMINE completed
C: A1 SELECT shared
S: * 3 EXISTS
S: A1 OK [READ-ONLY] SELECT completed
`)
	mb, err := c.Examine(ctx, "blurdybloop")
	if err != nil || !mb.ReadOnly || mb.Exists != 17 || len(mb.PermanentFlags) != 0 {
		t.Fatalf("Examine = %+v, %v", mb, err)
	}
	var ro *ReadOnlyError
	if _, err := c.Store(ctx, SeqSetNum(1), StoreAdd, []string{`\Seen`}, nil); !errors.As(err, &ro) {
		t.Errorf("Store on EXAMINEd mailbox = %v, want *ReadOnlyError", err)
	}
	if _, err := c.Expunge(ctx); !errors.As(err, &ro) {
		t.Errorf("Expunge on EXAMINEd mailbox = %v, want *ReadOnlyError", err)
	}
	// imaplib raises readonly when SELECT gets [READ-ONLY].
	mb, err = c.Select(ctx, "shared", nil)
	if !errors.As(err, &ro) || mb == nil || mb.Exists != 3 {
		t.Errorf("Select of read-only mailbox = %+v, %v; want mailbox and *ReadOnlyError", mb, err)
	}
}

func TestTranscriptSelectFailsTryCreate(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 SELECT "no such"
S: A0 NO [TRYCREATE] Mailbox doesn't exist: no such
`)
	_, err := c.Select(ctx, "no such", nil)
	var ie *Error
	if !errors.As(err, &ie) || ie.Code != imapwire.CodeTryCreate || ie.Text != "Mailbox doesn't exist: no such" {
		t.Fatalf("Select = %v, want *Error [TRYCREATE]", err)
	}
	if c.Mailbox() != nil {
		t.Error("a mailbox is selected after a failed SELECT")
	}
}

func TestTranscriptMailboxManagement(t *testing.T) {
	// RFC 3501 §6.3.3-§6.3.7, §6.4.1, §6.4.2, RFC 3691; names in modified
	// UTF-7 (RFC 3501 §5.1.3).
	c := dialScript(t, greeting+`C: A0 CREATE owatagusiam/
S: A0 OK CREATE completed
C: A1 CREATE Entw&APw-rfe
S: A1 OK CREATE completed
C: A2 RENAME blurdybloop sarasoop
S: A2 OK RENAME completed
C: A3 DELETE blurdybloop
S: A3 OK DELETE completed
C: A4 SUBSCRIBE #news.comp.mail.mime
S: A4 OK SUBSCRIBE completed
C: A5 UNSUBSCRIBE #news.comp.mail.mime
S: A5 OK UNSUBSCRIBE completed
`+selectExample[:len("C: A0")-2]+`A6 SELECT INBOX
S: A6 OK [READ-WRITE] SELECT completed
C: A7 CHECK
S: A7 OK CHECK Completed
C: A8 UNSELECT
S: A8 OK done
C: A9 SELECT INBOX
S: A9 OK [READ-WRITE] SELECT completed
C: A10 CLOSE
S: A10 OK CLOSE completed
`)
	steps := []struct {
		name string
		run  func() error
	}{
		{"Create", func() error { return c.Create(ctx, "owatagusiam/") }},
		{"Create UTF-8", func() error { return c.Create(ctx, "Entwürfe") }},
		{"Rename", func() error { return c.Rename(ctx, "blurdybloop", "sarasoop") }},
		{"Delete", func() error { return c.Delete(ctx, "blurdybloop") }},
		{"Subscribe", func() error { return c.Subscribe(ctx, "#news.comp.mail.mime") }},
		{"Unsubscribe", func() error { return c.Unsubscribe(ctx, "#news.comp.mail.mime") }},
		{"Select", func() error { _, err := c.Select(ctx, "INBOX", nil); return err }},
		{"Check", func() error { return c.Check(ctx) }},
		{"Unselect", func() error { return c.Unselect(ctx) }},
		{"Select", func() error { _, err := c.Select(ctx, "INBOX", nil); return err }},
		{"CloseMailbox", func() error { return c.CloseMailbox(ctx) }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s = %v", s.name, err)
		}
	}
	if c.Mailbox() != nil {
		t.Error("mailbox still selected after CLOSE")
	}
}

func TestTranscriptListLsub(t *testing.T) {
	// RFC 3501 §6.3.8/§6.3.9 examples, RFC 6154 §5.1 attributes, modified
	// UTF-7 decoding and a literal name.
	c := dialScript(t, greeting+`C: A0 LIST "" *
S: * LIST (\Noselect) "/" ~/Mail/foo
S: * LIST (\HasNoChildren \sent) "/" "Sent Items"
S: * LIST (\HasNoChildren) "/" "Entw&APw-rfe"
S: * LIST () NIL {8}
S: a "b" c]
S: A0 OK LIST completed
C: A1 LIST (SPECIAL-USE) "" *
S: * LIST (\Trash) "/" Trash
S: A1 OK done
C: A2 LSUB #news. comp.mail.*
S: * LSUB () "." #news.comp.mail.mime
S: * LSUB (\NoSelect) "." #news.comp.mail
S: A2 OK LSUB completed
`)
	list, err := c.List(ctx, "", "*", nil)
	if err != nil {
		t.Fatalf("List = %v", err)
	}
	var got []string
	for _, m := range list {
		got = append(got, m.Name+"|"+m.Delimiter+"|"+strings.Join(m.Attributes, ","))
	}
	want := []string{`~/Mail/foo|/|\Noselect`, `Sent Items|/|\HasNoChildren,\Sent`, `Entwürfe|/|\HasNoChildren`, `a "b" c]||`}
	if !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
	list, err = c.List(ctx, "", "*", &ListOptions{SpecialUse: true})
	if err != nil || len(list) != 1 || !list[0].HasAttribute(`\Trash`) {
		t.Errorf("List(SPECIAL-USE) = %v, %v", list, err)
	}
	list, err = c.Lsub(ctx, "#news.", "comp.mail.*")
	if err != nil || len(list) != 2 || list[1].Name != "#news.comp.mail" || !list[1].HasAttribute(`\Noselect`) {
		t.Errorf("Lsub = %v, %v", list, err)
	}
}

func TestTranscriptListStatus(t *testing.T) {
	// RFC 5819 §2 example shape.
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 LIST-EXTENDED LIST-STATUS] hi
C: A0 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))
S: * LIST () "."  "INBOX"
S: * STATUS "INBOX" (MESSAGES 17 UNSEEN 16)
S: * LIST () "." "foo"
S: * STATUS "foo" (MESSAGES 30 UNSEEN 29)
S: * LIST (\NoSelect) "." "bar"
S: A0 OK List completed.
`)
	list, err := c.List(ctx, "", "%", &ListOptions{Status: []string{"MESSAGES", "UNSEEN"}})
	if err != nil || len(list) != 3 || list[1].Status == nil || list[1].Status.Messages != 30 || list[1].Status.Unseen != 29 || list[2].Status != nil {
		t.Fatalf("List(STATUS) = %v, %v", list, err)
	}
}

func TestTranscriptStatus(t *testing.T) {
	// RFC 3501 §6.3.10 example.
	c := dialScript(t, greeting+`C: A0 STATUS blurdybloop (UIDNEXT MESSAGES)
S: * STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)
S: A0 OK STATUS completed
`)
	st, err := c.Status(ctx, "blurdybloop", []string{"UIDNEXT", "MESSAGES"})
	if err != nil || st.Name != "blurdybloop" || st.Messages != 231 || st.UIDNext != 44292 {
		t.Fatalf("Status = %+v, %v", st, err)
	}
}

func imaptestServe(t *testing.T, script string) string { return imaptest.Serve(t, script) }

func TestTranscriptListStatusFallbackPipelined(t *testing.T) {
	// Without LIST-STATUS, List asks STATUS for every selectable mailbox,
	// all in flight at once (RFC 3501 §5.5), skipping \Noselect ones.
	c := dialScript(t, greeting+`C: A0 LIST "" *
S: * LIST () "/" INBOX
S: * LIST (\Noselect) "/" Archive
S: * LIST () "/" Archive/2024
S: A0 OK done
C: A1 STATUS INBOX (MESSAGES UNSEEN)
C: A2 STATUS Archive/2024 (MESSAGES UNSEEN)
S: * STATUS INBOX (MESSAGES 3 UNSEEN 1)
S: A1 OK done
S: * STATUS Archive/2024 (MESSAGES 40 UNSEEN 0)
S: A2 OK done
`)
	greet, err := c.Greeting(ctx)
	if err != nil || greet.Name != "OK" || greet.Text != "ready" {
		t.Errorf("Greeting = %v, %v", greet, err)
	}
	list, err := c.List(ctx, "", "*", &ListOptions{Status: []string{"MESSAGES", "UNSEEN"}})
	if err != nil || len(list) != 3 {
		t.Fatalf("List = %v, %v", list, err)
	}
	if list[0].Status == nil || list[0].Status.Messages != 3 || list[1].Status != nil || list[2].Status == nil || list[2].Status.Messages != 40 {
		t.Errorf("statuses = %+v %+v %+v", list[0].Status, list[1].Status, list[2].Status)
	}
}

func TestTranscriptListExtended(t *testing.T) {
	// RFC 5258 §5 SUBSCRIBED selection, RFC 6154 §5.2 RETURN (SPECIAL-USE).
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 LIST-EXTENDED SPECIAL-USE] hi
C: A0 LIST (SUBSCRIBED) "" * RETURN (SPECIAL-USE)
S: * LIST (\Subscribed) "/" INBOX
S: * LIST (\Subscribed \Sent) "/" "Sent Mail"
S: A0 OK done
`)
	list, err := c.List(ctx, "", "*", &ListOptions{Subscribed: true, ReturnSpecialUse: true})
	if err != nil || len(list) != 2 || !list[1].HasAttribute(`\Sent`) || !list[1].HasAttribute(`\subscribed`) {
		t.Errorf("List = %v, %v", list, err)
	}
}

// ENABLED is the answer to ENABLE (RFC 5161 §3.2); an unsolicited one, here
// during NOOP, turns nothing on: a mailbox name still goes in modified
// UTF-7 (RFC 3501 §5.1.3), not as UTF-8 (RFC 6855 §3).
func TestTranscriptUnsolicitedEnabledIgnored(t *testing.T) {
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] hi
C: A0 NOOP
S: * ENABLED UTF8=ACCEPT
S: A0 OK done
C: A1 CREATE Entw&APw-rfe
S: A1 OK done
`)
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, "Entwürfe"); err != nil {
		t.Fatalf("Create(Entwürfe) = %v", err)
	}
}

// Authenticate refuses a mechanism the server does not list as AUTH=<mech>
// (RFC 3501 §6.2.2) before sending anything of the secret.
func TestTranscriptAuthenticateUnadvertisedMechanism(t *testing.T) {
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 LOGINDISABLED SASL-IR AUTH=CRAM-MD5] x
C: <EOF>
`)
	err := c.Authenticate(ctx, PlainAuth("", "joe", "secret"))
	var capErr *CapabilityError
	if !errors.As(err, &capErr) || capErr.Command != "AUTHENTICATE" {
		t.Fatalf("Authenticate(PLAIN) without AUTH=PLAIN = %v, want a *CapabilityError for AUTHENTICATE", err)
	}
	c.Close()
}

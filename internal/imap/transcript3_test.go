package imap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

func TestTranscriptNamespaceEnableID(t *testing.T) {
	// RFC 2342 §5 example 5.2, RFC 5161 §4 + RFC 6855 §3, RFC 2971 §3.3.
	c := dialScript(t, greeting+`C: A0 NAMESPACE
S: * NAMESPACE (("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/")("#ftp/" "/")("#news." "."))
S: A0 OK NAMESPACE command completed
C: A1 ENABLE UTF8=ACCEPT CONDSTORE
S: * ENABLED UTF8=ACCEPT
S: A1 OK done
C: A2 CREATE "Entwürfe"
S: A2 OK done
C: A3 ID ("name" "imapctl" "version" "1")
S: * ID ("name" "Cyrus" "version" "1.5" "os" "sunos")
S: A3 OK ID command completed
C: A4 ID NIL
S: * ID NIL
S: A4 OK done
`)
	ns, err := c.Namespace(ctx)
	if err != nil || len(ns.Personal) != 1 || ns.Other[0].Prefix != "~" || len(ns.Shared) != 4 || ns.Shared[3] != (Namespace{"#news.", "."}) {
		t.Errorf("Namespace = %+v, %v", ns, err)
	}
	en, err := c.Enable(ctx, "UTF8=ACCEPT", "CONDSTORE")
	if err != nil || !slices.Equal(en, []string{"UTF8=ACCEPT"}) {
		t.Errorf("Enable = %v, %v", en, err)
	}
	// With UTF8=ACCEPT the name travels as UTF-8 in a quoted string.
	if err := c.Create(ctx, "Entwürfe"); err != nil {
		t.Errorf("Create = %v", err)
	}
	id, err := c.ID(ctx, map[string]string{"name": "imapctl", "version": "1"})
	if err != nil || id["name"] != "Cyrus" || id["os"] != "sunos" {
		t.Errorf("ID = %v, %v", id, err)
	}
	if id, err := c.ID(ctx, nil); err != nil || id != nil {
		t.Errorf("ID(nil) = %v, %v", id, err)
	}
}

func TestTranscriptIdle(t *testing.T) {
	// RFC 2177 §3 example.
	var mu sync.Mutex
	var events []string
	got := make(chan struct{}, 4)
	c := dialScript(t, greeting+selectExample+`C: A1 IDLE
S: + idling
S: * 4 EXISTS
S: * OK [ALERT] disk full
C: DONE
S: A1 OK IDLE terminated
`, func(o *Options) {
		o.OnUntagged = func(r *Response) {
			mu.Lock()
			events = append(events, r.String())
			mu.Unlock()
			got <- struct{}{}
		}
	})
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle(ctx)
	if err != nil {
		t.Fatalf("Idle = %v", err)
	}
	<-got
	<-got
	if err := idle.Stop(ctx); err != nil {
		t.Errorf("Stop = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"* 4 EXISTS", "* OK [ALERT] disk full"}; !slices.Equal(events, want) {
		t.Errorf("events = %q, want %q", events, want)
	}
	if c.Mailbox().Exists != 4 {
		t.Errorf("Exists = %d, want 4", c.Mailbox().Exists)
	}
	if alerts := c.Response("ALERT"); len(alerts) != 1 || alerts[0].Text != "disk full" {
		t.Errorf("Response(ALERT) = %v", alerts)
	}
}

func TestTranscriptQuotaACLAnnotation(t *testing.T) {
	// RFC 9208 §4.1-§4.3 examples, RFC 4314 §3 examples,
	// draft-daboo-imap-annotatemore examples.
	c := dialScript(t, greeting+`C: A0 GETQUOTA ""
S: * QUOTA "" (STORAGE 10 512)
S: A0 OK Getquota completed
C: A1 GETQUOTAROOT INBOX
S: * QUOTAROOT INBOX ""
S: * QUOTA "" (STORAGE 10 512)
S: A1 OK Getquotaroot completed
C: A2 SETQUOTA "" (STORAGE 512)
S: * QUOTA "" (STORAGE 10 512)
S: A2 OK Setquota completed
C: A3 GETACL INBOX
S: * ACL INBOX Fred rwipsldexta
S: A3 OK Getacl complete
C: A4 SETACL INBOX Fred +rwx
S: A4 OK Setacl complete
C: A5 DELETEACL INBOX Fred
S: A5 OK Deleteacl complete
C: A6 MYRIGHTS INBOX
S: * MYRIGHTS INBOX rwiptsldaex
S: A6 OK Myrights complete
C: A7 GETANNOTATION INBOX "/comment" "value.shared"
S: * ANNOTATION INBOX "/comment" ("value.shared" "My comment")
S: A7 OK done
C: A8 SETANNOTATION INBOX "/comment" ("value.priv" "My new comment")
S: A8 OK done
C: A9 PROXYAUTH fred
S: A9 OK done
`)
	q, err := c.GetQuota(ctx, "")
	if err != nil || q.Root != "" || len(q.Resources) != 1 || q.Resources[0] != (QuotaResource{"STORAGE", 10, 512}) {
		t.Errorf("GetQuota = %+v, %v", q, err)
	}
	roots, quotas, err := c.GetQuotaRoot(ctx, "INBOX")
	if err != nil || !slices.Equal(roots, []string{""}) || len(quotas) != 1 {
		t.Errorf("GetQuotaRoot = %v %v, %v", roots, quotas, err)
	}
	if _, err := c.SetQuota(ctx, "", map[string]uint64{"storage": 512}); err != nil {
		t.Errorf("SetQuota = %v", err)
	}
	acl, err := c.GetACL(ctx, "INBOX")
	if err != nil || acl["Fred"] != "rwipsldexta" {
		t.Errorf("GetACL = %v, %v", acl, err)
	}
	if err := c.SetACL(ctx, "INBOX", "Fred", "+rwx"); err != nil {
		t.Errorf("SetACL = %v", err)
	}
	if err := c.DeleteACL(ctx, "INBOX", "Fred"); err != nil {
		t.Errorf("DeleteACL = %v", err)
	}
	if r, err := c.MyRights(ctx, "INBOX"); err != nil || r != "rwiptsldaex" {
		t.Errorf("MyRights = %q, %v", r, err)
	}
	ann, err := c.GetAnnotation(ctx, "INBOX", "/comment", "value.shared")
	if err != nil || len(ann) != 1 || ann[0].Fields[2].List[1].Text != "My comment" {
		t.Errorf("GetAnnotation = %v, %v", ann, err)
	}
	if _, err := c.SetAnnotation(ctx, "INBOX", "/comment", [][2]string{{"value.priv", "My new comment"}}); err != nil {
		t.Errorf("SetAnnotation = %v", err)
	}
	if err := c.ProxyAuth(ctx, "fred"); err != nil {
		t.Errorf("ProxyAuth = %v", err)
	}
}

func TestTranscriptPartialSortThreadCommand(t *testing.T) {
	// RFC 1730 §6.4.6 PARTIAL, RFC 5256 §5 SORT and THREAD examples.
	c := dialScript(t, greeting+`C: A0 PARTIAL 4 RFC822.HEADER 0 10
S: * 4 FETCH (RFC822.HEADER {10}
S: Received
S: )
S: A0 OK done
C: A1 SORT (SUBJECT REVERSE DATE) UTF-8 ALL
S: * SORT 5 3 4 1 2
S: A1 OK SORT completed
C: A2 UID THREAD REFERENCES UTF-8 SINCE 5-Mar-2000
S: * THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))(179)(177 (183)(182)(188)(184)(185)(186)(187)(189))(190)(191)(192)(193)(194 195)(196 (197)(198))(199)(200 202)(201)(203)(204)(205)(206 207)(208)
S: A2 OK UID THREAD completed
C: A3 XLIST "" {3+}
C: a
C:  1:*
S: * XLIST (\Inbox) "/" INBOX
S: * 3 EXISTS
S: A3 OK done
C: A4 UID FETCH 1 (UID)
S: * 1 FETCH (UID 1)
S: A4 OK done
`)
	data, err := c.Partial(ctx, 4, "RFC822.HEADER", 0, 10)
	if err != nil || string(data) != "Received\r\n" {
		t.Errorf("Partial = %q, %v", data, err)
	}
	nums, err := c.Sort(ctx, []string{"SUBJECT", "REVERSE DATE"}, nil, false)
	if err != nil || !slices.Equal(nums, []uint32{5, 3, 4, 1, 2}) {
		t.Errorf("Sort = %v, %v", nums, err)
	}
	threads, err := c.ThreadMessages(ctx, "REFERENCES", &SearchCriteria{Since: time.Date(2000, 3, 5, 0, 0, 0, 0, time.UTC)}, true)
	if err != nil || len(threads) != 25 {
		t.Fatalf("Thread = %d threads, %v", len(threads), err)
	}
	// (174 (175)(176)(178)(181)(180)): 174 with five replies.
	if th := threads[8]; th.Num != 174 || len(th.Children) != 5 || th.Children[4].Num != 180 {
		t.Errorf("thread 9 = %+v", th)
	}
	// (194 195): a chain.
	if th := threads[15]; th.Num != 194 || len(th.Children) != 1 || th.Children[0].Num != 195 {
		t.Errorf("thread 16 = %+v", th)
	}
	res, err := c.Command(ctx, "XLIST", "", "a\r\n", AllSeq())
	if err != nil || len(res.Responses) != 1 || res.Responses[0].Fields[2].Text != "INBOX" || res.Status.Name != "OK" {
		t.Errorf("Command(XLIST) = %+v, %v", res, err)
	}
	res, err = c.Command(ctx, "UID FETCH", uint32(1), RawArg("(UID)"))
	if err != nil || len(res.Responses) != 1 || res.Responses[0].Fetch.UID != 1 {
		t.Errorf("Command(UID FETCH) = %+v, %v", res, err)
	}
}

func TestTranscriptPipelining(t *testing.T) {
	// RFC 3501 §5.5: several commands in flight; the server may complete
	// them in any order and the completions are matched by tag.
	c := dialScript(t, greeting+`C: A0 STATUS a (MESSAGES)
C: A1 STATUS b (MESSAGES)
C: A2 STATUS c (MESSAGES)
S: * STATUS a (MESSAGES 1)
S: * STATUS b (MESSAGES 2)
S: * STATUS c (MESSAGES 3)
S: A2 OK c
S: A0 OK a
S: A1 NO [NONEXISTENT] b
`)
	// Send all three before reading any answer.
	var cmds []*command
	for _, name := range []string{"a", "b", "c"} {
		cmd, err := c.sendStatus(ctx, name, []string{"MESSAGES"})
		if err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	var got []string
	for _, cmd := range cmds {
		err := c.wait(ctx, cmd)
		got = append(got, fmt.Sprintf("%v %d", err != nil, len(cmd.responses)))
	}
	if want := []string{"false 1", "true 1", "false 1"}; !slices.Equal(got, want) {
		t.Errorf("pipelined results = %v, want %v", got, want)
	}
}

func TestTranscriptPipelinedFetchAndStatusConcurrently(t *testing.T) {
	// Two goroutines issue commands at once on one connection.
	c := dialScript(t, greeting+`C: A0 NOOP
C: A1 NOOP
S: A1 OK one
S: A0 OK zero
`)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	start := make(chan struct{})
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = c.Noop(ctx)
		}()
	}
	close(start)
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Errorf("concurrent Noop = %v", errs)
	}
}

func TestTranscriptInjectionNeverEndsLineEarly(t *testing.T) {
	// A search string with CR/LF goes as a literal, and a mailbox name's
	// control characters are modified-UTF-7 encoded (RFC 3501 §5.1.3): the
	// server sees one command, not two.
	c := dialScript(t, greeting+`C: A0 SELECT "INBOX&AA0ACg-A1 DELETE x"
S: A0 NO no such mailbox
C: A1 SEARCH SUBJECT {7+}
C: x
C: A9 X
S: * SEARCH
S: A1 OK done
C: A4 NOOP
S: A4 OK done
C: <EOF>
`)
	if _, err := c.Select(ctx, "INBOX\r\nA1 DELETE x", nil); err == nil {
		t.Error("Select succeeded")
	}
	if _, err := c.Search(ctx, &SearchCriteria{Subject: []string{"x\r\nA9 X"}}, nil); err != nil {
		t.Errorf("Search = %v", err)
	}
	// NUL cannot be sent at all, and nothing reaches the server.
	var ee *imapwire.EncodeError
	if _, err := c.Search(ctx, &SearchCriteria{Body: []string{"a\x00b"}}, nil); !errors.As(err, &ee) {
		t.Errorf("Search with NUL = %v, want *imapwire.EncodeError", err)
	}
	if _, err := c.Command(ctx, "X\r\nY"); !errors.As(err, &ee) {
		t.Errorf("Command with CRLF name = %v, want *imapwire.EncodeError", err)
	}
	if _, err := c.Command(ctx, "X", RawArg("a\r\nb")); !errors.As(err, &ee) {
		t.Errorf("Command with CRLF raw arg = %v, want *imapwire.EncodeError", err)
	}
	// The refused commands that got as far as a tag (A2, A3) sent nothing; the
	// connection is still in step.
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop = %v", err)
	}
}

func TestTranscriptByeAborts(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 NOOP
S: * BYE Autologout; idle for too long
`)
	err := c.Noop(ctx)
	var ae *AbortError
	if !errors.As(err, &ae) || ae.Bye != "Autologout; idle for too long" {
		t.Fatalf("Noop = %v, want *AbortError with BYE text", err)
	}
	if err := c.Noop(ctx); !errors.As(err, &ae) {
		t.Errorf("Noop after BYE = %v, want *AbortError", err)
	}
}

func TestTranscriptMalformedAborts(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 FETCH 1 (UID)
S: * 1 FETCH (UID x)
`)
	err := c.Fetch(ctx, SeqSetNum(1), &FetchOptions{UID: true}, nil)
	var ae *AbortError
	var de *imapwire.DecodeError
	if !errors.As(err, &ae) || !errors.As(err, &de) || de.Rule != "number" {
		t.Fatalf("Fetch = %v, want *AbortError wrapping a number DecodeError", err)
	}
}

func TestTranscriptLoneLFAndLowercase(t *testing.T) {
	// Quirks of real servers: lone LF line ends, lowercase names and flags.
	c := dialScript(t, `S: * ok [capability IMAP4rev1] hi\n
C: a0 FETCH 1 (FLAGS)
S: * 1 fetch (flags (\seen \answered $label1))\n
S: a0 ok done\n
`, func(o *Options) { o.Tags = NewTagGeneratorWithPrefix("a") })
	_ = c
	var flags []string
	// The tag generator prefix is lowercase: "a0".
	err := c.Fetch(ctx, SeqSetNum(1), &FetchOptions{Flags: true}, func(m *FetchMessage) error { flags = m.Flags; return nil })
	if err != nil || !slices.Equal(flags, []string{`\Seen`, `\Answered`, "$label1"}) {
		t.Errorf("Fetch = %v, %v", flags, err)
	}
}

func TestTranscriptTimeoutAborts(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 NOOP
C: <EOF>
`, func(o *Options) { o.Timeout = 50 * time.Millisecond })
	err := c.Noop(ctx)
	var ae *AbortError
	if !errors.As(err, &ae) {
		t.Fatalf("Noop with silent server = %v, want *AbortError", err)
	}
}

func TestTranscriptContextCancelAborts(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 NOOP
C: <EOF>
`)
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		time.Sleep(10 * time.Millisecond)
		cancel()
	}()
	err := c.Noop(cctx)
	var ae *AbortError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ae) {
		t.Fatalf("Noop with cancelled context = %v, want *AbortError wrapping context.Canceled", err)
	}
}

func TestTranscriptStartTLSNotOfferedFails(t *testing.T) {
	// Asked for STARTTLS, server does not offer it: fail, never continue in
	// clear (nothing but CAPABILITY is sent).
	addr := serveScript(t, `S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi
`)
	_, err := Dial(ctx, addr, Options{TLS: TLSStartTLS, Tags: NewTagGeneratorWithPrefix("A")})
	var ce *CapabilityError
	if !errors.As(err, &ce) || ce.Command != "STARTTLS" {
		t.Fatalf("Dial(STARTTLS) = %v, want *CapabilityError", err)
	}
}

func TestTranscriptGreetingBye(t *testing.T) {
	addr := serveScript(t, `S: * BYE too many connections
`)
	_, err := Dial(ctx, addr, Options{TLS: TLSNone})
	var ae *AbortError
	if !errors.As(err, &ae) || ae.Bye != "too many connections" {
		t.Fatalf("Dial = %v, want *AbortError with BYE", err)
	}
}

func TestParseSeqSet(t *testing.T) {
	good := map[string]string{"1:*": "1:*", "1:*,5,7:9": "1:*,5,7:9", "*": "*", "4294967295": "4294967295", "9:7": "9:7"}
	for in, want := range good {
		s, err := ParseSeqSet(in)
		if err != nil || s.String() != want {
			t.Errorf("ParseSeqSet(%q) = %v, %v; want %s", in, s, err, want)
		}
	}
	for _, bad := range []string{"", "0", "1:0", "a", "1,,2", "1:", ":2", "-1", "+1", " 1", "1 ", "1:2:3", "4294967296", "1\r\n", "01"} {
		if s, err := ParseSeqSet(bad); err == nil {
			t.Errorf("ParseSeqSet(%q) = %v, want error", bad, s)
		}
	}
	s, _ := ParseUIDSet("3:5,9")
	if !s.UID || !s.Contains(4) || s.Contains(6) || !s.Contains(9) {
		t.Errorf("ParseUIDSet(3:5,9) = %+v", s)
	}
	if nums, ok := s.Nums(); !ok || !slices.Equal(nums, []uint32{3, 4, 5, 9}) {
		t.Errorf("Nums = %v, %v", nums, ok)
	}
	if got := UIDSetNum(1, 2, 3, 5, 6, 9).String(); got != "1:3,5:6,9" {
		t.Errorf("UIDSetNum = %s", got)
	}
}

// serveScript serves a script and waits for the client to hang up.
func serveScript(t *testing.T, script string) string {
	t.Helper()
	return imaptestServe(t, script)
}

var _ = io.EOF
var _ = strings.Contains

func TestTranscriptQResync(t *testing.T) {
	// RFC 7162 §3.2.5.1 example (abridged) and §3.2.6 UID FETCH VANISHED.
	var fetched []uint32
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC] hi
C: A0 ENABLE QRESYNC
S: * ENABLED QRESYNC
S: A0 OK done
C: A1 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))
S: * 314 EXISTS
S: * OK [UIDVALIDITY 67890007] UIDVALIDITY
S: * OK [UIDNEXT 567] Predicted next UID
S: * OK [HIGHESTMODSEQ 20060115205545359] Highest mailbox mod-sequence
S: * VANISHED (EARLIER) 41,43:116,118,120:211,214:540
S: * 49 FETCH (UID 117 FLAGS (\Seen \Answered) MODSEQ (90060115194045001))
S: * 50 FETCH (UID 119 FLAGS (\Draft $MDNSent) MODSEQ (90060115194045308))
S: A1 OK [READ-WRITE] mailbox selected
C: A2 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)
S: * VANISHED (EARLIER) 300:310,405,411
S: * 1 FETCH (UID 404 MODSEQ (65402) FLAGS (\Seen))
S: A2 OK done
`, func(o *Options) {
		o.OnUntagged = func(r *Response) {
			if r.Fetch != nil {
				fetched = append(fetched, r.Fetch.UID)
			}
		}
	})
	if _, err := c.Enable(ctx, "QRESYNC"); err != nil {
		t.Fatal(err)
	}
	known, _ := ParseUIDSet("41,43:211,214:541")
	mb, err := c.Select(ctx, "INBOX", &SelectOptions{QResync: &QResyncOptions{UIDValidity: 67890007, ModSeq: 20050715194045000, KnownUIDs: &known}})
	if err != nil || mb.Exists != 314 || mb.HighestModSeq != 20060115205545359 || mb.VanishedEarlier != "41,43:116,118,120:211,214:540" {
		t.Fatalf("Select(QRESYNC) = %+v, %v", mb, err)
	}
	if !slices.Equal(fetched, []uint32{117, 119}) {
		t.Errorf("FETCH during QRESYNC SELECT = %v, want [117 119]", fetched)
	}
	var uids []uint32
	err = c.Fetch(ctx, NumSet{Ranges: []NumRange{{300, 500}}, UID: true}, &FetchOptions{Flags: true, ChangedSince: 12345, Vanished: true},
		func(m *FetchMessage) error { uids = append(uids, m.UID); return nil })
	if err != nil || !slices.Equal(uids, []uint32{404}) {
		t.Errorf("Fetch(CHANGEDSINCE VANISHED) = %v, %v", uids, err)
	}
	// Like imaplib, every VANISHED is kept, the SELECT's one included.
	if v := c.Response("VANISHED"); len(v) != 2 || v[1].Fields[1].Text != "300:310,405,411" {
		t.Errorf("Response(VANISHED) = %v", v)
	}
	if c.Mailbox().Exists != 314 {
		t.Errorf("VANISHED (EARLIER) changed Exists to %d", c.Mailbox().Exists)
	}
}

func TestTranscriptSearchModSeqAndKeptResponses(t *testing.T) {
	// RFC 7162 §3.1.5 example: SEARCH MODSEQ answers with the highest
	// mod-sequence of the matches.
	c := dialScript(t, greeting+selectExample+`C: A1 SEARCH MODSEQ 620162338
S: * SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)
S: A1 OK Search complete
`)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	// imaplib's select() reads EXISTS from untagged_responses.
	if all := c.UntaggedResponses(); len(all["FLAGS"]) != 1 || len(all["EXISTS"]) != 1 {
		t.Errorf("UntaggedResponses() after Select = %v", all)
	}
	if ex := c.Response("EXISTS"); len(ex) != 1 || ex[0].Num != 172 {
		t.Errorf("Response(EXISTS) after Select = %v", ex)
	}
	if uv := c.Response("UIDVALIDITY"); len(uv) != 1 || uv[0].Code.Number != 3857529045 {
		t.Errorf("Response(UIDVALIDITY) after Select = %v", uv)
	}
	res, err := c.Search(ctx, &SearchCriteria{ModSeq: 620162338}, nil)
	if err != nil || res.ModSeq != 917162500 || !slices.Equal(res.All, []uint32{2, 5, 6, 7, 11, 12, 18, 19, 20, 23}) {
		t.Errorf("Search(MODSEQ) = %+v, %v", res, err)
	}
}

func TestTranscriptAppendUTF8(t *testing.T) {
	// RFC 6855 §4: APPEND with the UTF8 data item and a literal8.
	msg := "Subject: Grüße\r\n\r\nhi\r\n"
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT LITERAL+] hi
C: A0 ENABLE UTF8=ACCEPT
S: * ENABLED UTF8=ACCEPT
S: A0 OK done
C: A1 APPEND "Entwürfe" UTF8 (~{24+}
C: Subject: Grüße
C: 
C: hi
C: )
S: A1 OK done
`)
	var ce *CapabilityError
	if _, err := c.Append(ctx, "x", 1, strings.NewReader("x"), &AppendOptions{UTF8: true}); !errors.As(err, &ce) {
		t.Errorf("Append(UTF8) before ENABLE = %v, want *CapabilityError", err)
	}
	if _, err := c.Enable(ctx, "UTF8=ACCEPT"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Append(ctx, "Entwürfe", int64(len(msg)), strings.NewReader(msg), &AppendOptions{UTF8: true}); err != nil {
		t.Errorf("Append(UTF8) = %v", err)
	}
}

func TestTranscriptCancelledContextSendsNothing(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 NOOP
S: A0 OK done
`)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Noop(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Noop(cancelled) = %v, want context.Canceled", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop after a cancelled call = %v; the connection must stay usable", err)
	}
}

package imap

// Integration tests against Dovecot of the mailbox and message commands.
// The messages are made here, so what to expect follows from what was
// appended and from the RFCs' rules (RFC 5256 for SORT and THREAD); where
// python3 is installed, Python's imaplib reading the same mailbox is
// compared too.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

// threadMessages are five messages: a thread of three (1 <- 2 <- 4) and
// two singletons, with distinct dates, senders and subjects.
func threadMessages() [][]byte {
	mk := func(date, from, subject, msgID, inReplyTo, body string) []byte {
		var b strings.Builder
		fmt.Fprintf(&b, "Date: %s\r\nFrom: %s\r\nTo: list@example.org\r\nSubject: %s\r\nMessage-ID: <%s>\r\n", date, from, subject, msgID)
		if inReplyTo != "" {
			fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", inReplyTo, inReplyTo)
		}
		fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", body)
		return []byte(b.String())
	}
	return [][]byte{
		mk("Mon, 01 Jan 2024 10:00:00 +0000", "Ann <ann@example.org>", "alpha report", "1@example.org", "", "first"),
		mk("Tue, 02 Jan 2024 10:00:00 +0000", "Bob <bob@example.org>", "Re: alpha report", "2@example.org", "1@example.org", "second"),
		mk("Wed, 03 Jan 2024 10:00:00 +0000", "Cid <cid@example.org>", "beta", "3@example.org", "", "a Zebra crossing"),
		mk("Thu, 04 Jan 2024 10:00:00 +0000", "Ann <ann@example.org>", "Re: Re: alpha report", "4@example.org", "2@example.org", "fourth"),
		mk("Fri, 05 Jan 2024 10:00:00 +0000", "Dee <dee@example.org>", "=?UTF-8?B?Z2FtbWEg5pel5pys6Kqe?=", "5@example.org", "", "fifth"),
	}
}

// setupMailbox creates mailbox, appends msgs and selects it.
func setupMailbox(t *testing.T, c *Client, mailbox string, msgs [][]byte) []uint32 {
	t.Helper()
	ctx := testContext(t)
	if err := c.Create(ctx, mailbox); err != nil {
		t.Fatalf("Create(%q) = %v", mailbox, err)
	}
	uids := appendAll(t, c, mailbox, msgs, nil)
	if _, err := c.Select(ctx, mailbox, nil); err != nil {
		t.Fatalf("Select(%q) = %v", mailbox, err)
	}
	return uids
}

// pythonCalls runs imaplib IMAP4 methods, each call a method name and its
// arguments ("None" stands for Python's None), in one session on mailbox
// selected read-only, and returns each call's data as text. ok is false
// without python3.
func pythonCalls(t *testing.T, srv *dovecot.Server, u dovecot.User, wireMailbox string, calls ...[]string) (data [][]string, ok bool) {
	t.Helper()
	const script = `
out = []
for call in json.loads(os.environ["CALLS"]):
    args = [None if a == "None" else a for a in call[1:]]
    typ, data = getattr(m, call[0])(*args)
    assert typ == "OK", (call, typ, data)
    out.append([d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data])
json.dump(out, sys.stdout)
`
	callsJSON, err := json.Marshal(calls)
	if err != nil {
		t.Fatal(err)
	}
	out, ok := runImaplib(t, srv, u, wireMailbox, script, "CALLS="+string(callsJSON))
	if !ok {
		return nil, false
	}
	if err := json.Unmarshal(out, &data); err != nil {
		t.Fatal(err)
	}
	if len(data) != len(calls) {
		t.Fatalf("python imaplib returned %d results for %d calls", len(data), len(calls))
	}
	return data, true
}

func uint32sOf(t *testing.T, s string) []uint32 {
	t.Helper()
	var out []uint32
	for _, f := range strings.Fields(s) {
		n, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			t.Fatalf("number %q: %v", f, err)
		}
		out = append(out, uint32(n))
	}
	return out
}

func TestDovecotSearch(t *testing.T) {
	t.Parallel()
	c, srv, u := loginDovecot(t)
	ctx := testContext(t)
	uids := setupMailbox(t, c, "Search", threadMessages())
	tests := []struct {
		name     string
		criteria *SearchCriteria
		want     []uint32 // sequence numbers
		python   []string // the same search for imaplib
	}{
		{"subject", &SearchCriteria{Subject: []string{"alpha"}}, []uint32{1, 2, 4}, []string{"SUBJECT", "alpha"}},
		{"from", &SearchCriteria{From: []string{"cid@example.org"}}, []uint32{3}, []string{"FROM", "cid@example.org"}},
		{"body", &SearchCriteria{Body: []string{"Zebra"}}, []uint32{3}, []string{"BODY", "Zebra"}},
		{"sentsince", &SearchCriteria{SentSince: time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC)}, []uint32{4, 5}, []string{"SENTSINCE", "4-Jan-2024"}},
		{"not", &SearchCriteria{Not: []SearchCriteria{{Subject: []string{"alpha"}}}}, []uint32{3, 5}, []string{"NOT", "SUBJECT", "alpha"}},
		{"or", &SearchCriteria{Or: [][2]SearchCriteria{{{From: []string{"bob"}}, {From: []string{"dee"}}}}}, []uint32{2, 5}, []string{"OR", "FROM", "bob", "FROM", "dee"}},
		// A UTF-8 search string: sent with CHARSET UTF-8 (RFC 3501 §6.4.4);
		// Dovecot decodes the RFC 2047 Subject of message 5.
		{"utf8", &SearchCriteria{Subject: []string{"日本語"}}, []uint32{5}, nil},
	}
	var calls [][]string
	var callWants [][]uint32
	for _, tc := range tests {
		res, err := c.Search(ctx, tc.criteria, nil)
		if err != nil {
			t.Errorf("Search(%s) = %v", tc.name, err)
			continue
		}
		if !slices.Equal(res.All, tc.want) {
			t.Errorf("Search(%s) = %v, want %v", tc.name, res.All, tc.want)
		}
		if tc.python != nil {
			calls = append(calls, append([]string{"search", "None"}, tc.python...))
			callWants = append(callWants, tc.want)
		}
	}
	if py, ok := pythonCalls(t, srv, u, "Search", calls...); ok {
		for i, data := range py {
			if got := uint32sOf(t, strings.Join(data, " ")); !slices.Equal(got, callWants[i]) {
				t.Errorf("imaplib %v = %v, want %v", calls[i], got, callWants[i])
			}
		}
	}
	res, err := c.Search(ctx, &SearchCriteria{Subject: []string{"alpha"}}, &SearchOptions{UID: true})
	if err != nil {
		t.Fatalf("UID SEARCH = %v", err)
	}
	if want := []uint32{uids[0], uids[1], uids[3]}; !slices.Equal(res.All, want) || !res.UID {
		t.Errorf("UID SEARCH = %+v, want UIDs %v from APPENDUID", res, want)
	}
	if c.Has(ctx, "ESEARCH") {
		res, err := c.Search(ctx, &SearchCriteria{Subject: []string{"alpha"}}, &SearchOptions{Return: []string{"MIN", "MAX", "COUNT"}})
		if err != nil {
			t.Fatalf("SEARCH RETURN = %v", err)
		}
		if res.Min != 1 || res.Max != 4 || res.Count != 3 {
			t.Errorf("SEARCH RETURN (MIN MAX COUNT) = %+v, want 1, 4, 3", res)
		}
	}
}

func TestDovecotSortThread(t *testing.T) {
	t.Parallel()
	c, srv, u := loginDovecot(t)
	ctx := testContext(t)
	setupMailbox(t, c, "Threads", threadMessages())
	for _, capName := range []string{"SORT", "THREAD=REFERENCES"} {
		if !c.Has(ctx, capName) {
			t.Fatalf("Dovecot does not advertise %s", capName)
		}
	}
	// RFC 5256 §2.1: base subjects drop "Re:"; ties go by sequence number.
	sorts := []struct {
		keys []string
		want []uint32
	}{
		{[]string{"SUBJECT"}, []uint32{1, 2, 4, 3, 5}},
		{[]string{"REVERSE DATE"}, []uint32{5, 4, 3, 2, 1}},
		{[]string{"FROM", "DATE"}, []uint32{1, 4, 2, 3, 5}},
	}
	calls := [][]string{{"thread", "REFERENCES", "UTF-8", "ALL"}}
	for _, s := range sorts {
		got, err := c.Sort(ctx, s.keys, nil, false)
		if err != nil {
			t.Fatalf("Sort(%v) = %v", s.keys, err)
		}
		if !slices.Equal(got, s.want) {
			t.Errorf("Sort(%v) = %v, want %v", s.keys, got, s.want)
		}
		calls = append(calls, []string{"sort", "(" + strings.Join(s.keys, " ") + ")", "UTF-8", "ALL"})
	}
	py, pyOK := pythonCalls(t, srv, u, "Threads", calls...)
	if pyOK {
		for i, s := range sorts {
			if pyNums := uint32sOf(t, strings.Join(py[i+1], " ")); !slices.Equal(pyNums, s.want) {
				t.Errorf("imaplib sort %v = %v, want %v", s.keys, pyNums, s.want)
			}
		}
	}
	threads, err := c.ThreadMessages(ctx, "REFERENCES", nil, false)
	if err != nil {
		t.Fatalf("ThreadMessages = %v", err)
	}
	// RFC 5256 §3: threads in order of their first message's date; a
	// reply chain nests.
	want := "(1 (2 (4)))(3)(5)"
	if got := threadString(threads); got != want {
		t.Errorf("THREAD REFERENCES = %s, want %s", got, want)
	}
	if pyOK && strings.Join(py[0], "") != "(1 2 4)(3)(5)" {
		t.Errorf("imaplib thread REFERENCES = %q, want the server's form of %s", py[0], want)
	}
	ordered, err := c.ThreadMessages(ctx, "ORDEREDSUBJECT", nil, true)
	if err != nil {
		t.Fatalf("ThreadMessages(ORDEREDSUBJECT) = %v", err)
	}
	if len(ordered) != 3 {
		t.Errorf("THREAD ORDEREDSUBJECT = %s, want 3 threads", threadString(ordered))
	}
}

// threadString writes threads with every child list in parentheses.
func threadString(ts []*Thread) string {
	var b strings.Builder
	var write func(t *Thread)
	write = func(t *Thread) {
		b.WriteString("(")
		if t.Num != 0 {
			b.WriteString(strconv.FormatUint(uint64(t.Num), 10))
		}
		for _, ch := range t.Children {
			b.WriteString(" ")
			write(ch)
		}
		b.WriteString(")")
	}
	for _, t := range ts {
		write(t)
	}
	return b.String()
}

func TestDovecotStoreCopyMoveExpunge(t *testing.T) {
	t.Parallel()
	c, srv, u := loginDovecot(t)
	ctx := testContext(t)
	msgs := threadMessages()
	uids := setupMailbox(t, c, "Source", msgs)
	if err := c.Create(ctx, "Target"); err != nil {
		t.Fatal(err)
	}

	res, err := c.Store(ctx, SeqSetNum(1, 2), StoreAdd, []string{`\Flagged`, "$Important"}, nil)
	if err != nil {
		t.Fatalf("Store = %v", err)
	}
	if len(res.Messages) != 2 {
		t.Errorf("Store returned %d FETCH responses, want 2", len(res.Messages))
	}
	if py, ok := pythonFetchAll(t, srv, u, "Source"); ok {
		for _, uid := range uids[:2] {
			if f := strings.Fields(py[uid].Flags); !slices.Contains(f, `\Flagged`) || !slices.Contains(f, "$Important") {
				t.Errorf("imaplib FLAGS of UID %d = %v, want \\Flagged $Important", uid, f)
			}
		}
	}
	if _, err := c.Store(ctx, UIDSetNum(uids[1]), StoreRemove, []string{`\Flagged`}, &StoreOptions{Silent: true}); err != nil {
		t.Fatalf("UID Store -FLAGS.SILENT = %v", err)
	}
	flagged, err := c.Search(ctx, &SearchCriteria{Flag: []string{`\Flagged`}}, nil)
	if err != nil || !slices.Equal(flagged.All, []uint32{1}) {
		t.Errorf("Search FLAGGED = %+v, %v; want [1]", flagged, err)
	}

	cp, err := c.Copy(ctx, UIDSetNum(uids[0]), "Target")
	if err != nil {
		t.Fatalf("Copy = %v", err)
	}
	if cp.UIDValidity == 0 || cp.SourceUIDs != strconv.Itoa(int(uids[0])) || cp.DestUIDs != "1" {
		t.Errorf("Copy = %+v, want COPYUID with %d -> 1", cp, uids[0])
	}
	mv, err := c.Move(ctx, SeqSetNum(3), "Target")
	if err != nil {
		t.Fatalf("Move = %v", err)
	}
	if mv.DestUIDs != "2" || mv.SourceUIDs != strconv.Itoa(int(uids[2])) {
		t.Errorf("Move = %+v, want COPYUID %d -> 2", mv, uids[2])
	}
	if got := c.Mailbox().Exists; got != 4 {
		t.Errorf("after MOVE, EXISTS = %d, want 4", got)
	}
	st, err := c.Status(ctx, "Target", []string{"MESSAGES"})
	if err != nil || st.Messages != 2 {
		t.Fatalf("Status(Target) = %+v, %v; want 2 messages", st, err)
	}
	// The moved and copied messages are intact in Target.
	if py, ok := pythonFetchAll(t, srv, u, "Target"); ok {
		if !bytes.Equal(py[1].Body, msgs[0]) || !bytes.Equal(py[2].Body, msgs[2]) {
			t.Errorf("imaplib BODY[] in Target differs from the messages copied/moved")
		}
	}

	// Source now holds uids 0, 1, 3, 4 as sequence numbers 1-4.
	if _, err := c.Store(ctx, SeqSetNum(1), StoreAdd, []string{`\Deleted`}, &StoreOptions{Silent: true}); err != nil {
		t.Fatal(err)
	}
	expunged, err := c.Expunge(ctx)
	if err != nil || !slices.Equal(expunged, []uint32{1}) {
		t.Fatalf("Expunge = %v, %v; want [1]", expunged, err)
	}
	// Two marked \Deleted, UID EXPUNGE removes only the one named.
	if _, err := c.Store(ctx, UIDSetNum(uids[1], uids[3]), StoreAdd, []string{`\Deleted`}, &StoreOptions{Silent: true}); err != nil {
		t.Fatal(err)
	}
	expunged, err = c.UIDExpunge(ctx, UIDSetNum(uids[3]))
	if err != nil || !slices.Equal(expunged, []uint32{2}) {
		t.Fatalf("UIDExpunge(%d) = %v, %v; want sequence number [2]", uids[3], expunged, err)
	}
	left, err := c.Search(ctx, &SearchCriteria{}, &SearchOptions{UID: true})
	if err != nil || !slices.Equal(left.All, []uint32{uids[1], uids[4]}) {
		t.Errorf("UID SEARCH ALL = %+v, %v; want %v", left, err, []uint32{uids[1], uids[4]})
	}
}

func TestDovecotSelectExamineReadOnly(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	uids := setupMailbox(t, c, "RO", threadMessages()[:2])
	mb, err := c.Examine(ctx, "RO")
	if err != nil {
		t.Fatalf("Examine = %v", err)
	}
	if !mb.ReadOnly || mb.Exists != 2 || mb.UIDNext != uids[1]+1 || mb.UIDValidity == 0 {
		t.Errorf("Examine = %+v, want read-only, 2 messages, UIDNEXT %d", mb, uids[1]+1)
	}
	_, err = c.Store(ctx, SeqSetNum(1), StoreAdd, []string{`\Seen`}, nil)
	var ro *ReadOnlyError
	if !errors.As(err, &ro) {
		t.Errorf("Store on an EXAMINEd mailbox = %v, want *ReadOnlyError", err)
	}
	if _, err := c.Expunge(ctx); !errors.As(err, &ro) {
		t.Errorf("Expunge on an EXAMINEd mailbox = %v, want *ReadOnlyError", err)
	}
	mb, err = c.Select(ctx, "RO", &SelectOptions{CondStore: true})
	if err != nil {
		t.Fatalf("Select CONDSTORE = %v", err)
	}
	if mb.ReadOnly || mb.HighestModSeq == 0 || len(mb.PermanentFlags) == 0 {
		t.Errorf("Select = %+v, want read-write with HIGHESTMODSEQ and PERMANENTFLAGS", mb)
	}
}

func TestDovecotCloseUnselectCheckNoop(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	setupMailbox(t, c, "Box", threadMessages()[:3])
	if err := c.Check(ctx); err != nil {
		t.Errorf("Check = %v", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop = %v", err)
	}
	// UNSELECT (RFC 3691) leaves \Deleted messages in place.
	if _, err := c.Store(ctx, SeqSetNum(1), StoreAdd, []string{`\Deleted`}, &StoreOptions{Silent: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.Unselect(ctx); err != nil {
		t.Fatalf("Unselect = %v", err)
	}
	if st, err := c.Status(ctx, "Box", []string{"MESSAGES"}); err != nil || st.Messages != 3 {
		t.Errorf("after UNSELECT, Status = %+v, %v; want 3 messages", st, err)
	}
	// CLOSE (RFC 3501 §6.4.2) expunges them silently.
	if _, err := c.Select(ctx, "Box", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseMailbox(ctx); err != nil {
		t.Fatalf("CloseMailbox = %v", err)
	}
	if st, err := c.Status(ctx, "Box", []string{"MESSAGES"}); err != nil || st.Messages != 2 {
		t.Errorf("after CLOSE, Status = %+v, %v; want 2 messages", st, err)
	}
}

func TestDovecotIdle(t *testing.T) {
	t.Parallel()
	srv := sharedDovecot.Get(t)
	u := srv.NewUser(t)
	ctx := testContext(t)
	events := make(chan *Response, 16)
	idler, err := Dial(ctx, srv.TLSAddr(), Options{
		TLS: TLSImplicit, TLSConfig: srv.ClientTLSConfig(), DialTimeout: testTimeout,
		OnUntagged: func(r *Response) {
			select {
			case events <- r:
			default:
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer idler.Close()
	if err := idler.Login(ctx, u.Name, u.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := idler.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	idle, err := idler.Idle(ctx)
	if err != nil {
		t.Fatalf("Idle = %v", err)
	}
	writer := dialDovecot(t, srv, TLSImplicit)
	if err := writer.Login(ctx, u.Name, u.Password); err != nil {
		t.Fatal(err)
	}
	appendAll(t, writer, "INBOX", threadMessages()[:1], nil)
	for exists := false; !exists; {
		select {
		case r := <-events:
			exists = r.Name == "EXISTS" && r.Num == 1
		case <-ctx.Done():
			t.Fatal("no EXISTS during IDLE after another session appended")
		}
	}
	if err := idle.Stop(ctx); err != nil {
		t.Fatalf("IdleCommand.Stop = %v", err)
	}
	if got := idler.Mailbox().Exists; got != 1 {
		t.Errorf("after IDLE, Mailbox().Exists = %d, want 1", got)
	}
	if err := idler.Noop(ctx); err != nil {
		t.Errorf("Noop after IDLE = %v", err)
	}
}

func TestDovecotCompress(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	if err := c.Compress(ctx); err != nil {
		t.Fatalf("Compress = %v", err)
	}
	_, msgs := corpusMessages(t, 20)
	uids := setupMailbox(t, c, "Compressed", msgs)
	got := fetchAll(t, c, AllSeq())
	for i, uid := range uids {
		m := got[uid]
		if m == nil || int64(len(m.Body)) != m.Size {
			t.Errorf("UID %d: fetched %v over COMPRESS", uid, m)
			continue
		}
		if isCRLFOnly(msgs[i]) && !bytes.Equal(m.Body, msgs[i]) {
			t.Errorf("UID %d: BODY[] over COMPRESS differs from what was appended", uid)
		}
	}
}

func TestDovecotNamespaceEnableID(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	ns, err := c.Namespace(ctx)
	if err != nil {
		t.Fatalf("Namespace = %v", err)
	}
	// The harness configures one personal namespace, prefix "" and separator "/".
	if len(ns.Personal) != 1 || ns.Personal[0].Prefix != "" || ns.Personal[0].Delimiter != "/" {
		t.Errorf("Namespace = %+v, want personal (\"\" \"/\")", ns)
	}
	enabled, err := c.Enable(ctx, "CONDSTORE")
	if err != nil {
		t.Fatalf("Enable = %v", err)
	}
	if !slices.Contains(enabled, "CONDSTORE") {
		t.Errorf("Enable(CONDSTORE) = %v", enabled)
	}
	id, err := c.ID(ctx, map[string]string{"name": "imapctl-test", "version": "0"})
	if err != nil {
		t.Fatalf("ID = %v", err)
	}
	if id["name"] != "Dovecot" {
		t.Errorf("ID = %v, want name Dovecot", id)
	}
	if _, err := c.ID(ctx, nil); err != nil {
		t.Errorf("ID(NIL) = %v", err)
	}
}

func TestDovecotQuota(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	msgs := threadMessages()
	setupMailbox(t, c, "Q", msgs)
	roots, quotas, err := c.GetQuotaRoot(ctx, "INBOX")
	if err != nil {
		t.Fatalf("GetQuotaRoot = %v", err)
	}
	// The harness's quota: "User quota" with storage=102400K (dovecot.All).
	if !slices.Equal(roots, []string{"User quota"}) || len(quotas) != 1 {
		t.Fatalf("GetQuotaRoot = %v, %+v", roots, quotas)
	}
	q, err := c.GetQuota(ctx, "User quota")
	if err != nil {
		t.Fatalf("GetQuota = %v", err)
	}
	var total int
	for _, m := range msgs {
		total += len(m)
	}
	if len(q.Resources) == 0 || q.Resources[0].Name != "STORAGE" || q.Resources[0].Limit != 102400 ||
		q.Resources[0].Usage > uint64(total/1024+1) {
		t.Errorf("GetQuota = %+v, want STORAGE limit 102400 KiB, usage ~%d KiB", q, total/1024)
	}
	if _, err := c.SetQuota(ctx, "User quota", map[string]uint64{"STORAGE": 1}); err == nil {
		t.Errorf("SetQuota as an ordinary user succeeded")
	} else if e := new(Error); !errors.As(err, &e) {
		t.Errorf("SetQuota = %v, want the server's *Error", err)
	}
}

func TestDovecotACL(t *testing.T) {
	t.Parallel()
	c, srv, u := loginDovecot(t)
	ctx := testContext(t)
	if err := c.Create(ctx, "Shared"); err != nil {
		t.Fatal(err)
	}
	rights, err := c.MyRights(ctx, "Shared")
	if err != nil {
		t.Fatalf("MyRights = %v", err)
	}
	for _, r := range "lrswipkxtea" { // RFC 4314 §2.1: the owner has all rights
		if !strings.ContainsRune(rights, r) {
			t.Errorf("MyRights = %q, missing %q", rights, r)
		}
	}
	if err := c.SetACL(ctx, "Shared", "bob", "lr"); err != nil {
		t.Fatalf("SetACL = %v", err)
	}
	acl, err := c.GetACL(ctx, "Shared")
	if err != nil {
		t.Fatalf("GetACL = %v", err)
	}
	if acl["bob"] != "lr" {
		t.Errorf("GetACL = %v, want bob: lr", acl)
	}
	// What Dovecot stored: its vfile ACL in the mailbox folder.
	stored, err := os.ReadFile(filepath.Join(maildirFolder(srv, u.Name, "Shared"), "dovecot-acl"))
	if err != nil || !bytes.Contains(stored, []byte("user=bob lr")) {
		t.Errorf("dovecot-acl = %q, %v; want user=bob lr", stored, err)
	}
	if err := c.DeleteACL(ctx, "Shared", "bob"); err != nil {
		t.Fatalf("DeleteACL = %v", err)
	}
	if acl, _ := c.GetACL(ctx, "Shared"); acl["bob"] != "" {
		t.Errorf("after DeleteACL, GetACL = %v", acl)
	}
}

func TestDovecotGenericCommand(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	setupMailbox(t, c, "Généric", threadMessages()[:2])
	res, err := c.Command(ctx, "STATUS", EncodeMailboxName("Généric"), RawArg("(MESSAGES UIDNEXT)"))
	if err != nil {
		t.Fatalf("Command(STATUS) = %v", err)
	}
	if len(res.Responses) != 1 || res.Status == nil || res.Status.Name != "OK" {
		t.Fatalf("Command(STATUS) = %+v", res)
	}
	if s := res.Responses[0].String(); !strings.Contains(s, "MESSAGES 2") || !strings.Contains(s, "UIDNEXT 3") {
		t.Errorf("STATUS response = %s, want MESSAGES 2 UIDNEXT 3", s)
	}
	fetched, err := c.Command(ctx, "FETCH", SeqSetNum(1, 2), RawArg("(UID RFC822.SIZE)"))
	if err != nil || len(fetched.Responses) != 2 {
		t.Fatalf("Command(FETCH) = %+v, %v", fetched, err)
	}
	// Commands Dovecot does not know are the server's BAD, and the
	// connection stays usable.
	for name, run := range map[string]func() error{
		"XNOSUCHCOMMAND": func() error { _, err := c.Command(ctx, "XNOSUCHCOMMAND"); return err },
		"PARTIAL":        func() error { _, err := c.Partial(ctx, 1, "BODY[]", 0, 10); return err },
		"PROXYAUTH":      func() error { return c.ProxyAuth(ctx, "bob") },
		"GETANNOTATION":  func() error { _, err := c.GetAnnotation(ctx, "INBOX", "/comment", "value.priv"); return err },
		"SETANNOTATION": func() error {
			_, err := c.SetAnnotation(ctx, "INBOX", "/comment", [][2]string{{"value.priv", "x"}})
			return err
		},
	} {
		err := run()
		var e *Error
		if !errors.As(err, &e) || e.Type != "BAD" {
			t.Errorf("%s = %v, want the server's BAD", name, err)
		}
	}
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop after BAD responses = %v", err)
	}
}

func TestDovecotPipelinedCommands(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	_, msgs := corpusMessages(t, 30)
	setupMailbox(t, c, "Pipe", msgs)
	names := []string{"Pipe", "INBOX", "Sent", "Trash", "Drafts", "Junk", "Archive"}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	// Dovecot runs pipelined FETCH commands in parallel and interleaves
	// their untagged responses (seen in a trace: "* 1 FETCH", ...,
	// "* 1 FETCH", ..., "A6 OK", "A7 OK"); the client sends the second
	// FETCH only once the first completed, while the STATUS commands
	// pipeline.
	for round := 0; round < 2; round++ {
		for _, name := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := c.Status(ctx, name, []string{"MESSAGES"})
				if err != nil {
					errs <- fmt.Errorf("Status(%s) = %w", name, err)
				} else if name == "Pipe" && st.Messages != uint32(len(msgs)) {
					errs <- fmt.Errorf("Status(Pipe) = %d messages, want %d", st.Messages, len(msgs))
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			err := c.Fetch(ctx, AllSeq(), &FetchOptions{UID: true, RFC822Size: true, BodySections: []BodySection{{Peek: true}}},
				func(m *FetchMessage) error {
					for b, err := m.NextBody(); b != nil || err != nil; b, err = m.NextBody() {
						if err != nil {
							return err
						}
						var buf bytes.Buffer
						if _, err := buf.ReadFrom(b); err != nil {
							return err
						}
					}
					n++
					return nil
				})
			if err != nil || n != len(msgs) {
				errs <- fmt.Errorf("concurrent Fetch = %d messages, %v", n, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDovecotMoveFallbacks(t *testing.T) {
	t.Parallel()
	// imap_capability changes only what Dovecot advertises: the client
	// must take its fallback paths, which the trace shows.
	for _, tc := range []struct {
		name, caps string
		want       string // a command the fallback must send
	}{
		{"uidplus", "IMAP4rev1 UIDPLUS IDLE", "UID EXPUNGE"},
		{"plain", "IMAP4rev1 IDLE", " EXPUNGE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := dovecot.Start(t, dovecot.WithCapability(tc.caps))
			u := srv.NewUser(t)
			ctx := testContext(t)
			var trace syncBuffer
			c, err := Dial(ctx, srv.PlainAddr(), Options{TLS: TLSStartTLS, TLSConfig: srv.ClientTLSConfig(), Debug: 3, DebugWriter: &trace})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Login(ctx, u.Name, u.Password); err != nil {
				t.Fatal(err)
			}
			if c.Has(ctx, "MOVE") {
				t.Fatalf("MOVE advertised despite imap_capability = %q", tc.caps)
			}
			setupMailbox(t, c, "From", threadMessages()[:3])
			if err := c.Create(ctx, "To"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Move(ctx, SeqSetNum(2), "To"); err != nil {
				t.Fatalf("Move = %v", err)
			}
			if st, err := c.Status(ctx, "To", []string{"MESSAGES"}); err != nil || st.Messages != 1 {
				t.Errorf("Status(To) = %+v, %v; want 1", st, err)
			}
			if c.Mailbox().Exists != 2 {
				t.Errorf("after Move, EXISTS = %d, want 2", c.Mailbox().Exists)
			}
			if tr := trace.String(); strings.Contains(tr, " MOVE ") || !strings.Contains(tr, tc.want) {
				t.Errorf("trace has MOVE or lacks %q:\n%s", tc.want, tr)
			}
			if tc.name == "plain" {
				// Another message marked \Deleted: a plain EXPUNGE would
				// remove it too, so the fallback must refuse.
				if _, err := c.Store(ctx, SeqSetNum(1), StoreAdd, []string{`\Deleted`}, nil); err != nil {
					t.Fatal(err)
				}
				_, err := c.Move(ctx, SeqSetNum(2), "To")
				var capErr *CapabilityError
				if !errors.As(err, &capErr) {
					t.Errorf("Move with another \\Deleted message = %v, want *CapabilityError", err)
				}
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the client's reader and writer.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestDovecotUIDMove(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	uids := setupMailbox(t, c, "UIDMoveFrom", threadMessages()[:3])
	if err := c.Create(ctx, "UIDMoveTo"); err != nil {
		t.Fatal(err)
	}
	res, err := c.Move(ctx, UIDSetNum(uids[0], uids[2]), "UIDMoveTo")
	if err != nil {
		t.Fatalf("UID MOVE = %v", err)
	}
	if res.UIDValidity == 0 || res.DestUIDs != "1:2" {
		t.Errorf("UID MOVE = %+v, want COPYUID ... 1:2", res)
	}
	left, err := c.Search(ctx, &SearchCriteria{}, &SearchOptions{UID: true})
	if err != nil || !slices.Equal(left.All, []uint32{uids[1]}) {
		t.Errorf("after UID MOVE, UID SEARCH ALL = %+v, %v; want [%d]", left, err, uids[1])
	}
	if st, err := c.Status(ctx, "UIDMoveTo", []string{"MESSAGES"}); err != nil || st.Messages != 2 {
		t.Errorf("Status(UIDMoveTo) = %+v, %v; want 2", st, err)
	}
}

// TestDovecotLongSetsInParts sends FETCH, STORE, COPY and the MOVE
// fallback (COPY, STORE, UID EXPUNGE) with a UID set that is too long for
// one command line, to a Dovecot that takes lines of at most 8 KB (the
// size RFC 7162 §4 asks clients to keep to; it answers longer ones with
// BAD "Too long argument"). Each command must reach every message of the
// set, with no line longer than the limit.
func TestDovecotLongSetsInParts(t *testing.T) {
	t.Parallel()
	srv := dovecot.Start(t, dovecot.WithCapability("IMAP4rev1 UIDPLUS IDLE"), dovecot.WithConfig("imap_max_line_length = 8k"))
	ctx := testContext(t)
	var trace syncBuffer
	c := sparseMailbox(t, srv, &trace, "Copied", "Moved")
	const total = 10000
	all, err := c.Search(ctx, &SearchCriteria{}, &SearchOptions{UID: true})
	if err != nil || len(all.All) != total/2 {
		t.Fatalf("UID SEARCH ALL = %d UIDs, %v; want %d", len(all.All), err, total/2)
	}
	// Every other remaining message: 2,500 UIDs with gaps, about 12 KB.
	var chosen []uint32
	for i, uid := range sortedUnique(all.All) {
		if i%2 == 0 {
			chosen = append(chosen, uid)
		}
	}
	set := UIDSetNum(chosen...)
	if n := len(set.String()); n <= 8192 {
		t.Fatalf("the set is %d bytes; the test needs one longer than a line", n)
	}

	if _, err := c.Store(ctx, set, StoreAdd, []string{`\Flagged`}, &StoreOptions{Silent: true}); err != nil {
		t.Fatalf("Store = %v", err)
	}
	flagged, err := c.Search(ctx, &SearchCriteria{Flag: []string{`\Flagged`}}, &SearchOptions{UID: true})
	if err != nil || !slices.Equal(sortedUnique(flagged.All), chosen) {
		t.Errorf("after Store, %d messages \\Flagged, %v; want %d", len(flagged.All), err, len(chosen))
	}
	fetched := 0
	if err := c.Fetch(ctx, set, &FetchOptions{UID: true, Flags: true}, func(m *FetchMessage) error {
		if set.Contains(m.UID) {
			fetched++
		}
		return nil
	}); err != nil || fetched != len(chosen) {
		t.Errorf("Fetch = %d messages, %v; want %d", fetched, err, len(chosen))
	}
	checkCopied(t, "Copy", c, set, chosen)
	if _, err := c.Move(ctx, set, "Moved"); err != nil {
		t.Fatalf("Move = %v", err)
	}
	for name, want := range map[string]uint32{"Copied": uint32(len(chosen)), "Moved": uint32(len(chosen))} {
		if st, err := c.Status(ctx, name, []string{"MESSAGES"}); err != nil || st.Messages != want {
			t.Errorf("Status(%s) = %+v, %v; want %d messages", name, st, err, want)
		}
	}
	if got := c.Mailbox().Exists; got != uint32(total/2-len(chosen)) {
		t.Errorf("after Move, INBOX EXISTS = %d, want %d", got, total/2-len(chosen))
	}
	tr := trace.String()
	for _, line := range strings.Split(tr, "\n") {
		if strings.Contains(line, "C: ") && len(line) > 8000 {
			t.Errorf("a command line of %d bytes: %.60s...", len(line), line)
		}
	}
	if strings.Contains(tr, " MOVE ") || strings.Count(tr, " UID EXPUNGE ") < 2 {
		t.Errorf("the MOVE fallback sent MOVE, or one UID EXPUNGE for a set of %d bytes", len(set.String()))
	}
}

// sparseMailbox fills a new user's INBOX of srv with 10,000 messages and
// expunges every other one (UIDs 2, 4, ... 10000 remain), creates the
// mailboxes named, and returns a client logged in with INBOX selected,
// tracing to trace.
func sparseMailbox(t *testing.T, srv *dovecot.Server, trace *syncBuffer, create ...string) *Client {
	t.Helper()
	u := srv.NewUser(t)
	ctx := testContext(t)
	for i := 1; i <= 10000; i++ {
		var flags []string
		if i%2 == 1 {
			flags = []string{`\Deleted`}
		}
		msg := fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i)
		if err := srv.Deliver(u.Name, "INBOX", []byte(msg), flags...); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Dial(ctx, srv.PlainAddr(), Options{TLS: TLSStartTLS, TLSConfig: srv.ClientTLSConfig(), Debug: 3, DebugWriter: trace})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, u.Name, u.Password); err != nil {
		t.Fatal(err)
	}
	for _, name := range create {
		if err := c.Create(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Expunge(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDovecotLongSetsWithMove is TestDovecotLongSetsInParts on a Dovecot
// that has MOVE: a long UID set moves by several UID MOVE commands; a
// long set of sequence numbers is first resolved to UIDs (each MOVE
// renumbers the messages after it, RFC 6851 §3.3) and so is a long
// sequence set given to COPY (an EXPUNGE may come during a COPY, RFC
// 3501 §7.4.1). A COPY part that names no existing message gets no
// COPYUID, which must not hide the pairs of the other parts.
func TestDovecotLongSetsWithMove(t *testing.T) {
	t.Parallel()
	srv := dovecot.Start(t, dovecot.WithConfig("imap_max_line_length = 8k"))
	ctx := testContext(t)
	var trace syncBuffer
	c := sparseMailbox(t, srv, &trace, "Copied", "MovedByUID", "MovedBySeq")
	if !c.Has(ctx, "MOVE") || !c.Has(ctx, "UIDPLUS") {
		t.Fatal("Dovecot without MOVE or UIDPLUS")
	}
	// UIDs 2, 6, 10, ... 9998 (2,500), then 2,000 UIDs that do not exist.
	var chosen []uint32
	for uid := uint32(2); uid <= 10000; uid += 4 {
		chosen = append(chosen, uid)
	}
	set := UIDSetNum(chosen...)
	for uid := uint32(20001); uid < 24001; uid += 2 {
		set.AddNum(uid)
	}
	checkCopied(t, "Copy", c, set, chosen)
	// Sequence numbers 1, 3, 5, ... 4999 of COPY: UIDs 2, 6, 10, ...
	var odd NumSet
	for seq := uint32(1); seq < 5000; seq += 2 {
		odd.AddNum(seq)
	}
	checkCopied(t, "Copy by sequence numbers", c, odd, chosen)
	// Move the same messages by sequence numbers: the messages at 1, 3,
	// 5, ... when Move was called, whatever each MOVE renumbers.
	if _, err := c.Move(ctx, odd, "MovedBySeq"); err != nil {
		t.Fatalf("Move by sequence numbers = %v", err)
	}
	left, err := c.Search(ctx, &SearchCriteria{}, &SearchOptions{UID: true})
	if err != nil {
		t.Fatal(err)
	}
	var want []uint32
	for uid := uint32(4); uid <= 10000; uid += 4 {
		want = append(want, uid)
	}
	if got := sortedUnique(left.All); !slices.Equal(got, want) {
		t.Errorf("after Move by sequence numbers, INBOX holds %d messages, want UIDs 4, 8, ... (%d)", len(got), len(want))
	}
	// And the rest by UID, with every UID that is gone named too.
	all := UIDSetNum(want...)
	for _, uid := range chosen {
		all.AddNum(uid)
	}
	if _, err := c.Move(ctx, all, "MovedByUID"); err != nil {
		t.Fatalf("Move by UID = %v", err)
	}
	for name, n := range map[string]uint32{"Copied": 5000, "MovedBySeq": 2500, "MovedByUID": 2500} {
		if st, err := c.Status(ctx, name, []string{"MESSAGES"}); err != nil || st.Messages != n {
			t.Errorf("Status(%s) = %+v, %v; want %d messages", name, st, err, n)
		}
	}
	tr := trace.String()
	for _, line := range strings.Split(tr, "\n") {
		if strings.Contains(line, "C: ") && len(line) > 8000 {
			t.Errorf("a command line of %d bytes: %.60s...", len(line), line)
		}
	}
	if strings.Count(tr, " UID MOVE ") < 4 || strings.Contains(tr, " MOVE 1,") || strings.Contains(tr, " COPY 1,") {
		t.Errorf("long sets: want several UID MOVE commands and no MOVE or COPY by sequence numbers")
	}
}

// checkCopied copies set to the mailbox "Copied" and checks that the
// source set of the COPYUIDs (RFC 4315 §3) names exactly the UIDs want.
func checkCopied(t *testing.T, what string, c *Client, set NumSet, want []uint32) {
	t.Helper()
	res, err := c.Copy(testContext(t), set, "Copied")
	if err != nil {
		t.Fatalf("%s = %v", what, err)
	}
	if src, err := ParseUIDSet(res.SourceUIDs); err != nil {
		t.Errorf("%s: COPYUID source set %q: %v", what, res.SourceUIDs, err)
	} else if nums, _ := src.Nums(); !slices.Equal(nums, want) {
		t.Errorf("%s: COPYUID names %d source UIDs, want %d", what, len(nums), len(want))
	}
}

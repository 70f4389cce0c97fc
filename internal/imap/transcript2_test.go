package imap

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTranscriptFetchStreamsBodies(t *testing.T) {
	// RFC 3501 §6.4.5 items; body literals with CRLF inside, attributes
	// before and after the body, and a message whose body is NIL.
	c := dialScript(t, greeting+`C: A0 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])
S: * 1 FETCH (UID 7 FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 12 BODY[] {12}
S: Subject: x
S: )
S: * 2 FETCH (BODY[] {5}
S: abc
S:  UID 9 RFC822.SIZE 5 FLAGS ())
S: * 3 FETCH (UID 10 BODY[] NIL)
S: A0 OK FETCH completed
`)
	type got struct {
		seq, uid uint32
		flags    []string
		date     string
		body     string
		size     int64
	}
	var msgs []got
	err := c.Fetch(ctx, AllUID(), &FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true,
		BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
		b, err := m.NextBody()
		if err != nil || b == nil {
			return fmt.Errorf("NextBody = %v, %v", b, err)
		}
		data, err := io.ReadAll(b)
		var ne *NilSectionError
		if b.IsNil() && errors.As(err, &ne) {
			// NIL is not an empty body (RFC 3501 §9 nstring).
			data, err = []byte("<NIL>"), nil
		}
		if err != nil {
			return err
		}
		if next, err := m.NextBody(); next != nil || err != nil {
			return fmt.Errorf("second NextBody = %v, %v", next, err)
		}
		date := ""
		if !m.InternalDate.IsZero() {
			date = m.InternalDate.Format(time.RFC3339)
		}
		msgs = append(msgs, got{m.SeqNum, m.UID, m.Flags, date, string(data), m.RFC822Size})
		return nil
	})
	if err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	want := []got{
		{1, 7, []string{`\Seen`}, "1996-07-17T02:44:25-07:00", "Subject: x\r\n", 12},
		{2, 9, []string{}, "", "abc\r\n", 5},
		{3, 10, nil, "", "<NIL>", -1},
	}
	if fmt.Sprint(msgs) != fmt.Sprint(want) {
		t.Errorf("Fetch = %v, want %v", msgs, want)
	}
}

func TestTranscriptFetchEnvelopeBodyStructure(t *testing.T) {
	// RFC 3501 §8 example FETCH 12 FULL response.
	c := dialScript(t, greeting+`C: A0 FETCH 12 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)
S: * 12 FETCH (FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92 NIL NIL NIL)("APPLICATION" "OCTET-STREAM" ("NAME" "x.bin") NIL NIL "BASE64" 500 NIL ("ATTACHMENT" ("FILENAME" "x.bin")) NIL) "MIXED" ("BOUNDARY" "b1") NIL NIL))
S: A0 OK FETCH completed
`)
	var m *FetchMessage
	err := c.Fetch(ctx, SeqSetNum(12), &FetchOptions{Flags: true, InternalDate: true, RFC822Size: true, Envelope: true, BodyStructure: true},
		func(fm *FetchMessage) error { m = fm; return nil })
	if err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	e := m.Envelope
	if e == nil || e.Subject != "IMAP4rev1 WG mtg summary and minutes" || len(e.Cc) != 2 || e.Cc[1].String() != "John Klensin <KLENSIN@MIT.EDU>" ||
		e.MessageID != "<B27397-0100000@cac.washington.edu>" || e.InReplyTo != "" || e.From[0].String() != "Terry Gray <gray@cac.washington.edu>" {
		t.Errorf("Envelope = %+v", e)
	}
	bs := m.BodyStructure
	if bs == nil || bs.Type != "multipart" || bs.Subtype != "mixed" || bs.Params["boundary"] != "b1" || len(bs.Parts) != 2 {
		t.Fatalf("BodyStructure = %+v", bs)
	}
	p1, p2 := bs.Parts[0], bs.Parts[1]
	if p1.Type != "text" || p1.Subtype != "plain" || p1.Params["charset"] != "US-ASCII" || p1.Size != 3028 || p1.Lines != 92 {
		t.Errorf("part 1 = %+v", p1)
	}
	if p2.Encoding != "BASE64" || p2.Disposition != "attachment" || p2.DispositionParams["filename"] != "x.bin" {
		t.Errorf("part 2 = %+v", p2)
	}
}

func TestTranscriptFetchSectionsAndPartial(t *testing.T) {
	// RFC 3501 §6.4.5: section specifiers and <partial>; the reply names
	// the origin only (§7.4.2).
	c := dialScript(t, greeting+`C: A0 FETCH 1 (MODSEQ BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] BODY[1.2.TEXT]<0.10>)
S: * 1 FETCH (MODSEQ (624140003) BODY[HEADER.FIELDS (FROM SUBJECT)] {9}
S: From: x
S:  BODY[1.2.TEXT]<0> "0123456789")
S: A0 OK done
`)
	var names []string
	var data []string
	err := c.Fetch(ctx, SeqSetNum(1), &FetchOptions{ModSeq: true, BodySections: []BodySection{
		{Specifier: "HEADER.FIELDS", Fields: []string{"From", "Subject"}, Peek: true},
		{Part: []int{1, 2}, Specifier: "TEXT", Partial: &Partial{0, 10}},
	}}, func(m *FetchMessage) error {
		for {
			b, err := m.NextBody()
			if err != nil || b == nil {
				if m.ModSeq != 624140003 {
					return fmt.Errorf("ModSeq = %d", m.ModSeq)
				}
				return err
			}
			d, _ := io.ReadAll(b)
			names = append(names, fmt.Sprintf("%s|%s|%d", b.Name, b.Section, b.Origin))
			data = append(data, string(d))
		}
	})
	if err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	if want := []string{"BODY[HEADER.FIELDS (FROM SUBJECT)]|HEADER.FIELDS (FROM SUBJECT)|-1", "BODY[1.2.TEXT]|1.2.TEXT|0"}; !slices.Equal(names, want) {
		t.Errorf("sections = %q, want %q", names, want)
	}
	if want := []string{"From: x\r\n", "0123456789"}; !slices.Equal(data, want) {
		t.Errorf("data = %q, want %q", data, want)
	}
}

func TestTranscriptFetchSizeMismatchReported(t *testing.T) {
	// The server's literal is 3 bytes but it claimed RFC822.SIZE 5, once
	// before the body and once after it.
	c := dialScript(t, greeting+`C: A0 FETCH 1:2 (RFC822.SIZE BODY.PEEK[])
S: * 1 FETCH (RFC822.SIZE 5 BODY[] {3}
S: abc)
S: * 2 FETCH (BODY[] {3}
S: abc RFC822.SIZE 5)
S: A0 OK done
`)
	var readErrs []error
	err := c.Fetch(ctx, SeqSetNum(1, 2), &FetchOptions{RFC822Size: true, BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
		b, _ := m.NextBody()
		_, err := io.ReadAll(b)
		readErrs = append(readErrs, err)
		return nil
	})
	var mm *SizeMismatchError
	if len(readErrs) != 2 || !errors.As(readErrs[0], &mm) || mm.LiteralSize != 3 || mm.RFC822Size != 5 || readErrs[1] != nil {
		t.Errorf("read errors = %v, want SizeMismatchError for message 1 only", readErrs)
	}
	if !errors.As(err, &mm) || mm.SeqNum != 2 {
		t.Errorf("Fetch = %v, want SizeMismatchError for message 2", err)
	}
}

func TestTranscriptFetchCallbackErrorDrains(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 FETCH 1:2 (BODY.PEEK[])
S: * 1 FETCH (BODY[] {3}
S: abc)
S: * 2 FETCH (BODY[] {3}
S: def)
S: A0 OK done
C: A1 NOOP
S: A1 OK done
`)
	stop := errors.New("disk full")
	calls := 0
	err := c.Fetch(ctx, SeqSetNum(1, 2), &FetchOptions{BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Fetch = %v after %d calls, want %v after 1", err, calls, stop)
	}
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop after failed Fetch = %v", err)
	}
}

func TestTranscriptSearch(t *testing.T) {
	// RFC 3501 §6.4.4 example, a UTF-8 string as literal with CHARSET
	// UTF-8, and RFC 4731 ESEARCH.
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 ESEARCH] hi
C: A0 SEARCH SINCE 1-Feb-1994 FLAGGED NOT (FROM "Smith")
S: * SEARCH 2 84 882
S: A0 OK SEARCH completed
C: A1 UID SEARCH CHARSET UTF-8 SUBJECT {7}
S: + go
C: Grüße NOT (UID 5:*)
S: * SEARCH
S: A1 OK done
C: A2 UID SEARCH RETURN (MIN COUNT) KEYWORD $Junk UNDELETED LARGER 100
S: * ESEARCH (TAG "A2") UID MIN 7 COUNT 3
S: A2 OK done
`)
	res, err := c.Search(ctx, &SearchCriteria{Flag: []string{`\Flagged`}, Since: time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC),
		Not: []SearchCriteria{{From: []string{"Smith"}}}}, nil)
	if err != nil || !slices.Equal(res.All, []uint32{2, 84, 882}) || res.Count != 3 || res.Min != 2 || res.Max != 882 {
		t.Errorf("Search = %+v, %v", res, err)
	}
	uids, _ := ParseUIDSet("5:*")
	res, err = c.Search(ctx, &SearchCriteria{Subject: []string{"Grüße"}, Not: []SearchCriteria{{UID: &uids}}}, &SearchOptions{UID: true})
	if err != nil || len(res.All) != 0 || !res.UID {
		t.Errorf("UID Search = %+v, %v", res, err)
	}
	res, err = c.Search(ctx, &SearchCriteria{NotFlag: []string{`\Deleted`}, Flag: []string{"$Junk"}, Larger: new(uint32(100))},
		&SearchOptions{UID: true, Return: []string{"MIN", "COUNT"}})
	if err != nil || res.Min != 7 || res.Count != 3 {
		t.Errorf("ESEARCH = %+v, %v", res, err)
	}
}

func TestTranscriptStore(t *testing.T) {
	// RFC 3501 §6.4.6 example and RFC 7162 §3.1.3 conditional STORE.
	c := dialScript(t, greeting+`C: A0 STORE 2:4 +FLAGS (\Deleted)
S: * 2 FETCH (FLAGS (\Deleted \Seen))
S: * 3 FETCH (FLAGS (\Deleted))
S: * 4 FETCH (FLAGS (\Deleted \Flagged \Seen))
S: A0 OK STORE completed
C: A1 UID STORE 7,9 (UNCHANGEDSINCE 320162338) -FLAGS.SILENT ($Junk)
S: * 5 FETCH (MODSEQ (320162350) UID 7)
S: A1 OK [MODIFIED 9] Conditional STORE failed
`)
	res, err := c.Store(ctx, NumSet{Ranges: []NumRange{{2, 4}}}, StoreAdd, []string{`\Deleted`}, nil)
	if err != nil || len(res.Messages) != 3 || !slices.Equal(res.Messages[2].Flags, []string{`\Deleted`, `\Flagged`, `\Seen`}) {
		t.Errorf("Store = %+v, %v", res, err)
	}
	res, err = c.Store(ctx, UIDSetNum(7, 9), StoreRemove, []string{"$Junk"}, &StoreOptions{Silent: true, UnchangedSince: 320162338})
	if err != nil || res.Modified != "9" || len(res.Messages) != 1 || res.Messages[0].ModSeq != 320162350 {
		t.Errorf("conditional Store = %+v, %v", res, err)
	}
}

func TestTranscriptCopyMove(t *testing.T) {
	// RFC 3501 §6.4.7, RFC 4315 §3 COPYUID, RFC 6851 §4.3 MOVE example.
	c := dialScript(t, greeting+selectExample+`C: A1 COPY 2:4 MEETING
S: A1 OK [COPYUID 38505 304,319:320 3956:3958] Done
C: A2 UID MOVE 42:69 foo
S: * OK [COPYUID 432432 42:69 1202:1229]
S: * 22 EXPUNGE
S: * 22 EXPUNGE
S: A2 OK Move completed
`)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	res, err := c.Copy(ctx, NumSet{Ranges: []NumRange{{2, 4}}}, "MEETING")
	if err != nil || *res != (CopyResult{38505, "304,319:320", "3956:3958"}) {
		t.Errorf("Copy = %+v, %v", res, err)
	}
	res, err = c.Move(ctx, NumSet{Ranges: []NumRange{{42, 69}}, UID: true}, "foo")
	if err != nil || *res != (CopyResult{432432, "42:69", "1202:1229"}) {
		t.Errorf("Move = %+v, %v", res, err)
	}
	if got := c.Mailbox().Exists; got != 170 {
		t.Errorf("Exists after MOVE = %d, want 170", got)
	}
}

func TestTranscriptMoveFallbackUIDPlus(t *testing.T) {
	// Without MOVE: COPY, STORE \Deleted, UID EXPUNGE of exactly those UIDs.
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 UIDPLUS] hi
C: A0 SEARCH 3
S: * SEARCH 3
S: A0 OK done
`+strings.ReplaceAll(selectExample, "A0", "A1")+`C: A2 FETCH 2:3 (UID)
S: * 2 FETCH (UID 11)
S: * 3 FETCH (UID 12)
S: A2 OK done
C: A3 UID COPY 11:12 Trash
S: A3 OK [COPYUID 7 11:12 1:2] done
C: A4 UID STORE 11:12 +FLAGS.SILENT (\Deleted)
S: A4 OK done
C: A5 UID EXPUNGE 11:12
S: * 2 EXPUNGE
S: * 2 EXPUNGE
S: A5 OK done
`)
	if _, err := c.Search(ctx, &SearchCriteria{SeqNum: &NumSet{Ranges: []NumRange{{3, 3}}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	res, err := c.Move(ctx, NumSet{Ranges: []NumRange{{2, 3}}}, "Trash")
	if err != nil || res.DestUIDs != "1:2" {
		t.Errorf("Move = %+v, %v", res, err)
	}
}

func TestTranscriptMoveFallbackLimitedToCopyUID(t *testing.T) {
	// Without MOVE: another client expunges UID 12 between our UID FETCH
	// and UID COPY. The COPYUID source set (RFC 4315 §3) says what was
	// copied; only that is marked \Deleted and expunged.
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 UIDPLUS] hi
`+selectExample+`C: A1 UID FETCH 10:* (UID)
S: * 3 FETCH (UID 13)
S: * 1 FETCH (UID 11)
S: * 2 FETCH (UID 12)
S: A1 OK done
C: A2 UID COPY 11:13 Trash
S: * 2 EXPUNGE
S: A2 OK [COPYUID 7 11,13 1:2] done
C: A3 UID STORE 11,13 +FLAGS.SILENT (\Deleted)
S: A3 OK done
C: A4 UID EXPUNGE 11,13
S: * 1 EXPUNGE
S: * 1 EXPUNGE
S: A4 OK done
`)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	res, err := c.Move(ctx, NumSet{Ranges: []NumRange{{10, 0}}, UID: true}, "Trash")
	if err != nil || *res != (CopyResult{7, "11,13", "1:2"}) {
		t.Errorf("Move = %+v, %v; want COPYUID 7 11,13 1:2", res, err)
	}
}

func TestTranscriptMoveFallbackExplicitUIDs(t *testing.T) {
	// UIDs without "*" name the same messages whatever happens during the
	// COPY: no FETCH (UID) is needed to pin them down.
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 UIDPLUS] hi
`+selectExample+`C: A1 UID COPY 11,13 Trash
S: A1 OK [COPYUID 7 11,13 1:2] done
C: A2 UID STORE 11,13 +FLAGS.SILENT (\Deleted)
S: A2 OK done
C: A3 UID EXPUNGE 11,13
S: * 1 EXPUNGE
S: * 1 EXPUNGE
S: A3 OK done
`)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	res, err := c.Move(ctx, UIDSetNum(11, 13), "Trash")
	if err != nil || *res != (CopyResult{7, "11,13", "1:2"}) {
		t.Errorf("Move = %+v, %v; want COPYUID 7 11,13 1:2", res, err)
	}
}

func TestTranscriptMoveFallbackRefusedWhenUnsafe(t *testing.T) {
	// Neither MOVE nor UIDPLUS, and another message is \Deleted: EXPUNGE
	// would remove it too, so nothing is copied. The set is resolved to
	// UIDs first, and COPY and STORE name those UIDs. The \Deleted
	// messages are asked for without the set (which may be long) and
	// compared here: the message being moved does not count.
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1] hi
C: A0 FETCH 5 (UID)
S: * 5 FETCH (UID 15)
S: A0 OK done
C: A1 UID SEARCH DELETED
S: * SEARCH 12
S: A1 OK done
C: A2 FETCH 6 (UID)
S: * 6 FETCH (UID 16)
S: A2 OK done
C: A3 UID SEARCH DELETED
S: * SEARCH 16
S: A3 OK done
C: A4 UID COPY 16 Trash
S: A4 OK done
C: A5 UID STORE 16 +FLAGS.SILENT (\Deleted)
S: A5 OK done
C: A6 EXPUNGE
S: * 6 EXPUNGE
S: A6 OK done
`)
	var ce *CapabilityError
	if _, err := c.Move(ctx, SeqSetNum(5), "Trash"); !errors.As(err, &ce) {
		t.Errorf("Move = %v, want *CapabilityError", err)
	}
	if _, err := c.Move(ctx, SeqSetNum(6), "Trash"); err != nil {
		t.Errorf("safe Move = %v", err)
	}
}

func TestTranscriptAppend(t *testing.T) {
	// RFC 3501 §6.3.11 example (synchronising literal) and RFC 4315
	// APPENDUID; RFC 7889 APPENDLIMIT refused locally.
	msg := "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.COM>\r\nSubject: afternoon meeting\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n"
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 UIDPLUS APPENDLIMIT=1000] hi
C: A0 APPEND saved-messages (\Seen) "07-Feb-1994 21:52:25 -0800" {`+fmt.Sprint(len(msg))+`}
S: + Ready for literal data
C: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
C: From: Fred Foobar <foobar@Blurdybloop.COM>
C: Subject: afternoon meeting
C: 
C: Hello Joe, do you think we can meet at 3:30 tomorrow?
C: 
S: A0 OK [APPENDUID 38505 3955] APPEND completed
C: A1 APPEND x {3}
S: A1 NO [TRYCREATE] no such mailbox
`)
	date := time.Date(1994, 2, 7, 21, 52, 25, 0, time.FixedZone("PST", -8*3600))
	res, err := c.Append(ctx, "saved-messages", int64(len(msg)), strings.NewReader(msg), &AppendOptions{Flags: []string{`\Seen`}, InternalDate: date})
	if err != nil || *res != (AppendResult{38505, 3955}) {
		t.Fatalf("Append = %+v, %v", res, err)
	}
	// The server refuses the literal instead of sending "+".
	_, err = c.Append(ctx, "x", 3, strings.NewReader("abc"), nil)
	var ie *Error
	if !errors.As(err, &ie) || ie.Code != "TRYCREATE" {
		t.Errorf("Append to missing mailbox = %v, want *Error [TRYCREATE]", err)
	}
	var ce *CapabilityError
	if _, err := c.Append(ctx, "x", 1001, strings.NewReader(strings.Repeat("x", 1001)), nil); !errors.As(err, &ce) {
		t.Errorf("Append beyond APPENDLIMIT = %v, want *CapabilityError", err)
	}
}

func TestTranscriptExpunge(t *testing.T) {
	// RFC 3501 §6.4.3 example and RFC 4315 §2.1 UID EXPUNGE.
	c := dialScript(t, greeting+selectExample+`C: A1 EXPUNGE
S: * 3 EXPUNGE
S: * 3 EXPUNGE
S: * 5 EXPUNGE
S: * 8 EXPUNGE
S: A1 OK EXPUNGE completed
C: A2 UID EXPUNGE 3000:3002
S: * 3 EXPUNGE
S: A2 OK UID EXPUNGE completed
`)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	nums, err := c.Expunge(ctx)
	if err != nil || !slices.Equal(nums, []uint32{3, 3, 5, 8}) {
		t.Errorf("Expunge = %v, %v", nums, err)
	}
	nums, err = c.UIDExpunge(ctx, NumSet{Ranges: []NumRange{{3000, 3002}}, UID: true})
	if err != nil || !slices.Equal(nums, []uint32{3}) {
		t.Errorf("UIDExpunge = %v, %v", nums, err)
	}
	if got := c.Mailbox().Exists; got != 167 {
		t.Errorf("Exists = %d, want 167", got)
	}
}

func TestTranscriptUnilateralFetchDuringFetch(t *testing.T) {
	// RFC 3501 §7.4.2: a server may send FETCH for other messages at any
	// time (flag changes by other clients); they are not answers.
	var unilateral []uint32
	c := dialScript(t, greeting+`C: A0 FETCH 1:2 (FLAGS)
S: * 1 FETCH (FLAGS (\Seen))
S: * 7 FETCH (FLAGS (\Deleted))
S: * 2 FETCH (FLAGS ())
S: A0 OK done
C: A1 STATUS inbox (MESSAGES)
S: * STATUS INBOX (MESSAGES 2)
S: A1 OK done
C: A2 UID FETCH 1:* (UID FLAGS)
S: * 3 FETCH (FLAGS (\Seen))
S: * 1 FETCH (UID 10 FLAGS ())
S: A2 OK done
`, func(o *Options) {
		o.OnUntagged = func(r *Response) {
			if r.Fetch != nil {
				unilateral = append(unilateral, r.Num)
			}
		}
	})
	var answered []uint32
	err := c.Fetch(ctx, NumSet{Ranges: []NumRange{{1, 2}}}, &FetchOptions{Flags: true}, func(m *FetchMessage) error {
		answered = append(answered, m.SeqNum)
		return nil
	})
	if err != nil || !slices.Equal(answered, []uint32{1, 2}) || !slices.Equal(unilateral, []uint32{7}) {
		t.Errorf("Fetch answered %v, unilateral %v, err %v; want [1 2], [7]", answered, unilateral, err)
	}
	// The server names INBOX in its own case.
	st, err := c.Status(ctx, "inbox", []string{"MESSAGES"})
	if err != nil || st.Messages != 2 {
		t.Errorf("Status(inbox) = %+v, %v", st, err)
	}
	// A FETCH without UID cannot answer a UID FETCH.
	answered, unilateral = nil, nil
	err = c.Fetch(ctx, AllUID(), &FetchOptions{UID: true, Flags: true}, func(m *FetchMessage) error {
		answered = append(answered, m.UID)
		return nil
	})
	if err != nil || !slices.Equal(answered, []uint32{10}) || !slices.Equal(unilateral, []uint32{3}) {
		t.Errorf("UID Fetch answered %v, unilateral %v, err %v; want [10], [3]", answered, unilateral, err)
	}
}

func TestTranscriptFetchBinary(t *testing.T) {
	// RFC 3516 §4.2: BINARY.PEEK[part] answered with a literal8 holding
	// the decoded content (here with a NUL).
	c := dialScript(t, `S: * OK [CAPABILITY IMAP4rev1 BINARY] hi
C: A0 UID FETCH 7 (UID BINARY.PEEK[2])
S: * 1 FETCH (UID 7 BINARY[2] ~{4}
S: a`+"\x00"+`
S: )
S: A0 OK done
`)
	var got []byte
	err := c.Fetch(ctx, UIDSetNum(7), &FetchOptions{UID: true, BodySections: []BodySection{{Part: []int{2}, Binary: true, Peek: true}}}, func(m *FetchMessage) error {
		b, err := m.NextBody()
		if err != nil {
			return err
		}
		got, err = io.ReadAll(b)
		if b.Name != "BINARY[2]" || b.Section != "2" {
			return fmt.Errorf("section %q %q", b.Name, b.Section)
		}
		return err
	})
	if err != nil || string(got) != "a\x00\r\n" {
		t.Errorf("Fetch(BINARY) = %q, %v", got, err)
	}
}

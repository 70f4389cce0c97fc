package imap

// Integration tests against go-imap v2's in-memory server
// (internal/testutil/memserver), seeded from testdata/corpus. Expected
// values are what the server was seeded with.

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

func dialMemserver(t *testing.T, srv *memserver.Server, mode TLSMode) *Client {
	t.Helper()
	addr := srv.Addr
	if mode == TLSImplicit {
		addr = srv.TLSAddr
	}
	c, err := Dial(testContext(t), addr, Options{TLS: mode, TLSConfig: srv.ClientTLSConfig(), DialTimeout: testTimeout, Timeout: testTimeout})
	if err != nil {
		t.Fatalf("Dial(%s) = %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(testContext(t), srv.Username, srv.Password); err != nil {
		t.Fatalf("Login = %v", err)
	}
	return c
}

func TestMemserverFetchCorpus(t *testing.T) {
	t.Parallel()
	srv := memserver.StartT(t)
	for _, tc := range []struct {
		name string
		mode TLSMode
	}{{"implicit", TLSImplicit}, {"starttls", TLSStartTLS}} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialMemserver(t, srv, tc.mode)
			ctx := testContext(t)
			want := srv.MessagesIn("INBOX")
			mb, err := c.Examine(ctx, "INBOX")
			if err != nil {
				t.Fatalf("Examine = %v", err)
			}
			if int(mb.Exists) != len(want) {
				t.Fatalf("EXISTS = %d, seeded %d", mb.Exists, len(want))
			}
			got := fetchAll(t, c, AllSeq())
			for _, w := range want {
				m := got[w.UID]
				if m == nil {
					t.Errorf("UID %d (%s) not fetched", w.UID, w.Path)
					continue
				}
				if !bytes.Equal(m.Body, w.Data) || m.Size != w.Size {
					t.Errorf("UID %d (%s): BODY[] %d bytes / RFC822.SIZE %d, seeded %d bytes", w.UID, w.Path, len(m.Body), m.Size, w.Size)
				}
				flags := slices.DeleteFunc(slices.Clone(m.Flags), func(f string) bool { return strings.EqualFold(f, `\Recent`) })
				// go-imap's server lower-cases keywords; flags are
				// case-insensitive (RFC 9051 §2.3.2).
				if !sameSet(lowerAll(flags), lowerAll(w.Flags)) {
					t.Errorf("UID %d: FLAGS %v, seeded %v", w.UID, m.Flags, w.Flags)
				}
				_, gotOff := m.InternalDate.Zone()
				_, wantOff := w.InternalDate.Zone()
				if !m.InternalDate.Equal(w.InternalDate) || gotOff != wantOff {
					t.Errorf("UID %d: INTERNALDATE %v, seeded %v", w.UID, m.InternalDate, w.InternalDate)
				}
			}
		})
	}
}

func TestMemserverMailboxes(t *testing.T) {
	t.Parallel()
	srv := memserver.StartT(t)
	c := dialMemserver(t, srv, TLSImplicit)
	ctx := testContext(t)
	list, err := c.List(ctx, "", "*", &ListOptions{Status: []string{"MESSAGES"}})
	if err != nil {
		t.Fatalf("List = %v", err)
	}
	got := listNames(list)
	for _, name := range srv.Mailboxes {
		if !slices.Contains(got, name) {
			t.Errorf("List = %v, missing %q", got, name)
		}
	}
	for _, m := range list {
		if m.Name == memserver.NonASCIIMailbox {
			if m.WireName != EncodeMailboxName(memserver.NonASCIIMailbox) {
				t.Errorf("%q came as %q, want modified UTF-7", m.Name, m.WireName)
			}
			if m.Status == nil || int(m.Status.Messages) != len(srv.MessagesIn(m.Name)) {
				t.Errorf("LIST-STATUS of %q = %+v, want %d messages", m.Name, m.Status, len(srv.MessagesIn(m.Name)))
			}
		}
	}
	mb, err := c.Select(ctx, memserver.NonASCIIMailbox, nil)
	if err != nil || int(mb.Exists) != len(srv.MessagesIn(memserver.NonASCIIMailbox)) {
		t.Fatalf("Select(%q) = %+v, %v", memserver.NonASCIIMailbox, mb, err)
	}
	ns, err := c.Namespace(ctx)
	if err != nil || len(ns.Personal) != 1 || ns.Personal[0].Delimiter != memserver.Delimiter {
		t.Errorf("Namespace = %+v, %v", ns, err)
	}
}

func TestMemserverIMAP4rev2(t *testing.T) {
	t.Parallel()
	srv := memserver.StartT(t, memserver.Options{TLS: true, IMAP4rev2: true})
	c := dialMemserver(t, srv, TLSImplicit)
	ctx := testContext(t)
	if !c.Has(ctx, "IMAP4rev2") {
		t.Fatal("IMAP4rev2 not advertised")
	}
	if _, err := c.Enable(ctx, "IMAP4rev2"); err != nil {
		t.Fatalf("Enable(IMAP4rev2) = %v", err)
	}
	// Under IMAP4rev2, mailbox names travel as UTF-8 (RFC 9051 §5.1).
	list, err := c.List(ctx, "", "*", nil)
	if err != nil || !slices.Contains(listNames(list), memserver.NonASCIIMailbox) {
		t.Fatalf("List = %v, %v", listNames(list), err)
	}
	want := srv.MessagesIn(memserver.NonASCIIMailbox)
	if _, err := c.Select(ctx, memserver.NonASCIIMailbox, nil); err != nil {
		t.Fatalf("Select = %v", err)
	}
	got := fetchAll(t, c, AllUID())
	for _, w := range want {
		if m := got[w.UID]; m == nil || !bytes.Equal(m.Body, w.Data) {
			t.Errorf("UID %d: BODY[] differs from the seeded message", w.UID)
		}
	}
	res, err := c.Search(ctx, &SearchCriteria{}, &SearchOptions{UID: true, Return: []string{"COUNT", "MIN", "MAX"}})
	if err != nil || int(res.Count) != len(want) || res.Min != want[0].UID || res.Max != want[len(want)-1].UID {
		t.Errorf("ESEARCH = %+v, %v; want count %d", res, err, len(want))
	}
}

func TestMemserverMinimalFallbacks(t *testing.T) {
	t.Parallel()
	srv := memserver.StartT(t, memserver.Options{Minimal: true})
	c := dialMemserver(t, srv, TLSNone)
	ctx := testContext(t)
	if c.Has(ctx, "MOVE") || c.Has(ctx, "UIDPLUS") || c.Has(ctx, "ESEARCH") {
		t.Fatal("minimal server advertises extensions")
	}
	source := "Corpus/python3.11-testsuite"
	want := srv.MessagesIn(source)
	if _, err := c.Select(ctx, source, nil); err != nil {
		t.Fatal(err)
	}
	// SEARCH RETURN without ESEARCH: summarised locally from SEARCH.
	res, err := c.Search(ctx, &SearchCriteria{}, &SearchOptions{Return: []string{"COUNT"}})
	if err != nil || int(res.Count) != len(want) {
		t.Errorf("Search COUNT = %+v, %v; want %d", res, err, len(want))
	}
	// MOVE without MOVE and UIDPLUS: COPY, STORE \Deleted, EXPUNGE.
	if _, err := c.Move(ctx, SeqSetNum(1), "Archive"); err != nil {
		t.Fatalf("Move = %v", err)
	}
	if c.Mailbox().Exists != uint32(len(want)-1) {
		t.Errorf("after Move, EXISTS = %d, want %d", c.Mailbox().Exists, len(want)-1)
	}
	st, err := c.Status(ctx, "Archive", []string{"MESSAGES"})
	if err != nil || st.Messages != 1 {
		t.Errorf("Status(Archive) = %+v, %v; want 1", st, err)
	}
	if _, err := c.Store(ctx, SeqSetNum(1), StoreAdd, []string{`\Deleted`}, nil); err != nil {
		t.Fatal(err)
	}
	var capErr *CapabilityError
	if _, err := c.Move(ctx, SeqSetNum(2), "Archive"); !errors.As(err, &capErr) {
		t.Errorf("Move with another \\Deleted message = %v, want *CapabilityError", err)
	}
}

func TestMemserverRequireTLS(t *testing.T) {
	t.Parallel()
	srv := memserver.StartT(t, memserver.Options{TLS: true, RequireTLS: true})
	ctx := testContext(t)
	plain, err := Dial(ctx, srv.Addr, Options{TLS: TLSNone, DialTimeout: testTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	var capErr *CapabilityError
	if err := plain.Login(ctx, srv.Username, srv.Password); !errors.As(err, &capErr) {
		t.Errorf("Login under LOGINDISABLED = %v, want *CapabilityError", err)
	}
	dialMemserver(t, srv, TLSStartTLS) // logs in after STARTTLS
}

func TestMemserverReportsSizeMismatch(t *testing.T) {
	t.Parallel()
	srv := memserver.StartT(t, memserver.Options{KeepMisserved: true})
	misserved := srv.MessagesIn(memserver.MisservedMailbox)
	if len(misserved) == 0 {
		t.Fatal("no misserved messages in the corpus")
	}
	c := dialMemserver(t, srv, TLSNone)
	ctx := testContext(t)
	if _, err := c.Examine(ctx, memserver.MisservedMailbox); err != nil {
		t.Fatal(err)
	}
	mismatches := 0
	err := c.Fetch(ctx, AllSeq(), &FetchOptions{UID: true, RFC822Size: true, BodySections: []BodySection{{Peek: true}}},
		func(m *FetchMessage) error {
			b, err := m.NextBody()
			if err != nil || b == nil {
				return err
			}
			_, err = io.Copy(io.Discard, b)
			var mm *SizeMismatchError
			if errors.As(err, &mm) {
				mismatches++
				if mm.UID != m.UID || mm.RFC822Size == mm.LiteralSize {
					t.Errorf("SizeMismatchError = %+v", mm)
				}
				return nil
			}
			return err
		})
	if err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	if mismatches != len(misserved) {
		t.Errorf("%d size mismatches reported, the server misserves %d messages", mismatches, len(misserved))
	}
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

func TestMemserverUTF8Accept(t *testing.T) {
	t.Parallel()
	srv := memserver.StartT(t, memserver.Options{})
	ctx := testContext(t)
	utf8Client := dialMemserver(t, srv, TLSNone)
	if !utf8Client.Has(ctx, "UTF8=ACCEPT") {
		t.Fatal("UTF8=ACCEPT not advertised")
	}
	enabled, err := utf8Client.Enable(ctx, "UTF8=ACCEPT")
	if err != nil || len(enabled) != 1 {
		t.Fatalf("Enable(UTF8=ACCEPT) = %v, %v", enabled, err)
	}
	// No "&": go-imap's server (beta.8) decodes every mailbox name as
	// modified UTF-7 even under UTF8=ACCEPT, so a UTF-8 name with "&"
	// fails there ([SERVERBUG]); Dovecot 2.3 has no UTF8=ACCEPT.
	name := "Ünïcødé/日本語 more"
	if err := utf8Client.Create(ctx, name); err != nil {
		t.Fatalf("Create(%q) with UTF8=ACCEPT = %v", name, err)
	}
	list, err := utf8Client.List(ctx, "", "*", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Name == name && m.WireName != name {
			t.Errorf("with UTF8=ACCEPT, %q came as %q, want UTF-8 on the wire", name, m.WireName)
		}
	}
	if !slices.Contains(listNames(list), name) {
		t.Errorf("List = %v, want %q", listNames(list), name)
	}
	// A client without UTF8=ACCEPT sees the same mailbox in modified UTF-7.
	plain := dialMemserver(t, srv, TLSNone)
	list, err = plain.List(ctx, "", "*", nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range list {
		if m.Name == name {
			found = true
			if m.WireName != EncodeMailboxName(name) {
				t.Errorf("without UTF8=ACCEPT, %q came as %q, want %q", name, m.WireName, EncodeMailboxName(name))
			}
		}
	}
	if !found {
		t.Errorf("List without UTF8=ACCEPT = %v, want %q", listNames(list), name)
	}
}

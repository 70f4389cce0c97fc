package imap

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

// generatedMessage is a deterministic message of exactly size bytes (CRLF
// lines of 78 octets), produced on the fly so that no test holds it whole.
type generatedMessage struct {
	header string
	lines  int64
	next   int64
	buf    []byte
	line   []byte
}

const generatedLineLen = 78

func newGeneratedMessage(lines int64) *generatedMessage {
	return &generatedMessage{
		header: "From: big@example.org\r\nTo: you@example.org\r\nSubject: a large message\r\nMessage-ID: <big@example.org>\r\n\r\n",
		lines:  lines,
	}
}

func (g *generatedMessage) size() int64 { return int64(len(g.header)) + g.lines*generatedLineLen }

func (g *generatedMessage) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(g.buf) == 0 {
			switch {
			case g.header != "" && g.next == 0:
				g.buf = []byte(g.header)
				g.next = 1
			case g.next <= g.lines:
				// One reused line buffer: the generator itself makes no garbage.
				if cap(g.line) == 0 {
					g.line = make([]byte, generatedLineLen)
				}
				line := g.line[:generatedLineLen]
				for i, v := 9, g.next; i >= 0; i, v = i-1, v/10 {
					line[i] = byte('0' + v%10)
				}
				line[10] = ' '
				for i := 11; i < generatedLineLen-2; i++ {
					line[i] = byte('a' + g.next%26)
				}
				line[generatedLineLen-2], line[generatedLineLen-1] = '\r', '\n'
				g.buf = line
				g.next++
			default:
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
		}
		c := copy(p[n:], g.buf)
		g.buf = g.buf[c:]
		n += c
	}
	return n, nil
}

// sampleHeap records the peak heap in use every 4 MB read through it.
type sampleHeap struct {
	r    io.Reader
	n    int64
	peak *uint64
}

func (s *sampleHeap) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if (s.n+int64(n))/(4<<20) != s.n/(4<<20) {
		*s.peak = max(*s.peak, heapInUse())
	}
	s.n += int64(n)
	return n, err
}

// heapInUse is the live heap after a collection: what is really held.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestDovecotLargeMessageStreams(t *testing.T) {
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	const lines = 400_000 // about 31 MB
	msg := newGeneratedMessage(lines)
	size := msg.size()
	wantHash := sha256.New()
	if _, err := io.Copy(wantHash, newGeneratedMessage(lines)); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, "Big"); err != nil {
		t.Fatal(err)
	}
	base := heapInUse()
	peak := base
	sampled := &sampleHeap{r: msg, peak: &peak}
	res, err := c.Append(ctx, "Big", size, sampled, nil)
	if err != nil {
		t.Fatalf("Append(%d bytes) = %v", size, err)
	}
	peak = max(peak, heapInUse())
	if _, err := c.Select(ctx, "Big", nil); err != nil {
		t.Fatal(err)
	}
	gotHash := sha256.New()
	var gotSize, literal int64
	err = c.Fetch(ctx, UIDSetNum(res.UID), &FetchOptions{RFC822Size: true, BodySections: []BodySection{{Peek: true}}},
		func(m *FetchMessage) error {
			b, err := m.NextBody()
			if err != nil || b == nil {
				return err
			}
			literal = b.Size
			buf := make([]byte, 1<<20)
			for {
				n, err := b.Read(buf)
				gotHash.Write(buf[:n])
				gotSize += int64(n)
				if gotSize%(4<<20) < int64(n) {
					peak = max(peak, heapInUse())
				}
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
			}
		})
	if err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	if gotSize != size || literal != size || !bytes.Equal(gotHash.Sum(nil), wantHash.Sum(nil)) {
		t.Errorf("fetched %d bytes (literal %d), appended %d; hashes equal: %v", gotSize, literal, size, bytes.Equal(gotHash.Sum(nil), wantHash.Sum(nil)))
	}
	grown := int64(peak) - int64(base)
	t.Logf("message %d bytes; heap in use grew by at most %d bytes", size, grown)
	if grown > size/4 {
		t.Errorf("heap grew by %d bytes for a %d-byte message: the message is being held in memory", grown, size)
	}
}

func TestDovecotCondStore(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	if !c.Has(ctx, "CONDSTORE") {
		t.Fatal("Dovecot does not advertise CONDSTORE")
	}
	uids := appendAllTo(t, c, "Modseq", threadMessages()[:3])
	mb, err := c.Select(ctx, "Modseq", &SelectOptions{CondStore: true})
	if err != nil || mb.HighestModSeq == 0 {
		t.Fatalf("Select CONDSTORE = %+v, %v", mb, err)
	}
	before := mb.HighestModSeq
	if _, err := c.Store(ctx, UIDSetNum(uids[1]), StoreAdd, []string{`\Flagged`}, nil); err != nil {
		t.Fatal(err)
	}
	var changed []uint32
	err = c.Fetch(ctx, AllUID(), &FetchOptions{UID: true, Flags: true, ModSeq: true, ChangedSince: before},
		func(m *FetchMessage) error {
			if m.ModSeq <= before {
				t.Errorf("UID %d: MODSEQ %d, not above %d", m.UID, m.ModSeq, before)
			}
			changed = append(changed, m.UID)
			return nil
		})
	if err != nil || !slices.Equal(changed, []uint32{uids[1]}) {
		t.Errorf("FETCH CHANGEDSINCE %d = %v, %v; want only UID %d", before, changed, err, uids[1])
	}
	// UNCHANGEDSINCE older than the message's mod-sequence: not stored,
	// reported in [MODIFIED] (RFC 7162 §3.1.3).
	res, err := c.Store(ctx, UIDSetNum(uids[1]), StoreAdd, []string{`\Seen`}, &StoreOptions{UnchangedSince: before})
	if err != nil {
		t.Fatalf("Store UNCHANGEDSINCE = %v", err)
	}
	if res.Modified != fmt.Sprint(uids[1]) {
		t.Errorf("Store UNCHANGEDSINCE = %+v, want MODIFIED %d", res, uids[1])
	}
	sr, err := c.Search(ctx, &SearchCriteria{ModSeq: before + 1}, &SearchOptions{UID: true})
	if err != nil || !slices.Equal(sr.All, []uint32{uids[1]}) || sr.ModSeq == 0 {
		t.Errorf("SEARCH MODSEQ %d = %+v, %v; want UID %d with a MODSEQ", before+1, sr, err, uids[1])
	}
}

// appendAllTo creates mailbox and appends msgs without selecting it.
func appendAllTo(t *testing.T, c *Client, mailbox string, msgs [][]byte) []uint32 {
	t.Helper()
	if err := c.Create(testContext(t), mailbox); err != nil {
		t.Fatalf("Create(%q) = %v", mailbox, err)
	}
	return appendAll(t, c, mailbox, msgs, nil)
}

func TestDovecotAppendLimit(t *testing.T) {
	t.Parallel()
	// Dovecot 2.3 enforces quota_max_mail_size but does not advertise it;
	// imap_capability adds the RFC 7889 capability for the same limit.
	srv := dovecot.Start(t, dovecot.WithQuota(1<<20), dovecot.WithConfig("plugin {\n  quota_max_mail_size = 10k\n}"),
		dovecot.WithCapability("+APPENDLIMIT=10240"))
	u := srv.NewUser(t)
	c := dialDovecot(t, srv, TLSImplicit)
	ctx := testContext(t)
	if err := c.Login(ctx, u.Name, u.Password); err != nil {
		t.Fatal(err)
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	limit := ""
	for name := range caps {
		if strings.HasPrefix(strings.ToUpper(name), "APPENDLIMIT=") {
			limit = name
		}
	}
	if !strings.EqualFold(limit, "APPENDLIMIT=10240") {
		t.Fatalf("capabilities %v: want APPENDLIMIT=10240 (quota_max_mail_size = 10k)", caps)
	}
	small := threadMessages()[0]
	if _, err := c.Append(ctx, "INBOX", int64(len(small)), bytes.NewReader(small), nil); err != nil {
		t.Errorf("Append of %d bytes = %v", len(small), err)
	}
	big := newGeneratedMessage(200) // about 15 KB
	_, err = c.Append(ctx, "INBOX", big.size(), big, nil)
	var capErr *CapabilityError
	if !errors.As(err, &capErr) {
		t.Errorf("Append of %d bytes over APPENDLIMIT = %v, want *CapabilityError (refused locally)", big.size(), err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop after a refused APPEND = %v", err)
	}
}

func TestDovecotQResync(t *testing.T) {
	t.Parallel()
	c, _, _ := loginDovecot(t)
	ctx := testContext(t)
	if !c.Has(ctx, "QRESYNC") {
		t.Fatal("Dovecot does not advertise QRESYNC")
	}
	if _, err := c.Enable(ctx, "QRESYNC"); err != nil {
		t.Fatalf("Enable(QRESYNC) = %v", err)
	}
	uids := appendAllTo(t, c, "Resync", threadMessages()[:4])
	mb, err := c.Select(ctx, "Resync", &SelectOptions{CondStore: true})
	if err != nil {
		t.Fatal(err)
	}
	known := *mb
	// Changes while "offline": UID 2 expunged, UID 3 flagged.
	if _, err := c.Store(ctx, UIDSetNum(uids[1]), StoreAdd, []string{`\Deleted`}, &StoreOptions{Silent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UIDExpunge(ctx, UIDSetNum(uids[1])); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(ctx, UIDSetNum(uids[2]), StoreAdd, []string{`\Flagged`}, &StoreOptions{Silent: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.Unselect(ctx); err != nil {
		t.Fatal(err)
	}
	c.Response("FETCH") // forget earlier unsolicited data
	mb, err = c.Select(ctx, "Resync", &SelectOptions{QResync: &QResyncOptions{UIDValidity: known.UIDValidity, ModSeq: known.HighestModSeq}})
	if err != nil {
		t.Fatalf("Select QRESYNC = %v", err)
	}
	if mb.VanishedEarlier != fmt.Sprint(uids[1]) {
		t.Errorf("VANISHED (EARLIER) = %q, want %d", mb.VanishedEarlier, uids[1])
	}
	changed := map[uint32][]string{}
	for _, r := range c.Response("FETCH") {
		if r.Fetch != nil {
			changed[r.Fetch.UID] = r.Fetch.Flags
		}
	}
	if flags, ok := changed[uids[2]]; !ok || !slices.Contains(flags, `\Flagged`) {
		t.Errorf("FETCH after QRESYNC SELECT = %v, want UID %d with \\Flagged", changed, uids[2])
	}
	// UID FETCH ... (CHANGEDSINCE m VANISHED) reports the expunged UID too.
	c.Response("VANISHED")
	err = c.Fetch(ctx, AllUID(), &FetchOptions{UID: true, Flags: true, ChangedSince: known.HighestModSeq, Vanished: true}, nil)
	if err != nil {
		t.Fatalf("UID FETCH CHANGEDSINCE VANISHED = %v", err)
	}
	vanished := c.Response("VANISHED")
	if len(vanished) != 1 || !strings.Contains(vanished[0].String(), fmt.Sprint(uids[1])) {
		t.Errorf("VANISHED responses = %v, want one naming UID %d", vanished, uids[1])
	}
}

func TestDovecotFetchWholeMailboxInOneCommand(t *testing.T) {
	t.Parallel()
	srv := sharedDovecot.Get(t)
	u := srv.NewUser(t)
	const n = 500
	began := time.Now()
	for i := range n {
		msg := fmt.Sprintf("From: a@example.org\r\nSubject: message %d\r\n\r\nbody %d\r\n", i, i)
		if err := srv.Deliver(u.Name, "Many", []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := testContext(t)
	var trace syncBuffer
	c, err := Dial(ctx, srv.TLSAddr(), Options{TLS: TLSImplicit, TLSConfig: srv.ClientTLSConfig(), Debug: 3, DebugWriter: &trace})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, u.Name, u.Password); err != nil {
		t.Fatal(err)
	}
	delivered := time.Now()
	if mb, err := c.Examine(ctx, "Many"); err != nil || mb.Exists != n {
		t.Fatalf("Examine(Many) = %+v, %v; want %d messages", mb, err, n)
	}
	examined := time.Now()
	seen := make(map[string]bool, n)
	err = c.Fetch(ctx, AllSeq(), &FetchOptions{UID: true, BodySections: []BodySection{{Specifier: "HEADER.FIELDS", Fields: []string{"Subject"}, Peek: true}}},
		func(m *FetchMessage) error {
			b, err := m.NextBody()
			if err != nil || b == nil {
				return fmt.Errorf("message %d: no header section (%v)", m.SeqNum, err)
			}
			h, err := io.ReadAll(b)
			seen[strings.TrimSpace(strings.TrimPrefix(string(h), "Subject:"))] = true
			return err
		})
	if err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	t.Logf("deliver %v, examine (Dovecot indexes) %v, fetch %v", delivered.Sub(began), examined.Sub(delivered), time.Since(examined))
	for i := range n {
		if !seen[fmt.Sprintf("message %d", i)] {
			t.Fatalf("subject %q not fetched (%d distinct)", fmt.Sprintf("message %d", i), len(seen))
		}
	}
	if fetches := strings.Count(trace.String(), " FETCH "); fetches != 1 {
		t.Errorf("%d FETCH commands sent for %d messages, want 1", fetches, n)
	}
}

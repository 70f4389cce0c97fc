package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// memAccount is an Account on go-imap's in-memory server over plain TCP.
func memAccount(t testing.TB, s *memserver.Server, opts ...imap.Options) Account {
	var o imap.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.TLS = imap.TLSNone
	return Account{
		Name: s.Username + "@memserver",
		User: s.Username,
		Host: "127.0.0.1",
		Connect: func(ctx context.Context) (*imap.Client, error) {
			c, err := imap.Dial(ctx, s.Addr, o)
			if err != nil {
				return nil, err
			}
			if err := c.Login(ctx, s.Username, s.Password); err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		},
	}
}

// client returns a logged-in client of acct, closed when t ends.
func client(t testing.TB, acct Account) *imap.Client {
	t.Helper()
	c, err := acct.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// commandLog records the commands clients send (debug level 3 trace).
type commandLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *commandLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if i := strings.Index(line, "C: "); i >= 0 {
			l.lines = append(l.lines, line[i:])
		}
	}
	return len(p), nil
}

// count returns how many commands contain verb (e.g. " UID FETCH ") and
// forgets everything logged so far.
func (l *commandLog) count(verb string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line, verb) {
			n++
		}
	}
	return n
}

func (l *commandLog) reset() {
	l.mu.Lock()
	l.lines = nil
	l.mu.Unlock()
}

// tracedAccount is memAccount with every command logged.
func tracedAccount(t testing.TB, s *memserver.Server) (Account, *commandLog) {
	log := &commandLog{}
	return memAccount(t, s, imap.Options{Debug: 3, DebugWriter: log}), log
}

// runBackup runs a backup and fails the test on error.
func runBackup(t testing.TB, opts Options) *Summary {
	t.Helper()
	sum, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	return sum
}

// verifyClean runs a deep verify and fails the test on any difference.
func verifyClean(t testing.TB, dir string, acct Account) *VerifyReport {
	t.Helper()
	c := client(t, acct)
	rep, err := Verify(context.Background(), c, VerifyOptions{Dir: dir, Account: acct, Deep: true})
	if err != nil {
		t.Fatalf("Verify = %v", err)
	}
	if !rep.Matches() {
		t.Fatalf("Verify found differences: %v", rep.Differences)
	}
	return rep
}

// appendMessage appends a small message to mailbox and returns its UID.
func appendMessage(t testing.TB, acct Account, mailbox, subject string) uint32 {
	t.Helper()
	c := client(t, acct)
	msg := "From: a@example.org\r\nTo: b@example.org\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject + "@example.org>\r\n\r\nbody of " + subject + "\r\n"
	res, err := c.Append(context.Background(), mailbox, int64(len(msg)), strings.NewReader(msg), &imap.AppendOptions{Flags: []string{`\Seen`}})
	if err != nil {
		t.Fatalf("Append = %v", err)
	}
	return res.UID
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

func hasFlag(flags []string, flag string) bool {
	for _, f := range flags {
		if strings.EqualFold(f, flag) {
			return true
		}
	}
	return false
}

// fetchAll returns the bodies of the selected mailbox.
func fetchAll(t testing.TB, c *imap.Client) []string {
	t.Helper()
	var out []string
	err := c.Fetch(context.Background(), imap.AllUID(), &imap.FetchOptions{UID: true, BodySections: []imap.BodySection{{Peek: true}}}, func(m *imap.FetchMessage) error {
		b, err := m.NextBody()
		if err != nil || b == nil {
			return err
		}
		data, err := io.ReadAll(b)
		out = append(out, string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readManifest folds dir's manifest. A last line without its newline is
// the remains of a crash: it is cut off the file (when repair is set) and
// ignored.
func readManifest(dir string, repair bool) (*Manifest, error) {
	m := &Manifest{Messages: map[uint32]*Entry{}, Failed: map[uint32]string{}}
	if err := scanManifest(dir, repair, func(e *Entry, _ int64) { m.apply(e) }); err != nil {
		return nil, err
	}
	return m, nil
}

// messageFiles lists the message files of a Maildir or eml mailbox folder
// by UID (Maildir ",U=" names, eml "<uid>.eml"), as paths relative to dir.
// Files without a UID are not ours and are not listed.
func messageFiles(format, dir string) (map[uint32][]string, error) {
	files := map[uint32][]string{}
	err := eachMessageFile(format, dir, func(uid uint32, path string) error {
		files[uid] = append(files[uid], path)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

func sortedUIDs[V any](m map[uint32]V) []uint32 {
	uids := make([]uint32, 0, len(m))
	for uid := range m {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	return uids
}

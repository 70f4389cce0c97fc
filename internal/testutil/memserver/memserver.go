// Package memserver runs go-imap v2's in-memory IMAP server (imapserver +
// imapmemserver, v2.0.0-beta.8) on a loopback port with one user and
// mailboxes seeded from a corpus of real messages (testdata/corpus), with
// bare LF line ends turned into CRLF as IMAP requires (RFC 3501 §2.3.1). It is
// a server that no one on this project wrote, for integration tests and for
// the demo program.
//
// go-imap's in-memory server serves some messages wrongly: for a message
// without a blank line between header and body, BODY[] differs from the
// stored message that RFC822.SIZE counts. Seeding therefore keeps only the
// messages for which the server's own BODY[] extraction returns the stored
// bytes exactly, and lists the others in Server.Skipped.
package memserver

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/imapctl/imapctl/internal/testutil/testcert"
)

// Logger receives the server's error messages.
type Logger interface {
	Printf(format string, args ...any)
}

// Options configure a Server. The zero value is usable: user "alice" with
// password "alice-secret", no TLS, no messages.
type Options struct {
	// Addr is the plain listener's address; "" means 127.0.0.1 on a free port.
	Addr string
	// TLSAddr is the implicit-TLS listener's address when TLS is set; ""
	// means 127.0.0.1 on a free port.
	TLSAddr string
	// TLS adds an implicit-TLS listener and STARTTLS on the plain one, with
	// a certificate for "localhost" and "127.0.0.1" signed by a fresh test CA.
	TLS bool
	// RequireTLS refuses authentication before TLS (LOGINDISABLED, RFC 3501
	// §6.2.3). It needs TLS.
	RequireTLS bool
	// IMAP4rev2 makes the server advertise IMAP4rev2 (RFC 9051) besides
	// IMAP4rev1.
	IMAP4rev2 bool
	// Minimal advertises IMAP4rev1 only, without the extensions go-imap
	// can serve (NAMESPACE, UIDPLUS, MOVE, ESEARCH, LIST-STATUS, ...), so
	// that clients take their fallback paths.
	Minimal bool
	// Username and Password of the only user; defaults "alice" and
	// "alice-secret".
	Username, Password string
	// CorpusDir is a folder of .eml files (one folder per source, like
	// testdata/corpus); "" seeds no messages.
	CorpusDir string
	// KeepMisserved also seeds the corpus messages this server serves
	// wrongly, into MisservedMailbox only (never INBOX), so that tests can
	// check a client notices BODY[] and RFC822.SIZE disagreeing.
	KeepMisserved bool
	// Logger receives the server's errors; nil discards them.
	Logger Logger
	// DebugWriter, when set, receives the raw protocol (including passwords).
	DebugWriter io.Writer
}

// SeededMessage is one message put into a mailbox at start-up.
type SeededMessage struct {
	Mailbox      string    // mailbox name (UTF-8)
	UID          uint32    // its UID in Mailbox
	Path         string    // the file it came from
	Data         []byte    // the bytes stored and served as BODY[] (CRLF line ends)
	CRLFAdded    bool      // the file had bare LF line ends, turned into CRLF before APPEND
	Size         int64     // len(Data): RFC822.SIZE and, except in MisservedMailbox, the length of BODY[]
	Flags        []string  // its flags, e.g. `\Seen`, `$Label1` (go-imap reports keywords lower-cased)
	InternalDate time.Time // its INTERNALDATE (whole seconds, with a zone)
}

// SkippedMessage is a corpus file not seeded, and why.
type SkippedMessage struct {
	Path   string
	Reason string
}

// Mailbox names the server creates. INBOX holds every seeded message;
// CorpusMailbox(source) holds those of one corpus folder;
// NonASCIIMailbox holds the first three; MisservedMailbox, with
// KeepMisserved, the messages in Skipped.
const (
	NonASCIIMailbox  = "Entwürfe/日本語"
	MisservedMailbox = "Misserved"
	Delimiter        = "/"
)

// CorpusMailbox is the name of the mailbox holding the messages of one
// corpus folder.
func CorpusMailbox(source string) string { return "Corpus/" + source }

// Server is a running in-memory IMAP server.
type Server struct {
	Addr     string // plain listener (STARTTLS offered when TLS is set)
	TLSAddr  string // implicit-TLS listener, "" without TLS
	Username string
	Password string
	// CACertPEM is the test CA's certificate, nil without TLS.
	CACertPEM []byte
	// Mailboxes lists every mailbox created, INBOX first.
	Mailboxes []string
	// Messages lists the seeded messages, by mailbox then UID.
	Messages []SeededMessage
	// Skipped lists corpus files not seeded because this server would serve
	// them wrongly.
	Skipped []SkippedMessage

	certs     *testcert.Bundle
	server    *imapserver.Server
	listeners []net.Listener
	serving   sync.WaitGroup
}

// Start starts a server; call Close to stop it.
func Start(opts Options) (*Server, error) {
	if opts.Username == "" {
		opts.Username, opts.Password = "alice", "alice-secret"
	}
	if opts.RequireTLS && !opts.TLS {
		return nil, errors.New("memserver: RequireTLS needs TLS")
	}
	s := &Server{Username: opts.Username, Password: opts.Password}
	user := imapmemserver.NewUser(opts.Username, opts.Password)
	if err := s.seed(user, opts.CorpusDir, opts.KeepMisserved); err != nil {
		return nil, err
	}
	mem := imapmemserver.New()
	mem.AddUser(user)

	caps := imap.CapSet{imap.CapIMAP4rev1: {}}
	if !opts.Minimal {
		for _, c := range []imap.Cap{
			imap.CapNamespace, imap.CapUIDPlus, imap.CapESearch, imap.CapListExtended, imap.CapListStatus,
			// Not SPECIAL-USE: imapmemserver (beta.8) ignores the special
			// use given to Create and never reports one.
			imap.CapMove, imap.CapStatusSize, imap.CapChildren, imap.CapLiteralPlus,
		} {
			caps[c] = struct{}{}
		}
	}
	if opts.IMAP4rev2 {
		caps[imap.CapIMAP4rev2] = struct{}{}
	}
	var logger imapserver.Logger = discardLogger{}
	if opts.Logger != nil {
		logger = opts.Logger
	}
	serverOpts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		Logger:       logger,
		InsecureAuth: !opts.RequireTLS,
		DebugWriter:  opts.DebugWriter,
	}
	if opts.TLS {
		var err error
		if s.certs, err = testcert.New(); err != nil {
			return nil, err
		}
		s.CACertPEM = s.certs.CACertPEM
		serverOpts.TLSConfig = s.certs.ServerTLSConfig()
	}
	s.server = imapserver.New(serverOpts)

	plain, err := net.Listen("tcp", cmpOr(opts.Addr, "127.0.0.1:0"))
	if err != nil {
		return nil, fmt.Errorf("memserver: %w", err)
	}
	s.Addr = plain.Addr().String()
	s.serve(plain)
	if opts.TLS {
		ln, err := tls.Listen("tcp", cmpOr(opts.TLSAddr, "127.0.0.1:0"), serverOpts.TLSConfig)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("memserver: %w", err)
		}
		s.TLSAddr = ln.Addr().String()
		s.serve(ln)
	}
	return s, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Server) serve(ln net.Listener) {
	s.listeners = append(s.listeners, ln)
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		s.server.Serve(ln)
	}()
}

// Close closes the listeners and every connection, and waits for the
// listeners to stop.
func (s *Server) Close() error {
	err := s.server.Close()
	// imapserver.Close closes only the listeners its Serve has registered
	// already; a Serve that starts after Close returns without closing.
	for _, ln := range s.listeners {
		ln.Close()
	}
	s.serving.Wait()
	return err
}

// CertPool returns a new pool holding only the test CA (nil without TLS).
func (s *Server) CertPool() *x509.CertPool {
	if s.certs == nil {
		return nil
	}
	return s.certs.CertPool()
}

// ClientTLSConfig returns a client configuration that trusts only the test
// CA, with ServerName "localhost" (nil without TLS).
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.certs == nil {
		return nil
	}
	return s.certs.ClientTLSConfig()
}

// MessagesIn returns the seeded messages of one mailbox in UID order.
func (s *Server) MessagesIn(mailbox string) []SeededMessage {
	var out []SeededMessage
	for _, m := range s.Messages {
		if m.Mailbox == mailbox {
			out = append(out, m)
		}
	}
	return out
}

// seedFlags and seedDate give message number i (0-based, in corpus order)
// deterministic, varied flags and internal dates.
func seedFlags(i int) []string {
	var flags []string
	for _, f := range []struct {
		every int
		flag  string
	}{{2, `\Seen`}, {5, `\Flagged`}, {7, `\Answered`}, {11, `\Draft`}, {13, `$Label1`}, {17, `$Forwarded`}} {
		if i%f.every == 0 {
			flags = append(flags, f.flag)
		}
	}
	return flags
}

func seedDate(i int) time.Time {
	zones := []int{0, 2 * 3600, -7 * 3600, 5*3600 + 1800, -(3*3600 + 1800), 14 * 3600}
	zone := time.FixedZone("", zones[i%len(zones)])
	return time.Date(2019, time.March, 31, 22, 15, 7, 0, zone).Add(time.Duration(i) * 37 * time.Hour)
}

// servedCorrectly reports whether go-imap's server would serve data as
// BODY[] byte for byte (RFC822.SIZE is len(data)).
func servedCorrectly(data []byte) (bool, string) {
	body := imapserver.ExtractBodySection(bytes.NewReader(data), &imap.FetchItemBodySection{})
	if !bytes.Equal(body, data) {
		return false, fmt.Sprintf("go-imap would serve BODY[] of %d bytes for a message of %d bytes (RFC822.SIZE)", len(body), len(data))
	}
	return true, ""
}

// good is a corpus message that will be seeded.
type good struct {
	file      string
	source    string
	data      []byte
	crlfAdded bool
	index     int
}

// toCRLF turns every LF not preceded by CR into CRLF.
func toCRLF(data []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(data) + bytes.Count(data, []byte("\n")))
	for i, c := range data {
		if c == '\n' && (i == 0 || data[i-1] != '\r') {
			out.WriteByte('\r')
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

type literal struct {
	*bytes.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

func (s *Server) seed(user *imapmemserver.User, corpusDir string, keepMisserved bool) error {
	special := []struct {
		name string
		attr imap.MailboxAttr
	}{
		{"Drafts", imap.MailboxAttrDrafts}, {"Sent", imap.MailboxAttrSent}, {"Trash", imap.MailboxAttrTrash},
		{"Junk", imap.MailboxAttrJunk}, {"Archive", imap.MailboxAttrArchive},
	}
	create := func(name string, opts *imap.CreateOptions) error {
		if err := user.Create(name, opts); err != nil {
			return fmt.Errorf("memserver: create %q: %w", name, err)
		}
		if err := user.Subscribe(name); err != nil {
			return fmt.Errorf("memserver: subscribe %q: %w", name, err)
		}
		s.Mailboxes = append(s.Mailboxes, name)
		return nil
	}
	if err := create("INBOX", nil); err != nil {
		return err
	}
	for _, m := range special {
		if err := create(m.name, &imap.CreateOptions{SpecialUse: []imap.MailboxAttr{m.attr}}); err != nil {
			return err
		}
	}
	if err := create(NonASCIIMailbox, nil); err != nil {
		return err
	}
	if corpusDir == "" {
		return nil
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".eml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("memserver: corpus: %w", err)
	}
	if len(files) == 0 {
		return fmt.Errorf("memserver: no .eml files in %s", corpusDir)
	}
	slices.Sort(files)
	appendTo := func(mailbox string, g good) error {
		file, data, i := g.file, g.data, g.index
		flags := seedFlags(i)
		date := seedDate(i)
		imapFlags := make([]imap.Flag, len(flags))
		for k, f := range flags {
			imapFlags[k] = imap.Flag(f)
		}
		res, err := user.Append(mailbox, literal{bytes.NewReader(data), int64(len(data))}, &imap.AppendOptions{Flags: imapFlags, Time: date})
		if err != nil {
			return fmt.Errorf("memserver: append %s to %q: %w", file, mailbox, err)
		}
		s.Messages = append(s.Messages, SeededMessage{
			Mailbox: mailbox, UID: uint32(res.UID), Path: file, Data: data, CRLFAdded: g.crlfAdded,
			Size: int64(len(data)), Flags: flags, InternalDate: date,
		})
		return nil
	}
	var seeded, misserved []good
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("memserver: %w", err)
		}
		crlf := toCRLF(data)
		crlfAdded := !bytes.Equal(crlf, data)
		if ok, why := servedCorrectly(crlf); !ok {
			s.Skipped = append(s.Skipped, SkippedMessage{Path: file, Reason: why})
			misserved = append(misserved, good{file: file, data: crlf, crlfAdded: crlfAdded, index: len(misserved)})
			continue
		}
		rel, _ := filepath.Rel(corpusDir, file)
		source, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		seeded = append(seeded, good{file: file, source: source, data: crlf, crlfAdded: crlfAdded, index: len(seeded)})
	}
	for _, g := range seeded {
		if err := appendTo("INBOX", g); err != nil {
			return err
		}
	}
	var sources []string
	for _, g := range seeded {
		mbox := CorpusMailbox(g.source)
		if !slices.Contains(sources, g.source) {
			sources = append(sources, g.source)
			if err := create(mbox, nil); err != nil {
				return err
			}
		}
		if err := appendTo(mbox, g); err != nil {
			return err
		}
	}
	for _, g := range seeded[:min(3, len(seeded))] {
		if err := appendTo(NonASCIIMailbox, g); err != nil {
			return err
		}
	}
	if keepMisserved && len(misserved) > 0 {
		if err := create(MisservedMailbox, nil); err != nil {
			return err
		}
		for _, g := range misserved {
			if err := appendTo(MisservedMailbox, g); err != nil {
				return err
			}
		}
	}
	return nil
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// testLogger forwards to tb.Logf until the test ends.
type testLogger struct {
	mu   sync.Mutex
	tb   testing.TB
	done bool
}

func (l *testLogger) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.tb.Logf("memserver: "+format, args...)
	}
}

func (l *testLogger) stop() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
}

// StartT starts a server for tb, seeded from the repository's
// testdata/corpus unless opts.CorpusDir is set, with TLS, and closes it when
// tb ends.
func StartT(tb testing.TB, opts ...Options) *Server {
	tb.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	} else {
		o.TLS = true
	}
	if o.CorpusDir == "" {
		dir, err := RepoCorpusDir()
		if err != nil {
			tb.Fatal(err)
		}
		o.CorpusDir = dir
	}
	logger := &testLogger{tb: tb}
	if o.Logger == nil {
		o.Logger = logger
	}
	s, err := Start(o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		logger.stop()
		s.Close()
	})
	return s
}

// RepoCorpusDir finds testdata/corpus by walking up from the working
// directory to the folder holding go.mod.
func RepoCorpusDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			corpus := filepath.Join(dir, "testdata", "corpus")
			if _, err := os.Stat(corpus); err != nil {
				return "", fmt.Errorf("memserver: %w", err)
			}
			return corpus, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("memserver: no go.mod above the working directory")
		}
		dir = parent
	}
}

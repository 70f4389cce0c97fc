package imap

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// TLSMode says how a connection is secured.
type TLSMode int

const (
	// TLSImplicit starts TLS before any IMAP data (port 993, RFC 8314 §3).
	TLSImplicit TLSMode = iota
	// TLSStartTLS connects in clear and upgrades with STARTTLS (RFC 3501
	// §6.2.1); if the server does not offer it, or greets with PREAUTH
	// (which leaves no not-authenticated state to send STARTTLS in),
	// Dial fails.
	TLSStartTLS
	// TLSNone never uses TLS. Passwords then travel in clear.
	TLSNone
)

// Options configure Dial. The zero value dials implicit TLS with
// certificates verified against the system roots and no timeouts.
type Options struct {
	TLS TLSMode
	// TLSConfig, if set, is used for the handshake (cloned; ServerName is
	// filled from the address when empty).
	TLSConfig *tls.Config
	// CAFile names a PEM file of certificate authorities to trust instead
	// of the system roots.
	CAFile string
	// InsecureSkipVerify disables certificate verification. It must be
	// asked for explicitly; it is never the default.
	InsecureSkipVerify bool

	// DialTimeout bounds connecting, the TLS handshake and the greeting.
	DialTimeout time.Duration
	// Timeout aborts the connection when the server sends nothing for this
	// long while a command waits for it (an inactivity timeout: a long
	// download that keeps flowing is not cut). Zero means no timeout.
	Timeout time.Duration

	// Debug is imaplib's debug level: >= 1 reports connection events,
	// >= 3 the commands sent, >= 4 the responses received (literal data is
	// shown as its size). Passwords and tokens appear as "***".
	Debug int
	// DebugWriter receives the trace; nil means os.Stderr.
	DebugWriter io.Writer

	// OnUntagged, if set, is called from the reader goroutine with every
	// untagged response no command asked for (EXISTS, EXPUNGE, FETCH flag
	// updates, ...: the events of IDLE) and with every untagged [ALERT]
	// (RFC 3501 §7.1: its text must be shown to the user). It must not
	// block or call the client.
	OnUntagged func(*Response)

	// MaxLineLength bounds a response line (literals not counted);
	// 0 means imapwire.DefaultMaxLineLength, raised to
	// imapwire.MaxResultLineLength for SEARCH, SORT, ESEARCH and THREAD
	// responses.
	MaxLineLength int64

	// MaxLiteralInMemory bounds literals read into memory (envelope
	// strings, LIST names; never bodies); 0 means
	// imapwire.DefaultMaxLiteralInMemory.
	MaxLiteralInMemory int64

	// Tags makes command tags; nil means imaplib's scheme with a random
	// prefix (NewTagGenerator).
	Tags *TagGenerator

	// DialContext, if set, replaces net.Dialer (tests use it for pipes).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Client is a connection to an IMAP server. Its methods may be called
// from several goroutines; commands issued concurrently are pipelined
// (RFC 3501 §5.5) and their completions matched by tag, except that a
// command whose untagged answers could not be told apart from those of a
// pending command waits for it before it is sent (see the package
// documentation).
type Client struct {
	opts  Options
	tags  *TagGenerator
	trace *tracer

	rawConn net.Conn      // the TCP (or test) connection
	inner   *timeoutConn  // the current transport (TLS after STARTTLS)
	wtarget io.Writer     // what bw writes to (inner, or a compressor)
	br      *bufio.Reader // reader goroutine only
	bw      *bufio.Writer // under writeLock
	dec     *imapwire.Decoder
	// lineLimit and resultLineLimit are the line bounds for ordinary
	// responses and for SEARCH-like results.
	lineLimit, resultLineLimit int64
	enc                        *imapwire.Encoder
	flateOut                   *flateWriter

	writeLock writeLock // held while one command is being written

	mu      sync.Mutex
	pending []*command // sent, in tag order
	// queue holds commands waiting to be sent (dispatch.go); wake is
	// closed and replaced when they should check again.
	queue []*command
	wake  chan struct{}
	// completing is the command whose tagged response the reader is
	// handling; it still blocks conflicting commands.
	completing *command
	caps       map[string]bool
	enabled    map[string]bool
	mailbox    *Mailbox
	untagged   map[string][]*Response
	greeting   *Response
	bye        string
	abortErr   error
	authed     bool

	cont       chan string // continuation requests for the writer
	readerDone chan struct{}
	greeted    chan struct{}
	waiting    atomic.Int32 // >0 while a response is expected
	inCallback atomic.Bool  // the reader goroutine runs caller code
	loggingOut atomic.Bool  // LOGOUT sent: the server's BYE and close are expected
}

// maxKeptPerName and maxKeptNames bound imaplib-style untagged response
// storage.
const (
	maxKeptPerName = 1000
	maxKeptNames   = 256
)

// command is one command in flight.
type command struct {
	tag  string
	name string
	// want lists the untagged response names this command collects.
	want map[string]bool
	// claimsState: collected responses describe a new mailbox (SELECT)
	// and must not update the current one.
	claimsState bool
	// key narrows claiming: a STATUS command claims only the STATUS
	// response for its mailbox.
	key       string
	responses []*Response
	fetch     *fetchSink
	onOK      func(status *Response) // runs in the reader before done closes
	// keepWriteLock keeps the write side locked until the command
	// completed; afterOK then runs on the writer's side (STARTTLS and
	// COMPRESS change the outgoing stream).
	keepWriteLock bool
	afterOK       func()
	// idling is set while an IDLE command owes no response, so that it
	// does not count for the inactivity timeout.
	idling atomic.Bool
	// class says which other commands it may be in flight with.
	class  dispatchClass
	status *Response
	err    error
	done   chan struct{}
}

// Dial connects to addr ("host:port"), secures the connection as opts
// say, and reads the server greeting (RFC 3501 §7.1). The returned client
// is in the not-authenticated state unless the server sent PREAUTH.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	if opts.DialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.DialTimeout)
		defer cancel()
	}
	dial := opts.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, &AbortError{Err: err}
	}
	var tlsConf *tls.Config
	if opts.TLS != TLSNone {
		if tlsConf, err = makeTLSConfig(addr, opts); err != nil {
			conn.Close()
			return nil, err
		}
	}
	if opts.TLS == TLSImplicit {
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, &AbortError{Err: fmt.Errorf("TLS handshake: %w", err)}
		}
		conn = tc
	}
	c := NewClient(conn, opts)
	if err := c.waitGreeting(ctx); err != nil {
		c.Close()
		return nil, err
	}
	if opts.TLS == TLSStartTLS {
		if err := c.startTLS(ctx, tlsConf); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// NewClient starts a client on an established connection (for example one
// made by a test). The greeting is read in the background; commands wait
// for it.
func NewClient(conn net.Conn, opts Options) *Client {
	c := &Client{
		opts:       opts,
		tags:       opts.Tags,
		rawConn:    conn,
		caps:       map[string]bool{},
		enabled:    map[string]bool{},
		untagged:   map[string][]*Response{},
		cont:       make(chan string, 1),
		readerDone: make(chan struct{}),
		greeted:    make(chan struct{}),
		wake:       make(chan struct{}),
		writeLock:  newWriteLock(),
	}
	if c.tags == nil {
		c.tags = NewTagGenerator()
	}
	if opts.Debug > 0 {
		w := opts.DebugWriter
		if w == nil {
			w = os.Stderr
		}
		c.trace = &tracer{w: w, level: opts.Debug}
	}
	c.inner = &timeoutConn{c: c}
	c.inner.setConn(conn)
	c.wtarget = c.inner
	c.br = bufio.NewReaderSize(c.traceReader(c.inner), 64<<10)
	c.bw = bufio.NewWriterSize(c.wtarget, 32<<10)
	c.dec = imapwire.NewDecoder(c.br)
	c.lineLimit, c.resultLineLimit = imapwire.DefaultMaxLineLength, imapwire.MaxResultLineLength
	if opts.MaxLineLength > 0 {
		c.lineLimit, c.resultLineLimit = opts.MaxLineLength, opts.MaxLineLength
	}
	c.dec.MaxLineLength = c.lineLimit
	if opts.MaxLiteralInMemory > 0 {
		c.dec.MaxLiteralInMemory = opts.MaxLiteralInMemory
	}
	c.enc = imapwire.NewEncoder(c.bw)
	if c.trace != nil && c.trace.level >= 3 {
		c.enc.TraceLine = func(l string) { c.trace.printf("C: %s", l) }
	}
	c.waiting.Add(1) // the greeting
	go c.readLoop()
	return c
}

func makeTLSConfig(addr string, opts Options) (*tls.Config, error) {
	conf := &tls.Config{}
	if opts.TLSConfig != nil {
		conf = opts.TLSConfig.Clone()
	}
	if conf.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		conf.ServerName = host
	}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("imap: reading CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("imap: CA file %s holds no PEM certificate", opts.CAFile)
		}
		conf.RootCAs = pool
	}
	if opts.InsecureSkipVerify {
		conf.InsecureSkipVerify = true
	}
	return conf, nil
}

func (c *Client) waitGreeting(ctx context.Context) error {
	select {
	case <-c.greeted:
	default:
		select {
		case <-c.greeted:
		case <-c.readerDone:
		case <-ctx.Done():
			c.abort(ctx.Err())
			<-c.readerDone
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.greeting == nil {
		if c.abortErr != nil {
			return c.abortErr
		}
		return &AbortError{Err: errors.New("no greeting")}
	}
	if c.greeting.Name == "BYE" {
		return &AbortError{Bye: c.greeting.Text}
	}
	return nil
}

// Greeting returns the server's greeting (RFC 3501 §7.1): an OK, PREAUTH or
// BYE response. It waits for it to arrive.
func (c *Client) Greeting(ctx context.Context) (*Response, error) {
	if err := c.waitGreeting(ctx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.greeting, nil
}

// StartTLS upgrades a plain connection with STARTTLS (RFC 3501 §6.2.1).
// Dial does this itself for TLSStartTLS, which is the better choice; conf
// must name the server (ServerName) for the certificate check. It fails
// with a *CapabilityError, sending nothing, when the server does not offer
// STARTTLS or greeted with PREAUTH.
func (c *Client) StartTLS(ctx context.Context, conf *tls.Config) error {
	if conf == nil {
		return errors.New("imap: StartTLS needs a *tls.Config with ServerName (or use Dial with TLSStartTLS)")
	}
	return c.startTLS(ctx, conf)
}

// startTLS runs STARTTLS (RFC 3501 §6.2.1) and the handshake, then
// discards what was learned in clear (forgetCleartextLocked).
func (c *Client) startTLS(ctx context.Context, conf *tls.Config) error {
	greeting, err := c.Greeting(ctx)
	if err != nil {
		return err
	}
	if greeting.Name == "PREAUTH" {
		// STARTTLS is a not-authenticated state command (RFC 3501
		// §6.2.1), and an authentication announced in clear may be a
		// man in the middle's (RFC 2595 §3.1): refuse before sending
		// anything.
		return &CapabilityError{Command: "STARTTLS", Reason: "server greeted with PREAUTH in clear, where STARTTLS is not allowed and the session cannot be trusted; refusing to continue"}
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return err
	}
	if !caps["STARTTLS"] {
		return &CapabilityError{Command: "STARTTLS", Reason: "server does not offer STARTTLS; refusing to continue in clear"}
	}
	var handshakeErr error
	cmd := c.newCommand("STARTTLS")
	cmd.onOK = func(*Response) {
		// Runs in the reader goroutine, which owns the read side; the
		// writer side is held by this command (writeLock).
		if c.br.Buffered() > 0 {
			handshakeErr = errors.New("server sent data after STARTTLS OK (possible injection)")
			return
		}
		tc := tls.Client(c.rawConn, conf)
		hctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			handshakeErr = fmt.Errorf("TLS handshake: %w", err)
			return
		}
		c.inner.setConn(tc)
		c.br.Reset(c.traceReader(c.inner))
		c.mu.Lock()
		c.forgetCleartextLocked()
		c.mu.Unlock()
	}
	cmd.keepWriteLock = true
	err = c.run(ctx, cmd, nil, false)
	if err == nil && handshakeErr != nil {
		err = &AbortError{Err: handshakeErr}
		c.abort(err)
	}
	c.debugf("STARTTLS done: %v", err)
	return err
}

// forgetCleartextLocked discards everything the client learned from the
// server before the STARTTLS handshake: a man in the middle may have
// written any of it. RFC 3501 §6.2.1 and RFC 2595 §3.1 say so of the
// capabilities; the same holds for the extensions an injected ENABLED
// would have turned on, the untagged responses kept for Response, the
// text of a BYE and the selected mailbox (none can be legitimately
// selected before authentication). The greeting stays: Dial needs it to
// know the connection was greeted, and nothing trusts it after STARTTLS
// (a PREAUTH greeting is refused before STARTTLS is sent).
func (c *Client) forgetCleartextLocked() {
	c.caps = map[string]bool{}
	c.enabled = map[string]bool{}
	c.untagged = map[string][]*Response{}
	c.bye = ""
	c.mailbox = nil
	select {
	case <-c.cont: // a stale continuation request sent in clear
	default:
	}
}

// newCommand makes a command collecting the named untagged responses.
func (c *Client) newCommand(name string, want ...string) *command {
	cmd := &command{name: name, done: make(chan struct{})}
	if len(want) > 0 {
		cmd.want = map[string]bool{}
		for _, w := range want {
			cmd.want[w] = true
		}
	}
	return cmd
}

// run writes cmd (name followed by what args writes) and waits for its
// completion. Commands with keepWriteLock keep the write side locked
// until completion (STARTTLS, COMPRESS change the stream afterwards).
func (c *Client) run(ctx context.Context, cmd *command, args func(e *imapwire.Encoder), holdWrite bool) error {
	if err := c.send(ctx, cmd, args, holdWrite); err != nil {
		return err
	}
	err := c.wait(ctx, cmd)
	if cmd.keepWriteLock {
		if err == nil && cmd.afterOK != nil {
			cmd.afterOK()
		}
		c.writeLock.Unlock()
	}
	return err
}

// send writes a command; on return the command is in flight. It first
// waits until no pending command conflicts with it (dispatch.go, RFC 3501
// §5.5). With holdWrite the write side stays locked on success and the
// caller must unlock c.writeLock (AUTHENTICATE and IDLE write
// continuation lines).
func (c *Client) send(ctx context.Context, cmd *command, args func(e *imapwire.Encoder), holdWrite bool) (err error) {
	if err := c.waitGreeting(ctx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // nothing sent: the connection stays usable
	}
	if err := c.dispatch(ctx, cmd); err != nil {
		return err // nothing sent
	}
	defer func() {
		// With keepWriteLock (or holdWrite) a sent command keeps the write
		// side locked; the caller unlocks once the command is complete.
		if err == nil && (cmd.keepWriteLock || holdWrite) {
			return
		}
		c.writeLock.Unlock()
	}()
	c.mu.Lock()
	c.enc.Literals = c.literalModeLocked()
	c.enc.UTF8 = c.enabled["UTF8=ACCEPT"] || c.enabled["IMAP4REV2"]
	c.mu.Unlock()
	c.waiting.Add(1)
	c.armDeadline()

	// Drop a stale continuation request before this command may need one.
	select {
	case <-c.cont:
	default:
	}
	e := c.enc
	e.Reset()
	e.WaitContinuation = func() error { _, err := c.waitContinuation(ctx, cmd); return err }
	flushedBefore := c.bw.Buffered() == 0
	e.Raw(cmd.tag).SP().Raw(cmd.name)
	if args != nil {
		args(e)
	}
	err = e.CRLF()
	if err != nil {
		var ee *imapwire.EncodeError
		var ie *Error
		if (errors.As(err, &ee) || errors.As(err, &ie)) && flushedBefore && !e.Flushed() {
			// Nothing reached the server: forget the command.
			c.bw.Reset(c.wtarget)
			c.forget(cmd)
			return err
		}
		if errors.As(err, &ie) {
			// The server refused a synchronising literal with a tagged
			// NO/BAD: the command is complete.
			return err
		}
		c.abort(err)
		return c.abortErrOr(err)
	}
	return nil
}

// forget removes a command that was never sent.
func (c *Client) forget(cmd *command) {
	c.mu.Lock()
	for i, p := range c.pending {
		if p == cmd {
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			c.waiting.Add(-1)
			break
		}
	}
	c.wakeWaitersLocked()
	c.mu.Unlock()
}

func (c *Client) abortErrOr(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.abortErr != nil {
		return c.abortErr
	}
	return err
}

// waitContinuation waits for the server's "+" (RFC 3501 §7.5) for cmd.
func (c *Client) waitContinuation(ctx context.Context, cmd *command) (string, error) {
	select {
	case text := <-c.cont:
		return text, nil
	case <-cmd.done:
		if cmd.err != nil {
			return "", cmd.err
		}
		return "", &AbortError{Err: fmt.Errorf("%s completed while a continuation request was awaited", cmd.name)}
	case <-c.readerDone:
		return "", c.abortErrOr(&AbortError{Err: io.ErrUnexpectedEOF})
	case <-ctx.Done():
		c.abort(ctx.Err())
		return "", c.abortErrOr(ctx.Err())
	}
}

// wait waits for cmd to complete. Cancelling ctx aborts the connection:
// IMAP has no way to cancel a command in flight.
func (c *Client) wait(ctx context.Context, cmd *command) error {
	select {
	case <-cmd.done:
	case <-ctx.Done():
		c.abort(ctx.Err())
		<-cmd.done
	}
	return cmd.err
}

func (c *Client) literalModeLocked() imapwire.LiteralMode {
	switch {
	case c.caps["LITERAL+"]:
		return imapwire.LiteralPlus
	case c.caps["LITERAL-"] || c.caps["IMAP4REV2"]:
		return imapwire.LiteralMinus
	}
	return imapwire.LiteralSync
}

// armDeadline starts the inactivity timer for a response we now expect.
func (c *Client) armDeadline() {
	if c.opts.Timeout > 0 {
		c.inner.conn().SetReadDeadline(time.Now().Add(c.opts.Timeout))
	}
}

// abort ends the connection: every pending command fails with an
// *AbortError wrapping cause.
func (c *Client) abort(cause error) {
	c.mu.Lock()
	if c.abortErr != nil {
		c.mu.Unlock()
		return
	}
	var ae *AbortError
	if !errors.As(cause, &ae) {
		if c.bye != "" && (errors.Is(cause, io.EOF) || errors.Is(cause, io.ErrUnexpectedEOF) || errors.Is(cause, net.ErrClosed)) {
			ae = &AbortError{Bye: c.bye}
		} else {
			ae = &AbortError{Err: cause}
		}
	}
	c.abortErr = ae
	pending := c.pending
	c.pending = nil
	c.wakeWaitersLocked()
	c.mu.Unlock()
	if c.loggingOut.Load() && (ae.Bye != "" || errors.Is(cause, net.ErrClosed)) {
		// RFC 3501 §6.1.3: LOGOUT is answered by BYE and a close.
		c.debugf("connection closed after LOGOUT")
	} else {
		c.debugf("abort: %v", ae)
	}
	c.inner.conn().Close()
	for _, cmd := range pending {
		cmd.err = ae
		close(cmd.done)
	}
}

// Close closes the connection without LOGOUT. Commands in flight fail
// with an *AbortError. It waits for the reader goroutine to end (so no
// trace line or OnUntagged call comes after it), except when a FETCH
// callback or OnUntagged is running, which may call Close itself.
func (c *Client) Close() error {
	c.abort(net.ErrClosed)
	if !c.inCallback.Load() {
		<-c.readerDone
	}
	return nil
}

// TLSConnectionState returns the state of the connection's TLS session
// (version, cipher suite, the server's certificates) for implicit TLS
// (RFC 8314 §3) and after STARTTLS (RFC 3501 §6.2.1), and false while the
// connection is not encrypted.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.inner.conn().(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// Err returns the error that ended the connection, or nil while it is
// usable.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.abortErr
}

// Capabilities returns the server's capabilities (RFC 3501 §7.2.1),
// upper-cased, asking with CAPABILITY only when none are known yet.
func (c *Client) Capabilities(ctx context.Context) (map[string]bool, error) {
	if err := c.waitGreeting(ctx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	n := len(c.caps)
	c.mu.Unlock()
	if n == 0 {
		if _, err := c.Capability(ctx); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	caps := make(map[string]bool, len(c.caps))
	for k, v := range c.caps {
		caps[k] = v
	}
	return caps, nil
}

// Has reports whether the server advertised capability name (case is
// ignored), asking with CAPABILITY when none are known.
func (c *Client) Has(ctx context.Context, name string) bool {
	caps, err := c.Capabilities(ctx)
	return err == nil && caps[strings.ToUpper(name)]
}

// Capability sends CAPABILITY (RFC 3501 §6.1.1) and returns the list.
func (c *Client) Capability(ctx context.Context) ([]string, error) {
	cmd := c.newCommand("CAPABILITY", "CAPABILITY")
	if err := c.run(ctx, cmd, nil, false); err != nil {
		return nil, err
	}
	var caps []string
	for _, r := range cmd.responses {
		for _, v := range r.Fields {
			caps = append(caps, v.Text)
		}
	}
	return caps, nil
}

func (c *Client) setCapsLocked(caps []string) {
	c.caps = make(map[string]bool, len(caps))
	for _, s := range caps {
		c.caps[strings.ToUpper(s)] = true
	}
}

// Response pops the untagged responses (and response codes) kept under
// name, like imaplib's IMAP4.response(code) and untagged_responses. FETCH
// responses answering a command are delivered to that command and not
// kept; at most 1000 responses are kept per name.
func (c *Client) Response(name string) []*Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	name = strings.ToUpper(name)
	rs := c.untagged[name]
	delete(c.untagged, name)
	return rs
}

// UntaggedResponses returns a snapshot of all kept untagged responses by
// name without removing them (imaplib's untagged_responses attribute).
func (c *Client) UntaggedResponses() map[string][]*Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string][]*Response, len(c.untagged))
	for k, v := range c.untagged {
		out[k] = append([]*Response(nil), v...)
	}
	return out
}

// Mailbox returns a copy of the selected mailbox's state, kept current by
// untagged EXISTS, EXPUNGE, RECENT, FLAGS and response codes, or nil when
// no mailbox is selected.
func (c *Client) Mailbox() *Mailbox {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mailbox == nil {
		return nil
	}
	m := *c.mailbox
	m.Flags = append([]string(nil), m.Flags...)
	m.PermanentFlags = append([]string(nil), m.PermanentFlags...)
	return &m
}

// timeoutConn applies the inactivity timeout to every read while a
// response is expected. The connection under it is replaced by STARTTLS,
// from the reader goroutine, hence the atomic.
type timeoutConn struct {
	cur atomic.Pointer[connHolder]
	c   *Client
}

type connHolder struct{ net.Conn }

func (t *timeoutConn) conn() net.Conn { return t.cur.Load().Conn }

func (t *timeoutConn) setConn(conn net.Conn) { t.cur.Store(&connHolder{conn}) }

func (t *timeoutConn) Read(p []byte) (int, error) {
	conn := t.conn()
	if d := t.c.opts.Timeout; d > 0 {
		if t.c.waiting.Load() > 0 {
			conn.SetReadDeadline(time.Now().Add(d))
		} else {
			conn.SetReadDeadline(time.Time{})
		}
	}
	return conn.Read(p)
}

// Write applies the timeout to the write, and counts bytes that went out
// as activity: while a command waits for its answer the server may
// rightly say nothing until a long literal (an APPEND on a slow uplink)
// has arrived, so the read deadline moves on with every write that made
// progress.
func (t *timeoutConn) Write(p []byte) (int, error) {
	conn := t.conn()
	d := t.c.opts.Timeout
	if d > 0 {
		conn.SetWriteDeadline(time.Now().Add(d))
	}
	n, err := conn.Write(p)
	if d > 0 && n > 0 && t.c.waiting.Load() > 0 {
		conn.SetReadDeadline(time.Now().Add(d))
	}
	return n, err
}

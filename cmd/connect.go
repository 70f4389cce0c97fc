package cmd

import (
	"context"
	"crypto/x509"
	"errors"
	"io/fs"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/imap/imapwire"
	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/policy"
)

// AuthError is a failed login: the server refused the credentials, or the
// mechanism asked for cannot be used. It exits with ExitAuth.
type AuthError struct{ Err error }

func (e *AuthError) Error() string { return "authentication failed: " + e.Err.Error() }
func (e *AuthError) Unwrap() error { return e.Err }

// Client returns the logged-in client of this run, connecting on the
// first call. Later calls return the same client.
func (f *Factory) Client(ctx context.Context) (*imap.Client, error) {
	if f.client != nil {
		return f.client, nil
	}
	if f.Dial != nil {
		c, err := f.Dial(ctx)
		f.client = c
		return c, err
	}
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	c, err := connect(ctx, f, s)
	if err != nil {
		return nil, err
	}
	f.client = c
	return c, nil
}

// Reconnect drops the current connection (after it broke) so that the
// next Client call dials again.
func (f *Factory) Reconnect() {
	if f.client != nil {
		f.showTaggedAlerts(f.client)
		f.client.Close()
		f.client = nil
	}
}

// closeClient logs out of the server, if a connection was made.
func (f *Factory) closeClient() {
	if f.client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if f.client.Err() == nil {
		_ = f.client.Logout(ctx)
	}
	f.showTaggedAlerts(f.client)
	f.client.Close()
	f.client = nil
}

// tlsModes maps --tls to the client's modes.
var tlsModeOf = map[string]imap.TLSMode{
	"implicit": imap.TLSImplicit,
	"starttls": imap.TLSStartTLS,
	"none":     imap.TLSNone,
}

// connect dials s.Host, secures the connection and logs in.
func connect(ctx context.Context, f *Factory, s *Settings) (*imap.Client, error) {
	if s.Host == "" {
		return nil, withHint(usageErrorf("no server: set --host, IMAPCTL_HOST or host in the config file"),
			"see config.example.yaml for the config file format")
	}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, usageErrorf("ca_file: %v", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return nil, usageErrorf("ca_file %s holds no PEM certificate", s.CAFile)
		}
	}
	if s.Insecure {
		f.IOStreams.Warnf("--insecure: the server's TLS certificate is not verified; anyone on the path can read your password")
	}
	opts := imap.Options{
		TLS:                tlsModeOf[s.TLS],
		CAFile:             s.CAFile,
		InsecureSkipVerify: s.Insecure,
		DialTimeout:        s.Timeout,
		Timeout:            s.Timeout,
		Debug:              s.Debug,
		DebugWriter:        f.IOStreams.ErrOut,
		OnUntagged:         f.showAlerts(f.OnUntagged),
	}
	// Remember the address actually dialled: "auto" compression asks
	// whether it is a loopback one, whatever name resolved to it.
	var remote net.Addr
	opts.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			remote = conn.RemoteAddr()
		}
		return conn, err
	}
	// The secret is read before dialing: a password_cmd waiting at a GPG
	// pinentry prompt, or a human at ours, would otherwise hold an open
	// connection the server may drop for inactivity. Its error waits until
	// a login needs the secret (a PREAUTH server needs none); only an
	// interruption stops here.
	var secret secretResult
	if s.User != "" {
		secret.value, secret.err = f.secret(ctx, s)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	c, err := imap.Dial(ctx, addr, opts)
	if err != nil {
		return nil, connectHint(err)
	}
	greeting, err := c.Greeting(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	if isAlert(greeting) {
		f.IOStreams.Alert(greeting.Text)
	}
	if greeting.Name != "PREAUTH" {
		err = login(ctx, s, c, secret)
		f.showTaggedAlerts(c)
		if err != nil {
			c.Close()
			return nil, err
		}
	}
	if err := startCompression(ctx, f, s.Compress, c, isLoopback(remote)); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// startCompression turns on COMPRESS=DEFLATE (RFC 4978 §3) as mode says,
// right after authentication and before any other command. "always"
// fails with an *imap.CapabilityError (exit 5) when the server does not
// offer it; "auto" compresses only a non-loopback connection to a server
// that offers it, and goes on uncompressed (with a warning) if the server
// refuses the command.
func startCompression(ctx context.Context, f *Factory, mode string, c *imap.Client, loopback bool) error {
	switch mode {
	case "always":
		if err := c.Compress(ctx); err != nil {
			return withHint(err, "use --compress auto or never with this server")
		}
	case "auto":
		if loopback || !c.Has(ctx, "COMPRESS=DEFLATE") {
			return nil
		}
		err := c.Compress(ctx)
		var serverErr *imap.Error
		if errors.As(err, &serverErr) {
			f.IOStreams.Warnf("server refused COMPRESS DEFLATE, continuing uncompressed: %v", err)
			return nil
		}
		return err
	}
	return nil
}

// isLoopback reports whether addr is a loopback IP address (127.0.0.0/8,
// ::1), where compression only costs CPU.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// isAlert reports whether r carries the ALERT response code, whose text
// RFC 3501 §7.1 says a client MUST present to the user.
func isAlert(r *imap.Response) bool {
	return r != nil && r.Code != nil && r.Code.Name == imapwire.CodeAlert
}

// showAlerts returns the OnUntagged handler of a connection: it shows every
// untagged [ALERT] on stderr (the client hands them all to OnUntagged, also
// those answering a command) and passes each response on to next.
func (f *Factory) showAlerts(next func(*imap.Response)) func(*imap.Response) {
	return func(r *imap.Response) {
		if isAlert(r) {
			f.IOStreams.Alert(r.Text)
		}
		if next != nil {
			next(r)
		}
	}
}

// showTaggedAlerts shows the [ALERT]s of tagged responses (RFC 3501 §7.1)
// that c has kept since the last call; untagged ones were shown as they
// came (showAlerts). It runs after login and when the connection ends.
func (f *Factory) showTaggedAlerts(c *imap.Client) {
	for _, r := range c.Response(imapwire.CodeAlert) {
		if r.Tag != "*" {
			f.IOStreams.Alert(r.Text)
		}
	}
}

// connectHint adds advice to a failed connection.
func connectHint(err error) error {
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var capErr *imap.CapabilityError
	switch {
	case errors.As(err, &unknownCA):
		return withHint(err, "trust the server's CA with --ca-file FILE (or, for a test server only, --insecure)")
	case errors.As(err, &hostname):
		return withHint(err, "connect with the name the certificate is for")
	case errors.As(err, &capErr) && capErr.Command == "STARTTLS":
		return withHint(err, "use --tls implicit (port 993), or --tls none only on a trusted network")
	}
	return err
}

// secretResult is the password or token read for a login (Factory.secret),
// or why it could not be read.
type secretResult struct {
	value string
	err   error
}

// login authenticates with the mechanism of s.Auth, or LOGIN (AUTHENTICATE
// PLAIN when the server says LOGINDISABLED) when none was chosen, with the
// secret read before connecting.
func login(ctx context.Context, s *Settings, c *imap.Client, got secretResult) error {
	if s.User == "" {
		return usageErrorf("no user name: set --user, IMAPCTL_USER or user in the config file")
	}
	secret, err := got.value, got.err
	if err != nil {
		var usage *UsageError
		if errors.As(err, &usage) || ctx.Err() != nil {
			return err
		}
		return &AuthError{err} // a failing password_cmd or token_cmd
	}
	mechanism := s.Auth
	if mechanism == "" {
		mechanism = "login"
		if c.Has(ctx, "LOGINDISABLED") && c.Has(ctx, "AUTH=PLAIN") {
			mechanism = "plain"
		}
	}
	switch mechanism {
	case "login":
		err = c.Login(ctx, s.User, secret)
	case "plain":
		err = c.Authenticate(ctx, imap.PlainAuth("", s.User, secret))
	case "cram-md5":
		err = c.Authenticate(ctx, imap.CramMD5Auth(s.User, secret))
	case "xoauth2":
		err = c.Authenticate(ctx, imap.XOAuth2Auth(s.User, secret))
	case "oauthbearer":
		err = c.Authenticate(ctx, imap.OAuthBearerAuth(s.User, s.Host, s.Port, secret))
	}
	var serverErr *imap.Error
	var capErr *imap.CapabilityError
	if errors.As(err, &serverErr) || errors.As(err, &capErr) {
		return &AuthError{err}
	}
	return err
}

// protocolExitCode maps the IMAP client's and the output's error kinds.
func protocolExitCode(err error) (int, bool) {
	var (
		auth     *AuthError
		server   *imap.Error
		readOnly *imap.ReadOnlyError
		missing  *imap.MissingDataError
		capErr   *imap.CapabilityError
		abort    *imap.AbortError
		mismatch *imap.SizeMismatchError
		encode   *imapwire.EncodeError
		badName  *imap.MailboxEncodeError
		spec     *policy.SpecError
		nameErr  *output.NameError
		netErr   net.Error
		opErr    *net.OpError
		pathErr  *fs.PathError
		linkErr  *os.LinkError
	)
	switch {
	case errors.As(err, &auth):
		return ExitAuth, true
	case errors.As(err, &server):
		if server.Command == "STARTTLS" {
			// TLS could not be set up (RFC 3501 §6.2.1): exit 4, not 5.
			return ExitConnection, true
		}
		switch server.Code {
		case "AUTHENTICATIONFAILED", "AUTHORIZATIONFAILED", "EXPIRED":
			return ExitAuth, true
		}
		return ExitServer, true
	case errors.As(err, &readOnly):
		return ExitServer, true
	case errors.As(err, &missing):
		// The server completed a command without the data it owes
		// (RFC 3501 §6.3.10): its fault, not ours.
		return ExitServer, true
	case errors.As(err, &capErr):
		if capErr.Command == "STARTTLS" {
			return ExitConnection, true
		}
		return ExitServer, true
	case errors.As(err, &abort), errors.As(err, &opErr):
		return ExitConnection, true
	case errors.As(err, &pathErr), errors.As(err, &linkErr):
		// A local file error (ENOSPC, EACCES, EROFS, ...) is not a
		// connection problem, although syscall.Errno satisfies net.Error.
		return 0, false
	case errors.As(err, &netErr):
		return ExitConnection, true
	case errors.As(err, &mismatch):
		return ExitPartial, true
	case errors.As(err, &encode), errors.As(err, &spec), errors.As(err, &nameErr), errors.As(err, &badName):
		return ExitUsage, true
	}
	return 0, false
}

// Package dovecot starts a private Dovecot 2.3 IMAP server for tests: its
// own configuration, passwd-file users, Maildir folders and a self-signed
// certificate in a temporary folder, listening on free loopback ports. It
// never touches the system's Dovecot service or its configuration.
//
// Use Start in a test, or New and Server.Stop from a TestMain to share one
// server between the tests of a package. Dovecot must run as root here
// (Dovecot will not access mail as uid 0, so mail files belong to the
// "mail" user). Start skips the test when dovecot is not installed or the
// test does not run as root, and fails it instead when the environment has
// CI=true.
package dovecot

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/testutil/testcert"
)

// User is a test account.
type User struct {
	Name     string
	Password string
}

// The accounts every server has. Carol's password is not ASCII.
var (
	Alice = User{Name: "alice", Password: "alice-secret"}
	Bob   = User{Name: "bob", Password: "bob-secret"}
	Carol = User{Name: "carol", Password: "pässwörd-€-日本"}
)

// config collects what the Options ask for.
type config struct {
	users         []User
	poolSize      int
	quotaBytes    int64
	acl           bool
	compress      bool
	loginDisabled bool
	capability    string
	oauth2        bool
	noTLS         bool
	extra         []string
}

// Option changes the server's configuration.
type Option func(*config)

// WithUser adds an account. Names and passwords must not contain ":" or
// line breaks (passwd-file fields).
func WithUser(name, password string) Option {
	return func(c *config) { c.users = append(c.users, User{Name: name, Password: password}) }
}

// WithUserPool sets how many spare accounts NewUser can hand out without
// waiting (default 64).
func WithUserPool(n int) Option { return func(c *config) { c.poolSize = n } }

// WithQuota enables the quota and imap_quota plugins (RFC 2087) with a
// storage limit of limitBytes (rounded up to whole kilobytes) per user.
func WithQuota(limitBytes int64) Option {
	return func(c *config) { c.quotaBytes = limitBytes }
}

// WithACL enables the acl and imap_acl plugins (RFC 4314) with ACLs in
// files next to the mail (vfile).
func WithACL() Option { return func(c *config) { c.acl = true } }

// WithCompress enables the imap_zlib plugin: COMPRESS=DEFLATE (RFC 4978).
func WithCompress() Option { return func(c *config) { c.compress = true } }

// WithLoginDisabled makes the plain listener refuse plaintext
// authentication before STARTTLS, so it advertises LOGINDISABLED (RFC 3501
// §6.2.3). The server then listens on 127.0.0.2 instead of 127.0.0.1,
// because Dovecot trusts connections whose local and remote addresses are
// equal as if they were secured.
func WithLoginDisabled() Option { return func(c *config) { c.loginDisabled = true } }

// WithCapability sets the capability list Dovecot advertises after login
// (its imap_capability setting; "+CAP" adds to the default list). It changes
// only what is advertised, which is how tests reach a client's fallbacks,
// e.g. COPY + EXPUNGE where MOVE is not offered.
func WithCapability(capability string) Option {
	return func(c *config) { c.capability = capability }
}

// WithConfig appends raw lines to dovecot.conf.
func WithConfig(lines ...string) Option {
	return func(c *config) { c.extra = append(c.extra, lines...) }
}

// WithoutTLS turns TLS off (ssl = no): no implicit-TLS listener (TLSPort
// is 0) and no STARTTLS, for testing that a client refuses to continue in
// clear when it asked for STARTTLS.
func WithoutTLS() Option { return func(c *config) { c.noTLS = true } }

// WithOAuth2 enables the XOAUTH2 and OAUTHBEARER mechanisms: Dovecot's
// oauth2 passdb checks tokens with an RFC 7662 introspection endpoint
// that the harness serves on the loopback interface. Server.OAuth2Token
// makes a token for a user.
func WithOAuth2() Option { return func(c *config) { c.oauth2 = true } }

// All enables every optional plugin: quota (100 MB), ACL and COMPRESS.
func All() Option {
	return func(c *config) {
		WithQuota(100 << 20)(c)
		WithACL()(c)
		WithCompress()(c)
	}
}

// Server is a running private Dovecot instance.
type Server struct {
	Host      string // "127.0.0.1" (or "127.0.0.2" with WithLoginDisabled)
	PlainPort int    // IMAP with STARTTLS offered (RFC 3501 §6.2.1)
	TLSPort   int    // IMAP over implicit TLS (RFC 8314)
	Users     []User // Alice, Bob, Carol and any WithUser accounts

	// CACertPEM is the certificate of the CA that signed the server's
	// certificate, which is valid for "localhost", "127.0.0.1" and "127.0.0.2".
	CACertPEM []byte
	// CAFile is CACertPEM in a file, for programs that take a CA file.
	CAFile string
	// Dir is the temporary folder holding everything of this server.
	Dir string
	// MaildirRoot holds one folder per user; a user's mail is in
	// MaildirRoot/<user>/Maildir (Maildir++ layout).
	MaildirRoot string
	// Separator is the hierarchy separator of the personal namespace.
	Separator string

	certs        *testcert.Bundle
	oauth        *oauthIntrospection
	deliveries   atomic.Uint64 // makes Deliver's file names unique
	maildirMu    sync.Mutex
	maildirsMade map[string]bool // folders Deliver has made
	usersMu      sync.Mutex      // guards Users, pool, nextUser and the users file
	pool         []User          // accounts in the passwd-file not handed out yet
	nextUser     int
	confPath     string
	logPath      string
	mailUID      int
	mailGID      int
	cmd          *exec.Cmd
	exited       chan struct{}
	stderr       bytes.Buffer
	stopOnce     sync.Once
	stopError    error
}

// ErrNotAvailable is wrapped by New's error when Dovecot cannot run here
// (not installed, or not root).
var ErrNotAvailable = errors.New("dovecot: not available")

// Available reports whether a private Dovecot can be started here, and why not.
func Available() error {
	if _, err := binary(); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: the test harness runs Dovecot as root (it switches to the mail user for mail files), and this process is uid %d", ErrNotAvailable, os.Geteuid())
	}
	for _, name := range []string{"mail", "dovenull", "dovecot"} {
		if _, err := user.Lookup(name); err != nil {
			return fmt.Errorf("%w: system user %q: %v", ErrNotAvailable, name, err)
		}
	}
	return nil
}

// BinaryEnv names an environment variable that, when set, is the path of
// the dovecot binary to use instead of looking in PATH, /usr/sbin and
// /usr/local/sbin.
const BinaryEnv = "IMAPCTL_TEST_DOVECOT"

func binary() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v", ErrNotAvailable, BinaryEnv, p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: dovecot is not installed (not in PATH, /usr/sbin or /usr/local/sbin); install dovecot-imapd", ErrNotAvailable)
}

// SkipOrFail ends tb when err (from Available or New) says Dovecot is not
// available: Skip normally, Fatal when the environment has CI=true. Other
// errors are fatal.
func SkipOrFail(tb testing.TB, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	if errors.Is(err, ErrNotAvailable) && os.Getenv("CI") != "true" {
		tb.Skipf("skipping Dovecot test: %v", err)
	}
	tb.Fatalf("%v (CI=%q)", err, os.Getenv("CI"))
}

// Start starts a private Dovecot for tb and stops it when tb ends. On a
// failed test it logs Dovecot's log.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	SkipOrFail(tb, Available())
	s, err := New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("dovecot log:\n%s", s.Log())
		}
		if err := s.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// New starts a private Dovecot and waits until both listeners accept. The
// caller must call Stop.
func New(opts ...Option) (*Server, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	bin, _ := binary()
	cfg := &config{users: []User{Alice, Bob, Carol}, poolSize: 64}
	for _, o := range opts {
		o(cfg)
	}
	for _, u := range cfg.users {
		if u.Name == "" || strings.ContainsAny(u.Name+u.Password, ":\r\n\x00") {
			return nil, fmt.Errorf("dovecot: user %q: name and password must be non-empty and free of ':', CR, LF and NUL", u.Name)
		}
	}
	mail, err := user.Lookup("mail")
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", Users: cfg.users, Separator: "/", exited: make(chan struct{})}
	for i := 1; i <= cfg.poolSize; i++ {
		s.pool = append(s.pool, poolUser(i))
	}
	if cfg.loginDisabled {
		s.Host = "127.0.0.2"
	}
	s.mailUID, _ = strconv.Atoi(mail.Uid)
	s.mailGID, _ = strconv.Atoi(mail.Gid)
	// A short path: Dovecot's UNIX sockets live under base_dir and socket
	// paths are limited to about 100 bytes.
	s.Dir, err = os.MkdirTemp("", "dovecot-")
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			if s.oauth != nil {
				s.oauth.close()
			}
			os.RemoveAll(s.Dir)
		}
	}()
	// os.MkdirTemp makes a 0700 folder; Dovecot's mail processes run as the
	// mail user and must traverse it.
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		return nil, err
	}
	s.MaildirRoot = filepath.Join(s.Dir, "mail")
	if err := os.Mkdir(s.MaildirRoot, 0o755); err != nil {
		return nil, err
	}
	if err := os.Chown(s.MaildirRoot, s.mailUID, s.mailGID); err != nil {
		return nil, err
	}
	s.certs, err = testcert.New()
	if err != nil {
		return nil, err
	}
	s.CACertPEM = s.certs.CACertPEM
	s.CAFile = filepath.Join(s.Dir, "ca.pem")
	files := map[string][]byte{
		"ca.pem":   s.certs.CACertPEM,
		"cert.pem": s.certs.ServerCertPEM,
		"key.pem":  s.certs.ServerKeyPEM,
	}
	files["users"] = s.passwdFile()
	for name, data := range files {
		mode := os.FileMode(0o644)
		if name == "key.pem" {
			mode = 0o600
		}
		if err := os.WriteFile(filepath.Join(s.Dir, name), data, mode); err != nil {
			return nil, err
		}
	}
	if cfg.oauth2 {
		if s.oauth, err = startIntrospection(); err != nil {
			return nil, err
		}
		oauthConf := fmt.Sprintf("introspection_mode = post\nintrospection_url = %s\nforce_introspection = yes\n"+
			"username_attribute = username\nactive_attribute = active\nactive_value = true\n", s.oauth.url)
		if err := os.WriteFile(filepath.Join(s.Dir, "oauth2.conf"), []byte(oauthConf), 0o644); err != nil {
			s.oauth.close()
			return nil, err
		}
	}
	ports, err := freePorts(s.Host, 2)
	if err != nil {
		return nil, err
	}
	s.PlainPort, s.TLSPort = ports[0], ports[1]
	if cfg.noTLS {
		s.TLSPort = 0
	}
	s.confPath = filepath.Join(s.Dir, "dovecot.conf")
	s.logPath = filepath.Join(s.Dir, "dovecot.log")
	if err := os.WriteFile(s.confPath, []byte(s.configText(cfg)), 0o644); err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "-F", "-c", s.confPath)
	s.cmd.Stdout = &s.stderr
	s.cmd.Stderr = &s.stderr
	// If the test binary dies without stopping the server, the kernel
	// stops Dovecot's master, which stops its children.
	// Its own process group, so that Stop can signal all of Dovecot's
	// processes at once.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("dovecot: start %s: %w", bin, err)
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitListening(10 * time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	ok = true
	return s, nil
}

func (s *Server) configText(cfg *config) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("# private Dovecot for imapctl tests; made by internal/testutil/dovecot")
	line("instance_name = imapctl-test-%s", filepath.Base(s.Dir))
	line("base_dir = %s", filepath.Join(s.Dir, "run"))
	line("state_dir = %s", filepath.Join(s.Dir, "state"))
	line("log_path = %s", s.logPath)
	line("protocols = imap")
	// No statistics: a login process that is still waiting for the stats
	// handshake delays shutdown by 5 s.
	line("stats_writer_socket_path =")
	line("listen = %s", s.Host)
	line("ssl = %s", map[bool]string{true: "no", false: "yes"}[cfg.noTLS])
	line("ssl_cert = <%s", filepath.Join(s.Dir, "cert.pem"))
	line("ssl_key = <%s", filepath.Join(s.Dir, "key.pem"))
	line("disable_plaintext_auth = %s", map[bool]string{true: "yes", false: "no"}[cfg.loginDisabled])
	if cfg.oauth2 {
		line("auth_mechanisms = plain login cram-md5 xoauth2 oauthbearer")
		line("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = %s\n}", filepath.Join(s.Dir, "oauth2.conf"))
	} else {
		line("auth_mechanisms = plain login cram-md5")
	}
	line("auth_failure_delay = 0")
	// No authentication penalty: anvil would delay the next login from
	// 127.0.0.1 by seconds after each failure. Without access to its
	// socket the auth process runs without penalties.
	line("service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}")
	line("default_login_user = dovenull")
	line("default_internal_user = dovecot")
	line("first_valid_uid = 0")
	line("mail_location = maildir:%s/%%u/Maildir", s.MaildirRoot)
	line("mail_max_userip_connections = 1000")
	line("passdb {\n  driver = passwd-file\n  args = %s\n}", filepath.Join(s.Dir, "users"))
	line("userdb {\n  driver = passwd-file\n  args = %s\n}", filepath.Join(s.Dir, "users"))
	line("service imap-login {")
	line("  inet_listener imap {\n    port = %d\n  }", s.PlainPort)
	if !cfg.noTLS {
		line("  inet_listener imaps {\n    port = %d\n    ssl = yes\n  }", s.TLSPort)
	}
	line("}")
	line("namespace inbox {")
	line("  inbox = yes")
	line("  separator = %s", s.Separator)
	for _, m := range []struct{ name, use string }{
		{"Drafts", `\Drafts`}, {"Sent", `\Sent`}, {"Trash", `\Trash`}, {"Junk", `\Junk`}, {"Archive", `\Archive`},
	} {
		line("  mailbox %s {\n    special_use = %s\n    auto = subscribe\n  }", m.name, m.use)
	}
	line("}")
	var mailPlugins, imapPlugins []string
	var plugin []string
	if cfg.quotaBytes > 0 {
		mailPlugins = append(mailPlugins, "quota")
		imapPlugins = append(imapPlugins, "imap_quota")
		plugin = append(plugin, "  quota = maildir:User quota", fmt.Sprintf("  quota_rule = *:storage=%dK", (cfg.quotaBytes+1023)/1024))
	}
	if cfg.acl {
		mailPlugins = append(mailPlugins, "acl")
		imapPlugins = append(imapPlugins, "imap_acl")
		plugin = append(plugin, "  acl = vfile")
	}
	if cfg.compress {
		imapPlugins = append(imapPlugins, "imap_zlib")
	}
	line("mail_plugins = $mail_plugins %s", strings.Join(mailPlugins, " "))
	line("protocol imap {")
	line("  mail_plugins = $mail_plugins %s", strings.Join(imapPlugins, " "))
	if cfg.capability != "" {
		line("  imap_capability = %s", cfg.capability)
	}
	line("}")
	if len(plugin) > 0 {
		line("plugin {\n%s\n}", strings.Join(plugin, "\n"))
	}
	for _, l := range cfg.extra {
		line("%s", l)
	}
	return b.String()
}

// passwdFile renders s.Users as a Dovecot passwd-file.
func (s *Server) passwdFile() []byte {
	var passwd bytes.Buffer
	for _, u := range append(slices.Clip(s.Users), s.pool...) {
		// user:password:uid:gid:gecos:home:shell:extra
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s:%d:%d::%s::\n", u.Name, u.Password, s.mailUID, s.mailGID, filepath.Join(s.MaildirRoot, u.Name))
	}
	return passwd.Bytes()
}

func poolUser(n int) User {
	return User{Name: fmt.Sprintf("user%d", n), Password: fmt.Sprintf("secret-%d-ünï", n)}
}

// AddUser adds an account to the running server. Dovecot checks its
// passwd-file for changes at most once a second, so AddUser waits a second
// before it returns.
func (s *Server) AddUser(name, password string) (User, error) {
	u := User{Name: name, Password: password}
	if name == "" || strings.ContainsAny(name+password, ":\r\n\x00") {
		return u, fmt.Errorf("dovecot: user %q: name and password must be non-empty and free of ':', CR, LF and NUL", name)
	}
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	for _, old := range s.Users {
		if old.Name == name {
			return u, fmt.Errorf("dovecot: user %q exists", name)
		}
	}
	s.Users = append(s.Users, u)
	path := filepath.Join(s.Dir, "users")
	tmp := path + ".new"
	if err := os.WriteFile(tmp, s.passwdFile(), 0o644); err != nil {
		return u, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return u, err
	}
	time.Sleep(1100 * time.Millisecond)
	return u, nil
}

// NewUser returns a fresh account with an empty mailbox, for a test that
// needs mail of its own: "userN" with a password that is not ASCII. It
// takes one from the pool made at start-up (WithUserPool), or adds one
// with AddUser (a second's wait) when the pool is used up.
func (s *Server) NewUser(tb testing.TB) User {
	tb.Helper()
	s.usersMu.Lock()
	s.nextUser++
	n := s.nextUser
	if len(s.pool) > 0 {
		u := s.pool[0]
		s.pool = s.pool[1:]
		s.Users = append(s.Users, u)
		s.usersMu.Unlock()
		return u
	}
	s.usersMu.Unlock()
	u := poolUser(n)
	u, err := s.AddUser(u.Name, u.Password)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// OAuth2Token returns a new bearer token that the server accepts for the
// named user with XOAUTH2 or OAUTHBEARER (WithOAuth2 only).
func (s *Server) OAuth2Token(userName string) string {
	if s.oauth == nil {
		panic("dovecot: OAuth2Token without WithOAuth2")
	}
	return s.oauth.newToken(userName)
}

// freePorts asks the kernel for n free TCP ports on host.
func freePorts(host string, n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("dovecot: find a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (s *Server) waitListening(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	addrs := []string{s.PlainAddr()}
	if s.TLSPort != 0 {
		addrs = append(addrs, s.TLSAddr())
	}
	for _, addr := range addrs {
		for {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				conn.Close()
				break
			}
			select {
			case <-s.exited:
				return fmt.Errorf("dovecot: exited during start-up: %s\nlog:\n%s", strings.TrimSpace(s.stderr.String()), s.Log())
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("dovecot: %s not accepting after %v: %v\nlog:\n%s", addr, limit, err, s.Log())
			}
		}
	}
	return nil
}

// PlainAddr is the host:port of the listener that offers STARTTLS.
func (s *Server) PlainAddr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.PlainPort)) }

// TLSAddr is the host:port of the implicit-TLS listener.
func (s *Server) TLSAddr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.TLSPort)) }

// CertPool returns a new pool holding only the CA of the server's certificate.
func (s *Server) CertPool() *x509.CertPool { return s.certs.CertPool() }

// ClientTLSConfig returns a client configuration that trusts only the
// server's CA, with ServerName "localhost".
func (s *Server) ClientTLSConfig() *tls.Config { return s.certs.ClientTLSConfig() }

// User returns the account named name; it panics if there is none.
func (s *Server) User(name string) User {
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	for _, u := range s.Users {
		if u.Name == name {
			return u
		}
	}
	panic("dovecot: no user " + name)
}

// Maildir returns the Maildir of a user.
func (s *Server) Maildir(userName string) string {
	return filepath.Join(s.MaildirRoot, userName, "Maildir")
}

// Log returns Dovecot's log so far.
func (s *Server) Log() string {
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return string(data)
}

// Stop stops Dovecot, waits for its master process to exit and removes the
// server's folder. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			// Signal the whole process group. Dovecot's master sometimes
			// waits seconds for a child (anvil, or a login process waiting
			// on a handshake) before it exits; everything of this server
			// is thrown away, so after a short grace period kill the rest.
			pgid := s.cmd.Process.Pid
			syscall.Kill(-pgid, syscall.SIGCONT) // in case it was paused
			syscall.Kill(-pgid, syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(300 * time.Millisecond):
			}
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-s.exited
		}
		if s.oauth != nil {
			s.oauth.close()
		}
		// Mail processes may still be finishing; retry removal briefly.
		var err error
		for range 50 {
			if err = os.RemoveAll(s.Dir); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil && s.stopError == nil {
			s.stopError = fmt.Errorf("dovecot: remove %s: %w", s.Dir, err)
		}
	})
	return s.stopError
}

// Pause stops every Dovecot process (SIGSTOP to its process group), so
// that connections stay open but nothing answers: the way to test a
// client's timeouts. Resume undoes it; Stop works on a paused server.
func (s *Server) Pause() error { return syscall.Kill(-s.cmd.Process.Pid, syscall.SIGSTOP) }

// Resume continues a paused server.
func (s *Server) Resume() error { return syscall.Kill(-s.cmd.Process.Pid, syscall.SIGCONT) }

// Package fakeserver is a scripted IMAP server for tests: it listens on a
// loopback port and, on each connection, plays a Script — lines to send,
// client commands to expect, raw bytes, a closed connection, silence —
// while it logs every command the client sent. Tests use it to play
// broken, slow and malicious servers against the real imapctl binary (a
// literal shorter than announced, an endless line, BYE in the middle of a
// FETCH, hostile mailbox names, bad certificates) and to check on the wire
// that a user's input never became an extra command.
//
// A script (see ParseScript) reads like a transcript:
//
//	caps: IMAP4rev1 AUTH=PLAIN LITERAL+
//	login
//	C: $tag EXAMINE INBOX
//	S: * 1 EXISTS
//	S: $tag OK [READ-ONLY] done
//	C: $tag UID FETCH *
//	S: * 1 FETCH (UID 1 RFC822.SIZE 100 BODY[] {100}
//	raw: "Subject: cut short\r\n"
//	close
//
// Use it from Go with ParseScript, Start, Server.Transcript and
// Server.Unexpected, or from the e2e testscripts with the fakeserver,
// fakelog and fakecheck commands.
//
// A client command is read the way RFC 3501 §2.2 and §4.3 frame it: a line
// ending in CRLF, where a line ending in a literal announcement "{N}" (or
// "{N+}", RFC 7888 LITERAL+) is followed by N bytes and the rest of the
// command. The server answers a synchronizing literal with a continuation
// request "+ ..." itself.
package fakeserver

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Limits on what the fake server reads from a client.
const (
	maxLine    = 1 << 20
	maxLiteral = 64 << 20
)

// Received is one command a client sent.
type Received struct {
	// Conn numbers the connections from 1.
	Conn int
	// Command is the command as sent: its lines, CRLF included, with the
	// literals' bytes in place.
	Command []byte
	// Unexpected says the command matched no step (and was answered BAD).
	Unexpected bool
}

// Server is a running fake server.
type Server struct {
	// Addr is the listener's host:port on 127.0.0.1.
	Addr string
	// CACertPEM is the CA of the server's certificate (for Script.Cert
	// "good"; the others fail verification against it).
	CACertPEM []byte

	script    *Script
	listener  net.Listener
	tlsConfig *tls.Config

	mu       sync.Mutex
	received []Received
	conns    map[net.Conn]struct{}
	nextConn int
	closed   bool
	serving  sync.WaitGroup
}

// Start starts a server playing script on every connection; call Close.
func Start(script *Script) (*Server, error) {
	s := &Server{script: script, conns: map[net.Conn]struct{}{}}
	var err error
	s.CACertPEM, s.tlsConfig, err = makeCertificates(script.Cert)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakeserver: %w", err)
	}
	if script.TLS == "implicit" {
		ln = tls.NewListener(ln, s.tlsConfig)
	}
	s.listener = ln
	s.Addr = ln.Addr().String()
	s.serving.Add(1)
	go s.accept()
	return s, nil
}

func (s *Server) accept() {
	defer s.serving.Done()
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.nextConn++
		n := s.nextConn
		s.conns[conn] = struct{}{}
		s.serving.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.serving.Done()
			p := &player{server: s, conn: conn, number: n, reader: bufio.NewReader(conn)}
			p.play()
			s.mu.Lock()
			delete(s.conns, p.conn)
			delete(s.conns, conn)
			s.mu.Unlock()
			p.conn.Close()
		}()
	}
}

// Close stops the listener, closes every connection and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	err := s.listener.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.serving.Wait()
	return err
}

// Received returns the commands received so far, in order.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Unexpected returns the received commands that matched no step.
func (s *Server) Unexpected() []Received {
	var out []Received
	for _, r := range s.Received() {
		if r.Unexpected {
			out = append(out, r)
		}
	}
	return out
}

// Transcript shows the received commands one per line, escaped (see
// Escape): "C: A1 LOGIN ...", or "C!: ..." for an unexpected one, with a
// "conn N" line before each connection's commands.
func (s *Server) Transcript() string {
	var b strings.Builder
	conn := 0
	for _, r := range s.Received() {
		if r.Conn != conn {
			conn = r.Conn
			fmt.Fprintf(&b, "conn %d\n", conn)
		}
		mark := "C"
		if r.Unexpected {
			mark = "C!"
		}
		fmt.Fprintf(&b, "%s: %s\n", mark, Escape(bytes.TrimSuffix(r.Command, []byte("\r\n"))))
	}
	return b.String()
}

func (s *Server) record(r Received) {
	s.mu.Lock()
	s.received = append(s.received, r)
	s.mu.Unlock()
}

// player plays the script on one connection.
type player struct {
	server *Server
	conn   net.Conn
	number int
	reader *bufio.Reader
	// tags are the tags of the commands the script expected, the last
	// one last ("$tag", and "$tag-1" for the one before it).
	tags []string
	arg  string
}

// errClosed ends a connection's play.
var errClosed = errors.New("fakeserver: connection closed")

func (p *player) play() {
	script := p.server.script
	for _, step := range script.stepsFor(p.number) {
		if err := p.do(step); err != nil {
			return
		}
	}
	// The script is done: answer LOGOUT and CAPABILITY, refuse the rest.
	for {
		cmd, err := p.readCommand()
		if err != nil {
			return
		}
		if handled, err := p.answerHousekeeping(cmd); handled {
			if err != nil {
				return
			}
			continue
		}
		p.server.record(Received{Conn: p.number, Command: cmd, Unexpected: true})
		if p.writeLine(tagOf(cmd)+" BAD [fakeserver] unexpected command: the script has ended") != nil {
			return
		}
	}
}

func (p *player) do(step Step) error {
	switch step.Kind {
	case Send:
		return p.writeLine(p.expand(step.Text))
	case Raw:
		_, err := p.conn.Write([]byte(p.expand(step.Text)))
		return err
	case Close:
		return errClosed
	case Hang:
		io.Copy(io.Discard, p.conn)
		return errClosed
	case Flood:
		chunk := bytes.Repeat([]byte(step.Text), max(1, 64<<10/len(step.Text)))
		for written := 0; written < FloodLimit; written += len(chunk) {
			if _, err := p.conn.Write(chunk); err != nil {
				return errClosed
			}
		}
		return nil
	case Sleep:
		time.Sleep(step.Wait)
		return nil
	case Mark:
		f, err := os.Create(step.Text)
		if err != nil {
			return err
		}
		return f.Close()
	case StartTLS:
		conn := tls.Server(p.conn, p.server.tlsConfig)
		if err := conn.Handshake(); err != nil {
			return errClosed
		}
		p.server.mu.Lock()
		p.server.conns[conn] = struct{}{}
		p.server.mu.Unlock()
		p.conn = conn
		p.reader = bufio.NewReader(conn)
		return nil
	case Expect, ExpectLine:
		for {
			read := p.readCommand
			if step.Kind == ExpectLine {
				read = p.readLine
			}
			cmd, err := read()
			if err != nil {
				return err
			}
			escaped := Escape(bytes.TrimSuffix(cmd, []byte("\r\n")))
			if m := step.pattern.FindStringSubmatch(escaped); m != nil {
				if tag := m[step.pattern.SubexpIndex("tag")]; tag != "" {
					p.tags = append(p.tags, tag)
				}
				if arg := m[step.pattern.SubexpIndex("arg")]; arg != "" {
					p.arg = arg
				}
				p.server.record(Received{Conn: p.number, Command: cmd})
				return nil
			}
			if handled, err := p.answerHousekeeping(cmd); handled {
				if err != nil {
					return err
				}
				continue
			}
			p.server.record(Received{Conn: p.number, Command: cmd, Unexpected: true})
			if err := p.writeLine(tagOf(cmd) + " BAD [fakeserver] unexpected command, want " + step.Text); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("fakeserver: unknown step kind %d", step.Kind)
}

// answerHousekeeping answers LOGOUT (and ends the connection) and
// CAPABILITY when the script does not expect them.
func (p *player) answerHousekeeping(cmd []byte) (handled bool, err error) {
	tag := tagOf(cmd)
	switch strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(string(cmd), tag))) {
	case "LOGOUT":
		p.server.record(Received{Conn: p.number, Command: cmd})
		p.writeLine("* BYE fake server logging out")
		p.writeLine(tag + " OK LOGOUT completed")
		return true, errClosed
	case "CAPABILITY":
		p.server.record(Received{Conn: p.number, Command: cmd})
		if err := p.writeLine("* CAPABILITY " + p.server.script.Capabilities); err != nil {
			return true, err
		}
		return true, p.writeLine(tag + " OK CAPABILITY completed")
	}
	return false, nil
}

func (p *player) expand(text string) string {
	text = strings.ReplaceAll(text, "$caps", p.server.script.Capabilities)
	text = strings.ReplaceAll(text, "$arg", p.arg)
	return tagRef.ReplaceAllStringFunc(text, func(ref string) string {
		back := 0
		if n, ok := strings.CutPrefix(ref, "$tag-"); ok {
			back, _ = strconv.Atoi(n)
		}
		if i := len(p.tags) - 1 - back; i >= 0 {
			return p.tags[i]
		}
		return ""
	})
}

// tagRef is "$tag" or "$tag-N" in a step's text.
var tagRef = regexp.MustCompile(`\$tag(-[0-9]+)?`)

func (p *player) writeLine(line string) error {
	_, err := io.WriteString(p.conn, line+"\r\n")
	return err
}

// literalAnnouncement is "{N}" or "{N+}" at the end of a line.
var literalAnnouncement = regexp.MustCompile(`\{([0-9]+)(\+?)\}\r?\n$`)

// readCommand reads one command with its literals (RFC 3501 §4.3).
func (p *player) readCommand() ([]byte, error) {
	var cmd []byte
	for {
		line, err := p.readLine()
		cmd = append(cmd, line...)
		if err != nil {
			if len(cmd) > 0 {
				// A partial command before the connection ended.
				p.server.record(Received{Conn: p.number, Command: cmd, Unexpected: true})
			}
			return nil, err
		}
		m := literalAnnouncement.FindSubmatch(line)
		if m == nil {
			return cmd, nil
		}
		size, err := strconv.ParseInt(string(m[1]), 10, 64)
		if err != nil || size > maxLiteral {
			p.server.record(Received{Conn: p.number, Command: cmd, Unexpected: true})
			p.writeLine(tagOf(cmd) + " BAD [fakeserver] literal too large")
			return nil, errClosed
		}
		if len(m[2]) == 0 {
			if err := p.writeLine("+ go ahead"); err != nil {
				return nil, err
			}
		}
		literal := make([]byte, size)
		if _, err := io.ReadFull(p.reader, literal); err != nil {
			p.server.record(Received{Conn: p.number, Command: append(cmd, literal...), Unexpected: true})
			return nil, err
		}
		cmd = append(cmd, literal...)
	}
}

// readLine reads up to and including LF, at most maxLine bytes.
func (p *player) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := p.reader.ReadSlice('\n')
		line = append(line, chunk...)
		if err == nil {
			return line, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
		if len(line) > maxLine {
			return line, fmt.Errorf("fakeserver: client line longer than %d bytes", maxLine)
		}
	}
}

// tagOf is the first word of a command.
func tagOf(cmd []byte) string {
	tag, _, _ := strings.Cut(string(cmd), " ")
	return strings.TrimRight(tag, "\r\n")
}

// makeCertificates makes a CA and the server's TLS configuration for kind.
func makeCertificates(kind string) (caPEM []byte, config *tls.Config, err error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fakeserver test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(48 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, err
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(48 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	parent, signer := caCert, any(caKey)
	switch kind {
	case "good":
	case "wronghost":
		leaf.Subject.CommonName = "mail.example.com"
		leaf.DNSNames, leaf.IPAddresses = []string{"mail.example.com"}, nil
	case "expired":
		leaf.NotBefore, leaf.NotAfter = now.Add(-72*time.Hour), now.Add(-24*time.Hour)
	case "selfsigned":
		leaf.BasicConstraintsValid, leaf.IsCA = true, true
		leaf.KeyUsage |= x509.KeyUsageCertSign
		parent, signer = leaf, leafKey
	default:
		return nil, nil, fmt.Errorf("fakeserver: unknown certificate kind %q", kind)
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, parent, &leafKey.PublicKey, signer)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := tls.X509KeyPair(
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		return nil, nil, err
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// StartT parses script and starts a server for the test tb, which fails
// at once on a bad script; the server is closed when the test ends.
func StartT(tb testing.TB, script string) *Server {
	tb.Helper()
	sc, err := ParseScript(script)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := Start(sc)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

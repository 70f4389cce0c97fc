package cmd

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

// TestSettingsCompressPrecedence resolves --compress like every setting:
// flag > IMAPCTL_COMPRESS > the account's key > the top-level key > auto.
func TestSettingsCompressPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	config := "compress: never\naccounts:\n  work:\n    host: a.example\n    compress: always\n  home:\n    host: b.example\n"
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, "auto"},
		{nil, []string{"--config", path, "--account", "home"}, "never"},
		{nil, []string{"--config", path, "--account", "work"}, "always"},
		{map[string]string{"IMAPCTL_COMPRESS": "Never"}, []string{"--config", path, "--account", "work"}, "never"},
		{map[string]string{"IMAPCTL_COMPRESS": "never"}, []string{"--config", path, "--account", "work", "--compress", "auto"}, "auto"},
	} {
		env := map[string]string{"HOME": t.TempDir()}
		for k, v := range tc.env {
			env[k] = v
		}
		got, err, _ := settingsFor(t, env, tc.args...)
		if err != nil {
			t.Errorf("Settings(%q, %v) = %v", tc.args, tc.env, err)
			continue
		}
		if got.Compress != tc.want {
			t.Errorf("Settings(%q, %v).Compress = %q, want %q", tc.args, tc.env, got.Compress, tc.want)
		}
	}
	_, err, _ := settingsFor(t, map[string]string{"HOME": t.TempDir()}, "--compress", "gzip")
	if code := exitCode(t.Context(), err); err == nil || code != ExitUsage || !strings.Contains(err.Error(), "auto, always, never") {
		t.Errorf("--compress gzip = %v (exit %d), want a usage error naming the modes", err, code)
	}
}

// TestCompressAlwaysWithoutServerSupport: go-imap's in-memory server does
// not offer COMPRESS=DEFLATE, so --compress always fails with exit 5
// right after login, before the command's own IMAP commands are sent.
func TestCompressAlwaysWithoutServerSupport(t *testing.T) {
	s := startTestServer(t)
	code, out, errOut := s.run(t, nil, "--compress", "always", "--debug", "3", "list")
	if code != ExitServer {
		t.Fatalf("--compress always list = %d, want %d; stderr %q", code, ExitServer, errOut)
	}
	if out != "" {
		t.Errorf("stdout = %q, want nothing", out)
	}
	if !strings.Contains(errOut, "COMPRESS=DEFLATE") || !strings.Contains(errOut, "hint: use --compress auto or never") {
		t.Errorf("stderr = %q, want the missing COMPRESS=DEFLATE and a hint", errOut)
	}
	if strings.Contains(errOut, " LIST ") || strings.Contains(errOut, "COMPRESS DEFLATE") {
		t.Errorf("trace %q: no LIST and no COMPRESS command may be sent", errOut)
	}
	// auto and never go on uncompressed against the same server.
	for _, mode := range []string{"auto", "never"} {
		if code, _, errOut := s.run(t, nil, "--compress", mode, "list"); code != ExitOK {
			t.Errorf("--compress %s list = %d, stderr %q", mode, code, errOut)
		}
	}
}

// TestDovecotCompress fetches over COMPRESS=DEFLATE (Dovecot's imap_zlib):
// the trace shows the COMPRESS command and the fetched bytes are those
// appended; never and auto (on loopback) send no COMPRESS.
func TestDovecotCompress(t *testing.T) {
	if err := dovecot.Available(); err != nil {
		dovecot.SkipOrFail(t, err)
	}
	d := dovecot.Start(t, dovecot.WithCompress())
	user := d.NewUser(t)
	env := map[string]string{
		"IMAPCTL_HOST": d.Host, "IMAPCTL_PORT": itoa64(int64(d.TLSPort)), "IMAPCTL_CA_FILE": d.CAFile,
		"IMAPCTL_USER": user.Name, "IMAPCTL_PASSWORD": user.Password,
	}
	var b strings.Builder
	b.WriteString("From: a@example.org\r\nTo: b@example.org\r\nSubject: compressed\r\n\r\n")
	for i := 0; i < 400; i++ {
		b.WriteString("The same line again and again, which deflate shrinks well. ")
		b.WriteString(itoa64(int64(i)))
		b.WriteString("\r\n")
	}
	msg := b.String()
	path := filepath.Join(t.TempDir(), "msg.eml")
	if err := os.WriteFile(path, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runTest(t, env, "--compress", "always", "append", "INBOX", path); code != ExitOK {
		t.Fatalf("append = %d, stderr %q", code, errOut)
	}
	code, out, errOut := runTest(t, env, "--compress", "always", "--debug", "3", "fetch", "--policy", crlfRaw, "INBOX", "1")
	if code != ExitOK {
		t.Fatalf("--compress always fetch = %d, stderr %q", code, errOut)
	}
	if !strings.Contains(errOut, "COMPRESS DEFLATE") {
		t.Errorf("trace %q: want a COMPRESS DEFLATE command", errOut)
	}
	if out != msg {
		t.Errorf("fetch over COMPRESS = %d bytes, want the %d appended", len(out), len(msg))
	}
	for _, mode := range []string{"never", "auto"} {
		code, out, errOut := runTest(t, env, "--compress", mode, "--debug", "3", "fetch", "--policy", crlfRaw, "INBOX", "1")
		if code != ExitOK {
			t.Fatalf("--compress %s fetch = %d, stderr %q", mode, code, errOut)
		}
		if strings.Contains(errOut, "COMPRESS DEFLATE") {
			t.Errorf("--compress %s: trace %q sends COMPRESS", mode, errOut)
		}
		if out != msg {
			t.Errorf("--compress %s fetch = %d bytes, want %d", mode, len(out), len(msg))
		}
	}
}

// TestIsLoopback: auto compression is skipped for 127.0.0.0/8 and ::1
// (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3), used for any other address.
func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		want bool
	}{
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 143}, true},
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.2"), Port: 143}, true},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 993}, true},
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 993}, false},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 993}, false},
		{nil, false},
	} {
		if got := isLoopback(tc.addr); got != tc.want {
			t.Errorf("isLoopback(%v) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

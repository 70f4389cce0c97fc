package cmd

import (
	"context"
	"net"
	"testing"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// testServer is go-imap's in-memory server seeded from testdata/corpus,
// with the environment that points imapctl at it over plain TCP.
type testServer struct {
	*memserver.Server
	env map[string]string
}

func startTestServer(t *testing.T, opts ...memserver.Options) *testServer {
	t.Helper()
	s := memserver.StartT(t, opts...)
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{Server: s, env: map[string]string{
		"IMAPCTL_HOST":     host,
		"IMAPCTL_PORT":     port,
		"IMAPCTL_TLS":      "none",
		"IMAPCTL_USER":     s.Username,
		"IMAPCTL_PASSWORD": s.Password,
	}}
}

// run runs imapctl against the server; extra env entries override.
func (s *testServer) run(t *testing.T, extraEnv map[string]string, args ...string) (int, string, string) {
	t.Helper()
	env := map[string]string{}
	for k, v := range s.env {
		env[k] = v
	}
	for k, v := range extraEnv {
		env[k] = v
	}
	return runTest(t, env, args...)
}

// runStdin is run with data on stdin.
func (s *testServer) runStdin(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	ios, in, out, errOut := Test()
	in.Write(stdin)
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) { v, ok := s.env[k]; return v, ok }
	code := run(context.Background(), args, f)
	return code, out.String(), errOut.String()
}

// messagesIn returns the seeded messages of mailbox, by UID.
func (s *testServer) messagesIn(mailbox string) []memserver.SeededMessage {
	return s.MessagesIn(mailbox)
}

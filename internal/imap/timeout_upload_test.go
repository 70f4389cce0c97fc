package imap

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// slowConn models a slow uplink: every write takes 50 ms.
type slowConn struct{ net.Conn }

func (s slowConn) Write(p []byte) (int, error) {
	if len(p) > 1000 {
		time.Sleep(50 * time.Millisecond)
	}
	return s.Conn.Write(p)
}

// An upload that keeps flowing for longer than Timeout is activity, not
// silence: the server rightly says nothing until the literal has arrived
// (RFC 3501 §6.3.11), so the APPEND must not be cut by the read deadline.
// The 1.4 MB message takes about 1.1 s through the slow connection,
// against a Timeout of 500 ms.
func TestAppendSlowUploadIsActivity(t *testing.T) {
	srv := memserver.StartT(t)
	ctx := context.Background()
	c, err := Dial(ctx, srv.Addr, Options{TLS: TLSNone, Timeout: 500 * time.Millisecond,
		DialContext: func(ctx context.Context, n, a string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, n, a)
			return slowConn{conn}, err
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, srv.Username, srv.Password); err != nil {
		t.Fatal(err)
	}
	msg := append([]byte("Subject: big\r\n\r\n"), bytes.Repeat([]byte("0123456789012345678901234567890123456789012345678901234567890123456789\r\n"), 20000)...)
	_, err = c.Append(ctx, "INBOX", int64(len(msg)), bytes.NewReader(msg), nil)
	if err != nil {
		t.Errorf("APPEND of a steadily flowing upload failed: %v", err)
	}
}

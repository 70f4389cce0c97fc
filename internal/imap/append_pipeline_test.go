package imap

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/testutil/fakeserver"
)

// TestStartAppendPipelines: three StartAppends go out before the server
// answers any (the scripted server reads all three APPENDs first, so a
// client that waited for each answer would hang), and each Wait gets its
// own [APPENDUID] (RFC 4315 §3), answered out of order. With LITERAL+
// the literals go out at once (RFC 7888); without it, each waits for the
// server's "+" (RFC 3501 §7.5), which the fake server sends itself.
func TestStartAppendPipelines(t *testing.T) {
	msgs := []string{"Subject: one\r\n\r\n1\r\n", "Subject: two\r\n\r\ntwo\r\n", "Subject: three\r\n\r\nthree!\r\n"}
	for _, caps := range []string{"IMAP4rev1 AUTH=PLAIN LITERAL+ UIDPLUS", "IMAP4rev1 AUTH=PLAIN UIDPLUS"} {
		t.Run(caps, func(t *testing.T) {
			script := "caps: " + caps + "\nlogin\n" +
				"C: $tag APPEND INBOX (*Seen) {19*Subject: one*\n" +
				"C: $tag APPEND INBOX *Subject: two*\n" +
				"C: $tag APPEND Archive *Subject: three*\n" +
				"S: $tag-1 OK [APPENDUID 9 2] APPEND completed\n" +
				"S: $tag NO [TRYCREATE] no such mailbox\n" +
				"S: $tag-2 OK [APPENDUID 9 1] APPEND completed\n"
			s := fakeserver.StartT(t, script)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := Dial(ctx, s.Addr, Options{TLS: TLSNone})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Login(ctx, "user", "pass"); err != nil {
				t.Fatal(err)
			}
			var pending []*PendingAppend
			for i, m := range msgs {
				mailbox, opts := "INBOX", &AppendOptions{}
				if i == 0 {
					opts.Flags = []string{`\Seen`}
				}
				if i == 2 {
					mailbox = "Archive"
				}
				p, err := c.StartAppend(ctx, mailbox, int64(len(m)), strings.NewReader(m), opts)
				if err != nil {
					t.Fatalf("StartAppend %d: %v", i+1, err)
				}
				pending = append(pending, p)
			}
			for i, want := range []string{"&{UIDValidity:9 UID:1}", "&{UIDValidity:9 UID:2}", "TRYCREATE"} {
				res, err := pending[i].Wait(ctx)
				got := fmt.Sprintf("%+v", res)
				if err != nil {
					got = err.Error()
				}
				if !strings.Contains(got, want) {
					t.Errorf("APPEND %d: got %s, want %s", i+1, got, want)
				}
			}
			received := s.Received()
			var appends []string
			for _, r := range received {
				if cmd := string(r.Command); strings.Contains(cmd, " APPEND ") {
					appends = append(appends, cmd)
				}
				if r.Unexpected {
					t.Errorf("unexpected command %q", r.Command)
				}
			}
			for i, m := range msgs {
				if i >= len(appends) || !strings.HasSuffix(appends[i], m+"\r\n") {
					t.Errorf("APPEND %d on the wire does not end in its message: %q", i+1, appends)
				}
			}
		})
	}
}

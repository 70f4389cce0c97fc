package imap_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
)

// Fetch every message of INBOX in one pipelined command, streaming each
// body to a file without holding it in memory.
func ExampleClient_Fetch() {
	ctx := context.Background()
	c, err := imap.Dial(ctx, "imap.example.org:993", imap.Options{DialTimeout: 30 * time.Second, Timeout: 2 * time.Minute})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "joe", os.Getenv("IMAP_PASSWORD")); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Examine(ctx, "INBOX"); err != nil {
		fmt.Println(err)
		return
	}
	opts := &imap.FetchOptions{UID: true, RFC822Size: true, BodySections: []imap.BodySection{{Peek: true}}}
	err = c.Fetch(ctx, imap.AllUID(), opts, func(m *imap.FetchMessage) error {
		body, err := m.NextBody()
		if err != nil || body == nil {
			return err
		}
		f, err := os.Create(fmt.Sprintf("%d.eml", m.UID))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(f, body) // a *imap.SizeMismatchError if the server is inconsistent
		return err
	})
	if err != nil {
		fmt.Println(err)
	}
}

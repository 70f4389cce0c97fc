package imap

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// AppendOptions modify APPEND.
type AppendOptions struct {
	// Flags are set on the new message.
	Flags []string
	// InternalDate is the message's internal date; zero means the server
	// picks (usually now).
	InternalDate time.Time
	// UTF8 sends the message as "UTF8 (~{n})" (RFC 6855 §4), for messages
	// with UTF-8 headers; UTF8=ACCEPT must have been enabled.
	UTF8 bool
}

// AppendResult is the [APPENDUID] of RFC 4315 §3; zero when the server
// does not support UIDPLUS.
type AppendResult struct {
	UIDValidity uint32
	UID         uint32
}

// Append adds a message of exactly size bytes read from r to mailbox
// (RFC 3501 §6.3.11). The message is streamed, never buffered whole. A
// size above the server's APPENDLIMIT (RFC 7889) is refused locally.
func (c *Client) Append(ctx context.Context, mailbox string, size int64, r io.Reader, opts *AppendOptions) (*AppendResult, error) {
	if opts == nil {
		opts = &AppendOptions{}
	}
	if size < 0 {
		return nil, fmt.Errorf("imap: APPEND: negative size %d", size)
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	for cap := range caps {
		if limit, ok := cutPrefixFold(cap, "APPENDLIMIT="); ok {
			if n, err := strconv.ParseInt(limit, 10, 64); err == nil && size > n {
				return nil, &CapabilityError{Command: "APPEND", Reason: fmt.Sprintf("message of %d bytes exceeds the server's APPENDLIMIT of %d", size, n)}
			}
		}
	}
	if opts.UTF8 {
		c.mu.Lock()
		on := c.enabled["UTF8=ACCEPT"]
		c.mu.Unlock()
		if !on {
			return nil, &CapabilityError{Command: "APPEND", Reason: "UTF8 data item needs ENABLE UTF8=ACCEPT first (RFC 6855 §4)"}
		}
	}
	wire, werr := c.wireMailbox(mailbox)
	if werr != nil {
		return nil, werr
	}
	cmd := c.newCommand("APPEND")
	err = c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(wire)
		if len(opts.Flags) > 0 {
			e.Raw(" (")
			for i, f := range opts.Flags {
				if i > 0 {
					e.SP()
				}
				e.Flag(f)
			}
			e.Raw(")")
		}
		if !opts.InternalDate.IsZero() {
			e.SP().Raw(Time2Internaldate(opts.InternalDate))
		}
		if opts.UTF8 {
			e.Raw(" UTF8 (").Literal(size, r, true).Raw(")")
			return
		}
		e.SP().Literal(size, r, false)
	}, false)
	if err != nil {
		return nil, err
	}
	res := &AppendResult{}
	if code := cmd.status.Code; code != nil && code.Name == imapwire.CodeAppendUID {
		res.UIDValidity = code.UIDValidity
		if n, err := strconv.ParseUint(code.DestUIDs, 10, 32); err == nil {
			res.UID = uint32(n)
		}
	}
	return res, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && equalFoldASCII(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 32
		}
		if 'a' <= y && y <= 'z' {
			y -= 32
		}
		if x != y {
			return false
		}
	}
	return true
}

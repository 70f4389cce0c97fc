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
// (RFC 3501 §6.3.11) and waits for the server's answer: StartAppend, then
// Wait.
func (c *Client) Append(ctx context.Context, mailbox string, size int64, r io.Reader, opts *AppendOptions) (*AppendResult, error) {
	p, err := c.StartAppend(ctx, mailbox, size, r, opts)
	if err != nil {
		return nil, err
	}
	return p.Wait(ctx)
}

// PendingAppend is an APPEND that has been sent and whose completion has
// not been read yet (see StartAppend).
type PendingAppend struct {
	c   *Client
	cmd *command
}

// StartAppend sends an APPEND of exactly size bytes read from r to mailbox
// (RFC 3501 §6.3.11) and returns once the message is written, without
// waiting for the server's answer, so that the caller can send the next
// one meanwhile: many messages then cost one round trip, not one each
// (pipelining, RFC 3501 §5.5). r is not read after StartAppend returns.
// The message is streamed, never buffered whole. A size above the
// server's APPENDLIMIT (RFC 7889) is refused locally. Wait reads the
// answer; answers may be waited for in any order.
func (c *Client) StartAppend(ctx context.Context, mailbox string, size int64, r io.Reader, opts *AppendOptions) (*PendingAppend, error) {
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
	err = c.send(ctx, cmd, func(e *imapwire.Encoder) {
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
	return &PendingAppend{c: c, cmd: cmd}, nil
}

// Wait waits for the APPEND's completion and returns its [APPENDUID].
// Cancelling ctx aborts the connection (a command in flight cannot be
// cancelled).
func (p *PendingAppend) Wait(ctx context.Context) (*AppendResult, error) {
	if err := p.c.wait(ctx, p.cmd); err != nil {
		return nil, err
	}
	res := &AppendResult{}
	if code := p.cmd.status.Code; code != nil && code.Name == imapwire.CodeAppendUID {
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

// AppendQueue keeps up to Window APPENDs in flight and hands their answers
// to Done in the order they were sent: a caller sends message after
// message with StartAppend and Add, and many messages cost one round trip
// (RFC 3501 §5.5). T is what the caller needs to report a message.
//
// Answers are read with a context that is not cancelled with the caller's:
// after an interruption the messages already sent may be stored, so their
// answers are still read and reported (the client's Timeout bounds the
// wait on a server that stopped answering).
type AppendQueue[T any] struct {
	// Window is how many APPENDs may be in flight; Add waits for the
	// oldest answer beyond it.
	Window int
	// Done gets each answer (res or err) with the value Add was given. An
	// error it returns is returned by the Add or Drain that read the
	// answer.
	Done func(item T, res *AppendResult, err error) error

	queue []queuedAppend[T]
}

type queuedAppend[T any] struct {
	pending *PendingAppend
	item    T
}

// Len is the number of APPENDs in flight.
func (q *AppendQueue[T]) Len() int { return len(q.queue) }

// Add queues a sent APPEND; when Window are in flight it first reads the
// oldest answer.
func (q *AppendQueue[T]) Add(ctx context.Context, p *PendingAppend, item T) error {
	q.queue = append(q.queue, queuedAppend[T]{p, item})
	if len(q.queue) >= max(q.Window, 1) {
		return q.finishOldest(ctx)
	}
	return nil
}

// Drain reads every answer still to come and returns the first error
// Done returned.
func (q *AppendQueue[T]) Drain(ctx context.Context) error {
	var first error
	for len(q.queue) > 0 {
		if err := q.finishOldest(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (q *AppendQueue[T]) finishOldest(ctx context.Context) error {
	a := q.queue[0]
	q.queue[0] = queuedAppend[T]{}
	q.queue = q.queue[1:]
	res, err := a.pending.Wait(context.WithoutCancel(ctx))
	return q.Done(a.item, res, err)
}

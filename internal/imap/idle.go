package imap

import (
	"context"
	"sync"
	"time"
)

// IdleCommand is a running IDLE (RFC 2177). While it runs, untagged
// responses go to Options.OnUntagged and update Mailbox; no other command
// can be sent until Stop.
type IdleCommand struct {
	c       *Client
	cmd     *command
	stopped sync.Once
	err     error
}

// Idle starts IDLE and returns once the server accepted it.
func (c *Client) Idle(ctx context.Context) (*IdleCommand, error) {
	if !c.Has(ctx, "IDLE") && !c.Has(ctx, "IMAP4rev2") {
		return nil, &CapabilityError{Command: "IDLE", Reason: "server does not support IDLE"}
	}
	cmd := c.newCommand("IDLE")
	if err := c.send(ctx, cmd, nil, true); err != nil {
		return nil, err
	}
	select {
	case <-c.cont:
	case <-cmd.done:
		return nil, cmd.err
	case <-ctx.Done():
		c.abort(ctx.Err())
		<-cmd.done
		return nil, cmd.err
	}
	// Nothing is owed by the server while idling: no inactivity timeout.
	c.waiting.Add(-1)
	c.inner.conn().SetReadDeadline(time.Time{})
	return &IdleCommand{c: c, cmd: cmd}, nil
}

// Done is closed when the IDLE command completed (after Stop, or when the
// server ended it or the connection broke).
func (ic *IdleCommand) Done() <-chan struct{} { return ic.cmd.done }

// Stop sends DONE and waits for IDLE to complete.
func (ic *IdleCommand) Stop(ctx context.Context) error {
	ic.stopped.Do(func() {
		c := ic.c
		select {
		case <-ic.cmd.done:
			ic.err = ic.cmd.err
			return
		default:
		}
		c.waiting.Add(1)
		c.armDeadline()
		if err := c.writeLine(ctx, "DONE", false); err != nil {
			ic.err = err
			return
		}
		ic.err = c.wait(ctx, ic.cmd)
	})
	return ic.err
}

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
	unlock  sync.Once
	err     error
}

// release gives the write side back to other commands.
func (ic *IdleCommand) release() { ic.unlock.Do(ic.c.writeLock.Unlock) }

// Idle starts IDLE and returns once the server accepted it. RFC 2177 §3
// asks clients to stop and restart IDLE at least every 29 minutes.
func (c *Client) Idle(ctx context.Context) (*IdleCommand, error) {
	if !c.Has(ctx, "IDLE") && !c.Has(ctx, "IMAP4rev2") {
		return nil, &CapabilityError{Command: "IDLE", Reason: "server does not support IDLE"}
	}
	cmd := c.newCommand("IDLE")
	if err := c.send(ctx, cmd, nil, true); err != nil {
		return nil, err
	}
	ic := &IdleCommand{c: c, cmd: cmd}
	select {
	case <-c.cont:
	case <-cmd.done:
		ic.release()
		return nil, cmd.err
	case <-ctx.Done():
		c.abort(ctx.Err())
		<-cmd.done
		ic.release()
		return nil, cmd.err
	}
	// Nothing is owed by the server while idling: no inactivity timeout.
	cmd.idling.Store(true)
	c.waiting.Add(-1)
	c.inner.conn().SetReadDeadline(time.Time{})
	// If the connection dies while idling, other commands must fail
	// rather than wait for a Stop that may never come.
	go func() {
		select {
		case <-c.readerDone:
			ic.release()
		case <-cmd.done:
		}
	}()
	return ic, nil
}

// Done is closed when the IDLE command completed (after Stop, or when the
// server ended it or the connection broke).
func (ic *IdleCommand) Done() <-chan struct{} { return ic.cmd.done }

// Stop sends DONE and waits for IDLE to complete. It must be called to
// let other commands run, even when the server ended IDLE itself.
func (ic *IdleCommand) Stop(ctx context.Context) error {
	ic.stopped.Do(func() {
		c := ic.c
		defer ic.release()
		select {
		case <-ic.cmd.done:
			ic.err = ic.cmd.err
			return
		default:
		}
		if ic.cmd.idling.CompareAndSwap(true, false) {
			c.waiting.Add(1)
		}
		c.armDeadline()
		if err := c.writeLine(ctx, "DONE", false); err != nil {
			ic.err = err
			return
		}
		ic.err = c.wait(ctx, ic.cmd)
	})
	return ic.err
}

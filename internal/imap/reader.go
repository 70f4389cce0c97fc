package imap

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// Response is one server response as read from the wire (RFC 3501 §7):
// what imaplib keeps in untagged_responses.
type Response struct {
	// Tag is "*" for untagged responses and the command tag otherwise.
	Tag string
	// Num is the number before the name in "* 23 EXISTS" or
	// "* 5 FETCH (...)"; HasNum says whether there was one.
	Num    uint32
	HasNum bool
	// Name is the upper-cased response name: OK, NO, BAD, BYE, PREAUTH,
	// CAPABILITY, LIST, EXISTS, FETCH, ...
	Name string
	// Code and Text are the resp-text of status responses.
	Code *imapwire.RespCode
	Text string
	// Fields are the data after the name of other responses.
	Fields []imapwire.Value
	// Nums are the numbers of SEARCH and SORT responses, read compactly
	// (a (MODSEQ n) suffix stays in Fields).
	Nums []uint32
	// Fetch holds the attributes of an unsolicited FETCH response.
	Fetch *FetchMessage
}

// String renders the response roughly as sent, for display.
func (r *Response) String() string {
	var sb strings.Builder
	sb.WriteString(r.Tag)
	if r.HasNum {
		sb.WriteString(" " + strconv.FormatUint(uint64(r.Num), 10))
	}
	sb.WriteString(" " + r.Name)
	if r.Code != nil {
		sb.WriteString(" [" + r.Code.Name)
		if r.Code.Raw != "" {
			sb.WriteString(" " + r.Code.Raw)
		}
		sb.WriteString("]")
	}
	if r.Text != "" {
		sb.WriteString(" " + r.Text)
	}
	for _, n := range r.Nums {
		sb.WriteString(" " + strconv.FormatUint(uint64(n), 10))
	}
	for _, f := range r.Fields {
		sb.WriteString(" " + f.String())
	}
	return sb.String()
}

func isStatusName(name string) bool {
	switch name {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		return true
	}
	return false
}

func (c *Client) readLoop() {
	defer close(c.readerDone)
	for {
		if err := c.readResponse(); err != nil {
			c.abort(err)
			return
		}
	}
}

// readResponse reads and dispatches one response (RFC 3501 §9
// "response").
func (c *Client) readResponse() error {
	d := c.dec
	d.MaxLineLength = c.lineLimit
	if d.Accept('+') {
		// continue-req = "+" SP (resp-text / base64) CRLF; the space is
		// often missing in the wild.
		d.Accept(' ')
		text, _ := d.Text()
		if !d.CRLF() {
			return d.Err()
		}
		select {
		case c.cont <- text:
		default:
			c.debugf("unexpected continuation request dropped")
		}
		return nil
	}
	tag, ok := d.Token()
	if !ok || !d.SP() {
		return d.Err()
	}
	if tag == "*" {
		return c.readUntagged()
	}
	name, ok := d.Atom()
	if !ok {
		return d.Err()
	}
	resp := &Response{Tag: tag, Name: strings.ToUpper(name)}
	if d.Accept(' ') {
		rt, ok := d.RespText()
		if !ok {
			return d.Err()
		}
		resp.Code, resp.Text = rt.Code, rt.Text
	}
	if !d.CRLF() {
		return d.Err()
	}
	return c.complete(resp)
}

// UnknownTagError reports a tagged response whose tag names no command in
// flight (RFC 3501 §2.2.2: the server's completion carries the tag of a
// client command). The client cannot tell which command the server
// thinks it completed, so it aborts rather than wait for a reply that may
// never come.
type UnknownTagError struct {
	Tag string
}

func (e *UnknownTagError) Error() string {
	return fmt.Sprintf("imap: server completed a command with tag %q that was never sent", e.Tag)
}

func (c *Client) readUntagged() error {
	d := c.dec
	resp := &Response{Tag: "*"}
	if b, ok := d.PeekByte(); ok && b >= '0' && b <= '9' {
		n, ok := d.Number()
		if !ok || !d.SP() {
			return d.Err()
		}
		resp.Num, resp.HasNum = n, true
	}
	name, ok := d.Atom()
	if !ok {
		return d.Err()
	}
	resp.Name = strings.ToUpper(name)
	switch resp.Name {
	case "SEARCH", "SORT", "ESEARCH", "THREAD":
		// These grow with the mailbox (RFC 3501 §7.2.5, RFC 4731,
		// RFC 5256).
		d.MaxLineLength = c.resultLineLimit
	}
	switch {
	case resp.Name == "FETCH" && resp.HasNum:
		if !d.SP() {
			return d.Err()
		}
		if err := c.readFetch(resp); err != nil {
			return err
		}
	case !resp.HasNum && (resp.Name == "SEARCH" || resp.Name == "SORT"):
		for d.Accept(' ') {
			for d.Accept(' ') {
			}
			if d.AtLineEnd() {
				break
			}
			if d.Peek('(') {
				v, ok := d.Value()
				if !ok {
					return d.Err()
				}
				resp.Fields = append(resp.Fields, v)
				continue
			}
			n, ok := d.Number()
			if !ok {
				return d.Err()
			}
			resp.Nums = append(resp.Nums, n)
		}
	case isStatusName(resp.Name):
		if d.Accept(' ') {
			rt, ok := d.RespText()
			if !ok {
				return d.Err()
			}
			resp.Code, resp.Text = rt.Code, rt.Text
		}
	default:
		fields, ok := d.Fields()
		if !ok {
			return d.Err()
		}
		resp.Fields = fields
	}
	if !d.CRLF() {
		return d.Err()
	}
	if resp.Name != "FETCH" {
		c.handleUntagged(resp)
	}
	return nil
}

// complete finishes the command a tagged response belongs to. A tag that
// belongs to no command in flight is an *UnknownTagError.
func (c *Client) complete(resp *Response) error {
	c.mu.Lock()
	var cmd *command
	for i, p := range c.pending {
		if p.tag == resp.Tag {
			cmd = p
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			// Still in the way of conflicting commands until its
			// results are in place (below).
			c.completing = cmd
			break
		}
	}
	if resp.Code != nil && resp.Code.Name == imapwire.CodeCapability {
		c.setCapsLocked(resp.Code.Capabilities)
	}
	c.keepCodeLocked(resp)
	c.mu.Unlock()
	if cmd == nil {
		return &UnknownTagError{Tag: resp.Tag}
	}
	// An IDLE the server ended by itself was not counted as waiting.
	if !cmd.idling.CompareAndSwap(true, false) {
		c.waiting.Add(-1)
	}
	cmd.status = resp
	switch resp.Name {
	case "OK":
		if cmd.onOK != nil {
			cmd.onOK(resp)
		}
	case "NO", "BAD":
		e := &Error{Command: cmd.name, Type: resp.Name, Text: resp.Text, RespCode: resp.Code}
		if resp.Code != nil {
			e.Code = resp.Code.Name
		}
		cmd.err = e
	default:
		cmd.err = &AbortError{Err: fmt.Errorf("tagged response %q to %s is not OK, NO or BAD", resp.Name, cmd.name)}
	}
	if cmd.fetch != nil && cmd.err == nil {
		cmd.err = cmd.fetch.err
	}
	// Only now, with its results in place, may commands that waited for
	// this one be sent.
	c.mu.Lock()
	c.completing = nil
	c.wakeWaitersLocked()
	c.mu.Unlock()
	close(cmd.done)
	return nil
}

// keepCodeLocked keeps a response code for Response(code), as imaplib
// does with "[CODE args]".
func (c *Client) keepCodeLocked(resp *Response) {
	if resp.Code != nil {
		c.keepLocked(resp.Code.Name, resp)
	}
}

func (c *Client) keepLocked(name string, resp *Response) {
	rs, known := c.untagged[name]
	if !known && len(c.untagged) >= maxKeptNames {
		return // a server inventing names must not grow memory
	}
	if len(rs) >= maxKeptPerName {
		rs = append(rs[:0], rs[1:]...)
	}
	c.untagged[name] = append(rs, resp)
}

// handleUntagged routes an untagged response to the command that asked for
// it, updates the mailbox state, and keeps it for Response.
func (c *Client) handleUntagged(resp *Response) {
	c.mu.Lock()
	if c.greeting == nil {
		c.greeting = resp
		c.eventf("greeting: %s", resp)
		if resp.Code != nil && resp.Code.Name == imapwire.CodeCapability {
			c.setCapsLocked(resp.Code.Capabilities)
		}
		if resp.Name == "PREAUTH" {
			c.authed = true
		}
		if resp.Name == "BYE" {
			c.bye = resp.Text
		}
		c.mu.Unlock()
		c.waiting.Add(-1)
		close(c.greeted)
		return
	}
	if resp.Code != nil {
		switch resp.Code.Name {
		case imapwire.CodeCapability:
			c.setCapsLocked(resp.Code.Capabilities)
		case imapwire.CodeAlert:
			c.debugf("ALERT: %s", resp.Text)
		}
	}
	c.keepCodeLocked(resp)
	switch resp.Name {
	case "BYE":
		c.bye = resp.Text
	case "CAPABILITY":
		c.eventf("capabilities: %s", resp)
		caps := make([]string, len(resp.Fields))
		for i, f := range resp.Fields {
			caps[i] = f.Text
		}
		c.setCapsLocked(caps)
	case "ENABLED":
		// RFC 5161 §3.2: ENABLED is the answer to ENABLE. An unsolicited
		// one (injected before STARTTLS, say) must not switch the
		// encoding of what we send.
		if c.pendingNamedLocked("ENABLE") {
			for _, f := range resp.Fields {
				c.enabled[strings.ToUpper(f.Text)] = true
			}
		}
	}
	claimant := c.claimantLocked(resp.Name, resp)
	if claimant != nil {
		claimant.responses = append(claimant.responses, resp)
		if !claimant.claimsState {
			c.applyStateLocked(resp)
		}
		// Kept for Response too, as imaplib keeps everything, except the
		// potentially large results whose only copy belongs to the caller.
		switch resp.Name {
		case "SEARCH", "ESEARCH", "SORT", "THREAD", "OK":
		default:
			c.keepLocked(resp.Name, resp)
		}
		c.mu.Unlock()
		// An ALERT must reach the user (RFC 3501 §7.1), whoever asked.
		if resp.Code != nil && resp.Code.Name == imapwire.CodeAlert {
			c.onUntagged(resp)
		}
		return
	}
	c.applyStateLocked(resp)
	if resp.Code == nil || resp.Name != "OK" {
		c.keepLocked(resp.Name, resp)
	}
	c.mu.Unlock()
	c.onUntagged(resp)
}

// pendingNamedLocked reports whether a command named name is in flight.
func (c *Client) pendingNamedLocked(name string) bool {
	for _, p := range c.pending {
		if strings.EqualFold(p.name, name) {
			return true
		}
	}
	return false
}

// onUntagged hands a unilateral response to Options.OnUntagged.
func (c *Client) onUntagged(resp *Response) {
	if c.opts.OnUntagged != nil {
		c.inCallback.Store(true)
		c.opts.OnUntagged(resp)
		c.inCallback.Store(false)
	}
}

// claimantLocked finds the oldest pending command that collects responses
// named name. An ESEARCH response names its command by tag (RFC 4731 §3).
func (c *Client) claimantLocked(name string, resp *Response) *command {
	if resp != nil && name == "ESEARCH" && len(resp.Fields) > 0 && resp.Fields[0].Kind == imapwire.ListValue {
		l := resp.Fields[0].List
		if len(l) == 2 && l[0].IsAtom("TAG") {
			for _, p := range c.pending {
				if p.tag == l[1].Text {
					return p
				}
			}
		}
	}
	for _, p := range c.pending {
		if !p.want[name] {
			continue
		}
		if p.key == "" || name != "STATUS" || resp == nil {
			return p
		}
		if len(resp.Fields) > 0 && sameWireMailbox(resp.Fields[0].StringOrAtom(), p.key) {
			return p
		}
	}
	// A STATUS reply names its mailbox (RFC 3501 §7.2.4); one naming no
	// mailbox asked for is unilateral, never another mailbox's answer.
	return nil
}

// sameWireMailbox reports whether two wire mailbox names name the same
// mailbox: equal, INBOX in any case (RFC 3501 §5.1), or the same name in
// modified UTF-7 spelt differently (RFC 3501 §5.1.3).
func sameWireMailbox(a, b string) bool {
	if a == b || (strings.EqualFold(a, "INBOX") && strings.EqualFold(b, "INBOX")) {
		return true
	}
	da, errA := DecodeMailboxName(a)
	db, errB := DecodeMailboxName(b)
	return errA == nil && errB == nil && da == db
}

// applyStateLocked updates the selected mailbox from unilateral data
// (RFC 3501 §7.3, §7.4, RFC 7162 §3.2.10).
func (c *Client) applyStateLocked(resp *Response) {
	if c.mailbox != nil {
		applyState(c.mailbox, resp)
	}
}

func applyState(m *Mailbox, resp *Response) {
	switch resp.Name {
	case "EXISTS":
		m.Exists = resp.Num
	case "RECENT":
		m.Recent = resp.Num
	case "EXPUNGE":
		if m.Exists > 0 {
			m.Exists--
		}
	case "FLAGS":
		if len(resp.Fields) == 1 {
			m.Flags = flagsOf(resp.Fields[0])
		}
	case "VANISHED":
		if len(resp.Fields) == 1 { // not "(EARLIER) set"
			if set, err := ParseUIDSet(resp.Fields[0].Text); err == nil {
				// Counted, not expanded: "1:4294967295" is 16 GiB as a slice.
				if n, ok := set.count(); ok {
					m.Exists -= uint32(min(uint64(m.Exists), n))
				}
			}
		}
	case "OK", "NO", "BAD":
		applyCode(m, resp.Code)
	}
}

func applyCode(m *Mailbox, code *imapwire.RespCode) {
	if code == nil {
		return
	}
	switch code.Name {
	case imapwire.CodePermanentFlags:
		m.PermanentFlags = code.Flags
	case imapwire.CodeUIDNext:
		m.UIDNext = uint32(code.Number)
	case imapwire.CodeUIDValidity:
		m.UIDValidity = uint32(code.Number)
	case imapwire.CodeUnseen:
		m.FirstUnseen = uint32(code.Number)
	case imapwire.CodeHighestModSeq:
		m.HighestModSeq = code.Number
	case imapwire.CodeNoModSeq:
		m.NoModSeq = true
	case imapwire.CodeReadOnly:
		m.ReadOnly = true
	case imapwire.CodeReadWrite:
		m.ReadOnly = false
	}
}

func flagsOf(v imapwire.Value) []string {
	flags := []string{}
	for _, f := range v.List {
		if f.Kind == imapwire.AtomValue {
			flags = append(flags, imapwire.CanonicalFlag(f.Text))
		}
	}
	return flags
}

// tracer writes the debug trace (imaplib's debug output), one line per
// call with control characters escaped (traceSafe).
type tracer struct {
	mu    sync.Mutex
	w     io.Writer
	level int
}

func (t *tracer) printf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	io.WriteString(t.w, "imap: "+traceSafe(fmt.Sprintf(format, args...))+"\n")
}

// eventf reports what the level-4 trace already shows as a server line.
func (c *Client) eventf(format string, args ...any) {
	if c.trace != nil && c.trace.level < 4 {
		c.trace.printf(format, args...)
	}
}

func (c *Client) debugf(format string, args ...any) {
	if c.trace != nil {
		c.trace.printf(format, args...)
	}
}

// traceReader copies server lines to the trace at level >= 4, showing
// literal data only as its size.
func (c *Client) traceReader(r io.Reader) io.Reader {
	if c.trace == nil || c.trace.level < 4 {
		return r
	}
	return &lineTracer{r: r, t: c.trace}
}

type lineTracer struct {
	r    io.Reader
	t    *tracer
	line []byte
	skip int64 // literal bytes still to pass untraced
}

const maxTracedLine = 500

func (l *lineTracer) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if l.skip > 0 {
			l.skip--
			if l.skip == 0 {
				l.line = append(l.line, "<literal>"...)
			}
			continue
		}
		if b == '\n' {
			s := strings.TrimSuffix(string(l.line), "\r")
			if size, ok := literalSuffix(s); ok && size > 0 {
				l.skip = size
				l.line = append(l.line[:len(s)], ' ')
				continue
			}
			if len(s) > maxTracedLine {
				s = s[:maxTracedLine] + "..."
			}
			l.t.printf("S: %s", s)
			l.line = l.line[:0]
			continue
		}
		if len(l.line) < 64<<10 {
			l.line = append(l.line, b)
		}
	}
	return n, err
}

// literalSuffix reports the size of a literal announced at the end of s.
func literalSuffix(s string) (int64, bool) {
	if !strings.HasSuffix(s, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(s, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(s[i+1:len(s)-1], "+"), 10, 64)
	return n, err == nil
}

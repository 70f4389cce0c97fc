package imap

import (
	"context"
	"errors"
	"strings"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// Mailbox is the state of a selected mailbox (RFC 3501 §6.3.1, RFC 7162
// §3.1.2): what SELECT reported, kept current by unilateral responses.
type Mailbox struct {
	Name           string
	ReadOnly       bool
	Flags          []string
	PermanentFlags []string
	Exists         uint32
	Recent         uint32
	// FirstUnseen is the sequence number of the first unseen message
	// ([UNSEEN n]); 0 when the server did not say.
	FirstUnseen   uint32
	UIDValidity   uint32
	UIDNext       uint32
	HighestModSeq uint64
	// NoModSeq is set when the server said [NOMODSEQ] (RFC 7162 §3.1.2.2).
	NoModSeq bool
	// VanishedEarlier is the UID set of "VANISHED (EARLIER)" sent in
	// answer to a QRESYNC SELECT (RFC 7162 §3.2.5.1); the FETCH responses
	// of changed messages go to Options.OnUntagged and Response("FETCH").
	VanishedEarlier string
}

// SelectOptions modify SELECT and EXAMINE.
type SelectOptions struct {
	// ReadOnly sends EXAMINE instead of SELECT (RFC 3501 §6.3.2).
	ReadOnly bool
	// CondStore adds the CONDSTORE parameter (RFC 7162 §3.1.8) so that
	// HIGHESTMODSEQ is reported.
	CondStore bool
	// QResync resynchronises a mailbox known from an earlier session
	// (RFC 7162 §3.2.5); QRESYNC must have been enabled with Enable.
	QResync *QResyncOptions
}

// QResyncOptions are the QRESYNC SELECT parameters of RFC 7162 §3.2.5.
type QResyncOptions struct {
	UIDValidity uint32
	ModSeq      uint64
	// KnownUIDs, if set, limits the report to these UIDs.
	KnownUIDs *NumSet
}

// wireMailbox gives the wire form of a mailbox name: modified UTF-7
// (RFC 3501 §5.1.3), or UTF-8 once UTF8=ACCEPT is enabled (RFC 6855 §3).
//
// A name that is not valid UTF-8 is refused with a *MailboxEncodeError:
// it cannot be written in modified UTF-7 (RFC 3501 §5.1.3) nor sent under
// UTF8=ACCEPT (RFC 6855 §3), and replacing its bytes would name another
// mailbox.
func (c *Client) wireMailbox(name string) (string, error) {
	if err := checkMailboxName(name); err != nil {
		return "", err
	}
	c.mu.Lock()
	utf8 := c.enabled["UTF8=ACCEPT"] || c.enabled["IMAP4REV2"]
	c.mu.Unlock()
	if utf8 || strings.EqualFold(name, "INBOX") {
		return name, nil
	}
	return EncodeMailboxName(name), nil
}

// decodeMailbox turns a wire mailbox name into UTF-8. A name that is not
// valid modified UTF-7 is returned as sent, with ok false.
func (c *Client) decodeMailbox(wire string) (string, bool) {
	c.mu.Lock()
	utf8 := c.enabled["UTF8=ACCEPT"] || c.enabled["IMAP4REV2"]
	c.mu.Unlock()
	if utf8 {
		return wire, true
	}
	name, err := DecodeMailboxName(wire)
	if err != nil {
		return wire, false
	}
	return name, true
}

// Select opens a mailbox (RFC 3501 §6.3.1, or EXAMINE §6.3.2 with
// opts.ReadOnly). The result is also what Mailbox returns afterwards.
//
// As in imaplib, asking for read-write access and getting [READ-ONLY]
// returns the mailbox together with a *ReadOnlyError.
func (c *Client) Select(ctx context.Context, name string, opts *SelectOptions) (*Mailbox, error) {
	if opts == nil {
		opts = &SelectOptions{}
	}
	verb := "SELECT"
	if opts.ReadOnly {
		verb = "EXAMINE"
	}
	cmd := c.newCommand(verb, "FLAGS", "EXISTS", "RECENT", "OK", "VANISHED")
	cmd.claimsState = true
	mb := &Mailbox{Name: name, ReadOnly: opts.ReadOnly}
	cmd.onOK = func(status *Response) {
		for _, r := range cmd.responses {
			switch r.Name {
			case "FLAGS", "EXISTS", "RECENT", "VANISHED":
				applyState(mb, r)
			case "OK":
				applyCode(mb, r.Code)
			}
			if r.Name == "VANISHED" && len(r.Fields) == 2 && len(r.Fields[0].List) == 1 && r.Fields[0].List[0].IsAtom("EARLIER") {
				if mb.VanishedEarlier != "" {
					mb.VanishedEarlier += ","
				}
				mb.VanishedEarlier += r.Fields[1].Text
			}
		}
		applyCode(mb, status.Code)
		c.mu.Lock()
		c.mailbox = mb
		c.mu.Unlock()
	}
	// A failed SELECT leaves no mailbox selected (RFC 3501 §6.3.1).
	wire, werr := c.wireMailbox(name)
	if werr != nil {
		return nil, werr
	}
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(wire)
		switch {
		case opts.QResync != nil:
			q := opts.QResync
			e.Raw(" (QRESYNC (").Number(q.UIDValidity).SP().Number64(q.ModSeq)
			if q.KnownUIDs != nil {
				e.SP().Raw(q.KnownUIDs.String())
			}
			e.Raw("))")
		case opts.CondStore:
			e.Raw(" (CONDSTORE)")
		}
	}, false)
	if err != nil {
		var ie *Error
		if errors.As(err, &ie) {
			c.mu.Lock()
			c.mailbox = nil
			c.mu.Unlock()
		}
		return nil, err
	}
	out := *mb
	if !opts.ReadOnly && mb.ReadOnly {
		return &out, &ReadOnlyError{Mailbox: name, Command: "SELECT"}
	}
	return &out, nil
}

// Examine opens a mailbox read-only (RFC 3501 §6.3.2).
func (c *Client) Examine(ctx context.Context, name string) (*Mailbox, error) {
	return c.Select(ctx, name, &SelectOptions{ReadOnly: true})
}

// simple runs a command without data and returns its error.
func (c *Client) simple(ctx context.Context, name string, args func(e *imapwire.Encoder)) error {
	return c.run(ctx, c.newCommand(name), args, false)
}

func (c *Client) deselect(ctx context.Context, name string) error {
	cmd := c.newCommand(name)
	cmd.onOK = func(*Response) {
		c.mu.Lock()
		c.mailbox = nil
		c.mu.Unlock()
	}
	return c.run(ctx, cmd, nil, false)
}

// CloseMailbox sends CLOSE (RFC 3501 §6.4.2): it expunges the messages
// marked \Deleted and deselects the mailbox. (Close closes the connection.)
func (c *Client) CloseMailbox(ctx context.Context) error { return c.deselect(ctx, "CLOSE") }

// Unselect deselects the mailbox without expunging (RFC 3691).
func (c *Client) Unselect(ctx context.Context) error {
	if !c.Has(ctx, "UNSELECT") && !c.Has(ctx, "IMAP4rev2") {
		return &CapabilityError{Command: "UNSELECT", Reason: "server does not support UNSELECT"}
	}
	return c.deselect(ctx, "UNSELECT")
}

// Create creates a mailbox (RFC 3501 §6.3.3).
func (c *Client) Create(ctx context.Context, name string) error {
	wire, werr := c.wireMailbox(name)
	if werr != nil {
		return werr
	}
	return c.simple(ctx, "CREATE", func(e *imapwire.Encoder) { e.SP().AString(wire) })
}

// Delete deletes a mailbox (RFC 3501 §6.3.4).
func (c *Client) Delete(ctx context.Context, name string) error {
	wire, werr := c.wireMailbox(name)
	if werr != nil {
		return werr
	}
	return c.simple(ctx, "DELETE", func(e *imapwire.Encoder) { e.SP().AString(wire) })
}

// Rename renames a mailbox (RFC 3501 §6.3.5).
func (c *Client) Rename(ctx context.Context, from, to string) error {
	f, werr := c.wireMailbox(from)
	if werr != nil {
		return werr
	}
	t, werr := c.wireMailbox(to)
	if werr != nil {
		return werr
	}
	return c.simple(ctx, "RENAME", func(e *imapwire.Encoder) { e.SP().AString(f).SP().AString(t) })
}

// Subscribe adds a mailbox to the subscription list (RFC 3501 §6.3.6).
func (c *Client) Subscribe(ctx context.Context, name string) error {
	wire, werr := c.wireMailbox(name)
	if werr != nil {
		return werr
	}
	return c.simple(ctx, "SUBSCRIBE", func(e *imapwire.Encoder) { e.SP().AString(wire) })
}

// Unsubscribe removes a mailbox from the subscription list (RFC 3501
// §6.3.7).
func (c *Client) Unsubscribe(ctx context.Context, name string) error {
	wire, werr := c.wireMailbox(name)
	if werr != nil {
		return werr
	}
	return c.simple(ctx, "UNSUBSCRIBE", func(e *imapwire.Encoder) { e.SP().AString(wire) })
}

// Check requests a checkpoint (RFC 3501 §6.4.1).
func (c *Client) Check(ctx context.Context) error { return c.simple(ctx, "CHECK", nil) }

// Noop does nothing but lets the server report updates (RFC 3501 §6.1.2).
func (c *Client) Noop(ctx context.Context) error { return c.simple(ctx, "NOOP", nil) }

// Logout ends the session (RFC 3501 §6.1.3) and closes the connection.
// The server's BYE is expected and not an error.
func (c *Client) Logout(ctx context.Context) error {
	c.loggingOut.Store(true)
	err := c.simple(ctx, "LOGOUT", nil)
	c.Close()
	var ae *AbortError
	if errors.As(err, &ae) && ae.Bye != "" {
		return nil
	}
	return err
}

// ListMailbox is one LIST or LSUB reply (RFC 3501 §7.2.2).
type ListMailbox struct {
	// Name is the mailbox name in UTF-8.
	Name string
	// WireName is the name as the server sent it (modified UTF-7 unless
	// UTF8=ACCEPT); pass Name, not WireName, to other methods.
	WireName string
	// Delimiter is the hierarchy delimiter, or "" for NIL.
	Delimiter string
	// Attributes such as \Noselect, \HasChildren and the SPECIAL-USE ones
	// (\Sent, \Trash, ... RFC 6154), in their RFC spelling.
	Attributes []string
	// Status is filled by LIST-STATUS (RFC 5819) when requested.
	Status *MailboxStatus
	// StatusErr is why this mailbox has no Status when List or StatusEach
	// asked for it with a STATUS command of its own (RFC 3501 §6.3.10):
	// the server's NO for a subscribed mailbox that no longer exists
	// (LSUB may list such names, RFC 3501 §6.3.9), say.
	StatusErr error
	// BadName is set when Name is not valid modified UTF-7; Name is then
	// the wire form.
	BadName bool
}

// HasAttribute reports whether the mailbox has attribute attr (case is
// ignored).
func (m *ListMailbox) HasAttribute(attr string) bool {
	for _, a := range m.Attributes {
		if strings.EqualFold(a, attr) {
			return true
		}
	}
	return false
}

// ListOptions extend LIST (RFC 5258).
type ListOptions struct {
	// Status asks for these STATUS items of each mailbox in the same
	// command when the server supports LIST-STATUS (RFC 5819); otherwise
	// they are fetched with one pipelined STATUS per selectable mailbox.
	Status []string
	// SpecialUse returns only special-use mailboxes (RFC 6154 §5.1).
	SpecialUse bool
	// Subscribed returns only subscribed mailboxes, with the \Subscribed
	// attribute (RFC 5258 §3.1 LIST-EXTENDED).
	Subscribed bool
	// ReturnSpecialUse asks for the special-use attributes of all listed
	// mailboxes (RFC 6154 §5.2), when the server supports SPECIAL-USE.
	ReturnSpecialUse bool
}

// List lists mailboxes matching pattern under reference (RFC 3501 §6.3.8);
// "*" and "%" are wildcards.
func (c *Client) List(ctx context.Context, reference, pattern string, opts *ListOptions) ([]*ListMailbox, error) {
	if opts == nil {
		opts = &ListOptions{}
	}
	var selection, returns []string
	if opts.Subscribed {
		selection = append(selection, "SUBSCRIBED")
	}
	if opts.SpecialUse {
		selection = append(selection, "SPECIAL-USE")
	}
	if opts.ReturnSpecialUse && (c.Has(ctx, "SPECIAL-USE") || c.Has(ctx, "IMAP4rev2")) {
		returns = append(returns, "SPECIAL-USE")
	}
	statusInList := len(opts.Status) > 0 && (c.Has(ctx, "LIST-STATUS") || c.Has(ctx, "IMAP4rev2"))
	if statusInList {
		returns = append(returns, "STATUS ("+strings.Join(upper(opts.Status), " ")+")")
	}
	cmd := c.newCommand("LIST", "LIST")
	if statusInList {
		cmd = c.newCommand("LIST", "LIST", "STATUS")
	}
	ref, werr := c.wireMailbox(reference)
	if werr != nil {
		return nil, werr
	}
	pat, werr := c.wireMailbox(pattern)
	if werr != nil {
		return nil, werr
	}
	for _, s := range opts.Status {
		if !isAtom(s) {
			return nil, &imapwire.EncodeError{Rule: "status-att", Msg: s}
		}
	}
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP()
		if len(selection) > 0 {
			e.Raw("(" + strings.Join(selection, " ") + ") ")
		}
		e.AString(ref).SP().ListMailbox(pat)
		if len(returns) > 0 {
			e.Raw(" RETURN (" + strings.Join(returns, " ") + ")")
		}
	}, false)
	if err != nil {
		return nil, err
	}
	list := c.parseList(cmd.responses, "LIST")
	if len(opts.Status) > 0 && !statusInList {
		if err := c.statusEach(ctx, list, opts.Status); err != nil {
			return list, err
		}
	}
	return list, nil
}

// StatusEach fills the Status of each selectable mailbox of list with
// STATUS (RFC 3501 §6.3.10), the commands pipelined: one round trip for
// all. It returns the first error; the other mailboxes are still filled,
// and each one whose STATUS failed has its StatusErr set.
func (c *Client) StatusEach(ctx context.Context, list []*ListMailbox, items []string) error {
	return c.statusEach(ctx, list, items)
}

// statusEach pipelines one STATUS per selectable mailbox.
func (c *Client) statusEach(ctx context.Context, list []*ListMailbox, items []string) error {
	type pendingStatus struct {
		m   *ListMailbox
		cmd *command
	}
	var ps []pendingStatus
	for _, m := range list {
		if m.HasAttribute(`\Noselect`) || m.HasAttribute(`\NonExistent`) {
			continue
		}
		cmd, err := c.sendStatus(ctx, m.Name, items)
		if err != nil {
			return err
		}
		ps = append(ps, pendingStatus{m, cmd})
	}
	var firstErr error
	for _, p := range ps {
		if err := c.wait(ctx, p.cmd); err != nil {
			p.m.StatusErr = err
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for _, r := range p.cmd.responses {
			p.m.Status = c.parseStatus(r)
		}
	}
	return firstErr
}

// Lsub lists subscribed mailboxes (RFC 3501 §6.3.9).
func (c *Client) Lsub(ctx context.Context, reference, pattern string) ([]*ListMailbox, error) {
	cmd := c.newCommand("LSUB", "LSUB")
	ref, werr := c.wireMailbox(reference)
	if werr != nil {
		return nil, werr
	}
	pat, werr := c.wireMailbox(pattern)
	if werr != nil {
		return nil, werr
	}
	if err := c.run(ctx, cmd, func(e *imapwire.Encoder) { e.SP().AString(ref).SP().ListMailbox(pat) }, false); err != nil {
		return nil, err
	}
	return c.parseList(cmd.responses, "LSUB"), nil
}

func (c *Client) parseList(responses []*Response, name string) []*ListMailbox {
	var list []*ListMailbox
	byName := map[string]*ListMailbox{}
	for _, r := range responses {
		if r.Name == "STATUS" {
			st := c.parseStatus(r)
			if m := byName[st.Name]; m != nil {
				m.Status = st
			}
			continue
		}
		if r.Name != name || len(r.Fields) < 3 || r.Fields[0].Kind != imapwire.ListValue {
			continue
		}
		m := &ListMailbox{Attributes: flagsOf(r.Fields[0]), Delimiter: r.Fields[1].StringOrAtom(), WireName: r.Fields[2].StringOrAtom()}
		var ok bool
		m.Name, ok = c.decodeMailbox(m.WireName)
		m.BadName = !ok
		list = append(list, m)
		byName[m.Name] = m
	}
	return list
}

// MailboxStatus is a STATUS reply (RFC 3501 §6.3.10, RFC 7162 §3.1.4,
// RFC 8438 SIZE).
type MailboxStatus struct {
	Name          string
	Messages      uint32
	Recent        uint32
	UIDNext       uint32
	UIDValidity   uint32
	Unseen        uint32
	HighestModSeq uint64
	Size          uint64
	// Items holds every item as returned, including ones not above.
	Items map[string]uint64
}

// Status asks for the status of a mailbox (RFC 3501 §6.3.10). items are
// STATUS data item names such as "MESSAGES", "UIDNEXT", "UNSEEN". Only a
// STATUS response naming this mailbox answers it; a server that sends none
// gives a *MissingDataError.
func (c *Client) Status(ctx context.Context, name string, items []string) (*MailboxStatus, error) {
	cmd, err := c.sendStatus(ctx, name, items)
	if err != nil {
		return nil, err
	}
	if err := c.wait(ctx, cmd); err != nil {
		return nil, err
	}
	for _, r := range cmd.responses {
		return c.parseStatus(r), nil
	}
	return nil, &MissingDataError{Command: "STATUS", Mailbox: name, Want: "STATUS"}
}

func (c *Client) sendStatus(ctx context.Context, name string, items []string) (*command, error) {
	for _, s := range items {
		if !isAtom(s) {
			return nil, &imapwire.EncodeError{Rule: "status-att", Msg: s}
		}
	}
	cmd := c.newCommand("STATUS", "STATUS")
	wire, werr := c.wireMailbox(name)
	if werr != nil {
		return nil, werr
	}
	cmd.key = wire
	err := c.send(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(wire).Raw(" (" + strings.Join(upper(items), " ") + ")")
	}, false)
	return cmd, err
}

func (c *Client) parseStatus(r *Response) *MailboxStatus {
	st := &MailboxStatus{Items: map[string]uint64{}}
	if len(r.Fields) < 2 {
		return st
	}
	st.Name, _ = c.decodeMailbox(r.Fields[0].StringOrAtom())
	l := r.Fields[1].List
	for i := 0; i+1 < len(l); i += 2 {
		n, _ := l[i+1].Number64()
		key := strings.ToUpper(l[i].Text)
		st.Items[key] = n
		switch key {
		case "MESSAGES":
			st.Messages = uint32(n)
		case "RECENT":
			st.Recent = uint32(n)
		case "UIDNEXT":
			st.UIDNext = uint32(n)
		case "UIDVALIDITY":
			st.UIDValidity = uint32(n)
		case "UNSEEN":
			st.Unseen = uint32(n)
		case "HIGHESTMODSEQ":
			st.HighestModSeq = n
		case "SIZE":
			st.Size = n
		}
	}
	return st
}

func upper(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}

// isAtom reports whether s is a non-empty atom: safe to send verbatim.
func isAtom(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x1f || c >= 0x7f || strings.IndexByte("(){ %*\"\\]", c) >= 0 {
			return false
		}
	}
	return true
}

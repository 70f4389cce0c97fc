package imap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// BodySection names a part of a message to fetch (RFC 3501 §6.4.5
// BODY[<section>]<<partial>>).
type BodySection struct {
	// Part is the MIME part path, e.g. []int{1, 2} for "1.2"; empty for
	// the whole message.
	Part []int
	// Specifier is "", "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT",
	// "TEXT" or "MIME".
	Specifier string
	// Fields are the header field names of HEADER.FIELDS[.NOT].
	Fields []string
	// Peek uses BODY.PEEK, which does not set \Seen.
	Peek bool
	// Partial fetches Count bytes from Offset ("<Offset.Count>").
	Partial *Partial
	// Binary asks for the part with its content-transfer-encoding undone
	// by the server (RFC 3516 BINARY[]); Specifier must be empty. The
	// server must advertise BINARY.
	Binary bool
}

// Partial is the <origin.count> of a partial fetch.
type Partial struct {
	Offset, Count uint32
}

// spec renders the section inside the brackets.
func (s BodySection) spec() (string, error) {
	var parts []string
	for _, p := range s.Part {
		if p <= 0 {
			return "", fmt.Errorf("imap: invalid body part number %d", p)
		}
		parts = append(parts, strconv.Itoa(p))
	}
	spec := strings.ToUpper(s.Specifier)
	switch spec {
	case "", "HEADER", "TEXT", "MIME":
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		if len(s.Fields) == 0 {
			return "", errors.New("imap: " + spec + " needs field names")
		}
		for _, f := range s.Fields {
			if !isAtom(f) {
				return "", fmt.Errorf("imap: invalid header field name %q", f)
			}
		}
		spec += " (" + strings.Join(upper(s.Fields), " ") + ")"
	default:
		return "", fmt.Errorf("imap: unknown section specifier %q", s.Specifier)
	}
	if spec != "" {
		parts = append(parts, spec)
	}
	return strings.Join(parts, "."), nil
}

// FetchOptions choose the data items of FETCH (RFC 3501 §6.4.5, RFC 7162
// §3.1.4).
type FetchOptions struct {
	UID           bool
	Flags         bool
	InternalDate  bool
	RFC822Size    bool
	Envelope      bool
	BodyStructure bool
	// ModSeq asks for MODSEQ (CONDSTORE).
	ModSeq bool
	// BodySections are streamed to the callback, in the order the server
	// sends them.
	BodySections []BodySection
	// ChangedSince restricts to messages changed after this mod-sequence
	// (RFC 7162 §3.1.4.1); 0 means no restriction.
	ChangedSince uint64
	// Vanished adds the VANISHED modifier to a UID FETCH with ChangedSince
	// (RFC 7162 §3.2.6); the expunged UIDs arrive as "VANISHED (EARLIER)"
	// responses, kept for Response("VANISHED").
	Vanished bool
}

func (o *FetchOptions) items() (string, error) {
	var items []string
	add := func(ok bool, name string) {
		if ok {
			items = append(items, name)
		}
	}
	add(o.UID, "UID")
	add(o.Flags, "FLAGS")
	add(o.InternalDate, "INTERNALDATE")
	add(o.RFC822Size, "RFC822.SIZE")
	add(o.Envelope, "ENVELOPE")
	add(o.BodyStructure, "BODYSTRUCTURE")
	add(o.ModSeq, "MODSEQ")
	for _, s := range o.BodySections {
		spec, err := s.spec()
		if err != nil {
			return "", err
		}
		kind := "BODY"
		if s.Binary {
			if s.Specifier != "" {
				return "", errors.New("imap: BINARY takes a part number only (RFC 3516 §4.2)")
			}
			kind = "BINARY"
		}
		item := kind + "[" + spec + "]"
		if s.Peek {
			item = kind + ".PEEK[" + spec + "]"
		}
		if s.Partial != nil {
			item += "<" + strconv.FormatUint(uint64(s.Partial.Offset), 10) + "." + strconv.FormatUint(uint64(s.Partial.Count), 10) + ">"
		}
		items = append(items, item)
	}
	if len(items) == 0 {
		return "", errors.New("imap: FETCH without data items")
	}
	return "(" + strings.Join(items, " ") + ")", nil
}

// sectionKeys returns the sectionKey of each body section asked for, as the
// server names it in its response (without .PEEK and <partial>).
func (o *FetchOptions) sectionKeys() map[string]bool {
	keys := map[string]bool{}
	for _, s := range o.BodySections {
		spec, err := s.spec()
		if err != nil {
			continue
		}
		kind := "BODY"
		if s.Binary {
			kind = "BINARY"
		}
		keys[sectionKey(kind+"["+spec+"]")] = true
	}
	return keys
}

// FetchMessage is one FETCH response (RFC 3501 §7.4.2). Attributes the
// server sent before a body section are set when NextBody returns that
// section; all are set once NextBody returned nil.
type FetchMessage struct {
	SeqNum uint32
	UID    uint32
	// Flags is nil unless FLAGS was sent.
	Flags        []string
	InternalDate time.Time
	// RFC822Size is -1 unless RFC822.SIZE was sent.
	RFC822Size    int64
	Envelope      *Envelope
	BodyStructure *BodyStructure
	ModSeq        uint64
	// Other holds attributes this package does not interpret, by name
	// (and an INTERNALDATE that is not an RFC 3501 date-time).
	Other map[string]imapwire.Value

	// Unrequested names the body sections the server sent that the
	// command did not ask for (e.g. BODY[HEADER] for BODY.PEEK[]); they
	// were skipped, never handed out by NextBody (RFC 3501 §7.4.2: the
	// response names the section it carries).
	Unrequested []string

	p           *fetchParser
	pending     *BodySectionReader
	current     *BodySectionReader
	wholeBodies []*BodySectionReader
}

// NextBody returns the next body section of this message as a stream, or
// nil when there are no more. A section not read to the end is skipped.
func (m *FetchMessage) NextBody() (*BodySectionReader, error) {
	if m.p == nil {
		return nil, nil
	}
	if m.current != nil {
		if err := m.current.discard(); err != nil {
			return nil, err
		}
		m.current = nil
	}
	if m.pending != nil {
		m.current, m.pending = m.pending, nil
		return m.current, nil
	}
	b, err := m.p.advance()
	m.current = b
	return b, err
}

// Finish skips the body sections not yet read and reads the rest of this
// message's FETCH response, so that attributes a server sends after the
// body (UID, FLAGS, INTERNALDATE; RFC 3501 §7.4.2 allows any order) are
// set when it returns.
func (m *FetchMessage) Finish() error {
	for {
		b, err := m.NextBody()
		if err != nil || b == nil {
			return err
		}
	}
}

// SizeMismatchError reports a whole-message body whose literal size
// differs from the RFC822.SIZE the server reported for it: the server is
// serving the message inconsistently and the copy may not be faithful.
type SizeMismatchError struct {
	SeqNum      uint32
	UID         uint32
	Section     string
	LiteralSize int64
	RFC822Size  int64
}

func (e *SizeMismatchError) Error() string {
	return fmt.Sprintf("imap: message %d (UID %d): server sent %s of %d bytes but RFC822.SIZE %d",
		e.SeqNum, e.UID, e.Section, e.LiteralSize, e.RFC822Size)
}

// NilSectionError is returned by BodySectionReader.Read for a section the
// server sent as NIL (RFC 3501 §9 "nstring"): the server could not give
// the data, which is not the same as an empty section.
type NilSectionError struct {
	SeqNum     uint32
	UID        uint32
	Section    string // e.g. "BODY[]"
	RFC822Size int64  // -1 unless RFC822.SIZE was sent
}

func (e *NilSectionError) Error() string {
	msg := fmt.Sprintf("imap: message %d (UID %d): server sent %s as NIL", e.SeqNum, e.UID, e.Section)
	if e.RFC822Size >= 0 {
		msg += fmt.Sprintf(" (RFC822.SIZE %d)", e.RFC822Size)
	}
	return msg
}

// BodySectionReader streams one body section literal; it is limited to the
// size the server announced and never buffered whole.
type BodySectionReader struct {
	// Name is the item as the server named it, e.g. "BODY[]" or
	// "BODY[HEADER.FIELDS (FROM)]".
	Name string
	// Section is the part inside the brackets ("" for the whole message).
	Section string
	// Origin is the <origin> of a partial fetch reply, or -1.
	Origin int64
	// Size is the announced size; -1 when the server sent NIL.
	Size int64

	r       io.Reader
	lit     *imapwire.LiteralReader
	msg     *FetchMessage
	checked bool
}

// IsWholeMessage reports whether the section is the complete message
// (BODY[] or RFC822 without partial), whose size RFC822.SIZE describes.
func (b *BodySectionReader) IsWholeMessage() bool {
	return (b.Name == "BODY[]" || b.Name == "RFC822") && b.Origin < 0
}

// IsNil reports whether the server sent NIL instead of the section.
func (b *BodySectionReader) IsNil() bool { return b.Size < 0 }

// Read reads the section. At the end it returns a *SizeMismatchError
// instead of io.EOF when RFC822.SIZE was sent before the body and differs,
// and for a section sent as NIL it returns a *NilSectionError.
func (b *BodySectionReader) Read(p []byte) (int, error) {
	if b.IsNil() {
		return 0, &NilSectionError{SeqNum: b.msg.SeqNum, UID: b.msg.UID, Section: b.Name, RFC822Size: b.msg.RFC822Size}
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		if mm := b.mismatch(); mm != nil {
			return n, mm
		}
	}
	return n, err
}

func (b *BodySectionReader) mismatch() error {
	if b.checked || !b.IsWholeMessage() || b.msg.RFC822Size < 0 || b.Size < 0 {
		return nil
	}
	b.checked = true
	if b.Size != b.msg.RFC822Size {
		return &SizeMismatchError{SeqNum: b.msg.SeqNum, UID: b.msg.UID, Section: b.Name, LiteralSize: b.Size, RFC822Size: b.msg.RFC822Size}
	}
	return nil
}

func (b *BodySectionReader) discard() error {
	if b.lit != nil {
		return b.lit.Discard()
	}
	return nil
}

// fetchSink receives the FETCH responses of one command.
type fetchSink struct {
	set     *NumSet // the command's set, when known
	fn      func(*FetchMessage) error
	collect []*FetchMessage // when fn is nil (STORE results)
	err     error           // first callback error
	late    []error         // size mismatches found after the body
	// sections are the body sections asked for (sectionKey); nil when
	// unknown (STORE).
	sections map[string]bool
}

type fetchParser struct {
	d    *imapwire.Decoder
	m    *FetchMessage
	done bool
	err  error
	// want holds the body sections the command asked for (sectionKey);
	// nil accepts any.
	want map[string]bool
}

// sectionKey normalises a body section name for comparison: upper case,
// no quotes, single spaces. BODY.PEEK[x] is answered as BODY[x]
// (RFC 3501 §6.4.5), so the caller passes the name without ".PEEK".
func sectionKey(name string) string {
	name = strings.ToUpper(strings.ReplaceAll(name, `"`, ""))
	return strings.Join(strings.Fields(name), " ")
}

// advance parses attributes up to the next body section, which it
// returns, or to the end of the response (nil).
func (p *fetchParser) advance() (*BodySectionReader, error) {
	d := p.d
	for !p.done && p.err == nil {
		for d.Accept(' ') {
		}
		if d.Accept(')') {
			p.done = true
			break
		}
		name, ok := d.SectionToken()
		if !ok || !d.SP() {
			p.err = d.Err()
			break
		}
		b, err := p.attr(strings.ToUpper(name))
		if err != nil {
			p.err = err
			break
		}
		if b != nil && p.want != nil && !p.want[sectionKey(b.Name)] {
			// Not what was asked for: never handed out as if it were.
			p.m.Unrequested = append(p.m.Unrequested, b.Name)
			if i := len(p.m.wholeBodies) - 1; i >= 0 && p.m.wholeBodies[i] == b {
				p.m.wholeBodies = p.m.wholeBodies[:i]
			}
			if err := b.discard(); err != nil {
				p.err = err
				break
			}
			continue
		}
		if b != nil {
			return b, nil
		}
	}
	if p.err == nil && d.Err() != nil {
		p.err = d.Err()
	}
	return nil, p.err
}

func (p *fetchParser) attr(name string) (*BodySectionReader, error) {
	d, m := p.d, p.m
	fail := func() (*BodySectionReader, error) {
		if d.Err() != nil {
			return nil, d.Err()
		}
		return nil, &imapwire.DecodeError{Rule: "msg-att", Msg: "bad " + name}
	}
	switch {
	case name == "UID":
		n, ok := d.Number()
		if !ok {
			return fail()
		}
		m.UID = n
	case name == "FLAGS":
		flags, ok := d.FlagList()
		if !ok {
			return fail()
		}
		m.Flags = flags
	case name == "INTERNALDATE":
		s, ok := d.String()
		if !ok {
			return fail()
		}
		t, err := time.Parse("_2-Jan-2006 15:04:05 -0700", s)
		if err != nil {
			// Not an RFC 3501 date-time: keep it raw rather than fail.
			if m.Other == nil {
				m.Other = map[string]imapwire.Value{}
			}
			m.Other[name] = imapwire.Value{Kind: imapwire.StringValue, Text: s}
			break
		}
		m.InternalDate = t
	case name == "RFC822.SIZE":
		n, ok := d.Number64()
		if !ok {
			return fail()
		}
		m.RFC822Size = int64(n)
	case name == "MODSEQ":
		var n uint64
		ok := d.List("msg-att", func() bool {
			var ok bool
			n, ok = d.Number64()
			return ok
		})
		if !ok {
			return fail()
		}
		m.ModSeq = n
	case name == "ENVELOPE":
		v, ok := d.Value()
		if !ok {
			return fail()
		}
		m.Envelope = parseEnvelope(v)
	case name == "BODYSTRUCTURE" || name == "BODY":
		v, ok := d.Value()
		if !ok {
			return fail()
		}
		m.BodyStructure = parseBodyStructure(v)
	case strings.HasPrefix(name, "BODY[") || strings.HasPrefix(name, "BINARY[") ||
		name == "RFC822" || name == "RFC822.HEADER" || name == "RFC822.TEXT":
		return p.body(name)
	default:
		v, ok := d.Value()
		if !ok {
			return fail()
		}
		if m.Other == nil {
			m.Other = map[string]imapwire.Value{}
		}
		m.Other[name] = v
	}
	return nil, nil
}

func (p *fetchParser) body(name string) (*BodySectionReader, error) {
	d := p.d
	b := &BodySectionReader{Name: name, Origin: -1, msg: p.m}
	if i := strings.IndexByte(name, '['); i >= 0 {
		if j := strings.LastIndexByte(name, ']'); j > i {
			b.Section = name[i+1 : j]
			if rest := name[j+1:]; strings.HasPrefix(rest, "<") && strings.HasSuffix(rest, ">") {
				if o, err := strconv.ParseInt(rest[1:len(rest)-1], 10, 64); err == nil {
					b.Origin = o
				}
				b.Name = name[:j+1]
			}
		}
	}
	c, ok := d.PeekByte()
	if !ok {
		return nil, d.Err()
	}
	switch c {
	case '{', '~':
		lit, ok := d.Literal()
		if !ok {
			return nil, d.Err()
		}
		b.lit, b.r, b.Size = lit, lit, lit.Size
	case '"':
		s, ok := d.Quoted()
		if !ok {
			return nil, d.Err()
		}
		b.r, b.Size = strings.NewReader(s), int64(len(s))
	default:
		_, isNil, ok := d.NString()
		if !ok || !isNil {
			return nil, d.Err()
		}
		b.r, b.Size = strings.NewReader(""), -1
	}
	if b.IsWholeMessage() {
		p.m.wholeBodies = append(p.m.wholeBodies, b)
	}
	return b, nil
}

// readFetch reads the msg-att list of "* n FETCH" and hands it to the
// command that asked for it, or treats it as unilateral (flag updates).
func (c *Client) readFetch(resp *Response) error {
	d := c.dec
	if !d.Expect("msg-att", '(') {
		return d.Err()
	}
	c.mu.Lock()
	cmd := c.claimantLocked("FETCH", nil)
	var exists uint32
	if c.mailbox != nil {
		exists = c.mailbox.Exists
	}
	c.mu.Unlock()
	m := &FetchMessage{SeqNum: resp.Num, RFC822Size: -1}
	p := &fetchParser{d: d, m: m}
	m.p = p

	var sink *fetchSink
	if cmd != nil && cmd.fetch != nil {
		p.want = cmd.fetch.sections
	}
	if cmd != nil {
		sink = cmd.fetch
		// A FETCH outside a sequence-number FETCH's set is unilateral (a
		// flag change by another client), not an answer. "*" is the
		// last message (RFC 3501 §9), so "10:*" with 3 messages asks for
		// message 3; a FETCH about message n shows that n is in use.
		if sink != nil && sink.set != nil && !sink.set.UID && !sink.set.ContainsUpTo(resp.Num, max(exists, resp.Num)) {
			sink = nil
		}
	}
	if sink != nil && sink.fn != nil && sink.err == nil {
		first, err := p.advance()
		if err != nil {
			return err
		}
		m.pending = first
		// Answers to UID FETCH carry UID (RFC 3501 §6.4.8); a complete
		// response without one is a unilateral flag update.
		if first == nil && p.done && sink.set != nil && sink.set.UID && m.UID == 0 {
			m.p = nil
			resp.Fetch = m
			c.mu.Lock()
			c.keepLocked("FETCH", resp)
			c.mu.Unlock()
			c.onUntagged(resp)
			return nil
		}
		c.inCallback.Store(true)
		err = sink.fn(m)
		c.inCallback.Store(false)
		if err != nil {
			sink.err = err
		}
	}
	// Drain what the callback left: remaining attributes, unread bodies.
	for {
		b, err := m.NextBody()
		if err != nil {
			return err
		}
		if b == nil {
			break
		}
	}
	m.p, m.current = nil, nil
	// RFC822.SIZE may come after the body: check what Read could not.
	for _, b := range m.wholeBodies {
		if mm := b.mismatch(); mm != nil && sink != nil {
			sink.late = append(sink.late, mm)
		}
	}
	m.wholeBodies = nil
	if sink != nil {
		if sink.fn == nil {
			sink.collect = append(sink.collect, m)
		}
		return nil
	}
	resp.Fetch = m
	c.mu.Lock()
	c.keepLocked("FETCH", resp)
	c.mu.Unlock()
	c.onUntagged(resp)
	return nil
}

// Fetch retrieves data of the messages in set (RFC 3501 §6.4.5; UID FETCH
// §6.4.8 when set.UID) as one command (a set too long for one command
// line is sent as several, one after another), calling fn once per message as its
// response arrives. Body sections are streamed: fn reads them with
// m.NextBody and each is an io.Reader limited to its literal.
//
// fn runs on the connection's reader goroutine: it must not call the
// client, and while it runs no other response is read. Untagged FETCH
// responses carry no tag, so Fetch (and Store) calls from several
// goroutines are sent one after another, each once the previous one
// completed (RFC 3501 §5.5). If fn returns an
// error, the remaining responses are read and discarded and Fetch returns
// that error.
func (c *Client) Fetch(ctx context.Context, set NumSet, opts *FetchOptions, fn func(m *FetchMessage) error) error {
	if set.IsEmpty() {
		return ErrEmptySet
	}
	items, err := opts.items()
	if err != nil {
		return err
	}
	name := "FETCH"
	if set.UID {
		name = "UID FETCH"
	}
	if fn == nil {
		fn = func(*FetchMessage) error { return nil }
	}
	var late []error
	parts := set.parts(maxSetBytes)
	for i, part := range parts {
		sink := &fetchSink{fn: fn, set: &part, sections: opts.sectionKeys()}
		cmd := c.newCommand(name, "FETCH")
		cmd.fetch = sink
		err = c.run(ctx, cmd, func(e *imapwire.Encoder) {
			e.SP().Raw(part.String()).SP().Raw(items)
			if opts.ChangedSince > 0 {
				e.Raw(" (CHANGEDSINCE ").Number64(opts.ChangedSince)
				if opts.Vanished {
					e.Raw(" VANISHED")
				}
				e.Raw(")")
			}
		}, false)
		if err != nil {
			return partsDone(err, parts, i)
		}
		late = append(late, sink.late...)
	}
	return errors.Join(late...)
}

// Envelope is the ENVELOPE of a message (RFC 3501 §7.4.2). Strings are as
// the server sent them (RFC 2047 encoded-words are not decoded).
type Envelope struct {
	Date      string
	Subject   string
	From      []Address
	Sender    []Address
	ReplyTo   []Address
	To        []Address
	Cc        []Address
	Bcc       []Address
	InReplyTo string
	MessageID string
}

// Address is one address of an envelope (RFC 3501 §9 "address"). A group
// start has Host "" and the group name in Mailbox; a group end has both
// empty (RFC 3501 §7.4.2).
type Address struct {
	Name    string
	ADL     string
	Mailbox string
	Host    string
}

// String renders the address as "Name <mailbox@host>".
func (a Address) String() string {
	addr := a.Mailbox
	if a.Host != "" {
		addr += "@" + a.Host
	}
	if a.Name != "" {
		return a.Name + " <" + addr + ">"
	}
	return addr
}

func parseEnvelope(v imapwire.Value) *Envelope {
	l := v.List
	if v.Kind != imapwire.ListValue || len(l) < 10 {
		return nil
	}
	return &Envelope{
		Date: l[0].StringOrAtom(), Subject: l[1].StringOrAtom(),
		From: parseAddresses(l[2]), Sender: parseAddresses(l[3]), ReplyTo: parseAddresses(l[4]),
		To: parseAddresses(l[5]), Cc: parseAddresses(l[6]), Bcc: parseAddresses(l[7]),
		InReplyTo: l[8].StringOrAtom(), MessageID: l[9].StringOrAtom(),
	}
}

func parseAddresses(v imapwire.Value) []Address {
	var out []Address
	for _, a := range v.List {
		if len(a.List) < 4 {
			continue
		}
		out = append(out, Address{Name: a.List[0].StringOrAtom(), ADL: a.List[1].StringOrAtom(),
			Mailbox: a.List[2].StringOrAtom(), Host: a.List[3].StringOrAtom()})
	}
	return out
}

// BodyStructure describes a MIME part (RFC 3501 §7.4.2 BODYSTRUCTURE).
// Type and Subtype are lower-cased; parameter names are lower-cased.
type BodyStructure struct {
	Type, Subtype string
	Params        map[string]string
	ID            string
	Description   string
	Encoding      string
	Size          uint32
	// Lines of a text/* or message/rfc822 part.
	Lines uint32
	// Envelope and Body of a message/rfc822 part.
	Envelope *Envelope
	Body     *BodyStructure
	// Parts of a multipart.
	Parts []*BodyStructure
	// Extension data (BODYSTRUCTURE only).
	MD5               string
	Disposition       string
	DispositionParams map[string]string
	Language          []string
	Location          string
}

func parseParams(v imapwire.Value) map[string]string {
	if v.Kind != imapwire.ListValue {
		return nil
	}
	m := map[string]string{}
	for i := 0; i+1 < len(v.List); i += 2 {
		m[strings.ToLower(v.List[i].StringOrAtom())] = v.List[i+1].StringOrAtom()
	}
	return m
}

func parseBodyStructure(v imapwire.Value) *BodyStructure {
	l := v.List
	if v.Kind != imapwire.ListValue || len(l) == 0 {
		return nil
	}
	bs := &BodyStructure{}
	if l[0].Kind == imapwire.ListValue { // multipart
		i := 0
		for ; i < len(l) && l[i].Kind == imapwire.ListValue; i++ {
			bs.Parts = append(bs.Parts, parseBodyStructure(l[i]))
		}
		bs.Type = "multipart"
		if i < len(l) {
			bs.Subtype = strings.ToLower(l[i].StringOrAtom())
			i++
		}
		ext := l[i:]
		if len(ext) > 0 {
			bs.Params = parseParams(ext[0])
		}
		parseExtension(bs, ext[min(1, len(ext)):])
		return bs
	}
	if len(l) < 7 {
		return bs
	}
	bs.Type, bs.Subtype = strings.ToLower(l[0].StringOrAtom()), strings.ToLower(l[1].StringOrAtom())
	bs.Params = parseParams(l[2])
	bs.ID, bs.Description, bs.Encoding = l[3].StringOrAtom(), l[4].StringOrAtom(), l[5].StringOrAtom()
	n, _ := l[6].Number()
	bs.Size = n
	rest := l[7:]
	switch {
	case bs.Type == "message" && (bs.Subtype == "rfc822" || bs.Subtype == "global") && len(rest) >= 3:
		bs.Envelope = parseEnvelope(rest[0])
		bs.Body = parseBodyStructure(rest[1])
		bs.Lines, _ = rest[2].Number()
		rest = rest[3:]
	case bs.Type == "text" && len(rest) >= 1:
		bs.Lines, _ = rest[0].Number()
		rest = rest[1:]
	}
	if len(rest) > 0 {
		bs.MD5 = rest[0].StringOrAtom()
		parseExtension(bs, rest[1:])
	}
	return bs
}

// parseExtension reads body-fld-dsp, body-fld-lang, body-fld-loc.
func parseExtension(bs *BodyStructure, ext []imapwire.Value) {
	if len(ext) > 0 && ext[0].Kind == imapwire.ListValue && len(ext[0].List) >= 1 {
		bs.Disposition = strings.ToLower(ext[0].List[0].StringOrAtom())
		if len(ext[0].List) > 1 {
			bs.DispositionParams = parseParams(ext[0].List[1])
		}
	}
	if len(ext) > 1 {
		switch ext[1].Kind {
		case imapwire.ListValue:
			for _, v := range ext[1].List {
				bs.Language = append(bs.Language, v.StringOrAtom())
			}
		case imapwire.StringValue, imapwire.AtomValue:
			bs.Language = []string{ext[1].Text}
		}
	}
	if len(ext) > 2 {
		bs.Location = ext[2].StringOrAtom()
	}
}

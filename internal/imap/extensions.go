package imap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// Namespace is one namespace descriptor (RFC 2342 §5).
type Namespace struct {
	Prefix    string
	Delimiter string
}

// Namespaces is the NAMESPACE reply (RFC 2342).
type Namespaces struct {
	Personal, Other, Shared []Namespace
}

// Namespace asks for the server's namespaces (RFC 2342).
func (c *Client) Namespace(ctx context.Context) (*Namespaces, error) {
	cmd := c.newCommand("NAMESPACE", "NAMESPACE")
	if err := c.run(ctx, cmd, nil, false); err != nil {
		return nil, err
	}
	ns := &Namespaces{}
	for _, r := range cmd.responses {
		if len(r.Fields) < 3 {
			continue
		}
		parse := func(v imapwire.Value) []Namespace {
			var out []Namespace
			for _, d := range v.List {
				if len(d.List) >= 2 {
					prefix, _ := c.decodeMailbox(d.List[0].StringOrAtom())
					out = append(out, Namespace{Prefix: prefix, Delimiter: d.List[1].StringOrAtom()})
				}
			}
			return out
		}
		ns.Personal, ns.Other, ns.Shared = parse(r.Fields[0]), parse(r.Fields[1]), parse(r.Fields[2])
	}
	return ns, nil
}

// Enable turns on extensions (RFC 5161) and returns those the server
// enabled. Enabling UTF8=ACCEPT (RFC 6855) makes mailbox names and
// strings travel as UTF-8 from then on.
func (c *Client) Enable(ctx context.Context, caps ...string) ([]string, error) {
	if len(caps) == 0 {
		return nil, errors.New("imap: ENABLE needs a capability")
	}
	for _, s := range caps {
		if !isAtom(s) {
			return nil, &imapwire.EncodeError{Rule: "capability", Msg: s}
		}
	}
	cmd := c.newCommand("ENABLE", "ENABLED")
	if err := c.run(ctx, cmd, func(e *imapwire.Encoder) { e.SP().Raw(strings.Join(caps, " ")) }, false); err != nil {
		return nil, err
	}
	var out []string
	for _, r := range cmd.responses {
		for _, f := range r.Fields {
			out = append(out, f.Text)
		}
	}
	return out, nil
}

// ID exchanges identification (RFC 2971). A nil map sends NIL. The
// server's fields are returned (nil for NIL).
func (c *Client) ID(ctx context.Context, fields map[string]string) (map[string]string, error) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cmd := c.newCommand("ID", "ID")
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		if fields == nil {
			e.Raw(" NIL")
			return
		}
		e.Raw(" (")
		for i, k := range keys {
			if i > 0 {
				e.SP()
			}
			e.String(k).SP().String(fields[k])
		}
		e.Raw(")")
	}, false)
	if err != nil {
		return nil, err
	}
	for _, r := range cmd.responses {
		if len(r.Fields) == 1 && r.Fields[0].Kind == imapwire.ListValue {
			return pairs(r.Fields[0].List), nil
		}
	}
	return nil, nil
}

func pairs(l []imapwire.Value) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(l); i += 2 {
		m[l[i].StringOrAtom()] = l[i+1].StringOrAtom()
	}
	return m
}

// QuotaResource is one resource of a quota root (RFC 9208 §5.1): usage and
// limit, in KiB for STORAGE.
type QuotaResource struct {
	Name  string
	Usage uint64
	Limit uint64
}

// Quota is a QUOTA response (RFC 9208 §5.1).
type Quota struct {
	Root      string
	Resources []QuotaResource
}

func parseQuota(r *Response) Quota {
	q := Quota{}
	if len(r.Fields) < 2 {
		return q
	}
	q.Root = r.Fields[0].StringOrAtom()
	l := r.Fields[1].List
	for i := 0; i+2 < len(l); i += 3 {
		u, _ := l[i+1].Number64()
		lim, _ := l[i+2].Number64()
		q.Resources = append(q.Resources, QuotaResource{Name: strings.ToUpper(l[i].Text), Usage: u, Limit: lim})
	}
	return q
}

// GetQuota returns the resources of a quota root (RFC 9208 §4.2).
func (c *Client) GetQuota(ctx context.Context, root string) (*Quota, error) {
	cmd := c.newCommand("GETQUOTA", "QUOTA")
	if err := c.run(ctx, cmd, func(e *imapwire.Encoder) { e.SP().AString(root) }, false); err != nil {
		return nil, err
	}
	for _, r := range cmd.responses {
		q := parseQuota(r)
		return &q, nil
	}
	return &Quota{Root: root}, nil
}

// GetQuotaRoot returns the quota roots of a mailbox and their quotas
// (RFC 9208 §4.3).
func (c *Client) GetQuotaRoot(ctx context.Context, mailbox string) ([]string, []Quota, error) {
	wire, werr := c.wireMailbox(mailbox)
	if werr != nil {
		return nil, nil, werr
	}
	cmd := c.newCommand("GETQUOTAROOT", "QUOTAROOT", "QUOTA")
	if err := c.run(ctx, cmd, func(e *imapwire.Encoder) { e.SP().AString(wire) }, false); err != nil {
		return nil, nil, err
	}
	var roots []string
	var quotas []Quota
	for _, r := range cmd.responses {
		switch r.Name {
		case "QUOTAROOT":
			for _, f := range r.Fields[min(1, len(r.Fields)):] {
				roots = append(roots, f.StringOrAtom())
			}
		case "QUOTA":
			quotas = append(quotas, parseQuota(r))
		}
	}
	return roots, quotas, nil
}

// SetQuota sets resource limits of a quota root (RFC 9208 §4.1).
func (c *Client) SetQuota(ctx context.Context, root string, limits map[string]uint64) (*Quota, error) {
	names := make([]string, 0, len(limits))
	for k := range limits {
		if !isAtom(k) {
			return nil, &imapwire.EncodeError{Rule: "resource-name", Msg: k}
		}
		names = append(names, k)
	}
	sort.Strings(names)
	cmd := c.newCommand("SETQUOTA", "QUOTA")
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(root).Raw(" (")
		for i, k := range names {
			if i > 0 {
				e.SP()
			}
			e.Raw(strings.ToUpper(k)).SP().Number64(limits[k])
		}
		e.Raw(")")
	}, false)
	if err != nil {
		return nil, err
	}
	for _, r := range cmd.responses {
		q := parseQuota(r)
		return &q, nil
	}
	return &Quota{Root: root}, nil
}

// GetACL returns a mailbox's access control list: identifier -> rights
// (RFC 4314 §3.3).
func (c *Client) GetACL(ctx context.Context, mailbox string) (map[string]string, error) {
	wire, werr := c.wireMailbox(mailbox)
	if werr != nil {
		return nil, werr
	}
	cmd := c.newCommand("GETACL", "ACL")
	if err := c.run(ctx, cmd, func(e *imapwire.Encoder) { e.SP().AString(wire) }, false); err != nil {
		return nil, err
	}
	acl := map[string]string{}
	for _, r := range cmd.responses {
		if len(r.Fields) > 0 {
			for k, v := range pairs(r.Fields[1:]) {
				acl[k] = v
			}
		}
	}
	return acl, nil
}

// SetACL grants rights to identifier on mailbox (RFC 4314 §3.1); rights
// may start with "+" or "-" to add or remove.
func (c *Client) SetACL(ctx context.Context, mailbox, identifier, rights string) error {
	wire, werr := c.wireMailbox(mailbox)
	if werr != nil {
		return werr
	}
	return c.simple(ctx, "SETACL", func(e *imapwire.Encoder) {
		e.SP().AString(wire).SP().AString(identifier).SP().AString(rights)
	})
}

// DeleteACL removes identifier from mailbox's ACL (RFC 4314 §3.2).
func (c *Client) DeleteACL(ctx context.Context, mailbox, identifier string) error {
	wire, werr := c.wireMailbox(mailbox)
	if werr != nil {
		return werr
	}
	return c.simple(ctx, "DELETEACL", func(e *imapwire.Encoder) { e.SP().AString(wire).SP().AString(identifier) })
}

// MyRights returns the rights the logged-in user has on mailbox
// (RFC 4314 §3.5).
func (c *Client) MyRights(ctx context.Context, mailbox string) (string, error) {
	wire, werr := c.wireMailbox(mailbox)
	if werr != nil {
		return "", werr
	}
	cmd := c.newCommand("MYRIGHTS", "MYRIGHTS")
	if err := c.run(ctx, cmd, func(e *imapwire.Encoder) { e.SP().AString(wire) }, false); err != nil {
		return "", err
	}
	for _, r := range cmd.responses {
		if len(r.Fields) >= 2 {
			return r.Fields[1].StringOrAtom(), nil
		}
	}
	return "", nil
}

// GetAnnotation sends GETANNOTATION (draft-daboo-imap-annotatemore-05, as
// imaplib's getannotation) and returns the raw ANNOTATION responses.
func (c *Client) GetAnnotation(ctx context.Context, mailbox, entry, attribute string) ([]*Response, error) {
	wire, werr := c.wireMailbox(mailbox)
	if werr != nil {
		return nil, werr
	}
	cmd := c.newCommand("GETANNOTATION", "ANNOTATION")
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(wire).SP().String(entry).SP().String(attribute)
	}, false)
	return cmd.responses, err
}

// SetAnnotation sends SETANNOTATION mailbox entry (attr value ...)
// (draft-daboo-imap-annotatemore-05, as imaplib's setannotation).
func (c *Client) SetAnnotation(ctx context.Context, mailbox, entry string, attributes [][2]string) ([]*Response, error) {
	wire, werr := c.wireMailbox(mailbox)
	if werr != nil {
		return nil, werr
	}
	cmd := c.newCommand("SETANNOTATION", "ANNOTATION")
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().AString(wire).SP().String(entry).Raw(" (")
		for i, a := range attributes {
			if i > 0 {
				e.SP()
			}
			e.String(a[0]).SP().String(a[1])
		}
		e.Raw(")")
	}, false)
	return cmd.responses, err
}

// Partial fetches length bytes from start of one message part with the
// obsolete PARTIAL command (RFC 1730 §6.4.6, as imaplib's partial). part
// is a fetch item such as "RFC822" or "BODY[]". The data is at most length
// bytes and is read into memory.
func (c *Client) Partial(ctx context.Context, seq uint32, part string, start, length uint32) ([]byte, error) {
	if strings.ContainsAny(part, "\r\n\x00 ") || part == "" {
		return nil, &imapwire.EncodeError{Rule: "partial", Msg: part}
	}
	var data []byte
	cmd := c.newCommand("PARTIAL", "FETCH")
	cmd.fetch = &fetchSink{fn: func(m *FetchMessage) error {
		b, err := m.NextBody()
		if err != nil || b == nil {
			return err
		}
		data, err = io.ReadAll(io.LimitReader(b, int64(length)))
		return err
	}}
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().Number(seq).SP().Raw(part).SP().Number(start).SP().Number(length)
	}, false)
	return data, err
}

// ProxyAuth assumes the identity of user (Cyrus PROXYAUTH, as imaplib's
// proxyauth).
func (c *Client) ProxyAuth(ctx context.Context, user string) error {
	return c.simple(ctx, "PROXYAUTH", func(e *imapwire.Encoder) { e.SP().AString(user) })
}

// RawArg is an argument of Command sent verbatim. It must not contain
// CR, LF or NUL (the encoder refuses them).
type RawArg string

// Bounds on the body-section data Command keeps in memory. A FETCH
// response of a generic command carries its body sections as literals
// (RFC 3501 §7.4.2); Command reads them whole, so that imaplib's xatom
// can show them, but never more than this.
const (
	// MaxCommandResponseData bounds the section data of one response.
	MaxCommandResponseData = 1 << 20
	// MaxCommandData bounds the section data of all responses of one
	// command.
	MaxCommandData = 16 << 20
)

// CommandDataLimitError reports a body section Command did not keep
// because the response (MaxCommandResponseData) or the command
// (MaxCommandData) would exceed its bound; the rest of the command's
// responses were read and discarded. Fetch streams sections of any size.
type CommandDataLimitError struct {
	SeqNum  uint32
	Section string // e.g. "BODY[]"
	Size    int64  // the literal size the server announced
	Limit   int64  // the bound that would be exceeded
	Total   bool   // whether Limit is the whole command's bound
}

func (e *CommandDataLimitError) Error() string {
	scope := "one response"
	if e.Total {
		scope = "one command"
	}
	return fmt.Sprintf("imap: message %d: %s of %d bytes exceeds the %d-byte limit on body data kept for %s (use fetch to stream it)",
		e.SeqNum, e.Section, e.Size, e.Limit, scope)
}

// SectionData is one body section of a FETCH response, kept in memory by
// Command (RFC 3501 §7.4.2 "BODY[" section "]" ["<" number ">"] SP
// nstring).
type SectionData struct {
	// Name is the item as the server named it, without the origin, e.g.
	// "BODY[HEADER]" or "RFC822".
	Name string
	// Origin is the <origin> of a partial fetch reply, or -1.
	Origin int64
	// Nil reports that the server sent NIL instead of the data.
	Nil bool
	// Data is the literal (or quoted string) exactly as sent.
	Data []byte
}

// CommandResult is the outcome of a generic command.
type CommandResult struct {
	// Status is the tagged completion.
	Status *Response
	// Responses are the untagged responses named like the command.
	Responses []*Response
	// Sections holds, for a FETCH response in Responses, its body
	// sections in the order the server sent them.
	Sections map[*Response][]SectionData
}

// Command sends any command (imaplib's xatom / _simple_command): name
// followed by args, where a string is sent as an astring (atom, quoted or
// literal as needed), a RawArg verbatim, a uint32 as a number and a NumSet
// as a sequence set. Untagged responses named like the command are
// collected. The body sections of FETCH responses are read into
// CommandResult.Sections, at most MaxCommandResponseData bytes per
// response and MaxCommandData per command (a *CommandDataLimitError
// beyond); a whole message whose size differs from its RFC822.SIZE is
// kept and reported as a *SizeMismatchError.
func (c *Client) Command(ctx context.Context, name string, args ...any) (*CommandResult, error) {
	words := strings.Split(name, " ")
	if len(words) == 0 {
		return nil, errors.New("imap: empty command name")
	}
	for _, w := range words {
		if !isAtom(w) {
			return nil, &imapwire.EncodeError{Rule: "command", Msg: name}
		}
	}
	for _, a := range args {
		switch a.(type) {
		case string, RawArg, uint32, NumSet:
		default:
			return nil, fmt.Errorf("imap: Command: unsupported argument type %T", a)
		}
	}
	resp := strings.ToUpper(words[len(words)-1])
	cmd := c.newCommand(strings.ToUpper(name), resp)
	result := &CommandResult{}
	var fetched []*FetchMessage
	var sections [][]SectionData
	var mismatches []error
	if resp == "FETCH" {
		var total int64
		cmd.fetch = &fetchSink{fn: func(m *FetchMessage) error {
			var kept []SectionData
			var used int64
			for {
				b, err := m.NextBody()
				if err != nil {
					return err
				}
				if b == nil {
					break
				}
				sd := SectionData{Name: b.Name, Origin: b.Origin, Nil: b.IsNil()}
				if !sd.Nil {
					limit, whole := int64(MaxCommandResponseData)-used, false
					if rest := int64(MaxCommandData) - total; rest < limit {
						limit, whole = rest, true
					}
					if b.Size > limit {
						bound := int64(MaxCommandResponseData)
						if whole {
							bound = MaxCommandData
						}
						return &CommandDataLimitError{SeqNum: m.SeqNum, Section: b.Name, Size: b.Size, Limit: bound, Total: whole}
					}
					data, err := io.ReadAll(b)
					var mm *SizeMismatchError
					if errors.As(err, &mm) {
						mismatches = append(mismatches, err)
					} else if err != nil {
						return err
					}
					sd.Data = data
					used += int64(len(data))
					total += int64(len(data))
				}
				kept = append(kept, sd)
			}
			fetched = append(fetched, m)
			sections = append(sections, kept)
			return nil
		}}
	}
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		for _, a := range args {
			e.SP()
			switch a := a.(type) {
			case string:
				e.AString(a)
			case RawArg:
				e.Raw(string(a))
			case uint32:
				e.Number(a)
			case NumSet:
				e.Raw(a.String())
			}
		}
	}, false)
	if cmd.fetch != nil {
		result.Sections = map[*Response][]SectionData{}
		for i, m := range fetched {
			r := &Response{Tag: "*", Num: m.SeqNum, HasNum: true, Name: "FETCH", Fetch: m}
			cmd.responses = append(cmd.responses, r)
			if len(sections[i]) > 0 {
				result.Sections[r] = sections[i]
			}
		}
		mismatches = append(mismatches, cmd.fetch.late...)
	}
	result.Status, result.Responses = cmd.status, cmd.responses
	if err == nil {
		err = errors.Join(mismatches...)
	}
	return result, err
}

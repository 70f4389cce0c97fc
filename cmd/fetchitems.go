package cmd

import (
	"context"
	"mime"
	"strconv"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
)

// fetchedItems is one NDJSON line of fetch --items.
type fetchedItems struct {
	UID           uint32             `json:"uid"`
	Seq           uint32             `json:"seq"`
	Flags         *[]string          `json:"flags,omitempty"`
	InternalDate  string             `json:"internaldate,omitempty"`
	Size          *int64             `json:"size,omitempty"`
	ModSeq        uint64             `json:"modseq,omitempty"`
	Envelope      *jsonEnvelope      `json:"envelope,omitempty"`
	BodyStructure *jsonBodyStructure `json:"bodystructure,omitempty"`
}

// jsonEnvelope is an ENVELOPE (RFC 3501 §7.4.2) with RFC 2047 encoded
// words of the subject and names decoded where the charset is known.
type jsonEnvelope struct {
	Date      string        `json:"date"`
	Subject   string        `json:"subject"`
	From      []jsonAddress `json:"from"`
	Sender    []jsonAddress `json:"sender"`
	ReplyTo   []jsonAddress `json:"reply_to"`
	To        []jsonAddress `json:"to"`
	Cc        []jsonAddress `json:"cc"`
	Bcc       []jsonAddress `json:"bcc"`
	InReplyTo string        `json:"in_reply_to"`
	MessageID string        `json:"message_id"`
}

type jsonAddress struct {
	Name    string `json:"name"`
	Mailbox string `json:"mailbox"`
	Host    string `json:"host"`
	Address string `json:"address"`
}

// jsonBodyStructure is a BODYSTRUCTURE (RFC 3501 §7.4.2).
type jsonBodyStructure struct {
	Part        string               `json:"part"`
	Type        string               `json:"type"`
	Params      map[string]string    `json:"params,omitempty"`
	ID          string               `json:"id,omitempty"`
	Description string               `json:"description,omitempty"`
	Encoding    string               `json:"encoding,omitempty"`
	Size        uint32               `json:"size"`
	Lines       uint32               `json:"lines,omitempty"`
	Disposition string               `json:"disposition,omitempty"`
	Filename    string               `json:"filename,omitempty"`
	Parts       []*jsonBodyStructure `json:"parts,omitempty"`
	Message     *jsonBodyStructure   `json:"message,omitempty"`
}

var wordDecoder = &mime.WordDecoder{}

// decodeWords decodes RFC 2047 encoded words, keeping the text as sent
// when it cannot.
func decodeWords(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

func convertAddresses(in []imap.Address) []jsonAddress {
	out := []jsonAddress{}
	for _, a := range in {
		addr := a.Mailbox
		if a.Host != "" {
			addr += "@" + a.Host
		}
		out = append(out, jsonAddress{Name: decodeWords(a.Name), Mailbox: a.Mailbox, Host: a.Host, Address: addr})
	}
	return out
}

func convertEnvelope(e *imap.Envelope) *jsonEnvelope {
	if e == nil {
		return nil
	}
	return &jsonEnvelope{
		Date: e.Date, Subject: decodeWords(e.Subject),
		From: convertAddresses(e.From), Sender: convertAddresses(e.Sender), ReplyTo: convertAddresses(e.ReplyTo),
		To: convertAddresses(e.To), Cc: convertAddresses(e.Cc), Bcc: convertAddresses(e.Bcc),
		InReplyTo: e.InReplyTo, MessageID: e.MessageID,
	}
}

// convertBodyStructure numbers the parts as BODY[SECTION] does.
func convertBodyStructure(bs *imap.BodyStructure, part string) *jsonBodyStructure {
	if bs == nil {
		return nil
	}
	out := &jsonBodyStructure{Part: part, Type: bs.Type + "/" + bs.Subtype, Params: bs.Params, ID: bs.ID,
		Description: bs.Description, Encoding: bs.Encoding, Size: bs.Size, Lines: bs.Lines, Disposition: bs.Disposition}
	if name, ok := bs.DispositionParams["filename"]; ok {
		out.Filename = decodeWords(name)
	} else if name, ok := bs.Params["name"]; ok {
		out.Filename = decodeWords(name)
	}
	prefix := part
	if prefix != "" {
		prefix += "."
	}
	for i, p := range bs.Parts {
		out.Parts = append(out.Parts, convertBodyStructure(p, prefix+strconv.Itoa(i+1)))
	}
	if bs.Body != nil {
		out.Message = convertBodyStructure(bs.Body, part)
	}
	return out
}

// fetchItems prints the --items of each message as one JSON line.
func fetchItems(ctx context.Context, c *imap.Client, set imap.NumSet, opts *FetchOptions) error {
	var writeErr error
	err := c.Fetch(ctx, set, opts.Items, func(m *imap.FetchMessage) error {
		if _, err := m.NextBody(); err != nil {
			return err
		}
		line := fetchedItems{UID: m.UID, Seq: m.SeqNum, ModSeq: m.ModSeq}
		if opts.Items.Flags {
			flags := nonNil(m.Flags)
			line.Flags = &flags
		}
		if opts.Items.InternalDate && !m.InternalDate.IsZero() {
			line.InternalDate = m.InternalDate.Format(time.RFC3339)
		}
		if opts.Items.RFC822Size && m.RFC822Size >= 0 {
			size := m.RFC822Size
			line.Size = &size
		}
		line.Envelope = convertEnvelope(m.Envelope)
		if m.BodyStructure != nil {
			root := ""
			if len(m.BodyStructure.Parts) == 0 {
				root = "1"
			}
			line.BodyStructure = convertBodyStructure(m.BodyStructure, root)
		}
		writeErr = writeJSONLine(opts.IO.Out, line)
		return writeErr
	})
	return err
}

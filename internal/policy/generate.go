package policy

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
)

// GenerateError reports a message that Python's generator cannot write
// either (it raises UnicodeEncodeError, LookupError, ...): nothing is
// written for the message.
type GenerateError struct {
	// Part says which part: "message", "part 1.2", ...
	Part string
	// Reason is what went wrong, with Python's exception class first when
	// Python raises one, e.g. "UnicodeEncodeError: ...".
	Reason string
	// Err is the underlying error, if any (a *HeaderFoldError for a
	// header that cannot be written).
	Err error
}

func (e *GenerateError) Error() string {
	return fmt.Sprintf("cannot write %s: %s", e.Part, e.Reason)
}

func (e *GenerateError) Unwrap() error { return e.Err }

// generator is Python's email.generator.BytesGenerator, in two passes:
// prepare folds every header and re-encodes what cte_type=7bit needs (so
// that every error Python would raise is found before a byte is written),
// then write streams the message out.
type generator struct {
	policy     *Policy
	mangleFrom bool
	nl         string
	part       string // name of the part being written, for errors
}

// prepared is what prepare computed for one part.
type prepared struct {
	headers []string // folded header lines
	text    *body    // re-encoded payload, when cte_type=7bit required it
}

// mungedHeaders are the Content-Transfer-Encoding and Content-Type a
// re-encoded text part is written with (Python's _munge_cte).
type mungedHeaders struct {
	cte, contentType string
	// contentTypeChanged is false when set_param left the Content-Type
	// as it was (contentType is then not used).
	contentTypeChanged bool
	// contentTypeIsText says contentType is the text of a header object
	// (EmailPolicy), not source bytes.
	contentTypeIsText bool
}

// sub returns a generator for the i-th (1-based) sub-part of the current part.
func (g *generator) sub(i int) *generator {
	c := *g
	if g.part == "message" {
		c.part = fmt.Sprintf("part %d", i)
	} else {
		c.part = fmt.Sprintf("%s.%d", g.part, i)
	}
	return &c
}

// forParts returns the generator for m's sub-parts: Python writes the
// parts of a multipart/signed unfolded so that the signature stays valid
// (RFC 1847), by cloning the policy with max_line_length=0.
func (g *generator) forParts(m *message) *generator {
	if m.contentType() != "multipart/signed" {
		return g
	}
	c := *g
	c.policy = g.policy.withMaxLineLength(0)
	return &c
}

// isText reports whether the generator writes m with _handle_text (any
// part that is not multipart or message/*).
func isTextPart(m *message) bool {
	main := m.mainType()
	return main != "multipart" && main != "message"
}

// prepare is the first pass: it stores m's folded headers and, under
// cte_type=7bit, the re-encoded body of 8-bit text parts, recursively. It
// works in the order of Python's Generator._write, so that the error
// returned is the one Python raises first: the payload (re-encoded text,
// or every sub-part, then a new boundary), then the headers in order.
func (g *generator) prepare(m *message) error {
	headers := m.headers
	prep := &prepared{}
	var mungedAt map[int]bool // indexes of the headers re-encoding replaced
	textAt := map[int]bool{}  // indexes of headers whose value is text (a header object's)
	if isTextPart(m) && m.payload != nil && m.payload.eightBit && g.policy.CTEType == "7bit" {
		raw, err := m.payload.String()
		if err != nil {
			return err
		}
		text, munged, err := reencode7bit(m, raw, g.policy.MaxLineLength)
		if err != nil {
			return &GenerateError{Part: g.part, Reason: err.Error()}
		}
		prep.text = bodyFromString(text)
		mungedAt = map[int]bool{}
		c := m.cloneHeaders()
		if _, ok := c.get("content-transfer-encoding"); !ok {
			c.headers = append(c.headers, headerField{name: "Content-Transfer-Encoding", value: munged.cte})
			mungedAt[len(c.headers)-1] = true
		} else {
			mungedAt[c.replaceHeader("content-transfer-encoding", munged.cte)] = true
		}
		switch {
		case munged.contentTypeChanged:
			i := c.replaceHeader("content-type", munged.contentType)
			mungedAt[i] = true
			if munged.contentTypeIsText {
				// set_param stored a header object named
				// "Content-Type", which writes its own name.
				textAt[i] = true
				c.headers[i].name = "Content-Type"
			}
		case munged.contentTypeIsText:
			// Python stores the unchanged header object again: it is
			// refolded like a new one.
			for i, h := range c.headers {
				if strings.EqualFold(h.name, "content-type") {
					mungedAt[i] = true
					break
				}
			}
		}
		headers = c.headers
	}
	// Python's Generator._write writes the payload (so every sub-part, each
	// payload first) to a buffer before the part's own headers: an error
	// in a sub-part wins over one in these headers.
	if m.isContainer {
		sub := g.forParts(m)
		for i, part := range m.parts {
			if err := sub.sub(i + 1).prepare(part); err != nil {
				return err
			}
		}
	} else if !isTextPart(m) && m.payload != nil && m.payload.eightBit {
		// Python writes the string payload of a multipart or message/*
		// part (one it could not split) after get_payload() decoded its
		// 8-bit bytes with errors='replace', so the ASCII write fails.
		return &GenerateError{Part: g.part, Reason: "UnicodeEncodeError: 'ascii' codec can't encode the 8-bit bytes of a " + m.contentType() + " body it could not parse"}
	}
	if m.isContainer && m.mainType() == "multipart" {
		if b, _ := m.boundary(); b == "" {
			// Python's _handle_multipart makes a boundary and stores it
			// with set_boundary, which rewrites the Content-Type value
			// (after the sub-parts, before the headers).
			m.newBoundary = makeBoundary()
			c := m.cloneHeaders()
			mungedAt = map[int]bool{}
			value, err := m.setBoundary(m.newBoundary)
			if err != nil {
				return &GenerateError{Part: g.part, Reason: err.Error()}
			}
			if m.policy.Family == FamilyCompat32 {
				// Stored as a str: fold_binary writes what is not ASCII
				// as utf-8 encoded words.
				value = foldTextCompat32(value, g.policy.MaxLineLength)
			}
			for i, h := range c.headers {
				if strings.EqualFold(h.name, "content-type") {
					c.headers[i].value = value
					mungedAt[i] = true
					textAt[i] = m.policy.Family != FamilyCompat32
				}
			}
			headers = c.headers
		}
	}
	for i, h := range headers {
		p := g.policy
		if mungedAt[i] && p.Family == FamilyEmail {
			// Python stores the new values as header objects, which
			// fold_binary always refolds (as refold_source=all does).
			q := *p
			q.RefoldSource = "all"
			p = &q
		}
		var folded string
		var err error
		if textAt[i] {
			folded, err = p.foldText(h.name, h.value)
		} else {
			folded, err = p.foldField(h)
		}
		if err != nil {
			return &GenerateError{Part: g.part, Reason: err.Error(), Err: err}
		}
		prep.headers = append(prep.headers, folded)
	}
	m.prepared = prep
	return nil
}

// write is the second pass: m (headers, blank line, body) as
// BytesGenerator.flatten(m, unixfrom=False) writes it.
func (g *generator) write(w *bufio.Writer, m *message) error {
	for _, h := range m.prepared.headers {
		w.WriteString(h)
	}
	w.WriteString(g.nl)
	switch ctype, main := m.contentType(), m.mainType(); {
	case ctype == "message/delivery-status":
		return g.writeDeliveryStatus(w, m)
	case main == "multipart":
		return g.forParts(m).writeMultipart(w, m)
	case main == "message":
		return g.writeMessage(w, m)
	}
	return g.writeText(w, m)
}

// writeText is BytesGenerator._handle_text, used for every leaf part.
func (g *generator) writeText(w *bufio.Writer, m *message) error {
	text := m.payload
	if m.prepared.text != nil {
		text = m.prepared.text
	}
	if text == nil {
		return nil
	}
	return writeBody(w, text, g.nl, g.mangleFrom, false)
}

// writeMultipart is Generator._handle_multipart (RFC 2046 section 5.1.1).
func (g *generator) writeMultipart(w *bufio.Writer, m *message) error {
	if !m.isContainer {
		if m.payload != nil {
			// A multipart whose body could not be split is written as is.
			return writeBody(w, m.payload, g.nl, false, true)
		}
	}
	boundary, _ := m.boundary()
	if boundary == "" {
		boundary = m.newBoundary
	}
	if m.preamble != nil {
		if err := writeBody(w, m.preamble, g.nl, g.mangleFrom, false); err != nil {
			return err
		}
		w.WriteString(g.nl)
	}
	w.WriteString("--" + boundary + g.nl)
	for i, part := range m.parts {
		if i > 0 {
			w.WriteString(g.nl + "--" + boundary + g.nl)
		}
		if err := g.sub(i+1).write(w, part); err != nil {
			return err
		}
	}
	w.WriteString(g.nl + "--" + boundary + "--" + g.nl)
	if m.epilogue != nil {
		return writeBody(w, m.epilogue, g.nl, g.mangleFrom, false)
	}
	return nil
}

// makeBoundary is Generator._make_boundary: 15 '=' signs, a random
// 19-digit number and "==". Python's boundary is random too, so such
// output never matches Python's byte for byte; Python also makes sure the
// boundary does not occur in the parts, which a random 62-bit number
// makes vanishingly unlikely, so we do not scan for it.
func makeBoundary() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		n = big.NewInt(0)
	}
	return fmt.Sprintf("%s%019d==", strings.Repeat("=", 15), n)
}

// writeMessage is Generator._handle_message (message/rfc822 and other
// message/* parts, RFC 2046 section 5.2).
func (g *generator) writeMessage(w *bufio.Writer, m *message) error {
	if m.isContainer {
		if len(m.parts) == 0 {
			return nil
		}
		return g.sub(1).write(w, m.parts[0])
	}
	if m.payload != nil {
		return writeBody(w, m.payload, g.nl, false, true)
	}
	return nil
}

// writeDeliveryStatus is Generator._handle_message_delivery_status
// (RFC 3464): the header blocks, each without its final line break,
// joined by the line separator. Blocks are header-only and small.
func (g *generator) writeDeliveryStatus(w *bufio.Writer, m *message) error {
	var buf bytes.Buffer
	bw := bufio.NewWriterSize(&buf, 512)
	for i, part := range m.parts {
		buf.Reset()
		if err := g.sub(i+1).write(bw, part); err != nil {
			return err
		}
		bw.Flush()
		text := buf.Bytes()
		if i > 0 {
			w.WriteString(g.nl)
		}
		w.Write(bytes.TrimSuffix(text, []byte(g.nl)))
	}
	return nil
}

func has8bit[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

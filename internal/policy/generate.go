package policy

import (
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

// generator is Python's email.generator.BytesGenerator.
type generator struct {
	policy     *Policy
	mangleFrom bool
	nl         string
	part       string // name of the part being written, for errors
}

// flatten writes m (headers, blank line, body) to out as
// BytesGenerator.flatten(m, unixfrom=False) does.
func (g *generator) flatten(out *bytes.Buffer, m *message) error {
	var body bytes.Buffer
	munged, err := g.dispatch(&body, m)
	if err != nil {
		return err
	}
	headers := m.headers
	if munged != nil {
		c := m.cloneHeaders()
		if _, ok := c.get("content-transfer-encoding"); !ok {
			c.headers = append(c.headers, headerField{"Content-Transfer-Encoding", munged.cte})
		} else {
			c.replaceHeader("content-transfer-encoding", munged.cte)
		}
		c.replaceHeader("content-type", munged.contentType)
		headers = c.headers
	}
	for _, h := range headers {
		folded, err := g.policy.foldBinaryChecked(h.name, h.value)
		if err != nil {
			return &GenerateError{Part: g.part, Reason: err.Error(), Err: err}
		}
		out.WriteString(folded)
	}
	out.WriteString(g.nl)
	out.Write(body.Bytes())
	return nil
}

// mungedHeaders are the Content-Transfer-Encoding and Content-Type a
// re-encoded text part is written with (Python's _munge_cte).
type mungedHeaders struct {
	cte, contentType string
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

func (g *generator) dispatch(out *bytes.Buffer, m *message) (*mungedHeaders, error) {
	switch ctype, main := m.contentType(), m.mainType(); {
	case ctype == "multipart/signed":
		// Python writes the parts of a signed message unfolded so the
		// signature stays valid (RFC 1847).
		saved := g.policy
		g.policy = g.policy.withMaxLineLength(0)
		err := g.handleMultipart(out, m)
		g.policy = saved
		return nil, err
	case ctype == "message/delivery-status":
		return nil, g.handleDeliveryStatus(out, m)
	case main == "multipart":
		return nil, g.handleMultipart(out, m)
	case main == "message":
		return nil, g.handleMessage(out, m)
	}
	return g.handleText(out, m)
}

// writeLines is Python's Generator._write_lines: every line break of s
// (CRLF, CR or LF) becomes the policy's line separator.
func (g *generator) writeLines(out *bytes.Buffer, s string) {
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			out.WriteString(s)
			return
		}
		out.WriteString(s[:i])
		out.WriteString(g.nl)
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
}

// mangleFromLines is Python's fcre.sub('>From ', s) with fcre = ^From
// in multi-line mode: "From " at the start of s or after a "\n".
func mangleFromLines(s string) string {
	if !strings.Contains(s, "From ") {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		if strings.HasPrefix(s, "From ") {
			b.WriteByte('>')
		}
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i+1])
		s = s[i+1:]
	}
	return b.String()
}

func has8bit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// handleText is BytesGenerator._handle_text, used for every leaf part.
func (g *generator) handleText(out *bytes.Buffer, m *message) (*mungedHeaders, error) {
	if !m.hasPayload {
		return nil, nil
	}
	payload := m.payload
	var munged *mungedHeaders
	if has8bit(payload) && g.policy.CTEType == "7bit" {
		var err error
		payload, munged, err = reencode7bit(m)
		if err != nil {
			return nil, &GenerateError{Part: g.part, Reason: err.Error()}
		}
	}
	if g.mangleFrom {
		payload = mangleFromLines(payload)
	}
	g.writeLines(out, payload)
	return munged, nil
}

// handleMultipart is Generator._handle_multipart (RFC 2046 section 5.1.1).
func (g *generator) handleMultipart(out *bytes.Buffer, m *message) error {
	if !m.isContainer {
		if m.hasPayload {
			// A multipart whose body could not be split is written as is.
			out.WriteString(m.payload)
			return nil
		}
	}
	texts := make([][]byte, 0, len(m.parts))
	for i, part := range m.parts {
		var b bytes.Buffer
		if err := g.sub(i+1).flatten(&b, part); err != nil {
			return err
		}
		texts = append(texts, b.Bytes())
	}
	boundary, _ := m.boundary()
	if boundary == "" {
		boundary = makeBoundary(bytes.Join(texts, []byte(g.nl)))
	}
	if m.preamble != nil {
		preamble := *m.preamble
		if g.mangleFrom {
			preamble = mangleFromLines(preamble)
		}
		g.writeLines(out, preamble)
		out.WriteString(g.nl)
	}
	out.WriteString("--" + boundary + g.nl)
	for i, text := range texts {
		if i > 0 {
			out.WriteString(g.nl + "--" + boundary + g.nl)
		}
		out.Write(text)
	}
	out.WriteString(g.nl + "--" + boundary + "--" + g.nl)
	if m.epilogue != nil {
		epilogue := *m.epilogue
		if g.mangleFrom {
			epilogue = mangleFromLines(epilogue)
		}
		g.writeLines(out, epilogue)
	}
	return nil
}

// makeBoundary is Generator._make_boundary: 15 '=' signs, a random
// 19-digit number and "==", made unique against text. Python's boundary
// is random too, so such output never matches Python's byte for byte.
func makeBoundary(text []byte) string {
	n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		n = big.NewInt(0)
	}
	base := fmt.Sprintf("%s%019d==", strings.Repeat("=", 15), n)
	b := base
	for counter := 0; ; counter++ {
		found := false
		for _, line := range strings.Split(string(text), "\n") {
			line = strings.TrimSuffix(line, "\r")
			if line == "--"+b || line == "--"+b+"--" {
				found = true
				break
			}
		}
		if !found {
			return b
		}
		b = fmt.Sprintf("%s.%d", base, counter)
	}
}

// handleMessage is Generator._handle_message (message/rfc822 and other
// message/* parts, RFC 2046 section 5.2).
func (g *generator) handleMessage(out *bytes.Buffer, m *message) error {
	if m.isContainer {
		if len(m.parts) == 0 {
			return nil
		}
		return g.sub(1).flatten(out, m.parts[0])
	}
	if has8bit(m.payload) {
		return &GenerateError{Part: g.part, Reason: "UnicodeEncodeError: 'ascii' codec can't encode 8-bit bytes of a message/* body"}
	}
	out.WriteString(m.payload)
	return nil
}

// handleDeliveryStatus is Generator._handle_message_delivery_status
// (RFC 3464): the header blocks, each without its final line break,
// joined by the line separator.
func (g *generator) handleDeliveryStatus(out *bytes.Buffer, m *message) error {
	blocks := make([]string, 0, len(m.parts))
	for i, part := range m.parts {
		var b bytes.Buffer
		if err := g.sub(i+1).flatten(&b, part); err != nil {
			return err
		}
		text := b.String()
		lines := strings.Split(text, g.nl)
		if len(lines) > 0 && lines[len(lines)-1] == "" {
			blocks = append(blocks, strings.Join(lines[:len(lines)-1], g.nl))
		} else {
			blocks = append(blocks, text)
		}
	}
	out.WriteString(strings.Join(blocks, g.nl))
	return nil
}

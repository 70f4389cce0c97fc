package policy

import (
	"errors"
	"strings"
)

// headerField is one header field as the parser stored it: Python's
// (name, value) pair from header_source_parse. Value keeps the line breaks
// of continuation lines; bytes >= 0x80 are the source bytes.
type headerField struct {
	name, value string
	// source is the field's line as read, line break included, when it
	// was one line; otherwise "".
	source string
}

// message is one part of a parsed message tree, the state Python's
// email.message.Message holds after parsing.
type message struct {
	headers  []headerField
	unixFrom string

	// payload is the body of a non-container part (Python's str
	// payload); nil is Python's None.
	payload *body
	// parts is the payload of a container (multipart with parts, message/*);
	// isContainer is Python's is_multipart() (the payload is a list).
	parts       []*message
	isContainer bool

	// preamble and epilogue of a multipart; nil is Python's None.
	preamble, epilogue *body

	defects     []string
	defaultType string
	policy      *Policy

	// ctype caches contentType once the headers are parsed.
	ctype string
	// prepared holds the generator's first pass.
	prepared *prepared
	// newBoundary is the boundary the generator made for a multipart
	// whose own boundary is empty.
	newBoundary string
	// boundaryCache remembers boundary's answer.
	boundaryCache boundaryCache
}

func newMessage(p *Policy) *message {
	return &message{defaultType: "text/plain", policy: p}
}

// get returns the first header value named name (case-insensitive) as
// Python's Message.get would see its text, and whether there was one.
func (m *message) get(name string) (string, bool) {
	for _, h := range m.headers {
		if strings.EqualFold(h.name, name) {
			return h.value, true
		}
	}
	return "", false
}

// contentType is Python's Message.get_content_type: the lower-cased
// maintype/subtype, text/plain when invalid, the default type when absent.
func (m *message) contentType() string {
	if m.ctype == "" {
		m.ctype = m.computeContentType()
	}
	return m.ctype
}

func (m *message) computeContentType() string {
	value, ok := m.get("content-type")
	if !ok {
		return m.defaultType
	}
	ctype, _, _ := strings.Cut(m.fetchValue(value), ";")
	ctype = strings.ToLower(trimPyWhitespace(ctype))
	if strings.Count(ctype, "/") != 1 {
		return "text/plain"
	}
	return ctype
}

func (m *message) mainType() string {
	t, _, _ := strings.Cut(m.contentType(), "/")
	return t
}

// contentTypeObjectRaises is the exception Python raises when an
// EmailPolicy builds m's Content-Type header object, which its feed
// parser does for every part right after the part's headers
// (get_content_type): an RFC 2231 value that cannot be decoded, such as
// one whose charset name has a NUL (ValueError) or that decodes to a
// lone surrogate (UnicodeEncodeError). A value with no "*" has no RFC
// 2231 parameter and is not parsed. Values this package cannot decode
// although Python can (errUnsupportedCharset) are not errors here.
func (m *message) contentTypeObjectRaises() (err error) {
	value, ok := m.get("content-type")
	if !ok || strings.IndexByte(value, '*') < 0 || !rfc2231CharsetsMayRaise(value) {
		return nil
	}
	defer func() {
		// A malformed value the parser cannot handle is reported where
		// the header is refolded, as before.
		if recover() != nil {
			err = nil
		}
	}()
	tree, err := parseParameterizedHeader(clsContentType, pyFromSource(m.fetchValue(value)))
	if err == nil {
		err = checkMIMEParameters(tree)
	}
	var raise *pythonRaise
	if errors.As(err, &raise) {
		return raise
	}
	return nil
}

// rfc2231CharsetsMayRaise is a quick, conservative test for
// contentTypeObjectRaises, so that common values are not parsed: false
// when value has no NUL and every word right before a "'" (where an RFC
// 2231 value names its charset) is a charset whose decoding cannot raise:
// one Python does not know (LookupError: decoded as ASCII), UTF-8,
// Latin-1, ASCII or another single-byte codec. A word is what Python's
// get_extended_attrtext takes: it ends at white space and at
// EXTENDED_ATTRIBUTE_ENDS, which also come before it.
func rfc2231CharsetsMayRaise(value string) bool {
	if strings.IndexByte(value, 0) >= 0 {
		return true
	}
	for rest := value; ; {
		i := strings.IndexByte(rest, '\'')
		if i < 0 {
			return false
		}
		start := strings.LastIndexAny(rest[:i], "()<>@,:;\\\"[]/?=*' \t\r\n") + 1
		if charset := rest[start:i]; charset != "" {
			codec, known, _ := lookupPythonCodec(charset)
			if _, ok := singleByteCodecs()[codec]; known && !ok && codec != "utf-8" && codec != "iso8859-1" {
				return true
			}
		}
		rest = rest[i+1:]
	}
}

// fetchValue is the text of a source header value as Python's
// header_fetch_parse returns it, before any structured parsing: the
// EmailPolicy removes CR and LF; compat32 keeps the value as it is.
func (m *message) fetchValue(value string) string {
	if m.policy.Family == FamilyCompat32 || !strings.ContainsAny(value, "\r\n") {
		return value
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, value)
}

// param is Python's Message.get_param(name) for the Content-Type header,
// unquoted (RFC 2045 section 5.1 parameters; RFC 2231 values collapsed).
func (m *message) param(name string) (string, bool) {
	value, ok := m.get("content-type")
	if !ok {
		return "", false
	}
	var params []mimeParam
	if m.policy.Family == FamilyCompat32 {
		params = splitParamsCompat32(value)
	} else {
		params = parseParamsEmail(m.fetchValue(value))
	}
	for _, p := range params {
		if strings.EqualFold(p.name, name) {
			return p.value, true
		}
	}
	return "", false
}

// boundary is Python's Message.get_boundary: the boundary parameter with
// trailing white space removed (RFC 2046 section 5.1.1).
func (m *message) boundary() (string, bool) {
	// The parser and the generator ask up to three times; the answer is
	// kept for the Content-Type value it was read from.
	value, _ := m.get("content-type")
	if c := &m.boundaryCache; c.known && c.source == value {
		return c.boundary, c.ok
	}
	b, ok := m.param("boundary")
	if ok {
		b = strings.TrimRight(b, " \t\n\r\f\v")
	}
	m.boundaryCache = boundaryCache{known: true, source: value, boundary: b, ok: ok}
	return b, ok
}

// boundaryCache is boundary's answer for the Content-Type value source.
type boundaryCache struct {
	known    bool
	source   string
	boundary string
	ok       bool
}

// cloneHeaders returns a copy of m whose header slice may be changed freely.
func (m *message) cloneHeaders() *message {
	c := *m
	c.headers = append([]headerField(nil), m.headers...)
	return &c
}

// replaceHeader is Python's Message.replace_header: the first field named
// name keeps its position and name and gets value. It returns the
// field's index, or -1 if there is none.
func (m *message) replaceHeader(name, value string) int {
	for i, h := range m.headers {
		if strings.EqualFold(h.name, name) {
			m.headers[i].value = value
			return i
		}
	}
	return -1
}

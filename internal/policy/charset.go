package policy

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// bodyEncoding is a charset's Content-Transfer-Encoding for bodies in
// Python's email.charset tables (RFC 2045 section 6).
type bodyEncoding int

const (
	bodyEncodingNone   bodyEncoding = iota // 7bit or 8bit as the bytes are
	bodyEncodingQP                         // quoted-printable
	bodyEncodingBase64                     // base64
)

// pythonCharsets is email.charset.CHARSETS: body encoding and output
// charset of the charsets Python knows; any other charset is base64 with
// itself as output charset.
var pythonCharsets = map[string]struct {
	body   bodyEncoding
	output string
}{
	"iso-8859-1": {bodyEncodingQP, ""}, "iso-8859-2": {bodyEncodingQP, ""}, "iso-8859-3": {bodyEncodingQP, ""},
	"iso-8859-4": {bodyEncodingQP, ""}, "iso-8859-9": {bodyEncodingQP, ""}, "iso-8859-10": {bodyEncodingQP, ""},
	"iso-8859-13": {bodyEncodingQP, ""}, "iso-8859-14": {bodyEncodingQP, ""}, "iso-8859-15": {bodyEncodingQP, ""},
	"iso-8859-16": {bodyEncodingQP, ""}, "windows-1252": {bodyEncodingQP, ""}, "viscii": {bodyEncodingQP, ""},
	"us-ascii": {bodyEncodingNone, ""}, "big5": {bodyEncodingBase64, ""}, "gb2312": {bodyEncodingBase64, ""},
	"euc-jp": {bodyEncodingNone, "iso-2022-jp"}, "shift_jis": {bodyEncodingNone, "iso-2022-jp"},
	"iso-2022-jp": {bodyEncodingNone, ""}, "koi8-r": {bodyEncodingBase64, ""}, "utf-8": {bodyEncodingBase64, "utf-8"},
}

// pythonCharsetAliases is email.charset.ALIASES.
var pythonCharsetAliases = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"latin_1": "iso-8859-1", "latin-1": "iso-8859-1", "latin_2": "iso-8859-2", "latin-2": "iso-8859-2",
		"latin_3": "iso-8859-3", "latin-3": "iso-8859-3", "latin_4": "iso-8859-4", "latin-4": "iso-8859-4",
		"latin_5": "iso-8859-9", "latin-5": "iso-8859-9", "latin_6": "iso-8859-10", "latin-6": "iso-8859-10",
		"latin_7": "iso-8859-13", "latin-7": "iso-8859-13", "latin_8": "iso-8859-14", "latin-8": "iso-8859-14",
		"latin_9": "iso-8859-15", "latin-9": "iso-8859-15", "latin_10": "iso-8859-16", "latin-10": "iso-8859-16",
		"cp949": "ks_c_5601-1987", "euc_jp": "euc-jp", "euc_kr": "euc-kr", "ascii": "us-ascii",
	}
})

// lookupCodec is Python's codecs.lookup restricted to the codecs this
// package implements (UTF-8 and the single-byte codecs of
// singleByteUndefined): the codec's canonical name, or "" if unknown.
func lookupCodec(name string) string {
	// encodings.normalize_encoding: runs of characters other than ASCII
	// letters, digits and '.' become one '_'.
	var b strings.Builder
	pendingUnderscore := false
	for _, c := range strings.ToLower(name) {
		if c < 128 && (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.') {
			if pendingUnderscore && b.Len() > 0 {
				b.WriteByte('_')
			}
			pendingUnderscore = false
			b.WriteRune(c)
			continue
		}
		pendingUnderscore = true
	}
	n := b.String()
	if c, ok := pythonCodecAliases()[n]; ok {
		return c
	}
	return pythonCodecAliases()[strings.ReplaceAll(n, ".", "_")]
}

// indexAnyByte returns the index of the first byte of s that is in set.
func indexAnyByte(s, set string) int {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) >= 0 {
			return i
		}
	}
	return -1
}

// decodeUTF8Replace is bytes.decode('utf-8', 'replace'): each maximal
// invalid subpart becomes one U+FFFD, as Python does.
func decodeUTF8Replace(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || size > 1 {
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		c := s[i]
		need, lo, hi := 0, byte(0x80), byte(0xbf)
		switch {
		case c >= 0xc2 && c <= 0xdf:
			need = 1
		case c == 0xe0:
			need, lo = 2, 0xa0
		case c == 0xed:
			need, hi = 2, 0x9f
		case c >= 0xe1 && c <= 0xef:
			need = 2
		case c == 0xf0:
			need, lo = 3, 0x90
		case c == 0xf4:
			need, hi = 3, 0x8f
		case c >= 0xf1 && c <= 0xf3:
			need = 3
		}
		j := i + 1
		for k := 0; k < need && j < len(s); k++ {
			if s[j] < lo || s[j] > hi {
				break
			}
			lo, hi = 0x80, 0xbf
			j++
		}
		b.WriteRune(utf8.RuneError)
		i = j
	}
	return b.String()
}

// reencode7bit is what Python's Generator._handle_text does to a part
// with 8-bit bytes under cte_type=7bit: decode the payload with the part's
// charset (errors='replace'), set it again with that charset
// (Message.set_payload/set_charset) so that it gets quoted-printable or
// base64 transfer encoding, and write the new Content-Transfer-Encoding
// and Content-Type. width is the line length of the policy the generator
// writes the part with (0 under a multipart/signed, whose parts Python
// writes with a clone of the policy that has max_line_length=0). It
// returns the new payload and those headers.
func reencode7bit(m *message, raw string, width int) (string, *mungedHeaders, error) {
	params, err := m.contentTypeParams()
	if err != nil {
		return "", nil, err
	}
	var charset string
	ok := false
	for _, p := range params {
		if pyLower(p.name) == "charset" {
			if p.extended {
				// set_payload's Charset(charset) of get_param's tuple.
				return "", nil, fmt.Errorf("TypeError: decode() argument 'encoding' must be str, not tuple (RFC 2231 charset parameter)")
			}
			charset, ok = p.value, true
			break
		}
	}
	if !ok {
		return "", nil, fmt.Errorf("UnicodeEncodeError: 8-bit body without a charset parameter cannot be written under cte_type=7bit")
	}
	if strings.IndexByte(charset, 0) >= 0 {
		// Message.get_payload decodes the body with the charset before
		// set_payload's Charset() checks it is ASCII: ValueError.
		return "", nil, errCharsetNUL
	}
	if has8bit(charset) {
		return "", nil, fmt.Errorf("CharsetError: charset %q is not ASCII", charset)
	}
	// Python's Charset(): lower-case, ALIASES, then CHARSETS.
	input := strings.ToLower(charset)
	if a, ok := pythonCharsetAliases()[input]; ok {
		input = a
	}
	encoding, output := bodyEncodingBase64, input
	if c, ok := pythonCharsets[input]; ok {
		encoding = c.body
		if c.output != "" {
			output = c.output
		}
	}
	if a, ok := pythonCharsetAliases()[output]; ok {
		output = a
	}
	var encoded string
	// No NUL in either name (checked above), so no lookup error.
	decCJK, _, _ := lookupPythonCodec(charset)
	encCJK, _, _ := lookupPythonCodec(output)
	cjk, handled, err := reencodeCJK(decCJK, encCJK, output, raw)
	if err != nil {
		return "", nil, err
	}
	if !handled {
		cjk, handled, err = reencodeOtherCodec(decCJK, encCJK, output, raw)
		if err != nil {
			return "", nil, err
		}
	}
	dec, enc := lookupCodec(charset), lookupCodec(output)
	switch {
	case handled:
		encoded = cjk
	case dec == "":
		return "", nil, fmt.Errorf("LookupError: charset %q is unknown or not supported for cte_type=7bit re-encoding", charset)
	case enc == "" || enc != dec:
		return "", nil, fmt.Errorf("LookupError: re-encoding from %q to %q is not supported", charset, output)
	case dec == "utf_8":
		// Decode (errors='replace') and encode again (errors='strict'):
		// UTF-8 gets U+FFFD for invalid sequences.
		encoded = decodeUTF8Replace(raw)
	default:
		// A single-byte codec keeps the bytes and fails on a byte it
		// cannot decode.
		if i := indexAnyByte(raw, singleByteUndefined()[dec]); i >= 0 {
			return "", nil, fmt.Errorf("UnicodeEncodeError: %q codec can't encode character '\\ufffd' (byte 0x%02x of the body)", output, raw[i])
		}
		encoded = raw
	}
	var payload, cte string
	switch encoding {
	case bodyEncodingBase64:
		payload, cte = base64BodyEncode(encoded), "base64"
	case bodyEncodingQP:
		payload, cte = quotedPrintableBodyEncode(encoded), "quoted-printable"
	default:
		payload, cte = encoded, "7bit"
		if has8bit(encoded) {
			cte = "8bit"
		}
	}
	header, _ := m.get("content-type")
	munged := &mungedHeaders{cte: cte}
	if m.policy.Family == FamilyCompat32 {
		munged.contentType, munged.contentTypeChanged, err = setCharsetCompat32(header, output, width)
	} else {
		munged.contentType, munged.contentTypeChanged, err = setCharsetEmail(m.fetchValue(header), output)
		munged.contentTypeIsText = true
	}
	if err != nil {
		return "", nil, err
	}
	return payload, munged, nil
}

// contentTypeParams is Message.get_params() for m's Content-Type header
// (nil when there is none), read from the header's text as m's policy
// fetches it.
func (m *message) contentTypeParams() ([]pyParam, error) {
	raw, ok := m.get("content-type")
	if !ok {
		return nil, nil
	}
	if m.policy.Family == FamilyCompat32 {
		return getParams(headerTextCompat32(raw))
	}
	text, err := headerTextEmail(m.fetchValue(raw))
	if err != nil {
		return nil, err
	}
	return getParams(text)
}

// setBoundary is Message.set_boundary(boundary): the Content-Type text
// Python stores in every Content-Type header, built from the parameters
// as _get_params_preserve gives them (values still quoted; an RFC 2231
// value written as Python formats its tuple), the boundary parameter
// replaced or appended. The error is Python's TypeError where the
// parameters cannot be decoded.
func (m *message) setBoundary(boundary string) (string, error) {
	raw, _ := m.get("content-type")
	text := headerTextCompat32(raw)
	if m.policy.Family != FamilyCompat32 {
		var err error
		if text, err = headerTextEmail(m.fetchValue(raw)); err != nil {
			return "", err
		}
	}
	params, err := decodeParams(parseParams(text))
	if err != nil {
		return "", err
	}
	found := false
	for i, p := range params {
		if pyLower(p.name) == "boundary" {
			params[i] = pyParam{name: "boundary", value: `"` + boundary + `"`}
			found = true
		}
	}
	if !found {
		params = append(params, pyParam{name: "boundary", value: `"` + boundary + `"`})
	}
	parts := make([]string, 0, len(params))
	for _, p := range params {
		switch {
		case p.extended:
			// '%s=%s' % (k, (charset, language, value))
			charset, language := "None", "None"
			if p.hasCharset {
				charset, language = pyRepr(p.charset), pyRepr(p.language)
			}
			parts = append(parts, p.name+"=("+charset+", "+language+", "+pyRepr(p.value)+")")
		case p.value == "":
			parts = append(parts, p.name)
		default:
			parts = append(parts, p.name+"="+p.value)
		}
	}
	return strings.Join(parts, "; "), nil
}

// pyRepr is Python's repr() of a str: single quotes unless the text has
// one and no double quote, backslash, that quote and control characters
// escaped.
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == '\\' || r == rune(quote):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r >= 0x7f && r < 0xa0:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// base64BodyEncode is email.base64mime.body_encode: 57 bytes per line of
// 76 characters, each line ending in "\n" (RFC 2045 section 6.8).
func base64BodyEncode(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(s); i += 57 {
		end := min(i+57, len(s))
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(s[i:end])))
		b.WriteByte('\n')
	}
	return b.String()
}

// qpBodySafe reports whether quoprimime writes byte c literally in a body.
func qpBodySafe(c byte) bool {
	return c == '\t' || c >= ' ' && c <= '~' && c != '='
}

// quotedPrintableBodyEncode is email.quoprimime.body_encode with
// maxlinelen 76 and eol "\n" (RFC 2045 section 6.7).
func quotedPrintableBodyEncode(body string) string {
	if body == "" {
		return ""
	}
	const maxLineLen = 76
	var t strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if qpBodySafe(c) || c == '\r' || c == '\n' {
			t.WriteByte(c)
		} else {
			fmt.Fprintf(&t, "=%02X", c)
		}
	}
	body = t.String()
	var lines []string
	// str.splitlines on the translated body: only CR, LF and CRLF remain.
	for rest := body; rest != ""; {
		i := strings.IndexAny(rest, "\r\n")
		if i < 0 {
			lines = append(lines, rest)
			break
		}
		lines = append(lines, rest[:i])
		if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
			i++
		}
		rest = rest[i+1:]
	}
	var out []string
	for _, line := range lines {
		start := 0
		lastStart := len(line) - 1 - maxLineLen
		for start <= lastStart {
			stop := start + maxLineLen - 1
			switch {
			case line[stop-2] == '=':
				out = append(out, line[start:stop-1])
				start = stop - 2
			case line[stop-1] == '=':
				out = append(out, line[start:stop])
				start = stop - 1
			default:
				out = append(out, line[start:stop]+"=")
				start = stop
			}
		}
		if line != "" && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
			room := start - lastStart
			last := line[len(line)-1]
			var q string
			switch {
			case room >= 3:
				q = fmt.Sprintf("=%02X", last)
			case room == 2:
				q = string(last) + "=\n"
			default:
				q = "=\n" + fmt.Sprintf("=%02X", last)
			}
			out = append(out, line[start:len(line)-1]+q)
		} else {
			out = append(out, line[start:])
		}
	}
	if c := body[len(body)-1]; c == '\r' || c == '\n' {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

package policy

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Content-Type parameters (RFC 2045 section 5.1, RFC 2231 sections 3
// and 4) as Python's email.message.Message reads and writes them. Under
// every policy get_params and set_param work on the text of the header
// as msg.get() returns it: _parseparam splits it on ";" outside quotes,
// utils.decode_params joins RFC 2231 sections and splits off their
// charset and language, _formatparam writes each parameter back. Only
// that text differs between the families:
//   - compat32: header_fetch_parse turns a value with 8-bit bytes into an
//     email.header.Header in the unknown-8bit charset, whose str() has
//     U+FFFD for each such byte (headerTextCompat32);
//   - EmailPolicy: the header object, whose str() is the parse tree of
//     the header registry (parse_content_type_header) rendered back: the
//     type as written, then "; " and the parameters MimeParameters.params
//     found (name="value", or the bare name for an empty value; RFC 2231
//     sections joined and decoded in their charset), the undecodable
//     bytes of the whole turned into text by utils._sanitize
//     (headerTextEmail).

// pyParam is one parameter as Message.get_params() (unquote=True)
// returns it: a plain value, or for an RFC 2231 value (extended) the
// tuple (charset, language, value), where charset and language are None
// unless the value held two quotes (hasCharset).
type pyParam struct {
	name, value       string
	extended          bool
	charset, language string
	hasCharset        bool
}

// mimeParam is one Content-Type parameter with its value as
// Message.get_boundary reads it (utils.collapse_rfc2231_value).
type mimeParam struct {
	name, value string
}

// pyWhitespace is what Python's str.strip() removes from an ASCII-plus-
// surrogates string (bytes >= 0x80 are surrogates there, never space).
const pyWhitespace = " \t\n\v\f\r\x1c\x1d\x1e\x1f"

// trimPyWhitespace is str.strip() of a source value (its bytes >= 0x80
// are surrogates in Python, never space).
func trimPyWhitespace(s string) string { return strings.Trim(s, pyWhitespace) }

// trimPyText is str.strip() of text (UTF-8, Unicode white space).
func trimPyText(s string) string { return strings.TrimFunc(s, pyRuneIsSpace) }

// headerTextCompat32 is str(msg.get(name)) under compat32 for the source
// value raw: str() of an email.header.Header in the unknown-8bit charset
// when raw has 8-bit bytes, each such byte U+FFFD.
func headerTextCompat32(raw string) string {
	if !hasSurrogates(raw) {
		return raw
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] >= 0x80 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteByte(raw[i])
		}
	}
	return b.String()
}

// headerTextEmail is str(msg.get('content-type')) under the EmailPolicy
// family for the fetched source value (line breaks removed): the parse
// tree rendered back, sanitized. The error is Python's where building
// the header object raises (a parameter its charset cannot decode), or
// a *cjkUnsupportedError for a charset no code here decodes.
func headerTextEmail(value string) (string, error) {
	return contentTypeObjectText(pyFromSource(value))
}

// contentTypeObjectText is str() of the Content-Type header object
// Python's header registry builds from value, a Python string (text as
// UTF-8, undecodable bytes as surrogate escapes); errors as for
// headerTextEmail.
func contentTypeObjectText(value string) (text string, err error) {
	defer func() {
		// Python's IndexError on the same malformed input.
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("IndexError: string index out of range (Content-Type %q)", value)
		}
	}()
	tree, err := parseParameterizedHeader(clsContentType, value)
	if err == nil {
		err = checkMIMEParameters(tree)
	}
	var raise *pythonRaise
	switch {
	case errors.As(err, &raise):
		return "", fmt.Errorf("%s: %s", raise.class, raise.msg)
	case errors.Is(err, errUnsupportedCharset):
		return "", &cjkUnsupportedError{"LookupError: decoding RFC 2231 values of " + value + " is not supported"}
	case err != nil:
		return "", err
	}
	// utils._sanitize: surrogate escapes back to bytes, decoded as UTF-8
	// with errors='replace'.
	raw, _ := pyEncode(tree.str(), "utf-8")
	return decodeUTF8Replace(raw), nil
}

// getParams is Message.get_params() (unquote=True) for a header whose
// text is text: _parseparam, utils.decode_params, _unquotevalue. The
// first element is the content type itself (value "" unless it holds
// "="). The error is Python's TypeError for RFC 2231 sections with and
// without a number (name*=a; name*0=b), which list.sort cannot compare.
func getParams(text string) ([]pyParam, error) {
	params, err := decodeParams(parseParams(text))
	for i := range params {
		params[i].value = unquoteParam(params[i].value)
	}
	return params, err
}

// parseParams is email.message._parseparam followed by the name/value
// split of Message._get_params_preserve.
func parseParams(text string) []pyParam {
	var params []pyParam
	s := ";" + text
	for len(s) > 0 && s[0] == ';' {
		s = s[1:]
		end := strings.IndexByte(s, ';')
		for end > 0 && (strings.Count(s[:end], `"`)-strings.Count(s[:end], `\"`))%2 != 0 {
			next := strings.IndexByte(s[end+1:], ';')
			if next < 0 {
				end = -1
				break
			}
			end += 1 + next
		}
		if end < 0 {
			end = len(s)
		}
		f := s[:end]
		s = s[end:]
		if name, value, ok := strings.Cut(f, "="); ok {
			params = append(params, pyParam{name: pyLower(trimPyText(name)), value: trimPyText(value)})
			continue
		}
		params = append(params, pyParam{name: trimPyText(f)})
	}
	return params
}

// pyLower is str.lower() (Go's simple case mapping; Python's special
// cases such as U+0130 differ).
func pyLower(s string) string { return strings.ToLower(s) }

// decodeParams is email.utils.decode_params, what
// Message._get_params_preserve returns: the first parameter as it is,
// plain values unquoted and quoted again, RFC 2231 sections (name*,
// name*0, name*1* ...) joined in section order after the plain
// parameters, percent-decoded as latin-1, their charset and language
// split off and the value quoted.
func decodeParams(params []pyParam) ([]pyParam, error) {
	if len(params) == 0 {
		return nil, nil
	}
	type section struct {
		num     int // -1 for none
		value   string
		encoded bool
	}
	out := make([]pyParam, 1, len(params))
	out[0] = params[0]
	var names []string
	var sections map[string][]section
	for _, p := range params[1:] {
		encoded := strings.HasSuffix(p.name, "*")
		value := unquoteParam(p.value)
		if base, num, ok := rfc2231Name(p.name); ok {
			if sections == nil {
				sections = map[string][]section{}
			}
			if _, seen := sections[base]; !seen {
				names = append(names, base)
			}
			sections[base] = append(sections[base], section{num, value, encoded})
			continue
		}
		out = append(out, pyParam{name: p.name, value: quoteValue(value)})
	}
	for _, name := range names {
		parts := sections[name]
		// list.sort() of (number, value, encoded) tuples; a section
		// without a number (None) cannot be compared with one that has.
		numbered := 0
		for _, s := range parts {
			if s.num >= 0 {
				numbered++
			}
		}
		if numbered != 0 && numbered != len(parts) {
			return nil, fmt.Errorf("TypeError: '<' not supported between instances of 'int' and 'NoneType' (RFC 2231 sections of %s)", name)
		}
		sort.SliceStable(parts, func(i, j int) bool {
			a, b := parts[i], parts[j]
			if a.num != b.num {
				return a.num < b.num
			}
			if a.value != b.value {
				return a.value < b.value
			}
			return !a.encoded && b.encoded
		})
		var b strings.Builder
		extended := false
		for _, s := range parts {
			if s.encoded {
				b.WriteString(percentDecodeLatin1(s.value))
				extended = true
			} else {
				b.WriteString(s.value)
			}
		}
		p := pyParam{name: name, value: quoteParam(b.String()), extended: extended}
		// decode_rfc2231: charset'language'value when there are two
		// quotes.
		if pieces := strings.SplitN(p.value, "'", 3); extended && len(pieces) == 3 {
			p.charset, p.language, p.value, p.hasCharset = pieces[0], pieces[1], pieces[2], true
		}
		p.value = `"` + p.value + `"`
		out = append(out, p)
	}
	return out, nil
}

// rfc2231Name matches Python's rfc2231_continuation, ^(\w+)\*((\d+)\*?)?$
// (re.ASCII), returning the base name and section number (-1 when
// absent).
func rfc2231Name(name string) (string, int, bool) {
	star := strings.IndexByte(name, '*')
	if star <= 0 {
		return "", 0, false
	}
	base, rest := name[:star], name[star+1:]
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", 0, false
		}
	}
	if rest == "" {
		return base, -1, true
	}
	digits := strings.TrimSuffix(rest, "*")
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return "", 0, false
	}
	return base, n, true
}

// unquoteParam is Python's email.utils.unquote.
func unquoteParam(s string) string {
	if len(s) > 1 {
		if s[0] == '"' && s[len(s)-1] == '"' {
			return strings.ReplaceAll(strings.ReplaceAll(s[1:len(s)-1], `\\`, `\`), `\"`, `"`)
		}
		if s[0] == '<' && s[len(s)-1] == '>' {
			return s[1 : len(s)-1]
		}
	}
	return s
}

// quoteValue is '"%s"' % utils.quote(s).
func quoteValue(s string) string {
	if !strings.ContainsAny(s, `\"`) {
		return `"` + s + `"`
	}
	return `"` + quoteParam(s) + `"`
}

// quoteParam is Python's email.utils.quote: backslash and double quote
// escaped.
func quoteParam(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`)
}

// percentDecodeLatin1 is urllib.parse.unquote(s, encoding="latin-1"):
// each %XX becomes the character U+00XX, anything else is kept.
func percentDecodeLatin1(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]) {
			b.WriteRune(rune(unhex(s[i+1])<<4 | unhex(s[i+2])))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// formatParam is email.message._formatparam with quote=True.
func formatParam(p pyParam) (string, error) {
	if p.extended {
		// utils.encode_rfc2231(value, charset, language).
		codec := "ascii"
		if p.hasCharset && p.charset != "" {
			codec = p.charset
		}
		quoted, err := rfc2231Quote(p.value, codec)
		if err != nil {
			return "", err
		}
		if !p.hasCharset {
			return p.name + "*=" + quoted, nil
		}
		return p.name + "*=" + p.charset + "'" + p.language + "'" + quoted, nil
	}
	if p.value == "" {
		return p.name, nil
	}
	if hasSurrogates(p.value) {
		quoted, err := rfc2231Quote(p.value, "utf-8")
		return p.name + "*=utf-8''" + quoted, err
	}
	return p.name + `="` + quoteParam(p.value) + `"`, nil
}

// rfc2231Quote is urllib.parse.quote(text, safe="", encoding=charset):
// the text encoded with Python's codec for charset, every byte but
// letters, digits and "_.-~" written %XX; the empty text is never
// encoded.
func rfc2231Quote(text, charset string) (string, error) {
	if text == "" {
		return "", nil // quote() returns before it encodes
	}
	encoded, err := encodeText(text, charset)
	if err != nil {
		return "", err
	}
	return urlQuote(encoded), nil
}

// setParam is Message.set_param(name, value) (requote=True) on a header
// whose text is text: the text Python stores, or text itself when the
// result equals it (Python then leaves the header as it is). headerObject
// says the header is an email.header.Header (compat32 with 8-bit bytes),
// which Python cannot join with a new parameter (TypeError). The other
// errors are those of getParams and formatParam.
func setParam(text string, headerObject bool, name, value string) (string, error) {
	params, err := getParams(text)
	if err != nil {
		return "", err
	}
	lname := pyLower(name)
	found := false
	for _, p := range params {
		if pyLower(p.name) == lname {
			// get_param's value: a tuple is never false.
			found = p.extended || p.value != ""
			break
		}
	}
	if !found {
		formatted, err := formatParam(pyParam{name: name, value: value})
		switch {
		case err != nil:
			return "", err
		case headerObject:
			return "", fmt.Errorf("TypeError: sequence item 0: expected str instance, Header found (set_param %s)", name)
		case text == "":
			return formatted, nil
		}
		return text + "; " + formatted, nil
	}
	parts := make([]string, 0, len(params))
	for _, p := range params {
		if pyLower(p.name) == lname {
			p = pyParam{name: name, value: value}
		}
		formatted, err := formatParam(p)
		if err != nil {
			return "", err
		}
		parts = append(parts, formatted)
	}
	return strings.Join(parts, "; "), nil
}

// collapseRFC2231Value is utils.collapse_rfc2231_value for a parameter
// of getParams, for an ASCII-compatible charset: an RFC 2231 value's
// bytes (each character below U+0100 one byte) decoded with
// errors='replace', so that a byte above 0x7F becomes U+FFFD. (Python
// decodes in the value's charset; for the ASCII-compatible ones the
// result differs only in its non-ASCII characters, and a boundary with
// any of those matches no line either way.)
func collapseRFC2231Value(p pyParam) string {
	if !p.extended || !hasSurrogates(p.value) {
		return p.value
	}
	var b strings.Builder
	for _, r := range p.value {
		if r < 0x80 {
			b.WriteRune(r)
		} else {
			b.WriteString("\uFFFD")
		}
	}
	return b.String()
}

// collapsedParams turns getParams' result into mimeParams, values
// collapsed; nil when Python raises.
func collapsedParams(params []pyParam, err error) []mimeParam {
	if err != nil {
		return nil
	}
	out := make([]mimeParam, len(params))
	for i, p := range params {
		out[i] = mimeParam{p.name, collapseRFC2231Value(p)}
	}
	return out
}

// splitParamsCompat32 returns the parameters of a Content-Type source
// value as compat32's Message.get_params sees them (the content type
// itself first), values collapsed; nil where Python raises.
func splitParamsCompat32(value string) []mimeParam {
	return collapsedParams(getParams(headerTextCompat32(value)))
}

// parseParamsEmail returns the parameters of a fetched Content-Type
// value as an EmailPolicy Message.get_params sees them (the content type
// itself first); nil where Python raises.
func parseParamsEmail(value string) []mimeParam {
	if params, ok := simpleParamsEmail(value); ok {
		return params
	}
	text, err := headerTextEmail(value)
	if err != nil {
		return nil
	}
	return collapsedParams(getParams(text))
}

// simpleParamsEmail is parseParamsEmail for the common shape of value,
// type/subtype followed by name=token or name="text" parameters (tokens
// of letters, digits and "!#$&+-.^_`{|}~", the quoted text visible ASCII
// without a quote, backslash, semicolon or "=?", only spaces and tabs
// (where a folded value had its line breaks) around the semicolons),
// without building the header object: the header registry renders such a
// value back with the same names and values, the first of names written
// alike kept. ok is false for any other value.
func simpleParamsEmail(value string) (params []mimeParam, ok bool) {
	isTokenChar := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`{|}~", c) >= 0
	}
	isToken := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if !isTokenChar(s[i]) {
				return false
			}
		}
		return s != ""
	}
	// Inside quotes anything visible but the quote, backslash and
	// semicolon, and no encoded word.
	isQuotable := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] <= ' ' || s[i] >= 0x7f || strings.IndexByte("\"\\;", s[i]) >= 0 {
				return false
			}
		}
		return s != "" && !strings.Contains(s, "=?")
	}
	fields := strings.Split(value, ";")
	ctype := strings.Trim(fields[0], " \t")
	typ, sub, found := strings.Cut(ctype, "/")
	if !found || !isToken(typ) || !isToken(sub) {
		return nil, false
	}
	params = make([]mimeParam, 1, len(fields))
	params[0] = mimeParam{ctype, ""}
	paramName := func(field string) string {
		name, _, _ := strings.Cut(strings.Trim(field, " \t"), "=")
		return name
	}
	for i, f := range fields[1:] {
		name, v, found := strings.Cut(strings.Trim(f, " \t"), "=")
		if !found || !isToken(name) {
			return nil, false
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
			if !isQuotable(v) {
				return nil, false
			}
		} else if !isToken(v) {
			return nil, false
		}
		seen := false
		for _, earlier := range fields[1 : 1+i] {
			seen = seen || paramName(earlier) == name
		}
		if !seen {
			params = append(params, mimeParam{pyLower(name), v})
		}
	}
	return params, true
}

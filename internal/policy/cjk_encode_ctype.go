package policy

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// The Content-Type that cte_type=7bit re-encoding writes under compat32
// (RFC 2045 section 5.1, RFC 2231 section 4): Python's Message.set_param
// ("charset", output) reads the header through Compat32's
// header_fetch_parse, which turns a value with 8-bit bytes into an
// email.header.Header whose text has U+FFFD for each such byte; it splits
// that text into parameters (email.message._parseparam,
// utils.decode_params), writes them back with _formatparam (non-ASCII
// values as RFC 2231 utf-8, RFC 2231 values in their own charset) and
// stores the result as a str, which fold_binary writes as us-ascii text
// or, when anything non-ASCII is left, as utf-8 encoded words (RFC 2047).

// compat32Param is one parameter as utils.decode_params leaves it:
// extended values keep their RFC 2231 charset and language.
type compat32Param struct {
	name, value       string
	extended          bool
	charset, language string
	hasCharset        bool // the value had charset'language' (decode_rfc2231)
}

// contentTypeWithCharsetCompat32 is the Content-Type value Python's
// set_param("charset", charset) stores under compat32 for the header value
// raw, folded in advance as fold_binary writes it (at width, the policy's
// line length, 0 for none) when it is not ASCII; the error is Python's
// from encoding an RFC 2231 value in its charset.
func contentTypeWithCharsetCompat32(raw, charset string, width int) (string, error) {
	text := replace8bitBytes(raw)
	params, err := decodeParamsCompat32(parseParamsCompat32(text))
	if err != nil {
		return "", err
	}
	parts := make([]string, 0, len(params))
	for _, p := range params {
		if strings.EqualFold(p.name, "charset") {
			p = compat32Param{name: "charset", value: charset}
		}
		formatted, err := formatParamCompat32(p)
		if err != nil {
			return "", err
		}
		parts = append(parts, formatted)
	}
	value := strings.Join(parts, "; ")
	if !hasSurrogates(value) {
		return value, nil
	}
	if width <= 0 {
		width = compat32DefaultWidth
	}
	return foldUTF8HeaderCompat32(value, len("Content-Type: "), width), nil
}

// replace8bitBytes is str() of an email.header.Header in the unknown-8bit
// charset: each byte 0x80 or above becomes U+FFFD.
func replace8bitBytes(s string) string {
	if !hasSurrogates(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// parseParamsCompat32 is email.message._parseparam followed by the
// name/value split of Message._get_params_preserve: the first element is
// the content type (value "" unless it holds "=").
func parseParamsCompat32(text string) []compat32Param {
	var params []compat32Param
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
			params = append(params, compat32Param{name: strings.ToLower(trimPyWhitespace(name)), value: trimPyWhitespace(value)})
			continue
		}
		params = append(params, compat32Param{name: trimPyWhitespace(f)})
	}
	return params
}

// decodeParamsCompat32 is email.utils.decode_params followed by
// get_params' unquoting: plain values unquoted, RFC 2231 sections
// (name*, name*0, name*1* ...) joined in section order after the plain
// parameters, percent-decoded as latin-1, with their charset and language
// split off.
func decodeParamsCompat32(params []compat32Param) ([]compat32Param, error) {
	if len(params) == 0 {
		return nil, nil
	}
	type section struct {
		num     int
		value   string
		encoded bool
	}
	out := []compat32Param{{name: params[0].name, value: unquoteParam(params[0].value)}}
	var names []string
	sections := map[string][]section{}
	for _, p := range params[1:] {
		encoded := strings.HasSuffix(p.name, "*")
		value := unquoteParam(p.value)
		if base, num, ok := rfc2231Name(p.name); ok {
			if _, seen := sections[base]; !seen {
				names = append(names, base)
			}
			sections[base] = append(sections[base], section{num, value, encoded})
			continue
		}
		out = append(out, compat32Param{name: p.name, value: value})
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
		sort.Slice(parts, func(i, j int) bool {
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
		p := compat32Param{name: name, value: b.String()}
		if extended {
			p.extended = true
			// decode_rfc2231: charset'language'value when there are two
			// quotes; the value went through quote() and unquote().
			if pieces := strings.SplitN(p.value, "'", 3); len(pieces) == 3 {
				p.charset, p.language, p.value, p.hasCharset = pieces[0], pieces[1], pieces[2], true
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// percentDecodeLatin1 is urllib.parse.unquote(s, encoding="latin-1"):
// each %XX becomes the character U+00XX.
func percentDecodeLatin1(s string) string {
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

// formatParamCompat32 is email.message._formatparam with quote=True.
func formatParamCompat32(p compat32Param) (string, error) {
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
	return p.name + `="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p.value) + `"`, nil
}

// rfc2231Quote is urllib.parse.quote(text, safe="", encoding=charset):
// the text encoded with Python's codec for charset, every byte but
// letters, digits and "_.-~" written %XX.
func rfc2231Quote(text, charset string) (string, error) {
	encoded, err := encodeText(text, charset)
	if err != nil {
		return "", err
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(encoded); i++ {
		c := encoded[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String(), nil
}

// encodeText is text.encode(charset) (errors='strict') for the codecs
// this package has: UTF-8, the CJK ones, the single-byte ones and those of
// codec_extra.go. The error names Python's exception.
func encodeText(text, charset string) (string, error) {
	codec, ok := lookupPythonCodec(charset)
	if !ok {
		return "", fmt.Errorf("LookupError: unknown encoding: %s", charset)
	}
	unencodable := func(r rune) (string, error) {
		return "", fmt.Errorf("UnicodeEncodeError: %q codec can't encode character %U", codec, r)
	}
	switch {
	case codec == "utf-8":
		return text, nil
	case codec == "iso2022_jp":
		out, _, err := encodeISO2022JP(text, codec)
		return out, err
	case cjkEncoders[codec] != nil:
		out, bad, ok := encodeCJK(codec, text)
		if !ok {
			return unencodable(bad)
		}
		return out, nil
	}
	table, ok := singleByteCodecs[codec]
	if !ok {
		encode := extraEncoder(codec)
		if _, _, _, ok := utf16Codec(codec); ok {
			encode = func(text []rune) (string, int) { return encodeUTF16(codec, text) }
		}
		if encode != nil {
			runes := []rune(text)
			out, bad := encode(runes)
			if bad >= 0 {
				return unencodable(runes[bad])
			}
			return out, nil
		}
		return "", &cjkUnsupportedError{fmt.Sprintf("LookupError: encoding RFC 2231 values in %s is not supported", codec)}
	}
	upper := []rune(table)
	b := make([]byte, 0, len(text))
	for _, r := range text {
		if r < 0x80 {
			b = append(b, byte(r))
			continue
		}
		i := indexRune(upper, r)
		if i < 0 || r == 0xFFFE {
			return unencodable(r)
		}
		b = append(b, byte(0x80+i))
	}
	return string(b), nil
}

// indexRune returns the index of r in list, or -1.
func indexRune(list []rune, r rune) int {
	for i, x := range list {
		if x == r {
			return i
		}
	}
	return -1
}

// foldUTF8HeaderCompat32 is email.header.Header(value).encode(maxlinelen=
// width, linesep="\n") for a value that is not ASCII (one utf-8 chunk),
// as Compat32.fold_binary writes a str header: utf-8 encoded words split
// between characters, continuation lines starting with a space. The
// folded lines fit width, so folding the result again as ASCII (as the
// writer does with every header value) leaves it as it is.
func foldUTF8HeaderCompat32(value string, headerLen, width int) string {
	f := &valueFormatter{
		width:          width,
		continuationWS: " ",
		splitChars:     compat32SplitChars,
		current:        accumulator{initialSize: headerLen},
	}
	feed := func(fws, s string) {
		encodedLines := utf8HeaderEncodeLines(s, f.width-f.current.length(), f.width-len(f.continuationWS))
		if encodedLines[0] != nil {
			f.appendChunk(fws, *encodedLines[0])
		}
		if len(encodedLines) == 1 {
			return
		}
		last := *encodedLines[len(encodedLines)-1]
		f.newline()
		f.current.push(f.continuationWS, last)
		for _, l := range encodedLines[1 : len(encodedLines)-1] {
			f.lines = append(f.lines, f.continuationWS+*l)
		}
	}
	lines := splitLines(value)
	if len(lines) > 0 {
		feed("", lines[0])
	} else {
		feed("", "")
	}
	for _, line := range lines[min(1, len(lines)):] {
		f.newline()
		feed(f.continuationWS, " "+strings.TrimLeft(line, pyWhitespace))
	}
	if len(lines) > 1 {
		f.newline()
	}
	f.addTransition()
	f.newline()
	return strings.Join(f.lines, "\n")
}

// utf8HeaderEncodeLines is Charset('utf-8').header_encode_lines: s split
// between characters into RFC 2047 encoded words ("Q" or "B", whichever
// is shorter for all of s), the first fitting firstWidth and the others
// restWidth. A nil first element means not even one character fitted on
// the first line.
func utf8HeaderEncodeLines(s string, firstWidth, restWidth int) []*string {
	const charset = "utf-8"
	useBase64 := base64HeaderLength(len(s)) < qHeaderLength(s)
	extra := len(charset) + 7
	encode := func(b string) *string {
		var out string
		switch {
		case b == "":
		case useBase64:
			out = "=?" + charset + "?b?" + base64.StdEncoding.EncodeToString([]byte(b)) + "?="
		default:
			out = "=?" + charset + "?q?" + qEncodeHeader(b) + "?="
		}
		return &out
	}
	length := func(b string) int {
		if useBase64 {
			return base64HeaderLength(len(b))
		}
		return qHeaderLength(b)
	}
	var lines []*string
	maxlen := firstWidth - extra
	start := 0
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		if length(s[start:i+size]) > maxlen {
			if len(lines) == 0 && i == start {
				lines = append(lines, nil)
			} else {
				lines = append(lines, encode(s[start:i]))
			}
			start = i
			maxlen = restWidth - extra
		}
		i += size
	}
	return append(lines, encode(s[start:]))
}

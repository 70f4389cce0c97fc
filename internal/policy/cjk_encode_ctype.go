package policy

import "fmt"

// The Content-Type that cte_type=7bit re-encoding writes under compat32
// (RFC 2045 section 5.1, RFC 2231 section 4): Python's Message.set_param
// ("charset", output) reads the header through Compat32's
// header_fetch_parse, which turns a value with 8-bit bytes into an
// email.header.Header whose text has U+FFFD for each such byte; it splits
// that text into parameters (email.message._parseparam,
// utils.decode_params), writes them back with _formatparam (non-ASCII
// values as RFC 2231 utf-8, RFC 2231 values in their own charset) and
// stores the result as a str (params.go), which fold_binary writes as
// us-ascii text or, when anything non-ASCII is left, as utf-8 encoded
// words (RFC 2047).

// setCharsetCompat32 is the Content-Type value Python's
// set_param("charset", charset) stores under compat32 for the header value
// raw, folded in advance as fold_binary writes it (at width, the line
// length of the policy the part is written with, 0 for none) when it is
// not ASCII; the error is Python's (from encoding an RFC 2231 value in
// its charset, from RFC 2231 sections it cannot sort ...). changed is
// false when the value equals the header's text, in which case Python
// leaves the header as it is.
func setCharsetCompat32(raw, charset string, width int) (value string, changed bool, err error) {
	text := headerTextCompat32(raw)
	value, err = setParam(text, hasSurrogates(raw), "charset", charset)
	if err != nil {
		return "", false, err
	}
	return foldTextCompat32(value, width), value != text, nil
}

// foldTextCompat32 is a Content-Type text Python stores as a str under
// compat32, folded in advance as fold_binary writes it (at width, 0 for
// none) when it is not ASCII: email.header.Header(text).encode, one
// utf-8 chunk of encoded words split between characters, continuation
// lines starting with a space. The folded lines fit width, so folding
// the result again as ASCII (as the writer does with every header
// value) leaves it as it is. An ASCII text is left to the writer.
func foldTextCompat32(text string, width int) string {
	if !hasSurrogates(text) {
		return text
	}
	if width <= 0 {
		width = compat32DefaultWidth
	}
	return encodeCompat32Header(text, "utf-8", len("Content-Type: "), width, "\n")
}

// contentTypeWithCharsetCompat32 is the value of setCharsetCompat32.
func contentTypeWithCharsetCompat32(raw, charset string, width int) (string, error) {
	value, _, err := setCharsetCompat32(raw, charset, width)
	return value, err
}

// encodeText is text.encode(charset) (errors='strict') for the codecs
// this package has: UTF-8, the CJK ones, the single-byte ones and those of
// codec_extra.go. The error names Python's exception.
func encodeText(text, charset string) (string, error) {
	codec, ok, err := lookupPythonCodec(charset)
	if err != nil {
		return "", err
	}
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
	case cjkEncoders()[codec] != nil:
		out, bad, ok := encodeCJK(codec, text)
		if !ok {
			return unencodable(bad)
		}
		return out, nil
	}
	table, ok := singleByteCodecs()[codec]
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

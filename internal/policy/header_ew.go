package policy

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RFC 2047 encoded words as Python's email._encoded_words decodes and
// encodes them.

// errBadEncodedWord is _InvalidEwError: the text looked like an encoded
// word but its format is invalid.
var errBadEncodedWord = errors.New("policy: encoded word format invalid")

// errUnsupportedCharset means an encoded word or RFC 2231 value decodes
// in Python to what this package cannot represent or compute (see
// codec_extra.go); refolding then gives up.
var errUnsupportedCharset = errors.New("policy: unsupported charset in encoded word")

// errLoneSurrogate is Python's UnicodeEncodeError for a value that
// decodes to a lone surrogate outside U+DC80-U+DCFF (UTF-7,
// unicode_escape, raw_unicode_escape, punycode): Go strings cannot hold
// it, and Python raises once it encodes the text (refolding the header,
// or rendering an RFC 2231 parameter value). pyDecode returns it; an
// RFC 2231 value passes it on (decodeRFC2231Value), so a refolded
// Content-Type fails as Python's does; an encoded word turns it into
// errUnsupportedCharset (decodeEncodedWord, which see).
var errLoneSurrogate = &pythonRaise{"UnicodeEncodeError", "'utf-8' codec can't encode a lone surrogate: surrogates not allowed"}

// decodeEncodedWord is _encoded_words.decode: ew is "=?charset?cte?text?=".
func decodeEncodedWord(ew string) (text, charset, lang string, defects []defectKind, err error) {
	parts := strings.Split(ew, "?")
	if len(parts) != 5 {
		return "", "", "", nil, errBadEncodedWord
	}
	charset, lang, _ = strings.Cut(parts[1], "*")
	var raw []byte
	switch strings.ToLower(parts[2]) {
	case "q":
		raw = decodeQ(parts[3])
	case "b":
		raw, defects = decodeB(parts[3])
	default:
		return "", "", "", nil, errBadEncodedWord
	}
	text, undecodable, err := pyDecode(raw, charset)
	if err == errDecodeRaises || err == errCharsetNUL {
		// The surrogateescape retry raises UnicodeDecodeError, or the
		// charset name has a NUL: a ValueError either way, and
		// get_encoded_word calls the word invalid (literal text).
		return "", "", "", nil, errBadEncodedWord
	}
	if err != nil {
		return "", "", "", nil, err
	}
	if undecodable {
		defects = append(defects, defectUndecodableBytes)
	}
	return text, charset, lang, defects, nil
}

// decodeQ is _encoded_words.decode_q (RFC 2047 section 4.2).
func decodeQ(s string) []byte {
	s = strings.ReplaceAll(s, "_", " ")
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '=' && i+2 < len(s)+0 && isHexDigit(s[i+1]) && isHexDigit(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, pyEncodeRuneByte(s, &i)...)
	}
	return out
}

// pyEncodeRuneByte returns the source byte(s) of the Python character at
// s[*i] as str.encode('ascii', 'surrogateescape') gives them, advancing *i
// past a multi-byte rune.
func pyEncodeRuneByte(s string, i *int) []byte {
	if s[*i] < 0x80 {
		return []byte{s[*i]}
	}
	r, n := utf8.DecodeRuneInString(s[*i:])
	*i += n - 1
	if isSurrogateRune(r) {
		return []byte{byte(r - surrogateBase)}
	}
	return []byte(string(r))
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// decodeB is _encoded_words.decode_b with its fall-backs for bad padding
// and stray characters.
func decodeB(s string) ([]byte, []defectKind) {
	raw := []byte(pyBytes(s))
	padErr := len(raw) % 4
	padded := string(raw)
	if padErr != 0 {
		padded += "==="[:4-padErr]
	}
	if b, ok := a2bBase64Strict(padded); ok {
		if padErr != 0 {
			return b, []defectKind{defectInvalidBase64}
		}
		return b, nil
	}
	if b, ok := a2bBase64Lenient(string(raw)); ok {
		return b, []defectKind{defectInvalidBase64}
	}
	if b, ok := a2bBase64Lenient(string(raw) + "=="); ok {
		return b, []defectKind{defectInvalidBase64, defectInvalidBase64}
	}
	return raw, []defectKind{defectInvalidBase64}
}

// pyBytes is s.encode('ascii', 'surrogateescape') without the error: any
// other non-ASCII character is written as UTF-8.
func pyBytes(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		b = append(b, pyEncodeRuneByte(s, &i)...)
	}
	return string(b)
}

func a2bBase64Strict(s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] != '=' && strings.IndexByte(base64Alphabet, s[i]) < 0 {
			return nil, false
		}
	}
	b, err := base64.StdEncoding.DecodeString(s)
	return b, err == nil
}

// a2bBase64Lenient is binascii.a2b_base64 in non-strict mode: characters
// outside the alphabet are skipped and decoding stops at complete padding.
func a2bBase64Lenient(s string) ([]byte, bool) {
	var out []byte
	quadPos, pads := 0, 0
	var acc uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			if quadPos >= 2 {
				pads++
				if quadPos+pads >= 4 {
					return out, true
				}
			}
			continue
		}
		v := strings.IndexByte(base64Alphabet, c)
		if v < 0 {
			continue
		}
		pads = 0
		acc = acc<<6 | uint32(v)
		quadPos++
		switch quadPos {
		case 2:
			out = append(out, byte(acc>>4))
			acc &= 0xf
		case 3:
			out = append(out, byte(acc>>2))
			acc &= 0x3
		case 4:
			out = append(out, byte(acc))
			acc = 0
			quadPos = 0
		}
	}
	return out, quadPos == 0
}

// pyDecode is bytes.decode(charset), falling back to surrogateescape
// (undecodable set) for bytes the charset cannot decode, and to ASCII
// with surrogateescape for charset names Python does not know (its
// LookupError, e.g. "unknown-8bit"). errCharsetNUL: the charset name has
// a NUL (Python's ValueError). errDecodeRaises: Python's
// surrogateescape decode raises (bad ASCII bytes in iso2022_jp), or the
// codec raises another ValueError (punycode, idna). errLoneSurrogate: the
// text has a lone surrogate outside U+DC80-U+DCFF. errUnsupportedCharset:
// Python's result is one this package cannot represent or compute (see
// codec_extra.go), or Python knows the charset and this package has no
// decoder for it.
func pyDecode(b []byte, charset string) (s string, undecodable bool, err error) {
	var sb strings.Builder
	surrogate := func(c byte) {
		sb.WriteRune(surrogateBase + rune(c))
		undecodable = true
	}
	codec, known, err := lookupPythonCodec(charset)
	switch {
	case err != nil:
		return "", false, err
	case !known:
		for _, c := range b {
			if c >= 0x80 {
				sb.WriteRune(surrogateBase + rune(c))
			} else {
				sb.WriteByte(c)
			}
		}
		return sb.String(), false, nil
	case codec == "utf-8" || codec == "utf-8-sig":
		if codec == "utf-8-sig" {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				surrogate(b[i])
				i++
				continue
			}
			sb.WriteRune(r)
			i += n
		}
	case codec == "iso8859-1":
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
	case codec == "undefined":
		if len(b) == 0 {
			return "", false, nil // bytes.decode returns '' before any lookup
		}
		// Python raises UnicodeError, a ValueError: an invalid encoded word.
		return "", false, errBadEncodedWord
	default:
		if s, undecodable, err, ok := pyDecodeExtra(codec, b); ok {
			return s, undecodable, err
		}
		if s, undecodable, err, ok := decodeCJK(codec, b); ok {
			return s, undecodable, err
		}
		if s, undecodable, err, ok := decodeUTF16or32(codec, b); ok {
			return s, undecodable, err
		}
		table, ok := singleByteCodecs()[codec]
		if !ok {
			return "", false, errUnsupportedCharset
		}
		upper := []rune(table)
		for _, c := range b {
			switch {
			case c < 0x80:
				sb.WriteByte(c)
			case upper[c-0x80] == 0xFFFE:
				surrogate(c)
			default:
				sb.WriteRune(upper[c-0x80])
			}
		}
	}
	return sb.String(), undecodable, nil
}

// errCharsetNUL is Python's ValueError for a charset name with a NUL
// character: bytes.decode, str.encode and codecs.lookup raise it before
// any lookup (even for empty bytes), where an unknown name gives
// LookupError. The callers that catch LookupError do not catch it:
// get_encoded_word calls the word invalid (decodeEncodedWord), an RFC
// 2231 value, the cte_type=7bit re-encoding of a body and set_param's
// re-quoting of an RFC 2231 value raise.
var errCharsetNUL = &pythonRaise{"ValueError", "embedded null character"}

// lookupPythonCodec is Python's codec lookup for bytes.decode: the codec
// name for charset, and whether Python knows the charset at all; or
// errCharsetNUL when Python raises ValueError instead of looking it up.
func lookupPythonCodec(charset string) (string, bool, error) {
	if pyHasSurrogates(charset) {
		// The name cannot be encoded for the lookup: UnicodeEncodeError,
		// which Python's callers treat like LookupError. Python encodes
		// the name before it looks for a NUL, so this comes first.
		return "", false, nil
	}
	if strings.IndexByte(charset, 0) >= 0 {
		return "", false, errCharsetNUL
	}
	n := normalizeEncodingName(strings.ToLower(charset))
	for _, name := range []string{n, strings.ReplaceAll(n, ".", "_")} {
		if c, ok := pythonCodecNames()[name]; ok {
			return c, true, nil
		}
		if c, ok := pythonCodecNamesMore()[name]; ok {
			return c, true, nil
		}
	}
	return "", false, nil
}

// normalizeEncodingName is encodings.normalize_encoding: runs of
// characters other than letters, digits and "." become one "_", leading
// and trailing ones are dropped, non-ASCII letters and digits vanish.
func normalizeEncodingName(name string) string {
	var b strings.Builder
	punct := false
	for _, r := range name {
		if r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r) {
			if punct && b.Len() > 0 {
				b.WriteByte('_')
			}
			if r < 0x80 {
				b.WriteRune(r)
			}
			punct = false
		} else {
			punct = true
		}
	}
	return b.String()
}

// encodeWord is _encoded_words.encode(s, charset): an RFC 2047 encoded
// word in "q" unless "b" is shorter by five or more characters.
func encodeWord(s, charset string) (string, error) {
	cs := charset
	if charset == "unknown-8bit" {
		cs = "unknown-8bit"
	}
	b, err := pyEncode(s, cs)
	if err != nil {
		return "", err
	}
	if charset == "unknown-8bit" {
		for _, r := range s {
			if r >= 0x80 && !isSurrogateRune(r) {
				return "", errUnencodable
			}
		}
	} else if pyHasSurrogates(s) {
		return "", errUnencodable
	}
	qlen := qHeaderLength(b)
	blen := base64HeaderLength(len(b))
	if qlen-blen < 5 {
		return "=?" + charset + "?q?" + qEncodeHeader(b) + "?=", nil
	}
	return "=?" + charset + "?b?" + base64.StdEncoding.EncodeToString([]byte(b)) + "?=", nil
}

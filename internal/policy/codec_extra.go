package policy

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// Codecs Python ships beyond those of cjkTables and singleByteCodecs, for
// RFC 2047 encoded words and RFC 2231 values in headers (pyDecode) and
// for the cte_type=7bit body re-encoding (reencodeOtherCodec): UTF-7
// (RFC 2152), hz (RFC 1843), iso2022_kr (RFC 1557), johab, cp950, the JIS
// X 0213 codecs (euc_jis_2004, euc_jisx0213, shift_jis_2004,
// shift_jisx0213, iso2022_jp_2004, iso2022_jp_3), the other iso2022_jp
// variants (iso2022_jp_1, iso2022_jp_2 of RFC 1554, iso2022_jp_ext), the
// EBCDIC code pages (cp037, cp273, cp424, cp500, cp875, cp1026, cp1140)
// and cp864, the text-transform codecs unicode_escape,
// raw_unicode_escape and punycode (RFC 3492), idna, and UTF-16 and UTF-32
// bodies (RFC 2781; header_utf16.go decodes them in headers, and
// pythonCodecNamesMore gives their names to Python's codec lookup).
// Bodies are re-encoded with the encoders here (iso2022: only text Python
// can encode back, i.e. 8-bit bytes read as Latin-1 after an unknown
// escape sequence; hz never, since an 8-bit byte decodes to U+FFFD, which
// it cannot encode: UnicodeEncodeError). RFC 2231 values are encoded
// with them too (encodeText), hz included; idna has no encoder.
//
// Each decoder follows CPython 3.11.7's: the same characters, the same
// undecodable ranges (Python's UnicodeDecodeError start and end), and the
// same place to resume, so that errors='surrogateescape' (headers) and
// errors='replace' (bodies) give what Python gives. The tables come from
// Python itself (testdata/gen_codec_tables.py, codec_tables.go).
//
// What remains (see also fold.go and policy.go's Deviations):
//   - UTF-7 (and unicode_escape, raw_unicode_escape, punycode) can
//     decode to a lone surrogate. One in U+DC80-U+DCFF is what Python's
//     surrogateescape makes of a byte 0x80-0xFF, and Python treats it as
//     one from then on; so does this package. Go strings cannot hold the
//     others; pyDecode returns errLoneSurrogate, Python's
//     UnicodeEncodeError. A refolded header whose encoded word or RFC
//     2231 value decodes to one fails with it, as in Python. Python also
//     raises when it parses such an RFC
//     2231 value in a header it does not refold (the header registry
//     renders the value); Write parses parameters only to refold, and
//     writes the source lines. Body re-encoding carries lone surrogates
//     (decoded text is a []rune there).
//   - Punycode RFC 2231 values are decoded strictly where Python's
//     surrogateescape decode raises UnicodeError (pyDecode cannot tell
//     the two paths apart); so are idna ones.
//   - The idna codec decodes labels without the "xn--" prefix only; a
//     label with it needs nameprep (RFC 3491), which is not implemented,
//     and gives errUnsupportedCharset. So does a \N{name} escape of
//     unicode_escape (Unicode's character names are not here) and an
//     iso2022_jp_2 single shift (ESC N) with a G2 set CPython's decoder
//     fails on with RuntimeError.
//   - Punycode decoding takes quadratic time, in Python too: over 16 KiB
//     of input, or a number of over 1024 digits, is not decoded
//     (errUnsupportedCharset; a body gets a *GenerateError).

// decodeErrors is the errors argument of Python's bytes.decode.
type decodeErrors int

const (
	decodeSurrogateEscape decodeErrors = iota // undecodable bytes >= 0x80 become surrogate escapes
	decodeReplace                             // each undecodable range becomes one U+FFFD
)

// codecDecoding is one bytes.decode call in progress: the source, the
// text so far (runes; a lone surrogate from UTF-7 is its own value, a
// surrogate escape is surrogateBase+byte), and how errors went.
type codecDecoding struct {
	src    []byte
	text   []rune
	errors decodeErrors
	// failed: some range could not be decoded, so a strict decode
	// raises UnicodeDecodeError.
	failed bool
	// raised: the error handler raised (surrogateescape met an ASCII
	// byte first in an undecodable range), or the codec raised another
	// ValueError (UnicodeError).
	raised bool
	// unsupported: Python decodes this input in a way this package does
	// not implement (idna's nameprep).
	unsupported bool
}

// invalid is Python's error handler for the undecodable range
// src[start:end]; it returns where decoding resumes. surrogateescape
// escapes the leading bytes >= 0x80 of the range and resumes after them
// (it raises when there are none); replace writes one U+FFFD and resumes
// at end.
func (d *codecDecoding) invalid(start, end int) int {
	d.failed = true
	if d.errors == decodeReplace {
		d.text = append(d.text, 0xFFFD)
		return end
	}
	i := start
	for i < end && d.src[i] >= 0x80 {
		d.text = append(d.text, surrogateBase+rune(d.src[i]))
		i++
	}
	if i == start {
		d.raised = true
		return len(d.src)
	}
	return i
}

// emit appends decoded characters.
func (d *codecDecoding) emit(r ...rune) { d.text = append(d.text, r...) }

// extraDecoder returns the decoder of one of this file's codecs, by
// Python codec name (nil for others); it decodes d.src into d, stopping
// early once d.raised.
func extraDecoder(codec string) func(d *codecDecoding) {
	switch codec {
	case "utf-7":
		return decodeUTF7
	case "johab":
		return decodeJohab
	case "cp950":
		return decodeCP950
	case "hz":
		return decodeHZ
	case "euc_jis_2004", "euc_jisx0213":
		return func(d *codecDecoding) { decodeEUCJISX0213(d, codec) }
	case "shift_jis_2004", "shift_jisx0213":
		return func(d *codecDecoding) { decodeShiftJISX0213(d, codec) }
	case "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_3", "iso2022_jp_2004", "iso2022_kr":
		cfg := iso2022Configs[codec]
		return func(d *codecDecoding) { decodeISO2022(d, cfg) }
	case "unicode-escape":
		return func(d *codecDecoding) { decodeUnicodeEscape(d, false) }
	case "raw-unicode-escape":
		return func(d *codecDecoding) { decodeUnicodeEscape(d, true) }
	case "punycode":
		return decodePunycode
	case "idna":
		return decodeIDNA
	}
	if i := sbcsIndex(codec); i >= 0 {
		return func(d *codecDecoding) { decodeSBCS(d, i) }
	}
	return nil
}

// decodeExtra is bytes.decode(codec, errors) for a codec of this file;
// ok is false for any other codec.
func decodeExtra(codec string, b []byte, errors decodeErrors) (d *codecDecoding, ok bool) {
	decode := extraDecoder(codec)
	if decode == nil {
		return nil, false
	}
	d = &codecDecoding{src: b, errors: errors}
	decode(d)
	return d, true
}

// pyDecodeExtra is pyDecode's part for this file's codecs: the text of a
// surrogateescape decode (after a failed strict one), or
// errDecodeRaises, errLoneSurrogate or errUnsupportedCharset (see the
// file comment); ok
// is false for other codecs.
func pyDecodeExtra(codec string, b []byte) (s string, undecodable bool, err error, ok bool) {
	d, ok := decodeExtra(codec, b, decodeSurrogateEscape)
	if !ok {
		return "", false, nil, false
	}
	if d.raised {
		return "", false, errDecodeRaises, true
	}
	if d.unsupported {
		return "", false, errUnsupportedCharset, true
	}
	var sb strings.Builder
	for _, r := range d.text {
		switch {
		case r >= 0xDC80 && r <= 0xDCFF:
			// Python cannot tell this lone surrogate from a surrogate
			// escape of a byte, and neither can this package.
			sb.WriteRune(surrogateBase + r - 0xDC00)
		case r >= 0xD800 && r <= 0xDFFF:
			return "", false, errLoneSurrogate, true
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String(), d.failed, nil, true
}

// extraEncoder returns str.encode(codec) (errors='strict') for the codecs
// whose bodies can be re-encoded; nil for others. The encoder returns the
// index of the first character it cannot encode, or -1.
func extraEncoder(codec string) func(text []rune) (string, int) {
	switch codec {
	case "utf-7":
		return func(text []rune) (string, int) { return encodeUTF7(text), -1 }
	case "unicode-escape":
		return func(text []rune) (string, int) { return encodeUnicodeEscape(text, false), -1 }
	case "raw-unicode-escape":
		return func(text []rune) (string, int) { return encodeUnicodeEscape(text, true), -1 }
	case "punycode":
		return func(text []rune) (string, int) { return encodePunycode(text), -1 }
	case "johab":
		return encodeJohab
	case "cp950":
		return encodeCP950
	case "hz":
		return encodeHZ
	case "euc_jis_2004", "euc_jisx0213", "shift_jis_2004", "shift_jisx0213":
		return func(text []rune) (string, int) { return encodeJISX0213(text, codec) }
	case "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_3", "iso2022_jp_2004", "iso2022_kr":
		cfg := iso2022Configs[codec]
		return func(text []rune) (string, int) { return encodeISO2022(cfg, text) }
	}
	if i := sbcsIndex(codec); i >= 0 {
		return func(text []rune) (string, int) { return encodeSBCS(text, i) }
	}
	return nil
}

// reencodeOtherCodec is bytes.decode(decCodec, 'replace').encode(encCodec)
// for the codecs of this file; handled is false when it does not know
// them. err is Python's UnicodeEncodeError (or the UnicodeError of a
// text-transform codec).
func reencodeOtherCodec(decCodec, encCodec, outputName, raw string) (out string, handled bool, err error) {
	if _, _, _, ok := utf16Codec(decCodec); ok && decCodec == encCodec {
		s, bad := encodeUTF16(encCodec, decodeUTF16Replace(decCodec, []byte(raw)))
		if bad >= 0 {
			return "", true, fmt.Errorf("UnicodeEncodeError: %q codec can't encode a surrogate in position %d", outputName, bad)
		}
		return s, true, nil
	}
	if extraDecoder(decCodec) == nil && extraDecoder(encCodec) == nil {
		return "", false, nil
	}
	unsupported := func(why string) (string, bool, error) {
		return "", true, &cjkUnsupportedError{fmt.Sprintf("LookupError: re-encoding %s to %s is not supported (%s)", decCodec, encCodec, why)}
	}
	switch {
	case decCodec == "idna":
		// The idna codec takes errors='strict' only.
		return "", true, fmt.Errorf("UnicodeError: Unsupported error handling replace (%q codec)", decCodec)
	case decCodec != encCodec:
		return unsupported("codec pair")
	}
	d, _ := decodeExtra(decCodec, []byte(raw), decodeReplace)
	if d.unsupported {
		return unsupported("input")
	}
	if d.raised {
		// punycode: an 8-bit byte after the last "-" raises even with
		// errors='replace'.
		return "", true, fmt.Errorf("UnicodeDecodeError: %q codec can't decode the body", decCodec)
	}
	encode := extraEncoder(encCodec)
	if encode == nil {
		return unsupported("output codec")
	}
	s, bad := encode(d.text)
	if bad >= 0 {
		return "", true, fmt.Errorf("UnicodeEncodeError: %q codec can't encode character %s in position %d", outputName, pyCharRepr(d.text[bad]), bad)
	}
	return s, true, nil
}

// pyCharRepr writes a character as Python's UnicodeEncodeError names it:
// '\ufffd', '\x80', '\U00020000'.
func pyCharRepr(r rune) string {
	switch {
	case r < 0x100:
		return fmt.Sprintf("'\\x%02x'", r)
	case r < 0x10000:
		return fmt.Sprintf("'\\u%04x'", r)
	}
	return fmt.Sprintf("'\\U%08x'", r)
}

// loadCodecTable inflates one table of codecTableData.
func loadCodecTable(name string) []byte {
	z, err := base64.StdEncoding.DecodeString(codecTableData()[name])
	if err != nil {
		panic("policy: corrupt codec table " + name)
	}
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		panic("policy: corrupt codec table " + name)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		panic("policy: corrupt codec table " + name)
	}
	return raw
}

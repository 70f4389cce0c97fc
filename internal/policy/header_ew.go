package policy

import (
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"
)

// RFC 2047 encoded words as Python's email._encoded_words decodes and
// encodes them.

// errBadEncodedWord is _InvalidEwError: the text looked like an encoded
// word but its format is invalid.
var errBadEncodedWord = errors.New("policy: encoded word format invalid")

// errUnsupportedCharset means an encoded word names a charset Python can
// decode but this package cannot; refolding then gives up.
var errUnsupportedCharset = errors.New("policy: unsupported charset in encoded word")

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
// with surrogateescape for charsets Python does not know
// ("unknown-8bit").
func pyDecode(b []byte, charset string) (s string, undecodable bool, err error) {
	var sb strings.Builder
	surrogate := func(c byte) {
		sb.WriteRune(surrogateBase + rune(c))
		undecodable = true
	}
	switch normalizeCodecName(charset) {
	case "utf_8":
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
	case "ascii":
		for _, c := range b {
			if c >= 0x80 {
				surrogate(c)
			} else {
				sb.WriteByte(c)
			}
		}
	case "latin_1":
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
	case "cp1252", "iso8859_15", "koi8_r":
		table := map[string]*[128]rune{"cp1252": &cp1252Upper, "iso8859_15": &iso885915Upper, "koi8_r": &koi8rUpper}[normalizeCodecName(charset)]
		for _, c := range b {
			switch {
			case c < 0x80:
				sb.WriteByte(c)
			case table[c-0x80] < 0:
				surrogate(c)
			default:
				sb.WriteRune(table[c-0x80])
			}
		}
	case "unknown_8bit", "":
		for _, c := range b {
			if c >= 0x80 {
				sb.WriteRune(surrogateBase + rune(c))
			} else {
				sb.WriteByte(c)
			}
		}
		return sb.String(), false, nil
	default:
		return "", false, errUnsupportedCharset
	}
	return sb.String(), undecodable, nil
}

// normalizeCodecName maps the charset names this package decodes to one
// canonical name, as Python's codec lookup does with its aliases.
func normalizeCodecName(charset string) string {
	n := strings.ToLower(strings.TrimSpace(charset))
	n = strings.NewReplacer("-", "_", " ", "_").Replace(n)
	switch n {
	case "utf_8", "utf8", "u8", "utf", "cp65001":
		return "utf_8"
	case "ascii", "us_ascii", "646", "us", "ansi_x3.4_1968", "ansi_x3_4_1968", "iso646_us", "cp367", "csascii", "ibm367", "iso_ir_6":
		return "ascii"
	case "latin_1", "latin1", "iso_8859_1", "iso8859_1", "8859", "cp819", "l1", "latin", "iso_ir_100", "ibm819", "iso_8859_1:1987", "csisolatin1":
		return "latin_1"
	case "iso_8859_15", "iso8859_15", "latin9", "latin_9", "l9":
		return "iso8859_15"
	case "cp1252", "windows_1252":
		return "cp1252"
	case "koi8_r", "cskoi8r":
		return "koi8_r"
	case "unknown_8bit":
		return "unknown_8bit"
	}
	return n
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

// Upper halves (bytes 0x80-0xFF) of the single-byte charsets decoded
// here, taken from Python 3.11's codecs; -1 marks an undefined byte.
var (
	cp1252Upper = [128]rune{
		0x20AC, -1, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, -1, 0x017D, -1,
		-1, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, -1, 0x017E, 0x0178,
		0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7,
		0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
		0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7,
		0x00B8, 0x00B9, 0x00BA, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF,
		0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
		0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF,
		0x00D0, 0x00D1, 0x00D2, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x00D7,
		0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
		0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7,
		0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x00EC, 0x00ED, 0x00EE, 0x00EF,
		0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7,
		0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF,
	}
	iso885915Upper = [128]rune{
		0x0080, 0x0081, 0x0082, 0x0083, 0x0084, 0x0085, 0x0086, 0x0087,
		0x0088, 0x0089, 0x008A, 0x008B, 0x008C, 0x008D, 0x008E, 0x008F,
		0x0090, 0x0091, 0x0092, 0x0093, 0x0094, 0x0095, 0x0096, 0x0097,
		0x0098, 0x0099, 0x009A, 0x009B, 0x009C, 0x009D, 0x009E, 0x009F,
		0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x20AC, 0x00A5, 0x0160, 0x00A7,
		0x0161, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
		0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x017D, 0x00B5, 0x00B6, 0x00B7,
		0x017E, 0x00B9, 0x00BA, 0x00BB, 0x0152, 0x0153, 0x0178, 0x00BF,
		0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
		0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF,
		0x00D0, 0x00D1, 0x00D2, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x00D7,
		0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
		0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7,
		0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x00EC, 0x00ED, 0x00EE, 0x00EF,
		0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7,
		0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF,
	}
	koi8rUpper = [128]rune{
		0x2500, 0x2502, 0x250C, 0x2510, 0x2514, 0x2518, 0x251C, 0x2524,
		0x252C, 0x2534, 0x253C, 0x2580, 0x2584, 0x2588, 0x258C, 0x2590,
		0x2591, 0x2592, 0x2593, 0x2320, 0x25A0, 0x2219, 0x221A, 0x2248,
		0x2264, 0x2265, 0x00A0, 0x2321, 0x00B0, 0x00B2, 0x00B7, 0x00F7,
		0x2550, 0x2551, 0x2552, 0x0451, 0x2553, 0x2554, 0x2555, 0x2556,
		0x2557, 0x2558, 0x2559, 0x255A, 0x255B, 0x255C, 0x255D, 0x255E,
		0x255F, 0x2560, 0x2561, 0x0401, 0x2562, 0x2563, 0x2564, 0x2565,
		0x2566, 0x2567, 0x2568, 0x2569, 0x256A, 0x256B, 0x256C, 0x00A9,
		0x044E, 0x0430, 0x0431, 0x0446, 0x0434, 0x0435, 0x0444, 0x0433,
		0x0445, 0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E,
		0x043F, 0x044F, 0x0440, 0x0441, 0x0442, 0x0443, 0x0436, 0x0432,
		0x044C, 0x044B, 0x0437, 0x0448, 0x044D, 0x0449, 0x0447, 0x044A,
		0x042E, 0x0410, 0x0411, 0x0426, 0x0414, 0x0415, 0x0424, 0x0413,
		0x0425, 0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E,
		0x041F, 0x042F, 0x0420, 0x0421, 0x0422, 0x0423, 0x0416, 0x0412,
		0x042C, 0x042B, 0x0417, 0x0428, 0x042D, 0x0429, 0x0427, 0x042A,
	}
)

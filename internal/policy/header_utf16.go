package policy

import (
	"encoding/binary"
	"strings"
)

// UTF-16 and UTF-32 (RFC 2781) as Python's utf-16, utf-16-le,
// utf-16-be, utf-32, utf-32-le and utf-32-be codecs decode them with
// errors='surrogateescape': "utf-16"/"utf-32" read a byte order mark and
// otherwise take little-endian; in a bad or truncated unit the leading
// bytes >= 0x80 become surrogate escapes and decoding goes on after them,
// and a unit starting with an ASCII byte raises (errDecodeRaises).

// decodeUTF16or32 decodes b for codec; ok is false for other codecs.
func decodeUTF16or32(codec string, b []byte) (s string, undecodable bool, err error, ok bool) {
	var order binary.ByteOrder = binary.LittleEndian
	width := 2
	switch codec {
	case "utf-16":
		switch {
		case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
			b = b[2:]
		case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
			order, b = binary.BigEndian, b[2:]
		}
	case "utf-16-le":
	case "utf-16-be":
		order = binary.BigEndian
	case "utf-32":
		width = 4
		switch {
		case len(b) >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0:
			b = b[4:]
		case len(b) >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF:
			order, b = binary.BigEndian, b[4:]
		}
	case "utf-32-le":
		width = 4
	case "utf-32-be":
		width, order = 4, binary.BigEndian
	default:
		return "", false, nil, false
	}
	var sb strings.Builder
	// escape is Python's surrogateescape handler on a bad range: it
	// escapes the leading bytes >= 0x80 and decoding resumes after them;
	// with none, the error is raised.
	escape := func(bad []byte) int {
		n := 0
		for n < len(bad) && bad[n] >= 0x80 {
			sb.WriteRune(surrogateBase + rune(bad[n]))
			n++
		}
		if n > 0 {
			undecodable = true
		}
		return n
	}
	for i := 0; i < len(b); {
		var bad []byte
		switch {
		case len(b)-i < width:
			bad = b[i:]
		case width == 4:
			if r := rune(order.Uint32(b[i:])); r > 0x10FFFF || r >= 0xD800 && r <= 0xDFFF || r < 0 {
				bad = b[i : i+4]
			} else {
				sb.WriteRune(r)
				i += 4
				continue
			}
		default:
			u := rune(order.Uint16(b[i:]))
			switch {
			case u < 0xD800 || u > 0xDFFF:
				sb.WriteRune(u)
				i += 2
				continue
			case u <= 0xDBFF && len(b)-i < 4:
				bad = b[i:]
			case u <= 0xDBFF:
				if u2 := rune(order.Uint16(b[i+2:])); u2 >= 0xDC00 && u2 <= 0xDFFF {
					sb.WriteRune(0x10000 + (u-0xD800)<<10 + (u2 - 0xDC00))
					i += 4
					continue
				}
				bad = b[i : i+2]
			default:
				bad = b[i : i+2]
			}
		}
		n := escape(bad)
		if n == 0 {
			return "", false, errDecodeRaises, true
		}
		i += n
	}
	return sb.String(), undecodable, nil, true
}

package policy

import "encoding/binary"

// UTF-16 and UTF-32 (RFC 2781) for the cte_type=7bit body re-encoding:
// bytes.decode(codec, 'replace') with the undecodable ranges of
// header_utf16.go (a truncated unit, a bad code point, a surrogate
// without its partner), then str.encode(codec), which for "utf-16" and
// "utf-32" writes a little-endian byte order mark first, as CPython does
// on little-endian machines.

// utf16ByteOrder reads and appends units: binary.LittleEndian or
// binary.BigEndian.
type utf16ByteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// utf16Codec returns the unit width and byte order of a UTF-16/32 codec,
// whether it reads and writes a byte order mark, and ok false for other
// codecs.
func utf16Codec(codec string) (width int, order utf16ByteOrder, bom, ok bool) {
	switch codec {
	case "utf-16":
		return 2, binary.LittleEndian, true, true
	case "utf-16-le":
		return 2, binary.LittleEndian, false, true
	case "utf-16-be":
		return 2, binary.BigEndian, false, true
	case "utf-32":
		return 4, binary.LittleEndian, true, true
	case "utf-32-le":
		return 4, binary.LittleEndian, false, true
	case "utf-32-be":
		return 4, binary.BigEndian, false, true
	}
	return 0, nil, false, false
}

// decodeUTF16Replace is bytes.decode(codec, 'replace') for the UTF-16
// and UTF-32 codecs: one U+FFFD per undecodable range.
func decodeUTF16Replace(codec string, b []byte) []rune {
	width, order, bom, _ := utf16Codec(codec)
	if bom {
		switch {
		case width == 2 && len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
			b = b[2:]
		case width == 2 && len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
			order, b = binary.BigEndian, b[2:]
		case width == 4 && len(b) >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0:
			b = b[4:]
		case width == 4 && len(b) >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF:
			order, b = binary.BigEndian, b[4:]
		}
	}
	var text []rune
	for i := 0; i < len(b); {
		switch {
		case len(b)-i < width:
			text = append(text, 0xFFFD)
			i = len(b)
		case width == 4:
			r := order.Uint32(b[i:])
			if r > 0x10FFFF || r >= 0xD800 && r <= 0xDFFF {
				r = 0xFFFD
			}
			text = append(text, rune(r))
			i += 4
		default:
			u := rune(order.Uint16(b[i:]))
			switch {
			case u < 0xD800 || u > 0xDFFF:
				text = append(text, u)
				i += 2
			case u <= 0xDBFF && len(b)-i < 4:
				text = append(text, 0xFFFD)
				i = len(b)
			case u <= 0xDBFF:
				if u2 := rune(order.Uint16(b[i+2:])); u2 >= 0xDC00 && u2 <= 0xDFFF {
					text = append(text, 0x10000+(u-0xD800)<<10+(u2-0xDC00))
					i += 4
					continue
				}
				text = append(text, 0xFFFD)
				i += 2
			default:
				text = append(text, 0xFFFD)
				i += 2
			}
		}
	}
	return text
}

// encodeUTF16 is str.encode(codec) for the UTF-16 and UTF-32 codecs;
// the index of a lone surrogate, which they cannot encode, or -1.
func encodeUTF16(codec string, text []rune) (string, int) {
	width, order, bom, _ := utf16Codec(codec)
	var b []byte
	if bom && width == 2 {
		b = append(b, 0xFF, 0xFE)
	} else if bom {
		b = append(b, 0xFF, 0xFE, 0, 0)
	}
	for i, r := range text {
		if r >= 0xD800 && r <= 0xDFFF {
			return "", i
		}
		switch {
		case width == 4:
			b = order.AppendUint32(b, uint32(r))
		case r >= 0x10000:
			b = order.AppendUint16(b, uint16(0xD800+(r-0x10000)>>10))
			b = order.AppendUint16(b, uint16(0xDC00+(r-0x10000)&0x3FF))
		default:
			b = order.AppendUint16(b, uint16(r))
		}
	}
	return string(b), -1
}

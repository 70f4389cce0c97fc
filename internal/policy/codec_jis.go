package policy

import (
	"encoding/binary"
	"strconv"
	"sync"
)

// The JIS X 0213 codecs of codec_extra.go as CPython 3.11.7 decodes and
// encodes them (Modules/cjkcodecs/_codecs_jp.c): euc_jis_2004 and
// euc_jisx0213 (EUC: JIS X 0213 plane 1 as two bytes 0xA1-0xFE, plane 2
// after 0x8F, falling back to JIS X 0212 there), shift_jis_2004 and
// shift_jisx0213 (Shift_JIS arithmetic over both planes). The "2000"
// codecs (euc_jisx0213, shift_jisx0213, iso2022_jp_3) leave out the ten
// characters JIS X 0213:2004 added; some codes decode to two characters
// (a kana or letter and a combining mark).

// jisX0213Table holds plane 1 then plane 2 (94x94 each) as
// gen_codec_tables.py describes them, loaded once.
var jisX0213Table = sync.OnceValue(func() []uint32 {
	raw := loadCodecTable("jisx0213")
	table := make([]uint32, len(raw)/4)
	var prev uint32
	for i := range table {
		prev += binary.LittleEndian.Uint32(raw[4*i:])
		table[i] = prev
	}
	return table
})

// codecChars is what one code decodes to: one character, or two (a JIS
// X 0213 letter and combining mark); n == 0 for none. A value, so that
// decoding allocates nothing per character.
type codecChars struct {
	r [2]rune
	n int
}

// oneChar is r as codecChars (none for 0).
func oneChar(r rune) codecChars {
	if r == 0 {
		return codecChars{}
	}
	return codecChars{[2]rune{r}, 1}
}

// String is the characters as a Go string.
func (c codecChars) String() string { return string(c.r[:c.n]) }

// emitChars appends c's characters.
func (d *codecDecoding) emitChars(c codecChars) { d.text = append(d.text, c.r[:c.n]...) }

// jisX0213Text is what codec decodes the JIS X 0213 code row, cell
// (0x21-0x7E each) of plane (1 or 2) to.
func jisX0213Text(codec string, plane int, row, cell byte) codecChars {
	if row < 0x21 || row > 0x7E || cell < 0x21 || cell > 0x7E {
		return codecChars{}
	}
	v, ok := jisOverrides()[codec+"/"+strconv.Itoa(plane)][uint16(row)<<8|uint16(cell)]
	if !ok {
		v = jisX0213Table()[(plane-1)*94*94+int(row-0x21)*94+int(cell-0x21)]
	}
	if v&0x80000000 != 0 {
		return codecChars{[2]rune{rune(v>>16) & 0x7FFF, rune(v & 0xFFFF)}, 2}
	}
	return oneChar(rune(v))
}

// jisX0213Removed2000 reports whether the plane 1 code is one of those a
// "2000" codec leaves out (its decoder reports a two-byte error).
func jisX0213Removed2000(codec string, row, cell byte) bool {
	if codec != "euc_jisx0213" && codec != "shift_jisx0213" {
		return false
	}
	v, ok := jisOverrides()[codec+"/1"][uint16(row)<<8|uint16(cell)]
	return ok && v == 0
}

// decodeEUCJISX0213 is CPython's euc_jis_2004 / euc_jisx0213 decoder.
func decodeEUCJISX0213(d *codecDecoding, codec string) {
	src := d.src
	for i := 0; i < len(src) && !d.raised; {
		c := src[i]
		switch {
		case c < 0x80:
			d.emit(rune(c))
			i++
		case c == 0x8E:
			if i+1 >= len(src) {
				i = d.invalid(i, len(src))
			} else if c2 := src[i+1]; c2 >= 0xA1 && c2 <= 0xDF {
				d.emit(0xFEC0 + rune(c2))
				i += 2
			} else {
				i = d.invalid(i, i+1)
			}
		case c == 0x8F:
			if i+2 >= len(src) {
				i = d.invalid(i, len(src))
				continue
			}
			row, cell := src[i+1]^0x80, src[i+2]^0x80
			if text := jisX0213Text(codec, 2, row, cell); text.n > 0 {
				d.emitChars(text)
				i += 3
			} else if row >= 0x21 && row <= 0x7E && cell >= 0x21 && cell <= 0x7E && jisx0212Char(row, cell) != 0 {
				d.emit(jisx0212Char(row, cell))
				i += 3
			} else {
				i = d.invalid(i, i+1)
			}
		default:
			if i+1 >= len(src) {
				i = d.invalid(i, len(src))
				continue
			}
			row, cell := c^0x80, src[i+1]^0x80
			if jisX0213Removed2000(codec, row, cell) {
				i = d.invalid(i, i+2)
			} else if text := jisX0213Text(codec, 1, row, cell); text.n > 0 {
				d.emitChars(text)
				i += 2
			} else {
				i = d.invalid(i, i+1)
			}
		}
	}
}

// sjisToJIS is Shift_JIS's arithmetic: the plane, row and cell of the
// pair c c2 (ok false when c2 cannot be a trail byte).
func sjisToJIS(c, c2 byte) (plane int, row, cell byte, ok bool) {
	if c2 < 0x40 || c2 >= 0x7F && c2 < 0x80 || c2 > 0xFC {
		return 0, 0, 0, false
	}
	c1 := int(c) - 0x81
	if c >= 0xE0 {
		c1 = int(c) - 0xC1
	}
	t := int(c2) - 0x40
	if c2 >= 0x80 {
		t = int(c2) - 0x41
	}
	c1 *= 2
	if t >= 0x5E {
		c1++
		t -= 0x5E
	}
	cell = byte(t + 0x21)
	if c1 < 0x5E {
		return 1, byte(c1 + 0x21), cell, true
	}
	switch {
	case c1 >= 0x67:
		c1 += 0x07
	case c1 >= 0x63 || c1 == 0x5F:
		c1 -= 0x37
	default:
		c1 -= 0x3D
	}
	return 2, byte(c1), cell, true
}

// sjisSingle is the Shift_JIS single-byte character c (JIS X 0201 Roman
// and katakana); ok false when c is not one.
func sjisSingle(c byte) (rune, bool) {
	switch {
	case c == 0x5C:
		return 0xA5, true
	case c == 0x7E:
		return 0x203E, true
	case c < 0x80:
		return rune(c), true
	case c >= 0xA1 && c <= 0xDF:
		return 0xFEC0 + rune(c), true
	}
	return 0, false
}

// decodeShiftJISX0213 is CPython's shift_jis_2004 / shift_jisx0213
// decoder: an unmapped pair or a bad trail byte is a one-byte error, a
// code a "2000" codec leaves out a two-byte one.
func decodeShiftJISX0213(d *codecDecoding, codec string) {
	src := d.src
	for i := 0; i < len(src) && !d.raised; {
		c := src[i]
		if r, ok := sjisSingle(c); ok {
			d.emit(r)
			i++
			continue
		}
		if !(c >= 0x81 && c <= 0x9F || c >= 0xE0 && c <= 0xFC) {
			i = d.invalid(i, i+1)
			continue
		}
		if i+1 >= len(src) {
			i = d.invalid(i, len(src))
			continue
		}
		plane, row, cell, ok := sjisToJIS(c, src[i+1])
		if !ok {
			i = d.invalid(i, i+1)
			continue
		}
		if plane == 1 && jisX0213Removed2000(codec, row, cell) {
			i = d.invalid(i, i+2)
			continue
		}
		if text := jisX0213Text(codec, plane, row, cell); text.n > 0 {
			d.emitChars(text)
			i += 2
			continue
		}
		i = d.invalid(i, i+1)
	}
}

// jisX0213Units yields codec's table in the order gen_codec_tables.py
// lists it: for EUC, ASCII, half-width katakana (0x8E), plane 1, plane 2
// (JIS X 0213, else JIS X 0212); for Shift_JIS, the
// single bytes, then the pairs in lead, trail order.
func jisX0213Units(codec string, yield func(codecUnit)) {
	if codec == "euc_jis_2004" || codec == "euc_jisx0213" {
		for c := 0; c < 0x80; c++ {
			yield(codecUnit{string([]byte{byte(c)}), string(rune(c))})
		}
		for c := 0xA1; c <= 0xDF; c++ {
			yield(codecUnit{string([]byte{0x8E, byte(c)}), string(rune(0xFEC0 + c))})
		}
		// Plane 1, plane 2 (JIS X 0213), then plane 2's JIS X 0212
		// fallback.
		for pass := 0; pass < 3; pass++ {
			plane := min(pass+1, 2)
			for row := byte(0x21); row <= 0x7E; row++ {
				for cell := byte(0x21); cell <= 0x7E; cell++ {
					text := jisX0213Text(codec, plane, row, cell)
					if pass == 2 {
						if text.n == 0 {
							text = oneChar(jisx0212Char(row, cell))
						} else {
							text = codecChars{}
						}
					}
					if text.n == 0 || plane == 1 && jisX0213Removed2000(codec, row, cell) {
						continue
					}
					seq := []byte{row | 0x80, cell | 0x80}
					if plane == 2 {
						seq = append([]byte{0x8F}, seq...)
					}
					yield(codecUnit{string(seq), text.String()})
				}
			}
		}
		return
	}
	for c := 0; c <= 0xFF; c++ {
		if r, ok := sjisSingle(byte(c)); ok {
			yield(codecUnit{string([]byte{byte(c)}), string(r)})
		}
	}
	for c := 0x81; c <= 0xFC; c++ {
		if c >= 0xA0 && c < 0xE0 {
			continue
		}
		for t := 0x40; t <= 0xFC; t++ {
			plane, row, cell, ok := sjisToJIS(byte(c), byte(t))
			if !ok || plane == 1 && jisX0213Removed2000(codec, row, cell) {
				continue
			}
			if text := jisX0213Text(codec, plane, row, cell); text.n > 0 {
				yield(codecUnit{string([]byte{byte(c), byte(t)}), text.String()})
			}
		}
	}
}

// jisX0213Encoders holds each codec's encoder, built once.
var jisX0213Encoders = map[string]func() *unitEncoder{
	"euc_jis_2004":   sync.OnceValue(func() *unitEncoder { return newJISX0213Encoder("euc_jis_2004") }),
	"euc_jisx0213":   sync.OnceValue(func() *unitEncoder { return newJISX0213Encoder("euc_jisx0213") }),
	"shift_jis_2004": sync.OnceValue(func() *unitEncoder { return newJISX0213Encoder("shift_jis_2004") }),
	"shift_jisx0213": sync.OnceValue(func() *unitEncoder { return newJISX0213Encoder("shift_jisx0213") }),
}

// newJISX0213Encoder builds the encoder of a JIS X 0213 codec.
func newJISX0213Encoder(codec string) *unitEncoder { return newUnitEncoder(codec, tableUnits(codec)) }

// encodeJISX0213 is str.encode(codec) for the EUC and Shift_JIS JIS X
// 0213 codecs.
func encodeJISX0213(text []rune, codec string) (string, int) {
	return jisX0213Encoders[codec]().encode(text)
}

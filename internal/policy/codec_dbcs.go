package policy

import (
	"encoding/binary"
	"sync"
)

// Stateless table codecs of codec_extra.go: the single-byte codecs that
// are not ASCII-compatible (EBCDIC code pages and cp864), cp950 (Big5
// with Microsoft's extensions) and johab (KS X 1001:1998 annex 3), as
// CPython 3.11.7's charmap and CJK codecs decode and encode them.

// sbcsIndex returns the position of codec in sbcsCodecs, or -1.
func sbcsIndex(codec string) int {
	for i, c := range sbcsCodecs {
		if c == codec {
			return i
		}
	}
	return -1
}

// sbcsDecodeTables holds the 256 characters of each sbcsCodecs codec
// (0xFFFE: undecodable), loaded once.
var sbcsDecodeTables = sync.OnceValue(func() [][256]rune {
	raw := loadCodecTable("sbcs")
	tables := make([][256]rune, len(sbcsCodecs))
	for i := range tables {
		for c := 0; c < 256; c++ {
			tables[i][c] = rune(binary.LittleEndian.Uint16(raw[2*(256*i+c):]))
		}
	}
	return tables
})

// decodeSBCS is Python's charmap decoder: each byte its character, an
// undefined byte a one-byte error.
func decodeSBCS(d *codecDecoding, codec int) {
	table := &sbcsDecodeTables()[codec]
	for i := 0; i < len(d.src) && !d.raised; {
		if r := table[d.src[i]]; r != 0xFFFE {
			d.emit(r)
			i++
			continue
		}
		i = d.invalid(i, i+1)
	}
}

// codecUnit is one byte sequence of a codec's decoding table and the
// text it decodes to.
type codecUnit struct {
	seq  string
	text string
}

// unitEncoder maps text (one character, or the two of a JIS X 0213
// combining pair) to bytes: the first unit of a codec's table order that
// decodes to it, corrected by the codec's encOverrides entries (an empty
// value: Python cannot encode the text). Sequences (1 to 3 bytes) are
// packed as packSeq does, to keep the maps small.
type unitEncoder struct {
	singles map[rune]uint32
	pairs   map[[2]rune]uint32
}

// packSeq packs a byte sequence of 1 to 3 bytes: its length in the top
// byte, the bytes below.
func packSeq(seq string) uint32 {
	v := uint32(len(seq)) << 24
	for i := 0; i < len(seq); i++ {
		v |= uint32(seq[i]) << (8 * (2 - i))
	}
	return v
}

// appendSeq appends the sequence packSeq packed into v.
func appendSeq(b []byte, v uint32) []byte {
	for i := 0; i < int(v>>24); i++ {
		b = append(b, byte(v>>(8*(2-i))))
	}
	return b
}

// newUnitEncoder builds the encoder for codec from its units.
func newUnitEncoder(codec string, units func(yield func(codecUnit))) *unitEncoder {
	e := &unitEncoder{singles: map[rune]uint32{}, pairs: map[[2]rune]uint32{}}
	set := func(text, seq string, override bool) {
		r := []rune(text)
		switch {
		case len(r) == 1:
			if _, ok := e.singles[r[0]]; !ok || override {
				e.singles[r[0]] = packSeq(seq)
			}
		case len(r) == 2:
			if _, ok := e.pairs[[2]rune(r)]; !ok || override {
				e.pairs[[2]rune(r)] = packSeq(seq)
			}
		}
	}
	units(func(u codecUnit) { set(u.text, u.seq, false) })
	for text, seq := range encOverrides()[codec] {
		set(text, seq, true)
	}
	for r, v := range e.singles {
		if v == 0 {
			delete(e.singles, r)
		}
	}
	for r, v := range e.pairs {
		if v == 0 {
			delete(e.pairs, r)
		}
	}
	return e
}

// encode is str.encode(codec, 'strict'): the bytes, and the index of the
// first character that cannot be encoded (or -1).
func (e *unitEncoder) encode(text []rune) (string, int) {
	var b []byte
	for i := 0; i < len(text); i++ {
		if len(e.pairs) > 0 && i+1 < len(text) {
			if v, ok := e.pairs[[2]rune{text[i], text[i+1]}]; ok {
				b = appendSeq(b, v)
				i++
				continue
			}
		}
		v, ok := e.singles[text[i]]
		if !ok || text[i] >= 0xD800 && text[i] <= 0xDFFF {
			return "", i
		}
		b = appendSeq(b, v)
	}
	return string(b), -1
}

// tableUnits returns the table walk of a codec that unitEncoder encodes
// with (the single-byte codecs of sbcsCodecs, cp950, johab, the EUC and
// Shift_JIS JIS X 0213 codecs); nil for others.
func tableUnits(codec string) func(yield func(codecUnit)) {
	switch codec {
	case "cp950":
		return func(yield func(codecUnit)) {
			leadTrailUnits(cp950Char, [2]int{0x81, 0xFE}, [2]int{0x40, 0xFE}, yield)
		}
	case "johab":
		return func(yield func(codecUnit)) {
			leadTrailUnits(johabChar, [2]int{0x80, 0xFF}, [2]int{0, 0xFF}, yield)
		}
	case "euc_jis_2004", "euc_jisx0213", "shift_jis_2004", "shift_jisx0213":
		return func(yield func(codecUnit)) { jisX0213Units(codec, yield) }
	}
	i := sbcsIndex(codec)
	if i < 0 {
		return nil
	}
	return func(yield func(codecUnit)) {
		table := &sbcsDecodeTables()[i]
		for c := 0; c < 256; c++ {
			if table[c] != 0xFFFE {
				yield(codecUnit{string([]byte{byte(c)}), string(table[c])})
			}
		}
	}
}

// sbcsEncoders holds each sbcsCodecs codec's encoder, built once.
var sbcsEncoders = sync.OnceValue(func() []*unitEncoder {
	encoders := make([]*unitEncoder, len(sbcsCodecs))
	for i, codec := range sbcsCodecs {
		encoders[i] = newUnitEncoder(codec, tableUnits(codec))
	}
	return encoders
})

// encodeSBCS is str.encode for the sbcsCodecs codec at index codec.
func encodeSBCS(text []rune, codec int) (string, int) { return sbcsEncoders()[codec].encode(text) }

// big5Pair returns the character of the Big5 pair c t in the big5 table,
// or 0.
func big5Pair(c, t byte) rune {
	if c < 0x81 || c > 0xFE || t < 0x40 || t > 0xFE {
		return 0
	}
	u := cjkTables()["big5"]().units[int(c-0x81)*(0xFF-0x40)+int(t-0x40)]
	if u == 0xFFFF {
		return 0
	}
	return rune(u)
}

// cp950Char is the cp950 decoding of the pair c t (0: none): Microsoft's
// extensions (cp950Pairs) before Big5.
func cp950Char(c, t byte) rune {
	if r, ok := cp950Pairs()[uint16(c)<<8|uint16(t)]; ok {
		return r
	}
	return big5Pair(c, t)
}

// decodeLeadTrail is CPython's decoder for a double-byte codec whose
// bytes >= 0x80 always lead a pair: ASCII, or a lead byte and any trail
// byte that pair(lead, trail) maps to a character; a one-byte error
// otherwise (cp950, johab).
func decodeLeadTrail(d *codecDecoding, pair func(c, t byte) rune) {
	src := d.src
	for i := 0; i < len(src) && !d.raised; {
		c := src[i]
		switch {
		case c < 0x80:
			d.emit(rune(c))
			i++
		case i+1 >= len(src):
			i = d.invalid(i, len(src))
		default:
			if r := pair(c, src[i+1]); r != 0 {
				d.emit(r)
				i += 2
				continue
			}
			i = d.invalid(i, i+1)
		}
	}
}

// leadTrailUnits yields the table of a decodeLeadTrail codec: ASCII,
// then the pairs with a lead byte from lead and a trail byte from trail,
// in lead, trail order.
func leadTrailUnits(pair func(c, t byte) rune, lead, trail [2]int, yield func(codecUnit)) {
	for c := 0; c < 0x80; c++ {
		yield(codecUnit{string([]byte{byte(c)}), string(rune(c))})
	}
	for c := lead[0]; c <= lead[1]; c++ {
		for t := trail[0]; t <= trail[1]; t++ {
			if r := pair(byte(c), byte(t)); r != 0 {
				yield(codecUnit{string([]byte{byte(c), byte(t)}), string(r)})
			}
		}
	}
}

// decodeCP950 is CPython's cp950 decoder.
func decodeCP950(d *codecDecoding) { decodeLeadTrail(d, cp950Char) }

// cp950Encoder is cp950's encoder, built once.
var cp950Encoder = sync.OnceValue(func() *unitEncoder { return newUnitEncoder("cp950", tableUnits("cp950")) })

// encodeCP950 is str.encode('cp950').
func encodeCP950(text []rune) (string, int) { return cp950Encoder().encode(text) }

// johabHangul holds the characters of the johab pairs with a lead byte
// 0x80-0xD7 (the Hangul area), by (lead-0x80)<<8 | trail; 0 = none.
var johabHangul = sync.OnceValue(func() []rune {
	raw := loadCodecTable("johab")
	table := make([]rune, len(raw)/2)
	var prev uint16
	for i := range table {
		if v := binary.LittleEndian.Uint16(raw[2*i:]); v != 0 {
			prev += v
			table[i] = rune(prev)
		}
	}
	return table
})

// johabChar is the johab decoding of the pair c t (c >= 0x80; 0: none):
// the Hangul area from its table, the rest (symbols, hanja) mapped to KS X
// 1001 row and cell by CPython's arithmetic.
func johabChar(c, t byte) rune {
	if c < 0xD8 {
		return johabHangul()[int(c-0x80)<<8|int(t)]
	}
	if c == 0xDF || c > 0xF9 || t < 0x31 || t >= 0x80 && t < 0x91 || t&0x7F == 0x7F || c == 0xDA && t >= 0xA1 && t <= 0xD3 {
		return 0
	}
	var t1 byte
	if c < 0xE0 {
		t1 = 2 * (c - 0xD9) // wraps for 0xD8 as C's unsigned char does
	} else {
		t1 = byte(2*int(c) - 0x197)
	}
	t2 := t - 0x31
	if t >= 0x91 {
		t2 = t - 0x43
	}
	if t2 < 0x5E {
		t1 += 0x21
	} else {
		t1 += 0x22
		t2 -= 0x5E
	}
	t2 += 0x21
	return ksx1001Char(t1, t2)
}

// ksx1001Char is KS X 1001 row and cell (0x21-0x7E each) from the euc_kr
// table; 0 = none.
func ksx1001Char(row, cell byte) rune {
	if row < 0x21 || row > 0x7E || cell < 0x21 || cell > 0x7E {
		return 0
	}
	if row == 0x24 && cell == 0x54 {
		// HANGUL FILLER: euc_kr reads A4 D4 as the start of a make-up
		// sequence, so its table has no entry.
		return 0x3164
	}
	u := cjkTables()["euc_kr"]().units[(int(row|0x80)-0x81)*(0xFF-0x40)+int(cell|0x80)-0x40]
	if u == 0xFFFF {
		return 0
	}
	return rune(u)
}

// decodeJohab is CPython's johab decoder.
func decodeJohab(d *codecDecoding) { decodeLeadTrail(d, johabChar) }

// johabEncoder is johab's encoder, built once.
var johabEncoder = sync.OnceValue(func() *unitEncoder { return newUnitEncoder("johab", tableUnits("johab")) })

// encodeJohab is str.encode('johab').
func encodeJohab(text []rune) (string, int) { return johabEncoder().encode(text) }

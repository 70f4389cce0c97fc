package policy

import "sync"

// The 7-bit stateful codecs of codec_extra.go as CPython 3.11.7 decodes
// them (Modules/cjkcodecs/_codecs_iso2022.c, _codecs_cn.c): the ISO 2022
// family iso2022_kr (RFC 1557), iso2022_jp (RFC 1468), iso2022_jp_1,
// iso2022_jp_2 (RFC 1554), iso2022_jp_ext, iso2022_jp_3 and
// iso2022_jp_2004, and hz (RFC 1843).

// Character set marks: the final byte of the designation, with 0x80 for
// the double-byte sets.
const (
	iso2022ISO8859_1    = 'A'
	iso2022ASCII        = 'B'
	iso2022ISO8859_7    = 'F'
	iso2022JISX0201K    = 'I'
	iso2022JISX0201R    = 'J'
	iso2022DBCS         = 0x80
	iso2022GB2312       = 'A' | iso2022DBCS
	iso2022JISX0208     = 'B' | iso2022DBCS
	iso2022KSX1001      = 'C' | iso2022DBCS
	iso2022JISX0212     = 'D' | iso2022DBCS
	iso2022JISX0213_1_0 = 'O' | iso2022DBCS // JIS X 0213:2000 plane 1
	iso2022JISX0213_2   = 'P' | iso2022DBCS
	iso2022JISX0213_1_4 = 'Q' | iso2022DBCS // JIS X 0213:2004 plane 1
	iso2022JISX0208_O   = '@' | iso2022DBCS
)

// iso2022Config is one ISO 2022 codec: its flags and the character sets
// it can designate.
type iso2022Config struct {
	codec   string
	noShift bool // SI and SO are plain characters
	useG2   bool // ESC . F designates G2, ESC N shifts one character
	jisExt  bool // ESC & @ ESC $ B designates JIS X 0208
	sets    []byte
}

// iso2022Configs are CPython's configurations by codec.
var iso2022Configs = map[string]*iso2022Config{
	"iso2022_kr":      {codec: "iso2022_kr", sets: []byte{iso2022KSX1001}},
	"iso2022_jp":      {codec: "iso2022_jp", noShift: true, jisExt: true, sets: []byte{iso2022JISX0208, iso2022JISX0201R, iso2022JISX0208_O}},
	"iso2022_jp_1":    {codec: "iso2022_jp_1", noShift: true, jisExt: true, sets: []byte{iso2022JISX0208, iso2022JISX0212, iso2022JISX0201R, iso2022JISX0208_O}},
	"iso2022_jp_2":    {codec: "iso2022_jp_2", noShift: true, useG2: true, jisExt: true, sets: []byte{iso2022JISX0208, iso2022JISX0212, iso2022KSX1001, iso2022GB2312, iso2022JISX0201R, iso2022JISX0208_O, iso2022ISO8859_1, iso2022ISO8859_7}},
	"iso2022_jp_2004": {codec: "iso2022_jp_2004", noShift: true, jisExt: true, sets: []byte{iso2022JISX0213_1_4, iso2022JISX0208, iso2022JISX0213_2}},
	"iso2022_jp_3":    {codec: "iso2022_jp_3", noShift: true, jisExt: true, sets: []byte{iso2022JISX0213_1_0, iso2022JISX0208, iso2022JISX0213_2}},
	"iso2022_jp_ext":  {codec: "iso2022_jp_ext", noShift: true, jisExt: true, sets: []byte{iso2022JISX0208, iso2022JISX0212, iso2022JISX0201R, iso2022JISX0201K, iso2022JISX0208_O}},
}

// has reports whether cfg can designate set.
func (cfg *iso2022Config) has(set byte) bool {
	for _, s := range cfg.sets {
		if s == set {
			return true
		}
	}
	return false
}

// decodeChar decodes one character of set at b (1 or 2 bytes, as
// many as the set is wide); none when the bytes are unmapped.
func (cfg *iso2022Config) decodeChar(set byte, b []byte) codecChars {
	switch set {
	case iso2022JISX0201R:
		switch c := b[0]; c {
		case 0x5C:
			return oneChar(0xA5)
		case 0x7E:
			return oneChar(0x203E)
		default:
			return oneChar(rune(c))
		}
	case iso2022JISX0201K:
		if c := b[0] ^ 0x80; c >= 0xA1 && c <= 0xDF {
			return oneChar(0xFEC0 + rune(c))
		}
		return codecChars{}
	case iso2022ISO8859_1, iso2022ISO8859_7:
		return codecChars{} // only through ESC N
	}
	row, cell := b[0], b[1]
	if row < 0x21 || row > 0x7E || cell < 0x21 || cell > 0x7E {
		return codecChars{}
	}
	jis := int(row-0x21)*94 + int(cell-0x21)
	switch set {
	case iso2022JISX0208, iso2022JISX0208_O:
		return oneChar(rune(cjkTables()["iso2022_jp"]().units[jis]))
	case iso2022JISX0212:
		return oneChar(jisx0212Char(row, cell))
	case iso2022KSX1001:
		return oneChar(ksx1001Char(row, cell))
	case iso2022GB2312:
		return oneChar(gb2312Char(row, cell))
	case iso2022JISX0213_1_0, iso2022JISX0213_1_4:
		return jisX0213Text(cfg.codec, 1, row, cell)
	case iso2022JISX0213_2:
		return jisX0213Text(cfg.codec, 2, row, cell)
	}
	return codecChars{}
}

// iso2022Width is how many bytes a character of set takes.
func iso2022Width(set byte) int {
	if set&iso2022DBCS != 0 {
		return 2
	}
	return 1
}

// gb2312Char is GB 2312 row and cell (0x21-0x7E each) from the gb2312
// table; 0 = none.
func gb2312Char(row, cell byte) rune {
	u := cjkTables()["gb2312"]().units[(int(row|0x80)-0x81)*(0xFF-0x40)+int(cell|0x80)-0x40]
	if u == 0xFFFF {
		return 0
	}
	return rune(u)
}

// jisx0212Char is JIS X 0212 row and cell (0x21-0x7E each) from the
// euc_jp table; 0 = none.
func jisx0212Char(row, cell byte) rune {
	const triples = (0xFF-0x81)*(0xFF-0x40) + 0x80
	return rune(cjkTables()["euc_jp"]().units[triples+int(row-0x21)*94+int(cell-0x21)])
}

// iso8859_7G2 is CPython's ISO8859_7_DECODE for the byte after ESC N
// (xor 0x80).
func iso8859_7G2(c byte) (rune, bool) {
	switch {
	case c < 0xA0:
		return rune(c), true
	case c < 0xC0 && 0x288f3bc9&(uint32(1)<<(c-0xA0)) != 0:
		return rune(c), true
	case c >= 0xB4 && c <= 0xFE && (c >= 0xD4 || 0xbffffd77&(uint32(1)<<(c-0xB4)) != 0):
		return 0x02D0 + rune(c), true
	case c == 0xA1:
		return 0x2018, true
	case c == 0xA2:
		return 0x2019, true
	case c == 0xAF:
		return 0x2015, true
	}
	return 0, false
}

// iso2022IsEscEnd reports whether c ends an escape sequence (a final byte
// CPython accepts).
func iso2022IsEscEnd(c byte) bool { return c >= 'A' && c <= 'Z' || c == '@' }

// decodeISO2022 is CPython's iso2022 decoder for cfg. Errors: an
// unknown or incomplete escape sequence (its length, or the rest of the
// input when it is cut off), a byte >= 0x80, an unmapped character (its
// width).
func decodeISO2022(d *codecDecoding, cfg *iso2022Config) {
	const (
		esc = 0x1B
		so  = 0x0E
		si  = 0x0F
		lf  = 0x0A
	)
	src := d.src
	g := [3]byte{iso2022ASCII, iso2022ASCII, iso2022ASCII}
	shifted, escThroughout := false, false
	// fail reports an error of n bytes at i (n < 0: the rest of the
	// input) and returns where decoding resumes.
	fail := func(i, n int) int {
		if n < 0 || i+n > len(src) {
			return d.invalid(i, len(src))
		}
		return d.invalid(i, i+n)
	}
	for i := 0; i < len(src) && !d.raised; {
		c := src[i]
		if escThroughout {
			d.emit(rune(c))
			i++
			if iso2022IsEscEnd(c) {
				escThroughout = false
			}
			continue
		}
		switch {
		case c == esc:
			if i+1 >= len(src) {
				i = fail(i, -1)
				continue
			}
			switch c2 := src[i+1]; {
			case c2 == '(' || c2 == ')' || c2 == '$' || c2 == '.' || c2 == '&':
				n, set, which, ok := cfg.processEsc(src[i:])
				if !ok {
					i = fail(i, n)
					continue
				}
				g[which] = set
				i += n
			case cfg.useG2 && c2 == 'N':
				if i+2 >= len(src) {
					i = fail(i, -1)
					continue
				}
				var r rune
				ok := false
				b := src[i+2]
				switch g[2] {
				case iso2022ISO8859_1:
					r, ok = rune(b)+0x80, b < 0x80
				case iso2022ISO8859_7:
					r, ok = iso8859_7G2(b ^ 0x80)
				case iso2022ASCII:
					r, ok = rune(b), b < 0x80
				default:
					// CPython's MBERR_INTERNAL: a RuntimeError, not modelled.
					d.unsupported = true
					return
				}
				if !ok {
					i = fail(i, 3)
					continue
				}
				d.emit(r)
				i += 3
			default:
				d.emit(esc)
				escThroughout = true
				i++
			}
		case c == si && !cfg.noShift:
			shifted = false
			i++
		case c == so && !cfg.noShift:
			shifted = true
			i++
		case c == lf:
			shifted = false
			d.emit(lf)
			i++
		case c < 0x20:
			d.emit(rune(c))
			i++
		case c >= 0x80:
			i = fail(i, 1)
		default:
			set := g[0]
			if shifted {
				set = g[1]
			}
			if set == iso2022ASCII {
				d.emit(rune(c))
				i++
				continue
			}
			w := iso2022Width(set)
			if i+w > len(src) {
				i = fail(i, -1)
				continue
			}
			text := cfg.decodeChar(set, src[i:i+w])
			if text.n == 0 {
				i = fail(i, w)
				continue
			}
			d.emitChars(text)
			i += w
		}
	}
}

// processEsc is iso2022processesc for the escape sequence at b: ok, its
// length n and the designation (which of G0-G2, and the set) when it is
// one cfg knows; otherwise n is the error length (-1: the rest of the
// input).
func (cfg *iso2022Config) processEsc(b []byte) (n int, set byte, which int, ok bool) {
	const maxEscLen = 16
	esclen := 0
	i := 1
	for ; i < maxEscLen; i++ {
		if i >= len(b) {
			return -1, 0, 0, false
		}
		if iso2022IsEscEnd(b[i]) {
			esclen = i + 1
			break
		}
		if cfg.jisExt && i+1 < len(b) && b[i] == '&' && b[i+1] == '@' {
			i += 2
		}
	}
	if i >= maxEscLen {
		return 1, 0, 0, false
	}
	switch esclen {
	case 3:
		if b[1] == '$' {
			set, which = b[2]|iso2022DBCS, 0
		} else {
			set = b[2]
			switch {
			case b[1] == '(':
				which = 0
			case b[1] == ')':
				which = 1
			case cfg.useG2 && b[1] == '.':
				which = 2
			default:
				return 3, 0, 0, false
			}
		}
	case 4:
		if b[1] != '$' {
			return 4, 0, 0, false
		}
		set = b[3] | iso2022DBCS
		switch b[2] {
		case '(':
			which = 0
		case ')':
			which = 1
		default:
			return 4, 0, 0, false
		}
	case 6:
		if cfg.jisExt && b[3] == 0x1B && b[4] == '$' && b[5] == 'B' {
			set, which = iso2022JISX0208, 0
		} else {
			return 6, 0, 0, false
		}
	default:
		return esclen, 0, 0, false
	}
	if set != iso2022ASCII && !cfg.has(set) {
		return esclen, 0, 0, false
	}
	return esclen, set, which, true
}

// decodeHZ is CPython's hz decoder (RFC 1843): "~{" switches to GB 2312
// (two 7-bit bytes per character), "~}" back to ASCII, "~~" is "~" and
// "~\n" a line continuation; each error is one byte.
func decodeHZ(d *codecDecoding) {
	src := d.src
	gb := false
	for i := 0; i < len(src) && !d.raised; {
		c := src[i]
		if c == '~' {
			if i+1 >= len(src) {
				i = d.invalid(i, len(src))
				continue
			}
			switch c2 := src[i+1]; {
			case c2 == '~' && !gb:
				d.emit('~')
			case c2 == '{' && !gb:
				gb = true
			case c2 == '\n' && !gb:
			case c2 == '}' && gb:
				gb = false
			default:
				i = d.invalid(i, i+1)
				continue
			}
			i += 2
			continue
		}
		if c >= 0x80 {
			i = d.invalid(i, i+1)
			continue
		}
		if !gb {
			d.emit(rune(c))
			i++
			continue
		}
		if i+1 >= len(src) {
			i = d.invalid(i, len(src))
			continue
		}
		if r := hzChar(c, src[i+1]); r != 0 {
			d.emit(r)
			i += 2
			continue
		}
		i = d.invalid(i, i+1)
	}
}

// hzChar is TRYMAP_DEC(gb2312, c ^ 0x80, c2 ^ 0x80): 0 = none.
func hzChar(c, c2 byte) rune {
	a, b := c^0x80, c2^0x80
	if a < 0xA1 || a > 0xFE || b < 0xA1 || b > 0xFE {
		return 0
	}
	return gb2312Char(a&0x7F, b&0x7F)
}

// encodeHZ is CPython's hz encoder (RFC 1843; Modules/cjkcodecs/
// _codecs_cn.c ENCODER(hz)): ASCII as itself ("~~" for '~'), after "~}"
// if GB mode is on; every other character as its gb2312 code with the
// high bits cleared, after "~{" if GB mode is off; "~}" at the end in GB
// mode. A newline gets no special treatment (it leaves GB mode like any
// ASCII character). It returns the index of the first character gb2312
// cannot encode, or -1.
func encodeHZ(text []rune) (string, int) {
	enc := cjkEncoders()["gb2312"]()
	b := make([]byte, 0, len(text))
	gb := false
	for i, c := range text {
		if c < 0x80 {
			if gb {
				b = append(b, '~', '}')
				gb = false
			}
			b = append(b, byte(c))
			if c == '~' {
				b = append(b, '~')
			}
			continue
		}
		v, ok := enc[c]
		if !ok || v>>24 != 2 || v&0x8080 != 0x8080 {
			return "", i
		}
		if !gb {
			b = append(b, '~', '{')
			gb = true
		}
		b = append(b, byte(v>>8)&0x7F, byte(v)&0x7F)
	}
	if gb {
		b = append(b, '~', '}')
	}
	return string(b), -1
}

// iso2022Code is where a text goes in an iso2022 encoding: the character
// set (its mark) and the code in it.
type iso2022Code struct {
	set  byte
	code string
}

// iso2022EncodeMap is an iso2022 codec's encoding map, packed as
// set<<16 | code (a one-byte code in the low byte).
type iso2022EncodeMap struct {
	singles map[rune]uint32
	pairs   map[[2]rune]uint32
}

// iso2022EncodeMaps hold each iso2022 codec's encoding map, built once.
var iso2022EncodeMaps = map[string]func() *iso2022EncodeMap{
	"iso2022_kr":      sync.OnceValue(func() *iso2022EncodeMap { return iso2022Configs["iso2022_kr"].encodeMap() }),
	"iso2022_jp":      sync.OnceValue(func() *iso2022EncodeMap { return iso2022Configs["iso2022_jp"].encodeMap() }),
	"iso2022_jp_1":    sync.OnceValue(func() *iso2022EncodeMap { return iso2022Configs["iso2022_jp_1"].encodeMap() }),
	"iso2022_jp_2":    sync.OnceValue(func() *iso2022EncodeMap { return iso2022Configs["iso2022_jp_2"].encodeMap() }),
	"iso2022_jp_ext":  sync.OnceValue(func() *iso2022EncodeMap { return iso2022Configs["iso2022_jp_ext"].encodeMap() }),
	"iso2022_jp_3":    sync.OnceValue(func() *iso2022EncodeMap { return iso2022Configs["iso2022_jp_3"].encodeMap() }),
	"iso2022_jp_2004": sync.OnceValue(func() *iso2022EncodeMap { return iso2022Configs["iso2022_jp_2004"].encodeMap() }),
}

// pack packs a code for iso2022EncodeMap.
func (c iso2022Code) pack() uint32 {
	v := uint32(c.set) << 16
	if len(c.code) == 1 {
		return v | uint32(c.code[0])
	}
	return v | uint32(c.code[0])<<8 | uint32(c.code[1])
}

// unpackISO2022Code is the inverse of iso2022Code.pack.
func unpackISO2022Code(v uint32) iso2022Code {
	set := byte(v >> 16)
	if iso2022Width(set) == 1 {
		return iso2022Code{set, string([]byte{byte(v)})}
	}
	return iso2022Code{set, string([]byte{byte(v >> 8), byte(v)})}
}

// encodeUnits yields, in the order gen_codec_tables.py reads them, the
// non-ASCII texts cfg's sets decode codes to: each set in CPython's
// designation order (for JIS X 0213: plane 1 for the letter and
// combining mark pairs only, JIS X 0208, plane 1, plane 2), each code in
// row and cell order.
func (cfg *iso2022Config) encodeUnits(yield func(text string, code iso2022Code)) {
	walk := func(set byte, pairs bool) {
		for row := byte(0x21); row <= 0x7E; row++ {
			if iso2022Width(set) == 1 {
				if text := cfg.decodeChar(set, []byte{row}); text.n == 1 && text.r[0] >= 0x80 && !pairs {
					yield(text.String(), iso2022Code{set, string([]byte{row})})
				}
				continue
			}
			for cell := byte(0x21); cell <= 0x7E; cell++ {
				text := cfg.decodeChar(set, []byte{row, cell})
				if pairs && text.n == 2 || !pairs && text.n == 1 && text.r[0] >= 0x80 {
					yield(text.String(), iso2022Code{set, string([]byte{row, cell})})
				}
			}
		}
	}
	if plane1 := cfg.sets[0]; plane1 == iso2022JISX0213_1_0 || plane1 == iso2022JISX0213_1_4 {
		walk(plane1, true)
		walk(iso2022JISX0208, false)
		walk(plane1, false)
		walk(iso2022JISX0213_2, false)
		return
	}
	for _, set := range cfg.sets {
		if set != iso2022ISO8859_1 && set != iso2022ISO8859_7 {
			walk(set, false)
		}
	}
}

// encodeMap maps each text of encodeUnits to its first code, corrected by
// iso2022EncOverrides.
func (cfg *iso2022Config) encodeMap() *iso2022EncodeMap {
	m := &iso2022EncodeMap{singles: map[rune]uint32{}, pairs: map[[2]rune]uint32{}}
	set := func(text string, v uint32, override bool) {
		r := []rune(text)
		if len(r) == 1 {
			if _, ok := m.singles[r[0]]; !ok || override {
				m.singles[r[0]] = v
			}
		} else if _, ok := m.pairs[[2]rune(r)]; !ok || override {
			m.pairs[[2]rune(r)] = v
		}
	}
	cfg.encodeUnits(func(text string, code iso2022Code) { set(text, code.pack(), false) })
	for text, v := range iso2022EncOverrides()[cfg.codec] {
		if v == "" {
			set(text, 0, true)
			continue
		}
		code := iso2022Code{v[0], v[1:]}
		if len(v) == 3 {
			code.set |= iso2022DBCS
		}
		set(text, code.pack(), true)
	}
	for r, v := range m.singles {
		if v == 0 {
			delete(m.singles, r)
		}
	}
	for r, v := range m.pairs {
		if v == 0 {
			delete(m.pairs, r)
		}
	}
	return m
}

// encodeISO2022 is CPython's iso2022 encoder for cfg: ASCII in G0 after
// ESC ( B; each other text in the set encodeMap gives, designated as
// needed (ESC ( F, ESC $ B, ESC $ ( F into G0; for iso2022_kr ESC $ ) C
// into G1 and SO); ending in SI and ESC ( B. It returns the index of the
// first character it cannot encode, or -1.
func encodeISO2022(cfg *iso2022Config, text []rune) (string, int) {
	m := iso2022EncodeMaps[cfg.codec]()
	var b []byte
	g0, g1 := byte(iso2022ASCII), byte(iso2022ASCII)
	shifted := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c < 0x80 {
			if g0 != iso2022ASCII {
				b = append(b, 0x1B, '(', 'B')
				g0 = iso2022ASCII
			}
			if shifted {
				b = append(b, 0x0F)
				shifted = false
			}
			b = append(b, byte(c))
			continue
		}
		v, ok := uint32(0), false
		if i+1 < len(text) && len(m.pairs) > 0 {
			if v, ok = m.pairs[[2]rune{c, text[i+1]}]; ok {
				i++
			}
		}
		if !ok {
			if v, ok = m.singles[c]; !ok || c >= 0xD800 && c <= 0xDFFF {
				return "", i
			}
		}
		code := unpackISO2022Code(v)
		if cfg.codec == "iso2022_kr" {
			if g1 != code.set {
				b = append(b, 0x1B, '$', ')', code.set&^iso2022DBCS)
				g1 = code.set
			}
			if !shifted {
				b = append(b, 0x0E)
				shifted = true
			}
		} else if g0 != code.set {
			switch {
			case iso2022Width(code.set) == 1:
				b = append(b, 0x1B, '(', code.set)
			case code.set == iso2022JISX0208:
				b = append(b, 0x1B, '$', 'B')
			default:
				b = append(b, 0x1B, '$', '(', code.set&^iso2022DBCS)
			}
			g0 = code.set
		}
		b = append(b, code.code...)
	}
	if shifted {
		b = append(b, 0x0F)
	}
	if g0 != iso2022ASCII {
		b = append(b, 0x1B, '(', 'B')
	}
	return string(b), -1
}

package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Re-encoding of multibyte charsets for cte_type=7bit (RFC 2045 section
// 6): Python's Generator._handle_text decodes the 8-bit body with the
// part's codec (errors='replace', decodeCJKReplace) and
// Message.set_payload encodes the text with the charset's output codec
// (errors='strict'). The encoders invert the decoding tables of
// cjkTables; where several sequences decode to one character, or Python's
// encoder otherwise writes a character differently, cjkEncoderChoiceData
// (generated from Python) says what it writes.

// cjkEncoder is the encoder of one codec of cjkTables: a character's
// bytes, packed as cjkPack does. gb18030's four-byte sequences and
// supplementary characters, big5hkscs's pairs and euc_kr's make-up
// sequences are computed instead (encodeCJK).
type cjkEncoder map[rune]uint32

// cjkPack packs a sequence of one to three bytes, with its length in the
// top byte.
func cjkPack(seq ...byte) uint32 {
	v := uint32(len(seq)) << 24
	for i, c := range seq {
		v |= uint32(c) << (8 * (len(seq) - 1 - i))
	}
	return v
}

// appendPacked appends the bytes of a cjkPack value to b.
func appendPacked(b []byte, v uint32) []byte {
	for i := int(v>>24) - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// cjkEncoders builds each codec's encoder once, on first use.
var cjkEncoders = sync.OnceValue(func() map[string]func() cjkEncoder {
	m := map[string]func() cjkEncoder{}
	for codec := range cjkTables() {
		if codec != "iso2022_jp" {
			m[codec] = sync.OnceValue(func() cjkEncoder { return buildCJKEncoder(codec) })
		}
	}
	return m
})

// buildCJKEncoder inverts codec's decoding table: every character exactly
// one sequence decodes to maps to it, then cjkEncoderChoiceData overrides.
func buildCJKEncoder(codec string) cjkEncoder {
	const (
		pairs   = (0xFF - 0x81) * (0xFF - 0x40)
		triples = pairs + 0x80
	)
	const ambiguous = 0
	t := cjkTables()[codec]()
	enc := cjkEncoder{}
	add := func(r rune, v uint32) {
		if _, seen := enc[r]; seen {
			v = ambiguous
		}
		enc[r] = v
	}
	for i, u := range t.units {
		if u == 0 || u == 0xFFFF {
			continue
		}
		switch {
		case i < pairs:
			add(rune(u), cjkPack(byte(0x81+i/(0xFF-0x40)), byte(0x40+i%(0xFF-0x40))))
		case i < triples:
			add(rune(u), cjkPack(byte(0x80+i-pairs)))
		case codec == "euc_jp":
			j := i - triples
			add(rune(u), cjkPack(0x8F, byte(0xA1+j/94), byte(0xA1+j%94)))
		}
		// gb18030's four-byte sequences: encodeGB18030FourByte.
	}
	for seq, text := range t.extra {
		if r, size := utf8.DecodeRuneInString(text); size == len(text) {
			add(r, cjkPack(byte(seq>>8), byte(seq)))
		}
	}
	for _, item := range strings.Fields(cjkEncoderChoiceData()[codec]) {
		code, hexSeq, _ := strings.Cut(item, "=")
		r, err := strconv.ParseUint(code, 16, 32)
		if err != nil {
			panic("policy: corrupt encoder choice " + item)
		}
		if hexSeq == "-" {
			delete(enc, rune(r))
			continue
		}
		var seq []byte
		for i := 0; i+2 <= len(hexSeq); i += 2 {
			c, err := strconv.ParseUint(hexSeq[i:i+2], 16, 8)
			if err != nil {
				panic("policy: corrupt encoder choice " + item)
			}
			seq = append(seq, byte(c))
		}
		enc[rune(r)] = cjkPack(seq...)
	}
	for r, v := range enc {
		if v == ambiguous {
			// Several sequences and no choice from Python: the
			// generator checks that this does not happen.
			delete(enc, r)
		}
	}
	return enc
}

// big5hkscsPairs are the big5hkscs sequences of a letter and a combining
// mark, indexed as CPython's encoder does: ((letter>>4)|(mark>>3))&3.
var big5hkscsPairs = [4]uint32{0x02008862, 0x02008864, 0x020088A3, 0x020088A5}

// encodeCJK is Python's text.encode(codec) (errors='strict') for the
// stateless codecs of cjkTables. bad is the first character the codec
// cannot encode, where ok is false.
func encodeCJK(codec, text string) (out string, bad rune, ok bool) {
	enc := cjkEncoders()[codec]()
	b := make([]byte, 0, len(text))
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r < 0x80 {
			b = append(b, byte(r))
			continue
		}
		if codec == "big5hkscs" && (r == 0xCA || r == 0xEA) {
			// A letter with a combining macron or caron is one
			// sequence: CPython's encoder looks at the next character.
			if next, n := utf8.DecodeRuneInString(text[i:]); next == 0x304 || next == 0x30C {
				b = appendPacked(b, big5hkscsPairs[((r>>4)|(next>>3))&3])
				i += n
				continue
			}
		}
		if v, found := enc[r]; found {
			b = appendPacked(b, v)
			continue
		}
		switch {
		case codec == "gb18030":
			if seq, found := encodeGB18030FourByte(r); found {
				b = append(b, seq[:]...)
				continue
			}
		case codec == "euc_kr" && r >= 0xAC00 && r <= 0xD7A3:
			// A syllable outside KS X 1001 (CP949 has them all): the
			// KS X 1001:1998 Annex 3 make-up sequence.
			s := r - 0xAC00
			b = append(b, 0xA4, 0xD4, 0xA4, eucKRInitials[s/588], 0xA4, eucKRVowels[s/28%21], 0xA4, eucKRFinals[s%28])
			continue
		}
		return "", r, false
	}
	return string(b), 0, true
}

// encodeGB18030FourByte returns the four-byte GB 18030 sequence of r: a
// supplementary character by arithmetic, a BMP character by its place in
// the table's four-byte part (in rising code point order).
func encodeGB18030FourByte(r rune) ([4]byte, bool) {
	var lin int
	if r >= 0x10000 {
		if r > 0x10FFFF {
			return [4]byte{}, false
		}
		lin = gb18030Linear([]byte{0x90, 0x30, 0x81, 0x30}) + int(r-0x10000)
	} else {
		fourBytes := gb18030FourByteTable()
		lin = sort.Search(len(fourBytes), func(i int) bool { return rune(fourBytes[i]) >= r })
		if lin == len(fourBytes) || rune(fourBytes[lin]) != r {
			return [4]byte{}, false
		}
	}
	return [4]byte{byte(0x81 + lin/12600), byte(0x30 + lin%12600/1260), byte(0x81 + lin%1260/10), byte(0x30 + lin%10)}, true
}

// gb18030FourByteTable is the four-byte part of the gb18030 table,
// checked to rise so that it can be searched.
var gb18030FourByteTable = sync.OnceValue(func() []uint16 {
	const fourBytes = (0xFF-0x81)*(0xFF-0x40) + 0x80
	t := cjkTables()["gb18030"]().units[fourBytes:]
	for i := 1; i < len(t); i++ {
		if t[i] <= t[i-1] {
			panic("policy: gb18030 four-byte table does not rise")
		}
	}
	return t
})

// jisX0208Encoder maps a character to its JIS X 0208 row and cell
// (0x21-0x7E each), from the iso2022_jp table; characters that several
// positions decode to are left out (gen_cjk_encode_choices.py checks that
// Python's encoder agrees).
var jisX0208Encoder = sync.OnceValue(func() map[rune][2]byte {
	enc := map[rune][2]byte{}
	dup := map[rune]bool{}
	for i, u := range cjkTables()["iso2022_jp"]().units {
		if u == 0 {
			continue
		}
		r := rune(u)
		if _, ok := enc[r]; ok {
			dup[r] = true
			continue
		}
		enc[r] = [2]byte{byte(0x21 + i/94), byte(0x21 + i%94)}
	}
	for r := range dup {
		delete(enc, r)
	}
	return enc
})

// cjkUnsupportedError is a re-encoding whose result this package cannot
// reproduce exactly (see the package's Deviations); Python would succeed.
type cjkUnsupportedError struct{ reason string }

func (e *cjkUnsupportedError) Error() string { return e.reason }

// reencodeCJK is bytes.decode(decCodec, 'replace').encode(encCodec) for
// the multibyte codecs of cjkTables (codec names as lookupPythonCodec
// gives them). handled is false when decCodec is not one of them. err is
// Python's UnicodeEncodeError, or a *cjkUnsupportedError for a target
// codec this file does not implement (Python's charset tables never pair
// a CJK codec with one).
func reencodeCJK(decCodec, encCodec, outputName, raw string) (out string, handled bool, err error) {
	if _, ok := cjkTables()[decCodec]; !ok || decCodec == "iso2022_jp" {
		// iso2022_jp input goes through the general ISO-2022 decoder of
		// codec_extra.go (reencodeOtherCodec): Python reads 8-bit bytes
		// after an unknown escape sequence as Latin-1.
		return "", false, nil
	}
	unencodable := func(r rune) (string, bool, error) {
		return "", true, fmt.Errorf("UnicodeEncodeError: %q codec can't encode character %U", outputName, r)
	}
	unsupported := func() (string, bool, error) {
		return "", true, &cjkUnsupportedError{fmt.Sprintf("LookupError: re-encoding %s to %s is not supported", decCodec, encCodec)}
	}
	text := decodeCJKReplace(decCodec, []byte(raw))
	switch {
	case encCodec == "iso2022_jp":
		return encodeISO2022JP(text, outputName)
	case encCodec == "utf-8":
		return text, true, nil
	case cjkEncoders()[encCodec] == nil:
		return unsupported()
	}
	out, bad, ok := encodeCJK(encCodec, text)
	if !ok {
		return unencodable(bad)
	}
	return out, true, nil
}

// encodeISO2022JP is Python's iso2022_jp encoder (RFC 1468): ASCII, JIS
// X 0208 after ESC $ B, and JIS X 0201 Roman (yen sign, overline) after
// ESC ( J, ending in ASCII.
func encodeISO2022JP(text, outputName string) (string, bool, error) {
	const (
		setASCII = iota
		setJISX0208
		setJISX0201Roman
	)
	enc := jisX0208Encoder()
	var b strings.Builder
	state := setASCII
	designate := func(set int) {
		if state == set {
			return
		}
		switch set {
		case setASCII:
			b.WriteString("\x1b(B")
		case setJISX0208:
			b.WriteString("\x1b$B")
		case setJISX0201Roman:
			b.WriteString("\x1b(J")
		}
		state = set
	}
	for _, r := range text {
		if r < 0x80 {
			designate(setASCII)
			b.WriteByte(byte(r))
			continue
		}
		if rc, ok := enc[r]; ok {
			designate(setJISX0208)
			b.WriteByte(rc[0])
			b.WriteByte(rc[1])
			continue
		}
		switch r {
		case 0xA5:
			designate(setJISX0201Roman)
			b.WriteByte(0x5C)
			continue
		case 0x203E:
			designate(setJISX0201Roman)
			b.WriteByte(0x7E)
			continue
		}
		return "", true, fmt.Errorf("UnicodeEncodeError: %q codec can't encode character %U", outputName, r)
	}
	designate(setASCII)
	return b.String(), true, nil
}

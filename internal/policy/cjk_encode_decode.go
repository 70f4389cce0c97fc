package policy

import (
	"strings"
	"unicode/utf8"
)

// Decoding with errors='replace' for the body re-encoding of cte_type=7bit
// (RFC 2045 section 6): Python's multibytecodec writes one U+FFFD per
// error its codec reports. The stateless CJK codecs of CPython 3.11
// report an invalid sequence as one byte long, so decoding goes on at the
// next byte; a sequence cut short by the end of the input ("incomplete
// multibyte sequence") is one error covering all the bytes left. The
// sequences that need more than two bytes are gb18030's four-byte ones
// (a digit 0x30-0x39 after the lead), euc_kr's KS X 1001:1998 Annex 3
// make-up sequences (0xA4 0xD4, eight bytes) and euc_jp's JIS X 0212
// ones (0x8F, three bytes), so a cut one at the end swallows up to seven
// bytes into one U+FFFD.

// Results of cjkSequence besides a decoded length.
const (
	cjkIllegal    = 0  // an invalid sequence: one U+FFFD for its first byte
	cjkIncomplete = -1 // a sequence cut by the end of input: one U+FFFD for the rest
)

// decodeCJKReplace is Python's bytes.decode(codec, 'replace') for the
// stateless codecs of cjkTables (not iso2022_jp).
func decodeCJKReplace(codec string, b []byte) string {
	s, _, _ := decodeCJKStateless(codec, b, false)
	return s
}

// decodeCJKStateless decodes b with one of the stateless codecs of
// cjkTables, handling each error (an invalid sequence: its first byte; a
// cut one: the rest of b) as errors='replace' does (one U+FFFD) or, when
// escape is set, as 'surrogateescape' does. undecodable reports whether
// there was an error. An error starts with a byte 0x80 or above, which
// surrogateescape can always escape, so err is nil: it is there for
// decodeCJK's callers.
func decodeCJKStateless(codec string, b []byte, escape bool) (s string, undecodable bool, err error) {
	t := cjkTables()[codec]()
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			sb.WriteByte(b[i])
			i++
			continue
		}
		r, text, n := cjkSequence(codec, t, b[i:])
		if n > 0 {
			if text != "" {
				sb.WriteString(text)
			} else {
				sb.WriteRune(r)
			}
			i += n
			continue
		}
		undecodable = true
		bad := b[i : i+1]
		if n == cjkIncomplete {
			bad = b[i:]
		}
		if !escape {
			sb.WriteRune(utf8.RuneError)
			i += len(bad)
			continue
		}
		// CPython's surrogateescape handler escapes the bytes of the
		// error up to the first ASCII one (four at most) and decoding
		// goes on after them.
		for k := 0; k < len(bad) && k < 4 && bad[k] >= 0x80; k++ {
			sb.WriteRune(surrogateBase + rune(bad[k]))
			i++
		}
	}
	return sb.String(), undecodable, nil
}

// cjkSequence decodes the sequence at the start of b, whose first byte is
// 0x80 or above, as CPython's decoder for codec does: the character (or,
// for big5hkscs's pairs, the text) and the number of bytes it takes, or
// cjkIllegal or cjkIncomplete.
func cjkSequence(codec string, t *cjkTable, b []byte) (rune, string, int) {
	const (
		pairs   = (0xFF - 0x81) * (0xFF - 0x40)
		triples = pairs + 0x80 // euc_jp's JIS X 0212, gb18030's four-byte sequences
	)
	units := t.units
	c := b[0]
	if r := units[pairs+int(c-0x80)]; r != 0 {
		// A character of one byte (JIS X 0201 katakana in shift_jis and
		// cp932, cp932's Windows additions): never a lead byte.
		return rune(r), "", 1
	}
	if len(b) < 2 {
		return 0, "", cjkIncomplete
	}
	switch {
	case codec == "gb18030" && b[1] >= 0x30 && b[1] <= 0x39:
		return gb18030FourByte(units[triples:], b)
	case codec == "euc_kr" && c == 0xA4 && b[1] == 0xD4:
		return eucKRMakeUp(b)
	case codec == "euc_jp" && c == 0x8F:
		if len(b) < 3 {
			return 0, "", cjkIncomplete
		}
		if b[1] < 0xA1 || b[1] > 0xFE || b[2] < 0xA1 || b[2] > 0xFE {
			return 0, "", cjkIllegal
		}
		if r := units[triples+int(b[1]-0xA1)*94+int(b[2]-0xA1)]; r != 0 {
			return rune(r), "", 3
		}
		return 0, "", cjkIllegal
	}
	if c < 0x81 || c > 0xFE || b[1] < 0x40 || b[1] > 0xFE {
		return 0, "", cjkIllegal
	}
	switch r := units[int(c-0x81)*(0xFF-0x40)+int(b[1]-0x40)]; r {
	case 0:
		return 0, "", cjkIllegal
	case 0xFFFF:
		// big5hkscs: a supplementary character or two characters.
		return 0, t.extra[uint16(c)<<8|uint16(b[1])], 2
	default:
		return rune(r), "", 2
	}
}

// gb18030FourByte decodes the four-byte GB 18030 sequence at the start of
// b (b[1] is a digit): the BMP ones from the table (in linear order), the
// supplementary planes from 0x90 0x30 0x81 0x30 on by arithmetic.
func gb18030FourByte(fourBytes []uint16, b []byte) (rune, string, int) {
	if len(b) < 4 {
		return 0, "", cjkIncomplete
	}
	isDigit := func(c byte) bool { return c >= 0x30 && c <= 0x39 }
	isLead := func(c byte) bool { return c >= 0x81 && c <= 0xFE }
	if !isLead(b[0]) || !isLead(b[2]) || !isDigit(b[3]) {
		return 0, "", cjkIllegal
	}
	lin := gb18030Linear(b[:4])
	switch {
	case b[0] <= 0x84 && lin < len(fourBytes):
		return rune(fourBytes[lin]), "", 4
	case b[0] >= 0x90:
		if sup := lin - gb18030Linear([]byte{0x90, 0x30, 0x81, 0x30}); sup < 0x100000 {
			return rune(0x10000 + sup), "", 4
		}
	}
	return 0, "", cjkIllegal
}

// KS X 1001 jamo (the trail byte after 0xA4) of the initial consonants,
// vowels and final consonants of a Hangul syllable (U+AC00 + (initial*21
// + vowel)*28 + final), as CPython's euc_kr codec lists them; final 0
// (none) is the filler 0xD4.
var (
	eucKRInitials = [19]byte{0xA1, 0xA2, 0xA4, 0xA7, 0xA8, 0xA9, 0xB1, 0xB2, 0xB3, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE}
	eucKRVowels   = [21]byte{0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD3}
	eucKRFinals   = [28]byte{0xD4, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF, 0xB0, 0xB1, 0xB2, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE}
)

// eucKRMakeUp decodes the KS X 1001:1998 Annex 3 make-up sequence at the
// start of b (0xA4 0xD4, then 0xA4 and an initial, 0xA4 and a vowel, 0xA4
// and a final or the filler) to its Hangul syllable.
func eucKRMakeUp(b []byte) (rune, string, int) {
	if len(b) < 8 {
		return 0, "", cjkIncomplete
	}
	if b[2] != 0xA4 || b[4] != 0xA4 || b[6] != 0xA4 {
		return 0, "", cjkIllegal
	}
	initial := indexByte(eucKRInitials[:], b[3])
	vowel := indexByte(eucKRVowels[:], b[5])
	final := indexByte(eucKRFinals[:], b[7])
	if initial < 0 || vowel < 0 || final < 0 {
		return 0, "", cjkIllegal
	}
	return rune(0xAC00 + (initial*21+vowel)*28 + final), "", 8
}

// indexByte returns the index of c in list, or -1.
func indexByte(list []byte, c byte) int {
	for i, x := range list {
		if x == c {
			return i
		}
	}
	return -1
}

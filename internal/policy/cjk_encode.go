package policy

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// Re-encoding of multibyte charsets for cte_type=7bit (RFC 2045 section
// 6): Python's Generator._handle_text decodes the 8-bit body with the
// part's codec (errors='replace') and Message.set_payload encodes it with
// the charset's output codec (errors='strict'). The codecs are those of
// cjkTables; the decoding tables are inverted here.

// cjkSourceCounts is, per codec, how many byte sequences of the codec's
// decoding table (ASCII included) decode to each character: a character
// with exactly one encodes back to it.
var cjkSourceCounts = map[string]func() map[rune]uint8{}

// cjkSourceCountsMu guards cjkSourceCounts, filled lazily per codec.
var cjkSourceCountsMu sync.Mutex

// sourceCounts returns the character counts of codec's table.
func sourceCounts(codec string) map[rune]uint8 {
	cjkSourceCountsMu.Lock()
	load, ok := cjkSourceCounts[codec]
	if !ok {
		load = sync.OnceValue(func() map[rune]uint8 {
			counts := map[rune]uint8{}
			for r := rune(0); r < 0x80; r++ {
				counts[r] = 1
			}
			for _, u := range cjkTables[codec]().units {
				if u != 0 && u != 0xFFFF && counts[rune(u)] < 255 {
					counts[rune(u)]++
				}
			}
			return counts
		})
		cjkSourceCounts[codec] = load
	}
	cjkSourceCountsMu.Unlock()
	return load()
}

// jisX0208Encoder maps a character to its JIS X 0208 row and cell
// (0x21-0x7E each), from the iso2022_jp table; characters that several
// positions decode to are left out.
var jisX0208Encoder = sync.OnceValue(func() map[rune][2]byte {
	enc := map[rune][2]byte{}
	dup := map[rune]bool{}
	for i, u := range cjkTables["iso2022_jp"]().units {
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
// the multibyte codecs of cjkTables. handled is false when neither codec
// is one of them. err is Python's UnicodeEncodeError, or a
// *cjkUnsupportedError for a re-encoding this package does not implement.
func reencodeCJK(decCodec, encCodec, outputName, raw string) (out string, handled bool, err error) {
	_, decCJK := cjkTables[decCodec]
	_, encCJK := cjkTables[encCodec]
	if !decCJK && !encCJK {
		return "", false, nil
	}
	unsupported := func(why string) (string, bool, error) {
		return "", true, &cjkUnsupportedError{fmt.Sprintf("LookupError: re-encoding %s to %s is not supported (%s)", decCodec, encCodec, why)}
	}
	if !decCJK {
		return unsupported("input codec")
	}
	if decCodec == "iso2022_jp" && encCodec == "iso2022_jp" {
		// Every 8-bit byte is invalid in ISO-2022-JP: the decoded text
		// holds U+FFFD, which ISO-2022-JP cannot encode.
		return "", true, fmt.Errorf("UnicodeEncodeError: %q codec can't encode character '\\ufffd' (8-bit bytes in the body)", outputName)
	}
	text, undecodable, derr, _ := decodeCJK(decCodec, []byte(raw))
	if derr != nil {
		return unsupported("decode error")
	}
	if undecodable {
		switch encCodec {
		case "gb18030", "utf_8":
			// These can encode U+FFFD: the number of replacement
			// characters Python's decoder emits is not reproduced here.
			return unsupported("U+FFFD from undecodable bytes")
		}
		return "", true, fmt.Errorf("UnicodeEncodeError: %q codec can't encode character '\\ufffd' (undecodable bytes in the body)", outputName)
	}
	switch {
	case decCodec == encCodec && decCodec != "iso2022_jp":
		// Each character encodes back to the bytes it came from when
		// exactly one sequence of the table decodes to it.
		if decCodec == "gb18030" {
			return raw, true, nil // GB 18030 is one-to-one
		}
		counts := sourceCounts(decCodec)
		for _, r := range text {
			if counts[r] != 1 {
				return unsupported(fmt.Sprintf("character %U has %d encodings", r, counts[r]))
			}
		}
		return raw, true, nil
	case encCodec == "iso2022_jp" && (decCodec == "euc_jp" || decCodec == "shift_jis"):
		return encodeISO2022JP(text, outputName)
	case encCodec == "euc_kr" && decCodec == "cp949":
		// Charset("cp949") has output charset ks_c_5601-1987, which
		// Python's codec aliases map to euc_kr.
		enc := doubleByteEncoder("euc_kr")
		var b strings.Builder
		for _, r := range text {
			if r < 0x80 {
				b.WriteRune(r)
				continue
			}
			seq, ok := enc[r]
			if !ok {
				if r >= 0xAC00 && r <= 0xD7A3 {
					// Python's euc_kr writes such syllables as KS X
					// 1001:1998 Annex 3 make-up sequences.
					return unsupported(fmt.Sprintf("Hangul syllable %U outside KS X 1001", r))
				}
				return "", true, fmt.Errorf("UnicodeEncodeError: %q codec can't encode character %U", outputName, r)
			}
			b.WriteString(seq)
		}
		return b.String(), true, nil
	}
	return unsupported("codec pair")
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
		if r == utf8.RuneError {
			r = 0xFFFD
		}
		return "", true, fmt.Errorf("UnicodeEncodeError: %q codec can't encode character %U", outputName, r)
	}
	designate(setASCII)
	return b.String(), true, nil
}

// doubleByteEncoders inverts the tables of double-byte codecs, once each.
var doubleByteEncoders = map[string]func() map[rune]string{
	"euc_kr": sync.OnceValue(func() map[rune]string { return invertDoubleByte("euc_kr") }),
}

// doubleByteEncoder maps a character to its bytes in codec.
func doubleByteEncoder(codec string) map[rune]string { return doubleByteEncoders[codec]() }

// invertDoubleByte maps each character of codec's decoding table (pairs
// lead 0x81-0xFE, trail 0x40-0xFE, then single bytes 0x80-0xFF) that
// exactly one sequence decodes to, to that sequence.
func invertDoubleByte(codec string) map[rune]string {
	const singles = (0xFF - 0x81) * (0xFF - 0x40)
	enc := map[rune]string{}
	dup := map[rune]bool{}
	for i, u := range cjkTables[codec]().units {
		if u == 0 || u == 0xFFFF || i >= singles+0x80 {
			continue
		}
		seq := string([]byte{byte(0x80 + i - singles)})
		if i < singles {
			seq = string([]byte{byte(0x81 + i/(0xFF-0x40)), byte(0x40 + i%(0xFF-0x40))})
		}
		r := rune(u)
		if _, ok := enc[r]; ok {
			dup[r] = true
			continue
		}
		enc[r] = seq
	}
	for r := range dup {
		delete(enc, r)
	}
	return enc
}

package policy

import (
	"bytes"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// The text-transform codecs of codec_extra.go as CPython 3.11.7 decodes
// them: unicode_escape and raw_unicode_escape (Python string literal
// escapes), punycode (RFC 3492) and idna (RFC 3490, labels without the
// ACE prefix only).

// hexValue is the value of the hexadecimal digit c, or -1.
func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// decodeUnicodeEscape is _PyUnicode_DecodeUnicodeEscapeInternal (raw:
// _PyUnicode_DecodeRawUnicodeEscape). An error spans from the backslash
// to the byte that broke the escape (or the end of the input). A \N{name}
// escape needs Unicode's character names, which this package does not
// have: d.unsupported.
func decodeUnicodeEscape(d *codecDecoding, raw bool) {
	src := d.src
	for s := 0; s < len(src) && !d.raised; {
		c := src[s]
		s++
		if c != '\\' {
			d.emit(rune(c))
			continue
		}
		start := s - 1
		if s >= len(src) {
			if raw {
				d.emit('\\')
				continue
			}
			s = d.invalid(start, len(src))
			continue
		}
		c = src[s]
		s++
		count := 0
		switch {
		case c == 'u':
			count = 4
		case c == 'U':
			count = 8
		case raw:
			d.emit('\\', rune(c))
			continue
		case c == 'x':
			count = 2
		}
		if count > 0 {
			var ch uint64
			ok := true
			for ; count > 0; count-- {
				if s >= len(src) {
					ok = false
					break
				}
				v := hexValue(src[s])
				if v < 0 {
					ok = false
					break
				}
				ch = ch<<4 + uint64(v)
				s++
			}
			if !ok || ch > 0x10FFFF {
				s = d.invalid(start, s)
				continue
			}
			d.emit(rune(ch))
			continue
		}
		switch c {
		case '\n':
		case '\\', '\'', '"':
			d.emit(rune(c))
		case 'b':
			d.emit('\b')
		case 'f':
			d.emit('\f')
		case 't':
			d.emit('\t')
		case 'n':
			d.emit('\n')
		case 'r':
			d.emit('\r')
		case 'v':
			d.emit('\v')
		case 'a':
			d.emit('\a')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			ch := rune(c - '0')
			for k := 0; k < 2 && s < len(src) && src[s] >= '0' && src[s] <= '7'; k++ {
				ch = ch<<3 + rune(src[s]-'0')
				s++
			}
			d.emit(ch)
		case 'N':
			if s >= len(src) {
				s = d.invalid(start, len(src))
				continue
			}
			if src[s] == '{' {
				s++
				end := bytes.IndexByte(src[s:], '}')
				if end < 0 {
					s = d.invalid(start, len(src))
					continue
				}
				if end > 0 {
					d.unsupported = true
					return
				}
				s += end
			}
			s = d.invalid(start, s)
		default:
			d.emit('\\', rune(c))
		}
	}
}

// encodeUnicodeEscape is str.encode('unicode_escape') (raw:
// 'raw_unicode_escape').
func encodeUnicodeEscape(text []rune, raw bool) string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r >= 0x10000:
			fmt.Fprintf(&b, "\\U%08x", r)
		case r >= 0x100:
			fmt.Fprintf(&b, "\\u%04x", r)
		case raw:
			b.WriteByte(byte(r))
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r >= 0x7F:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteByte(byte(r))
		}
	}
	return b.String()
}

// decodePunycode is encodings.punycode's decode. For headers (the email
// package's strict first try; its surrogateescape retry always raises,
// the codec taking only strict, replace and ignore) any error raises.
// With errors='replace' (bodies), 8-bit bytes before the last "-" become
// U+FFFD, a bad digit or a cut number ends the decoding, a code point
// past U+10FFFF becomes "?"; an 8-bit byte after it still raises.
func decodePunycode(d *codecDecoding) {
	if len(d.src) > punycodeMaxInput {
		d.unsupported = true
		return
	}
	text, ok, tooLong := punycodeDecode(d.src, d.errors == decodeReplace)
	if tooLong {
		d.unsupported = true
		return
	}
	if !ok {
		d.failed, d.raised = true, true
		return
	}
	d.text = text
}

// Punycode decoding takes quadratic time (in Python too): inputs over
// punycodeMaxInput bytes, or with a number of more than
// punycodeMaxDigits digits, are not decoded (d.unsupported).
const (
	punycodeMaxInput  = 16 << 10
	punycodeMaxDigits = 1024
)

// punycodeDecode is punycode_decode (RFC 3492 section 6.2) with Python's
// details: the basic code points are those before the last "-", the
// extended part is upper-cased; ok is false where Python raises, tooLong
// true for a number over punycodeMaxDigits digits.
func punycodeDecode(src []byte, replace bool) (text []rune, ok, tooLong bool) {
	var base []rune
	extended := src
	if pos := bytes.LastIndexByte(src, '-'); pos >= 0 {
		for _, c := range src[:pos] {
			switch {
			case c < 0x80:
				base = append(base, rune(c))
			case replace:
				base = append(base, 0xFFFD)
			default:
				return nil, false, false
			}
		}
		extended = src[pos+1:]
	}
	if has8bit(string(extended)) {
		return nil, false, false
	}
	extended = bytes.ToUpper(extended)
	// Python's integers do not overflow: neither do these.
	char, pos, n := big.NewInt(0x80), big.NewInt(-1), new(big.Int)
	bias := int64(72)
	for extpos := 0; extpos < len(extended); {
		// decode_generalized_number
		result, w := new(big.Int), big.NewInt(1)
		newpos := extpos
		for j := int64(0); ; j++ {
			if newpos >= len(extended) {
				return base, replace, false
			}
			if j > punycodeMaxDigits {
				return nil, true, true
			}
			c := extended[newpos]
			newpos++
			var digit int64
			switch {
			case c >= 'A' && c <= 'Z':
				digit = int64(c - 'A')
			case c >= '0' && c <= '9':
				digit = int64(c) - 22
			default:
				return base, replace, false
			}
			t := max(1, min(26, 36*(j+1)-bias))
			result.Add(result, new(big.Int).Mul(big.NewInt(digit), w))
			if digit < t {
				break
			}
			w.Mul(w, big.NewInt(36-t))
		}
		delta := result
		pos.Add(pos, delta).Add(pos, big.NewInt(1))
		n.SetInt64(int64(len(base) + 1))
		q, m := new(big.Int).DivMod(pos, n, new(big.Int))
		char.Add(char, q)
		pos = m
		if char.Cmp(big.NewInt(0x10FFFF)) > 0 {
			if !replace {
				return nil, false, false
			}
			char.SetInt64('?')
		}
		at := int(pos.Int64())
		base = append(base[:at], append([]rune{rune(char.Int64())}, base[at:]...)...)
		bias = punycodeAdapt(delta, extpos == 0, len(base))
		extpos = newpos
	}
	return base, true, false
}

// punycodeAdapt is RFC 3492 section 6.1's bias adaptation.
func punycodeAdapt(delta *big.Int, first bool, numchars int) int64 {
	d := new(big.Int)
	if first {
		d.Quo(delta, big.NewInt(700))
	} else {
		d.Quo(delta, big.NewInt(2))
	}
	d.Add(d, new(big.Int).Quo(d, big.NewInt(int64(numchars))))
	divisions := int64(0)
	for d.Cmp(big.NewInt(455)) > 0 {
		d.Quo(d, big.NewInt(35))
		divisions += 36
	}
	v := d.Int64()
	return divisions + 36*v/(v+38)
}

// encodePunycode is encodings.punycode's encode (RFC 3492 section 6.3):
// the basic code points, "-" if there were any, then the deltas of the
// others in code point order as generalized variable-length integers.
func encodePunycode(text []rune) string {
	var base []byte
	seen := map[rune]bool{}
	var extended []rune
	for _, r := range text {
		if r < 0x80 {
			base = append(base, byte(r))
		} else if !seen[r] {
			seen[r] = true
			extended = append(extended, r)
		}
	}
	slices.Sort(extended)
	// insertion_unsort
	var deltas []int64
	oldchar, oldindex := int64(0x80), int64(-1)
	for _, c := range extended {
		char := int64(c)
		curlen := int64(0)
		for _, r := range text {
			if int64(r) < char {
				curlen++
			}
		}
		delta := (curlen + 1) * (char - oldchar)
		index := int64(-1)
		for _, r := range text {
			switch {
			case r == c:
				index++
				delta += index - oldindex
				deltas = append(deltas, delta-1)
				oldindex = index
				delta = 0
			case r < c:
				index++
			}
		}
		oldchar = char
	}
	// generate_integers
	const digits = "abcdefghijklmnopqrstuvwxyz0123456789"
	var out []byte
	bias := int64(72)
	for points, delta := range deltas {
		n := delta
		for j := int64(0); ; j++ {
			t := max(1, min(26, 36*(j+1)-bias))
			if n < t {
				out = append(out, digits[n])
				break
			}
			out = append(out, digits[t+(n-t)%(36-t)])
			n = (n - t) / (36 - t)
		}
		bias = punycodeAdapt(big.NewInt(delta), points == 0, len(base)+points+1)
	}
	if len(base) > 0 {
		return string(base) + "-" + string(out)
	}
	return string(out)
}

// decodeIDNA is encodings.idna's decode: ASCII input without "xn--" is
// itself; a label starting "xn--" would need punycode and nameprep (RFC
// 3491) for Python's round-trip check, which this package does not
// implement (d.unsupported); a non-ASCII label raises.
func decodeIDNA(d *codecDecoding) {
	src := d.src
	if !bytes.Contains(src, []byte("xn--")) && !has8bit(string(src)) {
		for _, c := range src {
			d.emit(rune(c))
		}
		return
	}
	labels := bytes.Split(src, []byte("."))
	for _, label := range labels {
		switch {
		case has8bit(string(label)):
			d.failed, d.raised = true, true
			return
		case bytes.HasPrefix(label, []byte("xn--")):
			d.unsupported = true
			return
		}
	}
	for _, c := range src {
		d.emit(rune(c))
	}
}

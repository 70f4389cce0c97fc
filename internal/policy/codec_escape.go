package policy

import (
	"bytes"
	"fmt"
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

// decodePunycode is encodings.punycode's decode with errors='strict'
// (the email package's first try): any error raises, and so does the
// surrogateescape retry (the codec accepts only strict, replace and
// ignore).
func decodePunycode(d *codecDecoding) {
	text, ok := punycodeDecode(d.src)
	if !ok {
		d.failed, d.raised = true, true
		return
	}
	d.text = text
}

// punycodeDecode is punycode_decode (RFC 3492 section 6.2) with Python's
// details: the basic code points are those before the last "-", the
// extended part is upper-cased, and a code point past U+10FFFF raises.
func punycodeDecode(src []byte) ([]rune, bool) {
	for _, c := range src {
		if c >= 0x80 {
			return nil, false
		}
	}
	var base []rune
	extended := src
	if pos := bytes.LastIndexByte(src, '-'); pos >= 0 {
		for _, c := range src[:pos] {
			base = append(base, rune(c))
		}
		extended = src[pos+1:]
	}
	extended = bytes.ToUpper(extended)
	adapt := func(delta int64, first bool, numchars int) int64 {
		if first {
			delta /= 700
		} else {
			delta /= 2
		}
		delta += delta / int64(numchars)
		divisions := int64(0)
		for delta > 455 {
			delta /= 35
			divisions += 36
		}
		return divisions + 36*delta/(delta+38)
	}
	const tooBig = 1 << 52
	char, pos, bias := int64(0x80), int64(-1), int64(72)
	for extpos := 0; extpos < len(extended); {
		// decode_generalized_number
		var result, w int64 = 0, 1
		j := int64(0)
		newpos := extpos
		for {
			if newpos >= len(extended) {
				return nil, false
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
				return nil, false
			}
			t := 36*(j+1) - bias
			t = max(1, min(26, t))
			result += digit * w
			if result > tooBig {
				return nil, false // Python's code point would pass U+10FFFF
			}
			if digit < t {
				break
			}
			w *= 36 - t
			j++
		}
		delta := result
		pos += delta + 1
		n := int64(len(base) + 1)
		char += pos / n
		if char > 0x10FFFF {
			return nil, false
		}
		pos %= n
		base = append(base[:pos], append([]rune{rune(char)}, base[pos:]...)...)
		bias = adapt(delta, extpos == 0, len(base))
		extpos = newpos
	}
	return base, true
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

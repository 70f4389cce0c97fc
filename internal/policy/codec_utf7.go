package policy

// UTF-7 (RFC 2152) as CPython 3.11.7's utf-7 codec decodes and encodes
// it (Objects/unicodeobject.c): modified base64 of UTF-16 after "+",
// ended by "-" (absorbed) or any other non-base64 character (kept).

// utf7IsBase64 reports whether c is in the base64 alphabet.
func utf7IsBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// utf7FromBase64 is the value of base64 character c.
func utf7FromBase64(c byte) uint32 {
	switch {
	case c >= 'A' && c <= 'Z':
		return uint32(c - 'A')
	case c >= 'a' && c <= 'z':
		return uint32(c-'a') + 26
	case c >= '0' && c <= '9':
		return uint32(c-'0') + 52
	case c == '+':
		return 62
	}
	return 63
}

// utf7EncodeDirect reports whether Python's encoder writes c as itself
// (RFC 2152 sets D and O, space, tab, CR, LF; not "+", "\", "~").
func utf7EncodeDirect(c rune) bool {
	switch {
	case c <= 0 || c >= 0x7F:
		return false
	case c == '\t' || c == '\n' || c == '\r':
		return true
	case c < 0x20:
		return false
	}
	return c != '+' && c != '\\' && c != '~'
}

// decodeUTF7 is PyUnicode_DecodeUTF7Stateful with no final state kept:
// an error inside a shift sequence spans from its "+" to the byte that
// ended it; a high surrogate not followed by a low one is written alone
// (a lone surrogate in the text).
func decodeUTF7(d *codecDecoding) {
	src := d.src
	inShift := false
	var base64bits uint
	var base64buffer uint32
	var surrogate rune
	startinpos := 0
	i := 0
	for i < len(src) && !d.raised {
		ch := src[i]
		if inShift {
			if utf7IsBase64(ch) {
				base64buffer = base64buffer<<6 | utf7FromBase64(ch)
				base64bits += 6
				i++
				if base64bits >= 16 {
					outCh := rune(base64buffer >> (base64bits - 16))
					base64bits -= 16
					base64buffer &= 1<<base64bits - 1
					if surrogate != 0 {
						if outCh >= 0xDC00 && outCh <= 0xDFFF {
							d.emit(0x10000 + (surrogate-0xD800)<<10 + (outCh - 0xDC00))
							surrogate = 0
							continue
						}
						d.emit(surrogate)
						surrogate = 0
					}
					if outCh >= 0xD800 && outCh <= 0xDBFF {
						surrogate = outCh
					} else {
						d.emit(outCh)
					}
				}
				continue
			}
			// Leaving the base64 section.
			inShift = false
			if base64bits >= 6 || base64bits > 0 && base64buffer != 0 {
				// A partial character, or non-zero padding bits.
				i = d.invalid(startinpos, i+1)
				continue
			}
			if surrogate != 0 && ch <= 0x7F && ch != '+' {
				d.emit(surrogate)
			}
			surrogate = 0
			if ch == '-' {
				i++
			}
			continue
		}
		switch {
		case ch == '+':
			startinpos = i
			i++
			switch {
			case i < len(src) && src[i] == '-':
				i++
				d.emit('+')
			case i < len(src) && !utf7IsBase64(src[i]):
				i = d.invalid(startinpos, i+1)
			default:
				inShift = true
				surrogate = 0
				base64bits = 0
				base64buffer = 0
			}
		case ch <= 0x7F:
			d.emit(rune(ch))
			i++
		default:
			startinpos = i
			i = d.invalid(i, i+1)
		}
	}
	if inShift && !d.raised && (surrogate != 0 || base64bits >= 6 || base64bits > 0 && base64buffer != 0) {
		// An unterminated shift sequence.
		d.invalid(startinpos, len(src))
	}
}

// encodeUTF7 is _PyUnicode_EncodeUTF7 with no optional characters
// base64-encoded: characters outside utf7EncodeDirect go in "+...-"
// sections as UTF-16 (lone surrogates as themselves), "+" alone is "+-",
// and a section ends with "-" only before a base64 character or "-".
func encodeUTF7(text []rune) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out []byte
	inShift := false
	var base64bits uint
	var base64buffer uint64
	put16 := func(u uint64) {
		base64bits += 16
		base64buffer = base64buffer<<16 | u
		for base64bits >= 6 {
			out = append(out, alphabet[(base64buffer>>(base64bits-6))&0x3F])
			base64bits -= 6
		}
		base64buffer &= 1<<base64bits - 1
	}
	for _, ch := range text {
		if inShift {
			if utf7EncodeDirect(ch) {
				if base64bits > 0 {
					out = append(out, alphabet[(base64buffer<<(6-base64bits))&0x3F])
					base64buffer, base64bits = 0, 0
				}
				inShift = false
				if ch < 0x80 && utf7IsBase64(byte(ch)) || ch == '-' {
					out = append(out, '-')
				}
				out = append(out, byte(ch))
				continue
			}
		} else {
			switch {
			case ch == '+':
				out = append(out, '+', '-')
				continue
			case utf7EncodeDirect(ch):
				out = append(out, byte(ch))
				continue
			}
			out = append(out, '+')
			inShift = true
		}
		if ch >= 0x10000 {
			put16(uint64(0xD800 + (ch-0x10000)>>10))
			ch = 0xDC00 + (ch-0x10000)&0x3FF
		}
		put16(uint64(ch))
	}
	if base64bits > 0 {
		out = append(out, alphabet[(base64buffer<<(6-base64bits))&0x3F])
	}
	if inShift {
		out = append(out, '-')
	}
	return string(out)
}

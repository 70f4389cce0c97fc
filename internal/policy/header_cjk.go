package policy

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync"
)

// Decoders for the CJK charsets of encoded words (RFC 2047) and RFC 2231
// parameter values, giving what Python's bytes.decode(codec,
// 'surrogateescape') gives: the double-byte codecs gb2312, gbk, big5,
// big5hkscs, euc_kr, cp949, shift_jis, cp932, euc_jp and gb18030 (their
// sequence rules in cjk_encode_decode.go, shared with the body
// re-encoding), and the stateful iso2022_jp (RFC 1468). The tables come
// from Python's own codecs (header_cjk_tables.go).

// errDecodeRaises is Python's UnicodeDecodeError from a surrogateescape
// decode: the bad bytes include ASCII, which surrogateescape cannot
// escape.
var errDecodeRaises = errors.New("policy: undecodable ASCII bytes in a multibyte sequence")

// cjkTable is a decoding table: units as gen_cjk.py describes them, and
// for big5hkscs the text of the pairs marked 0xFFFF, by lead<<8|trail.
type cjkTable struct {
	units []uint16
	extra map[uint16]string
}

// cjkTables loads each codec's table once, on first use.
var cjkTables = sync.OnceValue(func() map[string]func() *cjkTable {
	return map[string]func() *cjkTable{
		"gb2312":     sync.OnceValue(func() *cjkTable { return loadCJKTable("gb2312") }),
		"gbk":        sync.OnceValue(func() *cjkTable { return loadCJKTable("gbk") }),
		"big5":       sync.OnceValue(func() *cjkTable { return loadCJKTable("big5") }),
		"big5hkscs":  sync.OnceValue(func() *cjkTable { return loadCJKTable("big5hkscs") }),
		"euc_kr":     sync.OnceValue(func() *cjkTable { return loadCJKTable("euc_kr") }),
		"cp949":      sync.OnceValue(func() *cjkTable { return loadCJKTable("cp949") }),
		"shift_jis":  sync.OnceValue(func() *cjkTable { return loadCJKTable("shift_jis") }),
		"cp932":      sync.OnceValue(func() *cjkTable { return loadCJKTable("cp932") }),
		"euc_jp":     sync.OnceValue(func() *cjkTable { return loadCJKTable("euc_jp") }),
		"gb18030":    sync.OnceValue(func() *cjkTable { return loadCJKTable("gb18030") }),
		"iso2022_jp": sync.OnceValue(func() *cjkTable { return loadCJKTable("iso2022_jp") }),
	}
})

func loadCJKTable(codec string) *cjkTable {
	z, err := base64.StdEncoding.DecodeString(cjkTableData()[codec])
	if err != nil {
		panic("policy: corrupt CJK table " + codec)
	}
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		panic("policy: corrupt CJK table " + codec)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		panic("policy: corrupt CJK table " + codec)
	}
	t := &cjkTable{}
	if codec == "big5hkscs" {
		const units = (0xFF-0x81)*(0xFF-0x40) + 0x80
		extra := raw[2*units:]
		raw = raw[:2*units]
		t.extra = map[uint16]string{}
		for len(extra) > 2 {
			end := bytes.IndexByte(extra[2:], 0)
			if end < 0 {
				panic("policy: corrupt CJK table " + codec)
			}
			t.extra[uint16(extra[0])<<8|uint16(extra[1])] = string(extra[2 : 2+end])
			extra = extra[3+end:]
		}
	}
	table := make([]uint16, len(raw)/2)
	for i := range table {
		table[i] = binary.LittleEndian.Uint16(raw[2*i:])
	}
	t.units = table
	if codec == "gb18030" {
		// The four-byte part is stored as differences.
		const fourBytes = (0xFF-0x81)*(0xFF-0x40) + 0x80
		var prev uint16
		for i := fourBytes; i < len(table); i++ {
			prev += table[i]
			table[i] = prev
		}
	}
	return t
}

// decodeCJK decodes b with one of the codecs of cjkTables; ok is false
// for any other codec.
func decodeCJK(codec string, b []byte) (s string, undecodable bool, err error, ok bool) {
	load, ok := cjkTables()[codec]
	if !ok {
		return "", false, nil, false
	}
	if codec == "iso2022_jp" {
		s, undecodable, err = decodeISO2022JP(load().units, b)
	} else {
		s, undecodable, err = decodeCJKStateless(codec, b, true)
	}
	return s, undecodable, err, true
}

// decodeISO2022JP follows Python's iso2022_jp decoder: ESC ( B, ESC ( J
// (JIS X 0201 Roman), ESC $ @ and ESC $ B (JIS X 0208) switch sets.
// Errors on 7-bit bytes raise (errDecodeRaises); an ESC that starts no
// designation gives errUnsupportedCharset.
func decodeISO2022JP(table []uint16, b []byte) (string, bool, error) {
	const (
		setASCII = iota
		setRoman
		setJIS
	)
	set := setASCII
	var sb strings.Builder
	undecodable := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == 0x1B:
			if i+1 >= len(b) {
				return "", false, errDecodeRaises
			}
			switch b[i+1] {
			case '(':
				if i+2 >= len(b) {
					return "", false, errDecodeRaises
				}
				switch b[i+2] {
				case 'B':
					set = setASCII
				case 'J':
					set = setRoman
				default:
					// A designation this codec does not know: Python
					// raises for some and skips text after others,
					// which is not modelled here.
					return "", false, errUnsupportedCharset
				}
				i += 2
			case '$':
				if i+2 >= len(b) {
					return "", false, errDecodeRaises
				}
				switch b[i+2] {
				case '@', 'B':
					set = setJIS
				default:
					// A designation this codec does not know: Python
					// raises for some and skips text after others,
					// which is not modelled here.
					return "", false, errUnsupportedCharset
				}
				i += 2
			default:
				// Python passes the rest through in ways not modelled
				// here; leave such text to the caller.
				return "", false, errUnsupportedCharset
			}
		case c >= 0x80:
			sb.WriteRune(surrogateBase + rune(c))
			undecodable = true
		case set == setJIS:
			switch {
			case c < 0x20:
				sb.WriteByte(c)
			case c == 0x20 || c == 0x7F || i+1 >= len(b):
				return "", false, errDecodeRaises
			default:
				t := b[i+1]
				if t < 0x21 || t > 0x7E {
					return "", false, errDecodeRaises
				}
				r := table[int(c-0x21)*94+int(t-0x21)]
				if r == 0 {
					return "", false, errDecodeRaises
				}
				sb.WriteRune(rune(r))
				i++
			}
		case set == setRoman && c == 0x5C:
			sb.WriteRune(0xA5)
		case set == setRoman && c == 0x7E:
			sb.WriteRune(0x203E)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String(), undecodable, nil
}

// gb18030Linear numbers the four-byte gb18030 sequence b1 b2 b3 b4.
func gb18030Linear(b []byte) int {
	return ((int(b[0]-0x81)*10+int(b[1]-0x30))*126+int(b[2]-0x81))*10 + int(b[3]-0x30)
}

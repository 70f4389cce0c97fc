package policy

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCJKReencode checks the invariants of the CJK decoders and encoders
// on any bytes: the replace decoder gives valid UTF-8 with as many errors
// as the surrogateescape decoder reports; text decoded without an error
// encodes back in the same codec (every character a codec decodes to, it
// can encode) to bytes that decode to the same text; gb18030 encodes
// anything, U+FFFD included.
func FuzzCJKReencode(f *testing.F) {
	var codecs []string
	for codec := range cjkEncoders() {
		codecs = append(codecs, codec)
	}
	sort.Strings(codecs)
	for _, seed := range []string{"\x81\x30", "\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xd4", "\x8f\xa1", "\x88\x62\x88\x66", "\x87\x82\x81\xe0", "a\xff\n\xe3\x32\x9a\x35"} {
		for i := range codecs {
			f.Add([]byte(seed), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		codec := codecs[int(which)%len(codecs)]
		text := decodeCJKReplace(codec, b)
		if !utf8.ValidString(text) {
			t.Fatalf("decodeCJKReplace(%s, %q) = %q: not UTF-8", codec, b, text)
		}
		_, undecodable, err := decodeCJKStateless(codec, b, true)
		if err != nil {
			t.Fatalf("decodeCJKStateless(%s, %q): %v", codec, b, err)
		}
		if undecodable && !strings.ContainsRune(text, utf8.RuneError) {
			t.Fatalf("decodeCJKReplace(%s, %q) = %q: errors but no U+FFFD", codec, b, text)
		}
		if undecodable && codec != "gb18030" {
			return
		}
		out, bad, ok := encodeCJK(codec, text)
		if !ok {
			t.Fatalf("encodeCJK(%s, %+q): cannot encode %U", codec, text, bad)
		}
		if again := decodeCJKReplace(codec, []byte(out)); again != text {
			t.Fatalf("%s: %q decodes to %+q, encodes to %q, which decodes to %+q", codec, b, text, out, again)
		}
	})
}

// FuzzContentTypeCompat32 runs the compat32 Content-Type rewrite of the
// cte_type=7bit re-encoding on any header value: it must not panic, and
// what it returns must be ASCII (8-bit bytes become RFC 2231 or RFC 2047
// utf-8) that the compat32 folder accepts.
func FuzzContentTypeCompat32(f *testing.F) {
	for _, seed := range []string{
		`text/plain; charset="utf-8"; name="caf` + "\xc3\xa9" + `.txt"`,
		"text/pl\xe4in; charset=iso-8859-1",
		"text/plain; charset=gb2312; title*=utf-8''%E4; x=\"a\xff b\"",
		"text/plain; charset=x; title*0*=utf-8''%E4; title*1=\xe9; t*=a; t*0=b",
		"text/plain;\n charset=x;\n name=\"r\xc3\xa9sum\xc3\xa9 long long long long long long long\"",
	} {
		f.Add(seed, 40)
	}
	f.Fuzz(func(t *testing.T, raw string, width int) {
		width %= 200
		value, err := contentTypeWithCharsetCompat32(raw, "utf-8", width)
		if err != nil {
			return
		}
		if hasSurrogates(value) {
			t.Fatalf("contentTypeWithCharsetCompat32(%q) = %q: not ASCII", raw, value)
		}
		p := basePolicy(FamilyCompat32)
		p.CTEType = "7bit"
		p.MaxLineLength = width
		if _, err := p.foldCompat32("Content-Type", value); err != nil {
			var fe *HeaderFoldError
			if !errors.As(err, &fe) {
				t.Fatalf("foldCompat32(%q): %v", value, err)
			}
		}
	})
}

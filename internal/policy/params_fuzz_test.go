package policy

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzContentTypeParams: reading and rewriting Content-Type parameters
// never panics under either family (a malformed value Python's parser
// fails on gives an error), the header texts are valid UTF-8 (Python's
// str), getParams fails only with Python's TypeError, and
// simpleParamsEmail agrees with the full reading where it applies.
func FuzzContentTypeParams(f *testing.F) {
	for _, seed := range []string{
		`text/plain; charset="iso-8859-1"; name="caf\xc3\xa9.txt"`,
		"text/plain; charset=x; title*=a; title*0=b",
		"text/plain; charset=x; \xe9bare; delsp=yes",
		"text/pl\xe4in; charset=x; title*0*=utf-8''%E4; title*1=\xe9",
		`text/plain (c) ; x="a\\"; y=z; title*=x-unknown''%E9`,
		"multipart/mixed; boundary*=us-ascii''abc",
		`multipart/alternative; boundary="----=_Part_1.2"; Charset=a; charset="b"`,
		"text/plain ; a=b ; A=c",
		"multipart/related;\ttype=\"text/html\";\tboundary=\"b1_4afb\"",
		"text/plain;\tcharset=x; \tcharset=y;\t",
		"\timage/png\t;\tname=\"favicon.png\"\t",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if strings.ContainsAny(raw, "\r\n") {
			return
		}
		compat := headerTextCompat32(raw)
		email, err := headerTextEmail(raw)
		for _, text := range []string{compat, email} {
			if !utf8.ValidString(text) {
				t.Fatalf("header text of %q = %q: not UTF-8", raw, text)
			}
			if _, err := getParams(text); err != nil && !strings.HasPrefix(err.Error(), "TypeError") {
				t.Fatalf("getParams(%q): %v", text, err)
			}
			setParam(text, hasSurrogates(raw), "charset", "utf-8")
		}
		if err == nil {
			set, err := setParam(email, false, "charset", "utf-8")
			if err == nil {
				contentTypeObjectText(set)
			}
		}
		splitParamsCompat32(raw)
		if simple, ok := simpleParamsEmail(raw); ok {
			// The shortcut agrees with the header object's rendering.
			text, err := headerTextEmail(raw)
			if err != nil {
				t.Fatalf("headerTextEmail(%q): %v", raw, err)
			}
			full := collapsedParams(getParams(text))
			if fmt.Sprint(simple) != fmt.Sprint(full) {
				t.Fatalf("simpleParamsEmail(%q) = %v, header object gives %v", raw, simple, full)
			}
		}
	})
}

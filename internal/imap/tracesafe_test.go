package imap

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestTraceSafe(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"* OK plain ünïcode", "* OK plain ünïcode"},
		{"* OK \x1b[31mred\x1b[0m \x07bell", `* OK \x1b[31mred\x1b[0m \x07bell`},
		{"cr\rlf\ntab\tnul\x00del\x7f", `cr\x0dlf\x0atab\x09nul\x00del\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
	} {
		if got := traceSafe(c.in); got != c.want {
			t.Errorf("traceSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The level-4 trace of server lines escapes control characters, keeps
// one trace line per server line (its own CRLF ends it) and shows a
// literal only as "<literal>", whatever bytes it holds.
func TestLineTracerEscapes(t *testing.T) {
	var out bytes.Buffer
	tr := &lineTracer{r: strings.NewReader("* OK \x1b]0;owned\x07 hi\r\n" +
		"* 1 FETCH (BODY[] {7}\r\n\x1b[2J\r\n\x9b (FLAGS ($\xc2\x9bk))\r\n"), t: &tracer{w: &out, level: 4}}
	if _, err := io.Copy(io.Discard, tr); err != nil {
		t.Fatal(err)
	}
	want := "imap: S: * OK \\x1b]0;owned\\x07 hi\n" +
		"imap: S: * 1 FETCH (BODY[] {7} <literal> (FLAGS ($\\u009bk))\n"
	if out.String() != want {
		t.Errorf("trace = %q, want %q", out.String(), want)
	}
}

package imap

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"
)

// mailboxNameVectors pairs UTF-8 names with their modified UTF-7 form. The
// first entries are RFC 3501 §5.1.3's example and Dovecot's test vectors
// (src/lib-imap/test-imap-utf7.c); the rest were computed by an independent
// Python encoder (/tmp/mutf7.py during development: str.encode("utf-16-be"),
// base64.b64encode, strip "=", "/" -> ",", "&" -> "&-"), whose base64 payloads
// agree with Python's own "utf-7" codec (e.g. "台北" -> b"+U/BTFw-").
var mailboxNameVectors = []struct{ utf8, wire string }{
	{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"}, // RFC 3501 §5.1.3
	{"&&x&&", "&-&-x&-&-"},
	{"tietäjä", "tiet&AOQ-j&AOQ-"},
	{"", ""},
	{"INBOX", "INBOX"},
	{"&", "&-"},
	{"Entwürfe", "Entw&APw-rfe"},
	{"Gelöschte Elemente", "Gel&APY-schte Elemente"},
	{"Брошенные", "&BBEEQAQ+BEgENQQ9BD0ESwQ1-"},
	{"送信済みアイテム", "&kAFP4W4IMH8wojCkMMYw4A-"},
	{"😀", "&2D3eAA-"},
	{"a😀b", "a&2D3eAA-b"},
	{"𝄞 music", "&2DTdHg- music"},
	{"\x01ctl\x7f", "&AAE-ctl&AH8-"},
	{"tab\there", "tab&AAk-here"},
	{"Ünïcødé & Friends", "&ANw-n&AO8-c&APg-d&AOk- &- Friends"},
	{"ä&ö", "&AOQ-&-&APY-"},
	{"mañana/año", "ma&APE-ana/a&APE-o"},
	{"€", "&IKw-"},
	{"\u00ff\u0100\uffff", "&AP8BAP,,-"},
	{"[Gmail]/Gesendet", "[Gmail]/Gesendet"},
	{"日本語日本語日本語", "&ZeVnLIqeZeVnLIqeZeVnLIqe-"},
	{"x\u0080y", "x&AIA-y"},
	{"Ω", "&A6k-"},
}

func TestEncodeMailboxName(t *testing.T) {
	for _, v := range mailboxNameVectors {
		if got := EncodeMailboxName(v.utf8); got != v.wire {
			t.Errorf("EncodeMailboxName(%q) = %q, want %q", v.utf8, got, v.wire)
		}
	}
}

func TestDecodeMailboxName(t *testing.T) {
	for _, v := range mailboxNameVectors {
		got, err := DecodeMailboxName(v.wire)
		if err != nil || got != v.utf8 {
			t.Errorf("DecodeMailboxName(%q) = %q, %v; want %q, nil", v.wire, got, err, v.utf8)
		}
	}
}

func TestEncodeMailboxNameInvalidUTF8(t *testing.T) {
	// Invalid UTF-8 bytes become U+FFFD ("&,,0-" is U+FFFD in modified base64).
	if got, want := EncodeMailboxName("p\xe4\xe4"), "p&,,3,,Q-"; got != want {
		t.Errorf("EncodeMailboxName(%q) = %q, want %q", "p\xe4\xe4", got, want)
	}
}

func TestDecodeMailboxNameRejects(t *testing.T) {
	tests := []struct{ wire, why string }{
		{"&", "& at end"},                             // Dovecot test vector
		{"&Jjo", "shift sequence not closed"},         // Dovecot test vector
		{"&Jjo!", "! not in base64 alphabet"},         // Dovecot test vector
		{"&U,BTFw-&ZeVnLIqe-", "two shift sequences"}, // Dovecot test vector
		{"&U/BTFw-", "RFC 2045 / instead of ,"},
		{"&AOQ=-", "padding character"},
		{"&-&", "trailing &"},
		{"&AGE-", "base64 of printable ASCII a"},
		{"&ACY-", "base64 of &"},
		{"&AOQ", "no closing -"},
		{"&AO-", "too short for one UTF-16 unit"},
		{"&AOR-", "non-zero padding bits"},
		{"&AOQA-", "extra base64 character"},
		{"&2D0-", "high surrogate alone"},
		{"&3gA-", "low surrogate alone"},
		{"&2D3YPQ-", "high surrogate followed by high surrogate"},
		{"&2D0AQQ-", "high surrogate followed by non-surrogate"},
		{"&--", "empty shift sequence after &- is fine, but"}, // see below
		{"tab\there", "raw control character"},
		{"caf\xc3\xa9", "raw 8-bit byte"},
		{"x\x7f", "raw DEL"},
		{"&,-", "one base64 character"},
	}
	for _, tc := range tests {
		if tc.wire == "&--" {
			// "&-" is "&"; the following "-" is a plain character.
			got, err := DecodeMailboxName(tc.wire)
			if err != nil || got != "&-" {
				t.Errorf("DecodeMailboxName(%q) = %q, %v; want %q, nil", tc.wire, got, err, "&-")
			}
			continue
		}
		got, err := DecodeMailboxName(tc.wire)
		var nameErr *MailboxNameError
		if !errors.As(err, &nameErr) {
			t.Errorf("DecodeMailboxName(%q) (%s) = %q, %v; want *MailboxNameError", tc.wire, tc.why, got, err)
			continue
		}
		if nameErr.Name != tc.wire || nameErr.Reason == "" {
			t.Errorf("DecodeMailboxName(%q) error = %+v, want Name %q and a Reason", tc.wire, nameErr, tc.wire)
		}
	}
}

// FuzzMailboxName checks that every valid UTF-8 name survives a round trip,
// and that every wire form the decoder accepts is the one the encoder makes.
func FuzzMailboxName(f *testing.F) {
	for _, v := range mailboxNameVectors {
		f.Add(v.utf8)
		f.Add(v.wire)
	}
	f.Add("&Jjo!")
	f.Add("&U,BTFw-&ZeVnLIqe-")
	f.Fuzz(func(t *testing.T, s string) {
		wire := EncodeMailboxName(s)
		for i := 0; i < len(wire); i++ {
			if wire[i] < 0x20 || wire[i] > 0x7e {
				t.Fatalf("EncodeMailboxName(%q) = %q has byte 0x%02x", s, wire, wire[i])
			}
		}
		back, err := DecodeMailboxName(wire)
		if err != nil {
			t.Fatalf("DecodeMailboxName(EncodeMailboxName(%q) = %q): %v", s, wire, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("DecodeMailboxName(EncodeMailboxName(%q)) = %q", s, back)
		}
		if decoded, err := DecodeMailboxName(s); err == nil {
			if re := EncodeMailboxName(decoded); re != s {
				t.Fatalf("EncodeMailboxName(DecodeMailboxName(%q) = %q) = %q, want the input", s, decoded, re)
			}
		}
	})
}

// TestMailboxNameMatchesPython compares with an encoder written in Python
// on its own codecs (UTF-16BE + base64, "/" -> ","), over names mixing
// ASCII, "&", controls, Latin, CJK and astral characters.
func TestMailboxNameMatchesPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed; the table vectors above were made the same way")
	}
	alphabet := []rune("aZ09 &-/.~\x01\x7f\u00e4\u00df\u20ac\u53f0\u5317\U0001F600\U0001D11E\uffff")
	rng := rand.New(rand.NewPCG(1, 2))
	var names []string
	for range 300 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		names = append(names, b.String())
	}
	input, _ := json.Marshal(names)
	cmd := exec.Command(python, "-c", `
import base64, json, sys
def enc(s):
    out, run = [], []
    def flush():
        if run:
            b = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(b).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()
    for ch in s:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)
json.dump([enc(n) for n in json.load(sys.stdin)], sys.stdout)
`)
	cmd.Stdin = bytes.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var want []string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		if got := EncodeMailboxName(name); got != want[i] {
			t.Errorf("EncodeMailboxName(%q) = %q, Python %q", name, got, want[i])
		}
		if back, err := DecodeMailboxName(want[i]); err != nil || back != name {
			t.Errorf("DecodeMailboxName(%q) = %q, %v; want %q", want[i], back, err, name)
		}
	}
}

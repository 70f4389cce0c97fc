// Package policy parses a message's source and writes it back under a
// Policy, with the semantics of Python's email.policy (compat32 and
// EmailPolicy) plus imapctl's own "raw" policy.
//
// A message is parsed as Python 3.11's email.message_from_binary_file(f,
// policy=P) does: the bytes go through universal-newline translation,
// then the FeedParser algorithm splits RFC 5322 section 2.2 header fields
// from the body and walks the RFC 2045/2046 MIME structure (multipart
// preamble, body parts and epilogue, message/rfc822, and the
// message/delivery-status of RFC 3464), registering defects named after the classes of
// Python's email.errors. It is written as BytesGenerator(out,
// policy=P).flatten(msg) writes it (unixfrom=False): every header through
// the policy's fold_binary, bodies with the policy's line separator,
// ">From " mangling, and for cte_type=7bit the re-encoding of 8-bit text
// parts as quoted-printable or base64 per Python's charset tables.
//
// The measure is byte equality with Python's output: TestPythonParity
// compares every (message, policy) pair of testdata/policy-expected (real
// messages) and testdata/policy-edge (hand-made corner cases), and checks
// the defect class where Python raised one.
//
// The raw policy does not parse at all: the bytes go through unchanged
// except that every line ending (CRLF or a lone LF) becomes the policy's
// Linesep, so "raw,linesep=\r\n" on CRLF input gives the input back byte
// for byte. raw streams in constant memory.
//
// Memory: the header fields of a message (MaxHeaderBytes) and its number
// of parts (MaxParts) are bounded; bodies beyond MaxBodyMemory per
// message are spooled to a temporary file, so a 1 GB message goes through
// any policy in bounded memory (and disk). Only the cte_type=7bit
// re-encoding of an 8-bit text part holds that part in memory, as Python
// does.
//
// Notable divergences from Python:
//   - raw keeps a CR that is not followed by LF as it is: RFC 5322
//     section 2.3 has no lone CR line ending, and raw changes nothing but
//     line endings. (The parsing policies treat it as a line break, as
//     Python's universal newlines do.)
//   - cte_type=7bit re-encoding runs the part's charset through Go code
//     for UTF-8, the single-byte codecs Python ships (ISO-8859-*,
//     Windows-125x, KOI8, ...) and the multibyte codecs gb2312, gbk,
//     gb18030, big5, big5hkscs, euc_kr (ks_c_5601-1987), cp949 (written
//     as euc_kr), cp932, iso2022_jp, and euc_jp/shift_jis (written as
//     ISO-2022-JP). These decode with errors='replace' as CPython 3.11's
//     codecs do (one U+FFFD per invalid byte, one for a sequence cut by
//     the end of the body) and encode with Python's choice where several
//     sequences decode to a character (tables generated from Python),
//     big5hkscs letter+mark pairs and euc_kr make-up sequences included:
//     no known difference. The other codecs Python ships (UTF-7, UTF-16,
//     UTF-32, johab, cp950, the JIS X 0213 codecs, EBCDIC code pages,
//     cp864, unicode_escape, punycode; codec_extra.go) re-encode the same
//     way; the iso2022 variants re-encode where Python can (8-bit bytes
//     after an unknown escape sequence, read as Latin-1), and they and hz
//     fail with Python's UnicodeEncodeError otherwise, idna with its
//     UnicodeError. Only an iso2022_jp_2 single shift that CPython fails
//     on with RuntimeError gets a *GenerateError (LookupError: not
//     supported).
//   - When Python's generator raises (UnicodeEncodeError, LookupError, a
//     header fold_binary rejects), Write returns a *GenerateError naming
//     Python's exception class, and writes nothing, like Python. So does
//     an EmailPolicy Content-Type whose RFC 2231 value Python's parser
//     cannot decode (a charset name with NUL: ValueError; a lone
//     surrogate: UnicodeEncodeError), which Python raises while parsing.
//   - Content-Type parameters are read and written as Python's Message
//     does (get_params, set_param, set_boundary; params.go): on the
//     header's text, which under compat32 has U+FFFD per 8-bit byte and
//     under the other policies is the header object's rendering of what
//     the header registry parsed (RFC 2231 values decoded, undecodable
//     bytes as UTF-8 with U+FFFD), with Python's quirks (bare attributes
//     kept, "name*=v; name*0=w" a TypeError under compat32, a header left
//     as it is when set_param would write the same text). Differences:
//     an RFC 2231 value in idna, the one charset no code here encodes,
//     gives a *GenerateError (LookupError); an RFC 2231 boundary
//     is decoded as ASCII (other bytes U+FFFD) whatever its charset
//     (Python decodes it in its charset, which matters only for a charset
//     that writes ASCII text with other bytes, such as UTF-7 or UTF-16);
//     names are lower-cased with Go's simple case mapping (str.lower differs
//     for a few letters such as U+0130); set_boundary's rendering of an
//     RFC 2231 tuple escapes only ASCII control characters and U+0080 to
//     U+009F as repr() does.
//   - An encoded word in an address header (From, To, ...) whose decoded
//     text holds white space followed by CR or LF: Python's get_fws takes
//     the run for folding white space and, when it refolds the header,
//     writes the bare line break into the field (RFC 5322 section 2.2
//     allows only printable characters, SP and HTAB in a field body).
//     Write returns the ValueError Python raises for a CR or LF without
//     white space before it, and writes nothing.
//   - A multipart without a usable boundary gets a fresh random boundary
//     like Python's, but we do not scan the parts for a collision (a
//     62-bit random number makes one vanishingly unlikely).
//   - Lines longer than 64 KiB are read in pieces; a piece other than the
//     first is never taken for a boundary line, so a boundary line padded
//     with more than 64 KiB of white space is not recognised.
package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Family says which of Python's policy classes a Policy behaves like, or
// that it is imapctl's raw pass-through.
type Family int

const (
	// FamilyEmail is Python's email.policy.EmailPolicy (default, SMTP, SMTPUTF8, HTTP, strict).
	FamilyEmail Family = iota
	// FamilyCompat32 is Python's email.policy.Compat32 (compat32).
	FamilyCompat32
	// FamilyRaw is imapctl's raw policy: bytes as the server sent them, only line endings set.
	FamilyRaw
)

// attribute identifies one settable Policy attribute; attributes form a
// bit set recording which ones were set explicitly (Python keeps exactly
// those in the policy instance's __dict__, and policy addition copies only
// them).
type attribute uint

const (
	attrMaxLineLength attribute = 1 << iota
	attrLinesep
	attrCTEType
	attrRaiseOnDefect
	attrMangleFrom
	attrUTF8
	attrRefoldSource
)

// Policy is an immutable set of attributes controlling how a message is
// parsed and written, mirroring Python's email.policy attributes.
// Obtain one with ParseSpec or NamedPolicy; derive others with Clone and Add.
type Policy struct {
	// Family selects the algorithm family (EmailPolicy, Compat32, raw).
	Family Family
	// MaxLineLength is the folding limit; 0 means no limit (Python's 0 or None).
	MaxLineLength int
	// Linesep is the line ending written: "\n", "\r\n" or "\r".
	Linesep string
	// CTEType is "7bit" or "8bit".
	CTEType string
	// RaiseOnDefect makes any parser defect an error.
	RaiseOnDefect bool
	// MangleFrom writes body lines starting "From " as ">From ".
	MangleFrom bool
	// UTF8 (EmailPolicy only) allows UTF-8 in headers instead of encoded words.
	UTF8 bool
	// RefoldSource (EmailPolicy only) is "none", "long" or "all".
	RefoldSource string

	// explicit records the attributes set explicitly (by the named policy's
	// definition, Clone or Add), as Python's policy __dict__ does.
	explicit attribute
}

// basePolicy returns the class defaults of a family: Python's
// Policy/Compat32/EmailPolicy class attributes, with nothing set explicitly.
func basePolicy(f Family) *Policy {
	p := &Policy{Family: f, MaxLineLength: 78, Linesep: "\n", CTEType: "8bit"}
	switch f {
	case FamilyCompat32:
		p.MangleFrom = true
	case FamilyEmail:
		p.RefoldSource = "long"
	case FamilyRaw:
		p.MaxLineLength = 0
	}
	return p
}

// builtinNames lists the named policies in the order String prefers them.
var builtinNames = []string{"default", "compat32", "raw", "SMTP", "SMTPUTF8", "HTTP", "strict"}

// NamedPolicy returns one of the built-in named policies: Python's
// email.policy.default, compat32, SMTP, SMTPUTF8, HTTP and strict with
// their exact attribute values, and imapctl's raw. The lower-case aliases
// smtp, smtputf8 and http are accepted, as policy_oracle.py does.
func NamedPolicy(name string) (*Policy, bool) {
	switch name {
	case "default":
		return basePolicy(FamilyEmail), true
	case "compat32":
		return basePolicy(FamilyCompat32), true
	case "raw":
		return basePolicy(FamilyRaw), true
	case "SMTP", "smtp":
		p := basePolicy(FamilyEmail)
		p.set(attrLinesep, "\r\n")
		return p, true
	case "SMTPUTF8", "smtputf8":
		p := basePolicy(FamilyEmail)
		p.set(attrLinesep, "\r\n")
		p.set(attrUTF8, true)
		return p, true
	case "HTTP", "http":
		p := basePolicy(FamilyEmail)
		p.set(attrLinesep, "\r\n")
		p.set(attrMaxLineLength, 0)
		return p, true
	case "strict":
		p := basePolicy(FamilyEmail)
		p.set(attrRaiseOnDefect, true)
		return p, true
	}
	return nil, false
}

// IsRaw reports whether p is the raw pass-through policy, which writes the
// message bytes unparsed with only line endings changed.
func (p *Policy) IsRaw() bool { return p.Family == FamilyRaw }

// allowed reports whether the family has the attribute at all (Python's
// clone raises TypeError for an attribute the class does not define).
func (f Family) allowed(a attribute) bool {
	switch f {
	case FamilyCompat32:
		return a&(attrUTF8|attrRefoldSource) == 0
	case FamilyRaw:
		return a == attrLinesep
	}
	return true
}

func (f Family) String() string {
	switch f {
	case FamilyCompat32:
		return "compat32"
	case FamilyRaw:
		return "raw"
	}
	return "default"
}

// set stores v in attribute a and marks it explicit. v must have the
// attribute's type (int, string or bool).
func (p *Policy) set(a attribute, v any) {
	switch a {
	case attrMaxLineLength:
		p.MaxLineLength = v.(int)
	case attrLinesep:
		p.Linesep = v.(string)
	case attrCTEType:
		p.CTEType = v.(string)
	case attrRaiseOnDefect:
		p.RaiseOnDefect = v.(bool)
	case attrMangleFrom:
		p.MangleFrom = v.(bool)
	case attrUTF8:
		p.UTF8 = v.(bool)
	case attrRefoldSource:
		p.RefoldSource = v.(string)
	}
	p.explicit |= a
}

// get returns the value of attribute a.
func (p *Policy) get(a attribute) any {
	switch a {
	case attrMaxLineLength:
		return p.MaxLineLength
	case attrLinesep:
		return p.Linesep
	case attrCTEType:
		return p.CTEType
	case attrRaiseOnDefect:
		return p.RaiseOnDefect
	case attrMangleFrom:
		return p.MangleFrom
	case attrUTF8:
		return p.UTF8
	case attrRefoldSource:
		return p.RefoldSource
	}
	return nil
}

// allAttributes lists the attributes in canonical (String) order.
var allAttributes = []attribute{attrMaxLineLength, attrLinesep, attrCTEType, attrRaiseOnDefect, attrMangleFrom, attrUTF8, attrRefoldSource}

// attributeNames are Python's attribute names, as used in a spec.
var attributeNames = map[attribute]string{
	attrMaxLineLength: "max_line_length",
	attrLinesep:       "linesep",
	attrCTEType:       "cte_type",
	attrRaiseOnDefect: "raise_on_defect",
	attrMangleFrom:    "mangle_from_",
	attrUTF8:          "utf8",
	attrRefoldSource:  "refold_source",
}

// Override is one attribute change for Clone, as a spec's key=value pair.
type Override struct {
	// Key is Python's attribute name, e.g. "max_line_length".
	Key string
	// Value is the spec text of the value, e.g. "none", "\\r\\n", "true".
	Value string
}

// Clone returns a copy of p with the overrides applied in order, as
// Python's policy.clone(**kw) does. It fails, naming the override, on an
// unknown key, a bad value, or a key the policy's family does not have
// (utf8 and refold_source on compat32, like Python's TypeError).
func (p *Policy) Clone(overrides ...Override) (*Policy, error) {
	q := *p
	for _, o := range overrides {
		a, v, err := parseOverride(o.Key, o.Value)
		if err != nil {
			return nil, err
		}
		if !q.Family.allowed(a) {
			return nil, &SpecError{Part: o.Key + "=" + o.Value, Reason: fmt.Sprintf("is not an attribute of the %s policy family", q.Family)}
		}
		q.set(a, v)
	}
	return &q, nil
}

// withMaxLineLength returns a copy of p with MaxLineLength n (used by the
// generator for multipart/signed, whose parts Python writes unfolded).
func (p *Policy) withMaxLineLength(n int) *Policy {
	q := *p
	q.set(attrMaxLineLength, n)
	return &q
}

// Add returns a + b as Python's Policy.__add__ does: a copy of a with
// every attribute b set explicitly applied. The result keeps a's family;
// it is an error if b sets an attribute a's family does not have.
func (p *Policy) Add(b *Policy) (*Policy, error) {
	q := *p
	for _, a := range allAttributes {
		if b.explicit&a == 0 {
			continue
		}
		if !q.Family.allowed(a) {
			return nil, &SpecError{Part: attributeNames[a], Reason: fmt.Sprintf("is set by the added policy but is not an attribute of the %s policy family", q.Family)}
		}
		q.set(a, b.get(a))
	}
	return &q, nil
}

// String returns a canonical spec for p that ParseSpec reads back to the
// same attribute values: the name of a built-in policy with exactly these
// values, or the family's base name followed by the attributes that
// differ from it.
func (p *Policy) String() string {
	for _, name := range builtinNames {
		n, _ := NamedPolicy(name)
		if n.sameValues(p) {
			return name
		}
	}
	base := basePolicy(p.Family)
	var b strings.Builder
	b.WriteString(p.Family.String())
	for _, a := range allAttributes {
		if base.get(a) == p.get(a) {
			continue
		}
		b.WriteString("," + attributeNames[a] + "=" + formatValue(a, p.get(a)))
	}
	return b.String()
}

func (p *Policy) sameValues(q *Policy) bool {
	if p.Family != q.Family {
		return false
	}
	for _, a := range allAttributes {
		if p.get(a) != q.get(a) {
			return false
		}
	}
	return true
}

func formatValue(a attribute, v any) string {
	switch a {
	case attrMaxLineLength:
		if v.(int) == 0 {
			return "none"
		}
		return strconv.Itoa(v.(int))
	case attrLinesep:
		return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(v.(string))
	}
	return fmt.Sprint(v)
}

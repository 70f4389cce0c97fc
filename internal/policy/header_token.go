package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the parse tree that EmailPolicy refolding works on: a
// port of the TokenList/Terminal classes of Python's
// email._header_value_parser, which model the RFC 5322 section 3 and RFC
// 2045 grammars closely enough to know where a header may be folded and
// which parts may become RFC 2047 encoded words.
//
// Text in the tree is a "Python string": Go UTF-8 whose runes are Python's
// code points. A byte >= 0x80 of the source (a surrogate escape in Python)
// is held as the private-use rune surrogateBase+byte, so that it can be
// told apart from a character decoded from an encoded word.

// surrogateBase maps a source byte b >= 0x80 to the rune surrogateBase+b
// (U+10FF80..U+10FFFF, plane 16 private use).
const surrogateBase = 0x10FF00

// isSurrogateRune reports whether r stands for an undecodable source byte.
func isSurrogateRune(r rune) bool { return r >= surrogateBase+0x80 && r <= surrogateBase+0xFF }

// pyFromSource turns header source bytes into a Python string.
func pyFromSource(s string) string {
	if !hasSurrogates(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			b.WriteRune(surrogateBase + rune(s[i]))
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// errUnencodable is Python's UnicodeEncodeError: a character the target
// encoding cannot hold.
var errUnencodable = &pythonRaise{"UnicodeEncodeError", "character not encodable in the header's charset"}

// pyEncode is str.encode(charset, 'surrogateescape') for "ascii",
// "utf-8" (surrogates are written back as their bytes) and "unknown-8bit"
// (ASCII and surrogates only).
func pyEncode(s, charset string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteByte(byte(r))
		case isSurrogateRune(r):
			b.WriteByte(byte(r - surrogateBase))
		case charset == "utf-8":
			b.WriteRune(r)
		default:
			return "", errUnencodable
		}
	}
	return b.String(), nil
}

// pyStrictEncodable reports whether s.encode(encoding) (strict) succeeds,
// encoding being "us-ascii" or "utf-8".
func pyStrictEncodable(s, encoding string) bool {
	for _, r := range s {
		if r >= 0x80 && (encoding != "utf-8" || isSurrogateRune(r)) {
			return false
		}
	}
	return true
}

func pyHasSurrogates(s string) bool {
	for _, r := range s {
		if isSurrogateRune(r) {
			return true
		}
	}
	return false
}

// pyLen is Python's len() of a Python string.
func pyLen(s string) int { return utf8.RuneCountInString(s) }

// pyByteOffset returns the byte offset of rune index i in s (len(s) when
// i is past the end), as Python slicing clamps.
func pyByteOffset(s string, i int) int {
	if i <= 0 {
		return 0
	}
	n := 0
	for off := range s {
		if n == i {
			return off
		}
		n++
	}
	return len(s)
}

// pyRuneIsSpace is str.isspace for one code point.
func pyRuneIsSpace(r rune) bool {
	if r >= 0x1c && r <= 0x1f {
		return true
	}
	return !isSurrogateRune(r) && unicode.IsSpace(r)
}

// pyLStrip is str.lstrip() with no argument.
func pyLStrip(s string) string { return strings.TrimLeftFunc(s, pyRuneIsSpace) }

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// tokenClass is the Python class a token was built as; it decides how
// the token prints and folds.
type tokenClass uint8

const (
	clsTokenList tokenClass = iota
	clsValueTerminal
	clsWhiteSpaceTerminal
	clsEWWhiteSpaceTerminal
	clsUnstructured
	clsPhrase
	clsCFWSList
	clsAtom
	clsToken
	clsEncodedWord
	clsQuotedString
	clsBareQuotedString
	clsComment
	clsAddressList
	clsAddress
	clsMailboxList
	clsGroupList
	clsGroup
	clsNameAddr
	clsAngleAddr
	clsObsRoute
	clsMailbox
	clsInvalidMailbox
	clsDomain
	clsDotAtom
	clsDotAtomText
	clsNoFoldLiteral
	clsAddrSpec
	clsObsLocalPart
	clsDisplayName
	clsLocalPart
	clsDomainLiteral
	clsMIMEVersion
	clsParameter
	clsInvalidParameter
	clsAttribute
	clsSection
	clsValue
	clsMimeParameters
	clsContentType
	clsContentDisposition
	clsContentTransferEncoding
	clsHeaderLabel
	clsMsgID
	clsMessageID
	clsInvalidMessageID
	clsHeader
)

// defectKind is the class of an email.errors defect recorded on a token.
type defectKind int

const (
	defectInvalidHeader defectKind = iota
	defectObsoleteHeader
	defectNonPrintable
	defectUndecodableBytes
	defectNonASCIILocalPart
	defectInvalidBase64
	defectHeaderMissingRequiredValue
)

// token is one node of the parse tree: a terminal (text) or a list of
// tokens (kids). typ is Python's token_type. A header's tree has
// hundreds of tokens, so the fields few tokens need are in extra.
type token struct {
	cls tokenClass

	// Parameter attributes.
	sectioned bool
	extended  bool

	// frozen is set once parsing is done: str() may then be cached.
	frozen   bool
	strKnown bool

	// poisoned marks a domain literal to which Python appended a defect
	// object as if it were a token (see checkForEarlyDLEnd).
	poisoned bool

	typ      string
	text     string
	kids     []*token
	strCache string
	extra    *tokenExtra
}

// tokenExtra holds what only some tokens have: defects, a Parameter's
// charset, a Section's number.
type tokenExtra struct {
	defects []defectKind
	charset string
	number  int
}

func (t *token) extras() *tokenExtra {
	if t.extra == nil {
		t.extra = &tokenExtra{}
	}
	return t.extra
}

// defects returns the defects registered on t itself.
func (t *token) defects() []defectKind {
	if t.extra == nil {
		return nil
	}
	return t.extra.defects
}

// charset is a Parameter's charset ("" for other tokens).
func (t *token) charset() string {
	if t.extra == nil {
		return ""
	}
	return t.extra.charset
}

func (t *token) setCharset(c string) { t.extras().charset = c }

// number is a Section's number (0 for other tokens).
func (t *token) number() int {
	if t.extra == nil {
		return 0
	}
	return t.extra.number
}

// errDefectInTree is the AttributeError Python raises when all_defects
// meets the defect object get_domain_literal put into the tree.
var errDefectInTree = &pythonRaise{"AttributeError", "'InvalidHeaderDefect' object has no attribute 'all_defects'"}

func (t *token) hasPoison() bool {
	if t.poisoned {
		return true
	}
	for _, k := range t.kids {
		if k.hasPoison() {
			return true
		}
	}
	return false
}

func newTerminal(cls tokenClass, text, typ string) *token {
	return &token{cls: cls, typ: typ, text: text}
}

func valueTerminal(text, typ string) *token { return newTerminal(clsValueTerminal, text, typ) }

var classTypes = [...]string{
	clsUnstructured: "unstructured", clsPhrase: "phrase", clsCFWSList: "cfws",
	clsAtom: "atom", clsToken: "token", clsEncodedWord: "encoded-word",
	clsQuotedString: "quoted-string", clsBareQuotedString: "bare-quoted-string",
	clsComment: "comment", clsAddressList: "address-list", clsAddress: "address",
	clsMailboxList: "mailbox-list", clsGroupList: "group-list", clsGroup: "group",
	clsNameAddr: "name-addr", clsAngleAddr: "angle-addr", clsObsRoute: "obs-route",
	clsMailbox: "mailbox", clsInvalidMailbox: "invalid-mailbox", clsDomain: "domain",
	clsDotAtom: "dot-atom", clsDotAtomText: "dot-atom-text", clsNoFoldLiteral: "no-fold-literal",
	clsAddrSpec: "addr-spec", clsObsLocalPart: "obs-local-part", clsDisplayName: "display-name",
	clsLocalPart: "local-part", clsDomainLiteral: "domain-literal", clsMIMEVersion: "mime-version",
	clsParameter: "parameter", clsInvalidParameter: "invalid-parameter", clsAttribute: "attribute",
	clsSection: "section", clsValue: "value", clsMimeParameters: "mime-parameters",
	clsContentType: "content-type", clsContentDisposition: "content-disposition",
	clsContentTransferEncoding: "content-transfer-encoding", clsHeaderLabel: "header-label",
	clsMsgID: "msg-id", clsMessageID: "message-id", clsInvalidMessageID: "invalid-message-id",
	clsHeader: "header",
}

func newList(cls tokenClass, kids ...*token) *token {
	return &token{cls: cls, typ: classTypes[cls], kids: kids}
}

func (t *token) isTerminal() bool {
	return t.cls == clsValueTerminal || t.cls == clsWhiteSpaceTerminal || t.cls == clsEWWhiteSpaceTerminal
}

func (t *token) add(kids ...*token) { t.kids = append(t.kids, kids...) }

// prepend is Python's token[:0] = [leader].
func (t *token) prepend(k *token) { t.kids = append([]*token{k}, t.kids...) }

func (t *token) last() *token { return t.kids[len(t.kids)-1] }

func (t *token) defect(k defectKind) { t.extras().defects = append(t.extras().defects, k) }

// addDefects appends ks to t's defects.
func (t *token) addDefects(ks ...defectKind) {
	if len(ks) > 0 {
		t.extras().defects = append(t.extras().defects, ks...)
	}
}

// quoteString is _header_value_parser.quote_string.
func quoteString(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// freeze marks t and everything below it as no longer changing, so that
// str() can remember its result while folding.
func (t *token) freeze() {
	t.frozen = true
	for _, k := range t.kids {
		k.freeze()
	}
}

// str is Python's str(token).
func (t *token) str() string {
	if !t.frozen {
		return t.strUncached()
	}
	if !t.strKnown {
		t.strCache, t.strKnown = t.strUncached(), true
	}
	return t.strCache
}

func (t *token) strUncached() string {
	switch t.cls {
	case clsValueTerminal, clsWhiteSpaceTerminal:
		return t.text
	case clsEWWhiteSpaceTerminal:
		return ""
	case clsBareQuotedString:
		return quoteString(t.concatStr())
	case clsComment:
		var b strings.Builder
		b.WriteByte('(')
		for _, k := range t.kids {
			if k.typ == "comment" {
				b.WriteString(k.str())
			} else {
				s := k.str()
				s = strings.ReplaceAll(s, `\`, `\\`)
				s = strings.ReplaceAll(s, `(`, `\(`)
				s = strings.ReplaceAll(s, `)`, `\)`)
				b.WriteString(s)
			}
		}
		b.WriteByte(')')
		return b.String()
	case clsMimeParameters:
		var params []string
		for _, p := range t.params() {
			if p.value != "" {
				params = append(params, p.name+"="+quoteString(p.value))
			} else {
				params = append(params, p.name)
			}
		}
		if len(params) == 0 {
			return ""
		}
		return " " + strings.Join(params, "; ")
	}
	return t.concatStr()
}

func (t *token) concatStr() string {
	var b strings.Builder
	for _, k := range t.kids {
		b.WriteString(k.str())
	}
	return b.String()
}

// value is Python's token.value.
func (t *token) value() string {
	switch t.cls {
	case clsValueTerminal:
		return t.text
	case clsWhiteSpaceTerminal:
		return " "
	case clsEWWhiteSpaceTerminal:
		return ""
	case clsCFWSList, clsComment:
		return " "
	case clsBareQuotedString:
		return t.concatStr()
	case clsAddrSpec:
		if len(t.kids) < 3 {
			return t.kids[0].value()
		}
		return strings.TrimRightFunc(t.kids[0].value(), pyRuneIsSpace) + t.kids[1].value() + pyLStrip(t.kids[2].value())
	case clsLocalPart:
		if t.kids[0].typ == "quoted-string" {
			return t.kids[0].quotedValue()
		}
		return t.kids[0].value()
	}
	var b strings.Builder
	for _, k := range t.kids {
		b.WriteString(k.value())
	}
	return b.String()
}

// quotedValue is QuotedString.quoted_value.
func (t *token) quotedValue() string {
	var b strings.Builder
	for _, k := range t.kids {
		if k.typ == "bare-quoted-string" {
			b.WriteString(k.str())
		} else {
			b.WriteString(k.value())
		}
	}
	return b.String()
}

// strippedValue is stripped_value of QuotedString, Attribute and Value.
func (t *token) strippedValue() string {
	switch t.cls {
	case clsQuotedString, clsBareQuotedString:
		for _, k := range t.kids {
			if k.typ == "bare-quoted-string" {
				return k.value()
			}
		}
		return ""
	case clsAttribute:
		for _, k := range t.kids {
			if strings.HasSuffix(k.typ, "attrtext") {
				return k.value()
			}
		}
		return ""
	case clsValue:
		k := t.kids[0]
		if k.typ == "cfws" {
			k = t.kids[1]
		}
		if strings.HasSuffix(k.typ, "quoted-string") || strings.HasSuffix(k.typ, "attribute") ||
			strings.HasSuffix(k.typ, "extended-attribute") {
			return k.strippedValue()
		}
		return t.value()
	}
	return t.value()
}

func (t *token) asEWAllowed() bool {
	switch t.cls {
	case clsValueTerminal, clsWhiteSpaceTerminal, clsEWWhiteSpaceTerminal, clsDotAtomText:
		return true
	case clsDomain, clsNoFoldLiteral, clsAddrSpec, clsObsLocalPart, clsLocalPart, clsDomainLiteral,
		clsContentType, clsContentDisposition, clsContentTransferEncoding, clsHeaderLabel,
		clsMsgID, clsMessageID, clsInvalidMessageID:
		return false
	}
	for _, k := range t.kids {
		if !k.asEWAllowed() {
			return false
		}
	}
	return true
}

func (t *token) syntacticBreak() bool {
	switch t.cls {
	case clsMimeParameters, clsContentType, clsContentDisposition:
		return false
	}
	return true
}

func (t *token) ewCombineAllowed() bool { return t.cls != clsDisplayName }

func (t *token) startsWithFWS() bool {
	switch t.cls {
	case clsWhiteSpaceTerminal, clsEWWhiteSpaceTerminal:
		return true
	case clsValueTerminal:
		return false
	}
	return t.kids[0].startsWithFWS()
}

// hasDefect reports whether k is among t.all_defects.
func (t *token) hasDefect(k defectKind) bool {
	for _, d := range t.defects() {
		if d == k {
			return true
		}
	}
	for _, c := range t.kids {
		if c.hasDefect(k) {
			return true
		}
	}
	return false
}

// foldParam is one decoded (name, value) pair of MimeParameters.params.
type foldParam struct{ name, value string }

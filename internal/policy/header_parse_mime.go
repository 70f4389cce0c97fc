package policy

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Ports of the MIME header parsers of Python's email._header_value_parser:
// Content-Type and Content-Disposition with RFC 2045 section 5.1
// parameters and RFC 2231 extended parameters, Content-Transfer-Encoding
// (RFC 2045 section 6), MIME-Version (RFC 2045 section 4) and Message-ID
// (RFC 5322 section 3.6.4).

func getTText(value string) (*token, string, error) {
	return getTextRun(value, tokenEnds, "ttext")
}

// getToken is get_token: [CFWS] 1*ttext [CFWS].
func getToken(value string) (*token, string, error) {
	return getCFWSWrapped(clsToken, value, tokenEnds, getTText)
}

// getTextRun is the shared shape of get_ttext, get_attrtext and
// get_extended_attrtext: the run of characters up to one of ends, as a
// terminal of type typ, checked by _validate_xtext.
func getTextRun(value, ends, typ string) (*token, string, error) {
	m := matchRun(value, ends)
	if m == "" {
		return nil, value, errHeaderParse
	}
	t := valueTerminal(m, typ)
	validateXText(t)
	return t, value[len(m):], nil
}

func getAttrText(value string) (*token, string, error) {
	return getTextRun(value, attributeEnds, "attrtext")
}

func getExtendedAttrText(value string) (*token, string, error) {
	return getTextRun(value, extendedAttrEnds, "extended-attrtext")
}

// getCFWSWrapped is the shared shape of get_token, get_attribute and
// get_extended_attribute: [CFWS] text [CFWS] in a list of class cls,
// failing when the text would start with one of ends.
func getCFWSWrapped(cls tokenClass, value, ends string, text func(string) (*token, string, error)) (*token, string, error) {
	a := newList(cls)
	value = a.addCFWS(value)
	if firstIn(value, ends) {
		return nil, value, errHeaderParse
	}
	t, value, err := text(value)
	if err != nil {
		return nil, value, err
	}
	a.add(t)
	value = a.addCFWS(value)
	return a, value, nil
}

// getAttribute is get_attribute.
func getAttribute(value string) (*token, string, error) {
	return getCFWSWrapped(clsAttribute, value, attributeEnds, getAttrText)
}

// getExtendedAttribute is get_extended_attribute.
func getExtendedAttribute(value string) (*token, string, error) {
	return getCFWSWrapped(clsAttribute, value, extendedAttrEnds, getExtendedAttrText)
}

func isPyDigit(r rune) bool { return unicode.IsDigit(r) }

// getSection is get_section: "*" digits.
func getSection(value string) (*token, string, error) {
	sec := newList(clsSection)
	if value == "" || value[0] != '*' {
		return nil, value, errHeaderParse
	}
	sec.add(valueTerminal("*", "section-marker"))
	value = pyRest(value)
	i := 0
	for i < len(value) && value[i] >= '0' && value[i] <= '9' {
		i++
	}
	if i == 0 {
		return nil, value, errHeaderParse
	}
	digits := value[:i]
	value = value[i:]
	if digits[0] == '0' && digits != "0" {
		sec.defect(defectInvalidHeader)
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return nil, value, &pythonRaise{"OverflowError", "section number too large"}
	}
	sec.extras().number = n
	sec.add(valueTerminal(digits, "digits"))
	return sec, value, nil
}

// getValue is get_value: quoted-string / attribute.
func getValue(value string) (*token, string, error) {
	v := newList(clsValue)
	if value == "" {
		return nil, value, errHeaderParse
	}
	var leader *token
	if headIn(value, cfwsLeader) {
		leader, value = getCFWS(value)
	}
	if value == "" {
		return nil, value, errHeaderParse
	}
	var t *token
	var err error
	if value[0] == '"' {
		t, value, err = getQuotedString(value)
	} else {
		t, value, err = getExtendedAttribute(value)
	}
	if err != nil {
		return nil, value, err
	}
	if leader != nil {
		t.prepend(leader)
	}
	v.add(t)
	return v, value, nil
}

func (t *token) sectionNumber() int {
	if t.sectioned {
		return t.kids[1].number()
	}
	return 0
}

// getParameter is get_parameter: attribute [section] ["*"] [CFWS] "="
// value, with Python's recovery for quoted extended values.
func getParameter(value string) (*token, string, error) {
	param := newList(clsParameter)
	param.setCharset("us-ascii")
	t, value, err := getAttribute(value)
	if err != nil {
		return nil, value, err
	}
	param.add(t)
	if value == "" || value[0] == ';' {
		param.defect(defectInvalidHeader)
		return param, value, nil
	}
	if value[0] == '*' {
		if sec, rest, err := getSection(value); err == nil {
			value = rest
			param.sectioned = true
			param.add(sec)
		} else if err != errHeaderParse {
			return nil, value, err
		}
		if value == "" {
			return nil, value, errHeaderParse
		}
		if value[0] == '*' {
			param.add(valueTerminal("*", "extended-parameter-marker"))
			value = pyRest(value)
			param.extended = true
		}
	}
	if value[0] != '=' {
		return nil, value, errHeaderParse
	}
	param.add(valueTerminal("=", "parameter-separator"))
	value = pyRest(value)
	value = param.addCFWS(value)
	remainder, haveRemainder := "", false
	appendTo := param
	if param.extended && value != "" && value[0] == '"' {
		qstring, rem, err := getQuotedString(value)
		if err != nil {
			return nil, value, err
		}
		remainder, haveRemainder = rem, true
		inner := qstring.strippedValue()
		semiValid := false
		if param.sectionNumber() == 0 {
			if inner != "" && inner[0] == '\'' {
				semiValid = true
			} else {
				_, rest, err := getAttrText(inner)
				if err != nil {
					return nil, value, err
				}
				if rest != "" && rest[0] == '\'' {
					semiValid = true
				}
			}
		} else if _, rest, err := getExtendedAttrText(inner); err == nil && rest == "" {
			semiValid = true
		}
		if semiValid {
			param.defect(defectInvalidHeader)
			param.add(qstring)
			for _, k := range qstring.kids {
				if k.typ == "bare-quoted-string" {
					k.kids = nil
					appendTo = k
					break
				}
			}
			value = inner
		} else {
			haveRemainder = false
			param.defect(defectInvalidHeader)
		}
	}
	var tok *token
	if value != "" && value[0] == '\'' {
		tok = nil
	} else {
		if tok, value, err = getValue(value); err != nil {
			return nil, value, err
		}
	}
	if !param.extended || param.sectionNumber() > 0 {
		if value == "" || value[0] != '\'' {
			appendTo.add(tok)
			if haveRemainder {
				value = remainder
			}
			return param, value, nil
		}
		param.defect(defectInvalidHeader)
	}
	if value == "" {
		param.defect(defectInvalidHeader)
		appendTo.add(tok)
		if !haveRemainder {
			return param, value, nil
		}
	} else {
		if tok != nil {
			var last *token
			for _, k := range tok.kids {
				last = k
				if k.typ == "extended-attrtext" {
					break
				}
			}
			appendTo.add(last)
			param.setCharset(last.value())
		}
		if value[0] != '\'' {
			return nil, value, errHeaderParse
		}
		appendTo.add(valueTerminal("'", "RFC2231-delimiter"))
		value = pyRest(value)
		if value != "" && value[0] != '\'' {
			t, value, err = getAttrText(value)
			if err != nil {
				return nil, value, err
			}
			appendTo.add(t)
			if value == "" || value[0] != '\'' {
				return nil, value, errHeaderParse
			}
		}
		appendTo.add(valueTerminal("'", "RFC2231-delimiter"))
		value = pyRest(value)
	}
	if haveRemainder {
		v := newList(clsValue)
		for value != "" {
			var t *token
			switch {
			case isWSP(value[0]):
				t, value = getFWS(value)
			case value[0] == '"':
				t = valueTerminal(`"`, "DQUOTE")
				value = pyRest(value)
			default:
				t, value = getQContent(value)
			}
			v.add(t)
		}
		tok = v
	} else {
		if tok, value, err = getValue(value); err != nil {
			return nil, value, err
		}
	}
	appendTo.add(tok)
	if haveRemainder {
		value = remainder
	}
	return param, value, nil
}

// getInvalidParameter is get_invalid_parameter.
func getInvalidParameter(value string) (*token, string, error) {
	ip := newList(clsInvalidParameter)
	ip.setCharset("us-ascii")
	for value != "" && value[0] != ';' {
		if firstIn(value, phraseEnds) {
			ip.add(valueTerminal(value[:1], "misplaced-special"))
			value = pyRest(value)
			continue
		}
		t, rest, err := getPhrase(value)
		if err != nil {
			return nil, value, err
		}
		value = rest
		ip.add(t)
	}
	return ip, value, nil
}

// parseMIMEParameters is parse_mime_parameters.
func parseMIMEParameters(value string) (*token, error) {
	mp := newList(clsMimeParameters)
	for value != "" {
		t, rest, err := getParameter(value)
		if err == nil {
			mp.add(t)
			value = rest
		} else if err != errHeaderParse {
			return nil, err
		} else {
			var leader *token
			if headIn(value, cfwsLeader) {
				leader, value = getCFWS(value)
			}
			if value == "" {
				mp.add(leader)
				return mp, nil
			}
			if value[0] == ';' {
				if leader != nil {
					mp.add(leader)
				}
				mp.defect(defectInvalidHeader)
			} else {
				t, value, err = getInvalidParameter(value)
				if err != nil {
					return nil, err
				}
				if leader != nil && len(leader.kids) > 0 {
					t.prepend(leader)
				}
				mp.add(t)
				mp.defect(defectInvalidHeader)
			}
		}
		if value != "" && value[0] != ';' {
			param := mp.last()
			param.typ = "invalid-parameter"
			t, rest, err := getInvalidParameter(value)
			if err != nil {
				return nil, err
			}
			value = rest
			param.add(t.kids...)
			mp.defect(defectInvalidHeader)
		}
		if value != "" {
			mp.add(valueTerminal(";", "parameter-separator"))
			value = pyRest(value)
		}
	}
	return mp, nil
}

// findMIMEParameters is _find_mime_parameters.
func findMIMEParameters(list *token, value string) error {
	for value != "" && value[0] != ';' {
		if firstIn(value, phraseEnds) {
			list.add(valueTerminal(value[:1], "misplaced-special"))
			value = pyRest(value)
			continue
		}
		t, rest, err := getPhrase(value)
		if err != nil {
			return err
		}
		value = rest
		list.add(t)
	}
	if value == "" {
		return nil
	}
	list.add(valueTerminal(";", "parameter-separator"))
	mp, err := parseMIMEParameters(pyRest(value))
	if err != nil {
		return err
	}
	list.add(mp)
	return nil
}

// parseParameterizedHeader is parse_content_type_header (withSubtype) and
// parse_content_disposition_header.
func parseParameterizedHeader(cls tokenClass, value string) (*token, error) {
	h := newList(cls)
	if value == "" {
		h.defect(defectHeaderMissingRequiredValue)
		return h, nil
	}
	t, rest, err := getToken(value)
	if err == errHeaderParse {
		h.defect(defectInvalidHeader)
		return h, findMIMEParameters(h, value)
	} else if err != nil {
		return nil, err
	}
	value = rest
	h.add(t)
	if cls == clsContentType {
		if value == "" || value[0] != '/' {
			h.defect(defectInvalidHeader)
			if value != "" {
				return h, findMIMEParameters(h, value)
			}
			return h, nil
		}
		h.add(valueTerminal("/", "content-type-separator"))
		value = pyRest(value)
		t, rest, err := getToken(value)
		if err == errHeaderParse {
			h.defect(defectInvalidHeader)
			return h, findMIMEParameters(h, value)
		} else if err != nil {
			return nil, err
		}
		value = rest
		h.add(t)
	}
	if value == "" {
		return h, nil
	}
	if value[0] != ';' {
		h.defect(defectInvalidHeader)
		return h, findMIMEParameters(h, value)
	}
	h.add(valueTerminal(";", "parameter-separator"))
	mp, err := parseMIMEParameters(pyRest(value))
	if err != nil {
		return nil, err
	}
	h.add(mp)
	return h, nil
}

// parseContentTransferEncoding is parse_content_transfer_encoding_header.
func parseContentTransferEncoding(value string) (*token, error) {
	h := newList(clsContentTransferEncoding)
	if value == "" {
		h.defect(defectHeaderMissingRequiredValue)
		return h, nil
	}
	t, rest, err := getToken(value)
	if err == nil {
		h.add(t)
		value = rest
	} else if err == errHeaderParse {
		h.defect(defectInvalidHeader)
	} else {
		return nil, err
	}
	for value != "" {
		h.defect(defectInvalidHeader)
		if firstIn(value, phraseEnds) {
			h.add(valueTerminal(value[:1], "misplaced-special"))
			value = pyRest(value)
			continue
		}
		t, rest, err := getPhrase(value)
		if err != nil {
			return nil, err
		}
		value = rest
		h.add(t)
	}
	return h, nil
}

func allPyDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isPyDigit(r) {
			return false
		}
	}
	return true
}

// parseMIMEVersion is parse_mime_version.
func parseMIMEVersion(value string) (*token, error) {
	mv := newList(clsMIMEVersion)
	if value == "" {
		mv.defect(defectHeaderMissingRequiredValue)
		return mv, nil
	}
	if headIn(value, cfwsLeader) {
		var t *token
		t, value = getCFWS(value)
		mv.add(t)
		if value == "" {
			mv.defect(defectHeaderMissingRequiredValue)
		}
	}
	i := 0
	for i < len(value) && value[i] != '.' && !(value[i] < 0x80 && strings.IndexByte(cfwsLeader, value[i]) >= 0) {
		i++
	}
	digits := value[:i]
	value = value[i:]
	major := allPyDigits(digits)
	if major {
		mv.add(valueTerminal(digits, "digits"))
	} else {
		mv.defect(defectInvalidHeader)
		mv.add(valueTerminal(digits, "xtext"))
	}
	value = mv.addCFWS(value)
	if value == "" || value[0] != '.' {
		if major {
			mv.defect(defectInvalidHeader)
		}
		if value != "" {
			mv.add(valueTerminal(value, "xtext"))
		}
		return mv, nil
	}
	mv.add(valueTerminal(".", "version-separator"))
	value = pyRest(value)
	value = mv.addCFWS(value)
	if value == "" {
		if major {
			mv.defect(defectInvalidHeader)
		}
		return mv, nil
	}
	i = 0
	for i < len(value) && !(value[i] < 0x80 && strings.IndexByte(cfwsLeader, value[i]) >= 0) {
		i++
	}
	digits = value[:i]
	value = value[i:]
	if allPyDigits(digits) {
		mv.add(valueTerminal(digits, "digits"))
	} else {
		mv.defect(defectInvalidHeader)
		mv.add(valueTerminal(digits, "xtext"))
	}
	value = mv.addCFWS(value)
	if value != "" {
		mv.defect(defectInvalidHeader)
		mv.add(valueTerminal(value, "xtext"))
	}
	return mv, nil
}

// getNoFoldLiteral is get_no_fold_literal.
func getNoFoldLiteral(value string) (*token, string, error) {
	nfl := newList(clsNoFoldLiteral)
	if value == "" || value[0] != '[' {
		return nil, value, errHeaderParse
	}
	nfl.add(valueTerminal("[", "no-fold-literal-start"))
	t, value := getDText(pyRest(value))
	nfl.add(t)
	if value == "" || value[0] != ']' {
		return nil, value, errHeaderParse
	}
	nfl.add(valueTerminal("]", "no-fold-literal-end"))
	return nfl, pyRest(value), nil
}

// getMsgID is get_msg_id (RFC 5322 section 3.6.4 msg-id with the
// obsolete id-left and id-right).
func getMsgID(value string) (*token, string, error) {
	mid := newList(clsMsgID)
	value = mid.addCFWS(value)
	if value == "" || value[0] != '<' {
		return nil, value, errHeaderParse
	}
	mid.add(valueTerminal("<", "msg-id-start"))
	value = pyRest(value)
	t, rest, err := getDotAtomText(value)
	if err == errHeaderParse {
		t, rest, err = getObsLocalPart(value)
		if err == errHeaderParse {
			return nil, value, errHeaderParse
		}
		mid.defect(defectObsoleteHeader)
	}
	if err != nil {
		return nil, value, err
	}
	value = rest
	mid.add(t)
	if value == "" || value[0] != '@' {
		mid.defect(defectInvalidHeader)
		if value != "" && value[0] == '>' {
			mid.add(valueTerminal(">", "msg-id-end"))
			value = pyRest(value)
		}
		return mid, value, nil
	}
	mid.add(valueTerminal("@", "address-at-symbol"))
	value = pyRest(value)
	t, rest, err = getDotAtomText(value)
	if err == errHeaderParse {
		t, rest, err = getNoFoldLiteral(value)
		if err == errHeaderParse {
			t, rest, err = getDomain(value)
			if err == errHeaderParse {
				return nil, value, errHeaderParse
			}
			mid.defect(defectObsoleteHeader)
		}
	}
	if err != nil {
		return nil, value, err
	}
	value = rest
	mid.add(t)
	if value != "" && value[0] == '>' {
		value = pyRest(value)
	} else {
		mid.defect(defectInvalidHeader)
	}
	mid.add(valueTerminal(">", "msg-id-end"))
	value = mid.addCFWS(value)
	return mid, value, nil
}

// parseMessageID is parse_message_id; text after a valid msg-id is
// dropped, as Python drops it.
func parseMessageID(value string) (*token, error) {
	mid := newList(clsMessageID)
	t, _, err := getMsgID(value)
	if err == nil {
		mid.add(t)
		return mid, nil
	}
	if err != errHeaderParse {
		return nil, err
	}
	u, err := getUnstructured(value)
	if err != nil {
		return nil, err
	}
	inv := newList(clsInvalidMessageID, u.kids...)
	inv.defect(defectInvalidHeader)
	return inv, nil
}

// params is MimeParameters.params: parameters in first-seen order, RFC
// 2231 sections joined and extended values decoded.
func (t *token) params() []foldParam {
	ps, _ := t.paramsChecked()
	return ps
}

// checkMIMEParameters evaluates the parameters of every mime-parameters
// token below t, as Python does when it builds the header object, and
// returns the first decoding failure.
func checkMIMEParameters(t *token) error {
	if t.typ == "mime-parameters" {
		if _, err := t.paramsChecked(); err != nil {
			return err
		}
	}
	for _, k := range t.kids {
		if err := checkMIMEParameters(k); err != nil {
			return err
		}
	}
	return nil
}

// paramsChecked is params that also reports a value Python cannot decode
// (a *pythonRaise) or this package cannot (errUnsupportedCharset).
func (t *token) paramsChecked() ([]foldParam, error) {
	type section struct {
		number int
		param  *token
	}
	var names []string
	byName := map[string][]section{}
	for _, k := range t.kids {
		if !strings.HasSuffix(k.typ, "parameter") || len(k.kids) == 0 || k.kids[0].typ != "attribute" {
			continue
		}
		name := strings.TrimFunc(k.kids[0].value(), pyRuneIsSpace)
		if _, ok := byName[name]; !ok {
			names = append(names, name)
		}
		byName[name] = append(byName[name], section{k.sectionNumber(), k})
	}
	var out []foldParam
	for _, name := range names {
		parts := byName[name]
		sort.SliceStable(parts, func(i, j int) bool { return parts[i].number < parts[j].number })
		first := parts[0].param
		charset := first.charset()
		if !first.extended && len(parts) > 1 && parts[1].number == 0 {
			parts = parts[:1]
		}
		var value strings.Builder
		i := 0
		for _, s := range parts {
			if s.number != i && !s.param.extended {
				continue
			}
			i++
			v := s.param.paramValue()
			if s.param.extended {
				var err error
				if v, err = decodeRFC2231Value(v, charset); err != nil {
					return nil, err
				}
			}
			value.WriteString(v)
		}
		out = append(out, foldParam{name, value.String()})
	}
	return out, nil
}

// paramValue is Parameter.param_value.
func (t *token) paramValue() string {
	for _, k := range t.kids {
		if k.typ == "value" {
			return k.strippedValue()
		}
		if k.typ == "quoted-string" {
			for _, b := range k.kids {
				if b.typ == "bare-quoted-string" {
					for _, v := range b.kids {
						if v.typ == "value" {
							return v.strippedValue()
						}
					}
				}
			}
		}
	}
	return ""
}

// decodeRFC2231Value percent-decodes an extended parameter value (RFC
// 2231 section 4) and decodes it from charset, as MimeParameters.params
// does with urllib.parse.unquote_to_bytes.
func decodeRFC2231Value(v, charset string) (string, error) {
	if pyHasSurrogates(v) {
		// unquote(value, encoding='latin-1'); the escapes stay.
		return percentDecodeLatin1(v), nil
	}
	raw, _ := pyEncode(v, "utf-8")
	unq := unquoteToBytes(raw)
	s, _, err := pyDecode([]byte(unq), charset)
	switch err {
	case nil:
		return s, nil
	case errDecodeRaises:
		return "", &pythonRaise{"UnicodeDecodeError", "undecodable bytes in RFC 2231 value (" + charset + ")"}
	case errBadEncodedWord:
		return "", &pythonRaise{"UnicodeError", "undefined encoding"}
	}
	return "", err
}

// unquoteToBytes is urllib.parse.unquote_to_bytes: %XX escapes decoded,
// anything else kept.
func unquoteToBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

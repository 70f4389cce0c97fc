package policy

import (
	"errors"
	"regexp"
	"strings"
	"sync"
)

// Ports of the get_* parsing functions of Python's
// email._header_value_parser (RFC 5322 section 3.2-3.4 with the obsolete
// syntax of section 4, RFC 2047 encoded words). Each takes the remaining
// value and returns the token and what is left; errHeaderParse is
// Python's HeaderParseError, which callers catch to try an alternative.

// errHeaderParse is Python's errors.HeaderParseError.
var errHeaderParse = errors.New("policy: header parse error")

const (
	specials         = "()<>@,:;.\\\"[]"
	atomEnds         = specials + " \t"
	dotAtomEnds      = "()<>@,:;\\\"[] \t"
	phraseEnds       = ")<>@,:;\\[]" // SPECIALS - '."('
	cfwsLeader       = " \t("
	tspecials        = "()<>@,:;\\\"[]/?="
	tokenEnds        = tspecials + " \t"
	aspecials        = tspecials + "*'%"
	attributeEnds    = aspecials + " \t"
	extendedAttrEnds = "()<>@,:;\\\"[]/?=*' \t"
)

// firstIn is Python's `value and value[0] in set`.
func firstIn(s, set string) bool { return s != "" && s[0] < 0x80 && strings.IndexByte(set, s[0]) >= 0 }

// headIn is Python's unguarded `value[0] in set`: it panics on an empty
// value where Python raises IndexError (refoldHeader recovers).
func headIn(s, set string) bool { return s[0] < 0x80 && strings.IndexByte(set, s[0]) >= 0 }

// addCFWS is the parsers' "[CFWS]": when value starts with CFWS, add it
// to t and return the rest.
func (t *token) addCFWS(value string) string {
	if firstIn(value, cfwsLeader) {
		var cfws *token
		cfws, value = getCFWS(value)
		t.add(cfws)
	}
	return value
}

// addCFWSAt is addCFWS where Python indexes value[0] unguarded (so an
// empty value panics, Python's IndexError).
func (t *token) addCFWSAt(value string) string {
	if headIn(value, cfwsLeader) {
		var cfws *token
		cfws, value = getCFWS(value)
		t.add(cfws)
	}
	return value
}

// pyRest is Python's value[1:]: empty for an empty value.
func pyRest(value string) string {
	if value == "" {
		return ""
	}
	return value[1:]
}

// splitWSP is _wsp_splitter(value, 1) joined back: the text before the
// first run of blanks, and the rest starting at that run.
func splitWSP(s string) (string, string) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// validateXText is _validate_xtext.
func validateXText(t *token) {
	for _, r := range t.text {
		if r <= 0x20 || r == 0x7f {
			t.defect(defectNonPrintable)
			break
		}
	}
	if pyHasSurrogates(t.text) {
		t.defect(defectUndecodableBytes)
	}
}

// getPtextToEndchars is _get_ptext_to_endchars: unquoted text up to one
// of endchars or a blank, the rest, and whether a quoted pair was seen.
func getPtextToEndchars(value, endchars string) (string, string, bool) {
	fragment, remainder := splitWSP(value)
	var vchars strings.Builder
	escape, hadQP := false, false
	pos := 0
	stopped := false
	for pos = 0; pos < len(fragment); pos++ {
		c := fragment[pos]
		if c == '\\' {
			if escape {
				escape = false
				hadQP = true
			} else {
				escape = true
				continue
			}
		}
		if escape {
			escape = false
		} else if c < 0x80 && strings.IndexByte(endchars, c) >= 0 {
			stopped = true
			break
		}
		vchars.WriteByte(c)
	}
	if !stopped {
		pos = len(fragment)
	}
	return vchars.String(), fragment[pos:] + remainder, hadQP
}

// getFWS is get_fws: the leading whitespace (Python's str.lstrip).
func getFWS(value string) (*token, string) {
	rest := pyLStrip(value)
	return newTerminal(clsWhiteSpaceTerminal, value[:len(value)-len(rest)], "fws"), rest
}

// getEncodedWord is get_encoded_word (RFC 2047 section 2).
func getEncodedWord(value string) (*token, string, error) {
	ew := newList(clsEncodedWord)
	if !strings.HasPrefix(value, "=?") {
		return nil, value, errHeaderParse
	}
	tok, remstr, found := strings.Cut(value[2:], "?=")
	if !found {
		return nil, value, errHeaderParse
	}
	rest := remstr
	if len(remstr) > 1 && isHexDigit(remstr[0]) && isHexDigit(remstr[1]) && strings.Count(tok, "?") < 2 {
		more, after, _ := strings.Cut(remstr, "?=")
		tok = tok + "?=" + more
		rest = after
	}
	if len(strings.FieldsFunc(tok, pyRuneIsSpace)) > 1 {
		ew.defect(defectInvalidHeader)
	}
	text, _, _, defects, err := decodeEncodedWord("=?" + tok + "?=")
	if err != nil {
		if err == errBadEncodedWord {
			return nil, value, errBadEncodedWord
		}
		return nil, value, err
	}
	ew.addDefects(defects...)
	for text != "" {
		if isWSP(text[0]) {
			var t *token
			t, text = getFWS(text)
			ew.add(t)
			continue
		}
		chars, remainder := splitWSP(text)
		vtext := valueTerminal(chars, "vtext")
		validateXText(vtext)
		ew.add(vtext)
		text = remainder
	}
	if rest != "" && !isWSP(rest[0]) {
		ew.defect(defectInvalidHeader)
	}
	return ew, rest, nil
}

// rfc2047Matcher is _header_value_parser.rfc2047_matcher.
var rfc2047Matcher = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`=\?[^?]*\?[qQbB]\?[^\n]*?\?=`) })

// getUnstructured is get_unstructured (RFC 5322 section 3.2.5
// unstructured, with RFC 2047 encoded words decoded).
func getUnstructured(value string) (*token, error) {
	u := newList(clsUnstructured)
	for value != "" {
		if isWSP(value[0]) {
			var t *token
			t, value = getFWS(value)
			u.add(t)
			continue
		}
		validEW := true
		if strings.HasPrefix(value, "=?") {
			t, rest, err := getEncodedWord(value)
			switch {
			case err == nil:
				haveWS := true
				if len(u.kids) > 0 && u.last().typ != "fws" {
					u.defect(defectInvalidHeader)
					haveWS = false
				}
				if haveWS && len(u.kids) > 1 && u.kids[len(u.kids)-2].typ == "encoded-word" {
					u.kids[len(u.kids)-1] = newTerminal(clsEWWhiteSpaceTerminal, u.last().text, "fws")
				}
				u.add(t)
				value = rest
				continue
			case err == errBadEncodedWord:
				validEW = false
			case err == errHeaderParse:
			default:
				return nil, err
			}
		}
		tok, remainder := splitWSP(value)
		if validEW && rfc2047Matcher().MatchString(tok) {
			i := strings.Index(value, "=?")
			tok, remainder = value[:i], value[i:]
			if tok == "" {
				// Python would loop forever here; take the word whole.
				tok, remainder = splitWSP(value)
			}
		}
		vtext := valueTerminal(tok, "vtext")
		validateXText(vtext)
		u.add(vtext)
		value = remainder
	}
	return u, nil
}

// matchRun returns the leading run of s with no character of ends (the
// _non_*_end_matcher regexps); non-ASCII characters never end a run.
func matchRun(s, ends string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x80 && strings.IndexByte(ends, s[i]) >= 0 {
			return s[:i]
		}
	}
	return s
}

// getQPCtext is get_qp_ctext (comment text, a WhiteSpaceTerminal).
func getQPCtext(value string) (*token, string) {
	ptext, rest, _ := getPtextToEndchars(value, "()")
	t := newTerminal(clsWhiteSpaceTerminal, ptext, "ptext")
	validateXText(t)
	return t, rest
}

// getQContent is get_qcontent (quoted-string text).
func getQContent(value string) (*token, string) {
	ptext, rest, _ := getPtextToEndchars(value, `"`)
	t := valueTerminal(ptext, "ptext")
	validateXText(t)
	return t, rest
}

// getAText is get_atext.
func getAText(value string) (*token, string, error) {
	m := matchRun(value, atomEnds)
	if m == "" {
		return nil, value, errHeaderParse
	}
	t := valueTerminal(m, "atext")
	validateXText(t)
	return t, value[len(m):], nil
}

// getBareQuotedString is get_bare_quoted_string.
func getBareQuotedString(value string) (*token, string, error) {
	if value == "" || value[0] != '"' {
		if value == "" {
			panic("IndexError") // Python: value[0] on an empty string
		}
		return nil, value, errHeaderParse
	}
	bqs := newList(clsBareQuotedString)
	value = pyRest(value)
	if value != "" && value[0] == '"' {
		var t *token
		t, value = getQContent(value)
		bqs.add(t)
	}
	for value != "" && value[0] != '"' {
		var t *token
		switch {
		case isWSP(value[0]):
			t, value = getFWS(value)
		case strings.HasPrefix(value, "=?"):
			validEW := false
			ew, rest, err := getEncodedWord(value)
			if err == errUnsupportedCharset || err == errLoneSurrogate {
				return nil, value, err
			}
			if err == nil {
				t, value = ew, rest
				bqs.defect(defectInvalidHeader)
				validEW = true
			} else {
				t, value = getQContent(value)
			}
			if validEW && len(bqs.kids) > 1 {
				if bqs.last().typ == "fws" && bqs.kids[len(bqs.kids)-2].typ == "encoded-word" {
					bqs.kids[len(bqs.kids)-1] = newTerminal(clsEWWhiteSpaceTerminal, bqs.last().text, "fws")
				}
			}
		default:
			t, value = getQContent(value)
		}
		bqs.add(t)
	}
	if value == "" {
		bqs.defect(defectInvalidHeader)
		return bqs, value, nil
	}
	return bqs, pyRest(value), nil
}

// getComment is get_comment (RFC 5322 section 3.2.2, nested).
func getComment(value string) (*token, string, error) {
	if value != "" && value[0] != '(' {
		return nil, value, errHeaderParse
	}
	c := newList(clsComment)
	if value != "" {
		value = pyRest(value)
	}
	for value != "" && value[0] != ')' {
		var t *token
		switch {
		case isWSP(value[0]):
			t, value = getFWS(value)
		case value[0] == '(':
			var err error
			if t, value, err = getComment(value); err != nil {
				return nil, value, err
			}
		default:
			t, value = getQPCtext(value)
		}
		c.add(t)
	}
	if value == "" {
		c.defect(defectInvalidHeader)
		return c, value, nil
	}
	return c, pyRest(value), nil
}

// getCFWS is get_cfws.
func getCFWS(value string) (*token, string) {
	cfws := newList(clsCFWSList)
	for firstIn(value, cfwsLeader) {
		var t *token
		if isWSP(value[0]) {
			t, value = getFWS(value)
		} else {
			t, value, _ = getComment(value)
		}
		cfws.add(t)
	}
	return cfws, value
}

// getQuotedString is get_quoted_string.
func getQuotedString(value string) (*token, string, error) {
	qs := newList(clsQuotedString)
	value = qs.addCFWS(value)
	t, value, err := getBareQuotedString(value)
	if err != nil {
		return nil, value, err
	}
	qs.add(t)
	value = qs.addCFWS(value)
	return qs, value, nil
}

// getAtom is get_atom (an atom may be an encoded word).
func getAtom(value string) (*token, string, error) {
	atom := newList(clsAtom)
	value = atom.addCFWS(value)
	if firstIn(value, atomEnds) {
		return nil, value, errHeaderParse
	}
	t, value, err := encodedWordOr(value, getAText)
	if err != nil {
		return nil, value, err
	}
	atom.add(t)
	value = atom.addCFWS(value)
	return atom, value, nil
}

// encodedWordOr is the "an atom could be an RFC 2047 encoded word" step
// of get_atom and get_dot_atom: an encoded word when value starts with
// one that parses, else what other parses.
func encodedWordOr(value string, other func(string) (*token, string, error)) (*token, string, error) {
	if strings.HasPrefix(value, "=?") {
		t, rest, err := getEncodedWord(value)
		if err == nil || err == errUnsupportedCharset || err == errLoneSurrogate {
			return t, rest, err
		}
	}
	return other(value)
}

// dotTerminal is Python's DOT singleton; identity matters in
// getDotAtomText's trailing check.
func dotTerminal() *token { return valueTerminal(".", "dot") }

// getDotAtomText is get_dot_atom_text.
func getDotAtomText(value string) (*token, string, error) {
	dat := newList(clsDotAtomText)
	if value == "" || firstIn(value, atomEnds) {
		return nil, value, errHeaderParse
	}
	lastWasDot := false
	for value != "" && !firstIn(value, atomEnds) {
		t, rest, err := getAText(value)
		if err != nil {
			return nil, value, err
		}
		value = rest
		dat.add(t)
		lastWasDot = false
		if value != "" && value[0] == '.' {
			dat.add(dotTerminal())
			value = pyRest(value)
			lastWasDot = true
		}
	}
	if lastWasDot {
		return nil, value, errHeaderParse
	}
	return dat, value, nil
}

// getDotAtom is get_dot_atom.
func getDotAtom(value string) (*token, string, error) {
	da := newList(clsDotAtom)
	value = da.addCFWSAt(value)
	t, value, err := encodedWordOr(value, getDotAtomText)
	if err != nil {
		return nil, value, err
	}
	da.add(t)
	value = da.addCFWS(value)
	return da, value, nil
}

// getWord is get_word: an atom or a quoted string, with leading CFWS
// spliced into it.
func getWord(value string) (*token, string, error) {
	var leader *token
	if headIn(value, cfwsLeader) {
		leader, value = getCFWS(value)
	}
	if value == "" {
		return nil, value, errHeaderParse
	}
	var t *token
	var err error
	switch {
	case value[0] == '"':
		t, value, err = getQuotedString(value)
	case firstIn(value, specials):
		return nil, value, errHeaderParse
	default:
		t, value, err = getAtom(value)
	}
	if err != nil {
		return nil, value, err
	}
	if leader != nil {
		t.prepend(leader)
	}
	return t, value, nil
}

// getPhrase is get_phrase (with obs-phrase).
func getPhrase(value string) (*token, string, error) {
	phrase := newList(clsPhrase)
	t, rest, err := getWord(value)
	switch {
	case err == nil:
		phrase.add(t)
		value = rest
	case err == errHeaderParse:
		phrase.defect(defectInvalidHeader)
	default:
		return nil, value, err
	}
	for value != "" && !firstIn(value, phraseEnds) {
		if value[0] == '.' {
			phrase.add(dotTerminal())
			phrase.defect(defectObsoleteHeader)
			value = pyRest(value)
			continue
		}
		t, rest, err := getWord(value)
		if err == errHeaderParse {
			if !firstIn(value, cfwsLeader) {
				return nil, value, err
			}
			t, rest = getCFWS(value)
			phrase.defect(defectObsoleteHeader)
		} else if err != nil {
			return nil, value, err
		}
		value = rest
		phrase.add(t)
	}
	return phrase, value, nil
}

// getLocalPart is get_local_part.
func getLocalPart(value string) (*token, string, error) {
	lp := newList(clsLocalPart)
	var leader *token
	if headIn(value, cfwsLeader) {
		leader, value = getCFWS(value)
	}
	if value == "" {
		return nil, value, errHeaderParse
	}
	t, rest, err := getDotAtom(value)
	if err == errHeaderParse {
		t, rest, err = getWord(value)
		if err == errHeaderParse {
			if value[0] != '\\' && firstIn(value, phraseEnds) {
				return nil, value, err
			}
			t, rest, err = newList(clsTokenList), value, nil
		}
	}
	if err != nil {
		return nil, value, err
	}
	value = rest
	if leader != nil {
		t.prepend(leader)
	}
	lp.add(t)
	if value != "" && (value[0] == '\\' || !firstIn(value, phraseEnds)) {
		obs, rest, err := getObsLocalPart(lp.str() + value)
		if err != nil {
			return nil, value, err
		}
		value = rest
		if obs.typ == "invalid-obs-local-part" {
			lp.defect(defectInvalidHeader)
		} else {
			lp.defect(defectObsoleteHeader)
		}
		lp.kids[0] = obs
	}
	if !pyStrictEncodable(lp.value(), "us-ascii") {
		lp.defect(defectNonASCIILocalPart)
	}
	return lp, value, nil
}

// getObsLocalPart is get_obs_local_part.
func getObsLocalPart(value string) (*token, string, error) {
	olp := newList(clsObsLocalPart)
	lastNonWSWasDot := false
	for value != "" && (value[0] == '\\' || !firstIn(value, phraseEnds)) {
		if value[0] == '.' {
			if lastNonWSWasDot {
				olp.defect(defectInvalidHeader)
			}
			olp.add(dotTerminal())
			lastNonWSWasDot = true
			value = pyRest(value)
			continue
		} else if value[0] == '\\' {
			olp.add(valueTerminal(value[:1], "misplaced-special"))
			value = pyRest(value)
			olp.defect(defectInvalidHeader)
			lastNonWSWasDot = false
			continue
		}
		if len(olp.kids) > 0 && olp.last().typ != "dot" {
			olp.defect(defectInvalidHeader)
		}
		t, rest, err := getWord(value)
		if err == nil {
			lastNonWSWasDot = false
		} else if err == errHeaderParse {
			if !firstIn(value, cfwsLeader) {
				return nil, value, err
			}
			t, rest = getCFWS(value)
		} else {
			return nil, value, err
		}
		value = rest
		olp.add(t)
	}
	// Python indexes without checking: IndexError on an empty result or
	// a lone CFWS.
	k := olp.kids
	if k[0].typ == "dot" || k[0].typ == "cfws" && k[1].typ == "dot" {
		olp.defect(defectInvalidHeader)
	}
	if k[len(k)-1].typ == "dot" || k[len(k)-1].typ == "cfws" && k[len(k)-2].typ == "dot" {
		olp.defect(defectInvalidHeader)
	}
	if len(olp.defects()) > 0 {
		olp.typ = "invalid-obs-local-part"
	}
	return olp, value, nil
}

// getDText is get_dtext.
func getDText(value string) (*token, string) {
	ptext, rest, hadQP := getPtextToEndchars(value, "[]")
	t := valueTerminal(ptext, "ptext")
	if hadQP {
		t.defect(defectObsoleteHeader)
	}
	validateXText(t)
	return t, rest
}

func checkForEarlyDLEnd(value string, dl *token) bool {
	if value != "" {
		return false
	}
	// Python appends the defect object itself to the token list; the
	// next all_defects over the tree then fails with AttributeError.
	dl.defect(defectInvalidHeader)
	dl.poisoned = true
	dl.add(valueTerminal("]", "domain-literal-end"))
	return true
}

// getDomainLiteral is get_domain_literal.
func getDomainLiteral(value string) (*token, string, error) {
	dl := newList(clsDomainLiteral)
	value = dl.addCFWSAt(value)
	if value == "" || value[0] != '[' {
		return nil, value, errHeaderParse
	}
	value = pyRest(value)
	if checkForEarlyDLEnd(value, dl) {
		return dl, value, nil
	}
	dl.add(valueTerminal("[", "domain-literal-start"))
	var t *token
	if isWSP(value[0]) {
		t, value = getFWS(value)
		dl.add(t)
	}
	t, value = getDText(value)
	dl.add(t)
	if checkForEarlyDLEnd(value, dl) {
		return dl, value, nil
	}
	if isWSP(value[0]) {
		t, value = getFWS(value)
		dl.add(t)
	}
	if checkForEarlyDLEnd(value, dl) {
		return dl, value, nil
	}
	if value[0] != ']' {
		return nil, value, errHeaderParse
	}
	dl.add(valueTerminal("]", "domain-literal-end"))
	value = pyRest(value)
	value = dl.addCFWS(value)
	return dl, value, nil
}

// getDomain is get_domain.
func getDomain(value string) (*token, string, error) {
	d := newList(clsDomain)
	var leader *token
	if headIn(value, cfwsLeader) {
		leader, value = getCFWS(value)
	}
	if value == "" {
		return nil, value, errHeaderParse
	}
	if value[0] == '[' {
		t, rest, err := getDomainLiteral(value)
		if err != nil {
			return nil, value, err
		}
		if leader != nil {
			t.prepend(leader)
		}
		d.add(t)
		return d, rest, nil
	}
	t, rest, err := getDotAtom(value)
	if err == errHeaderParse {
		t, rest, err = getAtom(value)
	}
	if err != nil {
		return nil, value, err
	}
	value = rest
	if value != "" && value[0] == '@' {
		return nil, value, errHeaderParse
	}
	if leader != nil {
		t.prepend(leader)
	}
	d.add(t)
	if value != "" && value[0] == '.' {
		d.defect(defectObsoleteHeader)
		if d.kids[0].typ == "dot-atom" {
			d.kids = append([]*token(nil), d.kids[0].kids...)
		}
		for value != "" && value[0] == '.' {
			d.add(dotTerminal())
			t, value, err = getAtom(pyRest(value))
			if err != nil {
				return nil, value, err
			}
			d.add(t)
		}
	}
	return d, value, nil
}

// getAddrSpec is get_addr_spec.
func getAddrSpec(value string) (*token, string, error) {
	as := newList(clsAddrSpec)
	t, value, err := getLocalPart(value)
	if err != nil {
		return nil, value, err
	}
	as.add(t)
	if value == "" || value[0] != '@' {
		as.defect(defectInvalidHeader)
		return as, value, nil
	}
	as.add(valueTerminal("@", "address-at-symbol"))
	t, value, err = getDomain(pyRest(value))
	if err != nil {
		return nil, value, err
	}
	as.add(t)
	return as, value, nil
}

// getObsRoute is get_obs_route.
func getObsRoute(value string) (*token, string, error) {
	or := newList(clsObsRoute)
	for value != "" && (value[0] == ',' || firstIn(value, cfwsLeader)) {
		if firstIn(value, cfwsLeader) {
			var t *token
			t, value = getCFWS(value)
			or.add(t)
		} else {
			or.add(valueTerminal(",", "list-separator"))
			value = pyRest(value)
		}
	}
	if value == "" || value[0] != '@' {
		return nil, value, errHeaderParse
	}
	or.add(valueTerminal("@", "route-component-marker"))
	t, value, err := getDomain(pyRest(value))
	if err != nil {
		return nil, value, err
	}
	or.add(t)
	for value != "" && value[0] == ',' {
		or.add(valueTerminal(",", "list-separator"))
		value = pyRest(value)
		if value == "" {
			break
		}
		value = or.addCFWS(value)
		if value[0] == '@' {
			or.add(valueTerminal("@", "route-component-marker"))
			t, value, err = getDomain(pyRest(value))
			if err != nil {
				return nil, value, err
			}
			or.add(t)
		}
	}
	if value == "" || value[0] != ':' {
		return nil, value, errHeaderParse
	}
	or.add(valueTerminal(":", "end-of-obs-route-marker"))
	return or, pyRest(value), nil
}

// getAngleAddr is get_angle_addr.
func getAngleAddr(value string) (*token, string, error) {
	aa := newList(clsAngleAddr)
	value = aa.addCFWSAt(value)
	if value == "" || value[0] != '<' {
		return nil, value, errHeaderParse
	}
	aa.add(valueTerminal("<", "angle-addr-start"))
	value = pyRest(value)
	if value[0] == '>' {
		aa.add(valueTerminal(">", "angle-addr-end"))
		aa.defect(defectInvalidHeader)
		return aa, pyRest(value), nil
	}
	t, rest, err := getAddrSpec(value)
	if err == errHeaderParse {
		t, rest, err = getObsRoute(value)
		if err != nil {
			return nil, value, errHeaderParse
		}
		aa.defect(defectObsoleteHeader)
		aa.add(t)
		t, rest, err = getAddrSpec(rest)
	}
	if err != nil {
		return nil, value, err
	}
	value = rest
	aa.add(t)
	if value != "" && value[0] == '>' {
		value = pyRest(value)
	} else {
		aa.defect(defectInvalidHeader)
	}
	aa.add(valueTerminal(">", "angle-addr-end"))
	value = aa.addCFWS(value)
	return aa, value, nil
}

// getDisplayName is get_display_name.
func getDisplayName(value string) (*token, string, error) {
	p, value, err := getPhrase(value)
	if err != nil {
		return nil, value, err
	}
	dn := newList(clsDisplayName, p.kids...)
	dn.addDefects(p.defects()...)
	return dn, value, nil
}

// getNameAddr is get_name_addr.
func getNameAddr(value string) (*token, string, error) {
	na := newList(clsNameAddr)
	var leader *token
	if headIn(value, cfwsLeader) {
		leader, value = getCFWS(value)
		if value == "" {
			return nil, value, errHeaderParse
		}
	}
	if value[0] != '<' {
		if firstIn(value, phraseEnds) {
			return nil, value, errHeaderParse
		}
		t, rest, err := getDisplayName(value)
		if err != nil {
			return nil, value, err
		}
		value = rest
		if value == "" {
			return nil, value, errHeaderParse
		}
		if leader != nil {
			if t.kids[0].isTerminal() {
				return nil, value, &pythonRaise{"TypeError", "'ValueTerminal' object does not support item assignment"}
			}
			t.kids[0].prepend(leader)
			leader = nil
		}
		na.add(t)
	}
	t, value, err := getAngleAddr(value)
	if err != nil {
		return nil, value, err
	}
	if leader != nil {
		t.prepend(leader)
	}
	na.add(t)
	return na, value, nil
}

// getMailbox is get_mailbox.
func getMailbox(value string) (*token, string, error) {
	mb := newList(clsMailbox)
	t, rest, err := getNameAddr(value)
	if err == errHeaderParse {
		t, rest, err = getAddrSpec(value)
	}
	if err != nil {
		return nil, value, err
	}
	if t.hasPoison() {
		return nil, value, errDefectInTree
	}
	if t.hasDefect(defectInvalidHeader) {
		mb.typ = "invalid-mailbox"
	}
	mb.add(t)
	return mb, rest, nil
}

// getInvalidMailbox is get_invalid_mailbox.
func getInvalidMailbox(value, endchars string) (*token, string, error) {
	im := newList(clsInvalidMailbox)
	for value != "" && !firstIn(value, endchars) {
		if firstIn(value, phraseEnds) {
			im.add(valueTerminal(value[:1], "misplaced-special"))
			value = pyRest(value)
			continue
		}
		t, rest, err := getPhrase(value)
		if err != nil {
			return nil, value, err
		}
		value = rest
		im.add(t)
	}
	return im, value, nil
}

// getMailboxList is get_mailbox_list.
func getMailboxList(value string) (*token, string, error) {
	ml := newList(clsMailboxList)
	for value != "" && value[0] != ';' {
		t, rest, err := getMailbox(value)
		if err == nil {
			ml.add(t)
			value = rest
		} else if err != errHeaderParse {
			return nil, value, err
		} else {
			var leader *token
			if firstIn(value, cfwsLeader) {
				leader, value = getCFWS(value)
				if value == "" || firstIn(value, ",;") {
					ml.add(leader)
					ml.defect(defectObsoleteHeader)
				} else {
					t, value, err = getInvalidMailbox(value, ",;")
					if err != nil {
						return nil, value, err
					}
					t.prepend(leader)
					ml.add(t)
					ml.defect(defectInvalidHeader)
				}
			} else if value[0] == ',' {
				ml.defect(defectObsoleteHeader)
			} else {
				t, value, err = getInvalidMailbox(value, ",;")
				if err != nil {
					return nil, value, err
				}
				ml.add(t)
				ml.defect(defectInvalidHeader)
			}
		}
		if value != "" && !firstIn(value, ",;") {
			mailbox := ml.last()
			mailbox.typ = "invalid-mailbox"
			t, rest, err := getInvalidMailbox(value, ",;")
			if err != nil {
				return nil, value, err
			}
			value = rest
			mailbox.add(t.kids...)
			ml.defect(defectInvalidHeader)
		}
		if value != "" && value[0] == ',' {
			ml.add(valueTerminal(",", "list-separator"))
			value = pyRest(value)
		}
	}
	return ml, value, nil
}

// allMailboxCount is len(MailboxList.all_mailboxes).
func (t *token) allMailboxCount() int {
	n := 0
	for _, k := range t.kids {
		if k.typ == "mailbox" || k.typ == "invalid-mailbox" {
			n++
		}
	}
	return n
}

// getGroupList is get_group_list.
func getGroupList(value string) (*token, string, error) {
	gl := newList(clsGroupList)
	if value == "" {
		gl.defect(defectInvalidHeader)
		return gl, value, nil
	}
	var leader *token
	if firstIn(value, cfwsLeader) {
		leader, value = getCFWS(value)
		if value == "" {
			gl.defect(defectInvalidHeader)
			gl.add(leader)
			return gl, value, nil
		}
		if value[0] == ';' {
			gl.add(leader)
			return gl, value, nil
		}
	}
	t, value, err := getMailboxList(value)
	if err != nil {
		return nil, value, err
	}
	if t.allMailboxCount() == 0 {
		if leader != nil {
			gl.add(leader)
		}
		gl.add(t.kids...)
		gl.defect(defectObsoleteHeader)
		return gl, value, nil
	}
	if leader != nil {
		t.prepend(leader)
	}
	gl.add(t)
	return gl, value, nil
}

// getGroup is get_group.
func getGroup(value string) (*token, string, error) {
	g := newList(clsGroup)
	t, value, err := getDisplayName(value)
	if err != nil {
		return nil, value, err
	}
	if value == "" || value[0] != ':' {
		return nil, value, errHeaderParse
	}
	g.add(t)
	g.add(valueTerminal(":", "group-display-name-terminator"))
	value = pyRest(value)
	if value != "" && value[0] == ';' {
		g.add(valueTerminal(";", "group-terminator"))
		return g, pyRest(value), nil
	}
	t, value, err = getGroupList(value)
	if err != nil {
		return nil, value, err
	}
	g.add(t)
	if value == "" {
		g.defect(defectInvalidHeader)
	} else if value[0] != ';' {
		return nil, value, errHeaderParse
	}
	g.add(valueTerminal(";", "group-terminator"))
	if value != "" {
		value = pyRest(value)
	}
	value = g.addCFWS(value)
	return g, value, nil
}

// getAddress is get_address: a group or a mailbox.
func getAddress(value string) (*token, string, error) {
	a := newList(clsAddress)
	t, rest, err := getGroup(value)
	if err == errHeaderParse {
		t, rest, err = getMailbox(value)
	}
	if err != nil {
		return nil, value, err
	}
	a.add(t)
	return a, rest, nil
}

// getAddressList is get_address_list (RFC 5322 section 3.4 with error
// recovery: invalid entries become invalid-mailbox tokens).
func getAddressList(value string) (*token, error) {
	al := newList(clsAddressList)
	for value != "" {
		t, rest, err := getAddress(value)
		if err == nil {
			al.add(t)
			value = rest
		} else if err != errHeaderParse {
			return nil, err
		} else {
			var leader *token
			if firstIn(value, cfwsLeader) {
				leader, value = getCFWS(value)
				if value == "" || value[0] == ',' {
					al.add(leader)
					al.defect(defectObsoleteHeader)
				} else {
					t, value, err = getInvalidMailbox(value, ",")
					if err != nil {
						return nil, err
					}
					t.prepend(leader)
					al.add(newList(clsAddress, t))
					al.defect(defectInvalidHeader)
				}
			} else if value[0] == ',' {
				al.defect(defectObsoleteHeader)
			} else {
				t, value, err = getInvalidMailbox(value, ",")
				if err != nil {
					return nil, err
				}
				al.add(newList(clsAddress, t))
				al.defect(defectInvalidHeader)
			}
		}
		if value != "" && value[0] != ',' {
			mailbox := al.last().kids[0]
			if mailbox.isTerminal() {
				// Python: a terminal has no extend().
				return nil, &pythonRaise{"AttributeError", "'WhiteSpaceTerminal' object has no attribute 'extend'"}
			}
			mailbox.typ = "invalid-mailbox"
			t, rest, err := getInvalidMailbox(value, ",")
			if err != nil {
				return nil, err
			}
			value = rest
			mailbox.add(t.kids...)
			al.defect(defectInvalidHeader)
		}
		if value != "" {
			al.add(valueTerminal(",", "list-separator"))
			value = pyRest(value)
		}
	}
	return al, nil
}

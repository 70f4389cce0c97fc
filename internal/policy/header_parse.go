package policy

import (
	"errors"
	"regexp"
	"strings"
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
	phraseEnds       = "()<>@,:;\\[]" // SPECIALS - '."('
	cfwsLeader       = " \t("
	tspecials        = "()<>@,:;\\\"[]/?="
	tokenEnds        = tspecials + " \t"
	aspecials        = tspecials + "*'%"
	attributeEnds    = aspecials + " \t"
	extendedAttrEnds = "()<>@,:;\\\"[]/?=*' \t"
)

// in reports whether the first character of s is one of the ASCII set.
func firstIn(s, set string) bool { return s != "" && s[0] < 0x80 && strings.IndexByte(set, s[0]) >= 0 }

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
	ew.defects = append(ew.defects, defects...)
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
var rfc2047Matcher = regexp.MustCompile(`=\?[^?]*\?[qQbB]\?[^\n]*?\?=`)

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
		if validEW && rfc2047Matcher.MatchString(tok) {
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

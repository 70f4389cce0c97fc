package policy

import (
	"errors"
	"strconv"
	"strings"
)

// refoldHeader parses value as the header kind of name and folds it as
// Python's header_factory(name, value).fold(policy=p) does, encoded as
// fold_binary encodes it. The error is a *pythonRaise where Python raises
// (or never returns), or errUnsupportedCharset where the value needs a
// charset this package cannot decode.
func (p *Policy) refoldHeader(name, value string) (folded string, err error) {
	return p.refoldHeaderText(name, pyFromSource(value))
}

// refoldHeaderText is refoldHeader for a value that is already Python
// text (a header object stored from a str: non-ASCII characters as
// UTF-8, undecodable bytes as surrogate escapes).
func (p *Policy) refoldHeaderText(name, value string) (folded string, err error) {
	if unstructuredHeader(strings.ToLower(name)) {
		if folded, ok := refoldUnstructuredASCII(name, value, p.foldWidth(), p.Linesep); ok {
			return folded, nil
		}
	}
	return p.refoldHeaderTree(name, value)
}

// refoldHeaderTree is refoldHeaderText through the parse tree, for any
// header.
func (p *Policy) refoldHeaderTree(name, value string) (folded string, err error) {
	defer func() {
		// An index out of range here is Python's IndexError on the same
		// malformed input: report it, never crash.
		if r := recover(); r != nil {
			folded, err = "", &pythonRaise{"IndexError", "string index out of range"}
		}
	}()
	lname := strings.ToLower(name)
	tree, err := parseHeaderValue(lname, value)
	if err != nil {
		return "", err
	}
	if tree.hasPoison() {
		return "", errDefectInTree
	}
	if err := checkMIMEParameters(tree); err != nil {
		return "", err
	}
	if isAddressHeader(lname) {
		if err := checkAddressList(tree); err != nil {
			return "", err
		}
	}
	header := newList(clsHeader, newList(clsHeaderLabel,
		valueTerminal(name, "header-name"), valueTerminal(":", "header-sep")))
	if len(tree.kids) > 0 {
		header.add(newList(clsCFWSList, newTerminal(clsWhiteSpaceTerminal, " ", "fws")))
	}
	header.add(tree)
	header.freeze()
	s, err := p.refoldParseTree(header)
	if err != nil {
		return "", err
	}
	encoding := "ascii"
	if p.UTF8 {
		encoding = "utf-8"
	}
	return pyEncode(s, encoding)
}

func isAddressHeader(lname string) bool {
	switch lname {
	case "sender", "resent-sender", "to", "resent-to", "cc", "resent-cc", "bcc", "resent-bcc",
		"from", "resent-from", "reply-to":
		return true
	}
	return false
}

// parseHeaderValue builds the parse tree the header class of Python's
// headerregistry builds for a header of this (lower-case) name.
func parseHeaderValue(lname, value string) (*token, error) {
	switch lname {
	case "date", "resent-date", "orig-date":
		return parseDateHeader(value)
	case "sender", "resent-sender", "to", "resent-to", "cc", "resent-cc", "bcc", "resent-bcc",
		"from", "resent-from", "reply-to":
		return getAddressList(value)
	case "mime-version":
		return parseMIMEVersion(value)
	case "content-type":
		return parseParameterizedHeader(clsContentType, value)
	case "content-disposition":
		return parseParameterizedHeader(clsContentDisposition, value)
	case "content-transfer-encoding":
		return parseContentTransferEncoding(value)
	case "message-id":
		return parseMessageID(value)
	default:
		return getUnstructured(value)
	}
}

// foldToken is token.fold(policy): MsgID tokens are written whole, any
// other list is refolded on its own.
func (p *Policy) foldToken(t *token) (string, error) {
	switch t.cls {
	case clsMsgID, clsMessageID, clsInvalidMessageID:
		return t.str() + p.Linesep, nil
	}
	return p.refoldParseTree(t)
}

func (p *Policy) foldWidth() int {
	if p.MaxLineLength > 0 {
		return p.MaxLineLength
	}
	return int(^uint(0) >> 1)
}

// stealTrailingWSP is _steal_trailing_WSP_if_exists.
func (l *foldLines) stealTrailingWSP() string {
	if n := len(l.cur); n > 0 && isWSP(l.cur[n-1]) {
		c := string(l.cur[n-1:])
		l.cur = l.cur[:n-1]
		l.runes--
		return c
	}
	return ""
}

// foldLines is the list of output lines of _refold_parse_tree. The last
// line grows in place and keeps its length in runes, so that folding a
// long value with no line limit stays linear.
type foldLines struct {
	done  []string
	cur   []byte
	runes int
}

// add is lines[-1] += s.
func (l *foldLines) add(s string) {
	l.cur = append(l.cur, s...)
	l.runes += pyLen(s)
}

// newLine is lines.append(s).
func (l *foldLines) newLine(s string) {
	l.done = append(l.done, string(l.cur))
	l.cur = append(l.cur[:0], s...)
	l.runes = pyLen(s)
}

func (l *foldLines) lastLen() int { return l.runes }

func (l *foldLines) last() string { return string(l.cur) }

// setLast is lines[-1] = s.
func (l *foldLines) setLast(s string) {
	l.cur = append(l.cur[:0], s...)
	l.runes = pyLen(s)
}

func (l *foldLines) join(sep string) string {
	return strings.Join(append(l.done, string(l.cur)), sep)
}

// refoldParseTree is _refold_parse_tree: RFC 5322 section 2.2.3 folding
// at the highest syntactic level that fits, with RFC 2047 encoded words
// for text that is not ASCII (or not UTF-8 under utf8) or cannot be
// broken otherwise.
func (p *Policy) refoldParseTree(tree *token) (string, error) {
	maxlen := p.foldWidth()
	encoding := "us-ascii"
	if p.UTF8 {
		encoding = "utf-8"
	}
	lines := &foldLines{}
	lastEW := -1
	wrapAsEWBlocked := 0
	wantEncoding := false
	endEWNotAllowed := newTerminal(clsValueTerminal, "", "wrap_as_ew_blocked")
	parts := append([]*token(nil), tree.kids...)
	for len(parts) > 0 {
		part := parts[0]
		parts = parts[1:]
		if part == endEWNotAllowed {
			wrapAsEWBlocked--
			continue
		}
		tstr := part.str()
		if part.typ == "ptext" && strings.ContainsAny(tstr, specials) {
			wantEncoding = true
		}
		charset := encoding
		if !pyStrictEncodable(tstr, encoding) {
			if part.hasDefect(defectUndecodableBytes) {
				charset = "unknown-8bit"
			} else {
				charset = "utf-8"
			}
			wantEncoding = true
		}
		if part.typ == "mime-parameters" {
			var err error
			err = foldMIMEParameters(part, lines, maxlen, encoding)
			if err != nil {
				return "", err
			}
			continue
		}
		if wantEncoding && wrapAsEWBlocked == 0 {
			if !part.asEWAllowed() {
				wantEncoding = false
				lastEW = -1
				if part.syntacticBreak() {
					encoded, err := p.foldToken(part)
					if err != nil {
						return "", err
					}
					encoded = encoded[:len(encoded)-len(p.Linesep)]
					if !strings.Contains(encoded, p.Linesep) {
						if pyLen(encoded) > maxlen-lines.lastLen() {
							lines.newLine(lines.stealTrailingWSP())
						}
						lines.add(encoded)
						continue
					}
				}
			}
			if !part.isTerminal() {
				parts = append(append([]*token(nil), part.kids...), parts...)
			} else {
				var err error
				lastEW, err = foldAsEW(tstr, lines, maxlen, lastEW, part.ewCombineAllowed(), charset)
				if err != nil {
					return "", err
				}
			}
			wantEncoding = false
			continue
		}
		if pyLen(tstr) <= maxlen-lines.lastLen() {
			lines.add(tstr)
			continue
		}
		if part.syntacticBreak() && pyLen(tstr)+1 <= maxlen {
			newline := lines.stealTrailingWSP()
			if newline != "" || part.startsWithFWS() {
				lines.newLine(newline + tstr)
				lastEW = -1
				continue
			}
		}
		if !part.isTerminal() {
			newparts := append([]*token(nil), part.kids...)
			if !part.asEWAllowed() {
				wrapAsEWBlocked++
				newparts = append(newparts, endEWNotAllowed)
			}
			parts = append(newparts, parts...)
			continue
		}
		if part.asEWAllowed() && wrapAsEWBlocked == 0 {
			parts = append([]*token{part}, parts...)
			wantEncoding = true
			continue
		}
		newline := lines.stealTrailingWSP()
		if newline != "" || part.startsWithFWS() {
			lines.newLine(newline + tstr)
		} else {
			lines.add(tstr)
		}
	}
	return lines.join(p.Linesep) + p.Linesep, nil
}

// foldAsEW is _fold_as_ew: toEncode written as encoded words, merged with
// the encoded word ending the last line (starting at rune lastEW, -1 for
// none) when combining is allowed. It returns the new lastEW.
func foldAsEW(toEncode string, lines *foldLines, maxlen, lastEW int, combine bool, charset string) (int, error) {
	if lastEW >= 0 && combine {
		last := lines.last()
		off := pyByteOffset(last, lastEW)
		u, err := getUnstructured(last[off:] + toEncode)
		if err != nil {
			return 0, err
		}
		toEncode = u.str()
		lines.setLast(last[:off])
	}
	if toEncode == "" {
		return 0, errPyIndex
	}
	if isWSP(toEncode[0]) {
		leading := toEncode[:1]
		toEncode = toEncode[1:]
		if lines.lastLen() == maxlen {
			lines.newLine(lines.stealTrailingWSP())
		}
		lines.add(leading)
	}
	if toEncode == "" {
		return 0, errPyIndex
	}
	trailing := ""
	if isWSP(toEncode[len(toEncode)-1]) {
		trailing = toEncode[len(toEncode)-1:]
		toEncode = toEncode[:len(toEncode)-1]
	}
	newLastEW := lastEW
	if lastEW < 0 {
		newLastEW = lines.lastLen()
	}
	encodeAs := charset
	if charset == "us-ascii" {
		encodeAs = "utf-8"
	}
	chromeLen := len(encodeAs) + 7
	if chromeLen+1 >= maxlen {
		return 0, &pythonRaise{"HeaderParseError", "max_line_length is too small to fit an encoded word"}
	}
	stuck := 0
	for toEncode != "" {
		remaining := maxlen - lines.lastLen()
		textSpace := remaining - chromeLen
		if textSpace <= 0 {
			lines.newLine(" ")
			continue
		}
		word := toEncode[:pyByteOffset(toEncode, textSpace)]
		ew, err := encodeWord(word, encodeAs)
		if err != nil {
			return 0, err
		}
		for len(ew) > remaining {
			_, size := lastRune(word)
			word = word[:len(word)-size]
			if ew, err = encodeWord(word, encodeAs); err != nil {
				return 0, err
			}
		}
		if word == "" {
			if stuck++; stuck > 2 {
				return 0, errPyNoProgress
			}
		}
		lines.add(ew)
		toEncode = toEncode[len(word):]
		if toEncode != "" {
			lines.newLine(" ")
			newLastEW = lines.lastLen()
		}
	}
	lines.add(trailing)
	if !combine {
		return -1, nil
	}
	return newLastEW, nil
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0x80 || s[i] >= 0xC0 {
			r := []rune(s[i:])
			return r[0], len(s) - i
		}
	}
	return 0, 0
}

// urlQuote is urllib.parse.quote(s, safe=”) of already-encoded bytes:
// every byte but letters, digits and "_.-~" as %XX (RFC 2231 section 4).
func urlQuote(b string) string {
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0 {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&15])
	}
	return sb.String()
}

// foldMIMEParameters is _fold_mime_parameters: each parameter as
// name="value", or RFC 2231 name*=charset”value when it cannot be
// written in encoding, split into numbered sections when too long.
func foldMIMEParameters(part *token, lines *foldLines, maxlen int, encoding string) error {
	for _, param := range part.params() {
		name, value := param.name, param.value
		if !strings.HasSuffix(strings.TrimRightFunc(lines.last(), pyRuneIsSpace), ";") {
			lines.add(";")
		}
		charset := encoding
		encodingRequired := !pyStrictEncodable(value, encoding)
		var tstr string
		if encodingRequired {
			if pyHasSurrogates(value) {
				charset = "unknown-8bit"
			} else {
				charset = "utf-8"
			}
			b, _ := pyEncode(value, "utf-8")
			tstr = name + "*=" + charset + "''" + urlQuote(b)
		} else {
			tstr = name + "=" + quoteString(value)
		}
		if lines.lastLen()+pyLen(tstr)+1 < maxlen {
			lines.add(" " + tstr)
			continue
		} else if pyLen(tstr)+2 <= maxlen {
			lines.newLine(" " + tstr)
			continue
		}
		section := 0
		extraChrome := charset + "''"
		for value != "" {
			chromeLen := pyLen(name) + len(strconv.Itoa(section)) + 3 + len(extraChrome)
			if maxlen <= chromeLen+3 {
				maxlen = 78
			}
			maxchars := maxlen - chromeLen - 2
			if maxchars < 0 {
				// Python's negative slices never shrink to a fit here.
				return errPyNoProgress
			}
			splitpoint := maxchars
			var encoded string
			for {
				partial := value[:pyByteOffset(value, splitpoint)]
				b, _ := pyEncode(partial, "utf-8")
				encoded = urlQuote(b)
				if len(encoded) <= maxchars {
					break
				}
				splitpoint--
			}
			if splitpoint <= 0 && extraChrome == "" {
				// Nothing fits and nothing will change: Python loops.
				return errPyNoProgress
			}
			lines.newLine(" " + name + "*" + strconv.Itoa(section) + "*=" + extraChrome + encoded)
			extraChrome = ""
			section++
			value = value[pyByteOffset(value, splitpoint):]
			if value != "" {
				lines.add(";")
			}
		}
	}
	return nil
}

// checkAddressList raises where Python's AddressHeader.parse raises while
// building its Group and Address objects from the parse tree: it reads
// display_name, local_part and domain of every entry of all_mailboxes,
// and those properties fail on some malformed trees (AttributeError,
// IndexError), and Address() refuses CR or LF decoded from an encoded
// word (ValueError).
func checkAddressList(list *token) error {
	attrErr := func(what string) error {
		return &pythonRaise{"AttributeError", "object has no attribute '" + what + "'"}
	}
	crlf := &pythonRaise{"ValueError", "invalid arguments; address parts cannot contain CR or LF"}
	for _, addr := range list.kids {
		if addr.typ != "address" {
			continue
		}
		first := addr.kids[0]
		if first.typ == "group" {
			if err := checkDisplayName(first.kids[0]); err != nil {
				return err
			}
		}
		var mailboxes []*token
		switch first.typ {
		case "mailbox", "invalid-mailbox":
			mailboxes = []*token{first}
		default:
			// Group.all_mailboxes -> GroupList.all_mailboxes.
			if first.cls != clsGroup {
				return attrErr("all_mailboxes")
			}
			if gl := first.kids[2]; gl.typ == "group-list" && len(gl.kids) > 0 && gl.kids[0].typ == "mailbox-list" {
				for _, mb := range gl.kids[0].kids {
					if mb.typ == "mailbox" || mb.typ == "invalid-mailbox" {
						mailboxes = append(mailboxes, mb)
					}
				}
			}
		}
		for _, mb := range mailboxes {
			switch mb.cls {
			case clsInvalidMailbox:
				continue
			case clsGroup:
				if err := checkDisplayName(mb.kids[0]); err != nil {
					return err
				}
				return attrErr("local_part")
			case clsMailbox:
			default:
				return attrErr("display_name")
			}
			inner := mb.kids[0]
			var addrSpec *token
			if inner.typ == "name-addr" {
				if len(inner.kids) > 1 {
					if err := checkDisplayName(inner.kids[0]); err != nil {
						return err
					}
					if ewHasCRLF(inner.kids[0]) {
						return crlf
					}
				}
				for _, k := range inner.kids[len(inner.kids)-1].kids {
					if k.typ == "addr-spec" {
						addrSpec = k
						break
					}
				}
			} else {
				addrSpec = inner
			}
			if addrSpec != nil {
				if err := checkLocalPart(addrSpec.kids[0]); err != nil {
					return err
				}
				if ewHasCRLF(addrSpec.kids[0]) {
					return crlf
				}
			}
		}
	}
	return nil
}

// checkDisplayName raises where DisplayName.display_name does: a name
// that begins or ends with a bare "." (AttributeError) or holds nothing
// but comments (IndexError).
func checkDisplayName(dn *token) error {
	res := dn.kids
	if len(res) == 0 {
		return nil
	}
	attrErr := &pythonRaise{"AttributeError", "'str' object has no attribute 'token_type'"}
	if res[0].typ == "cfws" {
		res = res[1:]
	} else if res[0].isTerminal() {
		return attrErr
	}
	if len(res) == 0 {
		return errPyIndex
	}
	if last := res[len(res)-1]; last.typ != "cfws" && last.isTerminal() {
		return attrErr
	}
	return nil
}

// checkLocalPart raises where LocalPart.local_part does: it indexes the
// first and last element of the token lists around each dot, which fails
// on an empty list (an empty quoted string, for one).
func checkLocalPart(lp *token) error {
	if lp.typ != "local-part" || len(lp.kids) == 0 {
		return nil
	}
	toks := append(append([]*token(nil), lp.kids[0].kids...), dotTerminal())
	if lp.kids[0].isTerminal() {
		return &pythonRaise{"TypeError", "can only concatenate str (not \"list\") to str"}
	}
	res := []*token{dotTerminal()}
	last := res[0]
	lastIsTL := false
	for _, tok := range toks {
		if tok.typ == "cfws" {
			continue
		}
		if lastIsTL && tok.typ == "dot" {
			if len(last.kids) == 0 {
				return errPyIndex
			}
			if last.kids[len(last.kids)-1].typ == "cfws" {
				res[len(res)-1] = newList(clsTokenList, last.kids[:len(last.kids)-1]...)
			}
		}
		isTL := !tok.isTerminal()
		if isTL && last.typ == "dot" {
			if len(tok.kids) == 0 {
				return errPyIndex
			}
			if tok.kids[0].typ == "cfws" {
				res = append(res, newList(clsTokenList, tok.kids[1:]...))
			} else {
				res = append(res, tok)
			}
		} else {
			res = append(res, tok)
		}
		last = res[len(res)-1]
		lastIsTL = isTL
	}
	return nil
}

// ewHasCRLF reports whether an encoded word below t decoded to text with
// CR or LF (outside comments).
func ewHasCRLF(t *token) bool {
	if t.cls == clsComment {
		return false
	}
	if t.cls == clsEncodedWord && strings.ContainsAny(t.str(), "\r\n") {
		return true
	}
	for _, k := range t.kids {
		if ewHasCRLF(k) {
			return true
		}
	}
	return false
}

// foldText is fold_binary of a header object Python built from text (the
// Content-Type set_param stores): always refolded from its parse tree.
// The error is a *HeaderFoldError where Python raises.
func (p *Policy) foldText(name, text string) (string, error) {
	folded, err := p.refoldHeaderText(name, text)
	var raise *pythonRaise
	if errors.As(err, &raise) {
		return "", &HeaderFoldError{Name: name, PythonError: raise.class, Detail: raise.msg}
	}
	return folded, err
}

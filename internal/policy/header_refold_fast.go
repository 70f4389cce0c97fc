package policy

import "strings"

// unstructuredHeader reports whether Python's header registry gives a
// header of this (lower-case) name the UnstructuredHeader class (every
// name parseHeaderValue does not parse otherwise; RFC 5322 section 3.6.5
// unstructured fields and any unknown field).
func unstructuredHeader(lname string) bool {
	switch lname {
	case "date", "resent-date", "orig-date",
		"sender", "resent-sender", "to", "resent-to", "cc", "resent-cc", "bcc", "resent-bcc",
		"from", "resent-from", "reply-to",
		"mime-version", "content-type", "content-disposition", "content-transfer-encoding", "message-id":
		return false
	}
	return true
}

// refoldUnstructuredASCII folds an unstructured header whose name and
// value are printable ASCII with blanks and hold no "=?" exactly as
// _refold_parse_tree folds the tree get_unstructured builds for it,
// without building the tree: the value is words (vtext) and runs of
// blanks (fws), each a Terminal, and no part ever needs encoding. It
// reports false, having written nothing, where the generic path must
// decide: a part that fits on no line by itself (Python would wrap it as
// an encoded word), or a label wider than the line.
func refoldUnstructuredASCII(name, value string, maxlen int, linesep string) (string, bool) {
	if len(name)+2 > maxlen || strings.Contains(value, "=?") {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return "", false
		}
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < ' ' || c >= 0x7f) && c != '\t' {
			return "", false
		}
	}
	buf := make([]byte, 0, len(name)+2+len(value)+len(linesep)*(2+len(value)/max(maxlen/2, 1)))
	// The current line is buf[lineStart:]; the lines before it are done.
	lineStart := 0
	buf = append(buf, name...)
	buf = append(buf, ':') // HeaderLabel
	if value == "" {
		return string(append(buf, linesep...)), true
	}
	buf = append(buf, ' ') // the CFWSList after the label
	fits := func(text string) bool { return len(text) <= maxlen-(len(buf)-lineStart) }
	// newLine starts a line with the trailing blank of the current line
	// (_steal_trailing_WSP_if_exists) and text; it reports false when
	// there is no such blank and text does not start with one.
	newLine := func(text string) bool {
		var steal []byte
		if n := len(buf); n > lineStart && isWSP(buf[n-1]) {
			steal = []byte{buf[n-1]}
			buf = buf[:n-1]
		}
		if steal == nil && !isWSP(text[0]) {
			return false
		}
		buf = append(buf, linesep...)
		lineStart = len(buf)
		buf = append(buf, steal...)
		buf = append(buf, text...)
		return true
	}
	switch {
	case fits(value):
		buf = append(buf, value...)
		return string(append(buf, linesep...)), true
	case len(value)+1 <= maxlen:
		// The UnstructuredTokenList as a whole is a syntactic break.
		if !newLine(value) {
			return "", false
		}
		return string(append(buf, linesep...)), true
	}
	for rest := value; rest != ""; {
		// The next terminal: a run of blanks or a word.
		n := 0
		blank := isWSP(rest[0])
		for n < len(rest) && isWSP(rest[n]) == blank {
			n++
		}
		part := rest[:n]
		rest = rest[n:]
		switch {
		case fits(part):
			buf = append(buf, part...)
		case len(part)+1 <= maxlen && newLine(part):
		default:
			return "", false // Python would make it an encoded word
		}
	}
	return string(append(buf, linesep...)), true
}

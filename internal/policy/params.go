package policy

import (
	"strconv"
	"strings"
)

// mimeParam is one Content-Type parameter (RFC 2045 section 5.1) with its
// value unquoted and RFC 2231 continuations joined.
type mimeParam struct {
	name, value string
}

// pyWhitespace is what Python's str.strip() removes from an ASCII-plus-
// surrogates string (bytes >= 0x80 are surrogates there, never space).
const pyWhitespace = " \t\n\v\f\r\x1c\x1d\x1e\x1f"

func trimPyWhitespace(s string) string { return strings.Trim(s, pyWhitespace) }

// unquoteParam is Python's email.utils.unquote.
func unquoteParam(s string) string {
	if len(s) > 1 {
		if s[0] == '"' && s[len(s)-1] == '"' {
			return strings.ReplaceAll(strings.ReplaceAll(s[1:len(s)-1], `\\`, `\`), `\"`, `"`)
		}
		if s[0] == '<' && s[len(s)-1] == '>' {
			return s[1 : len(s)-1]
		}
	}
	return s
}

// splitParamsCompat32 returns the parameters of a Content-Type value the
// way compat32's Message.get_params sees them: Python's _parseparam split
// on ";" outside quotes, then utils.decode_params. The first element (the
// type itself) is left out.
func splitParamsCompat32(value string) []mimeParam {
	var fields []string
	s := ";" + value
	for len(s) > 0 && s[0] == ';' {
		s = s[1:]
		end := strings.IndexByte(s, ';')
		for end > 0 && (strings.Count(s[:end], `"`)-strings.Count(s[:end], `\"`))%2 != 0 {
			next := strings.IndexByte(s[end+1:], ';')
			if next < 0 {
				end = -1
				break
			}
			end += 1 + next
		}
		if end < 0 {
			end = len(s)
		}
		f := s[:end]
		if i := strings.IndexByte(f, '='); i >= 0 {
			f = strings.ToLower(trimPyWhitespace(f[:i])) + "=" + trimPyWhitespace(f[i+1:])
		}
		fields = append(fields, trimPyWhitespace(f))
		s = s[end:]
	}
	if len(fields) == 0 {
		return nil
	}
	var plain []mimeParam
	type section struct {
		num     int
		value   string
		encoded bool
	}
	var continued []string
	sections := map[string][]section{}
	for _, f := range fields[1:] {
		name, value, _ := strings.Cut(f, "=")
		name, value = trimPyWhitespace(name), trimPyWhitespace(value)
		encoded := strings.HasSuffix(name, "*")
		value = unquoteParam(value)
		if base, num, ok := rfc2231Name(name); ok {
			if _, seen := sections[base]; !seen {
				continued = append(continued, base)
			}
			sections[base] = append(sections[base], section{num, value, encoded})
			continue
		}
		plain = append(plain, mimeParam{name, value})
	}
	for _, name := range continued {
		parts := sections[name]
		// Python sorts by section number; a stable insertion sort keeps
		// the order of equal numbers as sort() does.
		for i := 1; i < len(parts); i++ {
			for j := i; j > 0 && parts[j].num < parts[j-1].num; j-- {
				parts[j], parts[j-1] = parts[j-1], parts[j]
			}
		}
		var b strings.Builder
		extended := false
		for _, s := range parts {
			if s.encoded {
				b.WriteString(percentDecode(s.value))
				extended = true
			} else {
				b.WriteString(s.value)
			}
		}
		v := b.String()
		if extended {
			if pieces := strings.SplitN(v, "'", 3); len(pieces) == 3 {
				v = pieces[2]
			}
		}
		plain = append(plain, mimeParam{name, v})
	}
	return plain
}

// rfc2231Name matches Python's rfc2231_continuation, ^(\w+)\*((\d+)\*?)?$,
// returning the base name and section number (-1 when absent).
func rfc2231Name(name string) (string, int, bool) {
	star := strings.IndexByte(name, '*')
	if star <= 0 {
		return "", 0, false
	}
	base, rest := name[:star], name[star+1:]
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", 0, false
		}
	}
	if rest == "" {
		return base, -1, true
	}
	digits := strings.TrimSuffix(rest, "*")
	n, err := strconv.Atoi(digits)
	if err != nil || digits == "" || strings.ContainsAny(digits, "+-") {
		return "", 0, false
	}
	return base, n, true
}

// percentDecode is urllib.parse.unquote with latin-1: %XX becomes the byte.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Character classes of Python's email._header_value_parser.
const (
	hvpWSP                   = " \t"
	hvpExtendedAttributeEnds = "()<>@,:;\\\"[]/?=*' \t"
	hvpAttributeEnds         = hvpExtendedAttributeEnds + "%"
)

// parseParamsEmail returns the Content-Type parameters the way an
// EmailPolicy Message.get_params sees them: the header value is parsed by
// the header registry (parse_content_type_header) and re-rendered from its
// params, so invalid parameters are dropped, a token value ends at the
// first tspecial and duplicates after the first are ignored.
func parseParamsEmail(value string) []mimeParam {
	i := strings.IndexByte(value, ';')
	if i < 0 {
		return nil
	}
	s := value[i+1:]
	type section struct {
		num      int
		value    string
		extended bool
	}
	var order []string
	sections := map[string][]section{}
	for s != "" {
		name, num, extended, val, rest, ok := hvpParameter(s)
		if ok {
			if _, seen := sections[name]; !seen {
				order = append(order, name)
			}
			sections[name] = append(sections[name], section{num, val, extended})
		}
		s = rest
		// Skip to the next ';' outside a quoted string.
		j := hvpSkipToSemicolon(s)
		if j < 0 {
			break
		}
		s = s[j+1:]
	}
	var params []mimeParam
	for _, name := range order {
		parts := sections[name]
		for i := 1; i < len(parts); i++ {
			for j := i; j > 0 && parts[j].num < parts[j-1].num; j-- {
				parts[j], parts[j-1] = parts[j-1], parts[j]
			}
		}
		if !parts[0].extended && len(parts) > 1 && parts[1].num == 0 {
			parts = parts[:1]
		}
		var b strings.Builder
		next := 0
		for _, p := range parts {
			if p.num != next && !p.extended {
				continue
			}
			next++
			v := p.value
			if p.extended {
				v = percentDecode(v)
			}
			b.WriteString(v)
		}
		params = append(params, mimeParam{strings.ToLower(name), b.String()})
	}
	return params
}

// hvpSkipToSemicolon returns the index of the next ';' in s outside a
// quoted string or comment, or -1.
func hvpSkipToSemicolon(s string) int {
	inQuote, depth := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && (inQuote || depth > 0):
			i++
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		case c == '"':
			inQuote = true
		case c == ';':
			return i
		}
	}
	return -1
}

// hvpCFWS skips white space and comments.
func hvpCFWS(s string) string {
	for s != "" {
		switch s[0] {
		case ' ', '\t':
			s = s[1:]
		case '(':
			depth := 0
			i := 0
			for ; i < len(s); i++ {
				if s[i] == '\\' {
					i++
					continue
				}
				if s[i] == '(' {
					depth++
				} else if s[i] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if i >= len(s) {
				return ""
			}
			s = s[i+1:]
		default:
			return s
		}
	}
	return s
}

// hvpParameter parses one parameter as get_parameter does, returning its
// attribute name, section number (0 when unsectioned), whether it is
// RFC 2231 extended, its value and the unparsed rest.
func hvpParameter(s string) (name string, num int, extended bool, value, rest string, ok bool) {
	s = hvpCFWS(s)
	n := strings.IndexAny(s, hvpAttributeEnds)
	if n < 0 {
		n = len(s)
	}
	name, s = s[:n], hvpCFWS(s[n:])
	if name == "" || s == "" || s[0] == ';' {
		return "", 0, false, "", s, false
	}
	if s[0] == '*' {
		j := 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > 1 {
			num, _ = strconv.Atoi(s[1:j])
			s = s[j:]
		}
		if s == "" {
			return "", 0, false, "", s, false
		}
		if s[0] == '*' {
			extended = true
			s = s[1:]
		}
	}
	if s == "" || s[0] != '=' {
		return "", 0, false, "", s, false
	}
	s = hvpCFWS(s[1:])
	if s == "" {
		return "", 0, false, "", s, false
	}
	if s[0] == '"' {
		var b strings.Builder
		i := 1
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
		}
		value = b.String()
		if i < len(s) {
			i++
		}
		s = s[i:]
	} else {
		ends := hvpExtendedAttributeEnds
		if extended {
			ends = strings.ReplaceAll(ends, "'", "")
		}
		n := strings.IndexAny(s, ends)
		if n < 0 {
			n = len(s)
		}
		if n == 0 {
			return "", 0, false, "", s, false
		}
		value, s = s[:n], s[n:]
	}
	if extended && num == 0 {
		// RFC 2231 section 4: charset'language'value; Python also accepts
		// it inside a quoted string.
		if parts := strings.SplitN(value, "'", 3); len(parts) == 3 {
			value = parts[2]
		}
	}
	return name, num, extended, value, hvpCFWS(s), true
}

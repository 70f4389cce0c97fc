package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// The Content-Type that cte_type=7bit re-encoding writes under the
// EmailPolicy family (RFC 2045 section 5.1, RFC 2231 section 4): Python's
// set_param reads the header object, whose text is the content type
// followed by the parameters as the header registry decoded them
// (MimeParameters.params: RFC 2231 sections percent-decoded and decoded
// with their charset, surrogateescape) with every undecodable byte turned
// into text by utils._sanitize (UTF-8, errors='replace'). _formatparam
// then writes a value that is not ASCII as RFC 2231 utf-8, so the stored
// value is ASCII apart from the content type itself, and the writer
// refolds it like any header object.

// contentTypeWithCharsetEmail is the Content-Type value Python's
// set_param("charset", charset) stores under the EmailPolicy family for
// the header value raw.
func contentTypeWithCharsetEmail(raw, charset string) (string, error) {
	first, _, _ := strings.Cut(raw, ";")
	parts := []string{trimPyWhitespace(first)}
	params, err := emailParamTexts(raw)
	if err != nil {
		return "", err
	}
	for _, p := range params {
		v := p.value
		if strings.EqualFold(p.name, "charset") {
			p.name, v = "charset", charset
		}
		switch {
		case v == "":
			parts = append(parts, p.name)
		case hasSurrogates(v):
			quoted, err := rfc2231Quote(v, "utf-8")
			if err != nil {
				return "", err
			}
			parts = append(parts, p.name+"*=utf-8''"+quoted)
		default:
			parts = append(parts, p.name+`="`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v)+`"`)
		}
	}
	return strings.Join(parts, "; "), nil
}

// emailParamTexts returns the parameters of a Content-Type value as
// MimeParameters.params gives them, each value turned into text (UTF-8)
// as utils._sanitize does: the parameters parseParamsEmail finds, in the
// same order and with the same sections.
func emailParamTexts(value string) ([]mimeParam, error) {
	i := strings.IndexByte(value, ';')
	if i < 0 {
		return nil, nil
	}
	s := value[i+1:]
	type section struct {
		num      int
		value    string
		extended bool
		charset  string // of a section 0 with charset'language'
	}
	var order []string
	sections := map[string][]section{}
	for s != "" {
		name, num, extended, val, rest, ok := hvpParameter(s)
		if ok {
			if _, seen := sections[name]; !seen {
				order = append(order, name)
			}
			sec := section{num: num, value: val, extended: extended, charset: "us-ascii"}
			if extended && num == 0 {
				if cs, found := rfc2231Charset(s[:len(s)-len(rest)]); found {
					sec.charset = cs
				}
			}
			sections[name] = append(sections[name], sec)
		}
		s = rest
		j := hvpSkipToSemicolon(s)
		if j < 0 {
			break
		}
		s = s[j+1:]
	}
	var params []mimeParam
	for _, name := range order {
		parts := sections[name]
		sort.SliceStable(parts, func(i, j int) bool { return parts[i].num < parts[j].num })
		charset := parts[0].charset
		if !parts[0].extended && len(parts) > 1 && parts[1].num == 0 {
			parts = parts[:1]
		}
		// The bytes utils._sanitize decodes: each section as Python's
		// str holds it, surrogate escapes back to their bytes.
		var b strings.Builder
		next := 0
		for _, p := range parts {
			if p.num != next && !p.extended {
				continue
			}
			next++
			switch {
			case !p.extended:
				b.WriteString(p.value)
			case hasSurrogates(p.value):
				// unquote(value, encoding='latin-1'): the escaped bytes
				// stay escaped, each %XX becomes U+00XX.
				b.WriteString(percentDecodeLatin1(p.value))
			default:
				text, _, err := pyDecode([]byte(percentDecode(p.value)), charset)
				switch {
				case errors.Is(err, errDecodeRaises):
					return nil, fmt.Errorf("UnicodeDecodeError: %q codec can't decode parameter %s", charset, name)
				case err != nil:
					return nil, &cjkUnsupportedError{fmt.Sprintf("LookupError: decoding RFC 2231 values in %s is not supported", charset)}
				}
				b.WriteString(unescapeSurrogates(text))
			}
		}
		params = append(params, mimeParam{strings.ToLower(name), decodeUTF8Replace(b.String())})
	}
	return params, nil
}

// rfc2231Charset returns the charset of an RFC 2231 section 0 as written
// in the parameter text param (name*0*="charset'language'value" or
// name*=charset'language'value): the text before the first quote when
// the value has two.
func rfc2231Charset(param string) (string, bool) {
	_, v, ok := strings.Cut(param, "=")
	if !ok {
		return "", false
	}
	v = strings.TrimPrefix(hvpCFWS(v), `"`)
	if strings.Count(v, "'") < 2 {
		return "", false
	}
	cs, _, _ := strings.Cut(v, "'")
	return cs, true
}

// unescapeSurrogates turns the surrogate escapes of a decoded text
// (surrogateBase plus the byte) back into their bytes, as
// str.encode('utf-8', 'surrogateescape') does.
func unescapeSurrogates(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= surrogateBase+0x80 && r <= surrogateBase+0xFF {
			b.WriteByte(byte(r - surrogateBase))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

package policy

// Header folding: Python's policy.fold_binary for Compat32 (the
// email.header.Header algorithm) and EmailPolicy (header_source_parse
// values rejoined, or parsed by the headerregistry header class and
// refolded by _header_value_parser._refold_parse_tree with RFC 2047
// encoded words and RFC 2231 parameters).
//
// Where this code knowingly differs from Python 3.11.7:
//   - Every codec Python 3.11 can decode an encoded word or RFC 2231
//     value with is decoded here as Python does (codec_extra.go lists
//     the ones beyond the CJK and single-byte tables), except: a
//     \N{name} escape of unicode_escape, an idna label starting "xn--",
//     and an iso2022_jp_2 single shift Python fails on with RuntimeError
//     make the header keep its source lines instead of being refolded.
//     An encoded word or RFC 2231 value that decodes to a lone surrogate
//     outside U+DC80-U+DCFF (UTF-7, unicode_escape, raw_unicode_escape,
//     punycode) fails a refolding with Python's UnicodeEncodeError
//     (errLoneSurrogate), as in Python. An RFC 2231 value in
//     punycode or idna is decoded strictly, where Python's
//     surrogateescape decode raises UnicodeError.
//   - A character decoded from an encoded word in U+10FF80..U+10FFFF
//     (plane 16 private use) is taken for an undecodable source byte:
//     that range holds the source's bytes 0x80-0xFF internally.
//   - Where Python's folding never returns (some RFC 2231 values with a
//     long parameter name, encoded words with a line limit too small to
//     make progress), foldBinaryChecked reports a HeaderFoldError with
//     PythonError "NoReturn".

import (
	"errors"
	"fmt"
	"iter"
	"strings"
)

// foldBinary returns the header line(s) for name and value as Python's
// policy.fold_binary(name, value) writes them, ending in p.Linesep.
//
// value is the header value as header_source_parse leaves it: the source
// text after "name:" with leading blanks stripped and the final line
// ending removed; bytes >= 0x80 stand for Python's surrogate-escaped bytes.
//
// Compat32 folds with the email.header.Header algorithm (foldCompat32);
// EmailPolicy either rejoins the source lines with p.Linesep or, when the
// policy asks for refolding (refold_source, or 8-bit bytes under
// cte_type=7bit), parses the value as its header kind and refolds it per
// RFC 5322 section 2.2.3 with RFC 2047 encoded words (refoldHeader).
//
// Where Python's fold_binary raises, foldBinary writes the source lines
// joined with p.Linesep instead; foldBinaryChecked reports those cases.
func (p *Policy) foldBinary(name, value string) string {
	folded, _ := p.foldBinaryChecked(name, value)
	return folded
}

// foldBinaryChecked is foldBinary that also returns a *HeaderFoldError
// when Python's fold_binary raises for this header (so Python writes no
// output for the message). The string is then foldBinary's fall-back.
func (p *Policy) foldBinaryChecked(name, value string) (string, error) {
	switch p.Family {
	case FamilyCompat32:
		return p.foldCompat32(name, value)
	case FamilyRaw:
		return name + ": " + value + p.Linesep, nil
	}
	return p.foldEmail(name, value, "")
}

// foldField is foldBinaryChecked for a parsed field, whose line as read
// foldEmail may hand back instead of building it anew.
func (p *Policy) foldField(h headerField) (string, error) {
	if p.Family == FamilyEmail {
		return p.foldEmail(h.name, h.value, h.source)
	}
	return p.foldBinaryChecked(h.name, h.value)
}

// foldEmail is EmailPolicy._fold followed by fold_binary's encoding.
// source is the field's one line as read, or "": when the result is that
// line (one line, not refolded, linesep \n), it is returned as it is.
func (p *Policy) foldEmail(name, value, source string) (string, error) {
	maxlen := p.MaxLineLength
	if maxlen <= 0 {
		maxlen = int(^uint(0) >> 1)
	}
	// Python's value.splitlines(), measured and joined without a slice.
	refold := p.RefoldSource == "all" || p.CTEType == "7bit" && hasSurrogates(value)
	nlines, size := 0, 0
	for line := range pyLines(value) {
		if p.RefoldSource == "long" && (nlines == 0 && len(line)+len(name)+2 > maxlen || nlines > 0 && len(line) > maxlen) {
			refold = true
		}
		nlines++
		size += len(line)
	}
	if !refold && nlines == 1 && size == len(value) && p.Linesep == "\n" && isFieldLine(source, name, value) {
		return source, nil
	}
	// name + ': ' + self.linesep.join(lines) + self.linesep
	var out strings.Builder
	out.Grow(len(name) + 2 + size + max(nlines, 1)*len(p.Linesep))
	out.WriteString(name)
	out.WriteString(": ")
	i := 0
	for line := range pyLines(value) {
		if i++; i > 1 {
			out.WriteString(p.Linesep)
		}
		out.WriteString(line)
	}
	out.WriteString(p.Linesep)
	if refold {
		var joined strings.Builder
		joined.Grow(size)
		for line := range pyLines(value) {
			joined.WriteString(line)
		}
		folded, err := p.refoldHeader(name, joined.String())
		if err == nil {
			return folded, nil
		}
		var raise *pythonRaise
		if errors.As(err, &raise) {
			return out.String(), &HeaderFoldError{Name: name, PythonError: raise.class, Detail: raise.msg}
		}
		// A charset this package cannot decode: Python would write
		// output, we keep the source.
		return out.String(), nil
	}
	return out.String(), nil
}

// isFieldLine reports whether line is name + ": " + value + "\n", without
// building that string.
func isFieldLine(line, name, value string) bool {
	n := len(name)
	return len(line) == n+2+len(value)+1 && line[:n] == name && line[n:n+2] == ": " &&
		line[n+2:len(line)-1] == value && line[len(line)-1] == '\n'
}

// hasSurrogates reports whether s holds bytes Python would have decoded
// as surrogate escapes (any byte >= 0x80).
func hasSurrogates(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// isLineBreak reports whether ASCII byte c ends a line for Python's
// str.splitlines (\n, \r, \v, \f, \x1c, \x1d, \x1e). Bytes >= 0x80 are
// surrogates in Python's view, so 0x85 is not a line break here.
func isLineBreak(c byte) bool {
	switch c {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e:
		return true
	}
	return false
}

// splitLines is Python's str.splitlines() without keepends for a value
// whose non-ASCII bytes stand for surrogates.
func splitLines(s string) []string {
	var lines []string
	for line := range pyLines(s) {
		lines = append(lines, line)
	}
	return lines
}

// pyLines yields the lines of s as splitLines returns them.
func pyLines(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		start := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !isLineBreak(c) {
				continue
			}
			if !yield(s[start:i]) {
				return
			}
			if c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
		if start < len(s) {
			yield(s[start:])
		}
	}
}

// isPySpace is Python's str.isspace for one ASCII byte.
func isPySpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f:
		return true
	}
	return false
}

// pyIsSpace is Python's str.isspace for a whole byte string: non-empty
// and all whitespace.
func pyIsSpace(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isPySpace(s[i]) {
			return false
		}
	}
	return true
}

// HeaderFoldError reports a header that Python's policy.fold_binary
// cannot write (RFC 5322 section 2.2.3 folding of this value fails in
// Python's email package): PythonError names the exception Python raises,
// e.g. "UnicodeEncodeError" for text the RFC 2047 encoded word charset
// cannot hold, or "HeaderParseError" for a max_line_length too small for
// an encoded word; "NoReturn" marks values on which Python's folding
// loops forever.
type HeaderFoldError struct {
	// Name is the header field name.
	Name string
	// PythonError is the class of the exception Python raises.
	PythonError string
	// Detail describes the failure.
	Detail string
}

func (e *HeaderFoldError) Error() string {
	return fmt.Sprintf("policy: header %s cannot be written: %s: %s", e.Name, e.PythonError, e.Detail)
}

// pythonRaise is an exception Python raises while folding, inside the
// refolding code; foldEmail turns it into a *HeaderFoldError.
type pythonRaise struct{ class, msg string }

func (e *pythonRaise) Error() string { return e.class + ": " + e.msg }

var (
	errPyIndex = &pythonRaise{"IndexError", "string index out of range"}
	// errPyNoProgress marks inputs on which Python's folding loops
	// forever; we stop instead.
	errPyNoProgress = &pythonRaise{"NoReturn", "folding makes no progress (Python never returns)"}
)

package policy

// The Content-Type that cte_type=7bit re-encoding writes under the
// EmailPolicy family (RFC 2045 section 5.1, RFC 2231 section 4): Python's
// set_param works on the header object's text (headerTextEmail: the
// parameters as the header registry decoded them, undecodable bytes as
// UTF-8 with U+FFFD), _formatparam writes a value that is not ASCII as
// RFC 2231 utf-8, and the result, stored as a new header object, is
// refolded from its text like any header object.

// setCharsetEmail is the Content-Type text Python's set_param("charset",
// charset) stores under the EmailPolicy family for the fetched header
// value raw; changed is false when it equals the header's text, in which
// case Python leaves the header as it is.
func setCharsetEmail(raw, charset string) (text string, changed bool, err error) {
	old, err := headerTextEmail(raw)
	if err != nil {
		return "", false, err
	}
	text, err = setParam(old, false, "charset", charset)
	if err != nil {
		return "", false, err
	}
	return text, text != old, nil
}

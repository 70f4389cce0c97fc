package policy

// foldBinary returns the header line(s) for name and value as Python's
// policy.fold_binary(name, value) writes them, ending in p.Linesep.
//
// value is the header value as header_source_parse leaves it: the source
// text after "name:" with leading blanks stripped and the final line
// ending removed; bytes >= 0x80 stand for Python's surrogate-escaped bytes.
//
// TODO(fold): this placeholder neither refolds nor re-encodes.
func (p *Policy) foldBinary(name, value string) string {
	return name + ": " + value + p.Linesep
}

package policy

// refoldHeader parses value as the header kind of name and folds it as
// Python's header_factory(name, value).fold(policy) does. ok is false
// when the value cannot be refolded here; the caller then keeps the source.
func (p *Policy) refoldHeader(name, value string) (folded string, ok bool) {
	return "", false
}

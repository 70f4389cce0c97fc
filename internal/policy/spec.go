package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// SpecError reports a policy spec that cannot be used; Part is the piece
// of the spec at fault.
type SpecError struct {
	// Spec is the whole spec, when known.
	Spec string
	// Part is the offending name, key=value pair or attribute.
	Part string
	// Reason says what is wrong with Part.
	Reason string
}

func (e *SpecError) Error() string {
	msg := fmt.Sprintf("policy %q %s", e.Part, e.Reason)
	if e.Spec != "" && e.Spec != e.Part {
		msg = fmt.Sprintf("policy spec %q: %q %s", e.Spec, e.Part, e.Reason)
	}
	return msg
}

// maxNamedDepth bounds how deeply config-defined policy names may refer to
// each other, which also stops cycles.
const maxNamedDepth = 8

// ParseSpec returns the policy a --policy spec describes. The grammar is
// the one of policy_oracle.py:
//
//	SPEC  = NAMES *( "," key "=" value )
//	NAMES = name *( "+" name )
//
// Names are combined left to right with Add (Python's policy addition);
// each key=value is then applied with Clone. Names are the built-in ones
// (see NamedPolicy) or keys of named, whose values are specs themselves
// (policies defined in the config file); built-in names take precedence.
// Keys are max_line_length (integer or none), linesep (\n, \r\n, \r with
// backslash escapes, or LF, CRLF, CR), cte_type (7bit, 8bit),
// refold_source (none, long, all), utf8, mangle_from_ and
// raise_on_defect (true/false/1/0/yes/no/on/off). The raw policy takes
// only linesep and may only come first in NAMES.
func ParseSpec(spec string, named map[string]string) (*Policy, error) {
	p, err := parseSpec(spec, named, 0)
	if err != nil {
		if se, ok := err.(*SpecError); ok && se.Spec == "" {
			se.Spec = spec
		}
		return nil, err
	}
	return p, nil
}

func parseSpec(spec string, named map[string]string, depth int) (*Policy, error) {
	parts := strings.Split(spec, ",")
	names := strings.TrimSpace(parts[0])
	if names == "" {
		return nil, &SpecError{Part: spec, Reason: "has no policy name"}
	}
	var p *Policy
	for i, name := range strings.Split(names, "+") {
		name = strings.TrimSpace(name)
		next, err := lookupName(name, named, depth)
		if err != nil {
			return nil, err
		}
		if p == nil {
			p = next
			continue
		}
		if next.Family == FamilyRaw {
			return nil, &SpecError{Part: name, Reason: fmt.Sprintf("can only be the first policy name (found at position %d)", i+1)}
		}
		if p, err = p.Add(next); err != nil {
			return nil, err
		}
	}
	for _, item := range parts[1:] {
		if strings.TrimSpace(item) == "" {
			continue
		}
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			return nil, &SpecError{Part: item, Reason: "is not key=value"}
		}
		var err error
		if p, err = p.Clone(Override{Key: strings.TrimSpace(key), Value: value}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func lookupName(name string, named map[string]string, depth int) (*Policy, error) {
	if p, ok := NamedPolicy(name); ok {
		return p, nil
	}
	spec, ok := named[name]
	if !ok {
		known := append([]string(nil), builtinNames...)
		for n := range named {
			known = append(known, n)
		}
		return nil, &SpecError{Part: name, Reason: "is not a known policy name (known: " + strings.Join(known, ", ") + ")"}
	}
	if depth >= maxNamedDepth {
		return nil, &SpecError{Part: name, Reason: "refers to other named policies too deeply (a cycle?)"}
	}
	p, err := parseSpec(spec, named, depth+1)
	if err != nil {
		return nil, fmt.Errorf("named policy %q: %w", name, err)
	}
	return p, nil
}

var booleanWords = map[string]bool{
	"true": true, "1": true, "yes": true, "on": true,
	"false": false, "0": false, "no": false, "off": false,
}

var linesepWords = map[string]string{
	`\n`: "\n", `\r\n`: "\r\n", `\r`: "\r",
	"lf": "\n", "crlf": "\r\n", "cr": "\r",
	"\n": "\n", "\r\n": "\r\n", "\r": "\r",
}

// parseOverride turns one key=value of a spec into an attribute and a
// typed value.
func parseOverride(key, value string) (attribute, any, error) {
	bad := func(reason string) error {
		return &SpecError{Part: key + "=" + value, Reason: reason}
	}
	v := strings.TrimSpace(value)
	switch key {
	case "linesep":
		sep, ok := linesepWords[value]
		if !ok {
			sep, ok = linesepWords[strings.ToLower(value)]
		}
		if !ok {
			return 0, nil, bad(`has a bad linesep (want \n, \r\n, \r, LF, CRLF or CR)`)
		}
		return attrLinesep, sep, nil
	case "max_line_length":
		switch strings.ToLower(v) {
		case "none", "null", "":
			return attrMaxLineLength, 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, nil, bad("has a bad max_line_length (want a non-negative integer or none)")
		}
		return attrMaxLineLength, n, nil
	case "cte_type":
		if v != "7bit" && v != "8bit" {
			return 0, nil, bad("has a bad cte_type (want 7bit or 8bit)")
		}
		return attrCTEType, v, nil
	case "refold_source":
		if v != "none" && v != "long" && v != "all" {
			return 0, nil, bad("has a bad refold_source (want none, long or all)")
		}
		return attrRefoldSource, v, nil
	case "utf8", "mangle_from_", "raise_on_defect":
		b, ok := booleanWords[strings.ToLower(v)]
		if !ok {
			return 0, nil, bad("has a bad boolean (want true or false)")
		}
		a := map[string]attribute{"utf8": attrUTF8, "mangle_from_": attrMangleFrom, "raise_on_defect": attrRaiseOnDefect}[key]
		return a, b, nil
	}
	return 0, nil, &SpecError{Part: key, Reason: "is not a supported policy attribute (max_line_length, linesep, cte_type, refold_source, utf8, mangle_from_, raise_on_defect)"}
}

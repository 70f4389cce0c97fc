package policy

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestParamsMatchPython compares getParams and setParam, on the header
// text each family reads, with Python's Message.get_params() and
// set_param("charset", "utf-8") for the Content-Type values of
// testdata/params-golden.jsonl.gz (gen_params_golden.py): 8-bit bytes,
// RFC 2231 sections in any order and mix, bare attributes, odd quoting.
func TestParamsMatchPython(t *testing.T) {
	type record struct {
		Policy, Input, Error, Set string
		ParseError                string `json:"parse_error"`
		SetError                  string `json:"set_error"`
		Params                    [][2]json.RawMessage
		Changed                   bool
	}
	total := 0
	forEachGoldenRecord(t, "params-golden.jsonl.gz", func(rec record) {
		total++
		in, err := base64.StdEncoding.DecodeString(rec.Input)
		if err != nil {
			t.Fatal(err)
		}
		// The parser's header_source_parse strips leading blanks.
		raw := strings.TrimLeft(string(in), " \t")
		var text string
		headerObject := false
		if rec.Policy == "compat32" {
			text, headerObject = headerTextCompat32(raw), hasSurrogates(raw)
		} else {
			text, err = headerTextEmail(raw)
			if rec.ParseError != "" {
				if err == nil || !strings.HasPrefix(err.Error(), rec.ParseError) {
					t.Errorf("%s %q: headerTextEmail = %q, %v; want Python's %s", rec.Policy, raw, text, err, rec.ParseError)
				}
				return
			}
			if err != nil {
				t.Errorf("%s %q: headerTextEmail: %v", rec.Policy, raw, err)
				return
			}
		}
		params, err := getParams(text)
		if simple, ok := simpleParamsEmail(raw); ok && rec.Policy != "compat32" {
			if got, want := fmt.Sprint(simple), fmt.Sprint(collapsedParams(params, err)); got != want {
				t.Errorf("simpleParamsEmail(%q) = %s, want %s", raw, got, want)
			}
		}
		if rec.Error != "" {
			if err == nil || !strings.HasPrefix(err.Error(), rec.Error) {
				t.Errorf("%s %q: getParams = %v, %v; want Python's %s", rec.Policy, raw, params, err, rec.Error)
			}
		} else if got, want := formatPyParams(params), formatGoldenParams(t, rec.Params); err != nil || got != want {
			t.Errorf("%s %q (text %q):\ngetParams = %s, %v\nwant        %s", rec.Policy, raw, text, got, err, want)
		}
		set, err := setParam(text, headerObject, "charset", "utf-8")
		if rec.SetError != "" {
			if err == nil || !strings.HasPrefix(err.Error(), rec.SetError) {
				t.Errorf("%s %q: setParam = %q, %v; want Python's %s", rec.Policy, raw, set, err, rec.SetError)
			}
			return
		}
		changed := set != text
		if err == nil && rec.Policy != "compat32" {
			// The golden has str() of the header object Python stores.
			set, err = contentTypeObjectText(set)
		}
		if err != nil || set != rec.Set || changed != rec.Changed {
			t.Errorf("%s %q: setParam = %q (changed %v), %v; want %q (changed %v)", rec.Policy, raw, set, changed, err, rec.Set, rec.Changed)
		}
	})
	if total == 0 {
		t.Fatal("no records")
	}
}

// formatPyParams writes params as Python's repr-like JSON of the golden
// file: [name, value] or [name, [charset, language, value]].
func formatPyParams(params []pyParam) string {
	var parts []string
	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	for _, p := range params {
		switch {
		case !p.extended:
			parts = append(parts, fmt.Sprintf("[%s,%s]", str(p.name), str(p.value)))
		case p.hasCharset:
			parts = append(parts, fmt.Sprintf("[%s,[%s,%s,%s]]", str(p.name), str(p.charset), str(p.language), str(p.value)))
		default:
			parts = append(parts, fmt.Sprintf("[%s,[null,null,%s]]", str(p.name), str(p.value)))
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// formatGoldenParams writes the golden file's params as formatPyParams
// does.
func formatGoldenParams(t *testing.T, params [][2]json.RawMessage) string {
	t.Helper()
	var parts []string
	for _, p := range params {
		var name string
		if err := json.Unmarshal(p[0], &name); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(name)
		var value string
		if err := json.Unmarshal(p[1], &value); err == nil {
			v, _ := json.Marshal(value)
			parts = append(parts, fmt.Sprintf("[%s,%s]", b, v))
			continue
		}
		var tuple [3]*string
		if err := json.Unmarshal(p[1], &tuple); err != nil {
			t.Fatal(err)
		}
		var items []string
		for _, s := range tuple {
			if s == nil {
				items = append(items, "null")
			} else {
				v, _ := json.Marshal(*s)
				items = append(items, string(v))
			}
		}
		parts = append(parts, fmt.Sprintf("[%s,[%s]]", b, strings.Join(items, ",")))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

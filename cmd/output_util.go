package cmd

import (
	"encoding/json"
	"fmt"
	"io"
)

// writeJSONLine writes v as one line of NDJSON.
func writeJSONLine(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	data = append(escapeJSONControls(data), '\n')
	_, err = w.Write(data)
	return err
}

// keyValue is one "key: value" line of text output.
type keyValue struct {
	key   string
	value any
}

// writeKeyValues writes "key: value" lines.
func writeKeyValues(w io.Writer, kvs []keyValue) error {
	for _, kv := range kvs {
		if _, err := fmt.Fprintf(w, "%s: %v\n", kv.key, kv.value); err != nil {
			return err
		}
	}
	return nil
}

// escapeJSONControls rewrites the DEL and C1 control characters (U+007F,
// U+0080..U+009F) that encoding/json leaves raw inside strings as \u
// escapes (RFC 8259 §7), so that JSON output holds no byte a terminal acts
// on; encoding/json already escapes C0 controls and replaces invalid
// UTF-8. Outside strings JSON has only printable ASCII, so the bytes
// rewritten are always inside a string.
func escapeJSONControls(data []byte) []byte {
	clean := true
	for i := 0; i < len(data); i++ {
		if data[i] == 0x7f || (data[i] == 0xc2 && i+1 < len(data) && data[i+1] >= 0x80 && data[i+1] <= 0x9f) {
			clean = false
			break
		}
	}
	if clean {
		return data
	}
	out := make([]byte, 0, len(data)+16)
	for i := 0; i < len(data); i++ {
		switch {
		case data[i] == 0x7f:
			out = append(out, `\u007f`...)
		case data[i] == 0xc2 && i+1 < len(data) && data[i+1] >= 0x80 && data[i+1] <= 0x9f:
			out = fmt.Appendf(out, `\u%04x`, data[i+1])
			i++
		default:
			out = append(out, data[i])
		}
	}
	return out
}

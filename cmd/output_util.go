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
	data = append(data, '\n')
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

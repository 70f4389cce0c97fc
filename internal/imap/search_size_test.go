package imap

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// TestSearchEncodesSizeZero: LARGER 0 and SMALLER 0 are search keys like
// any other (RFC 3501 §6.4.4: "SMALLER <n> Messages with an [RFC-2822]
// size smaller than the specified number of octets"): SMALLER 0 matches
// nothing, so dropping it would turn the search into ALL.
func TestSearchEncodesSizeZero(t *testing.T) {
	zero, big := uint32(0), uint32(4096)
	for _, tt := range []struct {
		sc   SearchCriteria
		want string
	}{
		{SearchCriteria{Smaller: &zero}, "SMALLER 0"},
		{SearchCriteria{Larger: &zero}, "LARGER 0"},
		{SearchCriteria{Larger: &zero, Smaller: &big}, "LARGER 0 SMALLER 4096"},
		{SearchCriteria{Not: []SearchCriteria{{Smaller: &zero}}}, "NOT (SMALLER 0)"},
		{SearchCriteria{}, "ALL"},
	} {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		tt.sc.encode(imapwire.NewEncoder(w))
		w.Flush()
		if got := buf.String(); got != tt.want {
			t.Errorf("encode(%+v) = %q, want %q", tt.sc, got, tt.want)
		}
	}
}

package cmd

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// wantUIDs returns the UIDs of seeded INBOX messages for which keep holds,
// one per line as search prints them.
func (s *testServer) wantUIDs(mailbox string, keep func(flags []string) bool) (string, int) {
	var b strings.Builder
	n := 0
	for _, m := range s.messagesIn(mailbox) {
		if keep(m.Flags) {
			fmt.Fprintf(&b, "%d\n", m.UID)
			n++
		}
	}
	return b.String(), n
}

func TestSearchAgainstServer(t *testing.T) {
	s := startTestServer(t)
	seen := func(flags []string) bool { return slices.Contains(flags, `\Seen`) }
	wantSeen, nSeen := s.wantUIDs("INBOX", seen)
	wantUnseen, nUnseen := s.wantUIDs("INBOX", func(f []string) bool { return !seen(f) })
	if nSeen == 0 || nUnseen == 0 {
		t.Fatalf("seeded INBOX has %d seen and %d unseen messages; the test needs both", nSeen, nUnseen)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"search", "INBOX", "SEEN"}, wantSeen},
		{[]string{"search", "INBOX", "--unseen"}, wantUnseen},
		{[]string{"search", "INBOX", "NOT", "SEEN"}, wantUnseen},
		{[]string{"search", "INBOX", "--count", "UNSEEN"}, fmt.Sprintf("%d\n", nUnseen)},
		{[]string{"search", "INBOX", "SEEN", "UNSEEN"}, ""},
	} {
		code, out, errOut := s.run(t, nil, tt.args...)
		if code != ExitOK || out != tt.want {
			t.Errorf("%q = %d %q (stderr %q), want %q", tt.args, code, out, errOut, tt.want)
		}
	}
	code, out, _ := s.run(t, nil, "search", "--json", "INBOX", "SEEN")
	var res struct {
		UID   bool     `json:"uid"`
		Count uint32   `json:"count"`
		All   []uint32 `json:"all"`
	}
	if err := json.Unmarshal([]byte(out), &res); code != ExitOK || err != nil || !res.UID || int(res.Count) != nSeen || len(res.All) != nSeen {
		t.Errorf("search --json = %d %q (%v)", code, out, err)
	}
}

func TestSearchNonASCII(t *testing.T) {
	s := startTestServer(t)
	// CHARSET UTF-8 must be accepted; no seeded subject has this text.
	code, out, errOut := s.run(t, nil, "search", "INBOX", "--subject", "日本語のテキスト")
	if code != ExitOK || out != "" {
		t.Errorf("search --subject (non-ASCII) = %d %q, stderr %q", code, out, errOut)
	}
}

func TestSearchBadCriteriaExits2(t *testing.T) {
	s := startTestServer(t)
	for _, args := range [][]string{{"search", "INBOX", "FRUM", "x"}, {"search", "INBOX", "--since", "May 1"}, {"search", "INBOX", "UID", "1:x"}} {
		code, out, errOut := s.run(t, nil, args...)
		if code != ExitUsage || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q = %d, stdout %q, stderr %q; want 2 and one line", args, code, out, errOut)
		}
	}
}

func TestSearchFlagParsing(t *testing.T) {
	ios, _, _, _ := Test()
	f := NewFactory(ios)
	var got *SearchOptions
	cmd := NewSearchCmd(f, func(o *SearchOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"Archive", "--seq", "--count", "--from", "bob", "FLAGGED"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Mailbox != "Archive" || !got.Seq || !got.Count || got.Criteria.From[0] != "bob" || len(got.Criteria.Not) != 1 {
		t.Errorf("parsed options = %+v, criteria %+v", got, got.Criteria)
	}
}

package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SearchFlags are the friendly search flags shared by search and
// fetch --search; each adds one RFC 3501 §6.4.4 search key.
type SearchFlags struct {
	From, To, Subject string
	Since, Before     string // YYYY-MM-DD
	Unseen            bool
	Larger, Smaller   string // bytes, or with a k/M/G suffix
}

// imapDate turns YYYY-MM-DD into RFC 3501's date ("1-Jan-2024"); a value
// already in that form is accepted as it is.
func imapDate(flag, s string) (string, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("2-Jan-2006"), nil
	}
	if t, err := time.Parse("2-Jan-2006", s); err == nil {
		return t.Format("2-Jan-2006"), nil
	}
	return "", usageErrorf("--%s %q: want a date as YYYY-MM-DD", flag, s)
}

// parseSize reads a byte count with an optional k, M or G suffix (powers
// of 1024).
func parseSize(flag, s string) (string, error) {
	mult := uint64(1)
	num := s
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k', 'K':
			mult, num = 1<<10, s[:n-1]
		case 'm', 'M':
			mult, num = 1<<20, s[:n-1]
		case 'g', 'G':
			mult, num = 1<<30, s[:n-1]
		}
	}
	v, err := strconv.ParseUint(num, 10, 32)
	if err != nil || v*mult > 1<<32-1 {
		return "", usageErrorf("--%s %q: want a size in bytes (suffix k, M or G allowed)", flag, s)
	}
	return strconv.FormatUint(v*mult, 10), nil
}

// criteria returns the search keys of the flags followed by args (raw
// IMAP search keys typed by the user), as separate tokens. An empty result
// means ALL.
func (sf *SearchFlags) criteria(args []string) ([]string, error) {
	var keys []string
	add := func(k ...string) { keys = append(keys, k...) }
	if sf.From != "" {
		add("FROM", sf.From)
	}
	if sf.To != "" {
		add("TO", sf.To)
	}
	if sf.Subject != "" {
		add("SUBJECT", sf.Subject)
	}
	for _, d := range []struct{ flag, key, value string }{{"since", "SINCE", sf.Since}, {"before", "BEFORE", sf.Before}} {
		if d.value == "" {
			continue
		}
		date, err := imapDate(d.flag, d.value)
		if err != nil {
			return nil, err
		}
		add(d.key, date)
	}
	if sf.Unseen {
		add("UNSEEN")
	}
	for _, s := range []struct{ flag, key, value string }{{"larger", "LARGER", sf.Larger}, {"smaller", "SMALLER", sf.Smaller}} {
		if s.value == "" {
			continue
		}
		n, err := parseSize(s.flag, s.value)
		if err != nil {
			return nil, err
		}
		add(s.key, n)
	}
	for _, a := range args {
		if !utf8.ValidString(a) {
			return nil, usageErrorf("search criterion %q is not valid UTF-8", a)
		}
		add(a)
	}
	return keys, nil
}

// needsUTF8 reports whether any key has non-ASCII text, which RFC 3501
// §6.4.4 sends with CHARSET UTF-8.
func needsUTF8(keys []string) bool {
	for _, k := range keys {
		for i := 0; i < len(k); i++ {
			if k[i] >= 0x80 {
				return true
			}
		}
	}
	return false
}

// splitCriteria splits a --search string such as `FROM "Ann Lee" UNSEEN`
// into tokens, honouring double quotes and backslash escapes inside them.
func splitCriteria(s string) ([]string, error) {
	var tokens []string
	var cur strings.Builder
	inQuote, have := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '"':
			inQuote = !inQuote
			have = true
		case !inQuote && (c == ' ' || c == '\t'):
			if have {
				tokens = append(tokens, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	if have {
		tokens = append(tokens, cur.String())
	}
	return tokens, nil
}

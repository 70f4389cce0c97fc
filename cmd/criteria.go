package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/imapctl/imapctl/internal/imap"
)

// SearchFlags are the friendly search flags shared by search and
// fetch --search; each adds one RFC 3501 §6.4.4 search key.
type SearchFlags struct {
	From, To, Subject string
	Since, Before     string // YYYY-MM-DD
	Unseen            bool
	Larger, Smaller   string // bytes, or with a k/M/G suffix
}

// parseDate reads YYYY-MM-DD or RFC 3501's date ("1-Jan-2024").
func parseDate(what, s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2-Jan-2006", "02-Jan-2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageErrorf("%s %q: want a date as YYYY-MM-DD (or 1-Jan-2024)", what, s)
}

// parseSize reads a byte count with an optional k, M or G suffix (powers
// of 1024).
func parseSize(what, s string) (uint32, error) {
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
		return 0, usageErrorf("%s %q: want a size in bytes (suffix k, M or G allowed)", what, s)
	}
	return uint32(v * mult), nil
}

// criteria combines the flags with args (IMAP search keys typed by the
// user, RFC 3501 §6.4.4) into one AND of everything.
func (sf *SearchFlags) criteria(args []string) (*imap.SearchCriteria, error) {
	sc := &imap.SearchCriteria{}
	if sf.From != "" {
		sc.From = append(sc.From, sf.From)
	}
	if sf.To != "" {
		sc.To = append(sc.To, sf.To)
	}
	if sf.Subject != "" {
		sc.Subject = append(sc.Subject, sf.Subject)
	}
	if sf.Since != "" {
		t, err := parseDate("--since", sf.Since)
		if err != nil {
			return nil, err
		}
		sc.Since = t
	}
	if sf.Before != "" {
		t, err := parseDate("--before", sf.Before)
		if err != nil {
			return nil, err
		}
		sc.Before = t
	}
	if sf.Unseen {
		sc.NotFlag = append(sc.NotFlag, `\Seen`)
	}
	if sf.Larger != "" {
		n, err := parseSize("--larger", sf.Larger)
		if err != nil {
			return nil, err
		}
		sc.Larger = &n
	}
	if sf.Smaller != "" {
		n, err := parseSize("--smaller", sf.Smaller)
		if err != nil {
			return nil, err
		}
		sc.Smaller = &n
	}
	if len(args) > 0 {
		user, err := parseSearchKeys(args)
		if err != nil {
			return nil, err
		}
		if *sf == (SearchFlags{}) {
			return user, nil // no friendly flag: the keys as the user wrote them
		}
		and(sc, *user)
	}
	return sc, nil
}

// and adds other to sc as NOT NOT other: an AND that needs no merging of
// single-valued fields.
func and(sc *imap.SearchCriteria, other imap.SearchCriteria) {
	sc.Not = append(sc.Not, imap.SearchCriteria{Not: []imap.SearchCriteria{other}})
}

// searchParser reads RFC 3501 §6.4.4 search keys from separate arguments.
// Parentheses are split off only where a key is expected ("(FROM",
// "SEEN)"); the argument of a key (FROM's address, SUBJECT's text, ...)
// is always one whole argument, so SUBJECT "(no subject)" searches for
// that text.
type searchParser struct {
	args []string
	pos  int
	// pending holds what is left of the argument being read as keys,
	// after splitParens.
	pending []string
	// closedValue is the first key argument that ended in ")", named when a
	// group turns out unclosed: the user may have meant it to close one.
	closedValue string
}

// parseSearchKeys parses keys such as FROM alice SINCE 1-Jan-2024 UNSEEN,
// with parenthesised groups, NOT and OR. Dates may also be YYYY-MM-DD.
func parseSearchKeys(args []string) (*imap.SearchCriteria, error) {
	for _, a := range args {
		if !utf8.ValidString(a) {
			return nil, usageErrorf("search key %q is not valid UTF-8", a)
		}
	}
	p := &searchParser{args: args}
	sc := &imap.SearchCriteria{}
	for p.more() {
		if err := p.key(sc); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// splitParens splits leading "(" and trailing ")" off a key token, so that
// "(FROM" and "alice)" work as well as separate parentheses. A token
// that is all parentheses is kept as single ones.
func splitParens(a string) []string {
	var out []string
	for strings.HasPrefix(a, "(") {
		out = append(out, "(")
		a = a[1:]
	}
	closing := 0
	for strings.HasSuffix(a, ")") && a != ")" {
		closing++
		a = a[:len(a)-1]
	}
	if a != "" {
		out = append(out, a)
	}
	for ; closing > 0; closing-- {
		out = append(out, ")")
	}
	return out
}

// more reports whether anything is left to parse.
func (p *searchParser) more() bool { return len(p.pending) > 0 || p.pos < len(p.args) }

// peekKey returns the next token in key position without consuming it;
// ok is false at the end.
func (p *searchParser) peekKey() (tok string, ok bool) {
	if len(p.pending) == 0 {
		if p.pos >= len(p.args) {
			return "", false
		}
		p.pending = splitParens(p.args[p.pos])
		p.pos++
		if len(p.pending) == 0 {
			p.pending = []string{""} // an empty argument: an unknown key
		}
	}
	return p.pending[0], true
}

// nextKey consumes the next token in key position.
func (p *searchParser) nextKey() (string, error) {
	tok, ok := p.peekKey()
	if !ok {
		return "", usageErrorf("search: a search key is missing at the end")
	}
	p.pending = p.pending[1:]
	return tok, nil
}

// value consumes the argument of key name: the next whole argument,
// parentheses and all.
func (p *searchParser) value(name string) (string, error) {
	if len(p.pending) > 0 {
		// "FROM)": the group closes where FROM's argument should be.
		return "", usageErrorf("search: the argument of %s is missing before %q", name, p.pending[0])
	}
	if p.pos >= len(p.args) {
		return "", usageErrorf("search: the argument of %s is missing at the end", name)
	}
	v := p.args[p.pos]
	p.pos++
	if strings.HasSuffix(v, ")") && p.closedValue == "" {
		p.closedValue = name + " " + v
	}
	return v, nil
}

// unbalanced is the error for a group that is not closed, with a hint
// when a key's argument ended in ")" that may have been meant to close it.
func (p *searchParser) unbalanced() error {
	err := usageErrorf("search: unbalanced parenthesis")
	if p.closedValue != "" {
		return withHint(err, fmt.Sprintf("a key's argument is taken whole, parentheses included (%s); write the closing parenthesis as a separate argument", p.closedValue))
	}
	return err
}

// systemFlagKeys maps flag keys to the flag and whether it must be set.
var systemFlagKeys = map[string]struct {
	flag string
	set  bool
}{
	"ANSWERED": {`\Answered`, true}, "UNANSWERED": {`\Answered`, false},
	"DELETED": {`\Deleted`, true}, "UNDELETED": {`\Deleted`, false},
	"DRAFT": {`\Draft`, true}, "UNDRAFT": {`\Draft`, false},
	"FLAGGED": {`\Flagged`, true}, "UNFLAGGED": {`\Flagged`, false},
	"SEEN": {`\Seen`, true}, "UNSEEN": {`\Seen`, false},
	"RECENT": {`\Recent`, true}, "OLD": {`\Recent`, false},
}

// key parses one search key into sc (AND with what sc already holds).
func (p *searchParser) key(sc *imap.SearchCriteria) error {
	tok, err := p.nextKey()
	if err != nil {
		return err
	}
	name := strings.ToUpper(tok)
	str := func() (string, error) { return p.value(name) }
	date := func() (time.Time, error) {
		s, err := str()
		if err != nil {
			return time.Time{}, err
		}
		return parseDate(name, s)
	}
	setDate := func(field *time.Time) error {
		t, err := date()
		if err != nil {
			return err
		}
		if !field.IsZero() {
			and(sc, dateCriteria(name, t))
			return nil
		}
		*field = t
		return nil
	}
	if f, ok := systemFlagKeys[name]; ok {
		if f.set {
			sc.Flag = append(sc.Flag, f.flag)
		} else {
			sc.NotFlag = append(sc.NotFlag, f.flag)
		}
		return nil
	}
	switch name {
	case "ALL":
	case "NEW":
		sc.Flag = append(sc.Flag, `\Recent`)
		sc.NotFlag = append(sc.NotFlag, `\Seen`)
	case "FROM", "TO", "CC", "BCC", "SUBJECT", "BODY", "TEXT":
		s, err := str()
		if err != nil {
			return err
		}
		fields := map[string]*[]string{"FROM": &sc.From, "TO": &sc.To, "CC": &sc.Cc, "BCC": &sc.Bcc,
			"SUBJECT": &sc.Subject, "BODY": &sc.Body, "TEXT": &sc.Text}
		*fields[name] = append(*fields[name], s)
	case "KEYWORD", "UNKEYWORD":
		s, err := str()
		if err != nil {
			return err
		}
		// RFC 3501 §9: KEYWORD SP flag-keyword, and flag-keyword is an atom.
		if strings.HasPrefix(s, `\`) || !validFlag(s) {
			return usageErrorf("search: %s %q is not a keyword (an atom such as $Label1)", name, s)
		}
		if name == "KEYWORD" {
			sc.Flag = append(sc.Flag, s)
		} else {
			sc.NotFlag = append(sc.NotFlag, s)
		}
	case "HEADER":
		field, err := str()
		if err != nil {
			return err
		}
		value, err := str()
		if err != nil {
			return err
		}
		sc.Header = append(sc.Header, [2]string{field, value})
	case "SINCE":
		return setDate(&sc.Since)
	case "BEFORE":
		return setDate(&sc.Before)
	case "ON":
		return setDate(&sc.On)
	case "SENTSINCE":
		return setDate(&sc.SentSince)
	case "SENTBEFORE":
		return setDate(&sc.SentBefore)
	case "SENTON":
		return setDate(&sc.SentOn)
	case "LARGER", "SMALLER":
		s, err := str()
		if err != nil {
			return err
		}
		n, err := parseSize(name, s)
		if err != nil {
			return err
		}
		if name == "LARGER" {
			if sc.Larger != nil {
				and(sc, imap.SearchCriteria{Larger: &n})
			} else {
				sc.Larger = &n
			}
		} else if sc.Smaller != nil {
			and(sc, imap.SearchCriteria{Smaller: &n})
		} else {
			sc.Smaller = &n
		}
	case "MODSEQ":
		s, err := str()
		if err != nil {
			return err
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return usageErrorf("search: MODSEQ %q is not a number", s)
		}
		sc.ModSeq = n
	case "UID":
		s, err := str()
		if err != nil {
			return err
		}
		set, err := imap.ParseUIDSet(s)
		if err != nil {
			return &UsageError{err}
		}
		if sc.UID != nil {
			and(sc, imap.SearchCriteria{UID: &set})
		} else {
			sc.UID = &set
		}
	case "NOT":
		var sub imap.SearchCriteria
		if err := p.key(&sub); err != nil {
			return err
		}
		sc.Not = append(sc.Not, sub)
	case "OR":
		var a, b imap.SearchCriteria
		if err := p.key(&a); err != nil {
			return err
		}
		if err := p.key(&b); err != nil {
			return err
		}
		sc.Or = append(sc.Or, [2]imap.SearchCriteria{a, b})
	case "(":
		var group imap.SearchCriteria
		for {
			next, ok := p.peekKey()
			if !ok {
				return p.unbalanced()
			}
			if next == ")" {
				p.pending = p.pending[1:]
				break
			}
			if err := p.key(&group); err != nil {
				return err
			}
		}
		and(sc, group)
	case ")":
		return usageErrorf("search: unbalanced parenthesis")
	default:
		if set, err := imap.ParseSeqSet(tok); err == nil {
			if sc.SeqNum != nil {
				and(sc, imap.SearchCriteria{SeqNum: &set})
			} else {
				sc.SeqNum = &set
			}
			return nil
		}
		return usageErrorf("search: unknown search key %q", tok)
	}
	return nil
}

// dateCriteria is a criteria with only the date key name set to t.
func dateCriteria(name string, t time.Time) imap.SearchCriteria {
	switch name {
	case "SINCE":
		return imap.SearchCriteria{Since: t}
	case "BEFORE":
		return imap.SearchCriteria{Before: t}
	case "ON":
		return imap.SearchCriteria{On: t}
	case "SENTSINCE":
		return imap.SearchCriteria{SentSince: t}
	case "SENTBEFORE":
		return imap.SearchCriteria{SentBefore: t}
	}
	return imap.SearchCriteria{SentOn: t}
}

// splitCriteria splits a --search string such as `FROM "Ann Lee" UNSEEN`
// into tokens, honouring double quotes and backslash escapes inside them.
// As in IMAP's own syntax (RFC 3501 §9), "(" and ")" outside quotes are
// tokens of their own, and a value containing them must be quoted:
// `(FROM alice SUBJECT "(no subject)")`.
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
		case !inQuote && (c == '(' || c == ')'):
			if have {
				tokens = append(tokens, cur.String())
				cur.Reset()
				have = false
			}
			tokens = append(tokens, string(c))
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if inQuote {
		return nil, usageErrorf("unterminated quote in %q", s)
	}
	if have {
		tokens = append(tokens, cur.String())
	}
	return tokens, nil
}

// addSearchFlags defines the friendly flags on cmd.
func addSearchFlags(flags interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}, sf *SearchFlags) {
	flags.StringVar(&sf.From, "from", "", "FROM contains this text")
	flags.StringVar(&sf.To, "to", "", "TO contains this text")
	flags.StringVar(&sf.Subject, "subject", "", "SUBJECT contains this text")
	flags.StringVar(&sf.Since, "since", "", "internal date on or after YYYY-MM-DD")
	flags.StringVar(&sf.Before, "before", "", "internal date before YYYY-MM-DD")
	flags.BoolVar(&sf.Unseen, "unseen", false, "only messages without \\Seen")
	flags.StringVar(&sf.Larger, "larger", "", "size above N bytes (k, M, G suffixes)")
	flags.StringVar(&sf.Smaller, "smaller", "", "size below N bytes (k, M, G suffixes)")
}

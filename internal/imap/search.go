package imap

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/imapctl/imapctl/internal/imap/imapwire"
)

// SearchCriteria are SEARCH keys (RFC 3501 §6.4.4), all of which must
// match (AND). The zero value matches all messages. Strings are sent as
// quoted strings or literals, never spliced into the command line, and
// non-ASCII strings make the search use CHARSET UTF-8.
type SearchCriteria struct {
	// SeqNum and UID restrict to sets of messages.
	SeqNum *NumSet
	UID    *NumSet
	// Since, Before and On compare the internal date (day granularity);
	// SentSince, SentBefore and SentOn the Date: header.
	Since, Before, On             time.Time
	SentSince, SentBefore, SentOn time.Time
	// Header holds field-name / substring pairs (HEADER).
	Header                     [][2]string
	From, To, Cc, Bcc, Subject []string
	Body, Text                 []string
	// Flag and NotFlag: system flags map to their keys (\Seen -> SEEN),
	// others to KEYWORD / UNKEYWORD.
	Flag, NotFlag []string
	// Larger and Smaller compare RFC822.SIZE; nil means unset. LARGER 0
	// and SMALLER 0 are keys like any other and are sent when set.
	Larger, Smaller *uint32
	// ModSeq matches messages with a greater or equal mod-sequence
	// (RFC 7162 §3.1.5); 0 means unset.
	ModSeq uint64
	// Not and Or combine sub-criteria.
	Not []SearchCriteria
	Or  [][2]SearchCriteria
}

func (sc *SearchCriteria) needsUTF8() bool {
	check := func(ss []string) bool {
		for _, s := range ss {
			for i := 0; i < len(s); i++ {
				if s[i] >= 0x80 {
					return true
				}
			}
		}
		return false
	}
	for _, h := range sc.Header {
		if check(h[:]) {
			return true
		}
	}
	if check(sc.From) || check(sc.To) || check(sc.Cc) || check(sc.Bcc) || check(sc.Subject) || check(sc.Body) || check(sc.Text) {
		return true
	}
	for i := range sc.Not {
		if sc.Not[i].needsUTF8() {
			return true
		}
	}
	for i := range sc.Or {
		if sc.Or[i][0].needsUTF8() || sc.Or[i][1].needsUTF8() {
			return true
		}
	}
	return false
}

const searchDate = "2-Jan-2006"

var flagSearchKeys = map[string]string{`\SEEN`: "SEEN", `\ANSWERED`: "ANSWERED", `\FLAGGED`: "FLAGGED",
	`\DELETED`: "DELETED", `\DRAFT`: "DRAFT", `\RECENT`: "RECENT"}
var notFlagSearchKeys = map[string]string{`\SEEN`: "UNSEEN", `\ANSWERED`: "UNANSWERED", `\FLAGGED`: "UNFLAGGED",
	`\DELETED`: "UNDELETED", `\DRAFT`: "UNDRAFT", `\RECENT`: "OLD"}

// encode writes the keys; it writes at least one key.
func (sc *SearchCriteria) encode(e *imapwire.Encoder) {
	n := 0
	key := func(k string) *imapwire.Encoder {
		if n > 0 {
			e.SP()
		}
		n++
		return e.Raw(k)
	}
	if sc.SeqNum != nil {
		key(sc.SeqNum.String())
	}
	if sc.UID != nil {
		key("UID ").Raw(sc.UID.String())
	}
	dates := []struct {
		name string
		t    time.Time
	}{{"SINCE", sc.Since}, {"BEFORE", sc.Before}, {"ON", sc.On}, {"SENTSINCE", sc.SentSince}, {"SENTBEFORE", sc.SentBefore}, {"SENTON", sc.SentOn}}
	for _, d := range dates {
		if !d.t.IsZero() {
			key(d.name).SP().Raw(d.t.Format(searchDate))
		}
	}
	for _, h := range sc.Header {
		key("HEADER").SP().AString(h[0]).SP().String(h[1])
	}
	strs := []struct {
		name string
		vals []string
	}{{"FROM", sc.From}, {"TO", sc.To}, {"CC", sc.Cc}, {"BCC", sc.Bcc}, {"SUBJECT", sc.Subject}, {"BODY", sc.Body}, {"TEXT", sc.Text}}
	for _, s := range strs {
		for _, v := range s.vals {
			key(s.name).SP().String(v)
		}
	}
	for _, f := range sc.Flag {
		if k, ok := flagSearchKeys[strings.ToUpper(f)]; ok {
			key(k)
		} else {
			key("KEYWORD").SP().Flag(f)
		}
	}
	for _, f := range sc.NotFlag {
		if k, ok := notFlagSearchKeys[strings.ToUpper(f)]; ok {
			key(k)
		} else {
			key("UNKEYWORD").SP().Flag(f)
		}
	}
	if sc.Larger != nil {
		key("LARGER").SP().Number(*sc.Larger)
	}
	if sc.Smaller != nil {
		key("SMALLER").SP().Number(*sc.Smaller)
	}
	if sc.ModSeq > 0 {
		key("MODSEQ").SP().Number64(sc.ModSeq)
	}
	for i := range sc.Not {
		key("NOT (")
		sc.Not[i].encode(e)
		e.Raw(")")
	}
	for i := range sc.Or {
		key("OR (")
		sc.Or[i][0].encode(e)
		e.Raw(") (")
		sc.Or[i][1].encode(e)
		e.Raw(")")
	}
	if n == 0 {
		e.Raw("ALL")
	}
}

// SearchOptions modify SEARCH.
type SearchOptions struct {
	// UID returns UIDs (UID SEARCH, RFC 3501 §6.4.8).
	UID bool
	// Return asks for ESEARCH result options (RFC 4731): "MIN", "MAX",
	// "ALL", "COUNT". Used only when the server advertises ESEARCH (or is
	// IMAP4rev2); otherwise the plain result is summarised locally.
	Return []string
}

// SearchResult holds the matching numbers (sequence numbers, or UIDs for
// a UID search) and, for ESEARCH, the summary values.
type SearchResult struct {
	UID   bool
	All   []uint32
	Count uint32
	Min   uint32
	Max   uint32
	// ModSeq is the highest mod-sequence of the matches (RFC 7162 §3.1.5).
	ModSeq uint64
}

// Search finds messages (RFC 3501 §6.4.4).
func (c *Client) Search(ctx context.Context, criteria *SearchCriteria, opts *SearchOptions) (*SearchResult, error) {
	if criteria == nil {
		criteria = &SearchCriteria{}
	}
	if opts == nil {
		opts = &SearchOptions{}
	}
	for _, r := range opts.Return {
		if !isAtom(r) {
			return nil, &imapwire.EncodeError{Rule: "search-return-opt", Msg: r}
		}
	}
	esearch := len(opts.Return) > 0 && (c.Has(ctx, "ESEARCH") || c.Has(ctx, "IMAP4rev2"))
	name := "SEARCH"
	if opts.UID {
		name = "UID SEARCH"
	}
	charset := c.searchCharset(criteria)
	// With RETURN the answer is an ESEARCH naming this command's tag
	// (RFC 4731 §3.1), so such searches can be pipelined; a plain SEARCH
	// may be answered with SEARCH (or ESEARCH by an IMAP4rev2 server).
	cmd := c.newCommand(name, "SEARCH", "ESEARCH")
	if esearch {
		cmd = c.newCommand(name, "ESEARCH")
	}
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		if esearch {
			e.Raw(" RETURN (" + strings.Join(upper(opts.Return), " ") + ")")
		}
		if charset {
			e.Raw(" CHARSET UTF-8")
		}
		e.SP()
		criteria.encode(e)
	}, false)
	if err != nil {
		return nil, err
	}
	res := &SearchResult{UID: opts.UID}
	for _, r := range cmd.responses {
		if r.Name == "ESEARCH" {
			if err := parseESearch(r, res); err != nil {
				c.abort(err) // malformed data, as RFC 3501 §9's reader would find
				return nil, c.abortErrOr(&AbortError{Err: err})
			}
			continue
		}
		res.All = append(res.All, r.Nums...)
		for _, f := range r.Fields {
			if f.Kind == imapwire.ListValue && len(f.List) == 2 && f.List[0].IsAtom("MODSEQ") { // RFC 7162 §3.1.5
				res.ModSeq, _ = f.List[1].Number64()
			}
		}
	}
	if !esearch {
		res.Count = uint32(len(res.All))
		for i, n := range res.All {
			if i == 0 || n < res.Min {
				res.Min = n
			}
			res.Max = max(res.Max, n)
		}
	}
	return res, nil
}

func (c *Client) searchCharset(sc *SearchCriteria) bool {
	c.mu.Lock()
	utf8 := c.enabled["UTF8=ACCEPT"]
	c.mu.Unlock()
	return !utf8 && sc.needsUTF8()
}

// maxSearchResults bounds the numbers an ESEARCH ALL set (RFC 4731 §3.1)
// may expand to: as many as a plain SEARCH line of
// imapwire.MaxResultLineLength can carry. A set such as "1:4294967295"
// would otherwise take 16 GiB.
const maxSearchResults = imapwire.MaxResultLineLength / 2

// parseESearch reads "* ESEARCH [(TAG t)] [UID] *(name value)" (RFC 4731).
// An ALL set larger than maxSearchResults is a malformed-response error.
func parseESearch(r *Response, res *SearchResult) error {
	f := r.Fields
	for i := 0; i < len(f); i++ {
		if f[i].Kind == imapwire.ListValue || f[i].IsAtom("UID") {
			continue
		}
		if i+1 >= len(f) {
			break
		}
		v := f[i+1]
		switch strings.ToUpper(f[i].Text) {
		case "COUNT":
			res.Count, _ = v.Number()
		case "MIN":
			res.Min, _ = v.Number()
		case "MAX":
			res.Max, _ = v.Number()
		case "MODSEQ":
			res.ModSeq, _ = v.Number64()
		case "ALL":
			if set, err := parseNumSet(v.Text, res.UID); err == nil {
				if n, _ := set.count(); n > maxSearchResults {
					return &imapwire.DecodeError{Rule: "search-return-data", Msg: fmt.Sprintf("ESEARCH ALL set of %d numbers exceeds %d", n, maxSearchResults)}
				}
				res.All, _ = set.Nums()
			}
		}
		i++
	}
	return nil
}

// Sort returns message numbers sorted by keys (RFC 5256 §3: "ARRIVAL",
// "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", each optionally preceded
// by "REVERSE"), among those matching criteria.
func (c *Client) Sort(ctx context.Context, keys []string, criteria *SearchCriteria, uid bool) ([]uint32, error) {
	if len(keys) == 0 {
		return nil, errors.New("imap: SORT needs at least one key")
	}
	for _, k := range keys {
		for _, w := range strings.Fields(k) {
			if !isAtom(w) {
				return nil, &imapwire.EncodeError{Rule: "sort-key", Msg: k}
			}
		}
	}
	if criteria == nil {
		criteria = &SearchCriteria{}
	}
	name := "SORT"
	if uid {
		name = "UID SORT"
	}
	cmd := c.newCommand(name, "SORT")
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.Raw(" (" + strings.ToUpper(strings.Join(keys, " ")) + ") UTF-8 ")
		criteria.encode(e)
	}, false)
	if err != nil {
		return nil, err
	}
	var out []uint32
	for _, r := range cmd.responses {
		out = append(out, r.Nums...)
	}
	return out, nil
}

// Thread is one node of a THREAD result (RFC 5256 §4): a message and its
// replies. Num is 0 for a missing parent that only groups its children.
type Thread struct {
	Num      uint32
	Children []*Thread
}

// ThreadMessages threads messages with algorithm ("REFERENCES" or
// "ORDEREDSUBJECT", RFC 5256 §3).
func (c *Client) ThreadMessages(ctx context.Context, algorithm string, criteria *SearchCriteria, uid bool) ([]*Thread, error) {
	if !isAtom(algorithm) {
		return nil, &imapwire.EncodeError{Rule: "thread-alg", Msg: algorithm}
	}
	if criteria == nil {
		criteria = &SearchCriteria{}
	}
	name := "THREAD"
	if uid {
		name = "UID THREAD"
	}
	cmd := c.newCommand(name, "THREAD")
	err := c.run(ctx, cmd, func(e *imapwire.Encoder) {
		e.SP().Raw(strings.ToUpper(algorithm)).Raw(" UTF-8 ")
		criteria.encode(e)
	}, false)
	if err != nil {
		return nil, err
	}
	var out []*Thread
	for _, r := range cmd.responses {
		for _, f := range r.Fields {
			if t := parseThread(f.List); t != nil {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// parseThread turns "(1 2 (3)(4 5))" into a chain: each number is the
// parent of what follows; nested lists are sibling sub-threads.
func parseThread(l []imapwire.Value) *Thread {
	root := &Thread{}
	cur := root
	first := true
	for _, v := range l {
		if v.Kind == imapwire.ListValue {
			if t := parseThread(v.List); t != nil {
				cur.Children = append(cur.Children, t)
			}
			continue
		}
		n, _ := v.Number()
		if first {
			root.Num = n
			first = false
			continue
		}
		t := &Thread{Num: n}
		cur.Children = append(cur.Children, t)
		cur = t
	}
	if first && len(root.Children) == 0 {
		return nil
	}
	return root
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

package imap

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// This file holds the module-level helpers of Python's imaplib (Int2AP,
// ParseFlags, Internaldate2tuple, Time2Internaldate) with the same meaning,
// checked against testdata/imaplib-vectors.json, and imaplib's tag scheme.

// apDigits are the sixteen "digits" of imaplib's Int2AP.
const apDigits = "ABCDEFGHIJKLMNOP"

// Int2AP writes n in base 16 with the digits "A" to "P", most significant
// first, as Python's imaplib.Int2AP does. Int2AP(0) is the empty string.
// imaplib's negative and fractional inputs (it uses int(abs(n))) are the
// caller's conversion in Go.
func Int2AP(n uint64) string {
	var buf [16]byte
	i := len(buf)
	for n != 0 {
		i--
		buf[i] = apDigits[n%16]
		n /= 16
	}
	return string(buf[i:])
}

// TagGenerator makes command tags the way Python's imaplib does (RFC 3501
// §2.2.1 only asks for unique alphanumeric tags): a prefix of four letters
// A-P, Int2AP of a random number in [4096, 65535], followed by a decimal
// counter that starts at 0, e.g. "BAAA0", "BAAA1", ...
//
// Next is safe for concurrent use.
type TagGenerator struct {
	prefix string
	next   atomic.Uint64
}

// NewTagGenerator returns a TagGenerator with imaplib's random prefix.
func NewTagGenerator() *TagGenerator {
	return NewTagGeneratorWithPrefix(Int2AP(uint64(4096 + rand.IntN(65535-4096+1))))
}

// NewTagGeneratorWithPrefix returns a TagGenerator whose tags start with
// prefix, for transcript tests that need predictable tags. The prefix must be
// made of tag characters (RFC 3501 §9 "tag"); Int2AP output always is.
func NewTagGeneratorWithPrefix(prefix string) *TagGenerator {
	return &TagGenerator{prefix: prefix}
}

// Prefix returns the part shared by all tags of g.
func (g *TagGenerator) Prefix() string { return g.prefix }

// Next returns a new tag: the prefix and the next counter value.
func (g *TagGenerator) Next() string {
	n := g.next.Add(1) - 1
	return g.prefix + strconv.FormatUint(n, 10)
}

// flagsPattern is imaplib's Flags pattern, anchored as re.match anchors it.
// Go's "." does not match "\n" by default, like Python's. It is compiled on
// first use, not at start-up (every imapctl run links this package).
var flagsPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^.*FLAGS \(([^)]*)\)`)
})

// ParseFlags returns the flags of the last "FLAGS (...)" list that starts on
// the first line of resp, with imaplib.ParseFlags's meaning: no match gives
// an empty result; flags are split on ASCII whitespace (Python's
// bytes.split()), so a flag list's content is not otherwise interpreted.
// For FETCH (RFC 3501 §7.4.2) and FLAGS (§7.2.6) responses, prefer the
// client's parsed data; this helper exists for code written against imaplib.
func ParseFlags(resp []byte) []string {
	m := flagsPattern().FindSubmatch(resp)
	if m == nil {
		return []string{}
	}
	fields := strings.FieldsFunc(string(m[1]), isPythonBytesSpace)
	if fields == nil {
		return []string{}
	}
	return fields
}

// isPythonBytesSpace reports whether r is whitespace for Python's
// bytes.split(): space, \t, \n, \v, \f, \r.
func isPythonBytesSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// internalDatePattern is imaplib's InternalDate pattern (RFC 3501 §9
// date-time, with "[ 0123][0-9]" for the day as imaplib has it), compiled
// on first use.
var internalDatePattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^.*INTERNALDATE "` +
		`([ 0123][0-9])-([A-Z][a-z][a-z])-([0-9]{4})` +
		` ([0-9]{2}):([0-9]{2}):([0-9]{2})` +
		` ([-+])([0-9]{2})([0-9]{2})"`)
})

// monthNames are the date-month values of RFC 3501 §9, index 0 = January.
var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// Internaldate2tuple finds the last INTERNALDATE "date-time" (RFC 3501 §9)
// on the first line of resp, as imaplib.Internaldate2tuple does, and returns
// that instant in a fixed zone with the date-time's own offset. ok is false
// when resp holds no such date ("not a date", where imaplib returns None).
//
// Like imaplib, out-of-range fields are normalised rather than refused
// (day 00 is the last day of the previous month, 24:00:00 the next day,
// second 60 the next minute) and zone digits are used as they are.
// Divergence: where imaplib raises (an unknown month such as "Foo", or year
// 0000) ok is false too.
func Internaldate2tuple(resp []byte) (t time.Time, ok bool) {
	m := internalDatePattern().FindSubmatch(resp)
	if m == nil {
		return time.Time{}, false
	}
	month := 0
	for i, name := range monthNames {
		if string(m[2]) == name {
			month = i + 1
		}
	}
	num := func(b []byte) int {
		n, _ := strconv.Atoi(strings.TrimLeft(string(b), " "))
		return n
	}
	day, year := num(m[1]), num(m[3])
	if month == 0 || year == 0 {
		return time.Time{}, false
	}
	offset := (num(m[8])*60 + num(m[9])) * 60
	if m[7][0] == '-' {
		offset = -offset
	}
	zone := time.FixedZone(zoneName(offset), offset)
	return time.Date(year, time.Month(month), day, num(m[4]), num(m[5]), num(m[6]), 0, zone), true
}

// Time2Internaldate formats t as a quoted IMAP date-time (RFC 3501 §9), in
// t's own zone, exactly as Python's imaplib.Time2Internaldate formats an
// aware datetime: '"DD-Mon-YYYY HH:MM:SS +HHMM"'. Fractions of a second are
// dropped. As with Python's strftime, a zone offset with seconds is written
// "+HHMMSS" and a year below 1000 is not zero-padded; neither is a valid
// RFC 3501 date-time, and neither happens for real dates.
//
// imaplib also accepts a number of seconds, a 9-tuple in local time and a
// string already in quotes; in Go, convert those to a time.Time first
// (time.Unix(sec, 0) is in the local zone, as in imaplib).
func Time2Internaldate(t time.Time) string {
	var b strings.Builder
	b.Grow(len(`"18-May-2033 05:33:20 +0200"`))
	b.WriteByte('"')
	writeTwoDigits(&b, t.Day())
	b.WriteByte('-')
	b.WriteString(monthNames[t.Month()-1])
	b.WriteByte('-')
	b.WriteString(strconv.Itoa(t.Year()))
	b.WriteByte(' ')
	writeTwoDigits(&b, t.Hour())
	b.WriteByte(':')
	writeTwoDigits(&b, t.Minute())
	b.WriteByte(':')
	writeTwoDigits(&b, t.Second())
	b.WriteByte(' ')
	_, offset := t.Zone()
	b.WriteString(zoneName(offset))
	b.WriteByte('"')
	return b.String()
}

// zoneName writes an offset east of UTC as Python's %z does: "+HHMM", or
// "+HHMMSS" when the offset has seconds.
func zoneName(offset int) string {
	var b strings.Builder
	if offset < 0 {
		b.WriteByte('-')
		offset = -offset
	} else {
		b.WriteByte('+')
	}
	writeTwoDigits(&b, offset/3600)
	writeTwoDigits(&b, offset/60%60)
	if offset%60 != 0 {
		writeTwoDigits(&b, offset%60)
	}
	return b.String()
}

func writeTwoDigits(b *strings.Builder, n int) {
	if n < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(n))
}

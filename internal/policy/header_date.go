package policy

import (
	"fmt"
	"strings"
	"time"
)

// Date headers: Python's DateHeader parses the value with
// email.utils.parsedate_to_datetime (RFC 5322 section 3.3 with the
// obsolete forms of section 4.3 and a few more) and folds the value
// re-formatted by email.utils.format_datetime; a value it cannot parse
// folds to an empty value.

var pyMonthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul",
	"aug", "sep", "oct", "nov", "dec",
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

var pyDayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

var pyTimezones = map[string]int{"UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
	"AST": -400, "ADT": -300, "EST": -500, "EDT": -400, "CST": -600, "CDT": -500,
	"MST": -700, "MDT": -600, "PST": -800, "PDT": -700}

// pyInt is Python's int(s) for ASCII input: optional sign, digits with
// single underscores between them.
func pyInt(s string) (int, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			if s[i-1] == '_' {
				return 0, false
			}
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 1<<40 {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// pyParsedateTZ is email._parseaddr._parsedate_tz. tzKnown is false for
// the "-0000" zone (Python's None offset); tz is in seconds.
func pyParsedateTZ(data string) (fields [6]int, tz int, tzKnown, ok bool) {
	words := strings.FieldsFunc(data, pyRuneIsSpace)
	if len(words) == 0 {
		return
	}
	if strings.HasSuffix(words[0], ",") || indexOf(pyDayNames, strings.ToLower(words[0])) >= 0 {
		words = words[1:]
	} else if i := strings.LastIndex(words[0], ","); i >= 0 {
		words[0] = words[0][i+1:]
	}
	if len(words) == 3 {
		if stuff := strings.Split(words[0], "-"); len(stuff) == 3 {
			words = append(stuff, words[1:]...)
		}
	}
	if len(words) == 4 {
		s := words[3]
		i := strings.Index(s, "+")
		if i == -1 {
			i = strings.Index(s, "-")
		}
		if i > 0 {
			words = append(words[:3], s[:i], s[i:])
		} else {
			words = append(words, "")
		}
	}
	if len(words) < 5 {
		return
	}
	dd, mm, yy, tm, tzs := words[0], words[1], words[2], words[3], words[4]
	if dd == "" || mm == "" || yy == "" {
		return
	}
	mm = strings.ToLower(mm)
	mi := indexOf(pyMonthNames, mm)
	if mi < 0 {
		dd, mm = mm, strings.ToLower(dd)
		if mi = indexOf(pyMonthNames, mm); mi < 0 {
			return
		}
	}
	month := mi + 1
	if month > 12 {
		month -= 12
	}
	if strings.HasSuffix(dd, ",") {
		dd = dd[:len(dd)-1]
	}
	if strings.Index(yy, ":") > 0 {
		yy, tm = tm, yy
	}
	if strings.HasSuffix(yy, ",") {
		yy = yy[:len(yy)-1]
		if yy == "" {
			return
		}
	}
	if !(yy[0] >= '0' && yy[0] <= '9') {
		yy, tzs = tzs, yy
	}
	if strings.HasSuffix(tm, ",") {
		tm = tm[:len(tm)-1]
	}
	var thh, tmm, tss string
	parts := strings.Split(tm, ":")
	switch {
	case len(parts) == 2:
		thh, tmm, tss = parts[0], parts[1], "0"
	case len(parts) == 3:
		thh, tmm, tss = parts[0], parts[1], parts[2]
	case len(parts) == 1 && strings.Contains(parts[0], "."):
		parts = strings.Split(parts[0], ".")
		switch len(parts) {
		case 2:
			thh, tmm, tss = parts[0], parts[1], "0"
		case 3:
			thh, tmm, tss = parts[0], parts[1], parts[2]
		default:
			return
		}
	default:
		return
	}
	var nums [5]int
	for i, s := range []string{yy, dd, thh, tmm, tss} {
		n, good := pyInt(s)
		if !good {
			return
		}
		nums[i] = n
	}
	year := nums[0]
	if year < 100 {
		if year > 68 {
			year += 1900
		} else {
			year += 2000
		}
	}
	tzs = strings.ToUpper(tzs)
	offset, known := 0, false
	if v, found := pyTimezones[tzs]; found {
		offset, known = v, true
	} else if v, good := pyInt(tzs); good {
		offset, known = v, !(v == 0 && strings.HasPrefix(tzs, "-"))
	}
	if offset != 0 {
		sign := 1
		if offset < 0 {
			sign, offset = -1, -offset
		}
		offset = sign * ((offset/100)*3600 + (offset%100)*60)
	}
	return [6]int{year, month, nums[1], nums[2], nums[3], nums[4]}, offset, known, true
}

// pyFormatDate is parsedate_to_datetime followed by format_datetime; ok
// is false where Python raises ValueError (an impossible date or an
// offset of a day or more).
func pyFormatDate(value string) (string, bool) {
	f, tz, tzKnown, ok := pyParsedateTZ(value)
	if !ok {
		return "", false
	}
	year, month, day, hour, minute, second := f[0], f[1], f[2], f[3], f[4], f[5]
	if year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 {
		return "", false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	if t.Day() != day {
		return "", false
	}
	zone := "-0000"
	if tzKnown {
		if tz <= -86400 || tz >= 86400 {
			return "", false
		}
		sign := '+'
		abs := tz
		if tz < 0 {
			sign, abs = '-', -tz
		}
		zone = fmt.Sprintf("%c%02d%02d", sign, abs/3600, abs%3600/60)
	}
	return fmt.Sprintf("%s, %02d %s %04d %02d:%02d:%02d %s", t.Weekday().String()[:3], day,
		t.Month().String()[:3], year, hour, minute, second, zone), true
}

// parseDateHeader is DateHeader.parse: the parse tree of the re-formatted
// date, or an empty tree for an empty or unparseable value.
func parseDateHeader(value string) (*token, error) {
	if value == "" {
		return newList(clsTokenList), nil
	}
	formatted, ok := pyFormatDate(value)
	if !ok {
		return newList(clsTokenList), nil
	}
	return getUnstructured(formatted)
}

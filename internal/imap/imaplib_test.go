package imap

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The vectors in testdata/imaplib-vectors.json were computed by calling
// Python's imaplib (see /work/shared/tools/gen_imaplib_vectors.py and the
// file's "notes"). Byte strings are JSON strings with one character per byte.

type imaplibVectors struct {
	Int2AP             struct{ Cases []int2APCase }
	ParseFlags         struct{ Cases []parseFlagsCase }
	Internaldate2tuple struct{ Cases []internaldateCase }
	Time2Internaldate  struct{ Cases []time2InternaldateCase }
	PythonTests        struct {
		Cases []pythonTestCase
	} `json:"python_tests"`
}

type int2APCase struct {
	Input        json.Number
	InputType    string `json:"input_type"`
	InputDecimal string `json:"input_decimal"`
	Expected     string
}

type parseFlagsCase struct {
	Input     string
	InputType string `json:"input_type"`
	Note      string
	Expected  json.RawMessage
	Raises    string
}

type structTimeJSON struct {
	StructTime []int  `json:"struct_time"`
	TmZone     string `json:"tm_zone"`
	TmGmtoff   int    `json:"tm_gmtoff"`
	UTCEpoch   int64  `json:"utc_epoch"`
}

type internaldateCase struct {
	Input     string
	InputType string `json:"input_type"`
	Note      string
	Expected  json.RawMessage
	Raises    string
}

// pythonValue is value_json() of the generator: one Python value.
type pythonValue struct {
	Type            string
	Value           json.RawMessage
	TmZone          string `json:"tm_zone"`
	TmGmtoff        *int   `json:"tm_gmtoff"`
	Year            int
	Month           int
	Day             int
	Hour            int
	Minute          int
	Second          int
	Microsecond     int
	UTCOffsetSecond *int `json:"utcoffset_seconds"`
}

type time2InternaldateCase struct {
	Input    pythonValue
	Note     string
	Expected json.RawMessage
	Raises   string
}

type pythonTestCase struct {
	Test           string
	Function       string
	TZ             string
	Input          json.RawMessage
	Inputs         []string
	Expected       json.RawMessage
	ExpectedMktime *int64 `json:"expected_mktime"`
}

func loadImaplibVectors(t *testing.T) *imaplibVectors {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "imaplib-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v imaplibVectors
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode imaplib-vectors.json: %v", err)
	}
	return &v
}

// latin1 turns a vector's byte string (one character per byte) into bytes.
func latin1(t *testing.T, s string) []byte {
	t.Helper()
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			t.Fatalf("byte string %q has character U+%04X", s, r)
		}
		b = append(b, byte(r))
	}
	return b
}

func TestInt2APVectors(t *testing.T) {
	cases := loadImaplibVectors(t).Int2AP.Cases
	if len(cases) < 2000 {
		t.Fatalf("only %d Int2AP vectors", len(cases))
	}
	maxUint64 := new(big.Int).SetUint64(math.MaxUint64)
	for _, c := range cases {
		if c.InputType == "float" {
			// imaplib: int(abs(num)); Go's conversion truncates the same way.
			f, err := c.Input.Float64()
			if err != nil {
				t.Fatal(err)
			}
			if got := Int2AP(uint64(math.Abs(f))); got != c.Expected {
				t.Errorf("Int2AP(uint64(abs(%v))) = %q, want %q", f, got, c.Expected)
			}
			continue
		}
		dec := c.InputDecimal
		if dec == "" {
			dec = c.Input.String()
		}
		n, ok := new(big.Int).SetString(dec, 10)
		if !ok {
			t.Fatalf("bad Int2AP input %q", dec)
		}
		n.Abs(n)
		if n.Cmp(maxUint64) <= 0 {
			if got := Int2AP(n.Uint64()); got != c.Expected {
				t.Errorf("Int2AP(%s) = %q, want %q", dec, got, c.Expected)
			}
			continue
		}
		// Beyond uint64: n = high<<64 + low, and base-16 digits split at
		// exactly 16 digits, so the A-P form is Int2AP(high) followed by
		// Int2AP(low) left-padded with "A" (zero) to 16 digits.
		low := new(big.Int).And(n, maxUint64).Uint64()
		high := new(big.Int).Rsh(n, 64)
		if !high.IsUint64() {
			t.Fatalf("Int2AP input %s too large for this test", dec)
		}
		lowAP := Int2AP(low)
		got := Int2AP(high.Uint64()) + strings.Repeat("A", 16-len(lowAP)) + lowAP
		if got != c.Expected {
			t.Errorf("Int2AP(%s>>64) + Int2AP(%s&(1<<64-1)) = %q, want %q", dec, dec, got, c.Expected)
		}
	}
}

func TestTagGenerator(t *testing.T) {
	g := NewTagGeneratorWithPrefix(Int2AP(4096))
	for i, want := range []string{"BAAA0", "BAAA1", "BAAA2"} {
		if got := g.Next(); got != want {
			t.Errorf("tag %d = %q, want %q", i, got, want)
		}
	}
	for range 50 {
		p := NewTagGenerator().Prefix()
		// imaplib: Int2AP(random.randint(4096, 65535)) is 4 letters A-P, not starting with A.
		if len(p) != 4 || strings.Trim(p, apDigits) != "" || p[0] == 'A' {
			t.Fatalf("NewTagGenerator().Prefix() = %q, want 4 letters B-P then A-P", p)
		}
	}
}

func TestParseFlagsVectors(t *testing.T) {
	cases := loadImaplibVectors(t).ParseFlags.Cases
	for _, c := range cases {
		if c.InputType == "str" {
			// Python raises TypeError for text; Go's ParseFlags takes bytes
			// only, so passing text does not compile.
			if c.Raises != "TypeError" || reflect.TypeOf(ParseFlags).In(0) != reflect.TypeOf([]byte(nil)) {
				t.Errorf("ParseFlags str case: Python raises %q, Go parameter %v", c.Raises, reflect.TypeOf(ParseFlags).In(0))
			}
			continue
		}
		checkParseFlags(t, latin1(t, c.Input), c.Expected, c.Note)
	}
}

func checkParseFlags(t *testing.T, input []byte, expectedJSON json.RawMessage, note string) {
	t.Helper()
	var expected []string
	if err := json.Unmarshal(expectedJSON, &expected); err != nil {
		t.Fatalf("ParseFlags(%q) expected: %v", input, err)
	}
	want := make([]string, len(expected))
	for i, e := range expected {
		want[i] = string(latin1(t, e))
	}
	got := ParseFlags(input)
	if got == nil || !slices.Equal(got, want) {
		t.Errorf("ParseFlags(%q) (%s) = %q, want %q", input, note, got, want)
	}
}

// checkStructTime compares a time with Python's struct_time of the same
// instant, taken in the zone Python used.
func checkStructTime(t *testing.T, what string, got time.Time, want structTimeJSON) {
	t.Helper()
	if got.Unix() != want.UTCEpoch {
		t.Errorf("%s = %v (epoch %d), want epoch %d", what, got, got.Unix(), want.UTCEpoch)
	}
	local := got.In(time.FixedZone(want.TmZone, want.TmGmtoff))
	// Python's tm_wday counts from Monday = 0; tm_isdst is not compared.
	fields := []int{local.Year(), int(local.Month()), local.Day(), local.Hour(), local.Minute(), local.Second(),
		(int(local.Weekday()) + 6) % 7, local.YearDay()}
	if !slices.Equal(fields, want.StructTime[:8]) {
		t.Errorf("%s in %s%+d = %v, want struct_time %v", what, want.TmZone, want.TmGmtoff, fields, want.StructTime)
	}
}

func TestInternaldate2tupleVectors(t *testing.T) {
	cases := loadImaplibVectors(t).Internaldate2tuple.Cases
	for _, c := range cases {
		if c.InputType == "str" {
			if c.Raises != "TypeError" || reflect.TypeOf(Internaldate2tuple).In(0) != reflect.TypeOf([]byte(nil)) {
				t.Errorf("Internaldate2tuple str case: Python raises %q, Go parameter %v", c.Raises, reflect.TypeOf(Internaldate2tuple).In(0))
			}
			continue
		}
		input := latin1(t, c.Input)
		got, ok := Internaldate2tuple(input)
		if c.Raises != "" || string(c.Expected) == "null" {
			// None in Python, or an exception (unknown month, year 0): not a date.
			if ok {
				t.Errorf("Internaldate2tuple(%q) (%s) = %v, want not a date (Python: %s)", input, c.Note, got, cmpOr(c.Raises, "None"))
			}
			continue
		}
		var want structTimeJSON
		if err := json.Unmarshal(c.Expected, &want); err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("Internaldate2tuple(%q) (%s) = not a date, want %v", input, c.Note, want)
			continue
		}
		checkStructTime(t, "Internaldate2tuple("+string(input)+")", got, want)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestInternaldate2tupleKeepsZone(t *testing.T) {
	// RFC 3501 §7.4.2's example date.
	got, ok := Internaldate2tuple([]byte(`* 12 FETCH (INTERNALDATE "17-Jul-1996 02:44:25 -0700")`))
	if !ok {
		t.Fatal("Internaldate2tuple: not a date")
	}
	if _, offset := got.Zone(); offset != -7*3600 || got.Hour() != 2 || got.Minute() != 44 {
		t.Errorf("Internaldate2tuple = %v, want 02:44:25 in zone -0700", got)
	}
	if s := Time2Internaldate(got); s != `"17-Jul-1996 02:44:25 -0700"` {
		t.Errorf("Time2Internaldate(Internaldate2tuple(...)) = %s", s)
	}
}

// pythonTime turns a generator value into the time.Time a Go caller would
// pass, with loc standing for the process's local zone; reason is non-empty
// when the Python value has no time.Time counterpart.
func pythonTime(t *testing.T, v pythonValue, loc *time.Location) (tm time.Time, reason string) {
	t.Helper()
	switch v.Type {
	case "int":
		var sec int64
		if err := json.Unmarshal(v.Value, &sec); err != nil {
			t.Fatal(err)
		}
		return time.Unix(sec, 0).In(loc), ""
	case "float":
		var f float64
		if err := json.Unmarshal(v.Value, &f); err != nil {
			t.Fatal(err)
		}
		// datetime.fromtimestamp: split with modf, round the fraction to
		// microseconds half-to-even, carry.
		whole, frac := math.Modf(f)
		us := math.RoundToEven(frac * 1e6)
		if us >= 1e6 {
			whole++
			us -= 1e6
		} else if us < 0 {
			whole--
			us += 1e6
		}
		return time.Unix(int64(whole), int64(us)*1000).In(loc), ""
	case "struct_time":
		var f []int
		if err := json.Unmarshal(v.Value, &f); err != nil {
			t.Fatal(err)
		}
		return time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.FixedZone(v.TmZone, *v.TmGmtoff)), ""
	case "tuple":
		var f []int
		if err := json.Unmarshal(v.Value, &f); err != nil {
			t.Fatal(err)
		}
		if f[1] < 1 || f[1] > 12 || f[3] > 23 {
			return time.Time{}, "time.Time cannot hold an out-of-range field"
		}
		return time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, loc), ""
	case "datetime":
		return time.Date(v.Year, time.Month(v.Month), v.Day, v.Hour, v.Minute, v.Second, v.Microsecond*1000,
			time.FixedZone("", *v.UTCOffsetSecond)), ""
	case "naive_datetime":
		return time.Time{}, "a time.Time always has a zone"
	case "str", "bytes", "none", "list":
		return time.Time{}, "Time2Internaldate takes a time.Time; a quoted date string is passed through by the caller"
	}
	t.Fatalf("unknown Python value type %q", v.Type)
	return time.Time{}, ""
}

func TestTime2InternaldateVectors(t *testing.T) {
	cases := loadImaplibVectors(t).Time2Internaldate.Cases
	for _, c := range cases {
		tm, reason := pythonTime(t, c.Input, time.UTC) // the vectors were made with TZ=UTC
		if reason != "" {
			// Python raised for these (or, for a quoted string, returned it
			// unchanged); Go's type admits no such argument.
			if c.Raises == "" && c.Input.Type != "str" {
				t.Errorf("%s: Python returned %s but the input is not expressible in Go", c.Note, c.Expected)
			}
			t.Logf("not expressible in Go (%s): %s, Python: %s%s", reason, c.Note, c.Raises, c.Expected)
			continue
		}
		var want string
		if err := json.Unmarshal(c.Expected, &want); err != nil {
			t.Fatalf("%s: Python raised %q for an input Go can express", c.Note, c.Raises)
		}
		if got := Time2Internaldate(tm); got != want {
			t.Errorf("Time2Internaldate(%v) (%s) = %s, want %s", tm, c.Note, got, want)
		}
	}
}

// posixZone makes a *time.Location from a POSIX TZ string such as the ones
// CPython's test_imaplib sets, by wrapping it as the footer of a TZif file
// (RFC 8536 §3.3) with no transitions.
func posixZone(t *testing.T, tz string) *time.Location {
	t.Helper()
	stdName := tz[:strings.IndexAny(tz, "+-0123456789")]
	header := func(version byte) []byte {
		h := append([]byte("TZif"), version)
		h = append(h, make([]byte, 15)...)
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, uint32(len(stdName) + 1)} {
			h = binary.BigEndian.AppendUint32(h, n)
		}
		return h
	}
	body := []byte{0, 0, 0, 0, 0, 0} // one ttinfo: offset 0 (unused: the footer rules), not DST, name index 0
	body = append(body, stdName...)
	body = append(body, 0)
	var data []byte
	data = append(data, header('2')...)
	data = append(data, body...)
	data = append(data, header('2')...)
	data = append(data, body...)
	data = append(data, '\n')
	data = append(data, tz...)
	data = append(data, '\n')
	loc, err := time.LoadLocationFromTZData(tz, data)
	if err != nil {
		t.Fatalf("zone %q: %v", tz, err)
	}
	return loc
}

func TestImaplibPythonTests(t *testing.T) {
	cases := loadImaplibVectors(t).PythonTests.Cases
	if len(cases) == 0 {
		t.Fatal("no python_tests cases")
	}
	for _, c := range cases {
		switch {
		case c.Test == "TestImaplib.test_Internaldate2tuple":
			var input string
			var want structTimeJSON
			if err := json.Unmarshal(c.Input, &input); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(c.Expected, &want); err != nil {
				t.Fatal(err)
			}
			got, ok := Internaldate2tuple(latin1(t, input))
			if !ok {
				t.Errorf("%s: Internaldate2tuple(%q) = not a date", c.Test, input)
				continue
			}
			// The test's assertion: time.mktime(result) == timegm(2000-01-01).
			if got.Unix() != *c.ExpectedMktime {
				t.Errorf("%s: Internaldate2tuple(%q) = %v, want epoch %d", c.Test, input, got, *c.ExpectedMktime)
			}
			checkStructTime(t, c.Test, got, want)
		case c.Test == "TestImaplib.test_Internaldate2tuple_issue10941":
			loc := posixZone(t, c.TZ)
			var want []structTimeJSON
			if err := json.Unmarshal(c.Expected, &want); err != nil {
				t.Fatal(err)
			}
			var got []time.Time
			for i, input := range c.Inputs {
				tm, ok := Internaldate2tuple(latin1(t, input))
				if !ok {
					t.Fatalf("%s: Internaldate2tuple(%q) = not a date", c.Test, input)
				}
				got = append(got, tm)
				if _, off := tm.In(loc).Zone(); off != want[i].TmGmtoff {
					t.Errorf("%s: zone %s at %v has offset %d, Python had %d", c.Test, c.TZ, tm, off, want[i].TmGmtoff)
				}
				checkStructTime(t, c.Test, tm, want[i])
			}
			if got[0].Equal(got[1]) {
				t.Errorf("%s: both inputs gave %v, want different instants", c.Test, got[0])
			}
		case c.Function == "Time2Internaldate":
			loc := time.UTC
			if c.TZ != "UTC" {
				loc = posixZone(t, c.TZ)
			}
			var v pythonValue
			if err := json.Unmarshal(c.Input, &v); err != nil {
				t.Fatal(err)
			}
			var want string
			if err := json.Unmarshal(c.Expected, &want); err != nil {
				t.Fatal(err)
			}
			tm, reason := pythonTime(t, v, loc)
			if reason != "" {
				if v.Type != "str" {
					t.Errorf("%s: input %s not expressible: %s", c.Test, c.Input, reason)
				}
				continue // a quoted string: the caller sends it as it is
			}
			if got := Time2Internaldate(tm); got != want {
				t.Errorf("%s (TZ=%s): Time2Internaldate(%v) = %s, want %s", c.Test, c.TZ, tm, got, want)
			}
		case c.Function == "ParseFlags":
			var input string
			if err := json.Unmarshal(c.Input, &input); err != nil {
				t.Fatal(err)
			}
			checkParseFlags(t, latin1(t, input), c.Expected, c.Test)
		default:
			t.Errorf("python_tests case %q (%s) not checked", c.Test, c.Function)
		}
	}
}

// FuzzInternaldate2tuple checks that any input either is not a date or
// gives a time whose INTERNALDATE form parses back to the same instant.
func FuzzInternaldate2tuple(f *testing.F) {
	f.Add([]byte(`* 12 FETCH (UID 42 INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286)`))
	f.Add([]byte(`25 (INTERNALDATE " 1-Feb-2020 99:99:99 +9999")`))
	f.Add([]byte(`25 (INTERNALDATE "00-Jan-0001 00:00:00 -0000")`))
	f.Add([]byte("INTERNALDATE \"01-Jan-2000 00:00:00 +0000\"\nINTERNALDATE"))
	f.Fuzz(func(t *testing.T, resp []byte) {
		tm, ok := Internaldate2tuple(resp)
		if !ok {
			return
		}
		_, offset := tm.Zone()
		if tm.Year() < 1000 || tm.Year() > 9999 || offset%60 != 0 || offset <= -100*3600 || offset >= 100*3600 {
			return // outside what a 4-digit year and a +HHMM zone can write
		}
		s := Time2Internaldate(tm)
		back, ok := Internaldate2tuple([]byte("INTERNALDATE " + s))
		if !ok || !back.Equal(tm) {
			t.Fatalf("Internaldate2tuple(%q) = %v; its form %s parses to %v, %v", resp, tm, s, back, ok)
		}
	})
}

// FuzzParseFlags checks that flags are non-empty and free of the
// separators they were split on.
func FuzzParseFlags(f *testing.F) {
	f.Add([]byte(`* 1 FETCH (FLAGS (\Seen \Answered))`))
	f.Add([]byte("1 (FLAGS (\\Seen\x0b\\Draft\x0c$X)) 2 (FLAGS (\\Draft))"))
	f.Fuzz(func(t *testing.T, resp []byte) {
		for _, flag := range ParseFlags(resp) {
			if flag == "" || strings.ContainsAny(flag, " \t\n\r\v\f)") {
				t.Fatalf("ParseFlags(%q) has flag %q", resp, flag)
			}
		}
	})
}

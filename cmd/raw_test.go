package cmd

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// raw prints a body section as it came on the wire: the line up to {n},
// then exactly the n bytes the server holds (RFC 3501 §6.4.5 HEADER: the
// header up to and including the blank line), then the rest. The expected
// bytes are the message go-imap's server was seeded with.
func TestRawPrintsBodySectionLiteral(t *testing.T) {
	s := startTestServer(t)
	var header []byte
	var uid uint32
	for _, m := range s.messagesIn("INBOX") {
		if i := bytes.Index(m.Data, []byte("\r\n\r\n")); i >= 0 {
			header, uid = m.Data[:i+4], m.UID
			break
		}
	}
	if header == nil {
		t.Fatal("no seeded message with a header/body separator")
	}
	id := strconv.FormatUint(uint64(uid), 10)
	code, out, errOut := s.run(t, nil, "raw", "--select", "INBOX", "UID FETCH "+id+" BODY.PEEK[HEADER]")
	want := " BODY[HEADER] {" + strconv.Itoa(len(header)) + "}\n" + string(header) + ")\n"
	if code != ExitOK || !strings.HasPrefix(out, "* ") || !strings.Contains(out, want) || !strings.Contains(out, " OK ") {
		t.Fatalf("raw UID FETCH BODY.PEEK[HEADER] = %d %q %q; want it to contain %q", code, out, errOut, want)
	}

	// On a terminal the same bytes are shown with CRLF as a line break
	// and no control character.
	ios, _, tout, _ := Test()
	ios.IsStdoutTTY = true
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) { v, ok := s.env[k]; return v, ok }
	if code := run(context.Background(), []string{"raw", "--select", "INBOX", "UID FETCH " + id + " BODY.PEEK[HEADER]"}, f); code != ExitOK {
		t.Fatalf("raw on a terminal = %d", code)
	}
	for _, c := range tout.Bytes() {
		if c < ' ' && c != '\n' || c == 0x7f {
			t.Fatalf("terminal output holds control byte %#x: %q", c, tout.String())
		}
	}
	first, _, _ := strings.Cut(string(header), "\r\n")
	if !strings.Contains(tout.String(), "{"+strconv.Itoa(len(header))+"}\n"+terminalSafe(first, false)+"\n") {
		t.Errorf("terminal output %q lacks the header's first line %q", tout.String(), first)
	}
}

// raw refuses a line ending in a literal announcement (RFC 3501 §4.3
// literal, RFC 7888 non-synchronizing literal, RFC 3516 literal8): the
// server would wait for its data. Braces elsewhere are sent as typed.
func TestRawRefusesLiteralAtEnd(t *testing.T) {
	newCmd := func(f *Factory) *cobra.Command {
		return NewRawCmd(f, func(*RawOptions) error { return nil })
	}
	for _, line := range []string{
		"CREATE {5}", "APPEND INBOX {12}", "APPEND INBOX {12+}", "APPEND INBOX ~{12}",
		"X {0}", "{7}", "X {007+}  ",
	} {
		if err := parse(t, newCmd, line); err == nil {
			t.Errorf("raw %q: no error", line)
		} else if _, ok := err.(*UsageError); !ok {
			t.Errorf("raw %q: %T %v, want *UsageError", line, err, err)
		}
	}
	for _, line := range []string{
		"NOOP", "X {}", "X {+}", "X {5++}", "X {+5}", "X {5 }", "X {a}", "X 5}", "X {5}x",
		"X {5} Y", "X {-5}", "X {5}}", "X }",
	} {
		if err := parse(t, newCmd, line); err != nil {
			t.Errorf("raw %q: %v, want no error", line, err)
		}
	}
}

// The command name is the first word, or "UID" and the next one; the
// arguments are the rest of the line after them, as typed. Spaces and
// tabs both separate the words of the name (RFC 3501 §9 puts one SP
// there; imapctl sends one SP whatever was typed).
func TestRawSplitsNameFromArguments(t *testing.T) {
	for _, tc := range []struct{ line, name, args string }{
		{"UID  FETCH 1 (FLAGS)", "UID FETCH", "1 (FLAGS)"},
		{"uid\tfetch\t1 (FLAGS)", "UID FETCH", "1 (FLAGS)"},
		{"NOOP\tX", "NOOP", "X"},
		{"ID   NIL", "ID", "NIL"},
		{"SEARCH SUBJECT \"a  b\"", "SEARCH", "SUBJECT \"a  b\""},
		{"NOOP", "NOOP", ""},
		{"UID", "UID", ""},
		{"UID \t ", "UID", ""},
	} {
		var got *RawOptions
		newCmd := func(f *Factory) *cobra.Command {
			return NewRawCmd(f, func(o *RawOptions) error { got = o; return nil })
		}
		if err := parse(t, newCmd, tc.line); err != nil {
			t.Errorf("raw %q: %v", tc.line, err)
			continue
		}
		if got.Name != tc.name || got.Args != tc.args {
			t.Errorf("raw %q: name %q, args %q; want %q, %q", tc.line, got.Name, got.Args, tc.name, tc.args)
		}
	}
}

// On the wire: "UID  FETCH 1 (FLAGS)" is UID FETCH with its arguments,
// not "UID FETCH FETCH 1 (FLAGS)", and a tab before the arguments keeps
// them.
func TestRawWireWithExtraSpacesAndTabs(t *testing.T) {
	s, env := startScript(t, `login
C: $tag UID FETCH 1 (FLAGS)
S: * 1 FETCH (UID 1 FLAGS (\Seen))
S: $tag OK done
`)
	if code, out, errOut := runTest(t, env, "raw", "UID  FETCH 1 (FLAGS)"); code != ExitOK {
		t.Errorf("raw 'UID  FETCH 1 (FLAGS)' = %d, %q, %q; the server got:\n%s", code, out, errOut, s.Transcript())
	}
	s, env = startScript(t, `login
C: $tag NOOP X
S: $tag OK done
`)
	if code, out, errOut := runTest(t, env, "raw", "NOOP\tX"); code != ExitOK {
		t.Errorf("raw 'NOOP<tab>X' = %d, %q, %q; the server got:\n%s", code, out, errOut, s.Transcript())
	}
}

// raw refuses, before connecting, the commands after which the server
// does not simply answer with a tagged completion: IDLE waits for DONE
// (RFC 2177 §3), AUTHENTICATE for SASL responses (RFC 3501 §6.2.2),
// STARTTLS and COMPRESS switch the stream (RFC 3501 §6.2.1, RFC 4978 §3);
// LOGIN would put a password in argv. Exit 2, with a pointer to the
// imapctl way of doing it, and nothing reaches the server.
func TestRawRefusesStreamChangingCommands(t *testing.T) {
	for _, tc := range []struct{ line, pointer string }{
		{"IDLE", "imapctl watch"},
		{"idle", "imapctl watch"},
		{"AUTHENTICATE PLAIN", "--auth"},
		{"LOGIN joe secret", "password_cmd"},
		{"STARTTLS", "--tls starttls"},
		{"Compress DEFLATE", "--compress always"},
	} {
		s, env := startScript(t, "login\n")
		code, _, errOut := runTest(t, env, "raw", tc.line)
		if code != ExitUsage || !strings.Contains(errOut, tc.pointer) {
			t.Errorf("raw %q = %d, %q; want %d pointing at %q", tc.line, code, errOut, ExitUsage, tc.pointer)
		}
		if got := s.Transcript(); got != "" {
			t.Errorf("raw %q: the server received:\n%s\nwant nothing (refused before connecting)", tc.line, got)
		}
		if strings.Contains(errOut, "secret") {
			t.Errorf("raw %q: stderr %q repeats the password", tc.line, errOut)
		}
	}
}

package fakeserver

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// StepKind is what one step of a Script does.
type StepKind int

// The kinds of step.
const (
	// Send writes Text and CRLF. "$tag" in Text becomes the tag of the
	// last command the script expected, "$tag-1" the tag of the one
	// expected before it, "$tag-N" the one N before: a script expects
	// several pipelined commands before it answers them.
	Send StepKind = iota
	// Expect reads one client command (a line with the literals it
	// announces) and matches it against Text: "$tag" matches the tag (any
	// run of characters but space) and remembers it, "$arg" likewise
	// remembers one word (in its escaped form) for "$arg" in later Send
	// steps, "*" matches any run of characters, the rest matches itself,
	// ASCII letters in either case.
	// The command is matched in its escaped form (see Escape).
	Expect
	// ExpectLine is Expect for the first line of a command only: a literal
	// it announces is neither requested nor read, so the script decides
	// what happens to it (refuse it, or close the connection halfway).
	ExpectLine
	// Raw writes Text with "$tag", "$arg" and "$caps" replaced, nothing
	// else changed and no CRLF added.
	Raw
	// Close closes the connection.
	Close
	// Hang stops answering: the server reads and discards what the client
	// sends until the client closes the connection.
	Hang
	// Flood writes Text again and again, without CRLF, until the client
	// closes the connection or FloodLimit bytes were written.
	Flood
	// Mark creates the empty file named Text, so that a test can wait
	// until the script got this far.
	Mark
	// StartTLS performs the server side of a TLS handshake on the
	// connection (after the client's STARTTLS was answered).
	StartTLS
	// Sleep waits for Wait before the next step.
	Sleep
)

// FloodLimit bounds what a Flood step writes.
const FloodLimit = 64 << 20

// Step is one action of a Script.
type Step struct {
	Kind StepKind
	Text string
	// Line is the script line the step comes from.
	Line int
	// Wait is how long a Sleep step waits.
	Wait time.Duration
	// pattern is Text compiled, for Expect.
	pattern *regexp.Regexp
}

// Script is what a fake server does on each connection, and how it
// answers when the steps are done.
type Script struct {
	// Steps is what the server does on the first connection.
	Steps []Step
	// Later holds the steps of the second, third, ... connection (split by
	// "next-connection" lines); the last one repeats for every further
	// connection. Without it every connection plays Steps.
	Later [][]Step
	// Capabilities answer a CAPABILITY command the steps do not expect
	// (and fill "$caps" in Send steps).
	Capabilities string
	// TLS is "none" (the default) or "implicit": TLS from the first byte.
	TLS string
	// Cert is the certificate the server shows: "good" (signed by the CA
	// of Server.CACertPEM, for localhost and 127.0.0.1), "wronghost" (signed
	// by that CA for mail.example.com only), "expired" or "selfsigned".
	Cert string
}

// DefaultCapabilities are the capabilities of a script that sets none.
const DefaultCapabilities = "IMAP4rev1 AUTH=PLAIN LITERAL+"

// ParseScript reads a script, one step per line:
//
//	# comment, and blank lines, are ignored
//	S: TEXT          Send TEXT (with "$tag", "$arg" and "$caps" replaced)
//	C: PATTERN       Expect a command matching PATTERN
//	C-: PATTERN      ExpectLine: the first line of a command matching PATTERN
//	raw: "GO STRING" Raw: the bytes of a Go string literal (escapes allowed;
//	                 "$tag", "$arg" and "$caps" replaced)
//	flood: "GO STRING"  Flood with the bytes of a Go string literal
//	close            Close
//	hang             Hang
//	starttls         StartTLS
//	mark: PATH       Mark: create the file PATH
//	sleep: DURATION  Sleep, e.g. "sleep: 500ms"
//	login            shorthand: greeting with capabilities, then LOGIN and OK
//	next-connection  the steps after it are for the next connection
//	caps: LIST       Capabilities
//	tls: MODE        Script.TLS
//	cert: KIND       Script.Cert
func ParseScript(text string) (*Script, error) {
	s := &Script{Capabilities: DefaultCapabilities, TLS: "none", Cert: "good"}
	scanner := bufio.NewScanner(strings.NewReader(text))
	scanner.Buffer(make([]byte, 0, 64*1024), 16<<20)
	n := 0
	for scanner.Scan() {
		n++
		line := strings.TrimRight(scanner.Text(), "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		key, value, hasColon := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		bad := func(format string, args ...any) error {
			return fmt.Errorf("fakeserver: script line %d: %s", n, fmt.Sprintf(format, args...))
		}
		switch {
		case hasColon && key == "S":
			s.add(Step{Kind: Send, Text: value, Line: n})
		case hasColon && (key == "C" || key == "C-"):
			re, err := compilePattern(value)
			if err != nil {
				return nil, bad("%v", err)
			}
			kind := Expect
			if key == "C-" {
				kind = ExpectLine
			}
			s.add(Step{Kind: kind, Text: value, Line: n, pattern: re})
		case hasColon && (key == "raw" || key == "flood"):
			data, err := strconv.Unquote(strings.TrimSpace(value))
			if err != nil {
				return nil, bad("%s wants a Go string literal: %v", key, err)
			}
			kind := Raw
			if key == "flood" {
				kind = Flood
				if data == "" {
					return nil, bad("flood of nothing")
				}
			}
			s.add(Step{Kind: kind, Text: data, Line: n})
		case hasColon && key == "sleep":
			d, err := time.ParseDuration(strings.TrimSpace(value))
			if err != nil || d < 0 {
				return nil, bad("sleep wants a duration such as 500ms, not %q", value)
			}
			s.add(Step{Kind: Sleep, Wait: d, Line: n})
		case hasColon && key == "mark":
			s.add(Step{Kind: Mark, Text: strings.TrimSpace(value), Line: n})
		case hasColon && key == "caps":
			s.Capabilities = strings.TrimSpace(value)
		case hasColon && key == "tls":
			s.TLS = strings.TrimSpace(value)
			if s.TLS != "none" && s.TLS != "implicit" {
				return nil, bad("tls is none or implicit, not %q", s.TLS)
			}
		case hasColon && key == "cert":
			s.Cert = strings.TrimSpace(value)
			switch s.Cert {
			case "good", "wronghost", "expired", "selfsigned":
			default:
				return nil, bad("unknown cert %q", s.Cert)
			}
		case trimmed == "next-connection":
			s.Later = append(s.Later, nil)
		case trimmed == "close":
			s.add(Step{Kind: Close, Line: n})
		case trimmed == "hang":
			s.add(Step{Kind: Hang, Line: n})
		case trimmed == "starttls":
			s.add(Step{Kind: StartTLS, Line: n})
		case trimmed == "login":
			re, _ := compilePattern("$tag LOGIN *")
			s.add(
				Step{Kind: Send, Text: "* OK [CAPABILITY $caps] fake server ready", Line: n},
				Step{Kind: Expect, Text: "$tag LOGIN *", Line: n, pattern: re},
				Step{Kind: Send, Text: "$tag OK [CAPABILITY $caps] logged in", Line: n},
			)
		default:
			return nil, bad("cannot parse %q", line)
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("fakeserver: %w", err)
	}
	return s, nil
}

// add appends steps to the connection being described.
func (s *Script) add(steps ...Step) {
	if len(s.Later) == 0 {
		s.Steps = append(s.Steps, steps...)
		return
	}
	last := len(s.Later) - 1
	s.Later[last] = append(s.Later[last], steps...)
}

// stepsFor returns the steps of connection n (numbered from 1).
func (s *Script) stepsFor(n int) []Step {
	if n <= 1 || len(s.Later) == 0 {
		return s.Steps
	}
	return s.Later[min(n-2, len(s.Later)-1)]
}

// compilePattern turns an Expect pattern into an anchored regular
// expression with a group "tag" and a group "arg".
func compilePattern(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("(?is)^")
	tagSeen, argSeen := false, false
	for i := 0; i < len(pattern); {
		switch {
		case strings.HasPrefix(pattern[i:], "$tag"):
			if tagSeen {
				return nil, fmt.Errorf("pattern %q has $tag twice", pattern)
			}
			tagSeen = true
			b.WriteString(`(?P<tag>[^ ]+)`)
			i += len("$tag")
		case strings.HasPrefix(pattern[i:], "$arg"):
			if argSeen {
				return nil, fmt.Errorf("pattern %q has $arg twice", pattern)
			}
			argSeen = true
			b.WriteString(`(?P<arg>[^ ]+)`)
			i += len("$arg")
		case pattern[i] == '*':
			b.WriteString(`.*`)
			i++
		default:
			j := i + 1
			for j < len(pattern) && pattern[j] != '*' && !strings.HasPrefix(pattern[j:], "$tag") && !strings.HasPrefix(pattern[j:], "$arg") {
				j++
			}
			b.WriteString(regexp.QuoteMeta(pattern[i:j]))
			i = j
		}
	}
	// Still give the regexp its groups, matching nothing.
	if !tagSeen {
		b.WriteString(`(?P<tag>)`)
	}
	if !argSeen {
		b.WriteString(`(?P<arg>)`)
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// Escape shows a client command on one line: CR, LF, NUL and the other
// control bytes, backslash, and bytes that are not UTF-8 are written as Go
// escapes (\r, \n, \x00, \\, \xff); printable UTF-8 stays as it is. An
// injected line break therefore never looks like a second command.
func Escape(data []byte) string {
	var b strings.Builder
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		switch {
		case size == 1 && data[0] >= 0x80:
			fmt.Fprintf(&b, `\x%02x`, data[0])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.Write(data[:size])
		}
		data = data[size:]
	}
	return b.String()
}

package cmd

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
)

// wireCommands runs fn on a client connected to a scripted server that
// greets with capabilities caps, answers every command OK (a SEARCH with
// an empty "* SEARCH") and records each command exactly as received,
// literal data included. Synchronising literals get a "+" continuation.
func wireCommands(t *testing.T, caps string, fn func(c *imap.Client) error) (commands []string, err error) {
	t.Helper()
	clientConn, serverConn := net.Pipe()
	done := make(chan []string)
	go func() {
		var cmds []string
		defer func() { serverConn.Close(); done <- cmds }()
		br := bufio.NewReader(serverConn)
		if _, err := io.WriteString(serverConn, "* OK [CAPABILITY IMAP4rev1 "+caps+"] hi\r\n"); err != nil {
			return
		}
		for {
			var cmd strings.Builder
			for {
				line, err := br.ReadString('\n')
				cmd.WriteString(line)
				if err != nil {
					if cmd.Len() > 0 {
						cmds = append(cmds, cmd.String())
					}
					return
				}
				n, sync, ok := wireLiteralAt(line)
				if !ok {
					break
				}
				if sync {
					io.WriteString(serverConn, "+ go\r\n")
				}
				data := make([]byte, n)
				if _, err := io.ReadFull(br, data); err != nil {
					cmds = append(cmds, cmd.String())
					return
				}
				cmd.Write(data)
			}
			cmds = append(cmds, cmd.String())
			tag, rest, _ := strings.Cut(cmd.String(), " ")
			reply := tag + " OK done\r\n"
			if strings.HasPrefix(strings.ToUpper(rest), "SEARCH") || strings.HasPrefix(strings.ToUpper(rest), "UID SEARCH") {
				reply = "* SEARCH\r\n" + reply
			}
			if _, err := io.WriteString(serverConn, reply); err != nil {
				return
			}
		}
	}()
	c := imap.NewClient(clientConn, imap.Options{Tags: imap.NewTagGeneratorWithPrefix("A")})
	fnDone := make(chan error, 1)
	go func() { fnDone <- fn(c) }()
	select {
	case err = <-fnDone:
	case <-time.After(10 * time.Second):
		c.Close()
		t.Fatalf("the client hangs; the server received %q", <-done)
	}
	c.Close()
	select {
	case commands = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the scripted server did not finish")
	}
	return commands, err
}

// wireLiteralAt reads a literal header "{n}" or "{n+}" ending line.
func wireLiteralAt(line string) (n int, sync, ok bool) {
	s := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if !strings.HasSuffix(s, "}") {
		return 0, false, false
	}
	i := strings.LastIndexByte(s, '{')
	if i < 0 {
		return 0, false, false
	}
	num := s[i+1 : len(s)-1]
	sync = !strings.HasSuffix(num, "+")
	n, err := strconv.Atoi(strings.TrimSuffix(num, "+"))
	return n, sync, err == nil && n >= 0 && n < 1<<20
}

// checkOneCommand checks that the commands received are the command
// under test (name after its tag) followed by exactly one NOOP: a user's
// value that ended the line early would have made a third command, or
// broken the NOOP's line.
func checkOneCommand(t *testing.T, what, name string, cmds []string) {
	t.Helper()
	if len(cmds) != 2 {
		t.Fatalf("%s: the server received %d commands, want %s and NOOP: %q", what, len(cmds), name, cmds)
	}
	tag, rest, _ := strings.Cut(cmds[0], " ")
	if !strings.HasPrefix(rest, name+" ") || !strings.HasSuffix(rest, "\r\n") {
		t.Fatalf("%s: first command %q is not %s", what, cmds[0], name)
	}
	if tag2, rest2, _ := strings.Cut(cmds[1], " "); rest2 != "NOOP\r\n" || tag2 == tag {
		t.Fatalf("%s: second command %q is not a NOOP", what, cmds[1])
	}
	if strings.IndexByte(cmds[0], 0) >= 0 {
		t.Fatalf("%s: NUL sent: %q", what, cmds[0])
	}
}

// FuzzSearchCriteria parses arbitrary search keys (argv split at \x1f)
// and friendly flags (--from, --subject, --since, --before, --larger,
// --smaller, --unseen) as `imapctl search` does: no panic; an error is a
// usage error; accepted criteria go to a scripted server as exactly one
// SEARCH command (however the strings are sent: quoted, synchronising or
// LITERAL+ literals), after which a NOOP arrives intact.
func FuzzSearchCriteria(f *testing.F) {
	seeds := [][]string{
		{"FROM alice\x1fSINCE\x1f1-Jan-2024\x1fUNSEEN", "", "", "", "", ""},
		{"OR\x1f(FROM\x1fa)\x1f(SUBJECT\x1f\"b c\")", "bob", "", "2024-01-31", "", "10k"},
		{"HEADER\x1fX-Spam\x1fyes\r\nA9 LOGOUT", "x\r\ny", "héllo", "", "31-Dec-1999", "1G"},
		{"NOT\x1fKEYWORD\x1f$Label1", "", "a\x00b", "", "", "4294967295"},
		{"UID\x1f1:*,5\x1f(((\x1f)))", "{5}\r\n", "\"", "0000-00-00", "2024-13-01", "5M"},
		{"TEXT\x1f" + strings.Repeat("z", 1100), "", "", "", "", "-1"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], true, false)
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], false, true)
	}
	f.Fuzz(func(t *testing.T, keys, from, subject, since, before, size string, unseen, literalPlus bool) {
		var args []string
		if keys != "" {
			args = strings.Split(keys, "\x1f")
		}
		sf := &SearchFlags{From: from, Subject: subject, Since: since, Before: before, Unseen: unseen, Larger: size, Smaller: size}
		sc, err := sf.criteria(args)
		if err != nil {
			var usage *UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("criteria(%q) = %v: not a usage error", args, err)
			}
			return
		}
		caps := ""
		if literalPlus {
			caps = "LITERAL+"
		}
		cmds, err := wireCommands(t, caps, func(c *imap.Client) error {
			if _, err := c.Search(context.Background(), sc, &imap.SearchOptions{UID: true}); err != nil {
				return err
			}
			return c.Noop(context.Background())
		})
		if err != nil {
			// Only a value IMAP cannot carry (NUL) may be refused, and
			// then nothing of the command may have been acted on.
			all := keys + from + subject
			if strings.IndexByte(all, 0) < 0 {
				t.Fatalf("search %q: %v", args, err)
			}
			if len(cmds) > 1 {
				t.Fatalf("search %q refused (%v) after sending %q", args, err, cmds)
			}
			return
		}
		checkOneCommand(t, "search "+strconv.Quote(keys), "UID SEARCH", cmds)
	})
}

// FuzzFriendlyDateSize checks --since/--before dates and --larger/
// --smaller sizes: an accepted date is a whole day that IMAP's date form
// gives back; an accepted size is the number times its suffix's power of
// 1024 and fits 32 bits; anything else is a usage error.
func FuzzFriendlyDateSize(f *testing.F) {
	for _, s := range []string{"2024-01-31", "1-Jan-2024", "01-Jan-2024", "2024-02-30", "10k", "4G", "3g", "0", "4294967295", "4294967296", "1K1", "-1", "+5", " 5", "9999-12-31", "0001-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var usage *UsageError
		d, err := parseDate("--since", s)
		if err != nil && !errors.As(err, &usage) {
			t.Fatalf("parseDate(%q) = %v: not a usage error", s, err)
		}
		if err == nil {
			if d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 || d.Location() != time.UTC {
				t.Fatalf("parseDate(%q) = %v: not a whole UTC day", s, d)
			}
			back, err := time.Parse("2-Jan-2006", d.Format("2-Jan-2006"))
			if err != nil || !back.Equal(d) {
				t.Fatalf("parseDate(%q) = %v: IMAP date %q reads back as %v, %v", s, d, d.Format("2-Jan-2006"), back, err)
			}
		}
		n, err := parseSize("--larger", s)
		if err != nil {
			if !errors.As(err, &usage) {
				t.Fatalf("parseSize(%q) = %v: not a usage error", s, err)
			}
			return
		}
		num, mult := s, uint64(1)
		switch strings.ToLower(s[len(s)-1:]) {
		case "k":
			num, mult = s[:len(s)-1], 1<<10
		case "m":
			num, mult = s[:len(s)-1], 1<<20
		case "g":
			num, mult = s[:len(s)-1], 1<<30
		}
		v, perr := strconv.ParseUint(num, 10, 64)
		if perr != nil || v*mult != uint64(n) {
			t.Fatalf("parseSize(%q) = %d; want %s × %d", s, n, num, mult)
		}
	})
}

// FuzzFlagArgs parses arbitrary flag arguments as `imapctl store` does:
// accepted flags are system flags or keyword atoms (no space, control,
// 8-bit or atom-special byte), and a STORE of them reaches a scripted
// server as exactly one command whose flag list is the flags given.
func FuzzFlagArgs(f *testing.F) {
	for _, s := range []string{`\Seen`, `\Seen,$Label1 Junk`, "a\r\nA9 LOGOUT", "(x)", "\\", "", "ü", "a]b", "a[b", "%", "{3}", `\*`, "x\x00y", ",,", "NIL"} {
		f.Add(s, "")
		f.Add(s, "$Other")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		flags, err := parseFlagArgs([]string{a, b})
		if err != nil {
			var usage *UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("parseFlagArgs(%q, %q) = %v: not a usage error", a, b, err)
			}
			return
		}
		for _, fl := range flags {
			name := strings.TrimPrefix(fl, `\`)
			if name == "" || strings.ContainsAny(name, "(){%*\"\\] \x7f") || strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r >= 0x7f }) >= 0 {
				t.Fatalf("parseFlagArgs(%q, %q) accepted %q", a, b, fl)
			}
		}
		if len(flags) == 0 {
			return
		}
		cmds, err := wireCommands(t, "", func(c *imap.Client) error {
			if _, err := c.Store(context.Background(), imap.UIDSetNum(1), imap.StoreAdd, flags, nil); err != nil {
				return err
			}
			return c.Noop(context.Background())
		})
		if err != nil {
			t.Fatalf("STORE %q: %v", flags, err)
		}
		checkOneCommand(t, "store "+strconv.Quote(a+" "+b), "UID STORE", cmds)
		if !strings.Contains(cmds[0], "("+strings.Join(flags, " ")+")") {
			t.Fatalf("STORE %q sent %q", flags, cmds[0])
		}
	})
}

// FuzzFetchPartAndItems parses arbitrary --part sections (part numbers,
// HEADER.FIELDS header names) and --items lists as `imapctl fetch` does:
// an error is a usage error (or, for header names IMAP cannot carry, the
// client's refusal before anything is sent); accepted ones reach a
// scripted server as exactly one UID FETCH naming each header field.
func FuzzFetchPartAndItems(f *testing.F) {
	for _, s := range []string{"1.2", "HEADER.FIELDS (From Subject)", "1.HEADER.FIELDS.NOT (X-Spam)", "1.MIME", "TEXT", "0", "+1.-2", "99999999999999999999", "HEADER.FIELDS (a\r\nA9 LOGOUT)", "HEADER.FIELDS (ä)", "HEADER.FIELDS ()", "HEADER.FIELDS ({5})", "header.fields (x) y"} {
		f.Add(s, "FLAGS UID")
		f.Add(s, "(ALL BODY)")
	}
	f.Fuzz(func(t *testing.T, part, items string) {
		var usage *UsageError
		sec, err := parseSection(part)
		if err != nil {
			if !errors.As(err, &usage) {
				t.Fatalf("parseSection(%q) = %v: not a usage error", part, err)
			}
			return
		}
		opts, err := parseFetchItems(items)
		if err != nil {
			if !errors.As(err, &usage) {
				t.Fatalf("parseFetchItems(%q) = %v: not a usage error", items, err)
			}
			return
		}
		sec.Peek = true
		opts.BodySections = []imap.BodySection{sec}
		cmds, err := wireCommands(t, "", func(c *imap.Client) error {
			err := c.Fetch(context.Background(), imap.UIDSetNum(1), opts, func(*imap.FetchMessage) error { return nil })
			if err != nil {
				return err
			}
			return c.Noop(context.Background())
		})
		if err != nil {
			if len(cmds) > 0 {
				t.Fatalf("fetch --part %q refused (%v) after sending %q", part, err, cmds)
			}
			return
		}
		checkOneCommand(t, "fetch --part "+strconv.Quote(part), "UID FETCH", cmds)
		for _, field := range sec.Fields {
			if !strings.Contains(cmds[0], strings.ToUpper(field)) {
				t.Fatalf("fetch --part %q sent %q without field %q", part, cmds[0], field)
			}
		}
	})
}

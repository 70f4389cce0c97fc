package cmd

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// endsWithLiteral reports whether line ends in a literal announcement:
// RFC 3501 §4.3 "{" number "}", with RFC 7888's "+" before the "}" (and
// RFC 3516's "~" before the "{", which changes nothing here).
func endsWithLiteral(line string) bool {
	s, ok := strings.CutSuffix(line, "}")
	if !ok {
		return false
	}
	s = strings.TrimSuffix(s, "+")
	digits := strings.TrimRight(s, "0123456789")
	return len(digits) < len(s) && strings.HasSuffix(digits, "{")
}

// rawSeparators separate the words of a raw command's name: RFC 3501 §9
// puts one SP there, and a tab typed instead is taken as one too.
const rawSeparators = " \t"

// splitRawLine splits a raw command line into the command name, its first
// word or "UID" and the next word (RFC 3501 §6.4.8), upper-cased, and the
// arguments: the rest of the line after the name's words, as typed.
func splitRawLine(line string) (name, args string) {
	word := func(s string) (w, rest string) {
		s = strings.TrimLeft(s, rawSeparators)
		if i := strings.IndexAny(s, rawSeparators); i >= 0 {
			return s[:i], s[i:]
		}
		return s, ""
	}
	name, rest := word(line)
	if strings.EqualFold(name, "UID") {
		if second, after := word(rest); second != "" {
			name, rest = name+" "+second, after
		}
	}
	return strings.ToUpper(name), strings.TrimLeft(rest, rawSeparators)
}

// rawRefused are the commands raw does not send, each with why and the
// imapctl way of doing it. After them the server does not simply answer
// with a tagged completion, so raw would wait until --timeout (forever
// with --timeout 0): IDLE waits for DONE (RFC 2177 §3), AUTHENTICATE for
// SASL responses (RFC 3501 §6.2.2), STARTTLS and COMPRESS switch the
// stream under the client (RFC 3501 §6.2.1, RFC 4978 §3). LOGIN would
// come too late (raw runs logged in) with a password visible in the
// process list. SELECT and EXAMINE complete normally and stay allowed.
var rawRefused = map[string]struct{ why, hint string }{
	"IDLE": {"the server would wait for DONE (RFC 2177)",
		"use 'imapctl watch' to wait for changes"},
	"AUTHENTICATE": {"imapctl logs in before it sends the command",
		"choose the mechanism with --auth; the password comes from IMAPCTL_PASSWORD, password_cmd or a prompt, the token from token_cmd"},
	"LOGIN": {"imapctl logs in before it sends the command, and a password in the command line is visible to other users",
		"set --user; the password comes from IMAPCTL_PASSWORD, password_cmd or a prompt"},
	"STARTTLS": {"the connection would switch to TLS under the command",
		"use --tls starttls"},
	"COMPRESS": {"the connection would switch to compressed data under the command",
		"use --compress always"},
}

// RawOptions are the inputs of the raw command.
type RawOptions struct {
	IO      *IOStreams
	Context context.Context
	Client  func(context.Context) (*imap.Client, error)

	// Name is the command name ("NOOP", "UID FETCH", ...); Args the rest
	// of the line, sent as it is.
	Name string
	Args string
	// Select, when set, is examined (or selected with ReadWrite) first.
	Select    string
	ReadWrite bool
}

// NewRawCmd returns the raw command (imaplib's xatom).
func NewRawCmd(f *Factory, runF func(*RawOptions) error) *cobra.Command {
	opts := &RawOptions{IO: f.IOStreams, Client: f.Client}
	cmd := &cobra.Command{
		Use:   "raw 'COMMAND ARGS'",
		Short: "Send any IMAP command and print the server's responses",
		Long: fmt.Sprintf(`Send one IMAP command (the tag is added) and print the untagged responses
named like it and the tagged completion, e.g.

  imapctl raw 'ID NIL'
  imapctl raw --select INBOX 'UID FETCH 1:3 (FLAGS)'

ARGS are sent as typed; CR, LF and NUL are refused, so the line cannot carry
a second command. Spaces and tabs between the words of COMMAND ("UID  FETCH")
are sent as one space. Literals are not supported here. IDLE, AUTHENTICATE,
LOGIN, STARTTLS and COMPRESS are refused: use 'imapctl watch', --auth,
--tls starttls and --compress instead.

Body sections of FETCH responses are printed as they came on the wire, like
imaplib's (line, data) tuples: the line up to the literal announcement {n},
a line break, then the n bytes exactly, then the rest of the response, e.g.

  * 1 FETCH (UID 1 BODY[HEADER] {342}
  Subject: ...

  )

At most %d MiB of section data per response and %d MiB per command are kept;
beyond that the command fails and says so (use 'imapctl fetch' to stream
messages of any size). When stdout is a terminal, control characters the
server sent are shown as escapes (\x1b) and CRLF as a line break; otherwise
the bytes are written unchanged.`, imap.MaxCommandResponseData>>20, imap.MaxCommandData>>20),
		Args: exactArgs(1, "one quoted 'COMMAND ARGS'"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			line := strings.TrimSpace(args[0])
			if line == "" || strings.ContainsAny(line, "\r\n\x00") {
				return usageErrorf("raw: the command must be one non-empty line without CR, LF or NUL")
			}
			if endsWithLiteral(line) {
				return usageErrorf("raw: literals ({n}) are not supported; the server would wait for their data")
			}
			opts.Name, opts.Args = splitRawLine(line)
			if refusal, ok := rawRefused[opts.Name]; ok {
				return withHint(usageErrorf("raw: %s is not sent: %s", opts.Name, refusal.why), refusal.hint)
			}
			if runF != nil {
				return runF(opts)
			}
			return rawRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Select, "select", "", "EXAMINE this mailbox first")
	cmd.Flags().BoolVar(&opts.ReadWrite, "read-write", false, "with --select: SELECT instead of EXAMINE")
	return cmd
}

// rawRun sends the command and prints what came back, the completion
// last; a NO or BAD is also the command's error.
func rawRun(opts *RawOptions) error {
	ctx := opts.Context
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if opts.Select != "" {
		if _, err := c.Select(ctx, opts.Select, &imap.SelectOptions{ReadOnly: !opts.ReadWrite}); err != nil {
			return err
		}
	}
	var args []any
	if opts.Args != "" {
		args = append(args, imap.RawArg(opts.Args))
	}
	res, err := c.Command(ctx, opts.Name, args...)
	if res != nil {
		tty := opts.IO.IsStdoutTTY
		for _, r := range res.Responses {
			var out string
			if r.Fetch != nil {
				out = formatRawFetch(r.Num, r.Fetch, res.Sections[r], tty)
			} else {
				out = rawLine(r.String(), tty) + "\n"
			}
			if _, werr := io.WriteString(opts.IO.Out, out); werr != nil {
				return werr
			}
		}
		if res.Status != nil {
			if _, werr := fmt.Fprintln(opts.IO.Out, rawLine(res.Status.String(), tty)); werr != nil {
				return werr
			}
		}
	}
	return err
}

// rawLine makes one response line safe for a terminal (see terminalSafe)
// when tty is set; otherwise it is returned unchanged.
func rawLine(line string, tty bool) string {
	if !tty {
		return line
	}
	return terminalSafe(line, false)
}

// formatRawFetch renders a FETCH response with its body sections as it
// looked on the wire (RFC 3501 §7.4.2, §4.3 literals): each section's
// data follows its "{n}" announcement and a line break, byte for byte, the
// way imaplib returns (line, literal) tuples. The parsed attributes come
// first, then the sections in the order the server sent them. On a
// terminal, CRLF in the data shows as a line break and other control
// characters as escapes.
func formatRawFetch(seq uint32, m *imap.FetchMessage, sections []imap.SectionData, tty bool) string {
	line := formatFetch(seq, m)
	if len(sections) == 0 {
		return rawLine(line, tty) + "\n"
	}
	var b strings.Builder
	text := strings.TrimSuffix(line, ")")
	for _, sec := range sections {
		if !strings.HasSuffix(text, "(") {
			text += " "
		}
		text += sec.Name
		if sec.Origin >= 0 {
			text += "<" + strconv.FormatInt(sec.Origin, 10) + ">"
		}
		if sec.Nil {
			text += " NIL"
			continue
		}
		text += " {" + strconv.Itoa(len(sec.Data)) + "}"
		b.WriteString(rawLine(text, tty) + "\n")
		if tty {
			b.WriteString(terminalSafe(strings.ReplaceAll(string(sec.Data), "\r\n", "\n"), true))
		} else {
			b.Write(sec.Data)
		}
		text = ""
	}
	b.WriteString(rawLine(text+")", tty) + "\n")
	return b.String()
}

// formatFetch renders the attributes of a FETCH response the client
// parsed, in RFC 3501 §7.4.2 syntax (body sections are not kept; an empty
// string and NIL both show as NIL).
func formatFetch(seq uint32, m *imap.FetchMessage) string {
	var items []string
	if m.UID != 0 {
		items = append(items, fmt.Sprintf("UID %d", m.UID))
	}
	if m.Flags != nil {
		items = append(items, "FLAGS ("+strings.Join(m.Flags, " ")+")")
	}
	if !m.InternalDate.IsZero() {
		items = append(items, "INTERNALDATE "+imap.Time2Internaldate(m.InternalDate))
	}
	if m.RFC822Size >= 0 {
		items = append(items, fmt.Sprintf("RFC822.SIZE %d", m.RFC822Size))
	}
	if m.ModSeq != 0 {
		items = append(items, fmt.Sprintf("MODSEQ (%d)", m.ModSeq))
	}
	if m.Envelope != nil {
		items = append(items, "ENVELOPE "+formatEnvelope(m.Envelope))
	}
	if m.BodyStructure != nil {
		items = append(items, "BODYSTRUCTURE "+formatBodyStructure(m.BodyStructure))
	}
	for name, v := range m.Other {
		items = append(items, name+" "+v.String())
	}
	return fmt.Sprintf("* %d FETCH (%s)", seq, strings.Join(items, " "))
}

// nstring renders s as a quoted string, or NIL when empty.
func nstring(s string) string {
	if s == "" {
		return "NIL"
	}
	return quoted(s)
}

// quoted renders s as an RFC 3501 quoted string for display: " and \ are
// escaped; control characters, which a quoted string cannot hold, show as
// U+FFFD.
func quoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < ' ' || r == 0x7f:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// formatAddresses renders an address list (RFC 3501 §9 env-from etc.).
func formatAddresses(list []imap.Address) string {
	if len(list) == 0 {
		return "NIL"
	}
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = "(" + nstring(a.Name) + " " + nstring(a.ADL) + " " + nstring(a.Mailbox) + " " + nstring(a.Host) + ")"
	}
	return "(" + strings.Join(parts, "") + ")"
}

// formatEnvelope renders an ENVELOPE (RFC 3501 §7.4.2).
func formatEnvelope(e *imap.Envelope) string {
	return "(" + strings.Join([]string{nstring(e.Date), nstring(e.Subject), formatAddresses(e.From),
		formatAddresses(e.Sender), formatAddresses(e.ReplyTo), formatAddresses(e.To), formatAddresses(e.Cc),
		formatAddresses(e.Bcc), nstring(e.InReplyTo), nstring(e.MessageID)}, " ") + ")"
}

// formatParams renders a body parameter list, sorted by name.
func formatParams(params map[string]string) string {
	if len(params) == 0 {
		return "NIL"
	}
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, quoted(k), quoted(params[k]))
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// formatBodyStructure renders the basic fields of a BODYSTRUCTURE
// (RFC 3501 §7.4.2), without the extension data.
func formatBodyStructure(bs *imap.BodyStructure) string {
	if len(bs.Parts) > 0 {
		var b strings.Builder
		b.WriteString("(")
		for _, p := range bs.Parts {
			b.WriteString(formatBodyStructure(p))
		}
		b.WriteString(" " + quoted(strings.ToUpper(bs.Subtype)) + ")")
		return b.String()
	}
	fields := []string{quoted(strings.ToUpper(bs.Type)), quoted(strings.ToUpper(bs.Subtype)),
		formatParams(bs.Params), nstring(bs.ID), nstring(bs.Description), nstring(strings.ToUpper(bs.Encoding)),
		strconv.FormatUint(uint64(bs.Size), 10)}
	if bs.Type == "message" && bs.Subtype == "rfc822" && bs.Envelope != nil && bs.Body != nil {
		fields = append(fields, formatEnvelope(bs.Envelope), formatBodyStructure(bs.Body))
	}
	if bs.Type == "text" || (bs.Type == "message" && bs.Subtype == "rfc822") {
		fields = append(fields, strconv.FormatUint(uint64(bs.Lines), 10))
	}
	return "(" + strings.Join(fields, " ") + ")"
}

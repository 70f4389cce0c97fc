package output

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultNameTemplate is the .eml file name template used when none is
// given: the message's UID.
const DefaultNameTemplate = "{uid}"

// namePlaceholders are the placeholders a name template may use.
var namePlaceholders = []string{"uid", "uidvalidity", "mailbox", "date", "time", "n", "messageid"}

// NameTemplate turns a message's metadata into a file name. Placeholders:
// {uid}, {uidvalidity}, {mailbox}, {date} (INTERNALDATE as 2006-01-02, UTC),
// {time} (150405, UTC), {n} (1, 2, ... in the order messages are stored)
// and {messageid}. Values are made safe: path separators, control bytes and
// a leading dot are replaced by '_', so data never leaves the folder.
type NameTemplate struct {
	text string
}

// ParseNameTemplate validates a template. It must be non-empty, use only
// known placeholders, and contain no path separator or control byte.
func ParseNameTemplate(text string) (NameTemplate, error) {
	bad := func(reason string) (NameTemplate, error) {
		return NameTemplate{}, &NameError{Template: text, Reason: reason}
	}
	if text == "" {
		return bad("empty")
	}
	if !utf8.ValidString(text) {
		return bad("not UTF-8")
	}
	for _, r := range text {
		if r == '/' || r == '\\' {
			return bad("contains a path separator")
		}
		if r < 0x20 || r == 0x7f {
			return bad("contains a control character")
		}
	}
	rest := text
	for rest != "" {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			break
		}
		if rest[open] == '}' {
			return bad("unmatched '}'")
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return bad("unmatched '{'")
		}
		key := rest[open+1 : open+end]
		if !isPlaceholder(key) {
			return bad(fmt.Sprintf("unknown placeholder {%s} (known: {%s})", key, strings.Join(namePlaceholders, "}, {")))
		}
		rest = rest[open+end+1:]
	}
	if text == "." || text == ".." {
		return bad("not a file name")
	}
	return NameTemplate{text: text}, nil
}

func isPlaceholder(key string) bool {
	for _, p := range namePlaceholders {
		if p == key {
			return true
		}
	}
	return false
}

// maxNameBytes keeps names under the usual 255-byte file name limit, with
// room for an extension.
const maxNameBytes = 200

// Expand returns the file name stem for message m, the n-th stored.
func (t NameTemplate) Expand(m Message, n int) string {
	var b strings.Builder
	rest := t.text
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:open])
		end := strings.IndexByte(rest[open:], '}')
		key := rest[open+1 : open+end]
		b.WriteString(safeNamePart(placeholderValue(key, m, n)))
		rest = rest[open+end+1:]
	}
	name := b.String()
	if name == "" {
		name = "_"
	}
	if strings.HasPrefix(name, ".") {
		name = "_" + name[1:]
	}
	if len(name) > maxNameBytes {
		cut := maxNameBytes
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut]
	}
	return name
}

func placeholderValue(key string, m Message, n int) string {
	date := m.InternalDate.UTC()
	switch key {
	case "uid":
		return strconv.FormatUint(uint64(m.UID), 10)
	case "uidvalidity":
		return strconv.FormatUint(uint64(m.UIDValidity), 10)
	case "mailbox":
		return m.Mailbox
	case "date":
		return date.Format("2006-01-02")
	case "time":
		return date.Format("150405")
	case "n":
		return strconv.Itoa(n)
	case "messageid":
		return strings.Trim(strings.TrimSpace(m.MessageID), "<>")
	}
	return ""
}

// safeNamePart replaces what could steer a path (separators, control
// bytes, invalid UTF-8) with '_'.
func safeNamePart(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteByte('_')
		case r == '/' || r == '\\' || r < 0x20 || r == 0x7f:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// EMLSink writes each message to its own file DIR/<name>.eml. An existing
// file of the same name is replaced atomically (so a rerun is idempotent);
// two messages of one run that would get the same name fail with
// *NameError.
type EMLSink struct {
	dir      string
	template NameTemplate
	file     fileSink
	count    int
	// used holds the names given in this run. With the default template
	// {uid}, usedUIDs holds the UIDs instead, as runs: flat in the number
	// of messages.
	used     map[string]bool
	usedUIDs NumberSet
	dirReady bool
	// sniff reads the Message-ID of each message as it is written, for a
	// template with {messageid} when the caller did not give it.
	sniff HeaderSniffer
}

// NewEMLSink returns a sink writing into dir, which is created on the
// first byte. A zero template means [DefaultNameTemplate].
func NewEMLSink(dir string, template NameTemplate, opts Options) *EMLSink {
	if template.text == "" {
		template = NameTemplate{text: DefaultNameTemplate}
	}
	return &EMLSink{dir: dir, template: template, file: fileSink{opts: opts}, used: map[string]bool{}}
}

// Put stores m as one .eml file; see [Sink.Put]. The name is expanded
// from the template once the message is written and its metadata
// completed (Message.Complete), so a UID or INTERNALDATE the server sent
// after the body names the file; until then the bytes go to a hidden temp
// file ".message.eml.<random>.tmp" in the folder.
func (s *EMLSink) Put(ctx context.Context, m Message, write WriteFunc) (Stored, error) {
	if s.file.closed {
		return Stored{}, ErrClosed
	}
	sniffed := m.MessageID == "" && strings.Contains(s.template.text, "{messageid}")
	if sniffed {
		s.sniff.Reset()
		writeMessage := write
		write = func(w io.Writer) error { return writeMessage(io.MultiWriter(w, &s.sniff)) }
	}
	var name string
	create := func() (*os.File, error) {
		if !s.dirReady {
			if err := mkdirDurable(s.dir); err != nil {
				return nil, err
			}
			s.dirReady = true
		}
		return openFile(filepath.Join(s.dir, tempName("message.eml")), os.O_WRONLY|os.O_CREATE|os.O_EXCL, s.file.opts.fileMode())
	}
	final := func(m Message, _ int64) (string, error) {
		if sniffed && m.MessageID == "" {
			m.MessageID = s.sniff.MessageID()
		}
		name = s.template.Expand(m, s.count+1)
		if !strings.HasSuffix(strings.ToLower(name), ".eml") {
			name += ".eml"
		}
		if name != filepath.Base(name) || !filepath.IsLocal(name) {
			return "", &NameError{Template: s.template.text, Name: name, Reason: "leaves the folder"}
		}
		if s.nameUsed(name, m) {
			return "", &NameError{Template: s.template.text, Name: name, Reason: "used by an earlier message of this run"}
		}
		return filepath.Join(s.dir, name), nil
	}
	stored, completed, err := s.file.putFile(ctx, m, s.dir, write, create, final, nil)
	if err != nil {
		return Stored{}, err
	}
	if s.template.text == DefaultNameTemplate {
		s.usedUIDs.Add(completed.UID)
	} else {
		s.used[name] = true
	}
	s.count++
	return stored, nil
}

// nameUsed reports whether an earlier message of this run got name.
func (s *EMLSink) nameUsed(name string, m Message) bool {
	if s.template.text == DefaultNameTemplate {
		return s.usedUIDs.Contains(m.UID)
	}
	return s.used[name]
}

// Amend dates a pending message anew (its modification time); the name
// chosen by Put stays. See [Sink.Amend].
func (s *EMLSink) Amend(st Stored, late Message) (Stored, bool) {
	p := s.file.amend(st, late)
	if p == nil {
		return st, false
	}
	return p.stored, true
}

// Flush commits the pending group; see [Sink.Flush].
func (s *EMLSink) Flush() ([]Stored, error) { return s.file.flush() }

// Close flushes; see [Sink.Close].
func (s *EMLSink) Close() error { return s.file.close() }

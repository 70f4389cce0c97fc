package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxHeaderBytes bounds the header blocks of one message, all parts
// together, held in memory while parsing; more is a *HeaderTooLongError.
const MaxHeaderBytes = 16 << 20

// MaxParts bounds the number of parts (the message itself, body parts,
// enclosed messages) of one message, so that the parsed structure stays
// bounded in memory; more is a *TooManyPartsError.
const MaxParts = 100000

// HeaderTooLongError reports header blocks longer than MaxHeaderBytes.
type HeaderTooLongError struct {
	// Limit is the number of bytes allowed.
	Limit int
}

func (e *HeaderTooLongError) Error() string {
	return fmt.Sprintf("message header fields are longer than %d bytes", e.Limit)
}

// TooManyPartsError reports a message with more than MaxParts parts.
type TooManyPartsError struct {
	// Limit is the number of parts allowed.
	Limit int
}

func (e *TooManyPartsError) Error() string {
	return fmt.Sprintf("message has more than %d MIME parts", e.Limit)
}

// DefectError is returned under raise_on_defect (the strict policy) when
// the parser meets a defect: Python raises the defect itself, an instance
// of one of email.errors' MessageDefect classes. Nothing is written.
type DefectError struct {
	// Defect is the Python class name, e.g. "MissingHeaderBodySeparatorDefect".
	Defect string
	// Part says where: "message" for the top level, "part 2.1" for the
	// first sub-part of the second part, and so on.
	Part string
}

func (e *DefectError) Error() string {
	return fmt.Sprintf("message defect in %s: %s", e.Part, e.Defect)
}

// maxLinePiece is the longest piece of a line the parser handles at once:
// longer lines are read in pieces so that a body with a huge line still
// streams. Pieces other than the first of a line are never taken for a
// header, boundary or blank line.
const maxLinePiece = 64 << 10

// lineReader yields the input's lines as Python's
// message_from_binary_file sees them: the bytes are read through a text
// wrapper with universal newlines, so CRLF and lone CR become LF and every
// line but possibly the last ends in "\n".
type lineReader struct {
	r       io.Reader
	buf     []byte
	start   int
	scanned int // bytes from start known to hold no line break
	eof     bool
	err     error
	midLine bool // the last piece returned did not end its line
}

func (l *lineReader) fill() {
	if l.eof {
		return
	}
	if l.start > 0 {
		n := copy(l.buf, l.buf[l.start:])
		l.buf = l.buf[:n]
		l.start = 0
	}
	if cap(l.buf)-len(l.buf) < 4<<10 {
		nb := make([]byte, len(l.buf), 2*cap(l.buf)+8<<10)
		copy(nb, l.buf)
		l.buf = nb
	}
	n, err := l.r.Read(l.buf[len(l.buf):cap(l.buf)])
	l.buf = l.buf[:len(l.buf)+n]
	if err != nil {
		l.eof = true
		if !errors.Is(err, io.EOF) {
			l.err = err
		}
	}
}

// next returns the next piece of a line with its line ending translated
// to "\n", whether it continues the previous piece, and false at the end
// of input.
func (l *lineReader) next() (piece string, continued, ok bool) {
	b, continued, ok := l.nextBytes()
	return string(b), continued, ok
}

// nextBytes is next returning the piece as a view of the buffer, valid
// until the next call.
func (l *lineReader) nextBytes() (piece []byte, continued, ok bool) {
	continued = l.midLine
	for {
		rest := l.buf[l.start:]
		limit := min(len(rest), maxLinePiece)
		// The first line break (CR or LF) in rest[l.scanned:limit].
		i := -1
		if l.scanned < limit {
			region := rest[l.scanned:limit]
			if nl := bytes.IndexByte(region, '\n'); nl >= 0 {
				region = region[:nl]
				i = l.scanned + nl
			}
			if cr := bytes.IndexByte(region, '\r'); cr >= 0 {
				i = l.scanned + cr
			}
		}
		switch {
		case i >= 0 && rest[i] == '\n':
			return l.take(rest, i+1, i+1, false), continued, true
		case i >= 0 && (i+1 < len(rest) || l.eof):
			// CRLF or a lone CR: the buffer's CR becomes the "\n"
			// (these bytes are consumed now).
			skip := i + 1
			if i+1 < len(rest) && rest[i+1] == '\n' {
				skip++
			}
			rest[i] = '\n'
			return l.take(rest, i+1, skip, false), continued, true
		case i >= 0:
			// A CR at the end of the buffer: the next byte tells
			// whether it ends a CRLF.
			l.scanned = i
		case limit == maxLinePiece:
			return l.take(rest, limit, limit, true), continued, true
		default:
			l.scanned = limit
			if l.eof {
				if len(rest) == 0 {
					return nil, false, false
				}
				return l.take(rest, len(rest), len(rest), false), continued, true
			}
		}
		l.fill()
	}
}

// take consumes n bytes of rest (the unread buffer) and returns the
// first size of them.
func (l *lineReader) take(rest []byte, size, n int, midLine bool) []byte {
	l.start += n
	l.scanned = 0
	l.midLine = midLine
	return rest[:size]
}

// linePiece is a line, or a piece of a long line, of the input.
type linePiece struct {
	text string
	// continued: this piece continues the previous one (it does not
	// start a line); partial: the line goes on in the next piece.
	continued, partial bool
}

// bufferedSubFile is Python's feedparser.BufferedSubFile: lines with
// push-back and a stack of "false EOF" predicates (boundary matchers).
type bufferedSubFile struct {
	in       *lineReader
	pushback []linePiece
	eofStack []func(string) bool
	current  linePiece // the piece readLine returned last
}

// readLine returns the next line (or piece of a long line), or "" at a
// (possibly false) EOF.
func (b *bufferedSubFile) readLine() string {
	var p linePiece
	if n := len(b.pushback); n > 0 {
		p = b.pushback[n-1]
		b.pushback = b.pushback[:n-1]
	} else {
		text, continued, ok := b.in.next()
		if !ok {
			b.current = linePiece{}
			return ""
		}
		p = linePiece{text: text, continued: continued, partial: b.in.midLine}
	}
	if !p.continued && !p.partial && b.atFalseEOF(p) {
		return ""
	}
	b.current = p
	return p.text
}

// atFalseEOF reports whether a matcher on the stack takes the whole line
// p for an end of input; if so p is pushed back.
func (b *bufferedSubFile) atFalseEOF(p linePiece) bool {
	for i := len(b.eofStack) - 1; i >= 0; i-- {
		if b.eofStack[i](p.text) {
			b.pushback = append(b.pushback, p)
			b.current = linePiece{}
			return true
		}
	}
	return false
}

// unread pushes back the piece readLine returned last (or line, when the
// caller joined pieces or consumed nothing).
func (b *bufferedSubFile) unread(line string) {
	p := b.current
	if p.text != line {
		p = linePiece{text: line}
	}
	b.pushback = append(b.pushback, p)
	b.current = linePiece{}
}

// readRestOfLine returns the following pieces of a line whose first
// piece was just read, up to limit bytes in all (false if it is longer).
func (b *bufferedSubFile) readRestOfLine(line string, limit int) (string, bool) {
	var sb strings.Builder
	sb.WriteString(line)
	for b.current.partial {
		more := b.readLine()
		if more == "" {
			break
		}
		if sb.WriteString(more); sb.Len() > limit {
			return "", false
		}
	}
	line = sb.String()
	b.current = linePiece{text: line}
	return line, true
}

// pushEOFMatcher pushes a false-EOF matcher: f is asked about each whole
// line and reports whether the sub-file ends before it. f must be false
// for every line that starts with neither '-' nor a line break (boundary
// delimiters start with "--", RFC 2046 section 5.1.1; the end of a
// delivery-status block is a blank line), which readAllInto relies on.
func (b *bufferedSubFile) pushEOFMatcher(f func(string) bool) { b.eofStack = append(b.eofStack, f) }

func (b *bufferedSubFile) popEOFMatcher() { b.eofStack = b.eofStack[:len(b.eofStack)-1] }

// readAllInto appends every line up to the (possibly false) EOF to dst.
// Lines go from the reader's buffer to dst without a string each.
func (b *bufferedSubFile) readAllInto(dst *body) {
	for {
		if len(b.pushback) > 0 {
			line := b.readLine()
			if line == "" {
				return
			}
			dst.WriteString(line)
			continue
		}
		piece, continued, ok := b.in.nextBytes()
		if !ok {
			b.current = linePiece{}
			return
		}
		// Only lines starting with '-' or a line break can match a
		// false-EOF matcher (see pushEOFMatcher); the others need no
		// string.
		if !continued && !b.in.midLine && len(piece) > 0 && (piece[0] == '-' || piece[0] == '\n' || piece[0] == '\r') {
			line := string(piece)
			if b.atFalseEOF(linePiece{text: line}) {
				return
			}
		}
		b.current = linePiece{}
		dst.Write(piece)
	}
}

// discardAll reads every line up to the (possibly false) EOF.
func (b *bufferedSubFile) discardAll() {
	for b.readLine() != "" {
	}
}

// feedParser is Python's email.feedparser.FeedParser.
type feedParser struct {
	policy *Policy
	budget *bodyBudget
	// headerBytes and parts count toward MaxHeaderBytes and maxParts.
	headerBytes, parts, maxParts int
	input                        *bufferedSubFile
	headerLines                  []string
	stack                        []*message
	cur                          *message
	last                         *message
}

// parseMessage reads one message from r as Python's
// email.message_from_binary_file(r, policy=p) does.
// Bodies beyond budget's memory go to temporary files; the caller
// closes budget.
func parseMessage(r io.Reader, p *Policy, budget *bodyBudget) (*message, error) {
	lines := &lineReader{r: r, buf: budget.lineBuf[:0]}
	fp := &feedParser{policy: p, budget: budget, maxParts: MaxParts, input: &bufferedSubFile{in: lines}}
	if budget.maxParts > 0 {
		fp.maxParts = budget.maxParts
	}
	err := fp.parse()
	budget.lineBuf = lines.buf[:0]
	if err != nil {
		return nil, err
	}
	if err := fp.input.in.err; err != nil {
		return nil, err
	}
	if budget.err != nil {
		return nil, fmt.Errorf("spooling message body: %w", budget.err)
	}
	root := fp.popMessage()
	if root.mainType() == "multipart" && !root.isContainer {
		if err := fp.defect(root, "MultipartInvariantViolationDefect"); err != nil {
			return nil, err
		}
	}
	return root, nil
}

// defect is Python's policy.handle_defect: raise under raise_on_defect,
// otherwise register the defect on the part.
func (fp *feedParser) defect(m *message, name string) error {
	if fp.policy.RaiseOnDefect {
		return &DefectError{Defect: name, Part: fp.partName(m)}
	}
	m.defects = append(m.defects, name)
	return nil
}

// partName names m by its position in the tree being parsed: "message"
// for the top level, "part 2.1" for the first part of the second part.
func (fp *feedParser) partName(m *message) string {
	var path []string
	for i := 1; i < len(fp.stack); i++ {
		path = append(path, fmt.Sprint(len(fp.stack[i-1].parts)))
		if fp.stack[i] == m {
			return "part " + strings.Join(path, ".")
		}
	}
	return "message"
}

func (fp *feedParser) newMessage() {
	m := newMessage(fp.policy)
	if fp.cur != nil && fp.cur.contentType() == "multipart/digest" {
		m.defaultType = "message/rfc822"
	}
	if n := len(fp.stack); n > 0 {
		parent := fp.stack[n-1]
		parent.parts = append(parent.parts, m)
		parent.isContainer = true
	}
	fp.stack = append(fp.stack, m)
	fp.cur = m
	fp.last = m
}

func (fp *feedParser) popMessage() *message {
	n := len(fp.stack)
	m := fp.stack[n-1]
	fp.stack = fp.stack[:n-1]
	fp.cur = nil
	if n > 1 {
		fp.cur = fp.stack[n-2]
	}
	return m
}

// isHeaderLine is Python's headerRE: ^(From |[\041-\071\073-\176]*:|[\t ]).
func isHeaderLine(line string) bool {
	if strings.HasPrefix(line, "From ") || line[0] == ' ' || line[0] == '\t' {
		return true
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == ':' {
			return true
		}
		if c < 041 || c > 0176 {
			return false
		}
	}
	return false
}

func startsWithLineBreak(s string) bool { return s != "" && (s[0] == '\n' || s[0] == '\r') }

// trimLineBreak removes one trailing line break (Python's NLCRE_eol).
func trimLineBreak(s string) string {
	switch {
	case strings.HasSuffix(s, "\r\n"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "\n"), strings.HasSuffix(s, "\r"):
		return s[:len(s)-1]
	}
	return s
}

// parse is Python's FeedParser._parsegen for one message (recursive).
func (fp *feedParser) parse() error {
	if fp.parts++; fp.parts > fp.maxParts {
		return &TooManyPartsError{Limit: fp.maxParts}
	}
	fp.newMessage()
	// The header lines are only needed until parseHeaders returns, before
	// any recursion: one slice serves every part.
	headers := fp.headerLines[:0]
	defer func() { fp.headerLines = headers[:0] }()
	for {
		line := fp.input.readLine()
		if line == "" {
			break
		}
		if fp.input.current.partial && isHeaderLine(line) {
			var ok bool
			if line, ok = fp.input.readRestOfLine(line, MaxHeaderBytes-fp.headerBytes); !ok {
				return &HeaderTooLongError{Limit: MaxHeaderBytes}
			}
		}
		if !isHeaderLine(line) {
			// A blank line is the header/body separator and is dropped;
			// anything else starts the body.
			if !startsWithLineBreak(line) {
				if err := fp.defect(fp.cur, "MissingHeaderBodySeparatorDefect"); err != nil {
					return err
				}
				fp.input.unread(line)
			}
			break
		}
		if fp.headerBytes += len(line); fp.headerBytes > MaxHeaderBytes {
			return &HeaderTooLongError{Limit: MaxHeaderBytes}
		}
		headers = append(headers, line)
	}
	if err := fp.parseHeaders(headers); err != nil {
		return err
	}
	cur := fp.cur
	if fp.policy.Family == FamilyEmail {
		if err := cur.contentTypeObjectRaises(); err != nil {
			return &GenerateError{Part: fp.partName(cur), Reason: err.Error(), Err: err}
		}
	}
	switch {
	case cur.contentType() == "message/delivery-status":
		return fp.parseDeliveryStatus()
	case cur.mainType() == "message":
		if err := fp.parse(); err != nil {
			return err
		}
		fp.popMessage()
		return nil
	case cur.mainType() == "multipart":
		return fp.parseMultipart()
	}
	cur.payload = newBody(fp.budget)
	fp.input.readAllInto(cur.payload)
	return nil
}

// parseDeliveryStatus reads the blocks of header fields of a
// message/delivery-status body (RFC 3464) as nested header-only messages.
func (fp *feedParser) parseDeliveryStatus() error {
	for {
		fp.input.pushEOFMatcher(startsWithLineBreak)
		if err := fp.parse(); err != nil {
			return err
		}
		fp.popMessage()
		fp.input.popEOFMatcher()
		fp.input.readLine() // the blank line
		line := fp.input.readLine()
		if line == "" {
			return nil
		}
		fp.input.unread(line)
	}
}

// boundaryMatch is Python's boundaryre for separator "--"+boundary:
// sep (--)? [ \t]* (\r\n|\r|\n)? $. It reports a match, whether it is
// the close delimiter and whether a line ending followed.
func boundaryMatch(line, separator string) (ok, end, linesep bool) {
	if separator == "" || !strings.HasPrefix(line, separator) {
		return false, false, false
	}
	rest := line[len(separator):]
	try := func(rest string) (bool, bool) {
		rest = strings.TrimLeft(rest, " \t")
		switch rest {
		case "":
			return true, false
		case "\n", "\r\n", "\r":
			return true, true
		}
		return false, false
	}
	if strings.HasPrefix(rest, "--") {
		if ok, ls := try(rest[2:]); ok {
			return true, true, ls
		}
	}
	if ok, ls := try(rest); ok {
		return true, false, ls
	}
	return false, false, false
}

// parseMultipart is the multipart branch of _parsegen (RFC 2046 section
// 5.1.1): preamble, body parts between delimiter lines, epilogue.
func (fp *feedParser) parseMultipart() error {
	cur := fp.cur
	boundary, ok := cur.boundary()
	if !ok {
		if err := fp.defect(cur, "NoBoundaryInMultipartDefect"); err != nil {
			return err
		}
		cur.payload = newBody(fp.budget)
		fp.input.readAllInto(cur.payload)
		return nil
	}
	cte := "8bit"
	if v, ok := cur.get("content-transfer-encoding"); ok {
		cte = strings.ToLower(cur.fetchValue(v))
	}
	if cte != "7bit" && cte != "8bit" && cte != "binary" {
		if err := fp.defect(cur, "InvalidMultipartContentTransferEncodingDefect"); err != nil {
			return err
		}
	}
	separator := "--" + boundary
	if has8bit(boundary) {
		// Python's header value holds such bytes as U+FFFD or decoded
		// characters, never as the surrogates a body line holds, so no
		// line can be this boundary.
		separator = ""
	}
	isBoundary := func(line string) bool {
		ok, _, _ := boundaryMatch(line, separator)
		return ok
	}
	// atBoundary matches the piece readLine returned last, which must be a
	// whole line (the false-EOF matchers are only asked about whole lines).
	atBoundary := func(line string) (ok, end, linesep bool) {
		if c := fp.input.current; c.continued || c.partial {
			return false, false, false
		}
		return boundaryMatch(line, separator)
	}
	capturingPreamble := true
	preamble := newBody(fp.budget)
	closeSeen, closeLinesep := false, false
	for {
		line := fp.input.readLine()
		if line == "" {
			break
		}
		ok, end, linesep := atBoundary(line)
		if !ok {
			preamble.WriteString(line)
			continue
		}
		if end {
			closeSeen, closeLinesep = true, linesep
			break
		}
		if capturingPreamble {
			if preamble.Len() > 0 {
				preamble.trimFinalLineBreak()
				cur.preamble = preamble
			}
			capturingPreamble = false
			fp.input.unread(line)
			continue
		}
		// Consume repeated delimiter lines; then parse the part.
		for {
			line := fp.input.readLine()
			if ok, _, _ := atBoundary(line); !ok {
				fp.input.unread(line)
				break
			}
		}
		fp.input.pushEOFMatcher(isBoundary)
		if err := fp.parse(); err != nil {
			return err
		}
		// The line break before a delimiter belongs to the delimiter.
		if last := fp.last; last.mainType() == "multipart" {
			if last.epilogue != nil {
				if last.epilogue.Len() == 0 {
					last.epilogue = nil
				} else {
					last.epilogue.trimFinalLineBreak()
				}
			}
		} else if last.payload != nil && !last.isContainer {
			last.payload.trimFinalLineBreak()
		}
		fp.input.popEOFMatcher()
		fp.popMessage()
		fp.last = fp.cur
	}
	if capturingPreamble {
		if err := fp.defect(cur, "StartBoundaryNotFoundDefect"); err != nil {
			return err
		}
		cur.payload = preamble
		fp.input.discardAll() // Python drops the rest of the input here
		cur.epilogue = newBody(fp.budget)
		return nil
	}
	if !closeSeen {
		return fp.defect(cur, "CloseBoundaryNotFoundDefect")
	}
	epilogue := newBody(fp.budget)
	fp.input.readAllInto(epilogue)
	if c, ok := epilogue.first(); ok && !closeLinesep && c == '\n' {
		// Python strips a line break at the start of the epilogue only
		// when the close delimiter line had none.
		epilogue.skipFirst()
	}
	cur.epilogue = epilogue
	return nil
}

// parseHeaders is Python's FeedParser._parse_headers: it stores each
// field as header_source_parse leaves it, takes a leading "From " line as
// the envelope, and registers header-level defects.
func (fp *feedParser) parseHeaders(lines []string) error {
	cur := fp.cur
	fields := 0
	for _, line := range lines {
		if line[0] != ' ' && line[0] != '\t' {
			fields++
		}
	}
	cur.headers = make([]headerField, 0, fields)
	var field []string
	flush := func() {
		if len(field) == 0 {
			return
		}
		cur.headers = append(cur.headers, headerSourceParse(field))
		field = field[:0]
	}
	for lineno, line := range lines {
		if line[0] == ' ' || line[0] == '\t' {
			if len(field) == 0 {
				if err := fp.defect(cur, "FirstHeaderLineIsContinuationDefect"); err != nil {
					return err
				}
				continue
			}
			field = append(field, line)
			continue
		}
		flush()
		if strings.HasPrefix(line, "From ") {
			switch {
			case lineno == 0:
				cur.unixFrom = trimLineBreak(line)
				continue
			case lineno == len(lines)-1:
				// Probably the first body line: push it back.
				fp.input.unread(line)
				return nil
			default:
				// Python appends this defect directly: it never raises.
				cur.defects = append(cur.defects, "MisplacedEnvelopeHeaderDefect")
				continue
			}
		}
		if line[0] == ':' {
			cur.defects = append(cur.defects, "InvalidHeaderDefect")
			continue
		}
		field = append(field, line)
	}
	flush()
	return nil
}

// headerSourceParse is Python's policy.header_source_parse: the name is
// everything before the first ':'; the value is the rest with leading
// blanks removed, continuation lines joined keeping their line breaks,
// and trailing CR/LF characters removed.
func headerSourceParse(lines []string) headerField {
	name, value, _ := strings.Cut(lines[0], ":")
	for value != "" && (value[0] == ' ' || value[0] == '\t') {
		value = value[1:]
	}
	if len(lines) > 1 {
		value += strings.Join(lines[1:], "")
	}
	for value != "" && (value[len(value)-1] == '\r' || value[len(value)-1] == '\n') {
		value = value[:len(value)-1]
	}
	field := headerField{name: name, value: value}
	if len(lines) == 1 {
		field.source = lines[0]
	}
	return field
}

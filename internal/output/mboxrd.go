package output

import (
	"bytes"
	"io"
	"net/mail"
	"strings"
	"time"
)

// asctimeLayout is the C asctime(3) date of an mbox "From " line, as
// Python's mailbox module writes it (time.asctime).
const asctimeLayout = "Mon Jan _2 15:04:05 2006"

// defaultSender is the "From " line sender when none is known, as in
// Python's mailbox module.
const defaultSender = "MAILER-DAEMON"

// FromLine returns an mbox separator line "From <sender> <asctime>\n" for
// a message (qmail mbox(5)). The date is INTERNALDATE in UTC, or now when
// it is zero; a sender that is empty or holds spaces or control bytes
// becomes MAILER-DAEMON.
func FromLine(sender string, date time.Time) string {
	if !validSender(sender) {
		sender = defaultSender
	}
	if date.IsZero() {
		date = time.Now()
	}
	return "From " + sender + " " + date.UTC().Format(asctimeLayout) + "\n"
}

func validSender(s string) bool {
	if s == "" || len(s) > 998 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}

var fromWord = []byte("From ")

// mboxrdWriter quotes a message for an mboxrd file while streaming it:
// every line matching ^>*From gets one more '>'.
type mboxrdWriter struct {
	w io.Writer
	// lineStart is true when the next byte starts a line.
	lineStart bool
	// quotes and matched describe a line start still being examined: the
	// number of '>' seen, then how many bytes of "From " matched.
	quotes, matched int
	examining       bool
	// last is the last message byte written; any is whether there was one.
	last  byte
	any   bool
	wrote int64
}

func newMboxrdWriter(w io.Writer) *mboxrdWriter {
	return &mboxrdWriter{w: w, lineStart: true}
}

func (q *mboxrdWriter) emit(p []byte) error {
	n, err := q.w.Write(p)
	q.wrote += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return err
}

// quoteRun is a run of '>' for release to write quotes from.
var quoteRun = []byte(">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>")

// release writes out the line start being examined: its '>' quotes and
// the part of "From " matched so far.
func (q *mboxrdWriter) release() error {
	quotes, matched := q.quotes, q.matched
	q.examining, q.quotes, q.matched = false, 0, 0
	for quotes > 0 {
		n := min(quotes, len(quoteRun))
		if err := q.emit(quoteRun[:n]); err != nil {
			return err
		}
		quotes -= n
	}
	if matched > 0 {
		return q.emit(fromWord[:matched])
	}
	return nil
}

// Write quotes p: a line matching ">*From " gets one more '>' (mboxrd).
// Lines that cannot match are passed on in one Write per call.
func (q *mboxrdWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	q.last = p[len(p)-1]
	q.any = true
	// p[pending:i] has been examined and is still to be written.
	pending := 0
	for i := 0; i < len(p); {
		if q.lineStart {
			q.lineStart = false
			q.examining = true
		}
		if q.examining {
			c := p[i]
			if q.quotes == 0 && q.matched == 0 && c != '>' && c != fromWord[0] {
				q.examining = false
			} else {
				if pending < i {
					if err := q.emit(p[pending:i]); err != nil {
						return 0, err
					}
				}
				switch {
				case q.matched == 0 && c == '>':
					q.quotes++
					i++
					pending = i
					continue
				case c == fromWord[q.matched]:
					q.matched++
					i++
					pending = i
					if q.matched == len(fromWord) {
						q.quotes++
						if err := q.release(); err != nil {
							return 0, err
						}
					}
					continue
				default:
					pending = i
					if err := q.release(); err != nil {
						return 0, err
					}
				}
			}
		}
		// Mid-line: skip to the start of the next line.
		nl := bytes.IndexByte(p[i:], '\n')
		if nl < 0 {
			break
		}
		i += nl + 1
		q.lineStart = true
	}
	if pending < len(p) {
		if err := q.emit(p[pending:]); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// finish ends the message: a pending line start is written out, a final
// newline added if missing, and the blank line that ends every mboxrd
// message. It reports whether a newline was added.
func (q *mboxrdWriter) finish() (newlineAdded bool, err error) {
	if q.examining {
		if err := q.release(); err != nil {
			return false, err
		}
	}
	tail := "\n"
	if q.any && q.last != '\n' {
		tail = "\n\n"
		newlineAdded = true
	}
	return newlineAdded, q.emit([]byte(tail))
}

// maxHeaderScan bounds how much of a message an mbox sink holds back to
// find its Date header field when INTERNALDATE is not known yet.
const maxHeaderScan = 64 << 10

// headerDater holds back the start of a message until the end of its
// header (the first empty line) or maxHeaderScan bytes, then calls begin
// with the date of its Date header field (RFC 5322 section 3.6.1; zero
// when absent or unreadable) and passes the held bytes on to next. It lets
// an mbox "From " line, which precedes the message, be dated by the
// message itself when the server sends INTERNALDATE after the body.
type headerDater struct {
	next    io.Writer
	begin   func(date time.Time) error
	held    []byte
	started bool
}

func (d *headerDater) Write(p []byte) (int, error) {
	if d.started {
		return d.next.Write(p)
	}
	d.held = append(d.held, p...)
	if headerEnd(d.held) < 0 && len(d.held) < maxHeaderScan {
		return len(p), nil
	}
	if err := d.release(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// release writes the "From " line and what was held back; the end of a
// message calls it too.
func (d *headerDater) release() error {
	if d.started {
		return nil
	}
	d.started = true
	if err := d.begin(headerDate(d.held)); err != nil {
		return err
	}
	held := d.held
	d.held = nil
	if len(held) == 0 {
		return nil
	}
	n, err := d.next.Write(held)
	if err == nil && n < len(held) {
		err = io.ErrShortWrite
	}
	return err
}

// headerDate returns the date of the first Date field in the header at
// the start of b, unfolded, or the zero time.
func headerDate(b []byte) time.Time {
	if end := headerEnd(b); end >= 0 {
		b = b[:end]
	}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSuffix(lines[i], "\r")
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !strings.EqualFold(strings.TrimRight(name, " \t"), "Date") {
			continue
		}
		for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "\t")) {
			i++
			value += " " + strings.TrimSuffix(lines[i], "\r")
		}
		if t, err := mail.ParseDate(strings.Join(strings.Fields(value), " ")); err == nil {
			return t
		}
		return time.Time{}
	}
	return time.Time{}
}

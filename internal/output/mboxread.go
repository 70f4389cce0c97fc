package output

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// MboxDialect says how quoted "From " lines in an mbox are read back.
type MboxDialect int

const (
	// MboxRD un-quotes every line matching ^>+From by removing one '>'
	// (the inverse of what an mboxrd writer, such as [MboxSink], does).
	MboxRD MboxDialect = iota
	// MboxO un-quotes only lines matching ^>From (mboxo writers quote
	// "From " lines but leave ">From " lines alone, so this is lossy).
	MboxO
	// MboxNoUnquote returns the lines as they are, like Python's
	// mailbox.mbox.get_bytes.
	MboxNoUnquote
)

// FormatError reports input that is not in the format it was read as.
type FormatError struct {
	Path   string
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("output: %s at byte %d: %s", e.Path, e.Offset, e.Reason)
}

// mboxBufferSize bounds how much of a line is examined at once; lines
// longer than this are streamed in pieces.
const mboxBufferSize = 64 << 10

// maxFromLine bounds the "From " line kept for its sender and date.
const maxFromLine = 1000

// MboxReader reads messages from an mbox stream one at a time, never
// holding more than a line in memory. A message ends at the next line
// starting with "From " (as in Python's mailbox.mbox); the blank line
// before it is the separator, not part of the message.
type MboxReader struct {
	name     string
	br       *bufio.Reader
	dialect  MboxDialect
	offset   int64 // bytes consumed from br
	fromLine []byte
	fromAt   int64
	body     *mboxBody
	// head and bodyOut are buffers of the previous message, reused.
	head, bodyOut []byte
	index         int
	err           error
}

// NewMboxReader returns a reader of the mbox r; name is used in errors.
func NewMboxReader(r io.Reader, name string, dialect MboxDialect) *MboxReader {
	return &MboxReader{name: name, br: bufio.NewReaderSize(r, mboxBufferSize), dialect: dialect}
}

// readChunk returns the next line, or the next piece of a long line, and
// whether it ends a line. The slice is valid until the next read.
func (r *MboxReader) readChunk() ([]byte, bool, error) {
	chunk, err := r.br.ReadSlice('\n')
	r.offset += int64(len(chunk))
	switch {
	case err == nil:
		return chunk, true, nil
	case errors.Is(err, bufio.ErrBufferFull):
		return chunk, false, nil
	case err == io.EOF && len(chunk) > 0:
		return chunk, true, nil
	default:
		return chunk, false, err
	}
}

// readFromLine reads the rest of a "From " line whose first chunk is
// start, keeping at most maxFromLine bytes.
func (r *MboxReader) readFromLine(start []byte, complete bool) error {
	r.fromLine = append(r.fromLine[:0], start[:min(len(start), maxFromLine)]...)
	for !complete {
		chunk, done, err := r.readChunk()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if room := maxFromLine - len(r.fromLine); room > 0 {
			r.fromLine = append(r.fromLine, chunk[:min(len(chunk), room)]...)
		}
		complete = done
	}
	return nil
}

// Next returns the next message's metadata and a reader of its bytes
// (valid until the next call), or io.EOF after the last message.
func (r *MboxReader) Next() (SourceMessage, io.Reader, error) {
	if r.err != nil {
		return SourceMessage{}, nil, r.err
	}
	if r.body != nil {
		if _, err := io.Copy(io.Discard, r.body); err != nil {
			r.err = err
			return SourceMessage{}, nil, err
		}
		r.bodyOut = r.body.out // the next message's body reuses it
		r.body = nil
	}
	if r.fromLine == nil {
		// Start of the file: skip blank lines, then expect "From ".
		for {
			at := r.offset
			chunk, complete, err := r.readChunk()
			if err != nil {
				r.err = err // io.EOF: an empty file has no messages
				return SourceMessage{}, nil, err
			}
			if complete && (string(chunk) == "\n" || string(chunk) == "\r\n") {
				continue
			}
			if !bytes.HasPrefix(chunk, fromWord) {
				r.err = &FormatError{Path: r.name, Offset: at, Reason: `not an mbox: expected a "From " line`}
				return SourceMessage{}, nil, r.err
			}
			r.fromAt = at
			if err := r.readFromLine(chunk, complete); err != nil {
				r.err = err
				return SourceMessage{}, nil, err
			}
			break
		}
	} else if len(r.fromLine) == 0 {
		r.err = io.EOF
		return SourceMessage{}, nil, io.EOF
	}
	r.index++
	sender, date := ParseFromLine(string(r.fromLine))
	meta := SourceMessage{Path: r.name, Offset: r.fromAt, Index: r.index, Sender: sender, InternalDate: date, Size: -1}
	r.body = &mboxBody{r: r, lineStart: true, out: r.bodyOut[:0]}
	head, flags, err := readHeaderAhead(r.body, r.head)
	r.head = head
	if err != nil {
		r.err = err
		return SourceMessage{}, nil, err
	}
	meta.Flags = flags
	return meta, io.MultiReader(bytes.NewReader(head), r.body), nil
}

// Close does nothing; the caller owns the underlying reader.
func (r *MboxReader) Close() error { return nil }

// mboxBody reads one message's lines, un-quoting and holding back a blank
// line until it is known not to be the separator before the next "From ".
type mboxBody struct {
	r         *MboxReader
	out       []byte // queued bytes, read from out[pos:]
	pos       int
	heldBlank bool
	lineStart bool
	done      bool
}

func (b *mboxBody) Read(p []byte) (int, error) {
	for b.pos == len(b.out) {
		if b.done {
			return 0, io.EOF
		}
		if err := b.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.out[b.pos:])
	b.pos += n
	return n, nil
}

// fill reads the next chunk and queues what of it belongs to the message.
func (b *mboxBody) fill() error {
	r := b.r
	at := r.offset
	chunk, complete, err := r.readChunk()
	if err == io.EOF {
		b.done = true // a trailing blank line is the last separator
		r.fromLine = r.fromLine[:0]
		return nil
	}
	if err != nil {
		return err
	}
	b.out, b.pos = b.out[:0], 0
	if !b.lineStart {
		b.out = append(b.out, chunk...)
		b.lineStart = complete
		return nil
	}
	if bytes.HasPrefix(chunk, fromWord) {
		b.done = true
		r.fromAt = at
		return r.readFromLine(chunk, complete)
	}
	if complete && len(chunk) == 1 { // "\n"
		if b.heldBlank {
			b.out = append(b.out, '\n')
		}
		b.heldBlank = true
		return nil
	}
	if b.heldBlank {
		b.out = append(b.out, '\n')
		b.heldBlank = false
	}
	b.out = append(b.out, unquoteFrom(chunk, r.dialect)...)
	b.lineStart = complete
	return nil
}

// unquoteFrom removes one '>' from a quoted "From " line.
func unquoteFrom(line []byte, dialect MboxDialect) []byte {
	switch dialect {
	case MboxRD:
		i := 0
		for i < len(line) && line[i] == '>' {
			i++
		}
		if i > 0 && bytes.HasPrefix(line[i:], fromWord) {
			return line[1:]
		}
	case MboxO:
		if len(line) > 0 && line[0] == '>' && bytes.HasPrefix(line[1:], fromWord) {
			return line[1:]
		}
	}
	return line
}

// fromLineLayouts are the dates found on "From " lines: asctime(3), with
// a zone name or numeric zone, as various MTAs write them.
var fromLineLayouts = []string{
	asctimeLayout,
	"Mon Jan _2 15:04:05 MST 2006",
	"Mon Jan _2 15:04:05 2006 -0700",
	"Mon Jan _2 15:04:05 -0700 2006",
	"Mon Jan _2 15:04 2006",
	time.RFC1123Z,
}

// ParseFromLine returns the sender and date of an mbox "From " line
// ("From sender Mon Jan  2 15:04:05 2006"); the date is zero when it cannot
// be read. Dates without a zone are taken as UTC, as Python writes them.
func ParseFromLine(line string) (sender string, date time.Time) {
	line = strings.TrimRight(strings.TrimPrefix(line, "From "), "\r\n")
	line = strings.TrimLeft(line, " ")
	sender, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	for _, layout := range fromLineLayouts {
		if t, err := time.Parse(layout, rest); err == nil {
			return sender, t
		}
	}
	return sender, time.Time{}
}

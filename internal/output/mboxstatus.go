package output

import (
	"bytes"
	"errors"
	"io"
	"slices"
)

// statusHeaderLimit bounds how much of a message is read ahead to find
// its Status and X-Status header fields.
const statusHeaderLimit = 64 << 10

// mboxStatusFlags maps the letters of the Status and X-Status header
// fields that mbox readers such as mutt and Python's mailbox.mboxMessage
// keep to IMAP flags (RFC 3501 section 2.3.2), as Python converts them to
// Maildir flags. "O" (old, not new) has no IMAP flag.
var mboxStatusFlags = map[byte]string{
	'R': `\Seen`,
	'A': `\Answered`,
	'F': `\Flagged`,
	'D': `\Deleted`,
}

// readHeaderAhead reads r until the end of the message header (or
// statusHeaderLimit bytes, or the end), returning what it read and the
// flags of the Status and X-Status fields found in the header.
func readHeaderAhead(r io.Reader, head []byte) ([]byte, []string, error) {
	head = head[:0]
	for len(head) < statusHeaderLimit {
		if len(head) == cap(head) {
			head = slices.Grow(head, 4096)
		}
		n, err := r.Read(head[len(head):cap(head)])
		head = head[:len(head)+n]
		// Only the bytes just read (and two before them) can complete
		// the blank line: the header is not scanned again per read.
		if headerEnds(head, max(0, len(head)-n-2)) {
			break
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return head, nil, err
		}
	}
	end := headerEnd(head)
	if end < 0 {
		end = len(head)
	}
	return head, statusFlags(head[:end]), nil
}

// headerEnds reports whether headerEnd(b) >= 0, knowing that b[:from+2]
// holds no "\n\n" or "\n\r\n".
func headerEnds(b []byte, from int) bool {
	return bytes.HasPrefix(b, []byte("\n")) || bytes.HasPrefix(b, []byte("\r\n")) ||
		bytes.Contains(b[from:], []byte("\n\n")) || bytes.Contains(b[from:], []byte("\n\r\n"))
}

// headerEnd returns where the header in b ends (the start of the blank
// line), or -1 if b holds no blank line yet.
func headerEnd(b []byte) int {
	if bytes.HasPrefix(b, []byte("\n")) || bytes.HasPrefix(b, []byte("\r\n")) {
		return 0
	}
	if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
		j := bytes.Index(b, []byte("\n\r\n"))
		if j >= 0 && j < i {
			return j + 1
		}
		return i + 1
	}
	if j := bytes.Index(b, []byte("\n\r\n")); j >= 0 {
		return j + 1
	}
	return -1
}

// statusFlags returns the flags of the Status and X-Status fields of a
// header, in Maildir letter order.
func statusFlags(header []byte) []string {
	letters := map[string]bool{}
	for _, line := range bytes.Split(header, []byte("\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		if !bytes.EqualFold(name, []byte("Status")) && !bytes.EqualFold(name, []byte("X-Status")) {
			continue
		}
		for _, c := range bytes.TrimSpace(value) {
			if flag, ok := mboxStatusFlags[c]; ok {
				letters[flag] = true
			}
		}
	}
	var flags []string
	for _, fl := range maildirFlagLetters {
		if letters[fl.flag] {
			flags = append(flags, fl.flag)
		}
	}
	return flags
}

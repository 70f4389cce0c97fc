package policy

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"sync"
)

// MaxBodyMemory bounds the body bytes (payloads, preambles, epilogues)
// one parsed message keeps in memory; the rest goes to temporary files
// that are removed when Write returns.
const MaxBodyMemory = 8 << 20

// bodyBudget is shared by the bodies of one message: how many more bytes
// may stay in memory, and where temporary files go. It also carries the
// buffers one Write needs (the parser's line buffer, the bodies' memory,
// the output buffer) so that they can be reused by the next Write: see
// getBudget and release.
type bodyBudget struct {
	memoryLeft int
	files      []*os.File
	err        error
	maxParts   int // if not 0, replaces MaxParts (for tests)

	// lineBuf is the lineReader's buffer, kept between messages.
	lineBuf []byte
	// bodies are the bodies made with newBody for this message.
	bodies []*body
	// The in-memory bodies live in chunks: the parser writes one body
	// after another, so the body being written (active, from activeOff)
	// grows at the end of the current chunk cur; a body that outgrows
	// it moves to a new chunk. used holds this message's earlier chunks,
	// free the chunks kept from earlier messages.
	cur       []byte
	active    *body
	activeOff int
	used      [][]byte
	free      [][]byte
	// out buffers the generator's output.
	out *bufio.Writer
}

// Limits on what a released budget keeps for the next message, so that
// one huge message does not pin its buffers for the rest of a run.
const (
	maxKeptLineBuf = 256 << 10
	minBodyChunk   = 64 << 10
	maxKeptChunk   = 256 << 10
	maxKeptChunks  = 1 << 20 // bytes of chunks kept
)

// budgetPool holds released budgets with their buffers. It is a cache
// only: getBudget may find it empty.
var budgetPool = sync.Pool{New: func() any { return new(bodyBudget) }}

// getBudget returns a budget allowing memory bytes of body in memory,
// with buffers reused from an earlier message when there are any.
func getBudget(memory int) *bodyBudget {
	b := budgetPool.Get().(*bodyBudget)
	b.memoryLeft = memory
	return b
}

// close removes the temporary files.
func (b *bodyBudget) close() {
	for _, f := range b.files {
		name := f.Name()
		f.Close()
		os.Remove(name)
	}
	b.files = nil
}

// release closes b and keeps its buffers for a later getBudget. Nothing
// made while b was in use (bodies, the lineReader) may be used after.
func (b *bodyBudget) release() {
	b.close()
	for i, bd := range b.bodies {
		bd.mem = nil
		b.bodies[i] = nil
	}
	if cap(b.cur) > 0 {
		b.used = append(b.used, b.cur)
	}
	kept := 0
	for _, c := range b.free {
		kept += cap(c)
	}
	for i, c := range b.used {
		if cap(c) <= maxKeptChunk && kept+cap(c) <= maxKeptChunks {
			b.free = append(b.free, c[:0])
			kept += cap(c)
		}
		b.used[i] = nil
	}
	if cap(b.lineBuf) > maxKeptLineBuf {
		b.lineBuf = nil
	}
	if b.out != nil {
		b.out.Reset(nil)
	}
	*b = bodyBudget{lineBuf: b.lineBuf[:0], bodies: b.bodies[:0], used: b.used[:0], free: b.free, out: b.out}
	budgetPool.Put(b)
}

// appendMem appends s to bd.mem in b's chunks.
func appendMem[T string | []byte](b *bodyBudget, bd *body, s T) {
	if b.active != bd || len(bd.mem) != len(b.cur)-b.activeOff {
		// bd starts (again) at the end of the current chunk; bytes it
		// already has are copied (only if bodies were written
		// interleaved, which the parser does not do).
		b.active = nil
		if len(b.cur)+len(bd.mem)+len(s) > cap(b.cur) {
			b.newChunk(len(bd.mem) + len(s))
		}
		b.active, b.activeOff = bd, len(b.cur)
		b.cur = append(b.cur, bd.mem...)
	} else if len(b.cur)+len(s) > cap(b.cur) {
		// Move the active body to a chunk it fits in.
		old := b.cur[b.activeOff:]
		b.newChunk(len(old) + len(s))
		b.activeOff = 0
		b.cur = append(b.cur, old...)
	}
	b.cur = append(b.cur, s...)
	// Capped, so that nothing appends to a body's slice but this.
	bd.mem = b.cur[b.activeOff:len(b.cur):len(b.cur)]
}

// newChunk makes cur an empty chunk with room for need bytes.
func (b *bodyBudget) newChunk(need int) {
	if cap(b.cur) > 0 {
		b.used = append(b.used, b.cur)
	}
	for i, c := range b.free {
		if cap(c) >= need {
			b.cur = c
			b.free = append(b.free[:i], b.free[i+1:]...)
			return
		}
	}
	b.cur = make([]byte, 0, max(minBodyChunk, 2*need))
}

// body is the text of a payload, preamble or epilogue as Python holds it
// (after universal-newline translation its only line break is "\n"),
// kept in memory while the budget allows and in a temporary file beyond.
type body struct {
	budget   *bodyBudget
	mem      []byte
	file     *os.File
	size     int64  // bytes in file (when file != nil), pending included
	pending  []byte // bytes not yet written to file
	start    int64  // bytes skipped at the front (in file or mem)
	last     byte
	eightBit bool
}

// newBody returns an empty body spending budget (nil: no limit, no
// reuse), its memory in the budget's chunks.
func newBody(budget *bodyBudget) *body {
	b := &body{budget: budget}
	if budget != nil {
		budget.bodies = append(budget.bodies, b)
	}
	return b
}

// bodyFromString returns an in-memory body holding s.
func bodyFromString(s string) *body {
	b := &body{mem: []byte(s)}
	b.eightBit = has8bit(s)
	if s != "" {
		b.last = s[len(s)-1]
	}
	return b
}

func (b *body) Len() int64 {
	if b.file != nil {
		return b.size - b.start
	}
	return int64(len(b.mem)) - b.start
}

// WriteString appends s, moving the body to a temporary file once the
// budget's memory is spent.
func (b *body) WriteString(s string) { appendBody(b, s) }

// Write is WriteString for bytes.
func (b *body) Write(p []byte) { appendBody(b, p) }

func appendBody[T string | []byte](b *body, s T) {
	if len(s) == 0 {
		return
	}
	if !b.eightBit && has8bit(s) {
		b.eightBit = true
	}
	b.last = s[len(s)-1]
	if b.file == nil && b.budget != nil && b.budget.memoryLeft < len(s) {
		b.spill()
	}
	if b.file == nil {
		if b.budget != nil {
			appendMem(b.budget, b, s)
			b.budget.memoryLeft -= len(s)
		} else {
			b.mem = append(b.mem, s...)
		}
		return
	}
	b.pending = append(b.pending, s...)
	b.size += int64(len(s))
	if len(b.pending) >= 64<<10 {
		b.flush()
	}
}

// flush writes the pending bytes to the file.
func (b *body) flush() {
	if b.file == nil || len(b.pending) == 0 {
		return
	}
	if _, err := b.file.WriteAt(b.pending, b.size-int64(len(b.pending))); err != nil && b.budget.err == nil {
		b.budget.err = err
	}
	b.pending = b.pending[:0]
}

func (b *body) spill() {
	f, err := os.CreateTemp("", "imapctl-body-*")
	if err != nil {
		if b.budget.err == nil {
			b.budget.err = err
		}
		return
	}
	b.budget.files = append(b.budget.files, f)
	if _, err := f.Write(b.mem); err != nil && b.budget.err == nil {
		b.budget.err = err
	}
	b.budget.memoryLeft += len(b.mem)
	b.size = int64(len(b.mem))
	b.mem = nil
	b.file = f
	if bb := b.budget; bb.active == b {
		// Its bytes in the chunk are free again.
		bb.cur, bb.active = bb.cur[:bb.activeOff], nil
	}
}

// trimFinalLineBreak removes one trailing "\n" (Python's NLCRE_eol; no
// other line break survives universal-newline translation).
func (b *body) trimFinalLineBreak() {
	if b.Len() == 0 || b.last != '\n' {
		return
	}
	if b.file != nil {
		b.flush()
		b.size--
		if err := b.file.Truncate(b.size); err != nil && b.budget.err == nil {
			b.budget.err = err
		}
	} else {
		b.mem = b.mem[:len(b.mem)-1]
	}
	b.last = 0
	if b.Len() > 0 {
		if b.file != nil {
			var one [1]byte
			if _, err := b.file.ReadAt(one[:], b.size-1); err == nil {
				b.last = one[0]
			}
		} else {
			b.last = b.mem[len(b.mem)-1]
		}
	}
}

// first returns the first byte, if any.
func (b *body) first() (byte, bool) {
	if b.Len() == 0 {
		return 0, false
	}
	if b.file == nil {
		return b.mem[b.start], true
	}
	b.flush()
	var one [1]byte
	if _, err := b.file.ReadAt(one[:], b.start); err != nil {
		return 0, false
	}
	return one[0], true
}

// skipFirst drops the first byte.
func (b *body) skipFirst() {
	if b.Len() > 0 {
		b.start++
	}
}

// reader returns the body's bytes from the start.
func (b *body) reader() io.Reader {
	if b.file == nil {
		return bytes.NewReader(b.mem[b.start:])
	}
	b.flush()
	return io.NewSectionReader(b.file, b.start, b.size-b.start)
}

// String returns the whole body in memory (for re-encoding).
func (b *body) String() (string, error) {
	if b.file == nil {
		return string(b.mem[b.start:]), nil
	}
	data, err := io.ReadAll(b.reader())
	return string(data), err
}

// writeBody copies a body to w as Python's _write_lines does (every "\n"
// becomes nl) after fcre.sub('>From ', ...) when mangleFrom is set; with
// verbatim set the bytes are copied as they are (Python's self.write of
// a string payload).
func writeBody(w *bufio.Writer, b *body, nl string, mangleFrom, verbatim bool) error {
	if b.file == nil {
		writeLines(w, b.mem[b.start:], nl, mangleFrom, verbatim, true)
		return nil
	}
	r := b.reader()
	buf := make([]byte, 64<<10)
	atLineStart := true
	carry := 0 // bytes kept from the previous read: a line start shorter than "From "
	for {
		n, err := io.ReadFull(r, buf[carry:])
		n += carry
		if n > 0 {
			chunk := buf[:n]
			final := err != nil
			keep := 0
			if !final && mangleFrom && !verbatim {
				// Keep an unfinished line start back until we can tell
				// whether it is "From ".
				if i := bytes.LastIndexByte(chunk, '\n'); n-(i+1) < 5 && (i >= 0 || atLineStart) {
					keep = n - (i + 1)
				}
			}
			atLineStart = writeLines(w, chunk[:n-keep], nl, mangleFrom, verbatim, atLineStart)
			carry = copy(buf, chunk[n-keep:])
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// writeLines writes text with each "\n" replaced by nl and, with
// mangleFrom, ">" before every line that starts with "From "; atLineStart
// says whether text begins a line. It returns whether the next byte would
// begin one.
func writeLines(w *bufio.Writer, text []byte, nl string, mangleFrom, verbatim, atLineStart bool) bool {
	if verbatim {
		w.Write(text)
		return len(text) > 0 && text[len(text)-1] == '\n' || len(text) == 0 && atLineStart
	}
	for len(text) > 0 {
		if mangleFrom && atLineStart && bytes.HasPrefix(text, []byte("From ")) {
			w.WriteByte('>')
		}
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			w.Write(text)
			return false
		}
		w.Write(text[:i])
		w.WriteString(nl)
		text = text[i+1:]
		atLineStart = true
	}
	return atLineStart
}

// Package gen makes the benchmark's mail: a deterministic, seeded stream of
// RFC 5322 messages with a realistic mix of sizes and header shapes (long
// folded Received and DKIM-Signature fields, RFC 2047 encoded-word and raw
// UTF-8 subjects, multipart/mixed messages with base64 attachments).
//
// A message is a pure function of (seed, index, size): the same arguments
// always give the same bytes, so every run of the benchmark, on every
// machine, serves the same mailbox. Messages are written with LF line
// endings, the way a Maildir stores them; RFC822.SIZE counts CRLF.
package gen

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Kind is a size class of the mix.
type Kind int

// The size classes of the mix.
const (
	Text       Kind = iota // 2-20 KB of text
	Attachment             // 100 KB-2 MB: text plus a base64 attachment
	Huge                   // 2-20 MB: text plus a big base64 attachment
)

func (k Kind) String() string {
	return [...]string{"text", "attachment", "huge"}[k]
}

// Spec says which message to make: its index in the mailbox, its class and
// its approximate size in bytes (LF line endings).
type Spec struct {
	Index int
	Kind  Kind
	Size  int
}

// Mix is the share of each size class; the rest is Text.
type Mix struct {
	Attachment float64
	Huge       float64
}

// Realistic is the mix: mostly 2-20 KB text, about one in ten with
// a 100 KB-2 MB attachment, a few of 2-20 MB. Its mean is about 100 KB, so
// 10,000 messages are about 1 GB (979 MB with seed 2, the medium profile).
var Realistic = Mix{Attachment: 0.10, Huge: 0.003}

// TextOnly makes only 2-20 KB text messages.
var TextOnly = Mix{}

// Specs draws n message specs from seed. Sizes are log-uniform within each
// class, so small messages of a class are as common as large ones.
func Specs(seed uint64, n int, mix Mix) []Spec {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	specs := make([]Spec, n)
	for i := range specs {
		x := r.Float64()
		s := Spec{Index: i}
		switch {
		case x < mix.Huge:
			s.Kind, s.Size = Huge, logUniform(r, 2<<20, 20<<20)
		case x < mix.Huge+mix.Attachment:
			s.Kind, s.Size = Attachment, logUniform(r, 100<<10, 2<<20)
		default:
			s.Kind, s.Size = Text, logUniform(r, 2<<10, 20<<10)
		}
		specs[i] = s
	}
	return specs
}

func logUniform(r *rand.Rand, lo, hi int) int {
	return int(math.Exp(math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))))
}

// Write writes the message of spec, generated from seed, to w with LF line
// endings and returns the number of bytes written and the number of lines
// (so that the CRLF size is written+lines).
func Write(w io.Writer, seed uint64, spec Spec) (written int64, lines int64, err error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	r := rand.New(rand.NewPCG(seed, uint64(spec.Index)+1))
	g := &writer{bw: bw, r: r}
	g.message(spec)
	if err := bw.Flush(); err != nil {
		return cw.n, cw.lines, err
	}
	return cw.n, cw.lines, nil
}

type countingWriter struct {
	w     io.Writer
	n     int64
	lines int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	for _, b := range p[:n] {
		if b == '\n' {
			c.lines++
		}
	}
	return n, err
}

type writer struct {
	bw *bufio.Writer
	r  *rand.Rand
	n  int // bytes written so far
}

func (g *writer) line(s string) {
	g.bw.WriteString(s)
	g.bw.WriteByte('\n')
	g.n += len(s) + 1
}

var (
	words = strings.Fields(`the of and to in is you that it he was for on are as with his they at be this
		have from or one had by word but not what all were we when your can said there use an each which she
		do how their if will up other about out many then them these so some her would make like him into time
		has look two more write go see number no way could people my than first water been call who oil its now
		find long down day did get come made may part meeting invoice report quarterly schedule attached review
		budget project deadline update server backup mailbox release kernel patch`)
	utf8Words = strings.Fields(`Grüße Überweisung Straße naïve café façade résumé smörgåsbord Ελληνικά
		русский 日本語 中文 한국어 emoji🙂 Zürich København Łódź`)
	names = []string{"Alice Example", "Bob Müller", "Chloé Dubois", "Dmitri Иванов", "Eve 山田", "Frank O'Neil", "Grace Hopper"}
	hosts = []string{"example.com", "example.org", "mail.example.net", "lists.example.de", "corp.example.jp"}
	b64   = base64.StdEncoding
)

func (g *writer) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *writer) phrase(n int, utf8 bool) string {
	parts := make([]string, n)
	for i := range parts {
		if utf8 && g.r.IntN(4) == 0 {
			parts[i] = g.pick(utf8Words)
		} else {
			parts[i] = g.pick(words)
		}
	}
	return strings.Join(parts, " ")
}

// encodedWord encodes s as RFC 2047 encoded-words of at most 75 characters,
// B or Q encoding.
func (g *writer) encodedWord(s string) string {
	var out []string
	b := g.r.IntN(2) == 0
	for len(s) > 0 {
		n := min(len(s), 30)
		for n < len(s) && !utf8Start(s[n]) {
			n++
		}
		chunk := s[:n]
		s = s[n:]
		if b {
			out = append(out, "=?UTF-8?B?"+b64.EncodeToString([]byte(chunk))+"?=")
			continue
		}
		var q strings.Builder
		for i := 0; i < len(chunk); i++ {
			c := chunk[i]
			switch {
			case c == ' ':
				q.WriteByte('_')
			case c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
				q.WriteByte(c)
			default:
				fmt.Fprintf(&q, "=%02X", c)
			}
		}
		out = append(out, "=?UTF-8?Q?"+q.String()+"?=")
	}
	return strings.Join(out, "\n ")
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// folded writes name: value, folding value at spaces before 78 columns.
func (g *writer) folded(name, value string) {
	line := name + ":"
	for _, w := range strings.Split(value, " ") {
		if len(line)+1+len(w) > 76 && len(line) > len(name)+1 {
			g.line(line)
			line = "\t" + w
			continue
		}
		line += " " + w
	}
	g.line(line)
}

func (g *writer) address() string {
	name := g.pick(names)
	local := strings.ToLower(strings.Fields(name)[0])
	host := g.pick(hosts)
	if strings.ContainsFunc(name, func(r rune) bool { return r > 127 }) {
		return g.encodedWord(name) + " <" + local + "@" + host + ">"
	}
	return `"` + name + `" <` + local + "@" + host + ">"
}

func (g *writer) headers(spec Spec, contentType string) {
	date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(spec.Index) * 17 * time.Minute)
	for hop := range 2 + g.r.IntN(3) {
		g.folded("Received", fmt.Sprintf("from mx%d.%s (mx%d.%s [192.0.2.%d]) by mail.example.com (Postfix) with ESMTPS id %X for <bench@example.com>; %s",
			hop, g.pick(hosts), hop, g.pick(hosts), g.r.IntN(250)+1, g.r.Uint64(), date.Format(time.RFC1123Z)))
	}
	sig := make([]byte, 192)
	for i := range sig {
		sig[i] = byte(g.r.Uint32())
	}
	g.folded("DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d="+g.pick(hosts)+"; s=selector1; h=from:to:subject:date:message-id:mime-version:content-type; bh="+b64.EncodeToString(sig[:32])+"; b="+splitEvery(b64.EncodeToString(sig), 60))
	g.line("Message-ID: <" + fmt.Sprintf("%d.%x", spec.Index, g.r.Uint64()) + "@bench.example.com>")
	g.line("Date: " + date.Format(time.RFC1123Z))
	g.folded("From", g.address())
	var to []string
	for range 1 + g.r.IntN(6) {
		to = append(to, g.address())
	}
	g.folded("To", strings.Join(to, ", "))
	subject := fmt.Sprintf("[%d] %s", spec.Index, g.phrase(4+g.r.IntN(10), true))
	switch g.r.IntN(3) {
	case 0: // RFC 2047 encoded-words, possibly several folded
		g.line("Subject: " + g.encodedWord(subject))
	case 1: // raw UTF-8 (RFC 6532)
		g.folded("Subject", subject)
	default:
		g.folded("Subject", fmt.Sprintf("[%d] %s", spec.Index, g.phrase(4+g.r.IntN(10), false)))
	}
	g.line("MIME-Version: 1.0")
	g.line(contentType)
}

func splitEvery(s string, n int) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), " ")
}

// text writes paragraphs of words (lines up to 72 columns) until about
// size bytes are written.
func (g *writer) text(size int, utf8 bool) {
	start := g.n
	for g.n-start < size {
		var line strings.Builder
		for line.Len() < 60 {
			if line.Len() > 0 {
				line.WriteByte(' ')
			}
			if utf8 && g.r.IntN(8) == 0 {
				line.WriteString(g.pick(utf8Words))
			} else {
				line.WriteString(g.pick(words))
			}
		}
		g.line(line.String())
		if g.r.IntN(6) == 0 {
			g.line("")
		}
	}
}

func (g *writer) message(spec Spec) {
	utf8Body := g.r.IntN(3) == 0
	cte := "7bit"
	if utf8Body {
		cte = "8bit"
	}
	if spec.Kind == Text {
		g.headers(spec, "Content-Type: text/plain; charset=utf-8; format=flowed")
		g.line("Content-Transfer-Encoding: " + cte)
		g.line("")
		g.text(spec.Size-g.n, utf8Body)
		return
	}
	boundary := fmt.Sprintf("=_bench_%016x", g.r.Uint64())
	g.headers(spec, `Content-Type: multipart/mixed;`)
	g.line(`	boundary="` + boundary + `"`)
	g.line("")
	g.line("This is a multi-part message in MIME format.")
	g.line("--" + boundary)
	g.line("Content-Type: text/plain; charset=utf-8")
	g.line("Content-Transfer-Encoding: " + cte)
	g.line("")
	g.text(1000+g.r.IntN(4000), utf8Body)
	g.line("--" + boundary)
	name := fmt.Sprintf("report-%d.pdf", spec.Index)
	g.line(`Content-Type: application/octet-stream; name="` + name + `"`)
	g.line("Content-Transfer-Encoding: base64")
	g.line(`Content-Disposition: attachment; filename="` + name + `"`)
	g.line("")
	// base64 lines of 76 characters carry 57 bytes; random bytes stand for
	// already-compressed content (images, PDFs, archives).
	remaining := spec.Size - g.n - len(boundary) - 8
	var raw [57]byte
	var enc [76]byte
	for remaining > 0 {
		for i := 0; i < len(raw); i += 8 {
			v := g.r.Uint64()
			for j := 0; j < 8 && i+j < len(raw); j++ {
				raw[i+j] = byte(v >> (8 * j))
			}
		}
		b64.Encode(enc[:], raw[:])
		g.bw.Write(enc[:])
		g.bw.WriteByte('\n')
		g.n += 77
		remaining -= 77
	}
	g.line("--" + boundary + "--")
}

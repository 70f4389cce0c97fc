package policy

import (
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// splitUniversal is the reference for lineReader: lines end at CRLF, LF
// or a lone CR (Python's universal newlines) and come out ending in "\n";
// a line longer than maxLinePiece comes in pieces of maxLinePiece bytes.
func splitUniversal(s string) []string {
	var pieces []string
	for len(s) > 0 {
		end, skip := len(s), 0
		if i := strings.IndexAny(s, "\r\n"); i >= 0 {
			end, skip = i, 1
			if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				skip = 2
			}
		}
		content := s[:end]
		for len(content) >= maxLinePiece {
			pieces = append(pieces, content[:maxLinePiece])
			content = content[maxLinePiece:]
		}
		if skip > 0 {
			pieces = append(pieces, content+"\n")
		} else if content != "" {
			pieces = append(pieces, content)
		}
		s = s[end+skip:]
	}
	return pieces
}

// TestLineReaderPieces reads inputs with CR, LF, CRLF and lines around
// maxLinePiece through whole, one-byte and half reads: the pieces are
// always the reference's.
func TestLineReaderPieces(t *testing.T) {
	long := strings.Repeat("x", maxLinePiece)
	inputs := []string{
		"", "a", "\n", "\r", "\r\n", "\n\r", "a\rb\r\nc\nd", "\r\r\n\n\r",
		long, long + "\n", long + "\r\n", long[1:] + "\r\n", long[1:] + "\r", long + "y\r\nz",
		long + long + "\r", long[2:] + "\r\n\r\n",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		var b strings.Builder
		for range rng.IntN(40) {
			switch rng.IntN(6) {
			case 0:
				b.WriteString("\r")
			case 1:
				b.WriteString("\n")
			case 2:
				b.WriteString("\r\n")
			case 3:
				b.WriteString(long[:maxLinePiece-rng.IntN(3)])
			default:
				b.WriteString(long[:rng.IntN(20)])
			}
		}
		inputs = append(inputs, b.String())
	}
	readers := map[string]func(string) io.Reader{
		"whole":    func(s string) io.Reader { return strings.NewReader(s) },
		"one byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"half":     func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) },
	}
	for _, in := range inputs {
		want := splitUniversal(in)
		for name, reader := range readers {
			l := &lineReader{r: reader(in)}
			var got []string
			for {
				piece, _, ok := l.next()
				if !ok {
					break
				}
				got = append(got, piece)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s reads of %q (%d bytes): %d pieces, want %d", name, in[:min(len(in), 40)], len(in), len(got), len(want))
			}
		}
	}
}

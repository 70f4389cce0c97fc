package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"github.com/imapctl/imapctl/internal/policy"
)

// randomMessage returns bytes with CRLF, bare LF and bare CR line ends
// (weights chosen per message, so that some messages have only CRLF).
func randomMessage(rng *rand.Rand, size int) []byte {
	bareLF, bareCR := rng.IntN(2) == 0, rng.IntN(3) == 0
	var b []byte
	for len(b) < size {
		for range rng.IntN(90) {
			b = append(b, byte('a'+rng.IntN(26)))
		}
		switch r := rng.IntN(20); {
		case r == 0 && bareLF:
			b = append(b, '\n')
		case r == 1 && bareCR:
			b = append(b, '\r')
		default:
			b = append(b, '\r', '\n')
		}
	}
	return b
}

// feedInterleaved writes server and stored to the check's two streams in
// random chunks and a random order between the streams.
func feedInterleaved(rng *rand.Rand, c *losslessCheck, server, stored []byte) {
	for len(server) > 0 || len(stored) > 0 {
		if len(stored) == 0 || (len(server) > 0 && rng.IntN(2) == 0) {
			n := min(len(server), 1+rng.IntN(70000))
			c.fromServer(server[:n])
			server = server[n:]
		} else {
			n := min(len(stored), 1+rng.IntN(70000))
			c.fromStored(stored[:n])
			stored = stored[n:]
		}
	}
}

// TestLosslessCheck compares losslessCheck and the piped SHA-256 of the
// server's bytes with their definitions: the stored bytes put back to
// CRLF equal the server's bytes, and SHA-256 of everything the server
// sent. The stored bytes come from the raw policy with each line
// separator, and from edits of them (a byte changed, a byte dropped, a
// header added, bytes appended); the window is large (compare only) or
// small (the fallback to hashing).
func TestLosslessCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	pipe := newHashPipe()
	defer pipe.close()
	var c losslessCheck
	edits := []struct {
		name string
		edit func(b []byte) []byte
	}{
		{"policy output", func(b []byte) []byte { return b }},
		{"one byte changed", func(b []byte) []byte {
			if len(b) > 0 {
				b[rng.IntN(len(b))] ^= 0x20
			}
			return b
		}},
		{"one byte dropped", func(b []byte) []byte {
			if len(b) == 0 {
				return b
			}
			i := rng.IntN(len(b))
			return append(b[:i:i], b[i+1:]...)
		}},
		{"header added", func(b []byte) []byte { return append([]byte("X-Added: 1\n"), b...) }},
		{"bytes appended", func(b []byte) []byte { return append(b, "tail"...) }},
	}
	for i := range 300 {
		size := rng.IntN(4000)
		if i%10 == 0 {
			size = 200000 + rng.IntN(300000)
		}
		server := randomMessage(rng, size)
		linesep := []string{"\n", "\r\n", "\r"}[rng.IntN(3)]
		pol, err := policy.ParseSpec("raw,linesep="+map[string]string{"\n": "lf", "\r\n": "crlf", "\r": "cr"}[linesep], nil)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := pol.Write(&out, bytes.NewReader(server)); err != nil {
			t.Fatal(err)
		}
		ed := edits[rng.IntN(len(edits))]
		stored := ed.edit(out.Bytes())
		want := bytes.Equal(toCRLF(nil, stored, linesep), server)
		sum := sha256.Sum256(server)
		wantSum := hex.EncodeToString(sum[:])
		for _, window := range []int{losslessWindow, 1 + rng.IntN(5000)} {
			h := pipe.newHash()
			c.reset(linesep, h)
			c.window = window
			feedInterleaved(rng, &c, server, stored)
			if got := c.finish(); got != want {
				t.Errorf("message %d (%d bytes, linesep %q, %s, window %d): lossless = %v, want %v", i, len(server), linesep, ed.name, window, got, want)
			}
			if got := h.sum(); got != wantSum {
				t.Errorf("message %d (%s, window %d): server SHA-256 = %s, want %s", i, ed.name, window, got, wantSum)
			}
		}
	}
}

// TestPipedHashSizes checks the piped SHA-256 against crypto/sha256 at
// sizes around its chunk size, written in pieces of every size class.
func TestPipedHashSizes(t *testing.T) {
	pipe := newHashPipe()
	defer pipe.close()
	rng := rand.New(rand.NewPCG(3, 5))
	for _, size := range []int{0, 1, hashChunk - 1, hashChunk, hashChunk + 1, 3*hashChunk + 17, (hashQueue + 3) * hashChunk} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		h := pipe.newHash()
		for p := data; len(p) > 0; {
			n := min(len(p), 1+rng.IntN(2*hashChunk))
			h.Write(p[:n])
			p = p[n:]
		}
		sum := sha256.Sum256(data)
		if got, want := h.sum(), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("size %d: sum = %s, want %s", size, got, want)
		}
	}
}

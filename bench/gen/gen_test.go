package gen

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/mail"
	"testing"
	"unicode/utf8"
)

func TestSpecsDeterministicAndMixed(t *testing.T) {
	a, b := Specs(1, 2000, Realistic), Specs(1, 2000, Realistic)
	counts := map[Kind]int{}
	total := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("Specs(1)[%d] = %+v, then %+v", i, a[i], b[i])
		}
		counts[a[i].Kind]++
		total += a[i].Size
		bounds := map[Kind][2]int{Text: {2 << 10, 20 << 10}, Attachment: {100 << 10, 2 << 20}, Huge: {2 << 20, 20 << 20}}[a[i].Kind]
		lo, hi := bounds[0], bounds[1]
		if a[i].Size < lo || a[i].Size > hi {
			t.Errorf("spec %+v: size outside [%d, %d]", a[i], lo, hi)
		}
	}
	if counts[Text] < 1700 || counts[Attachment] < 150 || counts[Huge] == 0 {
		t.Errorf("mix of 2000 = %v, want mostly text, ~10%% attachments, a few huge", counts)
	}
	if mean := total / 2000; mean < 60<<10 || mean > 140<<10 {
		t.Errorf("mean size %d, want about 96 KB", mean)
	}
}

// TestWriteDeterministicParsable checks that a message is the same bytes
// every time, about its spec's size, and a message that net/mail parses.
func TestWriteDeterministicParsable(t *testing.T) {
	for _, spec := range []Spec{{Index: 3, Kind: Text, Size: 5000}, {Index: 7, Kind: Attachment, Size: 300 << 10}} {
		var one, two bytes.Buffer
		n, lines, err := Write(&one, 42, spec)
		if err != nil {
			t.Fatal(err)
		}
		Write(&two, 42, spec)
		if sha256.Sum256(one.Bytes()) != sha256.Sum256(two.Bytes()) {
			t.Fatalf("Write(%+v) differs between calls", spec)
		}
		if n != int64(one.Len()) || lines != int64(bytes.Count(one.Bytes(), []byte("\n"))) {
			t.Errorf("Write(%+v) = %d bytes %d lines, buffer has %d bytes", spec, n, lines, one.Len())
		}
		if d := n - int64(spec.Size); d < -2000 || d > 2000 {
			t.Errorf("Write(%+v) wrote %d bytes, want about %d", spec, n, spec.Size)
		}
		if !utf8.Valid(one.Bytes()) {
			t.Errorf("Write(%+v): not UTF-8", spec)
		}
		m, err := mail.ReadMessage(bytes.NewReader(one.Bytes()))
		if err != nil {
			t.Fatalf("Write(%+v): net/mail: %v", spec, err)
		}
		if m.Header.Get("Subject") == "" || m.Header.Get("Message-Id") == "" {
			t.Errorf("Write(%+v): header %v", spec, m.Header)
		}
		io.Copy(io.Discard, m.Body)
		for _, l := range bytes.Split(one.Bytes(), []byte("\n")) {
			if len(l) > 998 {
				t.Errorf("Write(%+v): line of %d bytes", spec, len(l))
			}
		}
	}
}

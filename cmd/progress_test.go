package cmd

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressMeterLine(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newProgressMeter(&buf, true, 4)
	p.now = func() time.Time { return clock }
	p.start = clock
	clock = clock.Add(2 * time.Second)
	p.add(1 << 20)
	// 1 MiB in 2 s; 3 more messages at 2 s each.
	if got, want := p.line(clock), "1/4 messages, 1.0 MiB, 512.0 KiB/s, ETA 6s"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
	p.finish()
	if !strings.HasSuffix(buf.String(), "\n") || !strings.Contains(buf.String(), "\r\033[K") {
		t.Errorf("drawn %q", buf.String())
	}
	var quiet bytes.Buffer
	q := newProgressMeter(&quiet, false, 1)
	q.add(10)
	q.finish()
	if quiet.Len() != 0 {
		t.Errorf("disabled meter drew %q", quiet.String())
	}
}

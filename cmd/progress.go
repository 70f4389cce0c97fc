package cmd

import (
	"fmt"
	"io"
	"time"
)

// progressMeter draws "count/total, bytes, rate, ETA" on one terminal line
// of stderr. It draws nothing unless enabled, which callers set only when
// stderr is a terminal and --quiet is off.
type progressMeter struct {
	w       io.Writer
	enabled bool
	total   int
	now     func() time.Time

	count    int
	bytes    int64
	start    time.Time
	lastDraw time.Time
}

func newProgressMeter(w io.Writer, enabled bool, total int) *progressMeter {
	p := &progressMeter{w: w, enabled: enabled, total: total, now: time.Now}
	p.start = p.now()
	return p
}

// add counts one finished message of size bytes and redraws at most ten
// times a second.
func (p *progressMeter) add(size int64) {
	p.count++
	p.bytes += size
	if !p.enabled {
		return
	}
	if t := p.now(); t.Sub(p.lastDraw) >= 100*time.Millisecond || p.count == p.total {
		p.lastDraw = t
		fmt.Fprintf(p.w, "\r\033[K%s", p.line(t))
	}
}

// line formats the current state.
func (p *progressMeter) line(t time.Time) string {
	elapsed := t.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.bytes) / elapsed
	}
	s := fmt.Sprintf("%d", p.count)
	if p.total > 0 {
		s += fmt.Sprintf("/%d", p.total)
	}
	s += fmt.Sprintf(" messages, %s, %s/s", formatBytes(float64(p.bytes)), formatBytes(rate))
	if p.total > 0 && p.count > 0 && p.count < p.total && elapsed > 0 {
		eta := time.Duration(elapsed / float64(p.count) * float64(p.total-p.count) * float64(time.Second))
		s += ", ETA " + eta.Round(time.Second).String()
	}
	return s
}

// finish ends the progress line.
func (p *progressMeter) finish() {
	if p.enabled && p.count > 0 {
		fmt.Fprintf(p.w, "\r\033[K%s\n", p.line(p.now()))
	}
}

// formatBytes renders n bytes with a binary unit.
func formatBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f %s", n, units[i])
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}

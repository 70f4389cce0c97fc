package output

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// countingWriter counts the Write calls that reach the stream.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

// An mboxrd stream of many short lines reaches the stream in a few large
// writes, not one per line, and each message is whole in the stream as
// soon as Put returns (before Close), e.g. for "| head".
func TestWriterSinkBuffersAndFlushesEachMessage(t *testing.T) {
	var out countingWriter
	sink := NewWriterSink(&out, WriterMboxrd)
	// RFC 4155 mboxrd: ">From " in the body is quoted with one more '>'.
	body := "Subject: lines\n\n" + strings.Repeat("From here\nline\n", 5000)
	date := time.Date(2024, 3, 5, 8, 11, 12, 0, time.UTC)
	for i := 0; i < 2; i++ {
		before := out.Len()
		st, err := sink.Put(context.Background(), Message{InternalDate: date}, func(w io.Writer) error {
			_, err := io.WriteString(w, body)
			return err
		})
		if err != nil || !st.Committed {
			t.Fatalf("Put = %+v, %v", st, err)
		}
		want := "From MAILER-DAEMON Tue Mar  5 08:11:12 2024\n" +
			strings.ReplaceAll(body, "From here", ">From here") + "\n"
		if got := out.String()[before:]; got != want {
			t.Fatalf("message %d in the stream after Put: %d bytes, want %d", i, len(got), len(want))
		}
	}
	// 2 × ~80 KB: a handful of 64 KiB writes, where a write per line
	// would be 20,000.
	if out.writes > 8 {
		t.Errorf("%d writes for %d bytes, want at most 8", out.writes, out.Len())
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
}

// A single raw message is whole in the stream when Put returns.
func TestWriterSinkRawFlushedByPut(t *testing.T) {
	var out countingWriter
	sink := NewWriterSink(&out, WriterRaw)
	msg := strings.Repeat("x\r\n", 1000)
	if _, err := sink.Put(context.Background(), Message{}, func(w io.Writer) error {
		for _, line := range strings.SplitAfter(msg, "\n") {
			if _, err := io.WriteString(w, line); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if out.String() != msg || out.writes != 1 {
		t.Errorf("stream %d bytes in %d writes, want %d bytes in 1", out.Len(), out.writes, len(msg))
	}
}

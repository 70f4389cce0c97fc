package main

import (
	"testing"
	"time"
)

// TestTraceFlights reads a trace in imapctl's --debug 4 format: pipelined
// commands sent before any answer are one flight.
func TestTraceFlights(t *testing.T) {
	trace := `imap: S: * OK [CAPABILITY IMAP4rev1] ready.
imap: greeting: * OK [CAPABILITY IMAP4rev1] ready.
imap: C: A0 LOGIN bench ***
imap: S: A0 OK Logged in
imap: C: A1 LIST "" *
imap: S: * LIST () "/" INBOX
imap: S: A1 OK done
imap: C: A2 STATUS INBOX (MESSAGES)
imap: C: A3 STATUS Sent (MESSAGES)
imap: S: * STATUS INBOX (MESSAGES 1)
imap: S: A2 OK done
imap: S: * STATUS Sent (MESSAGES 0)
imap: S: A3 OK done
imap: C: A4 LOGOUT
`
	commands, flights := traceFlights([]byte(trace))
	if commands != 5 || flights != 4 {
		t.Errorf("traceFlights = %d commands, %d flights; want 5, 4", commands, flights)
	}
}

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median(3, 1, 2) = %v, want 2", got)
	}
}

package backup

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// retainedHeap backs up n small messages from go-imap's in-memory server
// into a fresh Maildir, then adds one message and backs up again (the
// incremental run reads the manifest of n messages). It returns the heap
// in use at the end of each mailbox sync (after a GC), minus the heap in
// use before the run: what the run keeps per mailbox.
//
// It also logs the largest heap in use seen by sampling during each run
// (garbage included: what the process's RSS follows). Last, it verifies
// the backup and returns the live heap halfway through Verify's FETCH
// above the live heap before it.
func retainedHeap(t *testing.T, n int) (first, second, verify uint64) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	c := client(t, acct)
	for i := range n {
		msg := fmt.Sprintf("From: a@example.org\r\nSubject: m%d\r\nMessage-ID: <m%d@example.org>\r\n\r\nbody %d\r\n", i, i, i)
		if _, err := c.Append(context.Background(), "INBOX", int64(len(msg)), strings.NewReader(msg), &imap.AppendOptions{Flags: []string{`\Seen`}}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	measure := func() uint64 {
		var base, peak runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&base)
		opts := Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}}
		opts.crashPoint = func(step string) {
			if step == "before state" {
				runtime.GC()
				runtime.ReadMemStats(&peak)
			}
		}
		stop, sampled := make(chan struct{}), make(chan uint64)
		go func() {
			var most uint64
			var ms runtime.MemStats
			tick := time.NewTicker(2 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				most = max(most, ms.HeapInuse)
				select {
				case <-stop:
					sampled <- most
					return
				case <-tick.C:
				}
			}
		}()
		runBackup(t, opts)
		close(stop)
		t.Logf("N=%d: largest heap in use sampled during the run: %d KiB above the start", n, (max(<-sampled, base.HeapInuse)-base.HeapInuse)>>10)
		if peak.HeapInuse == 0 {
			t.Fatal("the mailbox was not synced")
		}
		return max(peak.HeapInuse, base.HeapInuse) - base.HeapInuse
	}
	first = measure()
	appendMessage(t, acct, "INBOX", "one-more")
	second = measure()
	// Verify: the live heap halfway through the server's messages (a GC
	// there, while Verify waits), above the live heap before it.
	var base, mid runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	vopts := VerifyOptions{Dir: dir, Account: acct, compared: func(k int) {
		if k == n/2 {
			runtime.GC()
			runtime.ReadMemStats(&mid)
		}
	}}
	rep, err := Verify(context.Background(), c, vopts)
	if err != nil || !rep.Matches() || rep.Messages < n || mid.HeapAlloc == 0 {
		t.Fatalf("verify: %v, %+v", err, rep)
	}
	verify = max(mid.HeapAlloc, base.HeapAlloc) - base.HeapAlloc
	return first, second, verify
}

// TestBackupHeapPerMessage checks that the state a backup keeps while it
// syncs a mailbox, and Verify's, grow by little per message (the bench's 100,000-message
// mailbox must stay within 32 MiB of RSS, issue 7).
func TestBackupHeapPerMessage(t *testing.T) {
	sizes := []int{2000, 20000}
	if testing.Short() {
		sizes = []int{2000}
	}
	var firsts, seconds, verifies []uint64
	for _, n := range sizes {
		first, second, verify := retainedHeap(t, n)
		t.Logf("N=%d: heap in use at the end of the sync: first run %d KiB (%d B/message), incremental run %d KiB (%d B/message); live heap during verify %d KiB",
			n, first>>10, first/uint64(n), second>>10, second/uint64(n), verify>>10)
		firsts, seconds, verifies = append(firsts, first), append(seconds, second), append(verifies, verify)
	}
	if len(sizes) < 2 {
		return
	}
	// The growth from the small to the large mailbox, per message: fixed
	// costs (buffers, connections) cancel out.
	extra := uint64(sizes[1] - sizes[0])
	for i, h := range [][]uint64{firsts, seconds} {
		perMessage := uint64(0)
		if h[1] > h[0] {
			perMessage = (h[1] - h[0]) / extra
		}
		t.Logf("run %d: %d B per additional message", i+1, perMessage)
		if perMessage > 100 {
			t.Errorf("run %d keeps %d B per message while it syncs, want at most 100", i+1, perMessage)
		}
	}
	// Verify keeps about 60 bytes per message (the manifest index); whole
	// manifest entries in a map took over 500.
	perMessage := uint64(0)
	if verifies[1] > verifies[0] {
		perMessage = (verifies[1] - verifies[0]) / extra
	}
	t.Logf("verify: %d B per additional message", perMessage)
	if perMessage > 150 {
		t.Errorf("verify keeps %d B per message, want at most 150", perMessage)
	}
}

// seqUIDs answers as a map does, whatever the order of the pairs.
func TestSeqUIDsMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for round := range 200 {
		var m seqUIDs
		want := map[uint32]uint32{}
		seq, uid := uint32(1), uint32(1+rng.IntN(5))
		for range rng.IntN(300) {
			switch rng.IntN(10) {
			case 0: // out of order
				s := uint32(1 + rng.IntN(int(seq)))
				u := uint32(1 + rng.IntN(1000))
				m.set(s, u)
				want[s] = u
				continue
			case 1: // a gap in the UIDs
				uid += uint32(1 + rng.IntN(50))
			case 2: // a gap in the sequence numbers (messages without body)
				seq += uint32(1 + rng.IntN(3))
			}
			m.set(seq, uid)
			want[seq] = uid
			seq, uid = seq+1, uid+1
		}
		for s := uint32(0); s <= seq+2; s++ {
			if got := m.get(s); got != want[s] {
				t.Fatalf("round %d: get(%d) = %d, want %d", round, s, got, want[s])
			}
		}
	}
}

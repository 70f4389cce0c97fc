package imap

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
)

// TestDovecotConcurrentFetches: Dovecot runs pipelined FETCH commands in
// parallel and sends their untagged responses before any completion.
// Four goroutines fetching different UID ranges on one client at once
// must each get exactly their own messages, byte for byte as appended.
func TestDovecotConcurrentFetches(t *testing.T) {
	t.Parallel()
	srv := sharedDovecot.Get(t)
	u := srv.NewUser(t)
	ctx := testContext(t)
	var trace syncBuffer
	c, err := Dial(ctx, srv.PlainAddr(), Options{TLS: TLSStartTLS, TLSConfig: srv.ClientTLSConfig(), Timeout: testTimeout, Debug: 3, DebugWriter: &trace})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, u.Name, u.Password); err != nil {
		t.Fatal(err)
	}
	const workers, perWorker = 4, 8
	var msgs [][]byte
	for i := range workers * perWorker {
		// Sizes differ (a few bytes to ~200 KiB) so that the answers
		// overlap in time.
		body := strings.Repeat(fmt.Sprintf("line %d of message %d\r\n", i, i), 1+(i%5)*2000)
		msgs = append(msgs, []byte(fmt.Sprintf("From: a@example.org\r\nTo: b@example.org\r\nSubject: message %d\r\nMessage-ID: <%d@example.org>\r\n\r\n%s", i, i, body)))
	}
	uids := setupMailbox(t, c, "Concurrent", msgs)
	byUID := map[uint32][]byte{}
	for i, u := range uids {
		byUID[u] = msgs[i]
	}

	type result struct {
		bodies map[uint32][]byte
		err    error
	}
	results := make([]result, workers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			set := UIDSetNum(uids[w*perWorker : (w+1)*perWorker]...)
			// First the flags: Dovecot answers such FETCHes in parallel
			// (all untagged responses before the first OK), then the
			// bodies.
			flagged := map[uint32]bool{}
			err := c.Fetch(ctx, set, &FetchOptions{UID: true, Flags: true}, func(m *FetchMessage) error {
				if flagged[m.UID] || m.Flags == nil {
					return fmt.Errorf("UID %d delivered twice or without FLAGS", m.UID)
				}
				flagged[m.UID] = true
				return nil
			})
			if err == nil && len(flagged) != perWorker {
				err = fmt.Errorf("FETCH FLAGS got %d messages, want %d", len(flagged), perWorker)
			}
			for u := range flagged {
				if !set.Contains(u) {
					err = fmt.Errorf("FETCH FLAGS got UID %d, not in %v", u, set)
				}
			}
			if err != nil {
				results[w] = result{nil, err}
				return
			}
			got := map[uint32][]byte{}
			err = c.Fetch(ctx, set, &FetchOptions{UID: true, RFC822Size: true, BodySections: []BodySection{{Peek: true}}},
				func(m *FetchMessage) error {
					b, err := m.NextBody()
					if err != nil || b == nil {
						return fmt.Errorf("UID %d: no body (%v)", m.UID, err)
					}
					data, err := io.ReadAll(b)
					if err != nil {
						return err
					}
					if _, dup := got[m.UID]; dup {
						return fmt.Errorf("UID %d delivered twice", m.UID)
					}
					got[m.UID] = data
					return nil
				})
			results[w] = result{got, err}
		}()
	}
	close(start)
	wg.Wait()
	for w, r := range results {
		want := uids[w*perWorker : (w+1)*perWorker]
		if r.err != nil {
			t.Errorf("worker %d: Fetch = %v", w, r.err)
		}
		if len(r.bodies) != len(want) {
			t.Errorf("worker %d: got %d messages, want %d (UIDs %v)", w, len(r.bodies), len(want), want)
		}
		for _, u := range want {
			if !bytes.Equal(r.bodies[u], byUID[u]) {
				t.Errorf("worker %d: UID %d: %d bytes, want the %d appended", w, u, len(r.bodies[u]), len(byUID[u]))
			}
		}
	}
	if t.Failed() {
		t.Logf("trace:\n%s", trace.String())
	} else {
		t.Logf("%d waits before sending", strings.Count(trace.String(), " waits for "))
	}
}

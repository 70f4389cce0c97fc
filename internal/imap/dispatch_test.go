package imap

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap/imaptest"
)

// waitWatcher is a debug trace writer that reports when a command had to
// wait before being sent (the level-3 trace line "... waits for ...").
type waitWatcher struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	waits   chan string // one line per wait, never blocking the client
	written []string
}

func newWaitWatcher() *waitWatcher { return &waitWatcher{waits: make(chan string, 64)} }

func (w *waitWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			break
		}
		w.written = append(w.written, line)
		if strings.Contains(line, " waits for ") {
			select {
			case w.waits <- strings.TrimSpace(line):
			default:
			}
		}
	}
	return len(p), nil
}

// await waits for a trace line reporting a wait that contains want.
func (w *waitWatcher) await(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case line := <-w.waits:
			if strings.Contains(line, want) {
				return
			}
		case <-timeout:
			t.Fatalf("no trace line %q", want)
		}
	}
}

// lineReader delivers the client's command lines as they arrive.
func lineReader(conn net.Conn) <-chan string {
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		br := bufio.NewReader(conn)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			lines <- strings.TrimRight(l, "\r\n")
		}
	}()
	return lines
}

func recvLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Error("client closed the connection")
		}
		return l
	case <-time.After(10 * time.Second):
		t.Error("no command from the client (it did not pipeline)")
		return ""
	}
}

func fakeMessage(uid uint32) string {
	return fmt.Sprintf("Subject: message %d\r\n\r\nbody of %d\r\n", uid, uid)
}

// TestTranscriptConcurrentFetchesNotInterleaved plays a server that runs
// pipelined FETCH commands in parallel and interleaves their untagged
// responses, as Dovecot does ("A6 FETCH", "A7 FETCH", "* 1 FETCH", ...,
// "* 1 FETCH", ..., "A6 OK", "A7 OK"). Untagged FETCH responses carry no
// tag, so the client must not let two FETCHes be in flight (RFC 3501
// §5.5): the second Fetch waits until the first completed, and each gets
// exactly its own messages.
func TestTranscriptConcurrentFetchesNotInterleaved(t *testing.T) {
	watch := newWaitWatcher()
	firstSent := make(chan struct{})
	var (
		logMu sync.Mutex
		log   []string
	)
	record := func(s string) {
		logMu.Lock()
		log = append(log, s)
		logMu.Unlock()
	}
	respond := func(conn net.Conn, cmd string) (tag string, uids []uint32) {
		// "A0 UID FETCH 1:2 (UID BODY.PEEK[])"
		f := strings.Fields(cmd)
		if len(f) < 5 || f[1] != "UID" || f[2] != "FETCH" {
			t.Errorf("unexpected command %q", cmd)
			return "", nil
		}
		lo, hi, _ := strings.Cut(f[3], ":")
		a, _ := strconv.Atoi(lo)
		b, _ := strconv.Atoi(hi)
		for u := a; u <= b; u++ {
			uids = append(uids, uint32(u))
		}
		return f[0], uids
	}
	untagged := func(uid uint32) string {
		m := fakeMessage(uid)
		return fmt.Sprintf("* %d FETCH (UID %d BODY[] {%d}\r\n%s)\r\n", uid, uid, len(m), m)
	}
	addr := imaptest.ServeFunc(t, func(conn net.Conn) {
		io.WriteString(conn, "* OK [CAPABILITY IMAP4rev1 UIDPLUS] ready\r\n")
		lines := lineReader(conn)
		first := recvLine(t, lines)
		record("C: " + first)
		close(firstSent)
		tag1, uids1 := respond(conn, first)
		select {
		case second := <-lines:
			// Both in flight: answer like Dovecot, interleaved.
			record("C: " + second)
			tag2, uids2 := respond(conn, second)
			for i := range max(len(uids1), len(uids2)) {
				if i < len(uids1) {
					io.WriteString(conn, untagged(uids1[i]))
				}
				if i < len(uids2) {
					io.WriteString(conn, untagged(uids2[i]))
				}
			}
			record("S: " + tag1 + " OK")
			record("S: " + tag2 + " OK")
			io.WriteString(conn, tag1+" OK done\r\n")
			io.WriteString(conn, tag2+" OK done\r\n")
		case <-watch.waits:
			// The second Fetch is waiting, unsent: answer the first.
			for _, u := range uids1 {
				io.WriteString(conn, untagged(u))
			}
			record("S: " + tag1 + " OK")
			io.WriteString(conn, tag1+" OK done\r\n")
			second := recvLine(t, lines)
			record("C: " + second)
			tag2, uids2 := respond(conn, second)
			for _, u := range uids2 {
				io.WriteString(conn, untagged(u))
			}
			record("S: " + tag2 + " OK")
			io.WriteString(conn, tag2+" OK done\r\n")
		case <-time.After(10 * time.Second):
			t.Error("the second Fetch was neither sent nor waiting")
		}
		for range lines { // until the client hangs up
		}
	})
	c, err := Dial(ctx, addr, Options{TLS: TLSNone, Tags: NewTagGeneratorWithPrefix("A"), Debug: 3, DebugWriter: watch})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	fetch := func(set NumSet) (map[uint32]string, error) {
		got := map[uint32]string{}
		err := c.Fetch(ctx, set, &FetchOptions{UID: true, BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
			b, err := m.NextBody()
			if err != nil || b == nil {
				return fmt.Errorf("UID %d: no body (%v)", m.UID, err)
			}
			data, err := io.ReadAll(b)
			got[m.UID] = string(data)
			return err
		})
		return got, err
	}
	results := make([]map[uint32]string, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		results[0], errs[0] = fetch(UIDSetNum(1, 2))
	}()
	<-firstSent
	go func() {
		defer wg.Done()
		results[1], errs[1] = fetch(UIDSetNum(3, 4))
	}()
	wg.Wait()
	for i, want := range [][]uint32{{1, 2}, {3, 4}} {
		if errs[i] != nil {
			t.Errorf("Fetch #%d = %v", i+1, errs[i])
		}
		if len(results[i]) != len(want) {
			t.Errorf("Fetch #%d got UIDs %v, want %v", i+1, keys(results[i]), want)
		}
		for _, u := range want {
			if results[i][u] != fakeMessage(u) {
				t.Errorf("Fetch #%d: UID %d body %q, want %q", i+1, u, results[i][u], fakeMessage(u))
			}
		}
	}
	c.Close()
	logMu.Lock()
	defer logMu.Unlock()
	want := []string{
		"C: A0 UID FETCH 1:2 (UID BODY.PEEK[])",
		"S: A0 OK",
		"C: A1 UID FETCH 3:4 (UID BODY.PEEK[])",
		"S: A1 OK",
	}
	if !slices.Equal(log, want) {
		t.Errorf("conversation:\n%s\nwant (the second FETCH sent only after the first completed):\n%s",
			strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

func keys(m map[uint32]string) []uint32 {
	var out []uint32
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestTranscriptStatusAndESearchPipeline: STATUS responses name their
// mailbox and ESEARCH responses their command's tag (RFC 4731), so many
// of them are in flight at once. The server reads every command before it
// answers any: a client that waited for a completion would never get one.
func TestTranscriptStatusAndESearchPipeline(t *testing.T) {
	const nStatus, nSearch = 8, 2
	addr := imaptest.ServeFunc(t, func(conn net.Conn) {
		io.WriteString(conn, "* OK [CAPABILITY IMAP4rev1 ESEARCH] ready\r\n")
		lines := lineReader(conn)
		var cmds []string
		for range nStatus + nSearch {
			cmds = append(cmds, recvLine(t, lines))
		}
		// Answer in reverse order, untagged data first.
		for _, cmd := range slices.Backward(cmds) {
			f := strings.Fields(cmd)
			if len(f) < 3 {
				t.Errorf("unexpected command %q", cmd)
				return
			}
			switch f[1] {
			case "STATUS":
				n := strings.TrimPrefix(f[2], "box")
				io.WriteString(conn, "* STATUS "+f[2]+" (MESSAGES "+n+")\r\n")
			case "UID":
				io.WriteString(conn, `* ESEARCH (TAG "`+f[0]+`") UID COUNT `+strconv.Itoa(len(f[0]))+"\r\n")
			}
		}
		for _, cmd := range slices.Backward(cmds) {
			io.WriteString(conn, strings.Fields(cmd)[0]+" OK done\r\n")
		}
		for range lines { // until the client hangs up
		}
	})
	c, err := Dial(ctx, addr, Options{TLS: TLSNone, Tags: NewTagGeneratorWithPrefix("A")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, nStatus+nSearch)
	for i := range nStatus {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "box" + strconv.Itoa(i)
			st, err := c.Status(ctx, name, []string{"MESSAGES"})
			if err != nil || st.Name != name || st.Messages != uint32(i) {
				errs <- fmt.Errorf("Status(%s) = %+v, %v", name, st, err)
			}
		}()
	}
	for range nSearch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Search(ctx, &SearchCriteria{}, &SearchOptions{UID: true, Return: []string{"COUNT"}})
			// The fake server answers COUNT = the length of the tag.
			if err != nil || res.Count != 2 {
				errs <- fmt.Errorf("Search = %+v, %v", res, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestTranscriptListStatusFallbackPipelinesMany: List's STATUS fallback
// sends every STATUS before the first completes (the script reads all six
// before answering), and a second STATUS of the same mailbox would wait.
func TestTranscriptListStatusFallbackPipelinesMany(t *testing.T) {
	script := greeting + "C: A0 LIST \"\" *\n"
	for i := range 6 {
		script += fmt.Sprintf("S: * LIST () \"/\" m%d\n", i)
	}
	script += "S: A0 OK done\n"
	for i := range 6 {
		script += fmt.Sprintf("C: A%d STATUS m%d (MESSAGES)\n", i+1, i)
	}
	for i := range 6 {
		script += fmt.Sprintf("S: * STATUS m%d (MESSAGES %d)\nS: A%d OK done\n", i, 10+i, i+1)
	}
	c := dialScript(t, script)
	list, err := c.List(ctx, "", "*", &ListOptions{Status: []string{"MESSAGES"}})
	if err != nil || len(list) != 6 {
		t.Fatalf("List = %v, %v", list, err)
	}
	for i, m := range list {
		if m.Status == nil || m.Status.Messages != uint32(10+i) {
			t.Errorf("%s: status %+v", m.Name, m.Status)
		}
	}
}

// TestTranscriptWaitingCommandCancelled: a command waiting to be sent has
// sent nothing, so cancelling it returns ctx.Err() and the connection
// stays usable; an abort while waiting fails it with the abort's error.
func TestTranscriptWaitingCommandCancelled(t *testing.T) {
	watch := newWaitWatcher()
	firstSent, release := make(chan struct{}), make(chan struct{})
	secondSent, bye := make(chan struct{}), make(chan struct{})
	addr := imaptest.ServeFunc(t, func(conn net.Conn) {
		if !imaptest.Play(t, conn, greeting+"C: A0 FETCH 1 (FLAGS)\n") {
			return
		}
		close(firstSent)
		<-release
		if !imaptest.Play(t, conn, `S: * 1 FETCH (FLAGS (\Seen))
S: A0 OK done
C: A1 NOOP
S: A1 OK done
C: A2 FETCH 1 (UID)
`) {
			return
		}
		close(secondSent)
		<-bye
		imaptest.Play(t, conn, "S: * BYE going away\n")
	})
	c, err := Dial(ctx, addr, Options{TLS: TLSNone, Tags: NewTagGeneratorWithPrefix("A"), Debug: 3, DebugWriter: watch})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fetchDone := make(chan error, 1)
	go func() {
		fetchDone <- c.Fetch(ctx, SeqSetNum(1), &FetchOptions{Flags: true}, nil)
	}()
	waitFor(t, firstSent)
	cctx, cancel := context.WithCancel(ctx)
	storeDone := make(chan error, 1)
	go func() {
		// STORE answers with FETCH too: it waits for the FETCH.
		_, err := c.Store(cctx, SeqSetNum(1), StoreAdd, []string{`\Seen`}, nil)
		storeDone <- err
	}()
	watch.await(t, "STORE waits for A0 FETCH")
	cancel()
	if err := <-storeDone; !errors.Is(err, context.Canceled) || errors.As(err, new(*AbortError)) {
		t.Errorf("cancelled waiting Store = %v, want context.Canceled without abort", err)
	}
	close(release)
	if err := <-fetchDone; err != nil {
		t.Errorf("Fetch = %v", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop after a cancelled waiting command = %v", err)
	}
	// The server hangs up during A2: the command waiting for it fails
	// with the abort.
	go func() {
		fetchDone <- c.Fetch(ctx, SeqSetNum(1), &FetchOptions{UID: true}, nil)
	}()
	waitFor(t, secondSent)
	go func() {
		_, err := c.Store(ctx, SeqSetNum(1), StoreAdd, []string{`\Seen`}, nil)
		storeDone <- err
	}()
	watch.await(t, "STORE waits for A2 FETCH")
	close(bye)
	var ae *AbortError
	if err := <-fetchDone; !errors.As(err, &ae) || ae.Bye != "going away" {
		t.Errorf("Fetch during BYE = %v, want *AbortError with the BYE", err)
	}
	if err := <-storeDone; !errors.As(err, &ae) {
		t.Errorf("waiting Store during BYE = %v, want *AbortError", err)
	}
}

// waitFor waits for the fake server to reach a step; a broken
// conversation fails the test instead of hanging it.
func waitFor(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(15 * time.Second):
		t.Fatal("the conversation did not reach the expected step")
	}
}

// TestDispatchRules checks which command waits for which (RFC 3501 §5.5,
// §7.4.1; RFC 4731 §3.1 for ESEARCH).
func TestDispatchRules(t *testing.T) {
	mk := func(name, key string, want ...string) *command {
		cmd := (&Client{}).newCommand(name, want...)
		cmd.key = key
		cmd.class = classify(cmd)
		return cmd
	}
	cmds := map[string]*command{
		"UID FETCH":         mk("UID FETCH", "", "FETCH"),
		"FETCH":             mk("FETCH", "", "FETCH"),
		"STORE":             mk("STORE", "", "FETCH"),
		"UID STORE":         mk("UID STORE", "", "FETCH"),
		"SEARCH":            mk("SEARCH", "", "SEARCH", "ESEARCH"),
		"UID SEARCH RETURN": mk("UID SEARCH", "", "ESEARCH"),
		"STATUS a":          mk("STATUS", "a", "STATUS"),
		"STATUS b":          mk("STATUS", "b", "STATUS"),
		"STATUS INBOX":      mk("STATUS", "INBOX", "STATUS"),
		"STATUS inbox":      mk("STATUS", "inbox", "STATUS"),
		"LIST":              mk("LIST", "", "LIST"),
		"LIST RETURN":       mk("LIST", "", "LIST", "STATUS"),
		"SELECT":            mk("SELECT", "", "FLAGS", "EXISTS", "RECENT", "OK", "VANISHED"),
		"CLOSE":             mk("CLOSE", ""),
		"NOOP":              mk("NOOP", ""),
		"APPEND":            mk("APPEND", ""),
		"EXPUNGE":           mk("EXPUNGE", "", "EXPUNGE", "VANISHED"),
		"UID COPY":          mk("UID COPY", ""),
		"UID MOVE":          mk("UID MOVE", "", "OK"),
		"GETACL":            mk("GETACL", "", "ACL"),
		"MYRIGHTS":          mk("MYRIGHTS", "", "MYRIGHTS"),
		"IDLE":              mk("IDLE", ""),
	}
	for _, tc := range []struct {
		earlier, later string
		wait           bool
	}{
		{"UID FETCH", "UID FETCH", true},
		{"FETCH", "UID STORE", true},
		{"UID STORE", "UID FETCH", true},
		{"STATUS a", "STATUS b", false},
		{"STATUS a", "STATUS a", true},
		{"STATUS INBOX", "STATUS inbox", true},
		{"LIST RETURN", "STATUS a", true},
		{"STATUS a", "LIST RETURN", true},
		{"LIST", "STATUS a", false},
		{"LIST", "LIST", true},
		{"UID SEARCH RETURN", "UID SEARCH RETURN", false},
		{"SEARCH", "SEARCH", true},
		{"UID FETCH", "UID SEARCH RETURN", false},
		{"UID FETCH", "SELECT", true},
		{"NOOP", "SELECT", true},
		{"SELECT", "NOOP", true},
		{"FETCH", "CLOSE", true},
		{"UID FETCH", "EXPUNGE", true},
		{"EXPUNGE", "UID FETCH", true},
		{"UID COPY", "UID MOVE", true},
		{"UID MOVE", "UID MOVE", true},
		{"NOOP", "FETCH", true},     // a sequence number after a possible EXPUNGE
		{"STATUS a", "FETCH", true}, // likewise
		{"UID FETCH", "SEARCH", true},
		{"FETCH", "SEARCH", false}, // no EXPUNGE during FETCH (RFC 3501 §7.4.1)
		{"NOOP", "UID FETCH", false},
		{"FETCH", "NOOP", false},
		{"UID FETCH", "STATUS a", false},
		{"APPEND", "APPEND", false},
		{"GETACL", "GETACL", true},
		{"GETACL", "MYRIGHTS", false},
		{"NOOP", "IDLE", true},
	} {
		e, l := cmds[tc.earlier], cmds[tc.later]
		if got := conflicts(&e.class, &l.class); got != tc.wait {
			t.Errorf("%s waits for %s = %v, want %v", tc.later, tc.earlier, got, tc.wait)
		}
	}
}

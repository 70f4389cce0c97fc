package cmd

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// signalWriter is a stderr that tells when a line containing want appears.
type signalWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	want  string
	ready chan struct{}
	once  sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.ready) })
	}
	return len(p), nil
}

func TestWatchUntilNew(t *testing.T) {
	s := startTestServer(t)
	ios, _, out, _ := Test()
	errOut := &signalWriter{want: "imapctl: watching Junk", ready: make(chan struct{})}
	ios.ErrOut = errOut
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) { v, ok := s.env[k]; return v, ok }
	done := make(chan int)
	go func() {
		// go-imap's server may miss a message appended just as IDLE starts;
		// the renewal's catch-up finds it. The limit only keeps a broken
		// test from hanging.
		done <- run(context.Background(), []string{"watch", "--renew", "200ms", "--until-new", "--limit", "60s", "Junk"}, f)
	}()
	select {
	case <-errOut.ready:
	case code := <-done:
		t.Fatalf("watch ended early with %d: %s", code, errOut.buf.String())
	}
	code, appended, errText := s.run(t, nil, "append", "Junk", "../testdata/corpus/dkimpy/test2.eml")
	if code != ExitOK {
		t.Fatalf("append = %d %q", code, errText)
	}
	if code := <-done; code != ExitOK {
		t.Fatalf("watch --until-new = %d, stderr %q", code, errOut.buf.String())
	}
	if got, want := out.String(), "new "+appended; got != want {
		t.Errorf("watch printed %q, want %q (the APPENDUID)", got, want)
	}
}

func TestWatchLimitExits6(t *testing.T) {
	s := startTestServer(t)
	code, out, errOut := s.run(t, nil, "watch", "--until-new", "--limit", "1ms", "Junk")
	if code != ExitPartial || out != "" || !strings.Contains(errOut, "no new message") {
		t.Errorf("watch --until-new --limit 1ms = %d, %q, %q; want 6", code, out, errOut)
	}
}

func TestWatchFlagParsing(t *testing.T) {
	ios, _, _, _ := Test()
	var got *WatchOptions
	cmd := NewWatchCmd(NewFactory(ios), func(o *WatchOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"INBOX", "--until-new", "--limit", "5m", "--poll", "10s"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Mailbox != "INBOX" || !got.UntilNew || got.Limit != 5*time.Minute || got.Poll != 10*time.Second || got.Renew >= 29*time.Minute {
		t.Errorf("watch options = %+v", got)
	}
}

func TestWatchPolls(t *testing.T) {
	s := startTestServer(t, memserver.Options{Minimal: true})
	ios, _, out, _ := Test()
	errOut := &signalWriter{want: "imapctl: watching Junk (NOOP", ready: make(chan struct{})}
	ios.ErrOut = errOut
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) { v, ok := s.env[k]; return v, ok }
	done := make(chan int)
	go func() {
		done <- run(context.Background(), []string{"watch", "--poll", "20ms", "--until-new", "--limit", "60s", "Junk"}, f)
	}()
	select {
	case <-errOut.ready:
	case code := <-done:
		t.Fatalf("watch ended early with %d: %s", code, errOut.buf.String())
	}
	_, appended, _ := s.run(t, nil, "append", "Junk", "../testdata/corpus/dkimpy/test2.eml")
	if code := <-done; code != ExitOK {
		t.Fatalf("watch --poll = %d, stderr %q", code, errOut.buf.String())
	}
	if appended == "" {
		appended = "1\n" // without UIDPLUS no APPENDUID; the first UID of an empty mailbox
	}
	if got := out.String(); got != "new "+appended {
		t.Errorf("watch printed %q, want %q", got, "new "+appended)
	}
}

package output

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashMessage is the deterministic content of message i of a crash run;
// some are large, so that a kill often lands in the middle of one.
func crashMessage(i int) string {
	lines := 40 * (i%7 + 1)
	if i%5 == 0 {
		lines = 3000
	}
	return fmt.Sprintf("Subject: %d\n\n", i) + strings.Repeat(fmt.Sprintf("line of %d\nFrom x\n", i), lines)
}

func crashIndex(t *testing.T, data string) int {
	t.Helper()
	first, _, _ := strings.Cut(data, "\n")
	i, err := strconv.Atoi(strings.TrimPrefix(first, "Subject: "))
	if err != nil {
		t.Fatalf("not a crash-test message: %.40q", data)
	}
	return i
}

// crashChild stores messages 1, 2, ... into dir forever, printing
// "<index> <End>" for each message once it is committed.
func crashChild(t *testing.T, kind, dir string) {
	ctx := context.Background()
	group := strings.HasSuffix(kind, "-group")
	var sink Sink
	switch strings.TrimSuffix(kind, "-group") {
	case "maildir":
		sink = NewMaildirSink(filepath.Join(dir, "maildir"), Options{GroupCommit: group})
	case "mbox":
		sink = NewMboxSink(filepath.Join(dir, "box"), MboxOptions{Options: Options{GroupCommit: group}})
	case "eml":
		sink = NewEMLSink(filepath.Join(dir, "eml"), NameTemplate{}, Options{GroupCommit: group})
	}
	index := map[string]int{}
	for i := 1; ; i++ {
		s, err := sink.Put(ctx, Message{UID: uint32(i)}, bytesWriter(crashMessage(i)))
		if err != nil {
			t.Fatal(err)
		}
		committed := []Stored{s}
		if group {
			index[fmt.Sprint(s.Offset, s.Path)] = i
			committed = nil
			if i%4 == 0 {
				if committed, err = sink.Flush(); err != nil {
					t.Fatal(err)
				}
			}
		}
		for n, c := range committed {
			at := i
			if group {
				at = i - len(committed) + 1 + n
			}
			fmt.Printf("%d %d\n", at, c.End)
		}
	}
}

// TestCrashAtRandomPoints kills a process storing messages with SIGKILL at
// seeded random points. Every message reported committed is there and
// whole; no partial message is visible outside tmp/ or temp files; an mbox
// is repaired by the next run given the last committed End.
func TestCrashAtRandomPoints(t *testing.T) {
	if spec := os.Getenv("IMAPCTL_OUTPUT_CRASH_CHILD"); spec != "" {
		kind, dir, _ := strings.Cut(spec, ":")
		crashChild(t, kind, dir)
		return
	}
	rng := rand.New(rand.NewSource(20261202))
	kinds := []string{"maildir", "maildir-group", "mbox", "mbox-group", "eml", "eml-group"}
	for round := 0; round < 2*len(kinds); round++ {
		kind := kinds[round%len(kinds)]
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashAtRandomPoints$")
		cmd.Env = append(os.Environ(), "IMAPCTL_OUTPUT_CRASH_CHILD="+kind+":"+dir)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		committed := map[int]bool{}
		var lastEnd int64
		record := func() bool {
			if !lines.Scan() {
				return false
			}
			var i int
			var end int64
			if _, err := fmt.Sscan(lines.Text(), &i, &end); err != nil {
				t.Fatalf("child said %q", lines.Text())
			}
			committed[i], lastEnd = true, end
			return true
		}
		for want := rng.Intn(12); len(committed) < want && record(); {
		}
		time.Sleep(time.Duration(rng.Intn(3000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for record() {
		}
		cmd.Wait()
		t.Logf("round %d (%s): killed after %d commits", round, kind, len(committed))
		checkAfterCrash(t, kind, dir, committed, lastEnd)
	}
}

func checkAfterCrash(t *testing.T, kind, dir string, committed map[int]bool, lastEnd int64) {
	t.Helper()
	present := map[int]bool{}
	check := func(data string) {
		i := crashIndex(t, data)
		if data != crashMessage(i) {
			t.Errorf("%s: message %d is damaged (%d bytes, want %d)", kind, i, len(data), len(crashMessage(i)))
		}
		if present[i] {
			t.Errorf("%s: message %d stored twice", kind, i)
		}
		present[i] = true
	}
	switch strings.TrimSuffix(kind, "-group") {
	case "maildir", "eml":
		sub := "maildir"
		if strings.HasPrefix(kind, "eml") {
			sub = "eml"
		}
		if _, err := os.Stat(filepath.Join(dir, sub)); os.IsNotExist(err) && len(committed) == 0 {
			return
		}
		src, err := Open(filepath.Join(dir, sub), MboxRD)
		if err != nil {
			t.Fatal(err)
		}
		_, bodies := readSource(t, src)
		for _, b := range bodies {
			check(b)
		}
	case "mbox":
		path := filepath.Join(dir, "box")
		data, err := os.ReadFile(path)
		if os.IsNotExist(err) && len(committed) == 0 {
			return
		}
		_, bodies := readAllMbox(t, data[:lastEnd], MboxRD)
		for _, b := range bodies {
			check(b)
		}
		// The next run cuts off the partial tail and appends after it.
		rerun := NewMboxSink(path, MboxOptions{KnownCommitted: true, CommittedSize: lastEnd})
		if _, err := rerun.Put(context.Background(), Message{}, bytesWriter(crashMessage(1000))); err != nil {
			t.Fatal(err)
		}
		rerun.Close()
		data, _ = os.ReadFile(path)
		_, bodies = readAllMbox(t, data, MboxRD)
		if len(bodies) != len(present)+1 || bodies[len(bodies)-1] != crashMessage(1000) {
			t.Errorf("%s: after the rerun the mbox holds %d messages, want %d whole ones", kind, len(bodies), len(present)+1)
		}
	}
	for i := range committed {
		if !present[i] {
			t.Errorf("%s: message %d was reported committed but is missing", kind, i)
		}
	}
}

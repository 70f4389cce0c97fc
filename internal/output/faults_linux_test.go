package output

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// fileSizeLimit is the RLIMIT_FSIZE of the child process in
// TestFullDiskLeavesEarlierMessages: writes past it fail with EFBIG, as
// writes fail on a full disk.
const fileSizeLimit = 256 << 10

// TestFullDiskLeavesEarlierMessages runs the sinks in a child process
// whose files cannot grow past fileSizeLimit: the message that does not
// fit fails cleanly, leaving no partial file and the earlier messages
// intact.
func TestFullDiskLeavesEarlierMessages(t *testing.T) {
	if dir := os.Getenv("IMAPCTL_OUTPUT_FSIZE_CHILD"); dir != "" {
		fullDiskChild(t, dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFullDiskLeavesEarlierMessages$", "-test.v")
	cmd.Env = append(os.Environ(), "IMAPCTL_OUTPUT_FSIZE_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestFullDiskLeavesEarlierMessages") {
		t.Fatalf("child did not run the test:\n%s", out)
	}
	// Checked again here, outside the limited process.
	_, bodies := readAllMbox(t, []byte(readFile(t, filepath.Join(dir, "box"))), MboxRD)
	if !reflect.DeepEqual(bodies, []string{"small one\n", "small two\n"}) {
		t.Errorf("mbox after a failed big append holds %q", bodies)
	}
	files, _ := ListMaildir(filepath.Join(dir, "maildir"))
	if tmp, _ := visibleNames(filepath.Join(dir, "maildir", "tmp")); len(files) != 1 || len(tmp) != 0 {
		t.Errorf("Maildir holds %d messages and %d temp files, want 1 and 0", len(files), len(tmp))
	}
}

func fullDiskChild(t *testing.T, dir string) {
	limit := syscall.Rlimit{Cur: fileSizeLimit, Max: fileSizeLimit}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("From a line that is long enough to fill the disk quickly\n", fileSizeLimit/40)
	ctx := context.Background()

	mbox := NewMboxSink(filepath.Join(dir, "box"), MboxOptions{})
	for _, small := range []string{"small one\n", "small two\n"} {
		if _, err := mbox.Put(ctx, Message{}, bytesWriter(small)); err != nil {
			t.Fatal(err)
		}
	}
	before := readFile(t, filepath.Join(dir, "box"))
	if _, err := mbox.Put(ctx, Message{}, bytesWriter(big)); !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("mbox Put past the limit = %v, want EFBIG", err)
	}
	if got := readFile(t, filepath.Join(dir, "box")); got != before {
		t.Fatalf("mbox grew by %d bytes after a failed append", len(got)-len(before))
	}
	if err := mbox.Close(); err != nil {
		t.Fatal(err)
	}

	for _, group := range []bool{false, true} {
		root := filepath.Join(dir, "maildir")
		sink := NewMaildirSink(root, Options{GroupCommit: group})
		if !group {
			if _, err := sink.Put(ctx, Message{UID: 1}, bytesWriter("small\n")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := sink.Put(ctx, Message{UID: 2}, bytesWriter(big)); !errors.Is(err, syscall.EFBIG) {
			t.Fatalf("Maildir Put past the limit = %v, want EFBIG", err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
	}
	eml := NewEMLSink(filepath.Join(dir, "eml"), NameTemplate{}, Options{})
	if _, err := eml.Put(ctx, Message{UID: 2}, bytesWriter(big)); !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("eml Put past the limit = %v, want EFBIG", err)
	}
	if names := listTree(t, filepath.Join(dir, "eml")); len(names) != 0 {
		t.Fatalf("eml folder after a failed Put: %v", names)
	}
}

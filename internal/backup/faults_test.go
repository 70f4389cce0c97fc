//go:build linux

package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// faultChildEnv carries a faultSpec (JSON) to TestHelperFaultChild.
const faultChildEnv = "IMAPCTL_BACKUP_FAULT_CHILD"

// faultSpec tells the child process which backup to run and where to die:
// at the Nth time the backup reaches crash point Phase. With AsyncMicros
// With Async the kill is sent from another goroutine AsyncMicros later,
// while the backup goes on (used to land inside the fsyncs of a flush);
// Nth 0 with Async counts from the start of the run.
type faultSpec struct {
	Addr, User, Password string
	Dir, Format          string
	Mailboxes            []string
	Phase                string
	Nth                  int
	Async                bool
	AsyncMicros          int
}

// faultPhase is a named moment of a backup at which the fault test kills
// it: the Nth time the backup reaches crash point step, N drawn from
// 1..most(w), a bound on how often the step comes in a run with workload w.
type faultPhase struct {
	name  string // for the log
	step  string // the crashPoint step
	most  func(w workload) int
	async bool // kill asynchronously, 0-3 ms after the step
}

// workload is what a backup run has to do, for the bound of a phase.
type workload struct {
	fresh bool // an empty backup folder: every message is fetched
	total int  // messages on the server in the backed-up mailboxes
	added int  // messages added since the last run
	boxes int  // mailboxes
}

// messages is how many messages the run fetches.
func (w workload) messages() int {
	if w.fresh {
		return w.total
	}
	return w.added
}

// flushes is a lower bound of the group commits (4 messages each).
func (w workload) flushes() int {
	if w.fresh {
		return max(w.boxes, w.total/4-w.boxes)
	}
	return 1
}

// stateWrites is how many atomic file replacements the run makes: the
// account file (only when it is new), then per changed mailbox the final
// state (and the first one of a new folder).
func (w workload) stateWrites() int {
	if w.fresh {
		return 1 + 2*w.boxes
	}
	return 1
}

// faultPhases span a backup: fetching (mid-message), the group commit's
// fsyncs, between files and manifest, after the manifest, and the state
// file's atomic replacement (temp file durable, renamed, before).
var faultPhases = []faultPhase{
	{"during fetch, mid-message", "writing a message", func(w workload) int { return 2 * w.messages() }, false},
	{"after a message is written, before its commit", "message written", workload.messages, false},
	{"during the flush (fsync of files and folders)", "flushing", workload.flushes, true},
	{"between files and manifest", "files committed", workload.flushes, false},
	{"after the manifest, before the state", "manifest appended", workload.flushes, false},
	{"before the state write", "before state", func(w workload) int { return w.stateWrites() / 2 }, false},
	{"during the state write: temp file synced, not renamed", "temp file synced", workload.stateWrites, false},
	{"during the state write: renamed, folder not synced", "renamed", workload.stateWrites, false},
	{"after a Maildir rename for new flags", "maildir file renamed", func(workload) int { return 1 }, false},
	{"during fetch, asynchronous", "", func(workload) int { return 0 }, true},
}

// TestHelperFaultChild is not a test: TestBackupFaultsSIGKILL runs this
// test binary with faultChildEnv set, and this function then runs one
// backup that kills itself at the chosen point.
func TestHelperFaultChild(t *testing.T) {
	raw := os.Getenv(faultChildEnv)
	if raw == "" {
		t.Skip("helper process of TestBackupFaultsSIGKILL")
	}
	var spec faultSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s := &memserver.Server{Addr: spec.Addr, Username: spec.User, Password: spec.Password}
	n := 0
	counts := map[string]int{}
	var mu sync.Mutex
	kill := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	killLater := func() {
		go func() {
			time.Sleep(time.Duration(spec.AsyncMicros) * time.Microsecond)
			kill()
		}()
	}
	opts := Options{Dir: spec.Dir, Accounts: []Account{memAccount(nil, s)}, Mailboxes: spec.Mailboxes, BatchMessages: 4, Format: spec.Format,
		crashPoint: func(step string) {
			mu.Lock() // group commits run on a goroutine of their own
			defer mu.Unlock()
			counts[step]++
			if step != spec.Phase || spec.Nth == 0 {
				return
			}
			n++
			switch {
			case n != spec.Nth:
			case spec.Async:
				killLater()
			default:
				kill()
				select {}
			}
		}}
	if spec.Async && spec.Nth == 0 {
		killLater() // anywhere in the run, counted from its start
	}
	if _, err := Run(context.Background(), opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Not killed: say how often each point was reached.
	fmt.Fprintln(os.Stderr, counts)
	os.Exit(0)
}

// faultMailboxes are small corpus mailboxes plus "Faults", which gets new
// mail and flag changes between runs.
var faultMailboxes = []string{"Corpus/dkimpy", "Corpus/eml-format", "Faults"}

// TestBackupFaultsSIGKILL kills a backup with SIGKILL at 50 points drawn
// by a seeded random from named phases (mid-fetch, inside the group
// commit's fsyncs, between message files and the manifest, after the
// manifest, around each step of the state file's atomic replacement,
// after a flag rename), in Maildir, mbox and eml folders, with the server
// changing between runs. After each kill a rerun completes, and then
// verify --deep finds the backup equal to the server, no temp file is
// left, and an independent count of the stored messages (files, or
// "From " separated messages of the mbox) equals the server's count: no
// loss, no duplicate, no half file.
func TestBackupFaultsSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary 50 times")
	}
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	ctx := context.Background()
	c := client(t, acct)
	if err := c.Create(ctx, "Faults"); err != nil {
		t.Fatal(err)
	}
	seed := uint64(20261203)
	if v := os.Getenv("IMAPCTL_CRASH_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 8))
	t.Logf("seed %d (set IMAPCTL_CRASH_SEED to repeat another)", seed)

	const runs = 50
	formats := []string{FormatMaildir, FormatMbox, FormatEML}
	dirs := map[string]string{}
	killed := map[string]int{}
	total := 0
	for i := 0; i < runs; i++ {
		ph := faultPhases[i%len(faultPhases)]
		format := formats[rng.IntN(len(formats))]
		fresh := dirs[format] == "" || rng.IntN(3) == 0
		if ph.step == "maildir file renamed" {
			// Flags of messages already backed up change: Maildir only.
			format, fresh = FormatMaildir, false
			if dirs[format] == "" {
				dirs[format] = t.TempDir()
				runBackup(t, Options{Dir: dirs[format], Accounts: []Account{acct}, Mailboxes: faultMailboxes, BatchMessages: 4, Format: format})
			}
		} else if fresh {
			dirs[format] = t.TempDir()
		}
		dir := dirs[format]
		w := workload{fresh: fresh, added: 1 + rng.IntN(4)}
		for k := 0; k < w.added; k++ {
			appendMessage(t, acct, "Faults", fmt.Sprintf("fault-%d-%d", i, k))
		}
		if _, err := c.Select(ctx, "Faults", nil); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 3; k++ {
			flag := []string{`\Flagged`, `\Answered`, `\Draft`, "$Label1"}[rng.IntN(4)]
			uid := imap.UIDSetNum(uint32(1 + rng.IntN(i+3)))
			if _, err := c.Store(ctx, uid, imap.StoreAdd, []string{flag}, nil); err != nil && !errors.Is(err, imap.ErrEmptySet) {
				t.Fatal(err)
			}
		}
		if err := c.Unselect(ctx); err != nil {
			t.Fatal(err)
		}
		list, err := ListMailboxes(ctx, c, faultMailboxes, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.boxes = len(list)
		for _, m := range list {
			st, err := c.Status(ctx, m.Name, []string{"MESSAGES"})
			if err != nil {
				t.Fatal(err)
			}
			w.total += int(st.Messages)
		}
		spec := faultSpec{Addr: s.Addr, User: s.Username, Password: s.Password, Dir: dir, Format: format,
			Mailboxes: faultMailboxes, Phase: ph.step}
		if most := ph.most(w); most > 0 {
			spec.Nth = 1 + rng.IntN(most)
		}
		if ph.async {
			spec.Async, spec.AsyncMicros = true, rng.IntN(3000)
			if spec.Nth == 0 {
				spec.AsyncMicros = rng.IntN(30_000) // anywhere in the run
			}
		}
		wasKilled, counts := runFaultChild(t, spec)
		if wasKilled {
			killed[ph.name]++
			total++
		}
		runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: faultMailboxes, BatchMessages: 4, Format: format})
		rep := verifyClean(t, dir, acct)
		assertNoStrayFiles(t, dir)
		assertStoredCounts(t, dir, acct, format)
		t.Logf("run %2d %-7s fresh %-5v %-52s nth %3d async %5dµs: killed %-5v; %d messages verified %s", i, format, fresh, ph.name, spec.Nth, spec.AsyncMicros, wasKilled, rep.Messages, counts)
	}
	t.Logf("killed %d of %d runs: %v", total, runs, killed)
	if total < 40 {
		t.Errorf("only %d of %d runs were killed; want at least 40 (phases: %v)", total, runs, killed)
	}
	for _, ph := range faultPhases {
		if killed[ph.name] == 0 && ph.step != "maildir file renamed" {
			t.Errorf("no run was killed %s", ph.name)
		}
	}
}

// TestBackupKilledWritingAccountFile is a regression test: a backup killed
// between the account file's temp file and its rename left the temp file
// in the account folder for good (only mailbox folders were cleaned).
func TestBackupKilledWritingAccountFile(t *testing.T) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	dir := t.TempDir()
	// The account file is the first file a run replaces atomically.
	spec := faultSpec{Addr: s.Addr, User: s.Username, Password: s.Password, Dir: dir, Format: FormatMaildir,
		Mailboxes: []string{"Corpus/dkimpy"}, Phase: "temp file synced", Nth: 1}
	if killed, counts := runFaultChild(t, spec); !killed {
		t.Fatalf("the backup was not killed (%s)", counts)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-"+AccountFileName+"-*")); len(m) != 1 {
		t.Fatalf("after the kill: temp files %v; want the account file's", m)
	}
	runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: []string{"Corpus/dkimpy"}})
	assertNoStrayFiles(t, dir)
	verifyClean(t, dir, acct)
}

// runFaultChild runs one backup in a child process and reports whether it
// died of SIGKILL; any other failure fails the test.
func runFaultChild(t *testing.T, spec faultSpec) (bool, string) {
	t.Helper()
	raw, _ := json.Marshal(spec)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFaultChild$")
	cmd.Env = append(os.Environ(), faultChildEnv+"="+string(raw))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
		return true, ""
	}
	if err != nil {
		t.Fatalf("backup process (%+v): %v\n%s", spec, err, out)
	}
	return false, strings.TrimSpace(string(out))
}

// assertStoredCounts counts the messages stored in each mailbox folder
// without the manifest (Maildir cur/ and new/ files, .eml files, messages
// of the mbox file) and compares with the server's message count: a
// duplicate or a lost message shows even if the manifest agreed with it.
func assertStoredCounts(t *testing.T, dir string, acct Account, format string) {
	t.Helper()
	c := client(t, acct)
	list, err := ListMailboxes(context.Background(), c, faultMailboxes, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 2 {
		t.Fatalf("the server has %d of the mailboxes %v", len(list), faultMailboxes)
	}
	for _, m := range list {
		name := m.Name
		st, err := c.Status(context.Background(), name, []string{"MESSAGES"})
		if err != nil {
			t.Fatal(err)
		}
		folder := filepath.Join(dir, EscapeName(acct.Name), MailboxPath(name, "/"))
		n := countStored(t, folder, format)
		if n != int(st.Messages) {
			t.Errorf("%s: %d messages stored, server has %d", folder, n, st.Messages)
		}
	}
}

func countStored(t *testing.T, folder, format string) int {
	t.Helper()
	switch format {
	case FormatMbox:
		f, err := os.Open(filepath.Join(folder, mboxFileName))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := output.NewMboxReader(f, f.Name(), output.MboxRD)
		n := 0
		for {
			_, body, err := r.Next()
			if err == io.EOF {
				return n
			}
			if err != nil {
				t.Fatalf("%s: message %d: %v", f.Name(), n+1, err)
			}
			if _, err := io.Copy(io.Discard, body); err != nil {
				t.Fatal(err)
			}
			n++
		}
	case FormatEML:
		m, _ := filepath.Glob(filepath.Join(folder, "*.eml"))
		return len(m)
	default:
		cur, _ := os.ReadDir(filepath.Join(folder, "cur"))
		nw, _ := os.ReadDir(filepath.Join(folder, "new"))
		tmp, _ := os.ReadDir(filepath.Join(folder, "tmp"))
		if len(tmp) > 0 {
			t.Errorf("%s/tmp holds %d files", folder, len(tmp))
		}
		return len(cur) + len(nw)
	}
}

// TestBackupFaultsImapctl runs the fault tests that need imapctl itself
// (its exit statuses and its Ctrl-C handling): the binary is built once
// (go build of the module root) into the test's temp folder.
func TestBackupFaultsImapctl(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the imapctl binary")
	}
	bin := filepath.Join(t.TempDir(), "imapctl")
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		goCmd = "go"
	}
	build := exec.Command(goCmd, "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("SIGINT", func(t *testing.T) { sigintTest(t, bin) })
	t.Run("DiskFull", func(t *testing.T) {
		for _, format := range []string{FormatMaildir, FormatMbox, FormatEML} {
			t.Run(format, func(t *testing.T) { diskFullTest(t, bin, format) })
		}
	})
	t.Run("DiskFullSweep", func(t *testing.T) { diskFullSweepTest(t, bin) })
}

// imapctlCmd is `imapctl args...` against s over plain TCP, with no config
// file and the password in the environment.
func imapctlCmd(t *testing.T, bin string, s *memserver.Server, args ...string) *exec.Cmd {
	host, port, _ := strings.Cut(s.Addr, ":")
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir(),
		"IMAPCTL_HOST=" + host, "IMAPCTL_PORT=" + port, "IMAPCTL_TLS=none",
		"IMAPCTL_USER=" + s.Username, "IMAPCTL_PASSWORD=" + s.Password,
	}
	return cmd
}

// binaryAccount is the account as the binary names it (user@host).
func binaryAccount(t *testing.T, s *memserver.Server) Account {
	acct := memAccount(t, s)
	host, _, _ := strings.Cut(s.Addr, ":")
	acct.Name = s.Username + "@" + host
	return acct
}

// exitStatus returns the exit status of a finished command (-1 when it
// died of a signal), failing the test on other errors.
func exitStatus(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return ee.ExitCode()
}

// onlyMissing fails unless every difference of rep is a message not yet
// backed up: an interrupted or failed run may leave messages out, never a
// corrupt, extra or half file.
func onlyMissing(t *testing.T, rep *VerifyReport) int {
	t.Helper()
	n := 0
	for _, d := range rep.Differences {
		switch d.Kind {
		case DiffMissing:
			n++
		case DiffUIDValidity:
		default:
			t.Errorf("difference after the interruption: %v", d)
		}
	}
	return n
}

// sigintMailboxes are about a hundred corpus messages.
var sigintMailboxes = []string{"--mailbox", "Corpus/enmime", "--mailbox", "Corpus/python3.11-testsuite", "--mailbox", "Corpus/eml-format", "--mailbox", "Corpus/wildduck"}

// sigintTest interrupts `imapctl backup` of the whole corpus
// with SIGINT (Ctrl-C) at seeded random moments after its first file
// appears: it exits 130 with "imapctl: interrupted", leaves no temp file,
// what it stored verifies (only messages not yet fetched are missing),
// and a rerun exits 0 with verify --deep clean and no duplicate.
func sigintTest(t *testing.T, bin string) {
	s := memserver.StartT(t, memserver.Options{})
	acct := binaryAccount(t, s)
	rng := rand.New(rand.NewPCG(20261204, 2))
	interrupted := 0
	for i := 0; i < 3; i++ {
		dir := t.TempDir()
		format := []string{FormatMaildir, FormatMbox, FormatEML}[i%3]
		cmd := imapctlCmd(t, bin, s, append([]string{"backup", "--out", dir, "--format", format}, sigintMailboxes...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait for the first mailbox folder's content, then a little more.
		for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(time.Millisecond) {
			if n, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*")); len(n) > 0 {
				break
			}
		}
		delay := time.Duration(rng.IntN(40_000)) * time.Microsecond
		time.Sleep(delay)
		cmd.Process.Signal(os.Interrupt)
		code := exitStatus(t, cmd.Wait())
		switch code {
		case 130:
			interrupted++
			if !strings.Contains(stderr.String(), "imapctl: interrupted") {
				t.Errorf("run %d: stderr %q lacks \"imapctl: interrupted\"", i, stderr.String())
			}
		case 0: // finished before the signal
		default:
			t.Fatalf("run %d: backup exited %d after SIGINT; want 130 (or 0 when it had finished)\n%s", i, code, stderr.String())
		}
		assertNoStrayFiles(t, dir)
		c := client(t, acct)
		rep, err := Verify(context.Background(), c, VerifyOptions{Dir: dir, Account: acct, Deep: true})
		if err != nil {
			t.Fatalf("run %d: Verify after SIGINT = %v", i, err)
		}
		missing := onlyMissing(t, rep)

		rerun := imapctlCmd(t, bin, s, append([]string{"--quiet", "backup", "--out", dir, "--format", format}, sigintMailboxes...)...)
		if out, err := rerun.CombinedOutput(); err != nil {
			t.Fatalf("run %d: rerun: %v\n%s", i, err, out)
		}
		rep = verifyClean(t, dir, acct)
		assertNoStrayFiles(t, dir)
		t.Logf("run %d %s: SIGINT %v after the first file: exit %d, %d messages still missing; rerun: %d verified", i, format, delay, code, missing, rep.Messages)
	}
	if interrupted == 0 {
		t.Errorf("no run was interrupted (all finished before SIGINT)")
	}
}

// mountTmpfs mounts a tmpfs of size bytes on a new folder, unmounted when
// t ends. It skips the test when mounting is not permitted (not root, no
// CAP_SYS_ADMIN, a container that forbids it); other errors skip it too,
// except under CI=true, where they fail it.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+strconv.Itoa(size)+",mode=0700")
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		t.Skipf("cannot mount a tmpfs (%v): the full-disk test needs root or CAP_SYS_ADMIN", err)
	}
	if err != nil {
		if os.Getenv("CI") != "true" {
			t.Skipf("cannot mount a tmpfs on %s: %v", dir, err)
		}
		t.Fatalf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// snapshot maps every file below dir (relative path) to its bytes.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// diskFullTest backs up into a small tmpfs, then adds more
// mail than fits and backs up again: imapctl exits 6 or 1 naming "no space
// left on device"; every message file of the earlier backup is still
// there, byte for byte; the manifest still starts with what it held;
// verify finds nothing corrupt (only the new messages missing). With room
// again (the tmpfs grown), a rerun completes and verify --deep is clean.
func diskFullTest(t *testing.T, bin, format string) {
	const size = 384 << 10
	dir := mountTmpfs(t, size)
	s := memserver.StartT(t, memserver.Options{})
	acct := binaryAccount(t, s)
	c := client(t, acct)
	if err := c.Create(context.Background(), "Big"); err != nil {
		t.Fatal(err)
	}
	appendMessage(t, acct, "Big", "small-1")
	args := []string{"--quiet", "backup", "--out", dir, "--format", format, "--mailbox", "Corpus/dkimpy", "--mailbox", "Big"}
	if out, err := imapctlCmd(t, bin, s, args...).CombinedOutput(); err != nil {
		t.Fatalf("first backup: %v\n%s", err, out)
	}
	verifyClean(t, dir, acct)
	before := snapshot(t, dir)

	// Messages of 96 KiB: together more than the tmpfs holds.
	line := strings.Repeat("x", 76) + "\r\n"
	for i := 0; i < 6; i++ {
		body := "From: a@example.org\r\nSubject: big " + strconv.Itoa(i) + "\r\nMessage-ID: <big-" + strconv.Itoa(i) + "@example.org>\r\n\r\n" + strings.Repeat(line, 96<<10/len(line))
		if _, err := c.Append(context.Background(), "Big", int64(len(body)), strings.NewReader(body), nil); err != nil {
			t.Fatal(err)
		}
	}
	var stderr bytes.Buffer
	full := imapctlCmd(t, bin, s, args...)
	full.Stderr = &stderr
	code := exitStatus(t, full.Run())
	if code != 6 && code != 1 {
		t.Fatalf("backup on a full disk exited %d; want 6 or 1\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "no space left on device") {
		t.Errorf("stderr does not say the disk is full:\n%s", stderr.String())
	}
	t.Logf("full disk (%s): exit %d: %s", format, code, strings.TrimSpace(stderr.String()))

	after := snapshot(t, dir)
	for path, data := range before {
		got, ok := after[path]
		switch {
		case path == LockFileName:
		case strings.HasSuffix(path, ManifestFileName):
			if !bytes.HasPrefix(got, data) {
				t.Errorf("%s: the manifest lost or changed lines it had before", path)
			}
		case strings.HasSuffix(path, StateFileName), filepath.Base(path) == mboxFileName:
			if !ok || (filepath.Base(path) == mboxFileName && !bytes.HasPrefix(got, data)) {
				t.Errorf("%s: changed or lost after the full-disk run", path)
			}
		default:
			if !ok && !strings.Contains(path, "Big") {
				t.Errorf("%s: lost after the full-disk run", path)
			}
			if ok && !bytes.Equal(got, data) {
				t.Errorf("%s: changed after the full-disk run", path)
			}
		}
	}
	rep, err := Verify(context.Background(), c, VerifyOptions{Dir: dir, Account: acct, Deep: true})
	if err != nil {
		t.Fatalf("Verify after the full disk = %v", err)
	}
	missing := onlyMissing(t, rep)
	if missing == 0 {
		t.Errorf("no message is missing after a backup that ran out of space")
	}
	assertNoStrayFiles(t, dir)

	// Room again: the rerun completes.
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, "size="+strconv.Itoa(8<<20)); err != nil {
		t.Fatalf("grow the tmpfs: %v", err)
	}
	if out, err := imapctlCmd(t, bin, s, args...).CombinedOutput(); err != nil {
		t.Fatalf("backup with room again: %v\n%s", err, out)
	}
	rep = verifyClean(t, dir, acct)
	assertNoStrayFiles(t, dir)
	t.Logf("with room again: %d messages verified", rep.Messages)
}

// diskFullSweepTest fills a tmpfs so that only 0 to 5 pages
// are free before an incremental backup of a few small messages, so that
// "no space left on device" strikes at different steps: the message file,
// the group commit, the manifest append, the state file's temp file.
// Each time imapctl exits 0 (it fitted), 6 or 1 (naming the full disk);
// nothing stored before is lost or changed; verify finds at most missing
// messages; and with the space back a rerun completes, verify --deep
// clean and no temp file left.
func diskFullSweepTest(t *testing.T, bin string) {
	dir := mountTmpfs(t, 4<<20)
	s := memserver.StartT(t, memserver.Options{})
	acct := binaryAccount(t, s)
	c := client(t, acct)
	if err := c.Create(context.Background(), "Sweep"); err != nil {
		t.Fatal(err)
	}
	page := int64(os.Getpagesize())
	outcomes := map[int]int{}
	for i, format := range []string{FormatMaildir, FormatMbox, FormatEML} {
		out := filepath.Join(dir, format)
		args := []string{"--quiet", "backup", "--out", out, "--format", format, "--mailbox", "Sweep"}
		for free := int64(0); free <= 5; free++ {
			t.Run(fmt.Sprintf("%s/%dpages", format, free), func(t *testing.T) {
				code, stderr := diskFullStep(t, bin, s, c, acct, dir, out, args, free*page, fmt.Sprintf("sweep-%d-%d", i, free))
				outcomes[code]++
				if code != 0 && code != 1 && code != 6 {
					t.Errorf("exit %d; want 0, 6 or 1\n%s", code, stderr)
				}
			})
		}
	}
	if outcomes[6]+outcomes[1] == 0 {
		t.Errorf("no run ran out of space: %v", outcomes)
	}
}

// diskFullStep adds two messages (and, on the first step, backs up with
// room and adds one more), fills the tmpfs at dir up to free bytes, runs
// the backup, checks what it left, then frees the space, reruns and
// verifies. It returns the full-disk run's exit status and stderr.
func diskFullStep(t *testing.T, bin string, s *memserver.Server, c *imap.Client, acct Account, dir, out string, args []string, free int64, subject string) (int, string) {
	for k := 0; k < 2; k++ {
		appendMessage(t, acct, "Sweep", fmt.Sprintf("%s-%d", subject, k))
	}
	if _, err := os.Stat(out); err != nil {
		// A first backup with room, so that there is something to keep.
		if b, err := imapctlCmd(t, bin, s, args...).CombinedOutput(); err != nil {
			t.Fatalf("first backup: %v\n%s", err, b)
		}
		appendMessage(t, acct, "Sweep", subject+"-x")
	}
	before := snapshot(t, out)
	filler := filepath.Join(dir, "filler")
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	avail := int64(st.Bavail) * int64(st.Bsize)
	if err := os.WriteFile(filler, make([]byte, max(0, avail-free)), 0o600); err != nil {
		t.Fatalf("filler: %v", err)
	}
	var stderr bytes.Buffer
	run := imapctlCmd(t, bin, s, args...)
	run.Stderr = &stderr
	code := exitStatus(t, run.Run())
	if code != 0 && !strings.Contains(stderr.String(), "no space left on device") {
		t.Errorf("exit %d without naming the full disk:\n%s", code, stderr.String())
	}
	after := snapshot(t, out)
	for path, data := range before {
		got, ok := after[path]
		switch {
		case path == LockFileName, strings.HasSuffix(path, StateFileName), strings.HasSuffix(path, AccountFileName):
		case strings.HasSuffix(path, ManifestFileName), filepath.Base(path) == mboxFileName:
			if !bytes.HasPrefix(got, data) {
				t.Errorf("%s lost bytes it had before", path)
			}
		case strings.Contains(filepath.ToSlash(path), "/cur/") || strings.Contains(filepath.ToSlash(path), "/new/"):
			// A Maildir file may be renamed for new flags; its bytes stay.
			if !ok && !containsValue(after, data) {
				t.Errorf("%s lost", path)
			}
		default:
			if !ok || !bytes.Equal(got, data) {
				t.Errorf("%s lost or changed", path)
			}
		}
	}
	rep, err := Verify(context.Background(), c, VerifyOptions{Dir: out, Account: acct, Deep: true})
	if err != nil {
		t.Fatalf("Verify = %v", err)
	}
	missing := onlyMissing(t, rep)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if b, err := imapctlCmd(t, bin, s, args...).CombinedOutput(); err != nil {
		t.Fatalf("with room again: %v\n%s", err, b)
	}
	verifyClean(t, out, acct)
	assertNoStrayFiles(t, out)
	t.Logf("%d bytes free: exit %d, %d missing; with room again: clean (%s)", free, code, missing, firstLine(stderr.String()))
	return code, stderr.String()
}

func containsValue(files map[string][]byte, data []byte) bool {
	for _, v := range files {
		if bytes.Equal(v, data) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

//go:build unix

package backup

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// The crash test re-executes this test binary as the backup process.
const (
	crashChildEnv = "IMAPCTL_BACKUP_CRASH_CHILD" // "addr user password dir killAt"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashChildEnv); spec != "" {
		os.Exit(crashChild(spec))
	}
	os.Exit(m.Run())
}

// crashChild runs one backup and SIGKILLs itself at the killAt-th crash
// point (never, if the backup has fewer).
func crashChild(spec string) int {
	f := strings.Fields(spec)
	addr, user, password, dir, format := f[0], f[1], f[2], f[3], f[5]
	killAt, _ := strconv.Atoi(f[4])
	s := &memserver.Server{Addr: addr, Username: user, Password: password}
	acct := memAccount(nil, s)
	n := 0
	var mu sync.Mutex // group commits run on a goroutine of their own
	opts := Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: crashMailboxes, BatchMessages: 4, Format: format,
		crashPoint: func(step string) {
			mu.Lock()
			defer mu.Unlock()
			n++
			if n == killAt {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}}
	if _, err := Run(context.Background(), opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// crashMailboxes keep the test fast: a few dozen messages.
var crashMailboxes = []string{"Corpus/dkimpy", "Corpus/eml-format", "Corpus/node-mbox", "Corpus/flufl-bounce", "Crash"}

// TestBackupCrashAnywhere kills the backup process with SIGKILL at
// seeded-random points (between writing a message, committing files,
// appending the manifest, renaming for flags and writing state), reruns it,
// and checks each time that verify --deep finds the backup exactly equal
// to the server: nothing lost, nothing duplicated, no corrupt file.
func TestBackupCrashAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	t.Run("maildir", func(t *testing.T) { crashTest(t, FormatMaildir, 30, 20) })
	t.Run("mbox", func(t *testing.T) { crashTest(t, FormatMbox, 10, 6) })
}

func crashTest(t *testing.T, format string, runs, wantKilled int) {
	s := memserver.StartT(t, memserver.Options{})
	acct := memAccount(t, s)
	ctx := context.Background()
	c := client(t, acct)
	if err := c.Create(ctx, "Crash"); err != nil {
		t.Fatal(err)
	}
	seed := uint64(20261202)
	if v := os.Getenv("IMAPCTL_CRASH_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d (set IMAPCTL_CRASH_SEED to repeat another)", seed)

	var dir string
	killed := 0
	for i := 0; i < runs; i++ {
		if i%5 == 0 {
			dir = t.TempDir()
		}
		// The server changes between runs: new mail and flag changes.
		for k := 0; k < 2+rng.IntN(3); k++ {
			appendMessage(t, acct, "Crash", fmt.Sprintf("crash-%d-%d", i, k))
		}
		if _, err := c.Select(ctx, "Crash", nil); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 2; k++ {
			flag := []string{`\Flagged`, `\Answered`, "$Label1"}[rng.IntN(3)]
			if _, err := c.Store(ctx, imap.UIDSetNum(uint32(1+rng.IntN(2*i+2))), imap.StoreAdd, []string{flag}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Unselect(ctx); err != nil {
			t.Fatal(err)
		}
		killAt := 1 + rng.IntN(150)
		if i%5 != 0 {
			killAt = 1 + rng.IntN(10)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+strings.Join([]string{s.Addr, s.Username, s.Password, dir, strconv.Itoa(killAt), format}, " "))
		out, err := cmd.CombinedOutput()
		wasKilled := false
		if ee, ok := err.(*exec.ExitError); ok && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
			killed++
			wasKilled = true
		} else if err != nil {
			t.Fatalf("run %d: backup process: %v\n%s", i, err, out)
		}
		// The rerun (in this process) repairs and completes the backup.
		runBackup(t, Options{Dir: dir, Accounts: []Account{acct}, Mailboxes: crashMailboxes, BatchMessages: 4, Format: format})
		rep := verifyClean(t, dir, acct)
		assertNoStrayFiles(t, dir)
		t.Logf("run %d: kill at point %d: killed %v; then %d messages verified", i, killAt, wasKilled, rep.Messages)
	}
	if killed < wantKilled {
		t.Errorf("only %d of %d runs were killed; want at least %d", killed, runs, wantKilled)
	}
}

// assertNoStrayFiles fails on temp files left after a completed run: a
// killed run's partial files (Maildir tmp/, state temp files) are removed
// by the next one.
func assertNoStrayFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".tmp-") || filepath.Base(filepath.Dir(path)) == "tmp" {
			t.Errorf("stray temp file %s", path)
		}
		return nil
	})
}

// Command run is imapctl's side-by-side benchmark (make bench). It starts a
// private Dovecot (internal/testutil/dovecot, with COMPRESS=DEFLATE),
// fills one account per profile with messages from bench/gen by writing
// the Maildir files directly, then runs every contender interleaved
// (A B C A B C ...) for several rounds, each run into its own fresh output
// folder, and prints one Markdown table of medians. Output folders are
// removed only after all rounds of all profiles, because creating files
// right after many were deleted is much slower on this kind of machine.
//
// It must run as root (Dovecot's harness needs it). Contenders that are
// missing (mbsync, imapctl backup) are skipped with a note.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/imapctl/imapctl/bench/delay"
	"github.com/imapctl/imapctl/bench/gen"
	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

func main() {
	profiles := flag.String("profiles", "small,wide,big", "comma-separated profiles: small, medium, big, wide, many (100,000 text messages)")
	rounds := flag.Int("rounds", 3, "rounds of every contender (medians are reported)")
	imapctl := flag.String("imapctl", "bin/imapctl", "the built imapctl binary")
	delayFlag := flag.Duration("delay", 10*time.Millisecond, "one-way delay of the delay-proxy runs (0: skip them)")
	rate := flag.Int64("rate", 100_000_000/8, "bandwidth limit in bytes/s of the bandwidth-limited proxy runs (0: skip them)")
	only := flag.String("only", "", "comma-separated contender names to run (default all)")
	loopback := flag.Bool("loopback", true, "run the loopback measurements (false: only the delay-proxy runs of small)")
	hold := flag.Bool("hold", false, "fill the profiles, print how to connect, and wait for Ctrl-C instead of measuring")
	flag.Parse()
	b := &bench{rounds: *rounds, only: splitList(*only), sizes: map[string]*profile{}, hold: *hold, loopback: *loopback}
	var err error
	if b.imapctl, err = filepath.Abs(*imapctl); err == nil {
		err = b.main(splitList(*profiles), *delayFlag, *rate)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, f)
	}
	return out
}

type bench struct {
	rounds   int
	only     []string
	imapctl  string
	tools    string // folder of the built helper programs
	srcDir   string // bench/ (for the Python scripts)
	work     string // output folders of every run
	srv      *dovecot.Server
	results  []result
	sizes    map[string]*profile
	notes    []string
	mailUID  int
	mailGID  int
	hold     bool
	loopback bool
	devNull  *os.File
	pyExe    string // the Python interpreter itself (not a pyenv shim)
}

// profile is a mailbox layout to fill and fetch.
type profile struct {
	name      string
	user      dovecot.User
	mailboxes []string
	specs     []gen.Spec // per mailbox
	seed      uint64
	messages  int
	bytes     int64 // total RFC822.SIZE (CRLF)
}

// target is where a contender connects.
type target struct {
	host     string
	port     int
	network  string // "loopback", or the proxy's description
	compress bool
	proxy    *delay.Proxy // counts round trips when set
}

// contender is one tool to measure.
type contender struct {
	name string
	// command returns the command of one run writing into out (a fresh,
	// not yet existing folder).
	command func(p *profile, t target, out string) *exec.Cmd
	// stored counts the messages a run delivered, from its stdout or its
	// output folder.
	stored func(out string, stdout []byte) (int, error)
	// profiles, when set, are the only profiles it runs on.
	profiles []string
	// singleMailbox: it fetches INBOX only, so it skips the wide profile.
	singleMailbox bool
}

type result struct {
	contender string
	profile   string
	network   string
	walls     []time.Duration
	rss       []int64 // KiB
	turns     []int64 // round trips counted by the proxy
	failed    string
}

func (b *bench) main(profileNames []string, oneWay time.Duration, rate int64) error {
	if _, err := exec.LookPath("/usr/bin/time"); err != nil {
		b.notes = append(b.notes, "peak RSS from wait4's rusage (GNU time is not installed): it is at least this Go program's own RSS, because Go starts children with vfork")
	}
	if os.Geteuid() != 0 {
		return errors.New("run as root: the private Dovecot needs it")
	}
	if err := dovecot.Available(); err != nil {
		return err
	}
	mail, err := user.Lookup("mail")
	if err != nil {
		return err
	}
	b.mailUID, _ = strconv.Atoi(mail.Uid)
	b.mailGID, _ = strconv.Atoi(mail.Gid)
	if _, err := os.Stat(b.imapctl); err != nil {
		return fmt.Errorf("imapctl binary: %w (run make build)", err)
	}
	if b.srcDir, err = filepath.Abs("bench"); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(b.srcDir, "imaplib_fetch.py")); err != nil {
		return fmt.Errorf("run from the repository's root: %w", err)
	}
	if b.devNull, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0); err != nil {
		return err
	}
	// "python3" on PATH may be a shim (pyenv's is a shell script that
	// costs ~0.4 s per start on these machines): time the interpreter.
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return fmt.Errorf("python3: %w", err)
	}
	b.pyExe = strings.TrimSpace(string(out))
	b.notes = append(b.notes, "Python: "+b.pyExe+" (resolved from python3 on PATH, run directly)")
	if b.work, err = os.MkdirTemp("", "imapctl-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(b.work)
	b.tools = filepath.Join(b.work, "tools")
	for _, dir := range []string{"runs", "rss"} {
		if err := os.Mkdir(filepath.Join(b.work, dir), 0o755); err != nil {
			return err
		}
	}
	for _, tool := range []string{"rawfetch"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(b.tools, tool), "./bench/"+tool).CombinedOutput()
		if err != nil {
			return fmt.Errorf("go build ./bench/%s: %v\n%s", tool, err, out)
		}
	}

	var opts []dovecot.Option
	opts = append(opts, dovecot.WithCompress(), dovecot.WithUserPool(1))
	for _, name := range profileNames {
		opts = append(opts, dovecot.WithUser("bench-"+name, "bench-"+name+"-password"))
	}
	opts = append(opts, dovecot.WithUser("bench-append", "bench-append-password"))
	b.srv, err = dovecot.New(opts...)
	if err != nil {
		return err
	}
	defer b.srv.Stop()
	logf("dovecot %s, work folder %s", b.srv.PlainAddr(), b.work)

	loop := target{host: b.srv.Host, port: b.srv.PlainPort, network: "loopback"}
	contenders := b.contenders()
	var small *profile
	for _, name := range profileNames {
		p, err := b.fill(name)
		if err != nil {
			return err
		}
		if name == "small" {
			small = p
		}
		if b.hold {
			fmt.Printf("%s: IMAPCTL_HOST=%s IMAPCTL_PORT=%d IMAPCTL_TLS=none IMAPCTL_USER=%s IMAPCTL_PASSWORD=%s\n", name, b.srv.Host, b.srv.PlainPort, p.user.Name, p.user.Password)
			continue
		}
		if !b.loopback {
			continue
		}
		b.runProfile(p, loop, contenders)
		if name == "wide" {
			b.wideNoChange(p, loop)
		}
	}
	if b.hold {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
		<-stop
		return nil
	}
	if small != nil && oneWay > 0 {
		if err := b.proxied(small, oneWay, 0, contenders); err != nil {
			return err
		}
		if rate > 0 {
			if err := b.proxied(small, oneWay, rate, contenders); err != nil {
				return err
			}
		}
	}
	b.startup()
	b.convert()
	b.report(os.Stdout)
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// fill writes a profile's messages straight into the user's Maildir (much
// faster than APPEND), owned by the mail user, then lets Dovecot index them
// with one unmeasured fetch.
func (b *bench) fill(name string) (*profile, error) {
	p := &profile{name: name, user: b.srv.User("bench-" + name)}
	switch name {
	case "small":
		p.seed, p.mailboxes, p.specs = 1, []string{"INBOX"}, gen.Specs(1, 1000, gen.Realistic)
	case "medium":
		p.seed, p.mailboxes, p.specs = 2, []string{"INBOX"}, gen.Specs(2, 10000, gen.Realistic)
	case "big":
		p.seed, p.mailboxes, p.specs = 3, []string{"INBOX"}, []gen.Spec{{Index: 0, Kind: gen.Huge, Size: 200 << 20}}
	case "many":
		// The flat-memory check: RSS must not grow with the
		// number of messages in a mailbox.
		p.seed, p.mailboxes, p.specs = 5, []string{"INBOX"}, gen.Specs(5, 100_000, gen.TextOnly)
	case "wide":
		p.seed = 4
		for i := 1; i <= 100; i++ {
			p.mailboxes = append(p.mailboxes, fmt.Sprintf("Folder%03d", i))
		}
		p.specs = gen.Specs(4, 50, gen.TextOnly)
	default:
		return nil, fmt.Errorf("unknown profile %q (want small, medium, big, wide or many)", name)
	}
	start := time.Now()
	root := b.srv.Maildir(p.user.Name)
	type job struct {
		dir  string
		mb   int
		spec gen.Spec
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				n, err := writeMessage(j.dir, p.seed+uint64(j.mb)*1000003, j.spec)
				mu.Lock()
				p.bytes += n
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for i, mb := range p.mailboxes {
		dir := root
		if mb != "INBOX" {
			dir = filepath.Join(root, "."+mb)
		}
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
				return nil, err
			}
		}
		if mb != "INBOX" {
			if err := os.WriteFile(filepath.Join(dir, "maildirfolder"), nil, 0o600); err != nil {
				return nil, err
			}
		}
		for _, spec := range p.specs {
			jobs <- job{dir: dir, mb: i, spec: spec}
		}
		p.messages += len(p.specs)
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	err := filepath.WalkDir(filepath.Dir(root), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, b.mailUID, b.mailGID)
	})
	if err != nil {
		return nil, err
	}
	if name == "big" {
		f, err := os.Create(filepath.Join(b.work, "big.eml"))
		if err != nil {
			return nil, err
		}
		_, _, err = gen.Write(f, p.seed, p.specs[0])
		if err2 := f.Close(); err == nil {
			err = err2
		}
		if err != nil {
			return nil, err
		}
	}
	logf("%s: wrote %d messages, %.1f MB in %d mailboxes in %v", name, p.messages, float64(p.bytes)/1e6, len(p.mailboxes), time.Since(start).Round(time.Millisecond))
	// Let Dovecot build its index and uidlist before anything is measured.
	start = time.Now()
	cmd := b.raw(p, target{host: b.srv.Host, port: b.srv.PlainPort}, "", "discard", "")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("warm-up fetch of %s: %v\n%s", name, err, out)
	}
	logf("%s: Dovecot indexed it in %v", name, time.Since(start).Round(time.Millisecond))
	return p, nil
}

// writeMessage writes one message into dir/cur with Maildir flags and the
// S= (file size) and W= (CRLF size) fields Dovecot reads from the name.
func writeMessage(dir string, seed uint64, spec gen.Spec) (int64, error) {
	tmp := filepath.Join(dir, "tmp", fmt.Sprintf("bench.%d", spec.Index))
	f, err := os.Create(tmp)
	if err != nil {
		return 0, err
	}
	n, lines, err := gen.Write(f, seed, spec)
	if err == nil {
		err = f.Close()
	} else {
		f.Close()
	}
	if err != nil {
		return 0, err
	}
	flags := ""
	if spec.Index%10 < 7 {
		flags = "S"
	}
	name := fmt.Sprintf("%d.M%dP1.bench,S=%d,W=%d:2,%s", 1700000000+spec.Index, spec.Index, n, n+lines, flags)
	if err := os.Rename(tmp, filepath.Join(dir, "cur", name)); err != nil {
		return 0, err
	}
	return n + lines, nil
}

// raw returns the command of a rawfetch run.
func (b *bench) raw(p *profile, t target, out, mode, syncMode string) *exec.Cmd {
	args := []string{"-addr", fmt.Sprintf("%s:%d", t.host, t.port), "-user", p.user.Name, "-mailboxes", strings.Join(p.mailboxes, ","), "-mode", mode}
	if mode == "files" {
		args = append(args, "-out", out, "-sync", syncMode)
	}
	if t.compress {
		args = append(args, "-compress")
	}
	cmd := exec.Command(filepath.Join(b.tools, "rawfetch"), args...)
	cmd.Env = append(os.Environ(), "BENCH_PASSWORD="+p.user.Password)
	return cmd
}

func (b *bench) imapctlCmd(p *profile, t target, args ...string) *exec.Cmd {
	global := []string{"--host", t.host, "--port", strconv.Itoa(t.port), "--tls", "none", "--user", p.user.Name, "--quiet"}
	cmd := exec.Command(b.imapctl, append(global, args...)...)
	// The environment too: backup's per-account settings (cmd/backup.go
	// backupAccounts) do not see the global flags.
	cmd.Env = append(os.Environ(), "IMAPCTL_PASSWORD="+p.user.Password, "XDG_CONFIG_HOME="+filepath.Join(b.work, "no-config"),
		"IMAPCTL_HOST="+t.host, "IMAPCTL_PORT="+strconv.Itoa(t.port), "IMAPCTL_TLS=none", "IMAPCTL_USER="+p.user.Name)
	return cmd
}

var messagesLine = regexp.MustCompile(`messages (\d+) bytes (\d+)`)

func fromStdout(_ string, stdout []byte) (int, error) {
	m := messagesLine.FindSubmatch(stdout)
	if m == nil {
		return 0, fmt.Errorf("no count in output %q", stdout)
	}
	return strconv.Atoi(string(m[1]))
}

// messageFiles counts files in cur/ and new/ folders (Maildirs) or, for a
// flat folder, every regular file.
func messageFiles(maildir bool) func(out string, _ []byte) (int, error) {
	return func(out string, _ []byte) (int, error) {
		n := 0
		err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			parent := filepath.Base(filepath.Dir(path))
			if !maildir || parent == "cur" || parent == "new" {
				n++
			}
			return nil
		})
		return n, err
	}
}

func (b *bench) contenders() []contender {
	cs := []contender{
		{name: "raw-discard", stored: fromStdout, command: func(p *profile, t target, out string) *exec.Cmd {
			return b.raw(p, t, out, "discard", "")
		}},
		{name: "raw-files (floor)", stored: messageFiles(false), command: func(p *profile, t target, out string) *exec.Cmd {
			return b.raw(p, t, out, "files", "syncfs")
		}},
		{name: "raw-files-fsync-each", stored: messageFiles(false), command: func(p *profile, t target, out string) *exec.Cmd {
			return b.raw(p, t, out, "files", "each")
		}},
		{name: "imapctl fetch >/dev/null (mboxrd)", stored: func(string, []byte) (int, error) { return -1, nil }, singleMailbox: true, command: func(p *profile, t target, out string) *exec.Cmd {
			cmd := b.imapctlCmd(p, t, "fetch", p.mailboxes[0])
			cmd.Stdout = b.devNull
			return cmd
		}},
		{name: "imapctl fetch", stored: messageFiles(true), command: func(p *profile, t target, out string) *exec.Cmd {
			if len(p.mailboxes) == 1 {
				return b.imapctlCmd(p, t, "fetch", p.mailboxes[0], "--out", out, "--format", "maildir")
			}
			// Several mailboxes: one command per mailbox, as a user would
			// script it.
			cmd := b.imapctlCmd(p, t)
			script := `set -e; bin=$1; shift; out=$1; shift; while [ "$1" != -- ]; do g="$g $1"; shift; done; shift
for m in "$@"; do "$bin" $g fetch "$m" --out "$out/$m" --format maildir; done`
			args := append([]string{"-c", script, "sh", b.imapctl, out}, cmd.Args[1:]...)
			args = append(append(args, "--"), p.mailboxes...)
			sh := exec.Command("sh", args...)
			sh.Env = cmd.Env
			return sh
		}},
	}
	if out, err := exec.Command(b.imapctl, "backup", "--help").CombinedOutput(); err == nil && bytes.Contains(out, []byte("--out")) {
		cs = append(cs, contender{name: "imapctl backup", stored: messageFiles(true), command: func(p *profile, t target, out string) *exec.Cmd {
			return b.imapctlCmd(p, t, "backup", "--out", out)
		}})
	} else {
		b.notes = append(b.notes, "imapctl backup: skipped, this imapctl has no backup command (`imapctl backup --help` failed)")
	}
	cs = append(cs, contender{name: "imapctl append (of the 200 MB message)", profiles: []string{"big"}, stored: func(string, []byte) (int, error) { return -1, nil },
		command: func(p *profile, t target, out string) *exec.Cmd {
			// Into another account, so the profile's mailbox stays as it is.
			user := b.srv.User("bench-append")
			cmd := b.imapctlCmd(&profile{user: user}, t, "append", "INBOX", filepath.Join(b.work, "big.eml"))
			cmd.Stdout = b.devNull
			return cmd
		}})
	cs = append(cs, contender{name: "imapctl append (the 1,000 messages, pipelined)", profiles: []string{"small"}, stored: func(string, []byte) (int, error) { return -1, nil },
		command: func(p *profile, t target, out string) *exec.Cmd {
			// The profile's own Maildir is the input (nothing else runs
			// meanwhile); into another account, so the profile's mailbox
			// stays as it is.
			cmd := b.imapctlCmd(&profile{user: b.srv.User("bench-append")}, t, "append", "INBOX", b.srv.Maildir(p.user.Name))
			cmd.Stdout = b.devNull
			return cmd
		}})
	cs = append(cs,
		contender{name: "imaplib seed (FETCH per msg)", stored: fromStdout, command: func(p *profile, t target, out string) *exec.Cmd {
			return b.python(p, t, "seed")
		}},
		contender{name: "imaplib batch (one UID FETCH)", stored: fromStdout, command: func(p *profile, t target, out string) *exec.Cmd {
			return b.python(p, t, "batch")
		}},
	)
	if path, err := exec.LookPath("mbsync"); err == nil {
		version, _ := exec.Command(path, "--version").Output()
		b.notes = append(b.notes, "mbsync: "+strings.TrimSpace(string(version))+", default FSync yes, PipelineDepth unlimited")
		cs = append(cs, contender{name: "mbsync", stored: messageFiles(true), command: func(p *profile, t target, out string) *exec.Cmd {
			return b.mbsync(p, t, out)
		}})
	} else {
		b.notes = append(b.notes, "mbsync: skipped, not installed (Debian package isync)")
	}
	if len(b.only) > 0 {
		cs = slices.DeleteFunc(cs, func(c contender) bool {
			return !slices.ContainsFunc(b.only, func(o string) bool { return strings.HasPrefix(c.name, o) })
		})
	}
	return cs
}

func (b *bench) python(p *profile, t target, mode string) *exec.Cmd {
	args := append([]string{filepath.Join(b.srcDir, "imaplib_fetch.py"), t.host, strconv.Itoa(t.port), p.user.Name, mode}, p.mailboxes...)
	cmd := exec.Command(b.pyExe, args...)
	cmd.Env = append(os.Environ(), "BENCH_PASSWORD="+p.user.Password)
	return cmd
}

// mbsync writes a configuration into out and syncs every mailbox of the
// profile into out/mail (Maildir, mbsync's default FSync yes).
func (b *bench) mbsync(p *profile, t target, out string) *exec.Cmd {
	patterns := strings.Join(p.mailboxes, " ")
	conf := fmt.Sprintf(`IMAPAccount bench
Host %s
Port %d
User %s
PassCmd "printenv BENCH_PASSWORD"
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path %s/mail/
Inbox %s/mail/INBOX
SubFolders Verbatim

Channel bench
Far :remote:
Near :local:
Patterns %s
Create Near
Sync Pull
Expunge None
SyncState *
`, t.host, t.port, p.user.Name, out, out, patterns)
	script := `mkdir -p "$1/mail" && printf '%s' "$2" > "$1/mbsyncrc" && exec mbsync -q -c "$1/mbsyncrc" bench`
	cmd := exec.Command("sh", "-c", script, "sh", out, conf)
	cmd.Env = append(os.Environ(), "BENCH_PASSWORD="+p.user.Password)
	return cmd
}

// runProfile runs every contender rounds times, interleaved.
func (b *bench) runProfile(p *profile, t target, contenders []contender) {
	timeBin, _ := exec.LookPath("/usr/bin/time")
	contenders = slices.DeleteFunc(slices.Clone(contenders), func(c contender) bool {
		return (len(c.profiles) > 0 && !slices.Contains(c.profiles, p.name)) || (c.singleMailbox && len(p.mailboxes) > 1)
	})
	res := make([]*result, len(contenders))
	for i, c := range contenders {
		res[i] = &result{contender: c.name, profile: p.name, network: t.network}
	}
	for round := 1; round <= b.rounds; round++ {
		for i, c := range contenders {
			r := res[i]
			if r.failed != "" {
				continue
			}
			out := filepath.Join(b.work, "runs", fmt.Sprintf("%s-%s-%d-%d", p.name, slug(t.network), round, i))
			cmd := c.command(p, t, out)
			rssFile := filepath.Join(b.work, "rss", filepath.Base(out))
			if timeBin != "" {
				// GNU time forks a small process before exec, so the peak
				// RSS it reports is the tool's own. (The rusage of a child
				// of this Go program starts at this program's RSS: Go
				// starts children with vfork, and exec keeps the old
				// memory's high-water mark.)
				wrapped := exec.Command(timeBin, append([]string{"-f", "%M", "-o", rssFile, cmd.Path}, cmd.Args[1:]...)...)
				wrapped.Env, wrapped.Stdout = cmd.Env, cmd.Stdout
				cmd = wrapped
			}
			var stdout, stderr bytes.Buffer
			if cmd.Stdout == nil {
				cmd.Stdout = &stdout
			}
			cmd.Stderr = &stderr
			if t.proxy != nil {
				t.proxy.ResetTurns()
			}
			start := time.Now()
			err := cmd.Run()
			wall := time.Since(start)
			if t.proxy != nil {
				r.turns = append(r.turns, t.proxy.Turns())
			}
			if err != nil {
				r.failed = fmt.Sprintf("%v: %s", err, firstLine(stderr.String()))
				logf("%s %s %s: FAILED %s", p.name, t.network, c.name, r.failed)
				continue
			}
			n, err := c.stored(out, stdout.Bytes())
			if err == nil && n >= 0 && n != p.messages {
				err = fmt.Errorf("stored %d messages, want %d", n, p.messages)
			}
			if err != nil {
				r.failed = err.Error()
				logf("%s %s %s: FAILED %s", p.name, t.network, c.name, r.failed)
				continue
			}
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
			if timeBin != "" {
				data, _ := os.ReadFile(rssFile)
				if rss, err = strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err != nil {
					r.failed = fmt.Sprintf("/usr/bin/time output %q: %v", data, err)
					continue
				}
			}
			r.walls = append(r.walls, wall)
			r.rss = append(r.rss, rss)
			logf("%s %s round %d %-30s %8.3fs %7.1f MiB", p.name, t.network, round, c.name, wall.Seconds(), float64(rss)/1024)
		}
	}
	for _, r := range res {
		b.results = append(b.results, *r)
	}
	b.sizes[p.name] = p
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// proxied runs the small profile through the delay proxy.
func (b *bench) proxied(p *profile, oneWay time.Duration, rate int64, contenders []contender) error {
	proxy := &delay.Proxy{Target: b.srv.PlainAddr(), OneWay: oneWay, BytesPerSecond: rate}
	addr, err := proxy.Listen()
	if err != nil {
		return err
	}
	defer proxy.Close()
	_, portText, _ := strings.Cut(addr, ":")
	port, _ := strconv.Atoi(portText)
	network := fmt.Sprintf("%v RTT", 2*oneWay)
	if rate > 0 {
		network += fmt.Sprintf(", %d Mbit/s", rate*8/1_000_000)
	}
	t := target{host: "127.0.0.1", port: port, network: network, proxy: proxy}
	var selected []contender
	for _, c := range contenders {
		// Over a slow link only the transfer matters: keep the raw pair
		// and imapctl.
		if rate > 0 && !strings.HasPrefix(c.name, "raw-discard") && !strings.HasPrefix(c.name, "imapctl fetch") {
			continue
		}
		// The floor for files stays, so that imapctl's Maildir writes can
		// be told apart from the network.
		if strings.HasPrefix(c.name, "raw-files-fsync") || (rate > 0 && strings.HasPrefix(c.name, "raw-files")) {
			continue
		}
		selected = append(selected, c)
	}
	compressed := contender{name: "raw-discard COMPRESS", stored: fromStdout, command: func(p *profile, t target, out string) *exec.Cmd {
		t.compress = true
		return b.raw(p, t, out, "discard", "")
	}}
	selected = append(selected, compressed)
	b.runProfile(p, t, selected)
	return nil
}

// wideNoChange counts the round trips of an imapctl backup of the wide
// profile when nothing changed since the previous backup: from the protocol
// trace (--debug 4: runs of client lines after server lines) and from the
// delay proxy's count of client turns.
func (b *bench) wideNoChange(p *profile, loop target) {
	if !slices.ContainsFunc(b.notes, func(s string) bool { return strings.HasPrefix(s, "imapctl backup: skipped") }) {
		proxy := &delay.Proxy{Target: b.srv.PlainAddr(), OneWay: time.Millisecond}
		addr, err := proxy.Listen()
		if err != nil {
			b.notes = append(b.notes, "wide no-change round trips: "+err.Error())
			return
		}
		defer proxy.Close()
		_, portText, _ := strings.Cut(addr, ":")
		port, _ := strconv.Atoi(portText)
		t := target{host: "127.0.0.1", port: port}
		out := filepath.Join(b.work, "runs", "wide-nochange")
		if err := b.imapctlCmd(p, loop, "backup", "--out", out).Run(); err != nil {
			b.notes = append(b.notes, "wide no-change round trips: first backup failed: "+err.Error())
			return
		}
		proxy.ResetTurns()
		// IMAPCTL_DEBUG, not --debug: backup's per-account settings do not
		// see the global flags (cmd/backup.go accountFactory).
		cmd := b.imapctlCmd(p, t, "backup", "--out", out)
		cmd.Env = append(cmd.Env, "IMAPCTL_DEBUG=4")
		var trace bytes.Buffer
		cmd.Stderr = &trace
		start := time.Now()
		err = cmd.Run()
		wall := time.Since(start)
		if err != nil {
			b.notes = append(b.notes, fmt.Sprintf("wide no-change round trips: second backup failed: %v: %s", err, firstLine(trace.String())))
			return
		}
		commands, flights := traceFlights(trace.Bytes())
		b.notes = append(b.notes, fmt.Sprintf("wide (100 mailboxes), imapctl backup with no changes: %d commands sent in %d client flights after the greeting by the trace, %d round trips counted by the proxy (target ≤ 2 per mailbox = 200), %.0f ms at 2 ms RTT",
			commands, flights, proxy.Turns(), wall.Seconds()*1000))
		os.WriteFile(filepath.Join(b.work, "wide-nochange.trace"), trace.Bytes(), 0o644)
		if dst := os.Getenv("BENCH_KEEP_TRACE"); dst != "" {
			os.WriteFile(dst, trace.Bytes(), 0o644)
		}
	}
}

// traceFlights reads an imapctl --debug 4 trace: it counts the commands
// (C: lines with a tag) and the runs of C: lines that follow S: lines
// (flights the client sent after hearing from the server).
func traceFlights(trace []byte) (commands, flights int) {
	sc := bufio.NewScanner(bytes.NewReader(trace))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lastServer := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, "C: "):
			commands++
			if lastServer {
				flights++
			}
			lastServer = false
		case strings.Contains(line, "S: "):
			lastServer = true
		}
	}
	return commands, flights
}

// startup measures `imapctl version` (median of 21 runs).
func (b *bench) startup() {
	var walls []time.Duration
	for range 21 {
		cmd := exec.Command(b.imapctl, "version")
		cmd.Stdout = io.Discard
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.notes = append(b.notes, "imapctl version: "+err.Error())
			return
		}
		walls = append(walls, time.Since(start))
	}
	b.notes = append(b.notes, fmt.Sprintf("`imapctl version` start-up: median %.1f ms of 21 runs (min %.1f ms; target < 15 ms)", ms(median(walls)), ms(slices.Min(walls))))
}

// convert compares `imapctl convert --policy default` with Python's
// BytesParser + BytesGenerator on the corpus, median of 5 runs each: one
// pass over the corpus per process, and ten passes (the file list
// repeated) in one process, where start-up weighs less. Both write to
// /dev/null.
func (b *bench) convert() {
	var files []string
	filepath.WalkDir("testdata/corpus", func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	if len(files) == 0 {
		b.notes = append(b.notes, "convert: no corpus in testdata/corpus")
		return
	}
	all := filepath.Join(b.work, "corpus-all")
	listing := filepath.Join(b.work, "corpus-files")
	os.WriteFile(all, []byte(strings.Join(files, "\n")), 0o644)
	// Time both on the files Python can write (it raises on a few).
	script := filepath.Join(b.srcDir, "convert_python.py")
	if out, err := exec.Command(b.pyExe, script, all, listing).CombinedOutput(); err != nil {
		b.notes = append(b.notes, fmt.Sprintf("convert: python failed: %v: %s", err, firstLine(string(out))))
		return
	}
	ok, _ := os.ReadFile(listing)
	skipped := len(files)
	files = strings.Split(string(ok), "\n")
	skipped -= len(files)
	// The one-time costs (process start, first touch of memory, Python's
	// interpreter and imports) cancel out of the difference between the
	// two workloads: the cost of one more pass over the corpus.
	var goOne, loopOne time.Duration
	for _, passes := range []int{1, 10} {
		var list []string
		for range passes {
			list = append(list, files...)
		}
		passListing := filepath.Join(b.work, fmt.Sprintf("corpus-%d", passes))
		os.WriteFile(passListing, []byte(strings.Join(list, "\n")), 0o644)
		var goWalls, goCPUs, pyWalls, pyLoops []time.Duration
		for range 5 {
			cmd := exec.Command(b.imapctl, append([]string{"--policy", "default", "convert"}, list...)...)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = b.devNull, &stderr
			start := time.Now()
			err := cmd.Run()
			goWalls = append(goWalls, time.Since(start))
			var exit *exec.ExitError
			if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 6) {
				b.notes = append(b.notes, fmt.Sprintf("convert: imapctl failed: %v: %s", err, firstLine(stderr.String())))
				return
			}
			goCPUs = append(goCPUs, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
			cmd = exec.Command(b.pyExe, script, passListing)
			start = time.Now()
			out, err := cmd.Output()
			pyWalls = append(pyWalls, time.Since(start))
			if err != nil {
				b.notes = append(b.notes, "convert: python failed: "+err.Error())
				return
			}
			seconds, _ := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
			pyLoops = append(pyLoops, time.Duration(seconds*float64(time.Second)))
		}
		g, cpu, py, loop := median(goWalls), median(goCPUs), median(pyWalls), median(pyLoops)
		if passes == 1 {
			goOne, loopOne = g, loop
		} else {
			goPass, pyPass := (g-goOne)/time.Duration(passes-1), (loop-loopOne)/time.Duration(passes-1)
			defer func() {
				b.notes = append(b.notes, fmt.Sprintf("convert, one more pass over the corpus (10-pass minus 1-pass medians, ÷ 9): imapctl %.1f ms, Python's loop %.1f ms: %.1fx (target ≥ 20x)",
					ms(goPass), ms(pyPass), float64(pyPass)/float64(goPass)))
			}()
		}
		b.notes = append(b.notes, fmt.Sprintf("convert, %d corpus files (%d that Python cannot write left out) × %d pass(es) in one process, policy default: imapctl %.1f ms whole process (CPU %.1f ms); Python BytesParser+BytesGenerator %.1f ms whole process, %.1f ms in its loop; speed-up %.1fx by process, %.1fx against Python's loop alone (target ≥ 20x)",
			len(files), skipped, passes, ms(g), ms(cpu), ms(py), ms(loop), float64(py)/float64(g), float64(loop)/float64(g)))
	}
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }

func median[T cmp.Ordered](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// report prints the table and the notes as Markdown.
func (b *bench) report(w io.Writer) {
	fmt.Fprintln(w, "| tool | profile | network | wall median | MB/s | msgs/s | peak RSS | × raw floor | × mbsync | runs |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|---:|---|")
	find := func(r result, name string) time.Duration {
		for _, o := range b.results {
			if o.profile == r.profile && o.network == r.network && o.contender == name && len(o.walls) > 0 {
				return median(o.walls)
			}
		}
		return 0
	}
	for _, r := range b.results {
		if r.failed != "" && len(r.walls) == 0 {
			fmt.Fprintf(w, "| %s | %s | %s | failed: %s | | | | | | |\n", r.contender, r.profile, r.network, strings.ReplaceAll(r.failed, "|", "/"))
			continue
		}
		p := b.sizes[r.profile]
		wall := median(r.walls)
		ratio := func(name string) string {
			if base := find(r, name); base > 0 {
				return fmt.Sprintf("%.2f", float64(wall)/float64(base))
			}
			return "–"
		}
		floor := "raw-files (floor)"
		if r.network != "loopback" {
			floor = "raw-discard"
		}
		walls := make([]string, len(r.walls))
		for i, d := range r.walls {
			walls[i] = fmt.Sprintf("%.2f", d.Seconds())
		}
		rate := float64(p.messages) / wall.Seconds()
		msgs := fmt.Sprintf("%.0f", rate)
		if rate < 10 {
			msgs = fmt.Sprintf("%.2f", rate)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.2f s | %.1f | %s | %.1f MiB | %s | %s | %s |\n",
			r.contender, r.profile, r.network, wall.Seconds(),
			float64(p.bytes)/1e6/wall.Seconds(), msgs,
			float64(slices.Max(r.rss))/1024, ratio(floor), ratio("mbsync"), strings.Join(walls, " "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "× raw floor: against raw-files (floor) on loopback, against raw-discard through the proxy. Peak RSS: the largest of the runs.")
	fmt.Fprintln(w)
	for _, r := range b.results {
		if len(r.turns) > 0 && r.failed == "" {
			fmt.Fprintf(w, "- round trips through the proxy (%s, %s): %s: %d\n", r.profile, r.network, r.contender, median(r.turns))
		}
	}
	for _, n := range b.notes {
		fmt.Fprintln(w, "- "+n)
	}
}

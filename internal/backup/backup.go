package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/policy"
)

// Account is one IMAP account to back up, verify or check.
type Account struct {
	// Name is the account's folder in the backup: the config file's
	// account name, or user@host.
	Name string
	User string
	Host string
	// Connect returns a new logged-in client. Each concurrent job gets
	// its own connection; the caller of Run closes nothing.
	Connect func(ctx context.Context) (*imap.Client, error)
}

// UIDVALIDITY change strategies (RFC 3501 §2.3.1.1: a new UIDVALIDITY
// means the old UIDs mean nothing any more).
const (
	// OnUIDValidityKeep moves the old copy to a dated folder and fetches
	// the mailbox again.
	OnUIDValidityKeep = "keep"
	// OnUIDValidityRefetch deletes the old copy and fetches again.
	OnUIDValidityRefetch = "refetch"
	// OnUIDValidityFail leaves the old copy and fails the mailbox.
	OnUIDValidityFail = "fail"
)

// Options configure Run.
type Options struct {
	// Dir is the backup folder.
	Dir      string
	Accounts []Account
	// Mailboxes are patterns of mailboxes to back up (IMAP LIST
	// wildcards: '*' matches anything, '%' anything but the delimiter);
	// none means all. Exclude removes matches.
	Mailboxes []string
	Exclude   []string
	// Format is maildir (default), mbox or eml.
	Format string
	// Policy writes each message (default raw with "\n"); PolicySpec is
	// its spec, recorded in the state file.
	Policy     *policy.Policy
	PolicySpec string
	// Jobs is the number of connections per account (default 1).
	Jobs int
	// OnUIDValidityChange is keep (default), refetch or fail.
	OnUIDValidityChange string
	// Prune removes messages deleted on the server from the backup.
	Prune bool
	// Warn reports a warning (one line, no prefix); nil discards.
	Warn func(format string, args ...any)
	// Notice reports what the user must see even in a quiet run: a
	// UIDVALIDITY change (RFC 3501 §2.3.1.1), after which the old copy is
	// moved aside or deleted and the mailbox fetched again. Nil uses Warn.
	Notice func(format string, args ...any)
	// Now is the clock (for the dated folder of a UIDVALIDITY change).
	Now func() time.Time
	// BatchMessages and BatchBytes bound a group commit (defaults 256
	// messages, 32 MiB).
	BatchMessages int
	BatchBytes    int64

	// crashPoint, in tests, is called at each step that must survive a
	// crash right after it (the crash test kills the process there).
	crashPoint func(step string)
}

// Failure is one message or mailbox that could not be backed up.
type Failure struct {
	Account string `json:"account"`
	Mailbox string `json:"mailbox"`
	// UID is 0 when the whole mailbox failed, or when the server sent
	// the message without its UID: then SeqNum is its sequence number.
	UID    uint32 `json:"uid,omitempty"`
	SeqNum uint32 `json:"seq,omitempty"`
	Error  string `json:"error"`
}

// IsMessage reports whether the failure is one message's, not a
// mailbox's or an account's.
func (f Failure) IsMessage() bool { return f.UID != 0 || f.SeqNum != 0 }

func (f Failure) String() string {
	if f.UID == 0 {
		return fmt.Sprintf("%s: %s: %s", f.Account, f.Mailbox, f.Error)
	}
	return fmt.Sprintf("%s: %s: UID %d: %s", f.Account, f.Mailbox, f.UID, f.Error)
}

// Summary is what a backup run did.
type Summary struct {
	Accounts  int `json:"accounts"`
	Mailboxes int `json:"mailboxes"`
	// Changed is the number of mailboxes that needed more than STATUS.
	Changed     int           `json:"changed_mailboxes"`
	NewMessages int           `json:"new_messages"`
	Bytes       int64         `json:"bytes"`
	FlagUpdates int           `json:"flag_updates"`
	Pruned      int           `json:"pruned"`
	Lossy       int           `json:"lossy"`
	Failures    []Failure     `json:"failures,omitempty"`
	Duration    time.Duration `json:"-"`
	Seconds     float64       `json:"seconds"`
	// MailboxReports has one entry per mailbox, in the order finished.
	MailboxReports []MailboxReport `json:"mailbox_reports"`
}

// MailboxReport is what a run did to one mailbox.
type MailboxReport struct {
	Account string `json:"account"`
	Mailbox string `json:"mailbox"`
	// Folder is the mailbox's folder relative to the backup folder.
	Folder string `json:"folder"`
	// SpecialUse lists the mailbox's RFC 6154 special-use attributes.
	SpecialUse  []string `json:"special_use,omitempty"`
	Changed     bool     `json:"changed"`
	Messages    int      `json:"messages"`
	New         int      `json:"new"`
	FlagUpdates int      `json:"flag_updates"`
	Pruned      int      `json:"pruned"`
	Error       string   `json:"error,omitempty"`
}

// specialUse are the RFC 6154 (and RFC 8457 \Important) attributes.
var specialUse = []string{`\All`, `\Archive`, `\Drafts`, `\Flagged`, `\Junk`, `\Sent`, `\Trash`, `\Important`}

// PartialError says some messages or mailboxes failed; the rest is
// backed up.
type PartialError struct {
	Failures []Failure
}

func (e *PartialError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d failed:", len(e.Failures))
	for i, f := range e.Failures {
		if i == 20 {
			fmt.Fprintf(&b, "\n... and %d more", len(e.Failures)-20)
			break
		}
		b.WriteString("\n" + f.String())
	}
	return b.String()
}

// PolicyMismatchError reports a mailbox folder backed up under another
// policy than this run's. A folder keeps the policy it was created with:
// its state's line separator is what verify and restore use to put every
// stored file back to the server's CRLF (RFC 5322 §2.1), so files written
// under two policies could not all be checked or restored.
type PolicyMismatchError struct {
	// Folder is the mailbox folder; Recorded its policy spec, Requested
	// this run's.
	Folder              string
	Recorded, Requested string
}

func (e *PolicyMismatchError) Error() string {
	return fmt.Sprintf("backup: folder %s was backed up under --policy %q, not %q; a backup folder keeps its policy", e.Folder, e.Recorded, e.Requested)
}

// checkPolicies refuses the run, before anything is written, when a
// mailbox folder it would update was backed up under another policy.
// Folders of mailboxes the run leaves out (--mailbox, --exclude) do not
// matter.
func checkPolicies(opts *Options) error {
	for _, acct := range opts.Accounts {
		acctDir := filepath.Join(opts.Dir, EscapeName(acct.Name))
		if _, err := os.Stat(acctDir); errors.Is(err, os.ErrNotExist) {
			continue
		}
		mailboxes, err := BackupMailboxes(acctDir)
		if err != nil {
			return err
		}
		for _, mb := range mailboxes {
			st := mb.State
			if st.Policy == "" || st.Policy == opts.PolicySpec {
				continue
			}
			if len(opts.Mailboxes) > 0 && !slices.ContainsFunc(opts.Mailboxes, func(p string) bool { return MatchPattern(p, st.Mailbox, st.Delimiter) }) {
				continue
			}
			if slices.ContainsFunc(opts.Exclude, func(p string) bool { return MatchPattern(p, st.Mailbox, st.Delimiter) }) {
				continue
			}
			return &PolicyMismatchError{Folder: mb.Dir, Recorded: st.Policy, Requested: opts.PolicySpec}
		}
	}
	return nil
}

// UIDValidityError reports a mailbox whose UIDVALIDITY changed under
// OnUIDValidityFail.
type UIDValidityError struct {
	Mailbox  string
	Old, New uint32
}

func (e *UIDValidityError) Error() string {
	return fmt.Sprintf("UIDVALIDITY changed from %d to %d; backup left as it was (--on-uidvalidity-change keep or refetch to fetch again)", e.Old, e.New)
}

func (o *Options) defaults() error {
	if o.Format == "" {
		o.Format = FormatMaildir
	}
	switch o.Format {
	case FormatMaildir, FormatMbox, FormatEML:
	default:
		return fmt.Errorf("backup: unknown format %q (want maildir, mbox or eml)", o.Format)
	}
	if o.Policy == nil {
		p, err := policy.ParseSpec("raw", nil)
		if err != nil {
			return err
		}
		o.Policy, o.PolicySpec = p, "raw"
	}
	if o.Jobs <= 0 {
		o.Jobs = 1
	}
	switch o.OnUIDValidityChange {
	case "":
		o.OnUIDValidityChange = OnUIDValidityKeep
	case OnUIDValidityKeep, OnUIDValidityRefetch, OnUIDValidityFail:
	default:
		return fmt.Errorf("backup: --on-uidvalidity-change %q (want keep, refetch or fail)", o.OnUIDValidityChange)
	}
	if o.Warn == nil {
		o.Warn = func(string, ...any) {}
	}
	if o.Notice == nil {
		o.Notice = o.Warn
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BatchMessages <= 0 {
		o.BatchMessages = 256
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 32 << 20
	}
	if o.crashPoint == nil {
		o.crashPoint = func(string) {}
	}
	return nil
}

// Run backs up every account of opts into opts.Dir under its lock. It
// returns a *PartialError (with the summary) when some messages or
// mailboxes failed, and other errors when nothing could be done.
func Run(ctx context.Context, opts Options) (*Summary, error) {
	start := time.Now()
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	lock, err := AcquireLock(opts.Dir)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	if err := checkPolicies(&opts); err != nil {
		return nil, err
	}
	sum := &Summary{}
	r := &runner{opts: opts, sum: sum}
	var firstErr error
	var lost *ConnectionLostError
	for _, acct := range opts.Accounts {
		if err := r.account(ctx, acct); err != nil {
			if ctx.Err() != nil {
				return sum, ctx.Err()
			}
			var l *ConnectionLostError
			if errors.As(err, &l) {
				// The first account that lost its connection is the
				// run's error; a later one is named among the failures.
				if lost == nil {
					lost = l
				} else {
					r.fail(Failure{Account: acct.Name, Mailbox: l.Mailbox, Error: strings.TrimPrefix(l.Error(), acct.Name+": ")})
				}
				sum.Accounts++
				continue
			}
			if firstErr == nil {
				firstErr = err
			}
			r.fail(Failure{Account: acct.Name, Error: err.Error()})
		}
		sum.Accounts++
	}
	sum.Duration = time.Since(start)
	sum.Seconds = sum.Duration.Seconds()
	if lost != nil {
		lost.Failures = sum.Failures
		return sum, lost
	}
	if len(opts.Accounts) == 1 && firstErr != nil && sum.Mailboxes == 0 {
		return sum, firstErr
	}
	if len(sum.Failures) > 0 {
		return sum, &PartialError{Failures: sum.Failures}
	}
	return sum, nil
}

// ConnectionLostError says an account's connection broke during the run
// (an *imap.AbortError: the server closed it, said BYE, or the network
// failed). The account got no more work; what was committed before stays,
// and the next run resumes from there. Run returns it rather than a
// *PartialError even when other messages failed too: a lost connection
// calls for running again, which also names the failures that remain.
type ConnectionLostError struct {
	Account string
	// Mailbox is the mailbox being backed up when the connection broke
	// ("" while listing the mailboxes).
	Mailbox string
	// Left is the number of the account's mailboxes not backed up (the
	// one being backed up included).
	Left int
	// Err is the *imap.AbortError (exit status 4).
	Err error
	// Failures are the run's other failures, as in Summary.Failures.
	Failures []Failure
}

func (e *ConnectionLostError) Error() string {
	where := ""
	if e.Mailbox != "" {
		where = " during " + e.Mailbox
	}
	mailboxes := "mailboxes"
	if e.Left == 1 {
		mailboxes = "mailbox"
	}
	return fmt.Sprintf("%s: connection lost%s (%v); %d %s left for the next run", e.Account, where, e.Err, e.Left, mailboxes)
}

// Unwrap returns the *imap.AbortError.
func (e *ConnectionLostError) Unwrap() error { return e.Err }

// connectionLost reports whether err means c can no longer be used.
func connectionLost(c *imap.Client, err error) bool {
	var abort *imap.AbortError
	return errors.As(err, &abort) || (err != nil && c.Err() != nil)
}

// abortError is the *imap.AbortError behind err, a failure of c's
// connection: the client's own when err (say a literal's read error) is
// not one.
func abortError(c *imap.Client, err error) error {
	var abort *imap.AbortError
	if errors.As(err, &abort) {
		return abort
	}
	if cerr := c.Err(); cerr != nil {
		return cerr
	}
	return &imap.AbortError{Err: err}
}

// readBroken reports whether err, met while reading a message's literal
// inside a FETCH callback, is the connection breaking rather than the
// message failing: the client marks itself aborted only once the callback
// has returned, so the read's own error is looked at too. A literal ends
// early only when the connection does.
func readBroken(c *imap.Client, err error) bool {
	var opErr *net.OpError
	return connectionLost(c, err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &opErr)
}

// runner holds one run's shared state.
type runner struct {
	opts Options
	mu   sync.Mutex
	sum  *Summary
}

func (r *runner) fail(f Failure) {
	r.mu.Lock()
	r.sum.Failures = append(r.sum.Failures, f)
	r.mu.Unlock()
}

func (r *runner) add(fn func(s *Summary)) {
	r.mu.Lock()
	fn(r.sum)
	r.mu.Unlock()
}

// work is one mailbox to sync.
type work struct {
	list   *imap.ListMailbox
	status *imap.MailboxStatus
}

// statusItems are the STATUS items (RFC 3501 §6.3.10, RFC 7162 §3.1.6)
// that tell whether a mailbox changed.
func statusItems(condstore bool) []string {
	items := []string{"MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"}
	if condstore {
		items = append(items, "HIGHESTMODSEQ")
	}
	return items
}

// ListMailboxes lists the selectable mailboxes of c that match the
// patterns (all when none) and none of exclude.
func ListMailboxes(ctx context.Context, c *imap.Client, patterns, exclude []string) ([]*imap.ListMailbox, error) {
	return listMailboxes(ctx, c, patterns, exclude, nil)
}

// listMailboxes is ListMailboxes with LIST options (nil for none).
func listMailboxes(ctx context.Context, c *imap.Client, patterns, exclude []string, opts *imap.ListOptions) ([]*imap.ListMailbox, error) {
	list, err := c.List(ctx, "", "*", opts)
	if err != nil {
		return nil, err
	}
	var out []*imap.ListMailbox
	for _, m := range list {
		if m.HasAttribute(`\Noselect`) || m.HasAttribute(`\NonExistent`) {
			continue
		}
		if len(patterns) > 0 && !slices.ContainsFunc(patterns, func(p string) bool { return MatchPattern(p, m.Name, m.Delimiter) }) {
			continue
		}
		if slices.ContainsFunc(exclude, func(p string) bool { return MatchPattern(p, m.Name, m.Delimiter) }) {
			continue
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// MatchPattern matches a mailbox name against an IMAP LIST pattern
// (RFC 3501 §6.3.8): '*' matches any run of characters, '%' any run
// without the hierarchy delimiter. INBOX matches case-insensitively.
func MatchPattern(pattern, name, delimiter string) bool {
	if strings.EqualFold(pattern, "INBOX") {
		return strings.EqualFold(name, "INBOX")
	}
	if pattern == "" {
		return name == ""
	}
	switch pattern[0] {
	case '*', '%':
		for i := 0; i <= len(name); i++ {
			if MatchPattern(pattern[1:], name[i:], delimiter) {
				return true
			}
			if i < len(name) && pattern[0] == '%' && delimiter != "" && strings.HasPrefix(name[i:], delimiter) {
				return false
			}
		}
		return false
	}
	return name != "" && name[0] == pattern[0] && MatchPattern(pattern[1:], name[1:], delimiter)
}

// statusAll asks STATUS of every mailbox whose LIST brought none
// (LIST-STATUS), pipelined: one goroutine per command, at most 32 in
// flight.
func statusAll(ctx context.Context, c *imap.Client, list []*imap.ListMailbox, items []string) ([]*imap.MailboxStatus, []error) {
	out := make([]*imap.MailboxStatus, len(list))
	errs := make([]error, len(list))
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i, m := range list {
		if m.Status != nil {
			out[i] = m.Status
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i], errs[i] = c.Status(ctx, m.Name, items)
		}()
	}
	wg.Wait()
	return out, errs
}

// account syncs one account with opts.Jobs connections.
func (r *runner) account(ctx context.Context, acct Account) error {
	c, err := acct.Connect(ctx)
	if err != nil {
		return err
	}
	defer logout(c)
	acctDir := filepath.Join(r.opts.Dir, EscapeName(acct.Name))
	if err := os.MkdirAll(acctDir, 0o700); err != nil {
		return err
	}
	// A run killed while replacing the account file left its temp file.
	if err := removeTempFiles(acctDir, ""); err != nil {
		return err
	}
	info, _ := json.MarshalIndent(AccountInfo{Account: acct.Name, User: acct.User, Host: acct.Host}, "", "  ")
	info = append(info, '\n')
	// Rewritten (two fsyncs) only when it says something new.
	if old, err := os.ReadFile(filepath.Join(acctDir, AccountFileName)); err != nil || !bytes.Equal(old, info) {
		if err := writeFileAtomic(filepath.Join(acctDir, AccountFileName), info, r.opts.crashPoint); err != nil {
			return err
		}
	}
	condstore := c.Has(ctx, "CONDSTORE")
	items := statusItems(condstore)
	// With LIST-STATUS (RFC 5819) the STATUS of every mailbox comes with
	// the LIST: one round trip instead of two. An extended LIST returns
	// the special-use attributes only when asked (RFC 6154 §5.2).
	list, err := listMailboxes(ctx, c, r.opts.Mailboxes, r.opts.Exclude, &imap.ListOptions{Status: items, ReturnSpecialUse: true})
	if err != nil {
		return err
	}
	statuses, errs := statusAll(ctx, c, list, items)
	r.add(func(s *Summary) { s.Mailboxes += len(list) })
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var todo []work
	for i, m := range list {
		if errs[i] != nil {
			if connectionLost(c, errs[i]) {
				return &ConnectionLostError{Account: acct.Name, Left: len(list), Err: abortError(c, errs[i])}
			}
			r.fail(Failure{Account: acct.Name, Mailbox: m.Name, Error: errs[i].Error()})
			continue
		}
		todo = append(todo, work{m, statuses[i]})
	}
	// A worker whose connection broke stops taking work; once every
	// worker has stopped, the mailboxes not handed out are left for the
	// next run, and the account's result is a *ConnectionLostError.
	jobs := make(chan work)
	allLost := make(chan struct{})
	var (
		wg      sync.WaitGroup
		lostMu  sync.Mutex
		lost    *ConnectionLostError
		workers int
	)
	worker := func(c *imap.Client) {
		defer wg.Done()
		for w := range jobs {
			err := r.mailbox(ctx, c, acct, acctDir, w, condstore)
			if err == nil {
				continue
			}
			if ctx.Err() == nil && connectionLost(c, err) {
				lostMu.Lock()
				if lost == nil {
					lost = &ConnectionLostError{Account: acct.Name, Mailbox: w.list.Name, Err: abortError(c, err)}
				}
				lost.Left++ // this mailbox
				if workers--; workers == 0 {
					close(allLost)
				}
				lostMu.Unlock()
				return
			}
			r.fail(Failure{Account: acct.Name, Mailbox: w.list.Name, Error: err.Error()})
		}
	}
	start := func(c *imap.Client) {
		lostMu.Lock()
		workers++
		lostMu.Unlock()
		wg.Add(1)
		go worker(c)
	}
	start(c)
	for j := 1; j < min(r.opts.Jobs, len(todo)); j++ {
		extra, err := acct.Connect(ctx)
		if err != nil {
			r.opts.Warn("%s: extra connection %d: %v", acct.Name, j+1, err)
			break
		}
		defer logout(extra)
		start(extra)
	}
	given := 0
feed:
	for _, w := range todo {
		select {
		case jobs <- w:
			given++
		case <-allLost:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if lost != nil {
		lost.Left += len(todo) - given
		return lost
	}
	return nil
}

func logout(c *imap.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.Err() == nil {
		c.Logout(ctx)
	}
	c.Close()
}

// mailboxSync is the work on one mailbox folder.
type mailboxSync struct {
	r     *runner
	acct  Account
	dir   string
	name  string
	state State
	// index is the compact view of the manifest (storedIndex).
	index   *storedIndex
	refetch map[uint32]bool
	// added, flagged and pruned count this run's changes.
	added, flagged, pruned int
	// hashes hashes the messages of a sync on a goroutine of its own;
	// lossless and sniff are reused from one message to the next.
	hashes   *hashPipe
	lossless losslessCheck
	sniff    headerSniffer
}

// mailbox brings one mailbox folder up to date.
func (r *runner) mailbox(ctx context.Context, c *imap.Client, acct Account, acctDir string, w work, condstore bool) (err error) {
	m := w.list
	dir := filepath.Join(acctDir, MailboxPath(m.Name, m.Delimiter))
	report := MailboxReport{Account: acct.Name, Mailbox: m.Name}
	report.Folder, _ = filepath.Rel(r.opts.Dir, dir)
	for _, a := range m.Attributes {
		if slices.ContainsFunc(specialUse, func(su string) bool { return strings.EqualFold(su, a) }) {
			report.SpecialUse = append(report.SpecialUse, a)
		}
	}
	var ms *mailboxSync
	defer func() {
		if ms != nil {
			report.Messages = ms.index.messages.len()
			report.New, report.FlagUpdates, report.Pruned = ms.added, ms.flagged, ms.pruned
		}
		if err != nil {
			report.Error = err.Error()
		}
		r.add(func(s *Summary) { s.MailboxReports = append(s.MailboxReports, report) })
	}()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	st, has, err := readState(dir)
	if err != nil {
		return err
	}
	if has && st.Format != "" && st.Format != r.opts.Format {
		return fmt.Errorf("folder %s holds a %s backup, not %s", dir, st.Format, r.opts.Format)
	}
	// Run refused a different policy before anything was written; this
	// keeps the rule for a folder whose state it did not see.
	if has && st.Policy != "" && st.Policy != r.opts.PolicySpec {
		return &PolicyMismatchError{Folder: dir, Recorded: st.Policy, Requested: r.opts.PolicySpec}
	}
	if has && st.UIDValidity != 0 && w.status.UIDValidity != 0 && st.UIDValidity != w.status.UIDValidity {
		if err := r.uidValidityChanged(acct, dir, m.Name, st.UIDValidity, w.status.UIDValidity); err != nil {
			return err
		}
		has = false
	}
	if !has {
		st = State{}
	}
	st.Mailbox, st.Delimiter, st.Attributes, st.Format = m.Name, m.Delimiter, m.Attributes, r.opts.Format
	if !has || st.Policy == "" {
		// A folder's policy and line separator are set when it is
		// created: verify and restore read every file of the folder with
		// its Linesep. (A state from before the policy was recorded takes
		// this run's.)
		st.Policy, st.Linesep = r.opts.PolicySpec, r.opts.Policy.Linesep
	}
	if !has {
		st.UIDValidity = w.status.UIDValidity
		if err := writeState(dir, st, r.opts.crashPoint); err != nil {
			return err
		}
	}
	index, err := readIndex(dir, true)
	if err != nil {
		return err
	}
	ms = &mailboxSync{r: r, acct: acct, dir: dir, name: m.Name, state: st, index: index}
	if err := ms.reconcile(); err != nil {
		return err
	}
	s := w.status
	unchanged := has && s.UIDNext != 0 && s.UIDNext <= st.LastUID+1 && s.Messages == st.Messages && s.Unseen == st.Unseen &&
		(!condstore || s.HighestModSeq == st.HighestModSeq) && len(ms.refetch) == 0 && len(index.failed) == 0 &&
		(!r.opts.Prune || int(s.Messages) >= index.messages.len())
	if unchanged {
		return nil
	}
	r.add(func(s *Summary) { s.Changed++ })
	report.Changed = true
	if s.Messages == 0 && s.UIDNext != 0 && s.UIDValidity != 0 && len(ms.refetch) == 0 && len(index.failed) == 0 &&
		(!r.opts.Prune || index.messages.len() == 0) {
		// Nothing on the server: STATUS (RFC 3501 §6.3.10) says all an
		// EXAMINE would, so the mailbox is not selected (a round trip
		// saved per empty mailbox).
		ms.state.LastUID = max(ms.state.LastUID, s.UIDNext-1)
		ms.state.HighestModSeq = s.HighestModSeq
		ms.state.Messages, ms.state.Unseen = s.Messages, s.Unseen
		r.opts.crashPoint("before state")
		return writeState(ms.dir, ms.state, r.opts.crashPoint)
	}
	return ms.sync(ctx, c, condstore, s)
}

// uidValidityChanged applies the chosen strategy to a mailbox folder whose
// UIDs are no longer valid.
func (r *runner) uidValidityChanged(acct Account, dir, name string, old, new uint32) error {
	switch r.opts.OnUIDValidityChange {
	case OnUIDValidityFail:
		return &UIDValidityError{Mailbox: name, Old: old, New: new}
	case OnUIDValidityRefetch:
		r.opts.Notice("%s: %s: UIDVALIDITY changed from %d to %d: deleting the old copy and fetching the mailbox again", acct.Name, name, old, new)
		return removeMailboxFiles(dir, "")
	}
	aside := filepath.Join(dir, fmt.Sprintf(".uidvalidity-%d-%s", old, r.opts.Now().UTC().Format("20060102T150405Z")))
	r.opts.Notice("%s: %s: UIDVALIDITY changed from %d to %d: old copy kept in %s, fetching the mailbox again", acct.Name, name, old, new, aside)
	return removeMailboxFiles(dir, aside)
}

// removeMailboxFiles deletes (aside == "") or moves into aside the
// messages, manifest and state of a mailbox folder, not its sub-mailboxes.
// The state goes last, so a crash in between redoes the move.
func removeMailboxFiles(dir, aside string) error {
	if aside != "" {
		if err := os.MkdirAll(aside, 0o700); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	move := func(name string) error {
		from := filepath.Join(dir, name)
		if aside == "" {
			return os.RemoveAll(from)
		}
		return os.Rename(from, filepath.Join(aside, name))
	}
	for _, e := range entries {
		n := e.Name()
		ours := n == "cur" || n == "new" || n == "tmp" || n == mboxFileName || strings.HasSuffix(n, ".eml") || n == ManifestFileName
		if ours {
			if err := move(n); err != nil {
				return err
			}
		}
	}
	if err := move(StateFileName); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return syncDir(dir)
}

// reconcile matches the files of the folder with the manifest after a
// possible crash: duplicate and unrecorded files are removed (their
// messages are fetched again), recorded messages whose file is gone are
// fetched again.
func (ms *mailboxSync) reconcile() error {
	ms.refetch = map[uint32]bool{}
	format := ms.state.Format
	if err := removeTempFiles(ms.dir, format); err != nil {
		return err
	}
	if format == FormatMbox {
		// Every recorded message ends at or before mboxEnd (the largest
		// recorded end); the sink cuts off what lies after it.
		return nil
	}
	// The files whose name is the recorded one are found; the others are
	// few (the remains of a crash) and are kept for a second look.
	type candidate struct {
		uid  uint32
		path string
	}
	var others []candidate
	err := eachMessageFile(format, ms.dir, func(uid uint32, p string) error {
		if ref, ok := ms.index.messages.get(uid); ok && fileHash(p) == ref.file {
			ref.found = true
			ms.index.messages.set(uid, ref)
			return nil
		}
		others = append(others, candidate{uid, p})
		return nil
	})
	if err != nil {
		return err
	}
	for _, o := range others {
		ref, recorded := ms.index.messages.get(o.uid)
		if recorded && !ref.found && ms.adopt(o.uid, o.path) {
			ref, _ = ms.index.messages.get(o.uid)
			ref.found = true
			ms.index.messages.set(o.uid, ref)
			continue
		}
		// Not recorded (a crash between file and manifest), or a second
		// copy: remove; an unrecorded message is fetched again.
		if err := os.Remove(filepath.Join(ms.dir, o.path)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if !recorded {
			ms.refetch[o.uid] = true
		}
	}
	// A recorded message whose file is not among the folder's message
	// files is fetched again.
	for uid, ref := range ms.index.messages.all() {
		if !ref.found {
			ms.refetch[uid] = true
		}
	}
	return nil
}

// removeTempFiles deletes what an interrupted run left half-written: a
// Maildir's tmp/ files, .eml temp files, state temp files. The run holds
// the folder's lock, so no other writer owns them.
func removeTempFiles(dir, format string) error {
	if format == FormatMaildir {
		entries, err := os.ReadDir(filepath.Join(dir, "tmp"))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				os.Remove(filepath.Join(dir, "tmp", e.Name()))
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, ".") {
			continue
		}
		if strings.HasPrefix(n, ".tmp-") || (format == FormatEML && strings.HasSuffix(n, ".tmp") && strings.Contains(n, ".eml.")) {
			os.Remove(filepath.Join(dir, n))
		}
	}
	return nil
}

// adopt takes over file p for entry e when its bytes are the recorded
// ones (a Maildir file renamed for new flags before the manifest said so).
func (ms *mailboxSync) adopt(uid uint32, p string) bool {
	e, err := findEntry(ms.dir, uid)
	if err != nil || e == nil {
		return false
	}
	probe := *e
	probe.File = p
	d, err := digestStored(ms.state.Format, ms.dir, &probe, ms.state.Linesep)
	if err != nil || !d.matches(e) {
		return false
	}
	if appendManifest(ms.dir, []Entry{{Op: OpFlags, UID: e.UID, Flags: e.Flags, File: p}}) != nil {
		return false
	}
	ms.index.apply(&Entry{Op: OpFlags, UID: e.UID, Flags: e.Flags, File: p})
	return true
}

// fetchSet is the UIDs to fetch: everything above LastUID not yet stored,
// plus failed and lost ones. uidNext is the mailbox's UIDNEXT (0 when
// unknown): when it says nothing is new, the open range "n:*" is left out,
// since "*" would bring back the last message (RFC 3501 §6.4.8).
func (ms *mailboxSync) fetchSet(uidNext uint32) imap.NumSet {
	set := imap.NumSet{UID: true}
	var extra []uint32
	for uid := range ms.refetch {
		extra = append(extra, uid)
	}
	for uid := range ms.index.failed {
		if uid <= ms.state.LastUID {
			extra = append(extra, uid)
		}
	}
	var above []uint32
	for uid := range ms.index.messages.all() {
		if uid > ms.state.LastUID && !ms.refetch[uid] {
			above = append(above, uid)
		}
	}
	slices.Sort(extra)
	for _, uid := range slices.Compact(extra) {
		if uid <= ms.state.LastUID {
			set.AddRange(uid, uid)
		}
	}
	slices.Sort(above)
	next := ms.state.LastUID + 1
	for _, uid := range above {
		if uid > next {
			set.AddRange(next, uid-1)
		}
		next = uid + 1
	}
	if uidNext == 0 || uidNext > next {
		set.AddRange(next, 0)
	}
	return set
}

// pendingMessage is a message put into the sink but not yet committed.
type pendingMessage struct {
	entry  Entry
	stored output.Stored
}

// sync selects the mailbox and fetches what is new, flag changes and
// (with Prune) deletions, each as one pipelined command.
func (ms *mailboxSync) sync(ctx context.Context, c *imap.Client, condstore bool, status *imap.MailboxStatus) error {
	opts := &ms.r.opts
	mb, err := c.Select(ctx, ms.name, &imap.SelectOptions{ReadOnly: true, CondStore: condstore})
	if err != nil {
		return err
	}
	if ms.state.UIDValidity != 0 && mb.UIDValidity != 0 && mb.UIDValidity != ms.state.UIDValidity {
		return fmt.Errorf("UIDVALIDITY changed from %d to %d during the run; run again", ms.state.UIDValidity, mb.UIDValidity)
	}
	ms.state.UIDValidity = mb.UIDValidity
	groups, err := newGroupCommitter(ms)
	if err != nil {
		return err
	}
	defer groups.close()
	ms.hashes = newHashPipe()
	defer ms.hashes.close()

	var (
		maxSeen    uint32
		missingUID int // messages that came without their UID
		flagsSeen  []*imap.FetchMessage
		flagPos    = map[uint32]int{} // UID's place in flagsSeen
		onServer   *output.NumberSet
	)
	// A server may send FLAGS again in a later FETCH response of the same
	// message (RFC 3501 §7.4.2): a message still pending takes them
	// before its commit (its Maildir name follows), one already committed
	// gets a flag update like any other flag change.
	var lateFlags []*imap.FetchMessage
	var seqToUID seqUIDs
	amendFlags := func(m *imap.FetchMessage) {
		uid := m.UID
		if uid == 0 {
			uid = seqToUID.get(m.SeqNum)
		}
		if uid == 0 || m.Flags == nil || (m.UID != 0 && seqToUID.get(m.SeqNum) != 0 && seqToUID.get(m.SeqNum) != m.UID) {
			return
		}
		flags := withoutRecent(m.Flags)
		for i := range groups.pending {
			p := &groups.pending[i]
			if p.entry.UID != uid || p.entry.Op != OpStored {
				continue
			}
			p.entry.Flags = flags
			if st, ok := groups.sink().Amend(p.stored, output.Message{Flags: flags}); ok {
				p.stored = st
				if rel, err := filepath.Rel(ms.dir, st.Path); err == nil {
					p.entry.File = rel
				}
			}
			return
		}
		// A message of the group being committed is in the index once
		// that commit ends.
		if groups.wait() == nil && ms.index.has(uid) {
			lateFlags = append(lateFlags, &imap.FetchMessage{SeqNum: m.SeqNum, UID: uid, Flags: m.Flags, ModSeq: m.ModSeq})
		}
	}
	fetchOne := func(m *imap.FetchMessage) error {
		body, err := m.NextBody()
		if err != nil {
			return err
		}
		if body == nil {
			amendFlags(m)
			return nil
		}
		// The UID may come after the body (RFC 3501 §7.4.2): then the
		// message is written first and store decides once it is known.
		if uid := m.UID; uid != 0 && ms.index.has(uid) && !ms.refetch[uid] {
			maxSeen = max(maxSeen, uid)
			return nil // already stored; the body is skipped
		}
		entry, stored, err := ms.store(ctx, groups.sink(), m, body)
		uid := m.UID
		if uid != 0 {
			maxSeen = max(maxSeen, uid)
			seqToUID.set(m.SeqNum, uid)
		}
		switch {
		case errors.Is(err, errAlreadyStored):
			return nil
		case errors.Is(err, errNoUID) && ctx.Err() == nil:
			missingUID++
			ms.r.fail(Failure{Account: ms.acct.Name, Mailbox: ms.name, SeqNum: m.SeqNum, Error: fmt.Sprintf("message %d: %v", m.SeqNum, err)})
			return nil
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if readBroken(c, err) {
				// The connection broke under this message: not the
				// message's fault, and nothing more will come.
				return err
			}
			if uid == 0 {
				missingUID++
				ms.r.fail(Failure{Account: ms.acct.Name, Mailbox: ms.name, SeqNum: m.SeqNum, Error: fmt.Sprintf("message %d: %v", m.SeqNum, err)})
				return nil
			}
			ms.r.fail(Failure{Account: ms.acct.Name, Mailbox: ms.name, UID: uid, Error: err.Error()})
			return groups.add(pendingMessage{entry: Entry{Op: OpFailed, UID: uid, Error: err.Error()}})
		}
		opts.crashPoint("message written")
		// Counted once its group is committed (groupCommitter.wait).
		return groups.add(pendingMessage{entry: entry, stored: stored})
	}

	// One command at a time: untagged FETCH responses carry no tag, and a
	// server may run UID FETCH commands in parallel (Dovecot does), so two
	// FETCHes in flight could not be told apart.
	var fetchErr, flagErr, pruneErr error
	// Flags of messages already stored: with CONDSTORE only those changed
	// since the last run (RFC 7162 §3.1.4.1), otherwise all.
	if ms.state.LastUID > 0 && mb.Exists > 0 && (!condstore || ms.state.HighestModSeq == 0 || mb.HighestModSeq != ms.state.HighestModSeq) {
		fo := &imap.FetchOptions{UID: true, Flags: true, ModSeq: condstore}
		if condstore && ms.state.HighestModSeq > 0 {
			fo.ChangedSince = ms.state.HighestModSeq
		}
		flagErr = fetchGuarded(ctx, c, imap.NumSet{UID: true, Ranges: []imap.NumRange{{Start: 1, Stop: ms.state.LastUID}}}, fo, func(m *imap.FetchMessage) error {
			// Only reports that may change something are kept (the last
			// report of a UID wins, as in lastPerUID): memory grows with
			// the changes, not with the mailbox.
			if m.Flags == nil {
				return nil
			}
			if i, ok := flagPos[m.UID]; ok {
				flagsSeen[i] = nil
				delete(flagPos, m.UID)
			}
			if ref, ok := ms.index.messages.get(m.UID); ok && sameFlags(withoutRecent(m.Flags), ms.index.flags(ref)) {
				return nil
			}
			flagPos[m.UID] = len(flagsSeen)
			flagsSeen = append(flagsSeen, m)
			return nil
		})
	}
	// An empty mailbox gets no FETCH: some servers answer "1:*" with BAD.
	if set := ms.fetchSet(mb.UIDNext); (flagErr == nil || isNoMessages(flagErr)) && mb.Exists > 0 && !set.IsEmpty() {
		c.Response("FETCH") // unilateral flag updates from before: not this command's
		fetchErr = fetchGuarded(ctx, c, set, &imap.FetchOptions{
			UID: true, Flags: true, InternalDate: true, RFC822Size: true, ModSeq: condstore,
			BodySections: []imap.BodySection{{Peek: true}},
		}, fetchOne)
		// A flag update without UID during the UID FETCH is unilateral
		// (RFC 3501 §7.4.1): the client kept it.
		for _, r := range c.Response("FETCH") {
			if r.Fetch != nil {
				amendFlags(r.Fetch)
			}
		}
	}
	if opts.Prune && fetchErr == nil {
		// UIDs come ascending: the set is usually a single run.
		seen := &output.NumberSet{}
		if cur := c.Mailbox(); cur != nil && cur.Exists > 0 {
			pruneErr = fetchGuarded(ctx, c, imap.AllUID(), &imap.FetchOptions{UID: true}, func(m *imap.FetchMessage) error {
				if m.UID != 0 {
					seen.Add(m.UID)
				}
				return nil
			})
		}
		if errors.Is(pruneErr, imap.ErrEmptySet) {
			pruneErr = nil
		}
		onServer = seen
	}
	if err := groups.flush(); err != nil {
		return err
	}
	if fetchErr != nil && !isNoMessages(fetchErr) {
		return fetchErr
	}
	if flagErr != nil && !isNoMessages(flagErr) {
		return flagErr
	}
	flagsSeen = slices.DeleteFunc(flagsSeen, func(m *imap.FetchMessage) bool { return m == nil })
	if err := ms.applyFlags(lastPerUID(append(flagsSeen, lateFlags...))); err != nil {
		return err
	}
	if opts.Prune {
		if pruneErr != nil {
			return pruneErr
		}
		if err := ms.prune(onServer); err != nil {
			return err
		}
	}
	// A message that came without its UID cannot be recorded as failed:
	// LastUID stays, so that the next run asks for the gaps again (the
	// stored messages above LastUID are left out of the set).
	if missingUID == 0 {
		ms.state.LastUID = max(ms.state.LastUID, maxSeen)
		if mb.UIDNext > 0 {
			// Every UID below UIDNEXT at SELECT time was in the fetched set.
			ms.state.LastUID = max(ms.state.LastUID, mb.UIDNext-1)
		}
	}
	ms.state.HighestModSeq = mb.HighestModSeq
	ms.state.Messages, ms.state.Unseen = status.Messages, status.Unseen
	ms.r.opts.crashPoint("before state")
	return writeState(ms.dir, ms.state, ms.r.opts.crashPoint)
}

// fetchGuarded is c.Fetch, but no call of fn runs once it returned. When
// ctx is cancelled Fetch returns at once, while the client's reader may
// still be inside fn (its reads fail soon, the connection being closed);
// fn's state (the pending group, the hashing goroutine) must not be used
// by both. fn is not called again after that.
func fetchGuarded(ctx context.Context, c *imap.Client, set imap.NumSet, opts *imap.FetchOptions, fn func(*imap.FetchMessage) error) error {
	var mu sync.Mutex
	ended := false
	err := c.Fetch(ctx, set, opts, func(m *imap.FetchMessage) error {
		mu.Lock()
		defer mu.Unlock()
		if ended {
			return errFetchEnded
		}
		return fn(m)
	})
	mu.Lock() // waits for a call of fn still running
	ended = true
	mu.Unlock()
	return err
}

// errFetchEnded is what a FETCH callback returns when its command has
// already ended (fetchGuarded).
var errFetchEnded = errors.New("backup: FETCH response after its command ended")

// seqUIDs maps message sequence numbers to UIDs (RFC 3501 §2.3.1). Both
// ascend together in a FETCH response, so it keeps runs of consecutive
// pairs: its memory grows with the gaps between UIDs, not with the number
// of messages. Pairs out of order go to a map.
type seqUIDs struct {
	runs  []seqUIDRun
	other map[uint32]uint32
}

// seqUIDRun maps seq..seq+n-1 to uid..uid+n-1.
type seqUIDRun struct{ seq, uid, n uint32 }

// set records that message seq has UID uid.
func (m *seqUIDs) set(seq, uid uint32) {
	if last := len(m.runs) - 1; last >= 0 {
		r := &m.runs[last]
		if seq == r.seq+r.n && uid == r.uid+r.n && m.other[seq] == 0 {
			r.n++
			return
		}
		if seq < r.seq+r.n {
			if m.other == nil {
				m.other = map[uint32]uint32{}
			}
			m.other[seq] = uid
			return
		}
	}
	m.runs = append(m.runs, seqUIDRun{seq, uid, 1})
}

// get returns the UID of message seq, 0 when unknown.
func (m *seqUIDs) get(seq uint32) uint32 {
	if uid, ok := m.other[seq]; ok {
		return uid
	}
	i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].seq+m.runs[i].n > seq })
	if i < len(m.runs) && m.runs[i].seq <= seq {
		return m.runs[i].uid + (seq - m.runs[i].seq)
	}
	return 0
}

// isNoMessages reports a FETCH of a set the server found empty.
func isNoMessages(err error) bool {
	return errors.Is(err, imap.ErrEmptySet)
}

// errNoUID and errAlreadyStored are what store finds out once a body
// has been written whose UID came after it.
var (
	errNoUID         = errors.New("the server sent the message without its UID (RFC 3501 §6.4.8); not stored")
	errAlreadyStored = errors.New("already stored")
)

// withoutRecent drops \Recent, which belongs to a session, not a message.
func withoutRecent(flags []string) []string {
	if flags == nil {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(flags), func(f string) bool { return strings.EqualFold(f, `\Recent`) })
}

// store writes one message into the sink, hashing the server's bytes and
// comparing the stored bytes put back to CRLF with them on the way
// (digest.go). The UID, flags and INTERNALDATE
// are taken once the body is written and the rest of the FETCH response
// read, since a server may send them after the body.
func (ms *mailboxSync) store(ctx context.Context, sink output.Sink, m *imap.FetchMessage, body io.Reader) (Entry, output.Stored, error) {
	serverHash := ms.hashes.newHash()
	check := &ms.lossless
	check.reset(ms.state.Linesep, serverHash)
	var serverSize int64
	sniff := &ms.sniff
	sniff.reset()
	counted := io.TeeReader(body, io.MultiWriter(check.serverWriter(), sniff, writerFunc(func(p []byte) { serverSize += int64(len(p)) })))
	msg := output.Message{UID: m.UID, UIDValidity: ms.state.UIDValidity, Mailbox: ms.name, Flags: withoutRecent(m.Flags), InternalDate: m.InternalDate}
	msg.Complete = func(msg *output.Message) error {
		if err := m.Finish(); err != nil { // attributes after the body
			return err
		}
		if m.UID == 0 {
			return errNoUID
		}
		if msg.UID == 0 && ms.index.has(m.UID) && !ms.refetch[m.UID] {
			return errAlreadyStored
		}
		if m.RFC822Size >= 0 && m.RFC822Size != serverSize {
			// RFC822.SIZE came after the body, so Read could not check it.
			return &imap.SizeMismatchError{SeqNum: m.SeqNum, UID: m.UID, Section: "BODY[]", LiteralSize: serverSize, RFC822Size: m.RFC822Size}
		}
		msg.UID, msg.Flags, msg.InternalDate = m.UID, withoutRecent(m.Flags), m.InternalDate
		return nil
	}
	crash := ms.r.opts.crashPoint
	stored, err := sink.Put(ctx, msg, func(w io.Writer) error {
		midway := writerFunc(func([]byte) { crash("writing a message") })
		_, err := ms.r.opts.Policy.Write(io.MultiWriter(w, check.storedWriter(), midway), &contextReader{ctx, counted})
		return err
	})
	if err != nil {
		check.finish()
		serverHash.settle()
		serverHash.release()
		return Entry{}, stored, err
	}
	lossless := check.finish()
	uid, flags := m.UID, withoutRecent(m.Flags)
	e := Entry{
		Op: OpStored, UID: uid, Size: serverSize, SHA256: serverHash.sum(),
		Flags: flags, InternalDate: m.InternalDate, MessageID: sniff.messageID(), ModSeq: m.ModSeq,
		StoredSize: stored.Size, Lossless: lossless,
	}
	// A lossless message's stored bytes are covered by SHA256 (put back
	// to CRLF they are the server's bytes); a lossy one gets the SHA-256
	// of its file at its group commit (groupCommitter.commit).
	e.NewlineAdded = stored.NewlineAdded
	if ms.state.Format == FormatMbox {
		e.Offset, e.End = stored.Offset, stored.End
	} else {
		rel, err := filepath.Rel(ms.dir, stored.Path)
		if err != nil {
			return Entry{}, stored, err
		}
		e.File = rel
	}
	return e, stored, nil
}

type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// applyFlags records changed flags (and renames Maildir files so that
// their info letters follow).
func (ms *mailboxSync) applyFlags(seen []*imap.FetchMessage) error {
	changed := seen[:0:0]
	for _, m := range seen {
		ref, ok := ms.index.messages.get(m.UID)
		if ok && m.Flags != nil && !sameFlags(withoutRecent(m.Flags), ms.index.flags(ref)) {
			changed = append(changed, m)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	var files map[uint32]string
	if ms.state.Format == FormatMaildir {
		want := make(map[uint32]bool, len(changed))
		for _, m := range changed {
			want[m.UID] = true
		}
		var err error
		if files, err = recordedFiles(ms.dir, want); err != nil {
			return err
		}
	}
	var entries []Entry
	for _, m := range changed {
		flags := withoutRecent(m.Flags)
		upd := Entry{Op: OpFlags, UID: m.UID, Flags: flags, ModSeq: m.ModSeq}
		if ms.state.Format == FormatMaildir {
			file := files[m.UID]
			newRel := maildirRename(file, flags)
			if newRel != file {
				if err := os.Rename(filepath.Join(ms.dir, file), filepath.Join(ms.dir, newRel)); err != nil {
					return err
				}
				ms.r.opts.crashPoint("maildir file renamed")
				upd.File = newRel
			}
		}
		entries = append(entries, upd)
	}
	if len(entries) == 0 {
		return nil
	}
	if ms.state.Format == FormatMaildir {
		for _, sub := range []string{"cur", "new"} {
			if err := syncDir(filepath.Join(ms.dir, sub)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	if err := appendManifest(ms.dir, entries); err != nil {
		return err
	}
	for i := range entries {
		ms.index.apply(&entries[i])
	}
	ms.flagged += len(entries)
	ms.r.add(func(s *Summary) { s.FlagUpdates += len(entries) })
	return nil
}

// lastPerUID keeps the last flag report (with FLAGS) of each UID, in
// order, so that a message whose flags were reported twice is renamed once.
func lastPerUID(seen []*imap.FetchMessage) []*imap.FetchMessage {
	last := map[uint32]int{}
	for i, m := range seen {
		if m.Flags != nil {
			last[m.UID] = i
		}
	}
	out := seen[:0:0]
	for i, m := range seen {
		if j, ok := last[m.UID]; ok && j == i {
			out = append(out, m)
		}
	}
	return out
}

func sameFlags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	for i := range x {
		x[i] = strings.ToLower(x[i])
	}
	for i := range y {
		y[i] = strings.ToLower(y[i])
	}
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// maildirRename returns the Maildir path of rel with info letters for
// flags: cur/ with letters, new/ without, as the output package names them.
func maildirRename(rel string, flags []string) string {
	base := filepath.Base(rel)
	if i := strings.Index(base, ":2,"); i >= 0 {
		base = base[:i]
	}
	letters, _ := output.MaildirInfo(flags)
	if letters == "" {
		return filepath.Join("new", base)
	}
	return filepath.Join("cur", base+":2,"+letters)
}

// prune removes messages the server no longer has.
func (ms *mailboxSync) prune(onServer *output.NumberSet) error {
	var entries []Entry
	gone := map[uint32]bool{}
	for uid := range ms.index.messages.all() {
		if !onServer.Contains(uid) {
			entries = append(entries, Entry{Op: OpExpunged, UID: uid})
			gone[uid] = true
		}
	}
	if len(entries) == 0 {
		return nil
	}
	var files map[uint32]string
	if ms.state.Format != FormatMbox {
		var err error
		if files, err = recordedFiles(ms.dir, gone); err != nil {
			return err
		}
	}
	// Manifest first: a crash after it leaves files the next run removes
	// as unrecorded.
	if err := appendManifest(ms.dir, entries); err != nil {
		return err
	}
	for i := range entries {
		ms.index.apply(&entries[i])
	}
	if ms.state.Format != FormatMbox {
		for _, file := range files {
			os.Remove(filepath.Join(ms.dir, file))
		}
	}
	ms.pruned += len(entries)
	ms.r.add(func(s *Summary) { s.Pruned += len(entries) })
	return nil
}

// PolicyChoice is a policy with the spec it was made from.
type PolicyChoice struct {
	Policy *policy.Policy
	Spec   string
}

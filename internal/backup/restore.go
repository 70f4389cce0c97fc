package backup

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
)

// RestoreOptions configure Restore.
type RestoreOptions struct {
	// Dir is a backup folder, an account folder of one, or any Maildir,
	// mbox file or folder of .eml files.
	Dir string
	// Account is the account the backup was made from (to find its
	// folder in a backup with several).
	Account Account
	// Target names the account restored into (user@host); it keys the
	// restore journal.
	Target string
	// Prefix, when set, puts every mailbox under this mailbox.
	Prefix string
	// Journal is the restore journal file. "" means a file in JournalDir
	// named from a hash of the source's absolute path, Target and Prefix
	// (restoreJournalName), which a rerun of the same restore finds.
	// A restore never writes into its source: a backup may be on a
	// read-only medium, and a folder in a live Maildir is a mailbox.
	Journal string
	// JournalDir holds the restore journals (the command uses
	// $XDG_STATE_HOME/imapctl/restore). With Journal and JournalDir both
	// "", a restore keeps no journal and takes no lock.
	JournalDir string
	// Warn reports what the user should know but does not fail the run
	// (a journal that cannot be kept).
	Warn func(format string, args ...any)
}

// RestoreLockedError reports that another live process runs the same
// restore (same source, target account and prefix): it holds the lock
// beside the restore journal. Two such runs would upload every message
// twice, as each reads the journal and the target mailbox only once.
type RestoreLockedError struct {
	// Journal is the restore journal whose lock is held.
	Journal string
	// PID is the owner's process id as written in the lock file; 0 if
	// unreadable.
	PID int
}

func (e *RestoreLockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("restore: %s is locked by process %d (the same restore is running)", e.Journal, e.PID)
	}
	return fmt.Sprintf("restore: %s is locked by another process (the same restore is running)", e.Journal)
}

// RestoreSummary is what Restore did.
type RestoreSummary struct {
	Mailboxes int   `json:"mailboxes"`
	Uploaded  int   `json:"uploaded"`
	Skipped   int   `json:"skipped"`
	Bytes     int64 `json:"bytes"`
	// FailedMessages counts the messages that failed on their own;
	// FailedMailboxes the mailboxes that failed as a whole (their
	// messages not restored yet are not counted anywhere).
	FailedMessages  int       `json:"failed_messages"`
	FailedMailboxes int       `json:"failed_mailboxes"`
	Failures        []Failure `json:"failures,omitempty"`
}

// journalEntry is one line of the restore journal: a source message and
// where it went (RFC 4315 APPENDUID; UID 0 without UIDPLUS).
type journalEntry struct {
	Source      string `json:"source"`
	Mailbox     string `json:"mailbox"`
	UIDValidity uint32 `json:"uidvalidity"`
	UID         uint32 `json:"uid,omitempty"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256,omitempty"`
}

// restoreMessage is one message to upload.
type restoreMessage struct {
	key          string
	flags        []string
	internalDate time.Time
	messageID    string
	// size and sum are of the wire bytes (CRLF); size -1 and sum ""
	// when not known before a counting pass.
	size int64
	sum  string
	// open returns the wire bytes.
	open func() (io.ReadCloser, error)
	// check, when set, reads a backup message's file before it is sent,
	// fails if the file no longer matches the manifest, and returns the
	// wire size and SHA-256 (see checkStored).
	check func() (int64, string, error)
}

// restoreMailbox is one mailbox to restore.
type restoreMailbox struct {
	name, delimiter string
	messages        func(yield func(restoreMessage) error) error
}

// Restore uploads a backup (or a foreign Maildir/mbox/eml folder) to c
// with APPEND (RFC 3501 §6.3.11), keeping flags and INTERNALDATE and
// creating mailboxes as needed. A journal of APPENDUIDs makes a rerun
// upload nothing twice; a message the journal does not know is still
// skipped when the target mailbox holds one with the same Message-ID,
// size and SHA-256. Messages are streamed from their files: a backup
// message's file is first checked against the manifest (checkStored), and
// one that changed since the backup fails alone with a *FileChangedError.
// Nothing is written into the source; the journal (see
// RestoreOptions.Journal) is locked for the whole run, so the same
// restore started again meanwhile fails at once with *RestoreLockedError.
func Restore(ctx context.Context, c *imap.Client, opts RestoreOptions) (*RestoreSummary, error) {
	if opts.Warn == nil {
		opts.Warn = func(string, ...any) {}
	}
	mailboxes, source, legacyDir, err := restoreSources(opts)
	if err != nil {
		return nil, err
	}
	journal, err := openRestoreJournal(opts, source, legacyDir)
	if err != nil {
		return nil, err
	}
	defer journal.close()
	delimiter := "/"
	if list, err := c.List(ctx, "", "", nil); err == nil && len(list) > 0 && list[0].Delimiter != "" {
		delimiter = list[0].Delimiter
	}
	sum := &RestoreSummary{}
	for _, mb := range mailboxes {
		target := mb.name
		if mb.delimiter != "" && mb.delimiter != delimiter {
			target = strings.ReplaceAll(target, mb.delimiter, delimiter)
		}
		if opts.Prefix != "" {
			target = opts.Prefix + delimiter + target
		}
		sum.Mailboxes++
		if err := restoreOne(ctx, c, mb, target, opts, journal, sum); err != nil {
			if ctx.Err() != nil {
				return sum, ctx.Err()
			}
			var ae *imap.AbortError
			if errors.As(err, &ae) {
				return sum, err
			}
			sum.FailedMailboxes++
			sum.Failures = append(sum.Failures, Failure{Account: opts.Target, Mailbox: target, Error: err.Error()})
		}
	}
	if len(sum.Failures) > 0 {
		return sum, &PartialError{Failures: sum.Failures}
	}
	return sum, nil
}

// journalIndex is what a restore needs of its journal: for each mailbox
// and source message restored, the UIDVALIDITY of the mailbox it went
// into (a message journaled under another UIDVALIDITY is restored again).
// Only that is kept: a resumed restore of a large mailbox reads a long
// journal.
type journalIndex map[string]uint32

func journalKey(mailbox, source string) string { return mailbox + "\x00" + source }

// readJournal adds the lines of the journal at path to idx; a journal
// that does not exist adds nothing.
func readJournal(path string, idx journalIndex) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e journalEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil { // a torn last line is skipped
			idx[journalKey(e.Mailbox, e.Source)] = e.UIDValidity
		}
	}
	return sc.Err()
}

// restoreSources finds what Dir holds: a backup's mailboxes, or one
// foreign folder or file. It returns them, the source (the backup's
// account folder, or Dir), and the folder in it where earlier versions
// kept the restore journal (which is read, never written).
func restoreSources(opts RestoreOptions) (mailboxes []restoreMailbox, source, legacyDir string, err error) {
	if acctDir, err := AccountDir(opts.Dir, opts.Account); err == nil {
		mbs, err := BackupMailboxes(acctDir)
		if err != nil {
			return nil, "", "", err
		}
		var out []restoreMailbox
		for _, mb := range mbs {
			out = append(out, backupSource(mb))
		}
		return out, acctDir, acctDir, nil
	}
	info, err := os.Stat(opts.Dir)
	if err != nil {
		return nil, "", "", err
	}
	legacyDir = opts.Dir
	if !info.IsDir() {
		legacyDir = filepath.Dir(opts.Dir)
	}
	mb, err := foreignSource(opts.Dir)
	if err != nil {
		return nil, "", "", err
	}
	return []restoreMailbox{mb}, opts.Dir, legacyDir, nil
}

// backupSource yields a backup mailbox's messages in UID order.
func backupSource(mb BackupMailbox) restoreMailbox {
	return restoreMailbox{name: mb.State.Mailbox, delimiter: mb.State.Delimiter, messages: func(yield func(restoreMessage) error) error {
		idx, err := openManifestIndex(mb.Dir)
		if err != nil {
			return err
		}
		defer idx.Close()
		for uid, r := range idx.ascending() {
			e, err := idx.entry(uid, r)
			if err != nil {
				return err
			}
			rm := restoreMessage{
				key:   "uid:" + strconv.FormatUint(uint64(mb.State.UIDValidity), 10) + ":" + strconv.FormatUint(uint64(uid), 10),
				flags: e.Flags, internalDate: e.InternalDate, messageID: e.MessageID, size: -1,
				open: func() (io.ReadCloser, error) {
					rc, err := openStored(mb.State.Format, mb.Dir, e)
					if err != nil {
						return nil, err
					}
					return struct {
						io.Reader
						io.Closer
					}{newCRLFReader(rc, mb.State.Linesep), rc}, nil
				},
			}
			rm.check = func() (int64, string, error) { return checkStored(mb, e) }
			if err := yield(rm); err != nil {
				return err
			}
		}
		return nil
	}}
}

// foreignSource yields the messages of a Maildir, mbox or .eml folder,
// with line endings normalised to CRLF.
func foreignSource(path string) (restoreMailbox, error) {
	kind, err := output.DetectKind(path)
	if err != nil {
		return restoreMailbox{}, err
	}
	name := strings.TrimSuffix(filepath.Base(filepath.Clean(path)), ".mbox")
	return restoreMailbox{name: name, messages: func(yield func(restoreMessage) error) error {
		src, err := output.Open(path, output.MboxRD)
		if err != nil {
			return err
		}
		defer src.Close()
		for {
			sm, r, err := src.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			// Read the header for the Message-ID; the bytes are read
			// again from the file when uploading.
			var sniff headerSniffer
			io.Copy(&sniff, io.LimitReader(r, maxSniff))
			key := sm.Path
			if rel, err := filepath.Rel(path, sm.Path); err == nil && rel != "." {
				key = rel
			} else {
				key = filepath.Base(sm.Path)
			}
			open := func() (io.ReadCloser, error) {
				f, err := os.Open(sm.Path)
				if err != nil {
					return nil, err
				}
				return struct {
					io.Reader
					io.Closer
				}{newNormalizingReader(f), f}, nil
			}
			if kind == output.KindMbox {
				key = "mbox@" + strconv.FormatInt(sm.Offset, 10)
				offset := sm.Offset
				open = func() (io.ReadCloser, error) {
					f, err := os.Open(path)
					if err != nil {
						return nil, err
					}
					info, err := f.Stat()
					if err != nil {
						f.Close()
						return nil, err
					}
					mr := output.NewMboxReader(io.NewSectionReader(f, offset, info.Size()-offset), path, output.MboxRD)
					_, body, err := mr.Next()
					if err != nil {
						f.Close()
						return nil, err
					}
					return struct {
						io.Reader
						io.Closer
					}{newNormalizingReader(body), f}, nil
				}
			}
			flags := slices.DeleteFunc(slices.Clone(sm.Flags), func(f string) bool { return strings.EqualFold(f, `\Recent`) })
			rm := restoreMessage{key: key, flags: flags, internalDate: sm.InternalDate, messageID: sniff.messageID(), size: -1, open: open}
			if err := yield(rm); err != nil {
				return err
			}
		}
	}}, nil
}

// measure reads a message once to learn its wire size and SHA-256.
func measure(rm *restoreMessage) error {
	rc, err := rm.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return err
	}
	rm.size, rm.sum = n, hex.EncodeToString(h.Sum(nil))
	return nil
}

// targetIndex finds the messages of a target mailbox that may be copies
// of a source message: same Message-ID and size. It keeps a 64-bit hash
// of the two and the UID per message, sorted (16 bytes a message): a hash
// collision only adds a candidate, which take compares by SHA-256.
type targetIndex struct {
	entries []targetEntry // by key, then UID
}

// targetEntry is one target message; uid 0 marks one already matched.
type targetEntry struct {
	key uint64
	uid uint32
}

// targetKey hashes a Message-ID and a size (FNV-1a).
func targetKey(messageID string, size int64) uint64 {
	return fileHash(messageID + "\x00" + strconv.FormatInt(size, 10))
}

func (ti *targetIndex) build(ctx context.Context, c *imap.Client, exists uint32) error {
	ti.entries = nil
	if exists == 0 {
		return nil
	}
	var buf bytes.Buffer
	err := c.Fetch(ctx, imap.AllUID(), &imap.FetchOptions{UID: true, RFC822Size: true,
		BodySections: []imap.BodySection{{Specifier: "HEADER.FIELDS", Fields: []string{"MESSAGE-ID"}, Peek: true}}},
		func(m *imap.FetchMessage) error {
			buf.Reset()
			for {
				b, err := m.NextBody()
				if err != nil {
					return err
				}
				if b == nil {
					break
				}
				io.Copy(&buf, io.LimitReader(b, maxSniff))
			}
			ti.entries = append(ti.entries, targetEntry{key: targetKey(messageIDOf(buf.Bytes()), m.RFC822Size), uid: m.UID})
			return nil
		})
	slices.SortFunc(ti.entries, func(a, b targetEntry) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.uid, b.uid))
	})
	return err
}

// candidates returns the UIDs of the target messages not matched yet
// that may be copies of rm (same Message-ID and size, or a hash
// collision).
func (ti *targetIndex) candidates(rm *restoreMessage) []uint32 {
	var uids []uint32
	for _, e := range ti.sameKey(rm) {
		if e.uid != 0 {
			uids = append(uids, e.uid)
		}
	}
	return uids
}

// sameKey returns the entries with rm's key (Message-ID and size).
func (ti *targetIndex) sameKey(rm *restoreMessage) []targetEntry {
	key := targetKey(rm.messageID, rm.size)
	first, _ := slices.BinarySearchFunc(ti.entries, key, func(e targetEntry, k uint64) int { return cmp.Compare(e.key, k) })
	end := first
	for end < len(ti.entries) && ti.entries[end].key == key {
		end++
	}
	return ti.entries[first:end]
}

// take finds a target message not matched yet whose SHA-256 (in sums, by
// UID) is rm's, marks it matched and returns its UID, or 0. A target
// message matches one source message only, so that a message present
// twice in the source is restored twice.
func (ti *targetIndex) take(rm *restoreMessage, sums map[uint32]string) uint32 {
	same := ti.sameKey(rm)
	for i := range same {
		if uid := same[i].uid; uid != 0 && sums[uid] == rm.sum {
			same[i].uid = 0 // same shares ti.entries' array
			return uid
		}
	}
	return 0
}

// targetSums fetches the target messages uids (one UID FETCH) and returns
// the SHA-256 of each.
func targetSums(ctx context.Context, c *imap.Client, uids []uint32) (map[uint32]string, error) {
	sums := make(map[uint32]string, len(uids))
	if len(uids) == 0 {
		return sums, nil
	}
	err := c.Fetch(ctx, imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySections: []imap.BodySection{{Peek: true}}}, func(m *imap.FetchMessage) error {
		b, err := m.NextBody()
		if err != nil || b == nil {
			return err
		}
		h := sha256.New()
		if _, err := io.Copy(h, b); err != nil {
			return err
		}
		if err := m.Finish(); err != nil { // the UID may come after the body
			return err
		}
		if m.UID != 0 {
			sums[m.UID] = hex.EncodeToString(h.Sum(nil))
		}
		return nil
	})
	return sums, err
}

// restoreWindow is how many APPENDs restore keeps in flight: enough to
// hide the round trip on a distant server, few enough that an
// interruption leaves few messages whose outcome is still to be read.
const restoreWindow = 64

// restoreBatch is how many source messages restore looks for in the
// target mailbox with one UID FETCH.
const restoreBatch = 64

// restoredItem is what restore journals of a message it sent.
type restoredItem struct {
	key  string
	size int64
	sum  string
}

func restoreOne(ctx context.Context, c *imap.Client, mb restoreMailbox, target string, opts RestoreOptions, journal *restoreJournal, sum *RestoreSummary) error {
	status, err := c.Status(ctx, target, []string{"UIDVALIDITY", "MESSAGES"})
	var se *imap.Error
	if errors.As(err, &se) {
		if cerr := c.Create(ctx, target); cerr != nil {
			return fmt.Errorf("creating mailbox: %w", cerr)
		}
		status, err = c.Status(ctx, target, []string{"UIDVALIDITY", "MESSAGES"})
	}
	if err != nil {
		return err
	}
	fail := func(key string, err error) error {
		var ae *imap.AbortError
		if errors.As(err, &ae) || ctx.Err() != nil {
			return err
		}
		sum.FailedMessages++
		sum.Failures = append(sum.Failures, Failure{Account: opts.Target, Mailbox: target, Error: key + ": " + err.Error()})
		return nil
	}
	// APPENDs are pipelined; their answers are read in order. After an
	// interruption the answers in flight are still read and journaled.
	queue := &imap.AppendQueue[restoredItem]{Window: restoreWindow, Done: func(a restoredItem, res *imap.AppendResult, err error) error {
		if err != nil {
			return fail(a.key, err)
		}
		sum.Uploaded++
		sum.Bytes += a.size
		uidValidity := status.UIDValidity
		if res.UIDValidity != 0 {
			uidValidity = res.UIDValidity
		}
		journal.add(journalEntry{Source: a.key, Mailbox: target, UIDValidity: uidValidity, UID: res.UID, Size: a.size, SHA256: a.sum})
		return nil
	}}
	upload := func(rm *restoreMessage) error {
		if err := ctx.Err(); err != nil {
			return err // interrupted: no new message; those sent are answered below
		}
		rc, err := rm.open()
		if err != nil {
			return fail(rm.key, err)
		}
		// A message whose APPEND has begun is sent to its end even after
		// an interruption (also while a synchronising literal waits for
		// its "+", RFC 3501 §7.5): the connection stays usable, so the
		// answers of the messages in flight are read and journaled.
		// --timeout bounds the wait; a second Ctrl-C ends imapctl.
		pending, err := c.StartAppend(context.WithoutCancel(ctx), target, rm.size, rc, &imap.AppendOptions{Flags: rm.flags, InternalDate: rm.internalDate})
		rc.Close()
		if err != nil {
			return fail(rm.key, err)
		}
		return queue.Add(ctx, pending, restoredItem{key: rm.key, size: rm.size, sum: rm.sum})
	}
	// Into a mailbox that held messages, each source message is first
	// looked for there (by Message-ID, size and SHA-256), a batch of
	// messages at a time: one UID FETCH of all their candidates, not one
	// round trip per message.
	var index targetIndex
	selected := false
	var batch []restoreMessage
	flushBatch := func() error {
		if len(batch) == 0 {
			return nil
		}
		defer func() { batch = batch[:0] }()
		failAll := func(err error) error {
			for i := range batch {
				if ferr := fail(batch[i].key, err); ferr != nil {
					return ferr
				}
			}
			return nil
		}
		var sums map[uint32]string
		if status.Messages > 0 || selected {
			if !selected {
				mbx, err := c.Select(ctx, target, &imap.SelectOptions{ReadOnly: true})
				if err != nil {
					return failAll(err)
				}
				selected = true
				if err := index.build(ctx, c, mbx.Exists); err != nil {
					return failAll(err)
				}
			}
			var want []uint32
			for i := range batch {
				want = append(want, index.candidates(&batch[i])...)
			}
			slices.Sort(want)
			var err error
			if sums, err = targetSums(ctx, c, slices.Compact(want)); err != nil {
				return failAll(err)
			}
		}
		for i := range batch {
			rm := &batch[i]
			if sums != nil && index.take(rm, sums) != 0 {
				sum.Skipped++
				journal.add(journalEntry{Source: rm.key, Mailbox: target, UIDValidity: status.UIDValidity, Size: rm.size, SHA256: rm.sum})
				continue
			}
			if err := upload(rm); err != nil {
				return err
			}
		}
		return nil
	}
	err = mb.messages(func(rm restoreMessage) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if v, ok := journal.index[journalKey(target, rm.key)]; ok && v == status.UIDValidity {
			sum.Skipped++
			return nil
		}
		if rm.check != nil {
			var err error
			if rm.size, rm.sum, err = rm.check(); err != nil {
				return fail(rm.key, err)
			}
		} else if rm.size < 0 || rm.sum == "" {
			if err := measure(&rm); err != nil {
				return fail(rm.key, err)
			}
		}
		batch = append(batch, rm)
		if len(batch) >= restoreBatch {
			return flushBatch()
		}
		return nil
	})
	if err == nil {
		err = flushBatch()
	}
	if qerr := queue.Drain(ctx); err == nil {
		err = qerr
	}
	journal.flush()
	return err
}

// restoreJournal is a restore's journal: the index of what earlier runs
// restored, the lock that keeps a second run of the same restore out, and
// the lines of this run, appended in batches with one fsync per batch
// rather than per message. A line a crash loses costs no duplicate: the
// next run finds the message in the target mailbox (targetIndex, by
// Message-ID, size and SHA-256) and journals it then. For the same reason
// a journal that cannot be kept (an unwritable folder, a full disk) is
// warned about once and the restore goes on without it.
type restoreJournal struct {
	// path is the journal file; "" when none is kept (any more).
	path  string
	index journalIndex
	lock  *os.File
	warn  func(format string, args ...any)
	batch []byte
	lines int
}

// journalBatch is how many lines a restoreJournal gathers before it writes.
const journalBatch = 64

// restoreJournalName is the file name of the journal of a restore of
// source into the account target (user@host) under the mailbox prefix: a
// hash of the three, so that a rerun of the same restore finds it and
// another restore does not. source is made absolute, with symbolic links
// resolved, so that another spelling of the same folder finds it too.
func restoreJournalName(source, target, prefix string) string {
	if abs, err := filepath.Abs(source); err == nil {
		source = abs
	}
	if real, err := filepath.EvalSymlinks(source); err == nil {
		source = real
	}
	h := sha256.Sum256([]byte(source + "\x00" + target + "\x00" + prefix))
	return hex.EncodeToString(h[:16]) + ".jsonl"
}

// openRestoreJournal locks and reads the journal of the restore opts
// describes (see RestoreOptions.Journal), and reads the journal an
// earlier version kept in legacyDir, the source, if there is one. Only
// another run holding the lock is an error (*RestoreLockedError); any
// other trouble with the journal is warned about and the restore goes on
// without it.
func openRestoreJournal(opts RestoreOptions, source, legacyDir string) (*restoreJournal, error) {
	j := &restoreJournal{path: opts.Journal, index: journalIndex{}, warn: opts.Warn}
	if j.path == "" && opts.JournalDir != "" {
		j.path = filepath.Join(opts.JournalDir, restoreJournalName(source, opts.Target, opts.Prefix))
	}
	if path := j.path; path != "" {
		if err := j.acquire(); err != nil {
			var locked *RestoreLockedError
			if errors.As(err, &locked) {
				return nil, err
			}
			j.drop(err)
		}
		// Read even when it cannot be written: what it knows is still
		// true.
		if err := readJournal(path, j.index); err != nil {
			j.drop(err)
		}
	}
	if legacyDir != "" {
		legacy := filepath.Join(legacyDir, ".imapctl-restore", EscapeName(opts.Target)+".jsonl")
		if err := readJournal(legacy, j.index); err != nil {
			opts.Warn("cannot read the old restore journal %s: %v", legacy, err)
		}
	}
	return j, nil
}

// acquire takes an exclusive flock(2) on the journal's lock file (the
// journal's name with .lock added, holding the owner's PID) without
// waiting, as AcquireLock does for a backup folder. The kernel drops it
// when the process dies, so a lock file left by a killed run is taken
// over.
func (j *restoreJournal) acquire() error {
	if err := os.MkdirAll(filepath.Dir(j.path), 0o700); err != nil {
		return err
	}
	path := j.path + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := lockExclusive(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			data, _ := os.ReadFile(path)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
			return &RestoreLockedError{Journal: j.path, PID: pid}
		}
		return fmt.Errorf("locking %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	j.lock = f
	return nil
}

// drop stops journaling after err, with one warning.
func (j *restoreJournal) drop(err error) {
	if j.path == "" {
		return
	}
	j.warn("cannot keep the restore journal %s: %v; going on without it (a rerun finds the messages restored in the target mailbox)", j.path, err)
	j.path, j.batch, j.lines = "", nil, 0
}

// add journals e, writing the batch when it is full.
func (j *restoreJournal) add(e journalEntry) {
	if j.path == "" {
		return
	}
	data, err := json.Marshal(e)
	if err != nil {
		j.drop(err)
		return
	}
	j.batch = append(append(j.batch, data...), '\n')
	if j.lines++; j.lines >= journalBatch {
		j.flush()
	}
}

// flush writes and fsyncs the lines gathered.
func (j *restoreJournal) flush() {
	if j.path == "" || len(j.batch) == 0 {
		return
	}
	if err := appendDurable(j.path, j.batch); err != nil {
		j.drop(err)
		return
	}
	j.batch, j.lines = j.batch[:0], 0
}

// close writes what is left and releases the lock. The lock file stays
// (removing it could let a third run lock a new file while a second
// holds the old one).
func (j *restoreJournal) close() {
	j.flush()
	if j.lock != nil {
		j.lock.Close()
		j.lock = nil
	}
}

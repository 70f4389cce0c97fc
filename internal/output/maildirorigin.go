package output

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MaildirOrigin names the one mailbox a Maildir's messages were fetched
// from: the account (server host and user name), the mailbox and its
// UIDVALIDITY. While a Maildir holds messages of one origin only, the
// ",U=<uid>" of its file names identify them on the server (RFC 3501
// §2.3.1.1: a UID names one message for as long as UIDVALIDITY stays), so
// that a later fetch from the same origin can leave out the messages
// already there: an interrupted run resumes where it stopped.
type MaildirOrigin struct {
	Host        string `json:"host"`
	User        string `json:"user"`
	Mailbox     string `json:"mailbox"`
	UIDValidity uint32 `json:"uidvalidity"`
	// FetchedBelow, when not 0, says that every message of the mailbox
	// with a smaller UID was fetched into the Maildir (or no longer
	// existed): a later fetch leaves those out even when their files
	// were since deleted or moved away, as a mail reader does. It is the
	// UIDNEXT of the last fetch that asked for all the mailbox's messages
	// and got them.
	FetchedBelow uint32 `json:"fetched_below,omitempty"`
}

// MaildirOriginFile is the file in a Maildir's root that records its
// origin. Its leading dot hides it from folder listings; Maildir readers
// (Dovecot, mutt, isync) only look into cur/, new/ and tmp/ and at their
// own files.
const MaildirOriginFile = ".imapctl-origin"

// Same reports whether o and p name the same mailbox of the same account
// in the same UIDVALIDITY (FetchedBelow is not compared). Host names compare without regard to case, as
// does the name INBOX (RFC 3501 §5.1); other mailbox names and user names
// compare exactly.
func (o MaildirOrigin) Same(p MaildirOrigin) bool {
	sameMailbox := o.Mailbox == p.Mailbox ||
		(strings.EqualFold(o.Mailbox, "INBOX") && strings.EqualFold(p.Mailbox, "INBOX"))
	return strings.EqualFold(o.Host, p.Host) && o.User == p.User && sameMailbox && o.UIDValidity == p.UIDValidity
}

// MaildirState is what a Maildir holds before a fetch writes into it.
type MaildirState struct {
	// Recorded is true when the Maildir has a MaildirOriginFile, and
	// Origin what it says (nil when it cannot be read as one).
	Recorded bool
	Origin   *MaildirOrigin
	// Messages is the number of message files in new/ and cur/.
	Messages int
	// UIDs holds the ",U=" UIDs of those files.
	UIDs *NumberSet
}

// ReadMaildirState reads a Maildir's recorded origin and the UIDs in its
// file names, reading the folders in slices so that its memory grows with
// the gaps between the UIDs, not with the number of files. A Maildir that
// does not exist is empty.
func ReadMaildirState(root string) (MaildirState, error) {
	state := MaildirState{UIDs: &NumberSet{}}
	if info, err := os.Stat(root); errors.Is(err, os.ErrNotExist) {
		return state, nil
	} else if err != nil {
		return state, err
	} else if !info.IsDir() {
		return state, fmt.Errorf("output: %s is not a folder", root)
	}
	var err error
	if state.Origin, state.Recorded, err = ReadMaildirOrigin(root); err != nil {
		return state, err
	}
	for _, sub := range []string{"new", "cur"} {
		if err := eachMaildirName(filepath.Join(root, sub), func(name string) {
			state.Messages++
			if parsed, err := ParseMaildirName(name); err == nil && parsed.UID != 0 {
				state.UIDs.Add(parsed.UID)
			}
		}); err != nil {
			return state, err
		}
	}
	return state, nil
}

// ReadMaildirOrigin reads the origin recorded in the Maildir at root:
// recorded is false when there is no record, and origin nil when there is
// none or it cannot be read as one.
func ReadMaildirOrigin(root string) (origin *MaildirOrigin, recorded bool, err error) {
	data, err := os.ReadFile(filepath.Join(root, MaildirOriginFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var o MaildirOrigin
	if json.Unmarshal(data, &o) != nil || o.UIDValidity == 0 {
		return nil, true, nil
	}
	return &o, true, nil
}

// eachMaildirName calls fn with the name of every message file of a
// Maildir's new/ or cur/ (names starting with a dot are not messages); a
// folder that does not exist has none.
func eachMaildirName(dir string, fn func(name string)) error {
	d, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		names, err := d.Readdirnames(1024)
		for _, n := range names {
			if !strings.HasPrefix(n, ".") {
				fn(n)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// RecordMaildirOrigin records origin in the existing Maildir at root,
// atomically (a temp file, synced and renamed), or with a nil origin
// removes the record; then syncs root so that the change is durable before
// anything written after it.
func RecordMaildirOrigin(root string, origin *MaildirOrigin) error {
	path := filepath.Join(root, MaildirOriginFile)
	if origin == nil {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return syncDir(root)
	}
	data, err := json.Marshal(origin)
	if err != nil {
		return err
	}
	tmp := path + "." + randomHex(8) + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(data, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("output: cannot record the origin of %s: %w", root, err)
	}
	return syncDir(root)
}

// MaildirLock is a held lock on a Maildir (see [LockMaildir]).
type MaildirLock struct{ dir *os.File }

// LockMaildir takes an exclusive flock(2) on the Maildir folder root
// itself, without waiting, so that two fetches into one Maildir (cron
// starting a run while the last one still goes on) do not both fetch
// the messages the first has not stored yet; another holder gives
// *LockedError. The lock ends with Unlock or with the process. A root
// that does not exist yet is locked when a [MaildirSink] given the lock
// ([MaildirSink.UseLock]) creates it, before its first message: creating
// it here would store something before any message came.
func LockMaildir(root string) (*MaildirLock, error) {
	l := &MaildirLock{}
	if err := l.lock(root); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return l, nil
}

// lock takes the lock on root unless it is held already.
func (l *MaildirLock) lock(root string) error {
	if l.dir != nil {
		return nil
	}
	dir, err := openFile(root, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	if err := lockFile(dir); err != nil {
		dir.Close()
		var locked *LockedError
		if errors.As(err, &locked) {
			locked.Path = root
		}
		return err
	}
	l.dir = dir
	return nil
}

// Unlock releases the lock.
func (l *MaildirLock) Unlock() error {
	if l == nil || l.dir == nil {
		return nil
	}
	err := l.dir.Close()
	l.dir = nil
	return err
}

package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/imapctl/imapctl/internal/imap"
)

// Kinds of Difference found by Verify.
const (
	DiffMissing      = "missing"       // on the server, not in the backup
	DiffExtra        = "extra"         // in the backup, not on the server
	DiffSize         = "size"          // RFC822.SIZE differs from the manifest
	DiffContent      = "content"       // the server's SHA-256 differs (--deep)
	DiffFileMissing  = "file-missing"  // the manifest's file is gone
	DiffFileChanged  = "file-changed"  // the file no longer hashes to the manifest
	DiffFileExtra    = "file-extra"    // a message file no manifest line records
	DiffNoMailbox    = "no-mailbox"    // the server has no such mailbox
	DiffUIDValidity  = "uidvalidity"   // informational: compared by content
	DiffManifestTorn = "manifest-torn" // the manifest ends in a partial line
)

// Difference is one mismatch found by Verify.
type Difference struct {
	Mailbox string `json:"mailbox"`
	UID     uint32 `json:"uid,omitempty"`
	Kind    string `json:"kind"`
	Detail  string `json:"detail,omitempty"`
}

func (d Difference) String() string {
	s := d.Mailbox + ": "
	if d.UID != 0 {
		s += fmt.Sprintf("UID %d: ", d.UID)
	}
	s += d.Kind
	if d.Detail != "" {
		s += " (" + d.Detail + ")"
	}
	return s
}

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Dir is a backup folder, or one account's folder inside it.
	Dir     string
	Account Account
	// Deep compares the SHA-256 of every message on the server.
	Deep bool

	// compared, when set, is called after each server message is
	// compared, with how many have been (tests measure memory there).
	compared func(n int)
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Mailboxes   int          `json:"mailboxes"`
	Messages    int          `json:"messages"`
	Differences []Difference `json:"differences"`
}

// Matches reports whether backup and server agree.
func (r *VerifyReport) Matches() bool {
	for _, d := range r.Differences {
		if d.Kind != DiffUIDValidity {
			return false
		}
	}
	return true
}

// AccountDir finds the account folder of acct in dir: dir itself when it
// is one, dir/<escaped name>, or the only account folder in dir.
func AccountDir(dir string, acct Account) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, AccountFileName)); err == nil {
		return dir, nil
	}
	named := filepath.Join(dir, EscapeName(acct.Name))
	if _, err := os.Stat(filepath.Join(named, AccountFileName)); err == nil {
		return named, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var found []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), AccountFileName)); e.IsDir() && err == nil {
			found = append(found, e.Name())
		}
	}
	if len(found) == 1 {
		return filepath.Join(dir, found[0]), nil
	}
	if len(found) == 0 {
		return "", fmt.Errorf("backup: %s holds no imapctl backup", dir)
	}
	return "", fmt.Errorf("backup: %s holds several accounts (%s): name one folder", dir, strings.Join(found, ", "))
}

// BackupMailbox is one mailbox folder of a backup.
type BackupMailbox struct {
	Dir   string
	State State
}

// BackupMailboxes lists the mailbox folders under an account folder
// (those with a state file), skipping folders kept aside after a
// UIDVALIDITY change.
func BackupMailboxes(acctDir string) ([]BackupMailbox, error) {
	var out []BackupMailbox
	err := filepath.WalkDir(acctDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != acctDir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if n := d.Name(); path != acctDir && (n == "cur" || n == "new" || n == "tmp") {
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), StateFileName)); err == nil {
				return filepath.SkipDir
			}
		}
		st, ok, err := readState(path)
		if err != nil {
			return err
		}
		if ok {
			out = append(out, BackupMailbox{Dir: path, State: st})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].State.Mailbox < out[j].State.Mailbox })
	return out, err
}

// Verify compares a backup with the server and its files with the
// manifest. Messages are matched by UID; when the mailbox's UIDVALIDITY
// differs (a restored copy) they are matched by SHA-256 instead, which
// always reads every message.
func Verify(ctx context.Context, c *imap.Client, opts VerifyOptions) (*VerifyReport, error) {
	acctDir, err := AccountDir(opts.Dir, opts.Account)
	if err != nil {
		return nil, err
	}
	// A backup still writing the folder would show as thousands of
	// differences: refused, and checked again at the end for a backup
	// that started meanwhile. The lock is in the folder backup --out
	// named, the account folder's parent.
	lockDir := filepath.Dir(acctDir)
	lockSeen, err := CheckUnlocked(lockDir)
	if err != nil {
		return nil, err
	}
	mailboxes, err := BackupMailboxes(acctDir)
	if err != nil {
		return nil, err
	}
	// Another account than the one backed up (a restored copy) shares no
	// UIDs with the backup, even where its UIDVALIDITY happens to be equal.
	byContent := false
	if data, err := os.ReadFile(filepath.Join(acctDir, AccountFileName)); err == nil {
		var info AccountInfo
		if json.Unmarshal(data, &info) == nil && opts.Account.User != "" && info.User != "" &&
			(info.User != opts.Account.User || info.Host != opts.Account.Host) {
			byContent = true
		}
	}
	rep := &VerifyReport{Differences: []Difference{}}
	for _, mb := range mailboxes {
		rep.Mailboxes++
		if err := verifyMailbox(ctx, c, mb, opts, byContent, rep); err != nil {
			return rep, fmt.Errorf("%s: %w", mb.State.Mailbox, err)
		}
	}
	if _, err := CheckUnlocked(lockDir); err != nil {
		return nil, err
	}
	if lockSeen.Changed() {
		return nil, &BackupDuringVerifyError{Dir: lockDir}
	}
	return rep, nil
}

// BackupDuringVerifyError says a backup ran in the folder while Verify
// compared it: the differences found may be the backup's work in
// progress, so none is reported.
type BackupDuringVerifyError struct {
	Dir string
}

func (e *BackupDuringVerifyError) Error() string {
	return fmt.Sprintf("backup: a backup ran in %s during the verify, so its result is not reliable; run verify again", e.Dir)
}

func verifyMailbox(ctx context.Context, c *imap.Client, mb BackupMailbox, opts VerifyOptions, otherAccount bool, rep *VerifyReport) error {
	name, deep := mb.State.Mailbox, opts.Deep
	diff := func(uid uint32, kind, detail string) {
		rep.Differences = append(rep.Differences, Difference{Mailbox: name, UID: uid, Kind: kind, Detail: detail})
	}
	// The manifest is folded into a compact index and each entry read
	// again when it is compared: memory does not grow by much more than
	// 50 bytes per message (TestBackupHeapPerMessage).
	idx, err := openManifestIndex(mb.Dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	rep.Messages += idx.len()
	// Local files against the manifest.
	for uid, r := range idx.ascending() {
		e, err := idx.entry(uid, r)
		if err != nil {
			return err
		}
		d, err := digestStored(mb.State.Format, mb.Dir, e, mb.State.Linesep)
		switch {
		case errors.Is(err, os.ErrNotExist):
			diff(uid, DiffFileMissing, e.File)
			continue
		case err != nil:
			diff(uid, DiffFileChanged, err.Error())
			continue
		}
		if e.StoredSHA256 != "" && d.SHA256 != e.StoredSHA256 {
			diff(uid, DiffFileChanged, "SHA-256 of the file differs from the manifest")
		} else if e.Lossless && (d.CRLFSHA256 != e.SHA256 || d.CRLFSize != e.Size) {
			diff(uid, DiffFileChanged, "the file put back to CRLF differs from the server's bytes")
		}
	}
	if mb.State.Format != FormatMbox {
		err := eachMessageFile(mb.State.Format, mb.Dir, func(uid uint32, path string) error {
			if r, ok := idx.refs.get(uid); !ok || r.fileHash != fileHash(path) {
				diff(uid, DiffFileExtra, path)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// The server.
	sel, err := c.Select(ctx, name, &imap.SelectOptions{ReadOnly: true})
	var serverErr *imap.Error
	if errors.As(err, &serverErr) {
		diff(0, DiffNoMailbox, serverErr.Text)
		return nil
	}
	if err != nil {
		return err
	}
	byContent := otherAccount || sel.UIDValidity != mb.State.UIDValidity
	if byContent {
		why := fmt.Sprintf("backup %d, server %d: compared by content", mb.State.UIDValidity, sel.UIDValidity)
		if otherAccount {
			why = "another account than the one backed up: compared by content"
		}
		diff(0, DiffUIDValidity, why)
		deep = true
	}
	// By content: the backup's SHA-256s, counted; each server message
	// takes one, and those left over are not on the server.
	var backupSums map[[sha256.Size]byte]int32
	if byContent {
		backupSums = make(map[[sha256.Size]byte]int32, idx.len())
		for uid, r := range idx.ascending() {
			e, err := idx.entry(uid, r)
			if err != nil {
				return err
			}
			if k, ok := sumKey(e.SHA256); ok {
				backupSums[k]++
			}
		}
	}
	// compare checks one server message against the backup as it arrives.
	compare := func(uid uint32, size int64, sum string) error {
		if byContent {
			if k, ok := sumKey(sum); ok && backupSums[k] > 0 {
				backupSums[k]--
			} else {
				diff(uid, DiffMissing, "server message not in the backup")
			}
			return nil
		}
		r, ok := idx.refs.get(uid)
		if !ok {
			diff(uid, DiffMissing, "")
			return nil
		}
		r.seen = true
		idx.refs.set(uid, r)
		e, err := idx.entry(uid, r)
		if err != nil {
			return err
		}
		switch {
		case size >= 0 && size != e.Size:
			diff(uid, DiffSize, fmt.Sprintf("server %d, backup %d", size, e.Size))
		case deep && sum != e.SHA256:
			diff(uid, DiffContent, "server SHA-256 "+sum+", backup "+e.SHA256)
		}
		return nil
	}
	if sel.Exists > 0 {
		compared := 0
		fo := &imap.FetchOptions{UID: true, RFC822Size: true}
		if deep {
			fo.BodySections = []imap.BodySection{{Peek: true}}
		}
		err = c.Fetch(ctx, imap.AllUID(), fo, func(m *imap.FetchMessage) error {
			var sum string
			bodySize := int64(-1)
			for { // UID and RFC822.SIZE may come after the body (RFC 3501 §7.4.2)
				b, err := m.NextBody()
				if err != nil {
					return err
				}
				if b == nil {
					break
				}
				if b.IsWholeMessage() && sum == "" {
					h := sha256.New()
					n, err := io.Copy(h, b)
					if err != nil {
						return err
					}
					sum, bodySize = hex.EncodeToString(h.Sum(nil)), n
				}
			}
			if deep && sum == "" {
				return nil // a flag update, not an answer
			}
			size := m.RFC822Size
			if size < 0 {
				size = bodySize
			}
			if m.UID == 0 {
				diff(0, DiffMissing, fmt.Sprintf("server message %d came without its UID", m.SeqNum))
				return nil
			}
			if err := compare(m.UID, size, sum); err != nil {
				return err
			}
			if compared++; opts.compared != nil {
				opts.compared(compared)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for uid, r := range idx.ascending() {
		if byContent {
			e, err := idx.entry(uid, r)
			if err != nil {
				return err
			}
			// A damaged sum matches no server message: extra.
			k, ok := sumKey(e.SHA256)
			if ok && backupSums[k] > 0 {
				backupSums[k]--
				diff(uid, DiffExtra, "backup message not on the server")
			} else if !ok {
				diff(uid, DiffExtra, "backup message not on the server")
			}
		} else if !r.seen {
			diff(uid, DiffExtra, "deleted on the server")
		}
	}
	return nil
}

// sumKey is a hex SHA-256 as a map key of 32 bytes; ok is false for text
// that is not one (a damaged manifest line), which matches nothing.
func sumKey(hexSum string) (key [sha256.Size]byte, ok bool) {
	n, err := hex.Decode(key[:], []byte(hexSum))
	return key, err == nil && n == sha256.Size && len(hexSum) == 2*sha256.Size
}

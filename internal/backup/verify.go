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
	"slices"
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
		if err := verifyMailbox(ctx, c, mb, opts.Deep, byContent, rep); err != nil {
			return rep, fmt.Errorf("%s: %w", mb.State.Mailbox, err)
		}
	}
	return rep, nil
}

func verifyMailbox(ctx context.Context, c *imap.Client, mb BackupMailbox, deep, otherAccount bool, rep *VerifyReport) error {
	name := mb.State.Mailbox
	diff := func(uid uint32, kind, detail string) {
		rep.Differences = append(rep.Differences, Difference{Mailbox: name, UID: uid, Kind: kind, Detail: detail})
	}
	man, err := readManifest(mb.Dir, false)
	if err != nil {
		return err
	}
	rep.Messages += len(man.Messages)
	// Local files against the manifest.
	for _, uid := range sortedUIDs(man.Messages) {
		e := man.Messages[uid]
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
		files, err := messageFiles(mb.State.Format, mb.Dir)
		if err != nil {
			return err
		}
		for uid, paths := range files {
			for _, p := range paths {
				if e := man.Messages[uid]; e == nil || e.File != p {
					diff(uid, DiffFileExtra, p)
				}
			}
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
	type serverMsg struct {
		uid  uint32
		size int64
		sum  string
	}
	var onServer []serverMsg
	if sel.Exists > 0 {
		fo := &imap.FetchOptions{UID: true, RFC822Size: true}
		if deep {
			fo.BodySections = []imap.BodySection{{Peek: true}}
		}
		err = c.Fetch(ctx, imap.AllUID(), fo, func(m *imap.FetchMessage) error {
			var sm serverMsg
			bodySize := int64(-1)
			for { // UID and RFC822.SIZE may come after the body (RFC 3501 §7.4.2)
				b, err := m.NextBody()
				if err != nil {
					return err
				}
				if b == nil {
					break
				}
				if b.IsWholeMessage() && sm.sum == "" {
					h := sha256.New()
					n, err := io.Copy(h, b)
					if err != nil {
						return err
					}
					sm.sum, bodySize = hex.EncodeToString(h.Sum(nil)), n
				}
			}
			if deep && sm.sum == "" {
				return nil // a flag update, not an answer
			}
			sm.uid, sm.size = m.UID, m.RFC822Size
			if sm.size < 0 {
				sm.size = bodySize
			}
			if sm.uid == 0 {
				diff(0, DiffMissing, fmt.Sprintf("server message %d came without its UID", m.SeqNum))
				return nil
			}
			onServer = append(onServer, sm)
			return nil
		})
		if err != nil {
			return err
		}
	}
	if byContent {
		backupSums := map[string]int{}
		for _, e := range man.Messages {
			backupSums[e.SHA256]++
		}
		for _, sm := range onServer {
			if backupSums[sm.sum] > 0 {
				backupSums[sm.sum]--
				continue
			}
			diff(sm.uid, DiffMissing, "server message not in the backup")
		}
		for _, uid := range sortedUIDs(man.Messages) {
			if e := man.Messages[uid]; backupSums[e.SHA256] > 0 {
				backupSums[e.SHA256]--
				diff(uid, DiffExtra, "backup message not on the server")
			}
		}
		return nil
	}
	seen := map[uint32]bool{}
	for _, sm := range onServer {
		seen[sm.uid] = true
		e := man.Messages[sm.uid]
		switch {
		case e == nil:
			diff(sm.uid, DiffMissing, "")
		case sm.size >= 0 && sm.size != e.Size:
			diff(sm.uid, DiffSize, fmt.Sprintf("server %d, backup %d", sm.size, e.Size))
		case deep && sm.sum != e.SHA256:
			diff(sm.uid, DiffContent, "server SHA-256 "+sm.sum+", backup "+e.SHA256)
		}
	}
	for _, uid := range sortedUIDs(man.Messages) {
		if !seen[uid] {
			diff(uid, DiffExtra, "deleted on the server")
		}
	}
	return nil
}

func sortedUIDs[V any](m map[uint32]V) []uint32 {
	uids := make([]uint32, 0, len(m))
	for uid := range m {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	return uids
}

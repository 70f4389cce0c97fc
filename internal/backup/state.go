package backup

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// File names inside a mailbox folder.
const (
	StateFileName    = ".imapctl-state.json"
	ManifestFileName = ".imapctl-manifest.jsonl"
	AccountFileName  = ".imapctl-account.json"
)

// State is a mailbox's sync position (RFC 3501 §2.3.1.1 UIDVALIDITY and
// UIDs, RFC 7162 §3.1.1 HIGHESTMODSEQ), replaced atomically after the
// manifest lines it summarises are durable.
type State struct {
	// Mailbox is the mailbox name (UTF-8) and Delimiter its hierarchy
	// delimiter: what restore needs to recreate it.
	Mailbox   string `json:"mailbox"`
	Delimiter string `json:"delimiter"`
	// Attributes are the LIST attributes, including SPECIAL-USE (RFC 6154).
	Attributes    []string `json:"attributes,omitempty"`
	UIDValidity   uint32   `json:"uidvalidity"`
	LastUID       uint32   `json:"last_uid"`
	HighestModSeq uint64   `json:"highestmodseq,omitempty"`
	// Messages and Unseen are the STATUS counts last seen: a change means
	// flags or deletions to pick up on servers without CONDSTORE.
	Messages uint32 `json:"messages"`
	Unseen   uint32 `json:"unseen"`
	// Format is maildir, mbox or eml; Policy the policy spec; Linesep the
	// policy's line separator (restore turns it back into CRLF).
	Format  string    `json:"format"`
	Policy  string    `json:"policy"`
	Linesep string    `json:"linesep"`
	Updated time.Time `json:"updated"`
}

// AccountInfo is written once per account folder.
type AccountInfo struct {
	Account string `json:"account"`
	User    string `json:"user,omitempty"`
	Host    string `json:"host,omitempty"`
}

// readState reads dir's state file; ok is false when there is none.
func readState(dir string) (State, bool, error) {
	var st State
	data, err := os.ReadFile(filepath.Join(dir, StateFileName))
	if errors.Is(err, os.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, err
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, false, fmt.Errorf("backup: %s: %w", filepath.Join(dir, StateFileName), err)
	}
	return st, true, nil
}

// writeFileAtomic replaces path with data: temp file, fsync, rename, fsync
// of the folder. crashPoint (nil in production) is called between the
// steps, for the crash tests.
func writeFileAtomic(path string, data []byte, crashPoint func(step string)) error {
	if crashPoint == nil {
		crashPoint = func(string) {}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		crashPoint("temp file synced")
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	crashPoint("renamed")
	return syncDir(dir)
}

// writeState replaces dir's state file atomically (see writeFileAtomic).
func writeState(dir string, st State, crashPoint func(step string)) error {
	st.Updated = time.Now().UTC().Truncate(time.Second)
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, StateFileName), append(data, '\n'), crashPoint)
}

// syncDir fsyncs a folder so that renames in it are durable; file systems
// that cannot (EINVAL) are tolerated.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}

// Manifest operations.
const (
	OpStored   = "stored"   // a message was stored
	OpFlags    = "flags"    // the flags of a stored message changed
	OpExpunged = "expunged" // pruned: gone from the server and the backup
	OpFailed   = "failed"   // fetching or storing failed; retried next run
)

// Entry is one manifest line. An OpStored line describes a message; later
// OpFlags, OpExpunged and OpFailed lines about the same UID amend it.
type Entry struct {
	Op  string `json:"op"`
	UID uint32 `json:"uid"`
	// Size is RFC822.SIZE, the server's byte count (CRLF line ends).
	Size int64 `json:"size,omitempty"`
	// SHA256 is the hex SHA-256 of the server's bytes (BODY[]).
	SHA256       string    `json:"sha256,omitempty"`
	Flags        []string  `json:"flags,omitempty"`
	InternalDate time.Time `json:"internaldate,omitzero"`
	MessageID    string    `json:"message_id,omitempty"`
	ModSeq       uint64    `json:"modseq,omitempty"`
	// StoredSize and StoredSHA256 describe the bytes as stored (after the
	// policy, before any mbox quoting). StoredSHA256 is left out when
	// Lossless: SHA256 then covers the stored bytes put back to CRLF.
	StoredSize   int64  `json:"stored_size,omitempty"`
	StoredSHA256 string `json:"stored_sha256,omitempty"`
	// Lossless says the stored bytes, put back to CRLF, are the server's
	// bytes again (same SHA-256). False means the policy changed them in a
	// way that cannot be undone (e.g. bare LF in the original).
	Lossless bool `json:"lossless"`
	// File is the message's file relative to the mailbox folder (Maildir,
	// eml); Offset and End delimit it in the mbox file.
	File   string `json:"file,omitempty"`
	Offset int64  `json:"offset,omitempty"`
	End    int64  `json:"end,omitempty"`
	// NewlineAdded says the mbox holds one "\n" more than the message had
	// (mbox cannot store a message without a final newline); readers drop
	// it again.
	NewlineAdded bool `json:"newline_added,omitempty"`
	// Error says why a message failed (OpFailed).
	Error string `json:"error,omitempty"`
}

// Manifest is the folded view of a manifest file.
type Manifest struct {
	// Messages are the stored messages by UID, with later flag changes
	// applied; expunged ones are removed.
	Messages map[uint32]*Entry
	// Failed are UIDs whose last event is a failure.
	Failed map[uint32]string
	// MboxEnd is the end of the last message stored in an mbox.
	MboxEnd int64
	// MaxUID is the largest UID of any line.
	MaxUID uint32
}

// scanManifest calls fn with each line of dir's manifest in order and
// the line's offset in the file, reading it as a stream: memory does not
// grow with the manifest. A last line without its newline is the remains
// of a crash: it is cut off the file (when repair is set) and ignored.
func scanManifest(dir string, repair bool, fn func(e *Entry, offset int64)) error {
	path := filepath.Join(dir, ManifestFileName)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return scanManifestFile(f, path, repair, fn)
}

// scanManifestFile is scanManifest on the open manifest f, named path,
// read from its start.
func scanManifestFile(f *os.File, path string, repair bool, fn func(e *Entry, offset int64)) error {
	br := bufio.NewReader(f)
	var good int64
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long := bytes.Clone(line)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err == io.EOF {
			if len(line) > 0 && repair {
				if terr := os.Truncate(path, good); terr != nil {
					return terr
				}
			}
			return nil
		}
		if err != nil {
			return err
		}
		offset := good
		good += int64(len(line))
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			return fmt.Errorf("backup: %s line %d: %w", path, lineNo, err)
		}
		fn(&e, offset)
	}
}

// findEntry returns the folded manifest entry of one stored message of
// dir (nil when it has none), reading the manifest as a stream.
func findEntry(dir string, uid uint32) (*Entry, error) {
	var found *Entry
	err := scanManifest(dir, false, func(e *Entry, _ int64) {
		if e.UID != uid {
			return
		}
		m := Manifest{Messages: map[uint32]*Entry{}, Failed: map[uint32]string{}}
		if found != nil {
			m.Messages[uid] = found
		}
		m.apply(e)
		found = m.Messages[uid]
	})
	return found, err
}

// storedIndex is the part of a folded manifest that a backup run needs,
// kept compact: per stored message a 64-bit hash of its file's name
// (Maildir, eml) and its flags as an index into a table of distinct flag
// lists (most messages share a few). File names, when needed, are read
// again from the manifest (recordedFiles), whole entries with findEntry.
type storedIndex struct {
	messages refTable[storedRef]
	// flagSets are the distinct flag lists; flagSetIDs finds them by key.
	flagSets   [][]string
	flagSetIDs map[string]uint32
	// failed are UIDs whose last event is a failure.
	failed map[uint32]string
	// mboxEnd is the end of the last message stored in an mbox.
	mboxEnd int64
}

// storedRef is what storedIndex keeps of one stored message.
type storedRef struct {
	file  uint64 // fileHash of Entry.File
	flags uint32
	// found is set by reconcile when the file is in the folder.
	found bool
}

// fileHash is the 64-bit FNV-1a hash of a file name relative to the
// mailbox folder.
func fileHash(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h
}

// recordedFiles returns the recorded file of each stored message of dir
// whose UID is in want, reading the manifest as a stream: memory grows
// with want, not with the manifest.
func recordedFiles(dir string, want map[uint32]bool) (map[uint32]string, error) {
	files := map[uint32]string{}
	err := scanManifest(dir, false, func(e *Entry, _ int64) {
		if !want[e.UID] {
			return
		}
		switch e.Op {
		case OpStored:
			files[e.UID] = e.File
		case OpFlags:
			if _, ok := files[e.UID]; ok && e.File != "" {
				files[e.UID] = e.File
			}
		case OpExpunged:
			delete(files, e.UID)
		}
	})
	return files, err
}

// readIndex folds dir's manifest into a storedIndex, reading it as a
// stream (see scanManifest for repair).
func readIndex(dir string, repair bool) (*storedIndex, error) {
	x := &storedIndex{flagSetIDs: map[string]uint32{}, failed: map[uint32]string{}, flagSets: [][]string{nil}}
	if err := scanManifest(dir, repair, func(e *Entry, _ int64) { x.apply(e) }); err != nil {
		return nil, err
	}
	return x, nil
}

// flagSetID interns flags.
func (x *storedIndex) flagSetID(flags []string) uint32 {
	if len(flags) == 0 {
		return 0
	}
	key := strings.Join(flags, "\x00")
	if id, ok := x.flagSetIDs[key]; ok {
		return id
	}
	id := uint32(len(x.flagSets))
	x.flagSets = append(x.flagSets, slices.Clone(flags))
	x.flagSetIDs[key] = id
	return id
}

// has reports whether uid is a stored message.
func (x *storedIndex) has(uid uint32) bool {
	_, ok := x.messages.get(uid)
	return ok
}

// flags returns the flags of a stored message.
func (x *storedIndex) flags(r storedRef) []string { return x.flagSets[r.flags] }

// apply folds one manifest line in, as Manifest.apply does.
func (x *storedIndex) apply(e *Entry) {
	switch e.Op {
	case OpStored:
		x.messages.set(e.UID, storedRef{file: fileHash(e.File), flags: x.flagSetID(e.Flags)})
		delete(x.failed, e.UID)
		if e.End > 0 {
			x.mboxEnd = max(x.mboxEnd, e.End)
		}
	case OpFlags:
		if r, ok := x.messages.get(e.UID); ok {
			r.flags = x.flagSetID(e.Flags)
			if e.File != "" {
				r.file = fileHash(e.File)
			}
			x.messages.set(e.UID, r)
		}
	case OpExpunged:
		x.messages.remove(e.UID)
		delete(x.failed, e.UID)
	case OpFailed:
		if !x.has(e.UID) {
			x.failed[e.UID] = e.Error
		}
	}
}

func (m *Manifest) apply(e *Entry) {
	m.MaxUID = max(m.MaxUID, e.UID)
	switch e.Op {
	case OpStored:
		c := *e
		m.Messages[e.UID] = &c
		delete(m.Failed, e.UID)
		if e.End > 0 {
			m.MboxEnd = max(m.MboxEnd, e.End)
		}
	case OpFlags:
		if s := m.Messages[e.UID]; s != nil {
			s.Flags = e.Flags
			if e.File != "" {
				s.File = e.File
			}
			if e.ModSeq > 0 {
				s.ModSeq = e.ModSeq
			}
		}
	case OpExpunged:
		delete(m.Messages, e.UID)
		delete(m.Failed, e.UID)
	case OpFailed:
		if m.Messages[e.UID] == nil {
			m.Failed[e.UID] = e.Error
		}
	}
}

// appendManifest appends entries to dir's manifest and fsyncs it.
func appendManifest(dir string, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	var buf bytes.Buffer
	for i := range entries {
		data, err := json.Marshal(&entries[i])
		if err != nil {
			return err
		}
		buf.Write(data)
		buf.WriteByte('\n')
	}
	return appendDurable(filepath.Join(dir, ManifestFileName), buf.Bytes())
}

// appendDurable appends data to the file at path (created if needed) and
// fsyncs it, and its folder when the file is new.
func appendDurable(path string, data []byte) error {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && statErr != nil {
		err = syncDir(filepath.Dir(path))
	}
	return err
}

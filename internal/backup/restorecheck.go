package backup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileChangedError is a backup message whose file no longer holds what the
// manifest recorded, found by restore before the message is sent. It
// fails that message only.
type FileChangedError struct {
	// Path is the message's file (for mbox: the mbox file and the
	// message's offset in it).
	Path   string
	Reason string
}

func (e *FileChangedError) Error() string {
	return fmt.Sprintf("%s: %s; the file changed since the backup (imapctl verify shows which)", e.Path, e.Reason)
}

// checkStored reads a stored message before restore uploads it and
// returns its wire size and SHA-256 (CRLF line ends, RFC 3501 §2.3.1).
//
// APPEND announces the literal's size before its bytes (RFC 3501 §4.3,
// §6.3.11): a file that became shorter than the manifest says would end
// the literal early, which leaves nothing to do but close the connection,
// and one that changed otherwise would upload bytes that are not the
// backed-up message. So the file's size is checked first (stat, against
// StoredSize; for mbox, that the file still reaches the message's end),
// then the file is hashed against the manifest: the SHA-256 of the
// server's bytes for a lossless message, else StoredSHA256. Either
// mismatch is a *FileChangedError naming the file. This reads each
// message twice (here and when sending); the second read usually comes
// from the page cache, as restore sends a batch of messages right after
// checking them.
func checkStored(mb BackupMailbox, e *Entry) (int64, string, error) {
	path := filepath.Join(mb.Dir, e.File)
	name := path
	if mb.State.Format == FormatMbox {
		path = filepath.Join(mb.Dir, mboxFileName)
		name = fmt.Sprintf("%s (message at offset %d)", path, e.Offset)
	}
	info, err := os.Stat(path)
	if err != nil {
		return 0, "", err
	}
	switch {
	case mb.State.Format == FormatMbox && info.Size() < e.End:
		return 0, "", &FileChangedError{Path: name, Reason: fmt.Sprintf("the mbox is %d bytes, the manifest says the message ends at byte %d", info.Size(), e.End)}
	case mb.State.Format != FormatMbox && e.StoredSize > 0 && info.Size() != e.StoredSize:
		return 0, "", &FileChangedError{Path: name, Reason: fmt.Sprintf("%d bytes, the manifest says %d", info.Size(), e.StoredSize)}
	}
	d, err := digestStored(mb.State.Format, mb.Dir, e, mb.State.Linesep)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			return 0, "", err
		}
		return 0, "", fmt.Errorf("%s: %w", name, err)
	}
	if (e.StoredSHA256 != "" || (e.Lossless && e.SHA256 != "")) && !d.matches(e) {
		return 0, "", &FileChangedError{Path: name, Reason: "its SHA-256 differs from the manifest's"}
	}
	return d.CRLFSize, d.CRLFSHA256, nil
}

package output

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// MaildirFile is one message file found in a Maildir by [ListMaildir].
type MaildirFile struct {
	// Path is the file's full path.
	Path string
	// Subdir is "new" or "cur".
	Subdir string
	// Name is the parsed file name (flags, ",U=" UID, ",S=" size).
	Name MaildirName
}

// ListMaildir lists the messages in a Maildir's new/ and cur/ from their
// names alone, without opening them, in delivery order. A backup uses it
// to find the UIDs (",U=") a crashed run stored but never recorded.
func ListMaildir(root string) ([]MaildirFile, error) {
	var files []MaildirFile
	for _, sub := range []string{"new", "cur"} {
		names, err := visibleNames(filepath.Join(root, sub))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			parsed, err := ParseMaildirName(n)
			if err != nil {
				continue
			}
			files = append(files, MaildirFile{Path: filepath.Join(root, sub, n), Subdir: sub, Name: parsed})
		}
	}
	sort.SliceStable(files, func(i, j int) bool {
		return lessMaildir(filepath.Base(files[i].Path), filepath.Base(files[j].Path))
	})
	return files, nil
}

// SetMaildirFlags gives the Maildir message at path new flags by renaming
// it: into cur/ with ":2,<letters>" when a flag has a letter, else into
// new/ without info (the placement [MaildirSink] uses). The folder is
// fsynced. It returns the new path (path itself when nothing changed) and
// the flags without a letter.
func SetMaildirFlags(path string, flags []string) (newPath string, dropped []string, err error) {
	name := filepath.Base(path)
	subdir := filepath.Dir(path)
	root := filepath.Dir(subdir)
	if sub := filepath.Base(subdir); sub != "new" && sub != "cur" {
		return "", nil, fmt.Errorf("output: %s is not in a Maildir's new/ or cur/", path)
	}
	if _, err := ParseMaildirName(name); err != nil {
		return "", nil, err
	}
	base, _, _ := strings.Cut(name, ":")
	letters, dropped := MaildirInfo(flags)
	target := filepath.Join(root, "new", base)
	if letters != "" {
		target = filepath.Join(root, "cur", base+":2,"+letters)
	}
	if target == path {
		return path, dropped, nil
	}
	if _, err := os.Lstat(target); err == nil {
		return "", nil, fmt.Errorf("output: cannot rename %s: %s exists", path, target)
	}
	if err := os.Rename(path, target); err != nil {
		return "", nil, err
	}
	for _, d := range uniqueDirs(filepath.Dir(target), subdir) {
		if err := syncDir(d); err != nil {
			return target, dropped, err
		}
	}
	return target, dropped, nil
}

func uniqueDirs(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// tmpMaxAge is how old a file in a Maildir's tmp/ must be before it may
// be removed: the Maildir specification says 36 hours.
const tmpMaxAge = 36 * time.Hour

// CleanMaildirTmp removes files in root/tmp/ last modified more than
// olderThan ago (0 means the specification's 36 hours): deliveries that
// died before their rename. Pass a short age only while holding a lock
// that keeps other writers out. It returns how many files it removed.
func CleanMaildirTmp(root string, olderThan time.Duration) (int, error) {
	if olderThan == 0 {
		olderThan = tmpMaxAge
	}
	dir := filepath.Join(root, "tmp")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return removeOlder(dir, entries, olderThan, func(string) bool { return true })
}

// CleanEMLTemp removes the hidden temp files an [EMLSink] leaves in dir
// when a run dies mid-message (".<name>.<random>.tmp"), if last modified
// more than olderThan ago. It returns how many files it removed.
func CleanEMLTemp(dir string, olderThan time.Duration) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	ours := func(name string) bool { return strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp") }
	return removeOlder(dir, entries, olderThan, ours)
}

func removeOlder(dir string, entries []os.DirEntry, olderThan time.Duration, match func(string) bool) (int, error) {
	removed := 0
	cutoff := time.Now().Add(-olderThan)
	for _, e := range entries {
		if !e.Type().IsRegular() || !match(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, err
		}
		removed++
	}
	return removed, nil
}

package output

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SourceMessage is the metadata of one message read by a [Source].
type SourceMessage struct {
	// Path is the file the message was read from (the mbox for mbox
	// messages).
	Path string
	// Index is the message's 1-based position in its source.
	Index int
	// Offset is where the message's "From " line starts in an mbox.
	Offset int64
	// Flags are IMAP flags: from a Maildir name's info letters, or from
	// the Status and X-Status header fields of an mbox message.
	Flags []string
	// InternalDate is the date to APPEND with: the mbox "From " line
	// date, or the file's modification time; zero when unknown.
	InternalDate time.Time
	// UID is the UID recorded in a Maildir name (",U=") or a numeric
	// .eml name; 0 when unknown.
	UID uint32
	// Sender is the mbox "From " line sender.
	Sender string
	// Size is the message's byte count; -1 when unknown (mbox).
	Size int64
}

// Source yields messages one at a time.
type Source interface {
	// Next returns the next message and a reader of its bytes, valid
	// until the next call to Next or Close; io.EOF after the last one.
	Next() (SourceMessage, io.Reader, error)
	// Close releases open files.
	Close() error
}

// SourceKind is the kind of a path holding messages.
type SourceKind int

const (
	// KindMessage is a single message file.
	KindMessage SourceKind = iota
	// KindMbox is an mbox file (it starts with "From ").
	KindMbox
	// KindMaildir is a folder with cur/ and new/.
	KindMaildir
	// KindEMLFolder is a folder of .eml files.
	KindEMLFolder
)

func (k SourceKind) String() string {
	switch k {
	case KindMessage:
		return "message"
	case KindMbox:
		return "mbox"
	case KindMaildir:
		return "maildir"
	case KindEMLFolder:
		return "eml folder"
	}
	return "unknown"
}

// DetectKind tells what path holds: a folder with cur/ and new/ is a
// Maildir, another folder a folder of .eml files, a file starting with
// "From " (after blank lines) an mbox, any other file a single message.
func DetectKind(path string) (SourceKind, error) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if info.IsDir() {
		if isDir(filepath.Join(path, "cur")) && isDir(filepath.Join(path, "new")) {
			return KindMaildir, nil
		}
		return KindEMLFolder, nil
	}
	f, err := openFile(path, os.O_RDONLY, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if looksLikeMbox(bufio.NewReader(f)) {
		return KindMbox, nil
	}
	return KindMessage, nil
}

func looksLikeMbox(br *bufio.Reader) bool {
	for {
		line, err := br.ReadSlice('\n')
		if err == nil && (string(line) == "\n" || string(line) == "\r\n") {
			continue
		}
		return strings.HasPrefix(string(line), "From ")
	}
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// Open returns a Source for path, of the kind [DetectKind] finds; mbox
// files are read with dialect.
func Open(path string, dialect MboxDialect) (Source, error) {
	src, _, err := OpenKind(path, dialect)
	return src, err
}

// OpenKind is [Open] that also returns the kind it found. A message or
// mbox file is opened once: the kind is told from the first bytes read
// for the messages.
func OpenKind(path string, dialect MboxDialect) (Source, SourceKind, error) {
	f, err := openFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !info.IsDir() {
		br := fileReaders.Get().(*bufio.Reader)
		br.Reset(f)
		if mbox, ok := peekMbox(br); ok {
			if mbox {
				// The reader is big enough for NewMboxReader to use as it is.
				return &fileMbox{MboxReader: NewMboxReader(br, path, dialect), file: f, reader: br}, KindMbox, nil
			}
			msg := SourceMessage{Path: path, Index: 1, InternalDate: info.ModTime(), Size: info.Size()}
			return &openMessageSource{msg: msg, r: br, file: f}, KindMessage, nil
		}
		releaseReader(br)
	}
	// A folder, or a file whose first buffer holds only blank lines.
	f.Close()
	kind, err := DetectKind(path)
	if err != nil {
		return nil, 0, err
	}
	src, err := openKind(path, kind, dialect)
	return src, kind, err
}

// fileReaders holds the buffered readers of closed message and mbox
// files for the next file (a run may convert thousands of small files).
// It is a cache only: Get may make a new reader.
var fileReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, mboxBufferSize) }}

// releaseReader puts br back into fileReaders; its data must not be read
// any more.
func releaseReader(br *bufio.Reader) {
	br.Reset(nil)
	fileReaders.Put(br)
}

// peekMbox is looksLikeMbox on the bytes br can buffer without consuming
// them; ok is false when they are not enough to tell.
func peekMbox(br *bufio.Reader) (mbox, ok bool) {
	head, err := br.Peek(br.Size())
	complete := err != nil // the whole file is in head
	for {
		i := bytes.IndexByte(head, '\n')
		if i >= 0 && (i == 0 || i == 1 && head[0] == '\r') {
			head = head[i+1:] // a blank line
			continue
		}
		if i < 0 && len(head) < len("From ") && !complete {
			return false, false
		}
		return bytes.HasPrefix(head, []byte("From ")), true
	}
}

// openMessageSource yields the one message of an opened file.
type openMessageSource struct {
	msg  SourceMessage
	r    *bufio.Reader
	file *os.File
	done bool
}

func (s *openMessageSource) Next() (SourceMessage, io.Reader, error) {
	if s.done {
		return SourceMessage{}, nil, io.EOF
	}
	s.done = true
	return s.msg, s.r, nil
}

func (s *openMessageSource) Close() error {
	if s.r == nil {
		return nil
	}
	releaseReader(s.r)
	s.r, s.done = nil, true
	return s.file.Close()
}

// openKind opens path as a source of the given kind.
func openKind(path string, kind SourceKind, dialect MboxDialect) (Source, error) {
	switch kind {
	case KindMaildir:
		return OpenMaildir(path)
	case KindEMLFolder:
		return OpenEMLFolder(path)
	case KindMbox:
		f, err := openFile(path, os.O_RDONLY, 0)
		if err != nil {
			return nil, err
		}
		return &fileMbox{MboxReader: NewMboxReader(f, path, dialect), file: f}, nil
	default:
		return OpenMessageFile(path)
	}
}

type fileMbox struct {
	*MboxReader
	file   *os.File
	reader *bufio.Reader // from fileReaders, or nil
}

// Close closes the file; the readers Next returned must not be used
// after it.
func (f *fileMbox) Close() error {
	if f.reader != nil {
		releaseReader(f.reader)
		f.reader = nil
		f.MboxReader.err = os.ErrClosed
	}
	return f.file.Close()
}

// filesSource yields whole files as messages.
type filesSource struct {
	paths []string
	meta  func(path string, info os.FileInfo) SourceMessage
	index int
	open  *os.File
}

func (s *filesSource) Next() (SourceMessage, io.Reader, error) {
	s.closeOpen()
	for s.index < len(s.paths) {
		path := s.paths[s.index]
		s.index++
		f, err := openFile(path, os.O_RDONLY, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue // moved away meanwhile (a Maildir reader may do that)
		}
		if err != nil {
			return SourceMessage{}, nil, err
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return SourceMessage{}, nil, err
		}
		s.open = f
		meta := s.meta(path, info)
		meta.Path, meta.Index = path, s.index
		if meta.InternalDate.IsZero() {
			meta.InternalDate = info.ModTime()
		}
		meta.Size = info.Size()
		return meta, f, nil
	}
	return SourceMessage{}, nil, io.EOF
}

func (s *filesSource) closeOpen() {
	if s.open != nil {
		s.open.Close()
		s.open = nil
	}
}

func (s *filesSource) Close() error {
	s.closeOpen()
	s.index = len(s.paths)
	return nil
}

// OpenMessageFile returns a Source of the single message in path.
func OpenMessageFile(path string) (Source, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	return &filesSource{paths: []string{path}, meta: func(string, os.FileInfo) SourceMessage { return SourceMessage{} }}, nil
}

// OpenMaildir returns a Source of the messages in a Maildir's cur/ and
// new/ (tmp/ holds deliveries in progress and is skipped), ordered by
// delivery time. Flags come from the info letters after ":2,", the UID
// from ",U=", the date from the file's modification time.
func OpenMaildir(root string) (Source, error) {
	files, err := ListMaildir(root)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(files))
	names := make(map[string]MaildirName, len(files))
	for i, f := range files {
		paths[i] = f.Path
		names[f.Path] = f.Name
	}
	meta := func(path string, _ os.FileInfo) SourceMessage {
		return SourceMessage{Flags: names[path].Flags, UID: names[path].UID}
	}
	return &filesSource{paths: paths, meta: meta}, nil
}

// lessMaildir orders Maildir names by delivery second, then name.
func lessMaildir(a, b string) bool {
	pa, _ := ParseMaildirName(a)
	pb, _ := ParseMaildirName(b)
	if !pa.Delivered.Equal(pb.Delivered) {
		return pa.Delivered.Before(pb.Delivered)
	}
	return a < b
}

// OpenEMLFolder returns a Source of the *.eml files in dir (not its
// subfolders; hidden files skipped), numeric names in numeric order
// first, then the others by name. A numeric name is taken as the UID.
func OpenEMLFolder(dir string) (Source, error) {
	names, err := visibleNames(dir)
	if err != nil {
		return nil, err
	}
	var emls []string
	for _, n := range names {
		if strings.EqualFold(filepath.Ext(n), ".eml") {
			emls = append(emls, n)
		}
	}
	if len(emls) == 0 && len(names) > 0 {
		return nil, &FormatError{Path: dir, Reason: "no .eml files in this folder (and it is not a Maildir)"}
	}
	sort.SliceStable(emls, func(i, j int) bool {
		ui, iNum := emlUID(emls[i])
		uj, jNum := emlUID(emls[j])
		switch {
		case iNum && jNum:
			return ui < uj
		case iNum != jNum:
			return iNum
		}
		return emls[i] < emls[j]
	})
	paths := make([]string, len(emls))
	for i, n := range emls {
		paths[i] = filepath.Join(dir, n)
	}
	meta := func(path string, _ os.FileInfo) SourceMessage {
		uid, _ := emlUID(filepath.Base(path))
		return SourceMessage{UID: uid}
	}
	return &filesSource{paths: paths, meta: meta}, nil
}

func emlUID(name string) (uint32, bool) {
	n, err := strconv.ParseUint(strings.TrimSuffix(name, filepath.Ext(name)), 10, 32)
	return uint32(n), err == nil
}

// visibleNames lists the regular files in dir whose names do not start
// with a dot.
func visibleNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if !e.Type().IsRegular() {
			continue
		}
		names = append(names, e.Name())
	}
	return names, nil
}

// NewMessageSource returns a Source of the single message r (standard
// input, for example); name is reported as its Path.
func NewMessageSource(r io.Reader, name string) Source {
	return &readerSource{r: r, name: name}
}

type readerSource struct {
	r    io.Reader
	name string
	done bool
}

func (s *readerSource) Next() (SourceMessage, io.Reader, error) {
	if s.done {
		return SourceMessage{}, nil, io.EOF
	}
	s.done = true
	return SourceMessage{Path: s.name, Index: 1, Size: -1}, s.r, nil
}

func (s *readerSource) Close() error { return nil }

// NewReaderSource returns a Source of the stream r (standard input, for
// example): an mbox when it starts with "From " after blank lines, read
// with dialect, else a single message. name is reported as Path.
func NewReaderSource(r io.Reader, name string, dialect MboxDialect) Source {
	br := bufio.NewReaderSize(r, mboxBufferSize)
	head, _ := br.Peek(mboxBufferSize) // whatever is there; errors resurface on reading
	for len(head) > 0 {
		if rest, ok := bytes.CutPrefix(head, []byte("\n")); ok {
			head = rest
		} else if rest, ok := bytes.CutPrefix(head, []byte("\r\n")); ok {
			head = rest
		} else {
			break
		}
	}
	if bytes.HasPrefix(head, fromWord) {
		return NewMboxReader(br, name, dialect)
	}
	return NewMessageSource(br, name)
}

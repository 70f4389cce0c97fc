package output

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// maildirFlagLetters maps the info letters of the Maildir specification
// (https://cr.yp.to/proto/maildir.html, "info semantics") to IMAP system
// flags (RFC 3501 section 2.3.2; $Forwarded from RFC 5788). The list is in
// ASCII order, the order letters must appear in.
var maildirFlagLetters = []struct {
	letter byte
	flag   string
}{
	{'D', `\Draft`},
	{'F', `\Flagged`},
	{'P', `$Forwarded`},
	{'R', `\Answered`},
	{'S', `\Seen`},
	{'T', `\Deleted`},
}

// MaildirInfo returns the Maildir info letters for IMAP flags, in ASCII
// order, and the flags that have no letter (keywords, \Recent).
func MaildirInfo(flags []string) (letters string, dropped []string) {
	has := make([]bool, len(maildirFlagLetters))
	for _, f := range flags {
		found := false
		for i, fl := range maildirFlagLetters {
			if strings.EqualFold(f, fl.flag) {
				has[i], found = true, true
			}
		}
		if !found {
			dropped = append(dropped, f)
		}
	}
	var b []byte
	for i, fl := range maildirFlagLetters {
		if has[i] {
			b = append(b, fl.letter)
		}
	}
	return string(b), dropped
}

// MaildirName is a parsed Maildir file name:
// "<unique>[,key=value...][:2,<letters>]".
type MaildirName struct {
	// Unique is the part before the first ',' or ':' — the message's
	// unique name, which Python's mailbox.Maildir uses as its key.
	Unique string
	// Delivered is the time in the first dot-separated field, if numeric.
	Delivered time.Time
	// Size is the ",S=" field; -1 when absent.
	Size int64
	// UID is the ",U=" field (isync/mbsync); 0 when absent.
	UID uint32
	// HasInfo is true when the name has experimental-semantics info ":2,".
	HasInfo bool
	// Letters are the info letters as found.
	Letters string
	// Flags are the IMAP flags of the known letters, in letter order.
	Flags []string
}

// ParseMaildirName parses a Maildir file name (the base name, without
// folder). It fails only for names no Maildir writer makes: empty, starting
// with '.', or containing '/'.
func ParseMaildirName(name string) (MaildirName, error) {
	if name == "" || name[0] == '.' || strings.ContainsAny(name, "/\x00") {
		return MaildirName{}, fmt.Errorf("output: %q is not a Maildir message name", name)
	}
	parsed := MaildirName{Size: -1}
	base := name
	if colon := strings.IndexByte(name, ':'); colon >= 0 {
		base = name[:colon]
		if info, ok := strings.CutPrefix(name[colon+1:], "2,"); ok {
			parsed.HasInfo = true
			parsed.Letters = info
			for i := 0; i < len(info); i++ {
				for _, fl := range maildirFlagLetters {
					if info[i] == fl.letter {
						parsed.Flags = append(parsed.Flags, fl.flag)
					}
				}
			}
		}
	}
	fields := strings.Split(base, ",")
	parsed.Unique = fields[0]
	for _, field := range fields[1:] {
		key, value, ok := strings.Cut(field, "=")
		if !ok {
			continue
		}
		switch key {
		case "S":
			if n, err := strconv.ParseInt(value, 10, 64); err == nil && n >= 0 {
				parsed.Size = n
			}
		case "U":
			if n, err := strconv.ParseUint(value, 10, 32); err == nil {
				parsed.UID = uint32(n)
			}
		}
	}
	if secs, _, ok := strings.Cut(parsed.Unique, "."); ok {
		if n, err := strconv.ParseInt(secs, 10, 64); err == nil && n >= 0 && n < 1<<40 {
			parsed.Delivered = time.Unix(n, 0)
		}
	}
	return parsed, nil
}

// maildirHost makes the host name safe for a Maildir name: the
// specification replaces '/' with \057 and ':' with \072; ',' (which starts
// a field) becomes \054 as in Dovecot.
func maildirHost(host string) string {
	if host == "" {
		host = "localhost"
	}
	r := strings.NewReplacer("/", `\057`, ":", `\072`, ",", `\054`)
	return r.Replace(host)
}

// MaildirSink delivers messages into a Maildir: each file is created in
// tmp/ with O_EXCL under a unique name ("<seconds>.M<µs>P<pid>Q<n>R<random>.
// <host>"), fsynced, then renamed into new/ (no flag letter) or cur/ (with
// ":2,<letters>"), and the folder fsynced. Names carry ",U=<uid>" when the
// UID is known and ",S=<size>".
type MaildirSink struct {
	root     string
	host     string
	pid      int
	counter  int
	file     fileSink
	dirReady bool
	now      func() time.Time
	// origin is recorded (or, when nil, its record removed) before the
	// first message is stored, when setOrigin is true.
	origin    *MaildirOrigin
	setOrigin bool
	// lock, when set, is taken on the Maildir right after the sink
	// creates it (see UseLock).
	lock *MaildirLock
}

// NewMaildirSink returns a sink delivering into the Maildir at root; root
// and its cur/, new/ and tmp/ are created on the first byte.
func NewMaildirSink(root string, opts Options) *MaildirSink {
	host, _ := os.Hostname()
	return &MaildirSink{root: root, host: maildirHost(host), pid: os.Getpid(), file: fileSink{opts: opts}, now: time.Now}
}

func (s *MaildirSink) prepare() error {
	if s.dirReady {
		return nil
	}
	if err := mkdirsDurable(s.root, "cur", "new", "tmp"); err != nil {
		return err
	}
	if s.lock != nil {
		if err := s.lock.lock(s.root); err != nil {
			return err
		}
	}
	if s.setOrigin {
		if err := RecordMaildirOrigin(s.root, s.origin); err != nil {
			return err
		}
	}
	s.dirReady = true
	return nil
}

// UseLock makes the sink take l (see [LockMaildir]) on the Maildir before
// it stores its first message, when l does not hold it yet because the
// Maildir did not exist; another holder makes that message, and the sink,
// fail with *LockedError. The caller releases l.
func (s *MaildirSink) UseLock(l *MaildirLock) { s.lock = l }

// RecordOrigin makes the sink record, before it stores its first message,
// that the Maildir's messages come from origin (in [MaildirOriginFile]);
// with a nil origin it removes that record instead, for a Maildir whose
// messages no longer all come from one mailbox. Nothing is written when
// the sink stores no message.
func (s *MaildirSink) RecordOrigin(origin *MaildirOrigin) {
	s.origin, s.setOrigin = origin, true
}

// Put delivers m; see [Sink.Put]. Flags without a Maildir letter are
// reported in Stored.DroppedFlags. The name is decided once the message is
// written and its metadata completed (Message.Complete): ",U=<uid>" when
// the UID is known, ",S=<size>", and the info letters of its flags.
func (s *MaildirSink) Put(ctx context.Context, m Message, write WriteFunc) (Stored, error) {
	var unique string
	create := func() (*os.File, error) {
		if err := s.prepare(); err != nil {
			return nil, err
		}
		for attempt := 0; ; attempt++ {
			s.counter++
			now := s.now()
			unique = fmt.Sprintf("%d.M%dP%dQ%dR%s.%s", now.Unix(), now.Nanosecond()/1000, s.pid, s.counter, randomHex(8), s.host)
			f, err := openFile(filepath.Join(s.root, "tmp", unique), os.O_WRONLY|os.O_CREATE|os.O_EXCL, s.file.opts.fileMode())
			if errors.Is(err, os.ErrExist) && attempt < 10 {
				continue
			}
			return f, err
		}
	}
	final := func(m Message, size int64) (string, error) {
		return s.finalName(unique, m, size), nil
	}
	stored, m, err := s.file.putFile(ctx, m, s.root, write, create, final, final)
	if err != nil {
		return Stored{}, err
	}
	_, stored.DroppedFlags = MaildirInfo(m.Flags)
	if s.file.opts.GroupCommit {
		s.file.pending[len(s.file.pending)-1].stored.DroppedFlags = stored.DroppedFlags
	}
	return stored, nil
}

// finalName is the path of a message file in cur/ or new/.
func (s *MaildirSink) finalName(unique string, m Message, size int64) string {
	letters, _ := MaildirInfo(m.Flags)
	name := unique
	if m.UID != 0 {
		name += ",U=" + strconv.FormatUint(uint64(m.UID), 10)
	}
	name += ",S=" + strconv.FormatInt(size, 10)
	if letters != "" {
		return filepath.Join(s.root, "cur", name+":2,"+letters)
	}
	return filepath.Join(s.root, "new", name)
}

// Amend renames a pending message for late flags and dates it anew; see
// [Sink.Amend].
func (s *MaildirSink) Amend(st Stored, late Message) (Stored, bool) {
	p := s.file.amend(st, late)
	if p == nil {
		return st, false
	}
	_, p.stored.DroppedFlags = MaildirInfo(p.msg.Flags)
	return p.stored, true
}

// Flush commits the pending group; see [Sink.Flush].
func (s *MaildirSink) Flush() ([]Stored, error) { return s.file.flush() }

// Close flushes; see [Sink.Close].
func (s *MaildirSink) Close() error { return s.file.close() }

package dovecot

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Deliver writes a message straight into a user's Maildir, the fast way to
// fill a mailbox with many messages; Dovecot picks it up at its next sync.
// wireMailbox is the mailbox's name on the wire (modified UTF-7, e.g. from
// imap.EncodeMailboxName), "INBOX" or "" for the inbox; its folder is
// created when missing. flags may hold IMAP system flags only (\Seen,
// \Answered, \Flagged, \Deleted, \Draft). The message should have CRLF or
// LF line ends; Dovecot serves LF as CRLF.
func (s *Server) Deliver(userName, wireMailbox string, msg []byte, flags ...string) error {
	// IMAP system flags as Maildir info letters, in the alphabetical
	// order Maildir wants.
	maildirInfo := []struct {
		flag   string
		letter byte
	}{{`\Draft`, 'D'}, {`\Flagged`, 'F'}, {`\Answered`, 'R'}, {`\Seen`, 'S'}, {`\Deleted`, 'T'}}
	var info []byte
	for _, m := range maildirInfo {
		for _, f := range flags {
			if strings.EqualFold(f, m.flag) {
				info = append(info, m.letter)
			}
		}
	}
	if len(info) != len(flags) {
		return fmt.Errorf("dovecot: Deliver: flags %q: only system flags are supported", flags)
	}
	folder := s.Maildir(userName)
	if wireMailbox != "" && !strings.EqualFold(wireMailbox, "INBOX") {
		folder = filepath.Join(folder, "."+strings.ReplaceAll(wireMailbox, s.Separator, "."))
	}
	if err := s.makeMaildirFolder(userName, folder); err != nil {
		return err
	}
	now := time.Now()
	base := fmt.Sprintf("%d.M%dP%dQ%d.imapctl-test,S=%d", now.Unix(), now.Nanosecond()/1000, os.Getpid(), s.deliveries.Add(1), len(msg))
	tmp := filepath.Join(folder, "tmp", base)
	if err := os.WriteFile(tmp, msg, 0o600); err != nil {
		return fmt.Errorf("dovecot: Deliver: %w", err)
	}
	if err := os.Chown(tmp, s.mailUID, s.mailGID); err != nil {
		return fmt.Errorf("dovecot: Deliver: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(folder, "cur", base+":2,"+string(info))); err != nil {
		return fmt.Errorf("dovecot: Deliver: %w", err)
	}
	return nil
}

// makeMaildirFolder creates folder with its cur, new and tmp, owned by the
// mail user, once per server.
func (s *Server) makeMaildirFolder(userName, folder string) error {
	s.maildirMu.Lock()
	defer s.maildirMu.Unlock()
	if s.maildirsMade[folder] {
		return nil
	}
	for _, dir := range []string{filepath.Dir(s.Maildir(userName)), s.Maildir(userName), folder,
		filepath.Join(folder, "cur"), filepath.Join(folder, "new"), filepath.Join(folder, "tmp")} {
		if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
			return fmt.Errorf("dovecot: Deliver: %w", err)
		}
		if err := os.Chown(dir, s.mailUID, s.mailGID); err != nil {
			return fmt.Errorf("dovecot: Deliver: %w", err)
		}
	}
	if s.maildirsMade == nil {
		s.maildirsMade = map[string]bool{}
	}
	s.maildirsMade[folder] = true
	return nil
}

package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/imapctl/imapctl/internal/backup"
	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/testutil/memserver"
)

// TestBackupOtherPolicyIsUsageError: a second run under another --policy
// is refused with exit 2 and a hint, and verify --deep still matches.
func TestBackupOtherPolicyIsUsageError(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	dir := t.TempDir()
	if code, out, errOut := s.run(t, nil, "backup", "--out", dir, "--mailbox", "INBOX"); code != 0 {
		t.Fatalf("backup = %d, %q, %q", code, out, errOut)
	}
	code, out, errOut := s.run(t, nil, "--policy", `raw,linesep=\r\n`, "backup", "--out", dir, "--mailbox", "INBOX")
	if code != ExitUsage || out != "" || !strings.Contains(errOut, `was backed up under --policy "raw"`) || !strings.Contains(errOut, "imapctl: hint: run with --policy \"raw\"") {
		t.Fatalf("backup under another policy = %d, %q, %q; want exit 2 naming the folder's policy", code, out, errOut)
	}
	if n := strings.Count(errOut, "\n"); n != 2 {
		t.Errorf("stderr %q: want the error and its hint", errOut)
	}
	// IMAPCTL_POLICY is the same choice.
	if code, _, errOut := s.run(t, map[string]string{"IMAPCTL_POLICY": "default"}, "backup", "--out", dir); code != ExitUsage {
		t.Errorf("backup with IMAPCTL_POLICY=default = %d, %q; want exit 2", code, errOut)
	}
	if code, out, errOut := s.run(t, nil, "verify", dir, "--deep"); code != 0 || !strings.Contains(out, "backup and server match") {
		t.Errorf("verify --deep = %d, %q, %q", code, out, errOut)
	}
}

// TestBackupQuietStillSaysUIDValidityChange: under --quiet (cron) a
// UIDVALIDITY change, which moves the old copy aside, is still said.
func TestBackupQuietStillSaysUIDValidityChange(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	c := memClient(t, s)
	ctx := context.Background()
	if err := c.Create(ctx, "Recreated"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, c, "Recreated", "old")
	dir := t.TempDir()
	if code, out, errOut := s.run(t, nil, "--quiet", "backup", "--out", dir, "--mailbox", "Recreated"); code != 0 || out != "" || errOut != "" {
		t.Fatalf("backup --quiet = %d, %q, %q; want nothing", code, out, errOut)
	}
	old, _ := c.Status(ctx, "Recreated", []string{"UIDVALIDITY"})
	if err := c.Delete(ctx, "Recreated"); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, "Recreated"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, c, "Recreated", "new")
	now, _ := c.Status(ctx, "Recreated", []string{"UIDVALIDITY"})
	if old == nil || now == nil || old.UIDValidity == now.UIDValidity {
		t.Skip("server kept UIDVALIDITY for the recreated mailbox")
	}
	code, out, errOut := s.run(t, nil, "--quiet", "backup", "--out", dir, "--mailbox", "Recreated")
	if code != 0 || out != "" || !strings.HasPrefix(errOut, "imapctl: warning: ") || !strings.Contains(errOut, "UIDVALIDITY changed from") || !strings.Contains(errOut, "old copy kept in") {
		t.Errorf("backup --quiet after a UIDVALIDITY change = %d, %q, %q; want the change on stderr", code, out, errOut)
	}
}

// TestBackupFailedMailboxCountsMailboxes: a mailbox that failed as a
// whole (its UIDVALIDITY changed under --on-uidvalidity-change fail; no
// message involved) is counted as a mailbox, not as "1 of 1 messages".
func TestBackupFailedMailboxCountsMailboxes(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	c := memClient(t, s)
	ctx := context.Background()
	if err := c.Create(ctx, "Recreated"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, c, "Recreated", "old")
	dir := t.TempDir()
	if code, out, errOut := s.run(t, nil, "backup", "--out", dir, "--mailbox", "Recreated"); code != 0 {
		t.Fatalf("backup = %d, %q, %q", code, out, errOut)
	}
	old, _ := c.Status(ctx, "Recreated", []string{"UIDVALIDITY"})
	if err := c.Delete(ctx, "Recreated"); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, "Recreated"); err != nil {
		t.Fatal(err)
	}
	now, _ := c.Status(ctx, "Recreated", []string{"UIDVALIDITY"})
	if old == nil || now == nil || old.UIDValidity == now.UIDValidity {
		t.Skip("server kept UIDVALIDITY for the recreated mailbox")
	}
	code, _, errOut := s.run(t, nil, "backup", "--out", dir, "--mailbox", "Recreated", "--on-uidvalidity-change", "fail")
	if code != ExitPartial || !strings.Contains(errOut, "imapctl: 1 mailbox failed; first: ") || strings.Contains(errOut, "messages failed") {
		t.Errorf("backup with a failed mailbox = %d, %q; want \"1 mailbox failed\"", code, errOut)
	}
}

// memClient is a logged-in client of s, closed when t ends.
func memClient(t *testing.T, s *testServer) *imap.Client {
	t.Helper()
	c, err := imap.Dial(context.Background(), s.Addr, imap.Options{TLS: imap.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(context.Background(), s.Username, s.Password); err != nil {
		t.Fatal(err)
	}
	return c
}

func appendTo(t *testing.T, c *imap.Client, mailbox, subject string) {
	t.Helper()
	msg := "Subject: " + subject + "\r\nMessage-ID: <" + subject + "@example.org>\r\n\r\nbody\r\n"
	if _, err := c.Append(context.Background(), mailbox, int64(len(msg)), strings.NewReader(msg), nil); err != nil {
		t.Fatal(err)
	}
}

// cuttingConn closes itself once the client asks for message bodies: the
// server seems to go away in the middle of the backup.
type cuttingConn struct {
	net.Conn
}

func (c cuttingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if bytes.Contains(p, []byte("BODY.PEEK[]")) {
		c.Conn.Close()
	}
	return n, err
}

// TestBackupConnectionLostExit4: a connection lost during a backup exits
// 4 (as fetch does) with one error line and a hint, not one failure per
// mailbox left and exit 6; a rerun completes the backup.
func TestBackupConnectionLostExit4(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	dir := t.TempDir()
	var mu sync.Mutex
	cut := true
	ios, _, out, errOut := Test()
	f := NewFactory(ios)
	f.LookupEnv = func(k string) (string, bool) { v, ok := s.env[k]; return v, ok }
	f.Dial = func(ctx context.Context) (*imap.Client, error) {
		c, err := imap.Dial(ctx, s.Addr, imap.Options{TLS: imap.TLSNone, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || !cut {
				return conn, err
			}
			return cuttingConn{conn}, nil
		}})
		if err != nil {
			return nil, err
		}
		if err := c.Login(ctx, s.Username, s.Password); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}
	code := run(context.Background(), []string{"backup", "--out", dir}, f)
	if code != ExitConnection || strings.Contains(errOut.String(), "failed:") || strings.Count(errOut.String(), "\n") != 2 ||
		!strings.Contains(errOut.String(), ": connection lost during ") || !strings.Contains(errOut.String(), "imapctl: hint: what was stored is kept") {
		t.Fatalf("backup with the connection lost = %d, %q, %q; want exit 4, one error line and a hint", code, out, errOut)
	}
	if !strings.HasPrefix(out.String(), "backup: ") {
		t.Errorf("stdout %q: want the summary", out)
	}
	mu.Lock()
	cut = false
	mu.Unlock()
	if code, out, errOut := s.run(t, nil, "backup", "--out", dir); code != 0 {
		t.Fatalf("rerun = %d, %q, %q", code, out, errOut)
	}
	if code, out, errOut := s.run(t, nil, "verify", dir, "--deep"); code != 0 {
		t.Errorf("verify --deep after the rerun = %d, %q, %q", code, out, errOut)
	}
}

// TestVerifyDuringBackup: verify refuses a folder a backup holds, with
// the backup's error and a hint.
func TestVerifyDuringBackup(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	dir := t.TempDir()
	if code, out, errOut := s.run(t, nil, "backup", "--out", dir, "--mailbox", "INBOX"); code != 0 {
		t.Fatalf("backup = %d, %q, %q", code, out, errOut)
	}
	lock, err := backup.AcquireLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := s.run(t, nil, "verify", dir)
	lock.Release()
	if code == 0 || code == ExitPartial || out != "" || !strings.Contains(errOut, "locked by process") || !strings.Contains(errOut, "imapctl: hint: wait for the backup to finish") {
		t.Errorf("verify during a backup = %d, %q, %q; want the lock error and a hint, no differences", code, out, errOut)
	}
}

// TestVerifyCountsDifferences: two messages on the server the backup does
// not have, in a backup of N messages, are "2 differences", not "2 of N
// messages failed".
func TestVerifyCountsDifferences(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	dir := t.TempDir()
	if code, out, errOut := s.run(t, nil, "backup", "--out", dir, "--mailbox", "INBOX"); code != 0 {
		t.Fatalf("backup = %d, %q, %q", code, out, errOut)
	}
	c := memClient(t, s)
	appendTo(t, c, "INBOX", "one")
	appendTo(t, c, "INBOX", "two")
	code, out, errOut := s.run(t, nil, "verify", dir)
	if code != ExitPartial || strings.Count(out, ": missing") != 2 || !strings.Contains(errOut, "imapctl: 2 differences between the backup and the server; first: INBOX: UID ") {
		t.Errorf("verify with 2 messages missing = %d, %q, %q", code, out, errOut)
	}
}

// TestBackupMessageFailuresCountMessages: message failures are still
// "N of M messages failed", M counting the messages stored.
func TestBackupMessageFailuresCountMessages(t *testing.T) {
	s := startTestServer(t, memserver.Options{})
	dir := t.TempDir()
	code, out, errOut := s.run(t, nil, "backup", "--out", dir, "--mailbox", "Corpus/*", "--policy", "default", "--json")
	if code != ExitPartial {
		t.Fatalf("backup = %d, %q, %q; want exit 6", code, out, errOut)
	}
	failed := strings.Count(errOut, "imapctl: failed: ")
	var sum backup.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	stored := sum.NewMessages
	want := "imapctl: " + itoaPort(failed) + " of " + itoaPort(failed+stored) + " messages failed; first: "
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr %q: want %q", errOut, want)
	}
	// The backup holds the stored messages and no more.
	files := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (filepath.Base(filepath.Dir(p)) == "cur" || filepath.Base(filepath.Dir(p)) == "new") {
			files++
		}
		return nil
	})
	if files != stored {
		t.Errorf("%d message files, summary says %d new", files, stored)
	}
}

package backup

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/imapctl/imapctl/internal/output"
	"github.com/imapctl/imapctl/internal/policy"
	"github.com/imapctl/imapctl/internal/testutil/dovecot"
)

// The Dovecot benchmarks compare a first backup with the plain fetch path
// (what `imapctl fetch --out DIR` does: one UID FETCH into a Maildir sink
// with group commits every 256 messages), on the same server and disk in
// the same run, so that their ratio is what issue 7 asks about (backup
// within ~1.2× of fetch). Run them with
//
//	go test ./internal/backup/ -run '^$' -bench Dovecot -benchtime 3x
//
// Every iteration writes into a fresh folder, removed only when the
// benchmark ends (creating files right after deleting many is slow).

// benchMessage is a deterministic text message of about size bytes with
// LF line ends (Dovecot serves them as CRLF).
func benchMessage(rng *rand.Rand, i, size int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: sender%d@example.org\nTo: rcpt@example.org\nSubject: message %d\nMessage-ID: <bench%d@example.org>\nDate: Mon, 1 Jan 2024 12:00:00 +0000\n\n", i, i, i)
	const letters = "abcdefghijklmnopqrstuvwxyz     "
	line := make([]byte, 76)
	for b.Len() < size {
		for j := range line {
			line[j] = letters[rng.IntN(len(letters))]
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// dovecotBenchAccount starts Dovecot with one user holding n messages of
// about size bytes in INBOX, indexed by one fetch.
func dovecotBenchAccount(b *testing.B, n, size int) Account {
	srv := dovecot.Start(b)
	user := srv.NewUser(b)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		if err := srv.Deliver(user.Name, "INBOX", benchMessage(rng, i, size), `\Seen`); err != nil {
			b.Fatal(err)
		}
	}
	// Plain TCP, as bench/run measures imapctl (--tls none).
	acct := Account{Name: user.Name + "@dovecot", User: user.Name, Host: "127.0.0.1", Connect: func(ctx context.Context) (*imap.Client, error) {
		c, err := imap.Dial(ctx, srv.PlainAddr(), imap.Options{TLS: imap.TLSNone, Timeout: time.Minute})
		if err != nil {
			return nil, err
		}
		if err := c.Login(ctx, user.Name, user.Password); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}}
	if err := fetchPlain(context.Background(), acct, b.TempDir()); err != nil { // Dovecot indexes the new files
		b.Fatal(err)
	}
	return acct
}

// fetchPlain is the fetch path of `imapctl fetch INBOX --out dir --format
// maildir` (cmd/fetch.go) without its bookkeeping: the baseline.
func fetchPlain(ctx context.Context, acct Account, dir string) error {
	c, err := acct.Connect(ctx)
	if err != nil {
		return err
	}
	defer logout(c)
	mb, err := c.Select(ctx, "INBOX", &imap.SelectOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	pol, err := policy.ParseSpec("raw", nil)
	if err != nil {
		return err
	}
	sink := output.NewMaildirSink(dir, output.Options{GroupCommit: true})
	pending := 0
	err = c.Fetch(ctx, imap.AllUID(), &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true, BodySections: []imap.BodySection{{Peek: true}}}, func(m *imap.FetchMessage) error {
		body, err := m.NextBody()
		if err != nil || body == nil {
			return err
		}
		if pending >= 256 {
			if _, err := sink.Flush(); err != nil {
				return err
			}
			pending = 0
		}
		meta := output.Message{UID: m.UID, UIDValidity: mb.UIDValidity, Mailbox: "INBOX", Flags: m.Flags, InternalDate: m.InternalDate}
		meta.Complete = func(meta *output.Message) error {
			if err := m.Finish(); err != nil {
				return err
			}
			meta.UID, meta.Flags, meta.InternalDate = m.UID, m.Flags, m.InternalDate
			return nil
		}
		_, err = sink.Put(ctx, meta, func(w io.Writer) error {
			_, err := pol.Write(w, body)
			return err
		})
		pending++
		return err
	})
	if cerr := sink.Close(); err == nil {
		err = cerr
	}
	return err
}

// benchFetchVsBackup runs the fetch baseline and a first backup in turn
// (interleaved, so that both see the same disk and load) and reports each
// one's time per run and their ratio. No folder is removed before the
// benchmark ends.
func benchFetchVsBackup(b *testing.B, n, size int) {
	acct := dovecotBenchAccount(b, n, size)
	root := b.TempDir()
	var fetchTime, backupTime time.Duration
	for b.Loop() {
		dir, err := os.MkdirTemp(root, "run-")
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := fetchPlain(context.Background(), acct, filepath.Join(dir, "fetch")); err != nil {
			b.Fatal(err)
		}
		fetchTime += time.Since(start)
		start = time.Now()
		sum, err := Run(context.Background(), Options{Dir: filepath.Join(dir, "backup"), Accounts: []Account{acct}, Mailboxes: []string{"INBOX"}})
		if err != nil || sum.NewMessages != n {
			b.Fatalf("Run = %+v, %v", sum, err)
		}
		backupTime += time.Since(start)
	}
	b.ReportMetric(fetchTime.Seconds()/float64(b.N), "fetch-s/op")
	b.ReportMetric(backupTime.Seconds()/float64(b.N), "backup-s/op")
	b.ReportMetric(backupTime.Seconds()/fetchTime.Seconds(), "backup/fetch")
}

// BenchmarkDovecotMany: 2,000 text messages of about 25 KB (50 MB).
func BenchmarkDovecotMany(b *testing.B) { benchFetchVsBackup(b, 2000, 25<<10) }

// BenchmarkDovecotBig: one text message of about 200 MB (bench/run's big profile).
func BenchmarkDovecotBig(b *testing.B) { benchFetchVsBackup(b, 1, 200<<20) }

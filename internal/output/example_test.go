package output_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/imapctl/imapctl/internal/output"
)

// A backup stores messages into a Maildir with group commit and records
// its state only for what Flush reports committed.
func ExampleMaildirSink() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	sink := output.NewMaildirSink(filepath.Join(dir, "INBOX"), output.Options{GroupCommit: true})
	defer sink.Close()
	for uid := uint32(1); uid <= 3; uid++ {
		m := output.Message{UID: uid, Flags: []string{`\Seen`}, InternalDate: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
		body := fmt.Sprintf("Subject: message %d\n\nHello\n", uid)
		// In imapctl the write function copies the FETCH literal through a policy.
		if _, err := sink.Put(context.Background(), m, func(w io.Writer) error {
			_, err := io.Copy(w, strings.NewReader(body))
			return err
		}); err != nil {
			fmt.Println("error:", err)
			return
		}
	}
	committed, err := sink.Flush()
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	for _, s := range committed {
		name, _ := output.ParseMaildirName(filepath.Base(s.Path))
		fmt.Println(filepath.Base(filepath.Dir(s.Path)), name.UID, name.Size, name.Letters, s.Committed)
	}
	// Output:
	// cur 1 26 S true
	// cur 2 26 S true
	// cur 3 26 S true
}

// Reading any kind of path: a file, an mbox, a Maildir or a folder of .eml
// files.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "archive.mbox")
	os.WriteFile(path, []byte("From alice@example.com Tue Jan  2 03:04:05 2024\nSubject: one\n\n>From the start\n\n"+
		"From bob@example.com Wed Jan  3 03:04:05 2024\nSubject: two\n\nbody\n"), 0o600)

	src, err := output.Open(path, output.MboxRD)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer src.Close()
	for {
		meta, body, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		data, _ := io.ReadAll(body)
		fmt.Printf("%d %s %s %q\n", meta.Index, meta.Sender, meta.InternalDate.Format(time.DateOnly), data)
	}
	// Output:
	// 1 alice@example.com 2024-01-02 "Subject: one\n\nFrom the start\n"
	// 2 bob@example.com 2024-01-03 "Subject: two\n\nbody\n"
}

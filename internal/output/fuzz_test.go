package output

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzMboxReader reads arbitrary bytes as an mbox. It must not panic, and
// for mboxrd whatever it reads must survive being written by our mboxrd
// writer and read again unchanged (with a final newline added where the
// message had none).
func FuzzMboxReader(f *testing.F) {
	f.Add([]byte("From a Mon Jan  1 00:00:00 2024\nSubject: x\n\n>From y\n\nFrom b\nz"))
	f.Add([]byte("\n\nFrom a\n\n\n\nFrom b\n>>From \r\n\r\n"))
	f.Add([]byte("From \nFrom \n\n"))
	f.Add([]byte("not an mbox\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, dialect := range []MboxDialect{MboxO, MboxNoUnquote} {
			r := NewMboxReader(bytes.NewReader(data), "fuzz", dialect)
			for i := 0; i < 1000; i++ {
				_, body, err := r.Next()
				if err != nil {
					break
				}
				if i%2 == 0 {
					io.Copy(io.Discard, body)
				}
			}
		}
		r := NewMboxReader(bytes.NewReader(data), "fuzz", MboxRD)
		var messages []string
		for {
			_, body, err := r.Next()
			if err != nil {
				break
			}
			b, err := io.ReadAll(body)
			if err != nil {
				t.Fatal(err)
			}
			messages = append(messages, string(b))
		}
		var out bytes.Buffer
		sink := NewWriterSink(&out, WriterMboxrd)
		for _, m := range messages {
			if _, err := sink.Put(context.Background(), Message{InternalDate: time.Unix(0, 0)}, bytesWriter(m)); err != nil {
				t.Fatal(err)
			}
		}
		again := NewMboxReader(&out, "again", MboxRD)
		for i, want := range messages {
			if want != "" && !strings.HasSuffix(want, "\n") {
				want += "\n"
			}
			_, body, err := again.Next()
			if err != nil {
				t.Fatalf("rereading message %d: %v", i, err)
			}
			got, _ := io.ReadAll(body)
			if string(got) != want {
				t.Fatalf("message %d: reread %q, want %q", i, got, want)
			}
		}
		if _, _, err := again.Next(); err != io.EOF {
			t.Fatalf("rereading found more than %d messages: %v", len(messages), err)
		}
	})
}

// FuzzMboxrdRoundTrip writes one arbitrary message as mboxrd and reads it
// back: the bytes must come back unchanged (plus a final newline where
// missing).
func FuzzMboxrdRoundTrip(f *testing.F) {
	f.Add([]byte("From x\n>From y\n>>From z\nFrom"))
	f.Add([]byte("\n\n\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, msg []byte) {
		var out bytes.Buffer
		sink := NewWriterSink(&out, WriterMboxrd)
		if _, err := sink.Put(context.Background(), Message{Sender: "s", InternalDate: time.Unix(1700000000, 0)}, bytesWriter(string(msg))); err != nil {
			t.Fatal(err)
		}
		written := out.String()
		// One Write of the whole message quotes the same way as 7-byte pieces.
		var whole bytes.Buffer
		oneWrite := func(w io.Writer) error { _, err := w.Write(msg); return err }
		if _, err := NewWriterSink(&whole, WriterMboxrd).Put(context.Background(), Message{Sender: "s", InternalDate: time.Unix(1700000000, 0)}, oneWrite); err != nil {
			t.Fatal(err)
		}
		if whole.String() != written {
			t.Fatalf("one write gave %q, 7-byte writes %q", whole.String(), written)
		}
		_, bodies := readAllMbox(t, out.Bytes(), MboxRD)
		want := string(msg)
		if want != "" && !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if len(bodies) != 1 || bodies[0] != want {
			t.Fatalf("wrote %q, read back %q, want %q", written, bodies, want)
		}
	})
}

// FuzzParseMaildirName parses arbitrary names: no panic, flags only from
// letters present, and a name we build from flags parses back to them.
func FuzzParseMaildirName(f *testing.F) {
	f.Add("1700000000.M5P7Q1R00aa.host,U=12,S=345:2,FS")
	f.Add("1035478339.27041_118.foo.org,S=1000,W=1030:2,Sab")
	f.Add("x:2,")
	f.Add("a,S=-1,U=99999999999:1,")
	f.Fuzz(func(t *testing.T, name string) {
		parsed, err := ParseMaildirName(name)
		if err != nil {
			return
		}
		if len(parsed.Flags) > len(parsed.Letters) {
			t.Fatalf("%q: %d flags from letters %q", name, len(parsed.Flags), parsed.Letters)
		}
		if strings.ContainsAny(parsed.Unique, ",:") {
			t.Fatalf("%q: unique part %q holds a separator", name, parsed.Unique)
		}
		letters, _ := MaildirInfo(parsed.Flags)
		rebuilt, err := ParseMaildirName("u:2," + letters)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := MaildirInfo(rebuilt.Flags)
		if again != letters {
			t.Fatalf("%q: letters %q reparse as %q", name, letters, again)
		}
	})
}

// FuzzNameTemplate expands arbitrary templates with arbitrary metadata:
// a valid template must always give one local file name component.
func FuzzNameTemplate(f *testing.F) {
	f.Add("{mailbox}-{uid}", "INBOX/../..", "<a/b>")
	f.Add("{messageid}", "", "../../etc/passwd")
	f.Add(".{mailbox}", "..", "")
	f.Fuzz(func(t *testing.T, template, mailbox, messageID string) {
		tmpl, err := ParseNameTemplate(template)
		if err != nil {
			return
		}
		name := tmpl.Expand(Message{UID: 7, Mailbox: mailbox, MessageID: messageID}, 1)
		if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") ||
			strings.ContainsAny(name, "/\\\x00") || !filepath.IsLocal(name) {
			t.Fatalf("template %q with mailbox %q, Message-ID %q gives name %q", template, mailbox, messageID, name)
		}
		if len(name) > maxNameBytes {
			t.Fatalf("name of %d bytes", len(name))
		}
	})
}

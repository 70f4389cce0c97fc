package imap

import (
	"compress/flate"
	"io"
	"net"
	"testing"

	"github.com/imapctl/imapctl/internal/imap/imaptest"
)

// flateConn is the server's side of RFC 4978 COMPRESS=DEFLATE.
type flateConn struct {
	net.Conn
	r io.Reader
	w *flate.Writer
}

func (f *flateConn) Read(p []byte) (int, error) { return f.r.Read(p) }

func (f *flateConn) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil {
		err = f.w.Flush()
	}
	return n, err
}

func TestTranscriptCompress(t *testing.T) {
	// RFC 4978 §3 example: after the tagged OK both directions are
	// deflated.
	addr := imaptest.ServeFunc(t, func(conn net.Conn) {
		if !imaptest.Play(t, conn, `S: * OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi
C: A0 COMPRESS DEFLATE
S: A0 OK DEFLATE active
`) {
			return
		}
		w, _ := flate.NewWriter(conn, flate.BestSpeed)
		imaptest.Play(t, &flateConn{Conn: conn, r: flate.NewReader(conn), w: w}, `C: A1 LIST "" *
S: * LIST () "/" INBOX
S: * LIST () "/" Sent
S: A1 OK done
C: A2 APPEND Sent {5}
S: + go
C: hello
S: A2 OK done
`)
	})
	c, err := Dial(ctx, addr, Options{TLS: TLSNone, Tags: NewTagGeneratorWithPrefix("A")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Compress(ctx); err != nil {
		t.Fatalf("Compress = %v", err)
	}
	list, err := c.List(ctx, "", "*", nil)
	if err != nil || len(list) != 2 || list[1].Name != "Sent" {
		t.Fatalf("List over COMPRESS = %v, %v", list, err)
	}
	// A synchronising literal: the continuation request arrives deflated.
	if _, err := c.Append(ctx, "Sent", 5, stringsReader("hello"), nil); err != nil {
		t.Fatalf("Append over COMPRESS = %v", err)
	}
}

func stringsReader(s string) io.Reader { return &byteReader{b: []byte(s)} }

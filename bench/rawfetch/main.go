// Command rawfetch is the benchmark's floor: the least an IMAP client can
// do to download mailboxes. It logs in, EXAMINEs each mailbox and sends one
// UID FETCH 1:* BODY.PEEK[] (RFC 3501 §6.4.5, §6.4.8), then either counts
// and discards each literal (-mode discard) or writes each literal to its
// own file (-mode files). There is no parsing beyond finding literals and
// the tagged completion, no policy, no state.
//
// -sync says how files are made durable: "syncfs" writes them all, then
// syncs the file system once (the least a durable fetch-to-files can cost,
// which is what a group commit approaches), "each" fsyncs every file as it
// is closed (one flush per message), "none" leaves them to the page cache.
//
// The password is read from the BENCH_PASSWORD environment variable. It
// prints "messages N bytes B" on success.
package main

import (
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:143", "server host:port (plain IMAP)")
	user := flag.String("user", "", "user name")
	mailboxes := flag.String("mailboxes", "INBOX", "comma-separated mailboxes to fetch")
	mode := flag.String("mode", "discard", "discard or files")
	out := flag.String("out", "", "folder for -mode files (created)")
	syncMode := flag.String("sync", "syncfs", "with -mode files: syncfs, each or none")
	compress := flag.Bool("compress", false, "turn on COMPRESS=DEFLATE (RFC 4978)")
	flag.Parse()
	if err := run(*addr, *user, os.Getenv("BENCH_PASSWORD"), strings.Split(*mailboxes, ","), *mode, *out, *syncMode, *compress); err != nil {
		fmt.Fprintln(os.Stderr, "rawfetch:", err)
		os.Exit(1)
	}
}

type session struct {
	conn net.Conn
	br   *bufio.Reader
	w    io.Writer
	fw   *flate.Writer // nil unless compressed
	tag  int
}

// quoted makes an IMAP quoted string (RFC 3501 §4.3); the benchmark's
// names and passwords have no CR or LF.
func quoted(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// command sends one command and reads until its tagged completion. Each
// literal in the responses is handed to onLiteral.
func (s *session) command(text string, onLiteral func(size int64, r io.Reader) error) error {
	s.tag++
	tag := "a" + strconv.Itoa(s.tag)
	if _, err := io.WriteString(s.w, tag+" "+text+"\r\n"); err != nil {
		return err
	}
	if s.fw != nil {
		if err := s.fw.Flush(); err != nil {
			return err
		}
	}
	start := true // at the start of a response, not after a literal
	for {
		line, err := s.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A long line without a literal: keep reading it.
			rest, err2 := s.br.ReadBytes('\n')
			line, err = append(append([]byte(nil), line...), rest...), err2
		}
		if err != nil {
			return fmt.Errorf("%s: %w", text, err)
		}
		if start && bytes.HasPrefix(line, []byte(tag+" ")) {
			status := line[len(tag)+1:]
			if !bytes.HasPrefix(status, []byte("OK")) {
				return fmt.Errorf("%s: %s", strings.Fields(text)[0], bytes.TrimSpace(status))
			}
			return nil
		}
		start = true
		if size, ok := literalSize(line); ok {
			lr := &io.LimitedReader{R: s.br, N: size}
			if onLiteral != nil {
				if err := onLiteral(size, lr); err != nil {
					return err
				}
			}
			if _, err := io.Copy(io.Discard, lr); err != nil {
				return err
			}
			if lr.N > 0 {
				return io.ErrUnexpectedEOF
			}
			start = false // the response goes on after the literal
		}
	}
}

// literalSize reports whether line ends with a literal's "{size}" (RFC 3501
// §4.3) and its size. Braces around anything but digits are text.
func literalSize(line []byte) (int64, bool) {
	if !bytes.HasSuffix(line, []byte("}\r\n")) {
		return 0, false
	}
	open := bytes.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false
	}
	size, err := strconv.ParseInt(string(line[open+1:len(line)-3]), 10, 64)
	if err != nil || size < 0 || line[open+1] == '+' {
		return 0, false
	}
	return size, true
}

func run(addr, user, password string, mailboxes []string, mode, out, syncMode string, compress bool) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	s := &session{conn: conn, br: bufio.NewReaderSize(conn, 64<<10), w: conn}
	if _, err := s.br.ReadSlice('\n'); err != nil { // greeting
		return err
	}
	if err := s.command("LOGIN "+quoted(user)+" "+quoted(password), nil); err != nil {
		return err
	}
	if compress {
		if err := s.command("COMPRESS DEFLATE", nil); err != nil {
			return err
		}
		buffered, _ := s.br.Peek(s.br.Buffered())
		rest := io.MultiReader(bytes.NewReader(append([]byte(nil), buffered...)), conn)
		s.br = bufio.NewReaderSize(flate.NewReader(rest), 64<<10)
		s.fw, _ = flate.NewWriter(conn, flate.BestSpeed)
		s.w = s.fw
	}
	var dir *os.File
	if mode == "files" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		if dir, err = os.Open(out); err != nil {
			return err
		}
		defer dir.Close()
	} else if mode != "discard" {
		return fmt.Errorf("unknown -mode %q", mode)
	}
	var messages, total int64
	buf := make([]byte, 256<<10)
	onLiteral := func(size int64, r io.Reader) error {
		messages++
		total += size
		if dir == nil {
			_, err := io.CopyBuffer(io.Discard, r, buf)
			return err
		}
		f, err := os.OpenFile(filepath.Join(out, strconv.FormatInt(messages, 10)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.CopyBuffer(f, r, buf); err != nil {
			f.Close()
			return err
		}
		if syncMode == "each" {
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
		}
		return f.Close()
	}
	for _, mb := range mailboxes {
		if err := s.command("EXAMINE "+quoted(mb), nil); err != nil {
			return err
		}
		if err := s.command("UID FETCH 1:* BODY.PEEK[]", onLiteral); err != nil {
			return err
		}
	}
	if dir != nil {
		switch syncMode {
		case "syncfs":
			if err := syncFS(dir); err != nil {
				return err
			}
		case "each":
			if err := dir.Sync(); err != nil {
				return err
			}
		case "none":
		default:
			return fmt.Errorf("unknown -sync %q", syncMode)
		}
	}
	s.command("LOGOUT", nil)
	fmt.Printf("messages %d bytes %d\n", messages, total)
	return nil
}

package imap

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// RFC 3501 §7.4.2: the body sections of a FETCH answered to a generic
// command (imaplib's xatom) are kept exactly as sent, in order, with NIL
// told apart from empty and the <origin> of a partial reply.
func TestCommandKeepsFetchBodySections(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 UID FETCH 1:2 (UID BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.3>)
S: * 1 FETCH (UID 1 BODY[HEADER] {21}
S: Subject: hi
S: X: `+"\x1b"+`
S: 
S:  BODY[TEXT]<0> "abc" FLAGS (\Seen))
S: * 2 FETCH (UID 2 BODY[HEADER] NIL BODY[TEXT]<0> {0}
S: )
S: A0 OK done
`)
	res, err := c.Command(ctx, "UID FETCH", RawArg("1:2 (UID BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.3>)"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Responses) != 2 || res.Status.Name != "OK" {
		t.Fatalf("Command = %+v", res)
	}
	r1, r2 := res.Responses[0], res.Responses[1]
	if r1.Fetch.UID != 1 || len(r1.Fetch.Flags) != 1 || r1.Fetch.Flags[0] != `\Seen` {
		t.Errorf("response 1 attributes = %+v", r1.Fetch)
	}
	got := fmt.Sprintf("%+v", res.Sections[r1])
	want := fmt.Sprintf("%+v", []SectionData{
		{Name: "BODY[HEADER]", Origin: -1, Data: []byte("Subject: hi\r\nX: \x1b\r\n\r\n")},
		{Name: "BODY[TEXT]", Origin: 0, Data: []byte("abc")},
	})
	if got != want {
		t.Errorf("sections of 1 = %s, want %s", got, want)
	}
	got = fmt.Sprintf("%+v", res.Sections[r2])
	want = fmt.Sprintf("%+v", []SectionData{
		{Name: "BODY[HEADER]", Origin: -1, Nil: true},
		{Name: "BODY[TEXT]", Origin: 0, Data: []byte{}},
	})
	if got != want {
		t.Errorf("sections of 2 = %s, want %s", got, want)
	}
}

// A section beyond MaxCommandResponseData is not kept: the command's
// responses are read to the end (the connection stays usable) and the
// error names the limit.
func TestCommandBodyDataLimit(t *testing.T) {
	big := strings.Repeat("x", MaxCommandResponseData+1)
	c := dialScript(t, greeting+`C: A0 FETCH 1 BODY[]
S: * 1 FETCH (BODY[] {`+fmt.Sprint(len(big))+`}
S: `+big+`)
S: * 2 FETCH (BODY[] {1}
S: y)
S: A0 OK done
C: A1 NOOP
S: A1 OK done
`)
	_, err := c.Command(ctx, "FETCH", uint32(1), RawArg("BODY[]"))
	var le *CommandDataLimitError
	if !errors.As(err, &le) || le.Limit != MaxCommandResponseData || le.Total || le.Size != int64(len(big)) {
		t.Fatalf("Command = %v, want a CommandDataLimitError of %d bytes", err, MaxCommandResponseData)
	}
	if !strings.Contains(err.Error(), fmt.Sprint(MaxCommandResponseData)) {
		t.Errorf("error %q does not say the limit", err)
	}
	if _, err := c.Command(ctx, "NOOP"); err != nil {
		t.Errorf("NOOP after the limit = %v", err)
	}
}

// A whole message whose literal size differs from its RFC822.SIZE is kept
// (it is what the server sent) and reported, never hidden.
func TestCommandReportsSizeMismatch(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 FETCH 1 (RFC822.SIZE BODY[])
S: * 1 FETCH (RFC822.SIZE 5 BODY[] {3}
S: a
S: )
S: A0 OK done
`)
	res, err := c.Command(ctx, "FETCH", uint32(1), RawArg("(RFC822.SIZE BODY[])"))
	var mm *SizeMismatchError
	if !errors.As(err, &mm) || mm.LiteralSize != 3 || mm.RFC822Size != 5 {
		t.Fatalf("Command = %v, want a SizeMismatchError", err)
	}
	if len(res.Responses) != 1 || string(res.Sections[res.Responses[0]][0].Data) != "a\r\n" {
		t.Errorf("Command kept %+v", res.Sections)
	}
}

// Sections within the per-response bound still stop at MaxCommandData
// for the whole command.
func TestCommandTotalDataLimit(t *testing.T) {
	chunk := strings.Repeat("x", MaxCommandResponseData)
	n := MaxCommandData/MaxCommandResponseData + 1
	var script strings.Builder
	script.WriteString(greeting + "C: A0 FETCH 1:* BODY[]\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&script, "S: * %d FETCH (BODY[] {%d}\nS: %s)\n", i, len(chunk), chunk)
	}
	script.WriteString("S: A0 OK done\n")
	c := dialScript(t, script.String())
	res, err := c.Command(ctx, "FETCH", RawArg("1:* BODY[]"))
	var le *CommandDataLimitError
	if !errors.As(err, &le) || !le.Total || le.Limit != MaxCommandData || le.SeqNum != uint32(n) {
		t.Fatalf("Command = %v, want the %d-byte command limit at message %d", err, MaxCommandData, n)
	}
	if len(res.Responses) != n-1 {
		t.Errorf("kept %d responses, want the %d within the limit", len(res.Responses), n-1)
	}
}

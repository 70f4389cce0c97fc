package imap

import (
	"testing"
	"time"
)

// RFC 3501 §7.4.2 lets a server send data items in any order: after
// Finish, the attributes that followed the unread body are set.
func TestFetchFinishReadsAttributesAfterBody(t *testing.T) {
	c := dialScript(t, greeting+`C: A0 UID FETCH 1:* (UID FLAGS INTERNALDATE BODY.PEEK[])
S: * 1 FETCH (BODY[] {5}
S: hello UID 7 FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700")
S: A0 OK done
`)
	var uid uint32
	var flags []string
	var date time.Time
	err := c.Fetch(ctx, AllUID(), &FetchOptions{UID: true, Flags: true, InternalDate: true,
		BodySections: []BodySection{{Peek: true}}}, func(m *FetchMessage) error {
		if m.UID != 0 {
			t.Errorf("UID known before the body: %d", m.UID)
		}
		if err := m.Finish(); err != nil {
			return err
		}
		uid, flags, date = m.UID, m.Flags, m.InternalDate
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600))
	if uid != 7 || len(flags) != 1 || flags[0] != `\Seen` || !date.Equal(want) {
		t.Errorf("after Finish: UID %d, flags %q, date %v; want 7, [\\Seen], %v", uid, flags, date, want)
	}
}

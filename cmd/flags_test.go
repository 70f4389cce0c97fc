package cmd

import (
	"reflect"
	"testing"

	"github.com/imapctl/imapctl/internal/imap"
	"github.com/spf13/cobra"
)

// parse runs a command built by newCmd with args and a capturing runF,
// returning the error of flag and argument parsing.
func parse(t *testing.T, newCmd func(f *Factory) *cobra.Command, args ...string) error {
	t.Helper()
	ios, _, _, _ := Test()
	cmd := newCmd(NewFactory(ios))
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

func TestStoreFlagParsing(t *testing.T) {
	var got *StoreOptions
	newCmd := func(f *Factory) *cobra.Command {
		return NewStoreCmd(f, func(o *StoreOptions) error { got = o; return nil })
	}
	if err := parse(t, newCmd, "INBOX", "1:3,7", "--remove", `\Seen`, "$A,$B", "--silent"); err != nil {
		t.Fatal(err)
	}
	want := imap.NumSet{Ranges: []imap.NumRange{{Start: 1, Stop: 3}, {Start: 7, Stop: 7}}, UID: true}
	if got.Mailbox != "INBOX" || !reflect.DeepEqual(got.Set, want) || got.Action != imap.StoreRemove ||
		!reflect.DeepEqual(got.Flags, []string{`\Seen`, "$A", "$B"}) || !got.Silent {
		t.Errorf("store options = %+v", got)
	}
	if err := parse(t, newCmd, "--seq", "INBOX", "2", "--set"); err != nil || got.Set.UID || got.Action != imap.StoreReplace || len(got.Flags) != 0 {
		t.Errorf("store --seq --set = %v, %+v", err, got)
	}
	for _, args := range [][]string{
		{"INBOX", "1"}, {"INBOX", "1", "--add"}, {"INBOX", "1", "--add", "--set", "x"},
		{"INBOX", "*:x", "--add", "x"}, {"INBOX", "1", "--add", "a\r\nb"}, {"INBOX", "1", "--add", `\`},
	} {
		if err := parse(t, newCmd, args...); err == nil {
			t.Errorf("store %q: no error", args)
		} else if _, ok := err.(*UsageError); !ok {
			t.Errorf("store %q: %T %v, want *UsageError", args, err, err)
		}
	}
}

func TestCopyAppendExpungeFlagParsing(t *testing.T) {
	var cp *CopyOptions
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewCopyCmd(f, func(o *CopyOptions) error { cp = o; return nil })
	}, "--move", "--create", "INBOX", "5:*", "Archive/2024"); err != nil || !cp.Move || !cp.Create || cp.Dest != "Archive/2024" || cp.Set.String() != "5:*" {
		t.Errorf("copy = %v, %+v", err, cp)
	}
	var ap *AppendOptions
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewAppendCmd(f, func(o *AppendOptions) error { ap = o; return nil })
	}, "--flags", `\Seen,$Label1`, "--date", "2024-05-01T10:00:00+02:00", "Drafts"); err != nil ||
		!reflect.DeepEqual(ap.Flags, []string{`\Seen`, "$Label1"}) || ap.Date.Unix() != 1714550400 || !reflect.DeepEqual(ap.Inputs, []string{"-"}) {
		t.Errorf("append = %v, %+v", err, ap)
	}
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewAppendCmd(f, func(o *AppendOptions) error { return nil })
	}, "Drafts", "-", "-"); err == nil {
		t.Error("append - - (stdin twice): no error")
	}
	var ex *ExpungeOptions
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewExpungeCmd(f, func(o *ExpungeOptions) error { ex = o; return nil })
	}, "--uid", "4,9", "Trash"); err != nil || ex.UIDs == nil || ex.UIDs.String() != "4,9" || !ex.UIDs.UID {
		t.Errorf("expunge --uid = %v, %+v", err, ex)
	}
}

func TestListSelectRawFlagParsing(t *testing.T) {
	var l *ListOptions
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewListCmd(f, func(o *ListOptions) error { l = o; return nil })
	}, "--ref", "Archive/", "--subscribed", "--status", "%"); err != nil || l.Reference != "Archive/" || !l.Subscribed || !l.Status || l.Pattern != "%" {
		t.Errorf("list = %v, %+v", err, l)
	}
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewListCmd(f, func(o *ListOptions) error { l = o; return nil })
	}); err != nil || l.Pattern != "*" {
		t.Errorf("list (no pattern) = %v, pattern %q, want *", err, l.Pattern)
	}
	var sel *SelectOptions
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewSelectCmd(f, func(o *SelectOptions) error { sel = o; return nil })
	}, "--read-write", "Entwürfe"); err != nil || !sel.ReadWrite || sel.Mailbox != "Entwürfe" {
		t.Errorf("select = %v, %+v", err, sel)
	}
	var raw *RawOptions
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewRawCmd(f, func(o *RawOptions) error { raw = o; return nil })
	}, "uid fetch 1:* (FLAGS)"); err != nil || raw.Name != "UID FETCH" || raw.Args != "1:* (FLAGS)" {
		t.Errorf("raw = %v, %+v", err, raw)
	}
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewRawCmd(f, func(o *RawOptions) error { raw = o; return nil })
	}, "NOOP"); err != nil || raw.Name != "NOOP" || raw.Args != "" {
		t.Errorf("raw NOOP = %v, %+v", err, raw)
	}
	if err := parse(t, func(f *Factory) *cobra.Command {
		return NewStatusCmd(f, func(o *StatusOptions) error { return nil })
	}, "INBOX", "MESSAGES)"); err == nil {
		t.Error("status with a bad item: no error")
	}
}

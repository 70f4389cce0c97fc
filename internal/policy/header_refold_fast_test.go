package policy

import (
	"strings"
	"testing"
)

// unstructuredHeader agrees with parseHeaderValue on which names get the
// unstructured parse.
func TestUnstructuredHeaderNames(t *testing.T) {
	for _, name := range []string{"subject", "received", "x-mailer", "date", "resent-date", "orig-date",
		"sender", "resent-sender", "to", "resent-to", "cc", "resent-cc", "bcc", "resent-bcc", "from",
		"resent-from", "reply-to", "mime-version", "content-type", "content-disposition",
		"content-transfer-encoding", "message-id", "in-reply-to", "references", "list-id", "comments"} {
		tree, err := parseHeaderValue(name, "x")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := unstructuredHeader(name), tree.cls == clsUnstructured; got != want {
			t.Errorf("unstructuredHeader(%q) = %v, parse tree says %v", name, got, want)
		}
	}
}

// FuzzUnstructuredRefold: where the ASCII shortcut folds a header, the
// parse-tree path (checked against Python by the fold goldens) folds it
// the same way.
func FuzzUnstructuredRefold(f *testing.F) {
	long := strings.Repeat("word ", 30)
	for _, seed := range []struct {
		name, value string
		width       uint8
	}{
		{"Received", "from mail.example.org (mail.example.org [192.0.2.1]) by mx.example.com (Postfix) with ESMTPS id 4ABC for <a@example.com>; Mon, 1 Jan 2024 00:00:00 +0000", 78},
		{"X-Long", strings.Repeat("x", 100), 78},
		{"X-Tabs", "a\t\tb  c " + long, 40},
		{"Subject", long + "  ", 78},
		{"List-Id", "A list <list.example.org>", 10},
		{"X-Very-Long-Header-Name-That-Takes-Room", "short value here", 50},
		{"X", "", 78},
		{"X", " leading blank " + long, 20},
	} {
		f.Add(seed.name, seed.value, seed.width)
	}
	f.Fuzz(func(t *testing.T, name, value string, width uint8) {
		if len(name) == 0 || len(name) > 100 || len(value) > 2000 || !unstructuredHeader(strings.ToLower(name)) {
			return
		}
		p, err := ParseSpec("default", nil)
		if err != nil {
			t.Fatal(err)
		}
		p.MaxLineLength = int(width)
		fast, ok := refoldUnstructuredASCII(name, value, p.foldWidth(), p.Linesep)
		if !ok {
			return
		}
		tree, err := p.refoldHeaderTree(name, value)
		if err != nil {
			t.Fatalf("refoldHeaderTree(%q, %q) at width %d: %v; the shortcut gave %q", name, value, width, err, fast)
		}
		if fast != tree {
			t.Fatalf("width %d, %q: %q\nshortcut:  %q\nparse tree: %q", width, name, value, fast, tree)
		}
	})
}

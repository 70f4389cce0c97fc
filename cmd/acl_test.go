package cmd

import (
	"strings"
	"testing"
)

// RFC 4314 §3.1: SETACL rights that start with "-" are removed, and §2:
// an identifier that starts with "-" names negative rights. Both are
// arguments to acl set and acl delete, not options.
func TestACLMinusArguments(t *testing.T) {
	s, env := startScript(t, `caps: IMAP4rev1 AUTH=PLAIN LITERAL+ ACL
login
C: $tag SETACL INBOX bob -w
S: $tag OK done
next-connection
login
C: $tag SETACL INBOX -bob +d
S: $tag OK done
next-connection
login
C: $tag DELETEACL INBOX -bob
S: $tag OK done
next-connection
login
C: $tag SETACL INBOX bob -w
S: $tag OK done
next-connection
login
C: $tag SETACL INBOX bob -w
S: $tag OK done
`)
	for _, args := range [][]string{
		{"acl", "set", "INBOX", "bob", "-w"},
		{"acl", "set", "INBOX", "-bob", "+d"},
		{"acl", "delete", "INBOX", "-bob"},
		{"acl", "set", "--", "INBOX", "bob", "-w"},
		{"--quiet", "acl", "set", "--quiet", "INBOX", "bob", "-w"},
	} {
		if code, _, errOut := runTest(t, env, args...); code != ExitOK {
			t.Errorf("%q = %d, stderr %q; want %d", args, code, errOut, ExitOK)
		}
	}
	if u := s.Unexpected(); len(u) > 0 {
		t.Errorf("server got unexpected commands:\n%s", s.Transcript())
	}
}

// Options after MAILBOX are arguments now: a misplaced one is a usage
// error that says where options go, and nothing is sent.
func TestACLSetOptionAfterMailbox(t *testing.T) {
	code, _, errOut := runTest(t, nil, "acl", "set", "INBOX", "bob", "lr", "--json")
	if code != ExitUsage || !strings.Contains(errOut, "--json go before MAILBOX") {
		t.Errorf("acl set INBOX bob lr --json = %d, stderr %q; want %d and a hint that options go before MAILBOX", code, errOut, ExitUsage)
	}
}

package cmd

import (
	"bytes"
	"strings"
	"testing"
)

func TestUnknownFlagIsUsageError(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"--no-such-flag"}, &out, &errOut)
	if code != ExitUsage {
		t.Fatalf("run(--no-such-flag) = %d, want %d", code, ExitUsage)
	}
	if !strings.HasPrefix(errOut.String(), "imapctl: ") {
		t.Errorf("stderr = %q, want an imapctl: line", errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", out.String())
	}
}

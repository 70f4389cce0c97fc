package backup

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// reservedNames are file names a mailbox folder uses for itself; a mailbox
// level with one of these names gets its first byte escaped.
var reservedNames = map[string]bool{"cur": true, "new": true, "tmp": true, "mbox": true}

// EscapeName makes one level of a mailbox name (UTF-8) safe as a file name,
// reversibly: '%' and '/' and '\\' and control bytes become %XX, as do the
// first byte of a name starting with '.' or equal to a reserved name (cur,
// new, tmp, mbox, any case) and the dot of a ".eml" ending; the empty level becomes
// "%_". UnescapeName reverses it.
func EscapeName(level string) string {
	if level == "" {
		return "%_"
	}
	var b strings.Builder
	lower := strings.ToLower(level)
	escapeFirst := level[0] == '.' || reservedNames[lower]
	escapeDot := -1 // the dot of a ".eml" ending
	if strings.HasSuffix(lower, ".eml") {
		escapeDot = len(level) - 4
	}
	for i := 0; i < len(level); i++ {
		c := level[i]
		if c < 0x20 || c == 0x7f || c == '%' || c == '/' || c == '\\' || (i == 0 && escapeFirst) || i == escapeDot {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// UnescapeName reverses EscapeName.
func UnescapeName(escaped string) (string, error) {
	if escaped == "%_" {
		return "", nil
	}
	var b strings.Builder
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(escaped) {
			return "", fmt.Errorf("backup: bad escape in %q", escaped)
		}
		v, err := strconv.ParseUint(escaped[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("backup: bad escape in %q", escaped)
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// MailboxPath returns the relative folder of a mailbox: its name split at
// delimiter (none when delimiter is ""), each level escaped.
func MailboxPath(name, delimiter string) string {
	levels := []string{name}
	if delimiter != "" {
		levels = strings.Split(name, delimiter)
	}
	for i, l := range levels {
		levels[i] = EscapeName(l)
	}
	return filepath.Join(levels...)
}

// MailboxFromPath reverses MailboxPath for a relative folder, joining the
// levels with delimiter.
func MailboxFromPath(rel, delimiter string) (string, error) {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	for i, p := range parts {
		s, err := UnescapeName(p)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return strings.Join(parts, delimiter), nil
}

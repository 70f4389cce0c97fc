//go:build !unix

package backup

import "os"

// lockExclusive is a no-op where flock(2) does not exist: the PID is still
// written, but two runs are not kept apart.
func lockExclusive(f *os.File) error { return nil }

// lockShared is a no-op where flock(2) does not exist.
func lockShared(f *os.File) error { return nil }

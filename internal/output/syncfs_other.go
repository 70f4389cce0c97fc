//go:build !linux

package output

// syncBatch makes the data of files durable with one fsync each.
func syncBatch(paths []string) error {
	for _, p := range paths {
		if err := syncFile(p); err != nil {
			return err
		}
	}
	return nil
}

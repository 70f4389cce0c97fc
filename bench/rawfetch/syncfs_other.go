//go:build !(linux && amd64)

package main

import (
	"os"
	"syscall"
)

// syncFS falls back to sync(2) where syncfs(2) is not wired up here.
func syncFS(*os.File) error {
	syscall.Sync()
	return nil
}

//go:build linux

package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPty opens a pseudo-terminal pair with the standard library only
// (/dev/ptmx, TIOCSPTLCK, TIOCGPTN).
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var unlock int32
	if err := ioctl(master.Fd(), syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	var n uint32
	if err := ioctl(master.Fd(), syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return master, slave
}

func ioctl(fd uintptr, req uint, arg unsafe.Pointer) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(req), uintptr(arg)); errno != 0 {
		return errno
	}
	return nil
}

// echoOn reports whether the terminal echoes what is typed.
func echoOn(t *testing.T, tty *os.File) bool {
	t.Helper()
	var tio syscall.Termios
	if err := ioctl(tty.Fd(), syscall.TCGETS, unsafe.Pointer(&tio)); err != nil {
		t.Fatalf("TCGETS: %v", err)
	}
	return tio.Lflag&syscall.ECHO != 0
}

// lockedBuffer collects what the child writes to the terminal.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// TestPasswordPromptInterrupted runs imapctl (this test binary, in Main)
// on a pseudo-terminal as a user does, with no password configured, and
// types Ctrl-C at the password prompt: imapctl ends at once with
// "imapctl: interrupted" and exit 130, and leaves the terminal echoing.
// It used to ignore the first Ctrl-C and die of the second with echo off.
func TestPasswordPromptInterrupted(t *testing.T) {
	if os.Getenv("IMAPCTL_PTY_TEST_MAIN") != "" {
		os.Args = []string{"imapctl", "list"}
		os.Exit(Main())
	}
	master, slave := openPty(t)
	defer master.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPasswordPromptInterrupted$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "IMAPCTL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "IMAPCTL_PTY_TEST_MAIN=1", "IMAPCTL_HOST=127.0.0.1", "IMAPCTL_PORT=1",
		"IMAPCTL_TLS=none", "IMAPCTL_USER=alice", "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	prompted := make(chan struct{})
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		var once sync.Once
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			out.mu.Lock()
			out.buf.Write(buf[:n])
			seen := strings.Contains(out.buf.String(), "Password for alice@127.0.0.1: ")
			out.mu.Unlock()
			if seen {
				once.Do(func() { close(prompted) })
			}
			if err != nil {
				return // EIO once the child is gone and slave closed
			}
		}
	}()
	// A guard against a hang, not a timed assertion: imapctl that ignores
	// Ctrl-C would otherwise wait for the password for ever.
	guard := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer guard.Stop()
	select {
	case <-prompted:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no password prompt; terminal shows %q", out.String())
	}
	// Type Ctrl-C once the prompt reads without echo, as a user would.
	for deadline := time.Now().Add(60 * time.Second); echoOn(t, slave) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if _, err := master.Write([]byte{0x03}); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	echo := echoOn(t, slave)
	slave.Close()
	<-readDone
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != ExitInterrupted {
		t.Errorf("imapctl after Ctrl-C at the password prompt: %v; want exit %d (terminal shows %q)", err, ExitInterrupted, out.String())
	}
	if !strings.Contains(out.String(), "imapctl: interrupted") {
		t.Errorf("terminal shows %q, want imapctl: interrupted", out.String())
	}
	if !echo {
		t.Error("the terminal was left without echo")
	}
}

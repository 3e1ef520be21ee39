//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package archive

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// errLockTimeout is returned by lockShared when the lock was not free in
// time.
var errLockTimeout = errors.New("lock timeout")

// lockShared takes a shared lock on f, as bbolt does for a read-only open,
// waiting at most timeout: it keeps a writer from changing the file while
// checkFile reads it. The lock ends when f is closed.
func lockShared(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			return errLockTimeout
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// diskUsage returns the bytes the file of fi occupies on disk: less than
// its size when it is sparse, as a bbolt file grown for its map is.
func diskUsage(fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return fi.Size()
}

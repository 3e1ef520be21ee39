//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package archive

import (
	"errors"
	"os"
	"time"
)

var errLockTimeout = errors.New("lock timeout")

// lockShared does nothing where flock is not available: checkFile then
// reads the file without a lock (a writer committing meanwhile may make it
// report damage that is not there).
func lockShared(f *os.File, timeout time.Duration) error { return nil }

// diskUsage returns the size of the file of fi (its blocks on disk are
// not known here).
func diskUsage(fi os.FileInfo) int64 { return fi.Size() }

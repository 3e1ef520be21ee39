//go:build !linux

package archive

import (
	"errors"
	"os/exec"
)

// peakRSS is measured on Linux only (see rss_linux_test.go).
func peakRSS(cmd *exec.Cmd, want int) (float64, []byte, error) {
	return 0, nil, errors.New("peakRSS: only on Linux")
}

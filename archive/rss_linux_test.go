package archive

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// peakRSS runs cmd, which writes want bytes to its stdout, and returns its
// peak resident set (VmHWM, in MB) taken just before it ends: after all
// its work but the last writes, while it is blocked writing to a full
// pipe, and the bytes it wrote.
//
// The rusage of a child (ProcessState.SysUsage) cannot be used: Go starts
// children with vfork (CLONE_VM), and Linux counts the high-water mark of
// the parent's memory, which the child shared until its exec, in the
// child's ru_maxrss, so that a child of this test process reports at least
// this process's own peak.
func peakRSS(cmd *exec.Cmd, want int) (float64, []byte, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	// Leave the pipe's capacity (64 KB) and 64 KB more unread: the child
	// then blocks in its last writes.
	var got bytes.Buffer
	head := want - 128<<10
	if head < 0 {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return 0, nil, fmt.Errorf("peakRSS: %d bytes of output are too few to hold the process", want)
	}
	if _, err := io.CopyN(&got, out, int64(head)); err != nil {
		_ = cmd.Wait()
		return 0, got.Bytes(), err
	}
	blocked := false
	for deadline := time.Now().Add(10 * time.Second); !blocked && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		blocked = writingStdout(cmd.Process.Pid)
	}
	if !blocked {
		_ = cmd.Process.Kill()
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		return 0, nil, errors.New("peakRSS: the process did not block on its stdout within 10s")
	}
	hwm, herr := vmHWM(cmd.Process.Pid)
	_, err = io.Copy(&got, out)
	if werr := cmd.Wait(); err == nil {
		err = werr
	}
	if err == nil {
		err = herr
	}
	return hwm, got.Bytes(), err
}

// writingStdout reports whether a thread of process pid is in a write(2)
// to its stdout (file descriptor 1).
func writingStdout(pid int) bool {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/syscall")
	for _, t := range tasks {
		if b, err := os.ReadFile(t); err == nil && strings.HasPrefix(string(b), "1 0x1 ") {
			return true
		}
	}
	return false
}

// vmHWM returns the peak resident set of process pid in MB.
func vmHWM(pid int) (float64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

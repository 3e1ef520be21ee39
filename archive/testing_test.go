package archive

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/s3test"
)

// helperEnv selects a helper mode of the test binary, run as a subprocess
// by the lock and crash tests (see TestMain).
const helperEnv = "LINKVAULT_ARCHIVE_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	code := m.Run()
	s3test.StopShared()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// MustOpenDB opens a new database in t.TempDir() and registers a cleanup
// that closes it and checks the file: bbolt's consistency check, and the
// counters of the meta bucket against a recount.
func MustOpenDB(t testing.TB) *DB {
	t.Helper()
	return mustOpenPath(t, filepath.Join(t.TempDir(), "linkvault.db"), nil)
}

// mustOpenPath opens the database at path with opts and registers the
// same cleanup as MustOpenDB.
func mustOpenPath(t testing.TB, path string, opts *Options) *DB {
	t.Helper()
	db, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
		mustCheckFile(t, path)
	})
	return db
}

// mustCheckFile runs bbolt's consistency check on the closed database at
// path and compares the stored counters with a recount.
func mustCheckFile(t testing.TB, path string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Errorf("check %s: open: %v", path, err)
		return
	}
	defer b.Close()
	err = b.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("check %s: %v", path, err)
		}
		if tx.Bucket(bucketMeta) == nil {
			return nil // not (yet) a version 1 file
		}
		stored, err := getCounts(tx)
		if err != nil {
			return err
		}
		want, err := recount(tx)
		if err != nil {
			return err
		}
		if !sameCounts(stored, want) {
			t.Errorf("check %s: stored counts %+v, recount %+v", path, stored, want)
		}
		return nil
	})
	if err != nil {
		t.Errorf("check %s: %v", path, err)
	}
}

func sameCounts(a, b counts) bool {
	nonZero := func(m map[linkvault.State]int) map[linkvault.State]int {
		out := make(map[linkvault.State]int)
		for k, v := range m {
			if v != 0 {
				out[k] = v
			}
		}
		return out
	}
	return a.URLs == b.URLs && a.Checks == b.Checks && a.Runs == b.Runs &&
		reflect.DeepEqual(nonZero(a.States), nonZero(b.States))
}

// runHelper runs the helper mode of a subprocess and returns its exit
// status.
func runHelper(mode string) int {
	switch mode {
	case "hold":
		return helperHold(os.Getenv(helperPathEnv))
	case "write":
		return helperWrite(os.Getenv(helperPathEnv))
	case "get":
		return helperGet(os.Getenv(helperPathEnv))
	}
	return fatalf("unknown mode %q", mode)
}

// helperPathEnv names the database file of a helper subprocess.
const helperPathEnv = "LINKVAULT_ARCHIVE_DB"

// startHelper starts the test binary in helper mode on path and waits for
// it to print "ready". Closing stdin ends a "hold" helper.
func startHelper(t *testing.T, mode, path string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperPathEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper %s: read ready = %q, %v", mode, line, err)
	}
	return cmd, stdin
}

// clock is a settable time source for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// fatalf reports a helper failure on stderr and returns its exit status.
func fatalf(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "helper: "+format+"\n", args...)
	return 2
}

package crawler

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// sharedEnv names the folder of the project's own notes and corpora
// (shared/, beside the repository in the developers' workspace). .ci/run
// sets it, which makes the tests that read it required there.
const sharedEnv = "LINKVAULT_SHARED"

// sharedFile returns the path of a file under shared/, e.g.
// "corpora/awesome-go.md". A user's clone has nothing beside it: without
// LINKVAULT_SHARED the test is skipped with one line saying why when the
// file is absent; with it, a missing file fails the test.
func sharedFile(tb testing.TB, rel string) string {
	tb.Helper()
	name, ok := sharedLookup(tb, rel)
	if !ok {
		tb.Skipf("skipped: shared/%s is not beside this checkout (set %s to require it)", rel, sharedEnv)
	}
	return name
}

// sharedLookup is sharedFile for a test that has other inputs too: it
// reports false, instead of skipping, when the file is absent and not
// required.
func sharedLookup(tb testing.TB, rel string) (string, bool) {
	tb.Helper()
	dir, required := os.LookupEnv(sharedEnv)
	if !required {
		dir = filepath.Join("..", "..", "shared")
	}
	name := filepath.Join(dir, filepath.FromSlash(rel))
	_, err := os.Stat(name)
	switch {
	case err == nil:
		return name, true
	case required:
		tb.Fatalf("%s: %v (%s is set, so the shared notes and corpora are required)", rel, err, sharedEnv)
	case !errors.Is(err, fs.ErrNotExist):
		tb.Fatalf("%s: %v", name, err)
	}
	return "", false
}

// TestTestsStayInTheRepository keeps the README's test command working on a
// clone with nothing beside it: no test names a path into shared/ except
// through sharedFile, which skips when the file is absent.
func TestTestsStayInTheRepository(t *testing.T) {
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || filepath.Ext(path) != ".go" || filepath.Base(path) == "shared_test.go" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if i := bytes.Index(data, []byte("../shared/")); i >= 0 {
			line := bytes.Count(data[:i], []byte("\n")) + 1
			t.Errorf("%s:%d: reads ../shared directly; use sharedFile, which skips on a user's clone", path, line)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

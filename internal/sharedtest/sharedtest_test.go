package sharedtest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestTestsStayInTheRepository keeps the README's test command working on a
// clone with nothing beside it: no test names a path into shared/ except
// through File, which skips when the file is absent.
func TestTestsStayInTheRepository(t *testing.T) {
	err := filepath.WalkDir(repoRoot(t), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || filepath.Ext(path) != ".go" || filepath.Base(filepath.Dir(path)) == "sharedtest" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if i := bytes.Index(data, []byte("../shared/")); i >= 0 {
			line := bytes.Count(data[:i], []byte("\n")) + 1
			t.Errorf("%s:%d: reads ../shared directly; use sharedtest.File, which skips on a user's clone", path, line)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

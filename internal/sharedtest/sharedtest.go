// Package sharedtest holds what the tests of several packages share: the
// project's own notes and corpora (File, Lookup: shared/, beside the
// repository in the developers' workspace) and notes written for a test
// (WriteFiles). A user's clone has nothing beside it, so a test that needs a
// shared file skips with one line saying why; .ci/run sets
// LINKVAULT_SHARED, which makes those tests required there.
package sharedtest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Env names the folder of the shared notes and corpora. Set, it makes the
// tests that read them required.
const Env = "LINKVAULT_SHARED"

// File returns the path of a file under shared/, e.g.
// "corpora/awesome-go.md". Without LINKVAULT_SHARED the test is skipped
// with one line saying why when the file is absent; with it, a missing
// file fails the test.
func File(tb testing.TB, rel string) string {
	tb.Helper()
	name, ok := Lookup(tb, rel)
	if !ok {
		tb.Skipf("skipped: shared/%s is not beside this checkout (set %s to require it)", rel, Env)
	}
	return name
}

// Lookup is File for a test that has other inputs too: it reports false,
// instead of skipping, when the file is absent and not required.
func Lookup(tb testing.TB, rel string) (string, bool) {
	tb.Helper()
	dir, required := os.LookupEnv(Env)
	if !required {
		dir = filepath.Join(repoRoot(tb), "..", "shared")
	}
	name := filepath.Join(dir, filepath.FromSlash(rel))
	_, err := os.Stat(name)
	switch {
	case err == nil:
		return name, true
	case required:
		tb.Fatalf("%s: %v (%s is set, so the shared notes and corpora are required)", rel, err, Env)
	case !errors.Is(err, fs.ErrNotExist):
		tb.Fatalf("%s: %v", name, err)
	}
	return "", false
}

// repoRoot is the repository's root folder: the nearest folder above the
// test's working directory (its package's folder) that holds go.mod, so
// that packages at any depth agree.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// WriteFiles writes files (slash paths to contents) under a new temporary
// folder and returns it.
func WriteFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDocsUpToDate regenerates the man pages and Markdown pages into a
// temporary folder and compares them with docs/man and docs/cli.
func TestDocsUpToDate(t *testing.T) {
	tmp := t.TempDir()
	opts := GenDocsOptions{ManDir: filepath.Join(tmp, "man"), MarkdownDir: filepath.Join(tmp, "cli")}
	if err := runGenDocs(opts); err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct{ got, shipped string }{
		{opts.ManDir, "../../docs/man"},
		{opts.MarkdownDir, "../../docs/cli"},
	} {
		got := readDir(t, d.got)
		want := readDir(t, d.shipped)
		if len(got) == 0 {
			t.Fatalf("no pages generated into %s", d.got)
		}
		for name, data := range got {
			old, ok := want[name]
			switch {
			case !ok:
				t.Errorf("%s/%s is missing: run go generate ./...", d.shipped, name)
			case !bytes.Equal(old, data):
				t.Errorf("%s/%s is stale: run go generate ./...", d.shipped, name)
			}
		}
		for name := range want {
			if _, ok := got[name]; !ok {
				t.Errorf("%s/%s documents no command any more: run go generate ./...", d.shipped, name)
			}
		}
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

package extract

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// notesTree writes 10,000 empty notes in 500 folders, two levels deep.
func notesTree(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	for i := range 25 {
		for j := range 20 {
			d := filepath.Join(dir, fmt.Sprintf("area%02d", i), fmt.Sprintf("topic%02d", j))
			if err := os.MkdirAll(d, 0o755); err != nil {
				b.Fatal(err)
			}
			for k := range 20 {
				if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("note%02d.md", k)), nil, 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	return dir
}

// BenchmarkWalk lists 10,000 notes in 525 folders: our walk (symlinks
// followed, each real folder once, file types checked) against
// filepath.WalkDir, the walk it replaced.
func BenchmarkWalk(b *testing.B) {
	dir := notesTree(b)
	b.Run("walker", func(b *testing.B) {
		for b.Loop() {
			w := newWalker(context.Background(), &Options{})
			if n := len(w.list(dir)); n != 10000 || len(w.errs) > 0 {
				b.Fatalf("%d files, %v", n, w.errs)
			}
		}
	})
	b.Run("WalkDir", func(b *testing.B) {
		for b.Loop() {
			n := 0
			filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					n++
				}
				return nil
			})
			if n != 10000 {
				b.Fatalf("%d files", n)
			}
		}
	})
}

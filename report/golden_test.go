package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites the file
// when -update is given.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./report/ -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file %s (run go test ./report/ -update and review the diff)\ngot:\n%s", name, path, got)
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		render func(*bytes.Buffer, *Data) error
		modify func(*Data)
	}{
		{"report.json", func(b *bytes.Buffer, d *Data) error { return writeJSON(b, d) }, nil},
		{"report.md", func(b *bytes.Buffer, d *Data) error { return writeMarkdown(b, d) }, nil},
		{"junit.xml", func(b *bytes.Buffer, d *Data) error { return writeJUnit(b, d) }, nil},
		{"report.sarif", func(b *bytes.Buffer, d *Data) error { return writeSARIF(b, d) }, nil},
		{"github.txt", func(b *bytes.Buffer, d *Data) error { return GitHub(b, d) }, nil},
		{"text.txt", func(b *bytes.Buffer, d *Data) error { return Text(b, d, TextOptions{}) }, nil},
		{"text-verbose-color.txt", func(b *bytes.Buffer, d *Data) error { return Text(b, d, TextOptions{Color: true, Verbose: true}) }, nil},
		{"text-norun.txt", func(b *bytes.Buffer, d *Data) error { return Text(b, d, TextOptions{}) }, func(d *Data) { d.Run = nil; d.Runs = nil }},
		{"report-showgone.md", func(b *bytes.Buffer, d *Data) error { return writeMarkdown(b, d) }, func(d *Data) { d.ShowGone = true; d.RepoURL = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fixture()
			if tt.modify != nil {
				tt.modify(d)
			}
			var b bytes.Buffer
			if err := tt.render(&b, d); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.Bytes())
		})
	}
}

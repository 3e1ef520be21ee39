package crawler

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/linkvault/linkvault/internal/sharedtest"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
)

func TestCheckLocal(t *testing.T) {
	dir := sharedtest.WriteFiles(t, map[string]string{"notes/a.md": "x"})
	d := filepath.ToSlash(dir)
	tests := []struct {
		name   string
		link   linkvault.Link
		status linkvault.Status
		reason string
	}{
		{"file exists", linkvault.Link{URL: d + "/notes/a.md", Kind: linkvault.KindLocal}, linkvault.StatusOK, ""},
		{"directory exists", linkvault.Link{URL: d + "/notes", Kind: linkvault.KindLocal}, linkvault.StatusOK, ""},
		{"missing", linkvault.Link{URL: d + "/notes/说明.md", Kind: linkvault.KindLocal}, linkvault.StatusBroken, "file not found"},
		{"not local", linkvault.Link{URL: "https://a.example/", Kind: linkvault.KindWeb}, linkvault.StatusSkipped, "not a local link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckLocal(tt.link)
			if r.Status != tt.status || r.Reason != tt.reason || r.URL != tt.link.URL {
				t.Errorf("CheckLocal(%s) = %s %q (url %q), want %s %q", tt.link.URL, r.Status, r.Reason, r.URL, tt.status, tt.reason)
			}
		})
	}
}

// TestExtractLocalRoundTrip checks that a local link found by extract.Files
// names the file CheckLocal then finds.
func TestExtractLocalRoundTrip(t *testing.T) {
	dir := sharedtest.WriteFiles(t, map[string]string{"notes/a.md": "[b](b.txt) [gone](gone.md)", "notes/b.txt": ""})
	links, err := extract.Files(context.Background(), []string{filepath.Join(dir, "notes", "a.md")}, extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range links {
		got = append(got, filepath.Base(l.URL)+" "+string(CheckLocal(l).Status))
	}
	if want := []string{"b.txt ok", "gone.md broken"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

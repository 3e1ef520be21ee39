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

// TestCheckLocalFragments: fragments of links to local Markdown and HTML
// files are judged against their headings (GitHub's slugs, Chinese
// headings and duplicates) and anchors; a text file gets no verdict.
func TestCheckLocalFragments(t *testing.T) {
	dir := sharedtest.WriteFiles(t, map[string]string{
		"guide.md":  "# 快速开始\n\n## Install\n\n## 快速开始\n",
		"page.html": `<h2 id="intro">Intro</h2>`,
		"notes.txt": "# heading",
	})
	d := filepath.ToSlash(dir)
	link := func(name string, frags ...string) linkvault.Link {
		l := linkvault.Link{URL: d + "/" + name, Kind: linkvault.KindLocal}
		for _, f := range frags {
			l.Sources = append(l.Sources, linkvault.Source{File: "index.md", Line: 1, Column: 1, Fragment: f})
		}
		return l
	}
	tests := []struct {
		link linkvault.Link
		want []string
	}{
		{link("guide.md", "快速开始", "install", "快速开始-1", "%E5%BF%AB%E9%80%9F%E5%BC%80%E5%A7%8B"), nil},
		{link("guide.md", "快速入门", "install", "uninstall", "L3", "快速开始-2"), []string{"快速入门", "uninstall", "快速开始-2"}},
		{link("page.html", "intro", "outro"), []string{"outro"}},
		{link("notes.txt", "heading"), nil},
		{link("guide.md"), nil},
	}
	for _, tt := range tests {
		r := CheckLocal(tt.link)
		if r.Status != linkvault.StatusOK || !slices.Equal(r.MissingFragments, tt.want) {
			t.Errorf("CheckLocal(%s %v) = %s missing %q, want ok missing %q", tt.link.URL, tt.link.Sources, r, r.MissingFragments, tt.want)
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"testing"
)

func TestBlobURL(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"git@github.com:me/notes.git", "https://github.com/me/notes/blob/main/"},
		{"https://github.com/me/notes", "https://github.com/me/notes/blob/main/"},
		{"https://github.com/me/notes.git/", "https://github.com/me/notes/blob/main/"},
		{"ssh://git@github.com/me/notes.git", "https://github.com/me/notes/blob/main/"},
		{"https://gitlab.com/group/sub/notes.git", "https://gitlab.com/group/sub/notes/-/blob/main/"},
		{"https://git.example.com/me/notes.git", ""},
		{"/srv/git/notes.git", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := blobURL(tt.remote, "main"); got != tt.want {
			t.Errorf("blobURL(%q) = %q, want %q", tt.remote, got, tt.want)
		}
	}
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// init in a repository whose archive/ is taken, with a git remote, and
// in an empty folder: what it writes loads with the strict loader.
func TestInitPlan(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"archive/old.md":  "notes about the archive",
		"笔记/云原生.md":       "https://example.com",
		"site/index.html": "<a href=x>",
		".git/config":     "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:me/notes.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
		".git/HEAD":       "ref: refs/heads/trunk\n",
	})
	g := &globalOptions{stdout: os.Stdout, stderr: os.Stderr, Quiet: true}
	if err := runInit(g, InitOptions{}, root); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(filepath.Join(root, "config.yaml"))
	if err != nil {
		t.Fatalf("the config init wrote does not load: %v", err)
	}
	if want := []string{"archive", "site", "笔记"}; !slices.Equal(cfg.Notes, want) {
		t.Errorf("notes = %q, want %q", cfg.Notes, want)
	}
	if cfg.Archive.Dir != "linkvault-archive" || cfg.Report.Dir != "linkvault-report" {
		t.Errorf("archive.dir %q, report.dir %q, want linkvault-archive, linkvault-report", cfg.Archive.Dir, cfg.Report.Dir)
	}
	if want := "https://github.com/me/notes/blob/trunk/"; cfg.Report.RepoURL != want {
		t.Errorf("repo_url = %q, want %q", cfg.Report.RepoURL, want)
	}

	empty := t.TempDir()
	if err := runInit(g, InitOptions{}, empty); err != nil {
		t.Fatal(err)
	}
	cfg, err = LoadConfig(filepath.Join(empty, "config.yaml"))
	if err != nil {
		t.Fatalf("the config of an empty folder does not load: %v", err)
	}
	if len(cfg.Notes) != 0 || cfg.Archive.Dir != "archive" {
		t.Errorf("empty folder: notes %q, archive %q", cfg.Notes, cfg.Archive.Dir)
	}
}

func TestModuleVersion(t *testing.T) {
	info := func(v string, ok bool) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{Main: debug.Module{Version: v}}, ok }
	}
	tests := []struct {
		read func() (*debug.BuildInfo, bool)
		want string
	}{
		{info("v1.2.3", true), "v1.2.3"},
		{info("v0.0.0-20261202134500-9cd7cc7abcde", true), "v0.0.0-20261202134500-9cd7cc7abcde"},
		{info("(devel)", true), "dev"},
		{info("", true), "dev"},
		{info("v1.2.3", false), "dev"},
	}
	for _, tt := range tests {
		if got := moduleVersion("dev", tt.read); got != tt.want {
			t.Errorf("moduleVersion = %q, want %q", got, tt.want)
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/linkvault/linkvault"
)

const sha1 = "0123456789abcdef0123456789abcdef01234567"

func TestWebBlobURL(t *testing.T) {
	tests := []struct{ remote, ref, want string }{
		{"https://github.com/o/r.git", sha1, "https://github.com/o/r/blob/" + sha1 + "/"},
		{"https://github.com/o/r", "main", "https://github.com/o/r/blob/main/"},
		{"git@github.com:o/r.git", sha1, "https://github.com/o/r/blob/" + sha1 + "/"},
		{"ssh://git@github.com/o/r.git", sha1, "https://github.com/o/r/blob/" + sha1 + "/"},
		// A token in the remote never reaches the report.
		{"https://x-access-token:ghs_secret@github.com/o/r.git", "main", "https://github.com/o/r/blob/main/"},
		{"https://gitlab.com/group/sub/r.git", sha1, "https://gitlab.com/group/sub/r/-/blob/" + sha1 + "/"},
		{"git@gitlab.example.com:group/r.git", "feature/x", "https://gitlab.example.com/group/r/-/blob/feature/x/"},
		{"ssh://git@gitea.example.org:2222/o/r.git", sha1, "https://gitea.example.org/o/r/src/commit/" + sha1 + "/"},
		{"https://codeberg.org/o/r.git", "main", "https://codeberg.org/o/r/src/branch/main/"},
		{"http://git.internal/o/r", "main", "http://git.internal/o/r/blob/main/"},
		{"https://GitHub.com/o/r/", "main", "https://github.com/o/r/blob/main/"},
		{"/srv/git/r.git", "main", ""},
		{"file:///srv/git/r.git", "main", ""},
		{"../r.git", "main", ""},
		{"git@github.com:", "main", ""},
	}
	for _, tt := range tests {
		if got := webBlobURL(tt.remote, tt.ref); got != tt.want {
			t.Errorf("webBlobURL(%q, %q) = %q, want %q", tt.remote, tt.ref, got, tt.want)
		}
	}
}

// mkrepo makes a repository's .git at dir with the given remotes config
// and HEAD, and files name → content under .git.
func mkrepo(t *testing.T, dir, config, head string, files map[string]string) {
	t.Helper()
	files["config"] = config
	files["HEAD"] = head
	for name, content := range files {
		p := filepath.Join(dir, ".git", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const originConfig = `[core]
	bare = false
[remote "upstream"]
	url = https://github.com/up/r.git
[remote "origin"]
	url = git@github.com:o/notes.git
	fetch = +refs/heads/*:refs/remotes/origin/*
[branch "main"]
	remote = origin
`

func TestFindRepo(t *testing.T) {
	noEnv := func(string) string { return "" }
	cfgAt := func(dir string) *Config { c := DefaultConfig(); c.dir = dir; return c }

	t.Run("loose ref", func(t *testing.T) {
		root := t.TempDir()
		mkrepo(t, root, originConfig, "ref: refs/heads/main\n", map[string]string{"refs/heads/main": sha1 + "\n"})
		sub := filepath.Join(root, "docs", "notes")
		os.MkdirAll(sub, 0o755)
		got := findRepo(cfgAt(sub), noEnv)
		if want := (repoInfo{Root: root, URL: "https://github.com/o/notes/blob/" + sha1 + "/"}); got != want {
			t.Errorf("findRepo = %+v, want %+v", got, want)
		}
	})
	t.Run("packed ref", func(t *testing.T) {
		root := t.TempDir()
		mkrepo(t, root, originConfig, "ref: refs/heads/main\n", map[string]string{
			"packed-refs": "# pack-refs with: peeled fully-peeled sorted\n" + sha1 + " refs/heads/main\n"})
		if got := findRepo(cfgAt(root), noEnv).URL; got != "https://github.com/o/notes/blob/"+sha1+"/" {
			t.Errorf("URL = %q", got)
		}
	})
	t.Run("unborn branch", func(t *testing.T) {
		root := t.TempDir()
		mkrepo(t, root, originConfig, "ref: refs/heads/dev\n", map[string]string{})
		if got := findRepo(cfgAt(root), noEnv).URL; got != "https://github.com/o/notes/blob/dev/" {
			t.Errorf("URL = %q", got)
		}
	})
	t.Run("worktree", func(t *testing.T) {
		main := t.TempDir()
		mkrepo(t, main, "[remote \"origin\"]\n\turl = https://gitlab.com/g/notes.git\n", "ref: refs/heads/main\n",
			map[string]string{"refs/heads/wt": sha1 + "\n", "worktrees/wt/HEAD": "ref: refs/heads/wt\n", "worktrees/wt/commondir": "../..\n"})
		wt := t.TempDir()
		os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: "+filepath.Join(main, ".git", "worktrees", "wt")+"\n"), 0o644)
		got := findRepo(cfgAt(wt), noEnv)
		if want := (repoInfo{Root: wt, URL: "https://gitlab.com/g/notes/-/blob/" + sha1 + "/"}); got != want {
			t.Errorf("findRepo = %+v, want %+v", got, want)
		}
	})
	t.Run("no remote", func(t *testing.T) {
		root := t.TempDir()
		mkrepo(t, root, "[core]\n\tbare = false\n", "ref: refs/heads/main\n", map[string]string{"refs/heads/main": sha1})
		if got := findRepo(cfgAt(root), noEnv); got != (repoInfo{Root: root}) {
			t.Errorf("findRepo = %+v, want the root and no URL", got)
		}
	})
	t.Run("no repository", func(t *testing.T) {
		dir := t.TempDir()
		if got := findRepo(cfgAt(dir), noEnv); got != (repoInfo{Root: dir}) {
			t.Errorf("findRepo = %+v, want the config's directory", got)
		}
	})
	t.Run("repo_url wins", func(t *testing.T) {
		root := t.TempDir()
		mkrepo(t, root, originConfig, "ref: refs/heads/main\n", map[string]string{"refs/heads/main": sha1})
		cfg := cfgAt(root)
		cfg.Report.RepoURL = "https://example.com/browse/"
		if got := findRepo(cfg, noEnv).URL; got != "https://example.com/browse/" {
			t.Errorf("URL = %q", got)
		}
	})
	t.Run("github actions", func(t *testing.T) {
		root := t.TempDir()
		mkrepo(t, root, originConfig, "ref: refs/heads/main\n", map[string]string{"refs/heads/main": sha1})
		env := map[string]string{
			"GITHUB_SERVER_URL": "https://github.example.com", "GITHUB_REPOSITORY": "acme/kb",
			"GITHUB_SHA": "fedcba9876543210fedcba9876543210fedcba98", "GITHUB_WORKSPACE": root,
		}
		got := findRepo(cfgAt(filepath.Join(root)), func(k string) string { return env[k] })
		if want := (repoInfo{Root: root, URL: "https://github.example.com/acme/kb/blob/fedcba9876543210fedcba9876543210fedcba98/"}); got != want {
			t.Errorf("findRepo = %+v, want %+v", got, want)
		}
		// Notes checked out elsewhere than the workflow's repository: their
		// own remote.
		env["GITHUB_WORKSPACE"] = t.TempDir()
		if got := findRepo(cfgAt(root), func(k string) string { return env[k] }).URL; got != "https://github.com/o/notes/blob/"+sha1+"/" {
			t.Errorf("URL for notes outside the workspace = %q", got)
		}
		// No .git (a tarball checkout): the workspace is the root.
		ws := t.TempDir()
		env["GITHUB_WORKSPACE"] = ws
		sub := filepath.Join(ws, "kb")
		os.MkdirAll(sub, 0o755)
		if got, want := findRepo(cfgAt(sub), func(k string) string { return env[k] }), (repoInfo{Root: ws, URL: "https://github.example.com/acme/kb/blob/fedcba9876543210fedcba9876543210fedcba98/"}); got != want {
			t.Errorf("findRepo without .git = %+v, want %+v", got, want)
		}
	})
}

func TestRelativeSources(t *testing.T) {
	root := t.TempDir()
	wd := filepath.Join(root, "sub")
	other := t.TempDir()
	os.MkdirAll(filepath.Join(wd, "notes"), 0o755)
	os.WriteFile(filepath.Join(wd, "notes", "a.md"), nil, 0o644)
	os.MkdirAll(filepath.Join(root, "cfgnotes"), 0o755)
	os.WriteFile(filepath.Join(root, "cfgnotes", "c.md"), nil, 0o644)
	in := []linkvault.Source{
		{File: filepath.ToSlash(filepath.Join(root, "docs", "x.md")), Line: 1}, // absolute, inside
		{File: "notes/a.md", Line: 2},                                          // relative to the working directory
		{File: "cfgnotes/c.md", Line: 3},                                       // only under the config's directory
		{File: filepath.ToSlash(filepath.Join(other, "y.md")), Line: 4},        // outside
		{File: "", Line: 5},
	}
	got := relativeSources(in, root, wd, root)
	want := []string{"docs/x.md", "sub/notes/a.md", "cfgnotes/c.md", filepath.ToSlash(filepath.Join(other, "y.md")), ""}
	for i := range want {
		if got[i].File != want[i] || got[i].Line != in[i].Line {
			t.Errorf("source %d: %+v, want file %q", i, got[i], want[i])
		}
	}
	if in[1].File != "notes/a.md" {
		t.Errorf("relativeSources changed its input: %q", in[1].File)
	}
}

// TestSourcePathsShared: the reports of a big corpus show each note's path
// as one string, however many links the note has (40,000 links of 411
// notes held 5.5 MB of copies, issue 13).
func TestSourcePathsShared(t *testing.T) {
	root := t.TempDir()
	p := newSourcePaths(root, root, root)
	note := filepath.ToSlash(filepath.Join(root, "notes", "周报-1.md"))
	a := p.relative([]linkvault.Source{{File: note, Line: 1}})
	b := p.relative([]linkvault.Source{{File: note, Line: 9}})
	if a[0].File != "notes/周报-1.md" || b[0].File != a[0].File || b[0].Line != 9 {
		t.Fatalf("sources %+v and %+v, want notes/周报-1.md at lines 1 and 9", a, b)
	}
	if unsafe.StringData(a[0].File) != unsafe.StringData(b[0].File) {
		t.Errorf("two links of one note have two copies of its path")
	}
}

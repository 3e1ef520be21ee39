package main

import (
	"bufio"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/linkvault/linkvault"
)

// repoInfo is where the notes live, for the paths and links of reports.
type repoInfo struct {
	// Root is the absolute directory that report paths are relative to: the
	// top level of the git repository holding the config, else the config's
	// directory.
	Root string
	// URL is the base URL that a path relative to Root is appended to in
	// order to link a file of the repository ("https://host/o/r/blob/REF/"),
	// "" when it is not known.
	URL string
}

// findRepo finds the repository of the notes, starting at the config's
// directory. The base URL of file links is report.repo_url when set;
// otherwise, under GitHub Actions (GITHUB_SERVER_URL, GITHUB_REPOSITORY,
// GITHUB_SHA, for the repository checked out at GITHUB_WORKSPACE), the
// commit being built; otherwise the commit checked out, on the web host of
// the remote "origin" (or the only remote) in .git/config. The repository
// is read from its files: git is not run.
func findRepo(cfg *Config, getenv func(string) string) repoInfo {
	start := cfg.dir
	if start == "" {
		start, _ = os.Getwd()
	}
	info := repoInfo{Root: start}
	top, gitDir := gitTopLevel(start)
	if top != "" {
		info.Root = top
	}
	if cfg.Report.RepoURL != "" {
		info.URL = cfg.Report.RepoURL
		return info
	}
	server, repo, sha := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_SHA")
	if ws := getenv("GITHUB_WORKSPACE"); server != "" && repo != "" && sha != "" && (ws == "" || top == "" && within(ws, start) || sameDir(ws, top)) {
		if top == "" && ws != "" {
			info.Root = filepath.Clean(ws)
		}
		info.URL = strings.TrimSuffix(server, "/") + "/" + repo + "/blob/" + sha + "/"
		return info
	}
	if gitDir != "" {
		info.URL = gitWebURL(gitDir)
	}
	return info
}

// gitTopLevel walks up from dir to the first directory holding .git, and
// returns it with its git directory (.git, or the directory a .git file
// of a worktree or submodule points to). Both are "" when there is none.
func gitTopLevel(dir string) (top, gitDir string) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", ""
	}
	for {
		p := filepath.Join(dir, ".git")
		if fi, err := os.Stat(p); err == nil {
			if fi.IsDir() {
				return dir, p
			}
			if b, err := os.ReadFile(p); err == nil {
				if g, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:"); ok {
					g = strings.TrimSpace(g)
					if !filepath.IsAbs(g) {
						g = filepath.Join(dir, g)
					}
					return dir, g
				}
			}
			return dir, ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ""
		}
		dir = parent
	}
}

// gitWebURL is the base URL of the files of the commit checked out in
// gitDir, on the web host of its remote; "" when it cannot be told.
func gitWebURL(gitDir string) string {
	common := gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		common = c
	}
	remote := gitRemote(filepath.Join(common, "config"))
	if remote == "" {
		return ""
	}
	ref := gitHead(gitDir, common)
	if ref == "" {
		return ""
	}
	return webBlobURL(remote, ref)
}

// gitRemote reads the URL of the remote "origin", or of the only remote,
// from a git config file.
func gitRemote(configFile string) string {
	f, err := os.Open(configFile)
	if err != nil {
		return ""
	}
	defer f.Close()
	remotes := map[string]string{}
	var order []string
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			section = ""
			// [remote "origin"]
			if name, ok := strings.CutPrefix(strings.TrimSuffix(line, "]"), "[remote "); ok {
				section = strings.Trim(strings.TrimSpace(name), `"`)
			}
		case section != "":
			k, v, ok := strings.Cut(line, "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "url") {
				if _, seen := remotes[section]; !seen {
					order = append(order, section)
				}
				remotes[section] = strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
	}
	if u, ok := remotes["origin"]; ok {
		return u
	}
	if len(order) == 1 {
		return remotes[order[0]]
	}
	return ""
}

// gitHead is the commit checked out in gitDir (HEAD, a loose ref or a
// packed ref in common), or the branch name when its commit cannot be
// read; "" when HEAD cannot be read.
func gitHead(gitDir, common string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	head := strings.TrimSpace(string(b))
	ref, ok := strings.CutPrefix(head, "ref:")
	if !ok {
		if isHex(head) {
			return head
		}
		return ""
	}
	ref = strings.TrimSpace(ref)
	if strings.Contains(ref, "..") {
		return ""
	}
	for _, dir := range []string{gitDir, common} {
		if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ref))); err == nil {
			if sha := strings.TrimSpace(string(b)); isHex(sha) {
				return sha
			}
		}
	}
	if f, err := os.Open(filepath.Join(common, "packed-refs")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if sha, name, ok := strings.Cut(sc.Text(), " "); ok && name == ref && isHex(sha) {
				return sha
			}
		}
	}
	return strings.TrimPrefix(ref, "refs/heads/")
}

func isHex(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// webBlobURL turns a git remote (https://host/o/r.git, git@host:o/r.git,
// ssh://git@host:port/o/r.git) and a commit or branch into the base URL of
// the files at it: /blob/REF/ on GitHub and unknown hosts, /-/blob/REF/ on
// GitLab, /src/commit/REF/ (or /src/branch/REF/) on Gitea, Forgejo and
// Codeberg. User names, passwords and ports of the remote are left out;
// "" for a remote that is not on a web host (a local path, file://).
func webBlobURL(remote, ref string) string {
	var host, p string
	scheme := "https"
	switch {
	case strings.Contains(remote, "://"):
		u, err := url.Parse(remote)
		if err != nil || u.Hostname() == "" {
			return ""
		}
		switch u.Scheme {
		case "http", "https":
			scheme = u.Scheme
		case "ssh", "git", "git+ssh", "ssh+git":
		default:
			return ""
		}
		host, p = u.Hostname(), u.Path
	default: // scp-like: [user@]host:path
		before, after, ok := strings.Cut(remote, ":")
		if !ok || strings.Contains(before, "/") || after == "" {
			return ""
		}
		host, p = before[strings.LastIndex(before, "@")+1:], after
	}
	p = strings.Trim(strings.TrimSuffix(strings.Trim(p, "/"), ".git"), "/")
	if host == "" || p == "" || strings.Contains(p, "..") {
		return ""
	}
	base := scheme + "://" + strings.ToLower(host) + "/" + p
	h := strings.ToLower(host)
	commit := isHex(ref)
	esc := escapeRef(ref)
	switch {
	case strings.Contains(h, "gitlab"):
		return base + "/-/blob/" + esc + "/"
	case strings.Contains(h, "gitea") || strings.Contains(h, "forgejo") || h == "codeberg.org":
		if commit {
			return base + "/src/commit/" + esc + "/"
		}
		return base + "/src/branch/" + esc + "/"
	}
	return base + "/blob/" + esc + "/"
}

func escapeRef(ref string) string {
	parts := strings.Split(ref, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// within reports whether p is dir or below it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// relativeSources rewrites the file of every source of the entries'
// records to a slash-separated path relative to root when the file is
// inside it, and to an absolute path otherwise. A relative file is taken
// as check wrote it: relative to the working directory (or, when nothing
// is there, to the config's directory).
func relativeSources(sources []linkvault.Source, root, wd, cfgDir string) []linkvault.Source {
	return newSourcePaths(root, wd, cfgDir).relative(sources)
}

// sourcePaths is relativeSources for many records: each file is looked at
// once, and its path is one string however many links it has.
type sourcePaths struct {
	root, wd, cfgDir string
	seen             map[string]string // File as stored → as shown
}

func newSourcePaths(root, wd, cfgDir string) *sourcePaths {
	return &sourcePaths{root: root, wd: wd, cfgDir: cfgDir, seen: make(map[string]string)}
}

func (p *sourcePaths) relative(sources []linkvault.Source) []linkvault.Source {
	out := make([]linkvault.Source, len(sources))
	for i, s := range sources {
		out[i] = s
		if s.File == "" || isSiteURL(s.File) { // a page of a crawled site: its URL
			continue
		}
		f, ok := p.seen[s.File]
		if !ok {
			f = relativePath(s.File, p.root, p.wd, p.cfgDir)
			p.seen[s.File] = f
		}
		out[i].File = f
	}
	return out
}

// relativePath is the path of the note file as shown (see
// relativeSources).
func relativePath(file, root, wd, cfgDir string) string {
	abs := filepath.FromSlash(file)
	if !filepath.IsAbs(abs) {
		cand := filepath.Join(wd, abs)
		if _, err := os.Stat(cand); err != nil && cfgDir != "" {
			if _, err := os.Stat(filepath.Join(cfgDir, abs)); err == nil {
				cand = filepath.Join(cfgDir, abs)
			}
		}
		abs = cand
	}
	if within(root, abs) {
		if rel, err := filepath.Rel(root, abs); err == nil {
			return path.Clean(filepath.ToSlash(rel))
		}
	}
	return filepath.ToSlash(filepath.Clean(abs))
}

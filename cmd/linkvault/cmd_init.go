package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/linkvault/linkvault"
)

// InitOptions are the flags of `linkvault init`.
type InitOptions struct {
	Force bool
}

func newInitCommand(g *globalOptions) *cobra.Command {
	var opts InitOptions
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented config.yaml for the notes of a repository",
		Long: `Write a commented config.yaml for the notes in DIR (default: the current
directory), or into the file of --config.

init looks for the notes: folders holding Markdown, text and HTML files
(hidden folders, node_modules and vendor skipped), and the note files at the
top. A folder of notes only is listed as it is; a folder that also holds other
files (code) is listed as globs of its note types ("src/**/*.md"), so that
its code is not read as notes. It picks the WARC archive folder (archive,
unless a folder of that name holds something else) and the HTML report
folder, and takes report.repo_url from the GitHub or GitLab remote "origin".

An existing config is never overwritten without --force. The file written is
valid for the strict config loader; edit it, then run 'linkvault check'.`,
		Example: `  linkvault init                 # ./config.yaml for the notes under .
  linkvault init ~/notes         # ~/notes/config.yaml
  linkvault --config ci/linkvault.yaml init --force`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			return runInit(g, opts, dir)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing config")
	return cmd
}

// initPlan is what init found in a repository.
type initPlan struct {
	Notes      []string // notes: entries, relative to the config's folder
	ArchiveDir string
	ReportDir  string
	RepoURL    string // "" when unknown
}

func runInit(g *globalOptions, opts InitOptions, dir string) error {
	path := g.ConfigFile
	switch {
	case path != "" && dir != "":
		return &exitError{code: exitUsage, err: errors.New("init: give DIR or --config, not both")}
	case path == "":
		path = filepath.Join(dir, "config.yaml")
	}
	root := filepath.Dir(path)
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return linkvault.Errorf(linkvault.EInvalid, "init: %s is not a directory", root)
	}
	if _, err := os.Stat(path); err == nil && !opts.Force {
		return &exitError{code: exitUsage, err: fmt.Errorf("init: %s already exists: not overwritten (use --force to replace it)", path)}
	}
	plan, err := planInit(root, filepath.Base(path))
	if err != nil {
		return err
	}
	text := renderInit(plan)
	// What init writes must load: check before writing anything.
	if _, err := ParseConfig(path, []byte(text)); err != nil {
		return fmt.Errorf("init: internal error: the config written would not load: %w", err)
	}
	if opts.Force {
		err = writeOutput(path, func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
	} else {
		err = writeNew(path, text)
	}
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &exitError{code: exitUsage, err: fmt.Errorf("init: %s already exists: not overwritten (use --force to replace it)", path)}
		}
		return fmt.Errorf("init: %w", err)
	}
	if !g.Quiet {
		notes := strings.Join(plan.Notes, ", ")
		if len(plan.Notes) == 0 {
			notes = "none found: edit notes:"
		}
		fmt.Fprintf(g.stderr, "linkvault: wrote %s\n  notes:   %s\n  archive: %s/ and the database linkvault.db (keep both between runs: cache them in CI)\n  report:  %s/\nnext: linkvault check\n",
			path, notes, plan.ArchiveDir, plan.ReportDir)
	}
	return nil
}

// writeNew creates name with text, failing with fs.ErrExist when it
// exists: never a silent overwrite, even in a race.
func writeNew(name, text string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

// noteExts are the file types init takes for notes.
var noteExts = []string{".md", ".markdown", ".mdx", ".txt", ".html", ".htm"}

// assetExts are files commonly kept beside notes: they do not make a
// folder a code folder.
var assetExts = []string{".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf", ".ico"}

// planInit looks at the top of root for notes, and picks the archive and
// report folders.
func planInit(root, configName string) (initPlan, error) {
	p := initPlan{
		ArchiveDir: freeDir(root, "archive", "linkvault-archive", isWARCDir),
		ReportDir:  freeDir(root, "linkvault-report", "linkvault-html", isReportDir),
		RepoURL:    repoURL(root),
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return p, linkvault.Errorf(linkvault.EInvalid, "init: %w", pathError(err))
	}
	var topExts []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."), name == "node_modules", name == "vendor",
			name == p.ArchiveDir, name == p.ReportDir, name == configName:
			continue
		case e.IsDir():
			exts, mixed := scanNotes(filepath.Join(root, name))
			switch {
			case len(exts) == 0:
			case !mixed:
				p.Notes = append(p.Notes, name)
			default:
				for _, ext := range exts {
					p.Notes = append(p.Notes, name+"/**/*"+ext)
				}
			}
		case slices.Contains(noteExts, strings.ToLower(filepath.Ext(name))):
			ext := filepath.Ext(name)
			if !slices.Contains(topExts, ext) {
				topExts = append(topExts, ext)
			}
		}
	}
	slices.Sort(topExts)
	for i, ext := range topExts {
		topExts[i] = "*" + ext
	}
	p.Notes = append(topExts, p.Notes...)
	return p, nil
}

// scanNotes returns the note extensions found under dir, and whether it
// also holds other files (besides images and PDFs).
func scanNotes(dir string) (exts []string, mixed bool) {
	filepath.WalkDir(dir, func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if f != dir && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor") {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") {
			return nil
		}
		ext := filepath.Ext(name)
		switch {
		case slices.Contains(noteExts, strings.ToLower(ext)):
			if !slices.Contains(exts, ext) {
				exts = append(exts, ext)
			}
		case !slices.Contains(assetExts, strings.ToLower(ext)):
			mixed = true
		}
		return nil
	})
	slices.Sort(exts)
	return exts, mixed
}

// freeDir returns name unless root/name exists and is not ours (owned
// tells), in which case alt.
func freeDir(root, name, alt string, owned func(string) bool) string {
	fi, err := os.Stat(filepath.Join(root, name))
	if err != nil || fi.IsDir() && owned(filepath.Join(root, name)) {
		return name
	}
	return alt
}

// isWARCDir reports whether dir holds nothing but WARC files.
func isWARCDir(dir string) bool {
	return onlyFiles(dir, func(name string) bool {
		return strings.Contains(name, ".warc") // x.warc.gz, x.warc.gz.open
	})
}

// isReportDir reports whether dir looks like a linkvault HTML report.
func isReportDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "index.html"))
	return err == nil
}

func onlyFiles(dir string, ok func(name string) bool) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() || !ok(e.Name()) {
			return false
		}
	}
	return true
}

// repoURL returns the base URL for file links on GitHub or GitLab, from
// the remote "origin" and the current branch of root/.git, or "".
func repoURL(root string) string {
	cfg, err := os.Open(filepath.Join(root, ".git", "config"))
	if err != nil {
		return ""
	}
	defer cfg.Close()
	var remote string
	inOrigin := false
	sc := bufio.NewScanner(cfg)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			inOrigin = line == `[remote "origin"]`
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && inOrigin && strings.TrimSpace(k) == "url" {
			remote = strings.TrimSpace(v)
		}
	}
	head, err := os.ReadFile(filepath.Join(root, ".git", "HEAD"))
	branch, isRef := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: refs/heads/")
	if err != nil || !isRef {
		branch = "main"
	}
	return blobURL(remote, branch)
}

// blobURL turns a git remote of github.com or gitlab.com into the URL
// of its files on branch.
func blobURL(remote, branch string) string {
	r := strings.TrimSuffix(strings.TrimSuffix(remote, "/"), ".git")
	var host, repo string
	switch {
	case strings.HasPrefix(r, "git@"): // git@github.com:owner/repo
		h, path, ok := strings.Cut(strings.TrimPrefix(r, "git@"), ":")
		if !ok {
			return ""
		}
		host, repo = h, path
	default: // https://github.com/owner/repo, ssh://git@github.com/owner/repo
		_, rest, ok := strings.Cut(r, "://")
		if !ok {
			return ""
		}
		if _, after, hasUser := strings.Cut(rest, "@"); hasUser {
			rest = after
		}
		h, path, ok := strings.Cut(rest, "/")
		if !ok {
			return ""
		}
		host, repo = h, path
	}
	if strings.Count(repo, "/") < 1 || strings.ContainsAny(repo, " \"'") {
		return ""
	}
	switch strings.ToLower(host) {
	case "github.com":
		return "https://github.com/" + repo + "/blob/" + branch + "/"
	case "gitlab.com":
		return "https://gitlab.com/" + repo + "/-/blob/" + branch + "/"
	}
	return ""
}

// renderInit writes the commented config of a plan.
func renderInit(p initPlan) string {
	var b strings.Builder
	b.WriteString(`# linkvault configuration, written by "linkvault init". Every key is
# optional: a key left out takes its default. The reference of every key is
# the config.yaml of linkvault's repository:
# https://github.com/linkvault/linkvault/blob/main/config.yaml
# Paths are relative to this file. Any key can also be set in the
# environment as LINKVAULT_<KEY> (LINKVAULT_CHECK_RATE=5,
# LINKVAULT_POLICY_FAIL_ON=new); precedence: flag > environment > this file.

# Notes to read: files, folders (read recursively, hidden folders skipped)
# or globs ("**" matches any depth). Found by linkvault init.
`)
	if len(p.Notes) == 0 {
		b.WriteString("# No notes were found: list your folders of notes here.\nnotes: []\n")
	} else {
		b.WriteString("notes:\n")
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "  - %s\n", yamlString(n))
		}
	}
	fmt.Fprintf(&b, `
# Regular expressions (RE2) of URLs never fetched, reported as skipped.
exclude: []
#  - ^https?://localhost

# The database that remembers every run. Keep it, and archive.dir, between
# runs (in CI: cache both, even when the run fails): without it every run
# is the first, and no link is ever called dead, only failing.
db: linkvault.db

check:
  # Requests per second per host (github.com gets 1 by default), and in
  # flight over all hosts.
  rate: 2
  concurrency: 64
  # Status codes counted as ok (default 2xx and 3xx), like --accept:
  # accept: 200..299,403

policy:
  # When "linkvault check" exits 1: dead (a referenced URL is dead: after
  # 2 bad runs spanning 20h), new (a URL died in this run), broken (any bad
  # check in this run), never.
  fail_on: dead

archive:
  # Snapshot pages and PDFs that answer ok into WARC files, so that they
  # can be read back ("linkvault get URL") after they vanish.
  enabled: true
  dir: %s

report:
  # The HTML health report, written on every check.
  dir: %s
`, yamlString(p.ArchiveDir), yamlString(p.ReportDir))
	if p.RepoURL != "" {
		fmt.Fprintf(&b, "  # Links from file:line into the repository.\n  repo_url: %s\n", yamlString(p.RepoURL))
	} else {
		b.WriteString("  # Links from file:line into the repository, like\n  # https://github.com/OWNER/REPO/blob/main/\n  repo_url: \"\"\n")
	}
	return b.String()
}

// yamlString quotes s for YAML when it needs it.
func yamlString(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSuffix(string(out), "\n")
}

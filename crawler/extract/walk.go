package extract

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
)

// skipDir reports whether a directory met while walking is skipped:
// hidden directories, node_modules and vendor.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") && name != "." && name != ".." || name == "node_modules" || name == "vendor"
}

// walker lists the notes of one Files call. Each real directory is
// visited once, however many paths or symbolic links lead to it, so that
// a symlink loop ends and a folder linked twice is read once.
type walker struct {
	ctx     context.Context
	opts    *Options
	visited map[string]bool // real (symlink-free) paths of the directories walked
	errs    []error
}

func newWalker(ctx context.Context, opts *Options) *walker {
	return &walker{ctx: ctx, opts: opts, visited: make(map[string]bool)}
}

// excluded reports whether Options.ExcludePaths rules name out: a
// slash-separated path, with a trailing slash for a directory.
func (w *walker) excluded(name string, dir bool) bool {
	if len(w.opts.ExcludePaths) == 0 {
		return false
	}
	name = filepath.ToSlash(name)
	if dir && !strings.HasSuffix(name, "/") {
		name += "/"
	}
	return slices.ContainsFunc(w.opts.ExcludePaths, func(re *regexp.Regexp) bool { return re.MatchString(name) })
}

// list returns p itself if it is a regular file, or the regular files
// under it, walked depth first in lexical order, if it is a directory.
// Below p, hidden files and directories, node_modules and vendor are
// skipped (p itself is taken as given), symbolic links are followed, and
// anything that is neither a regular file nor a directory (a named pipe,
// a socket, a device) is skipped with a warning: reading it could block
// forever. Paths matching Options.ExcludePaths are skipped
// silently. Errors are collected in w.errs; list stops early, returning
// what it found, when w.ctx ends.
func (w *walker) list(p string) []string {
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		w.errs = append(w.errs, pathError(p, err))
		return nil
	case w.excluded(p, fi.IsDir()):
		return nil
	case fi.IsDir():
		var files []string
		w.dir(p, realPath(p), &files)
		return files
	case !fi.Mode().IsRegular():
		w.opts.warn(filepath.ToSlash(p), notRegular(fi.Mode()))
		return nil
	}
	return []string{p}
}

// realPath returns the absolute, symlink-free path of p ("" when it
// cannot be found).
func realPath(p string) string {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return ""
	}
	if abs, err := filepath.Abs(real); err == nil {
		return abs
	}
	return real
}

// dir appends the regular files under the directory d, whose real path is
// real, to files. The real path of a subdirectory is real joined with its
// name, unless it was reached through a symbolic link: only roots and
// links are resolved (filepath.EvalSymlinks costs a system call per path
// element).
func (w *walker) dir(d, real string, files *[]string) {
	if real != "" {
		if w.visited[real] {
			return
		}
		w.visited[real] = true
	}
	entries, err := os.ReadDir(d) // sorted by name
	if err != nil {
		w.errs = append(w.errs, pathError(d, err))
		// ReadDir returns the entries read before the error: go on.
	}
	for _, e := range entries {
		if w.ctx.Err() != nil {
			return
		}
		name := e.Name()
		f := filepath.Join(d, name)
		if strings.HasPrefix(name, ".") {
			continue
		}
		mode := e.Type()
		link := mode&fs.ModeSymlink != 0
		if link {
			fi, err := os.Stat(f)
			if err != nil {
				w.errs = append(w.errs, pathError(f, err))
				continue
			}
			mode = fi.Mode().Type()
		}
		switch {
		case mode.IsDir():
			if skipDir(name) || w.excluded(f, true) {
				continue
			}
			sub := ""
			switch {
			case link:
				sub = realPath(f)
			case real != "":
				sub = filepath.Join(real, name)
			}
			w.dir(f, sub, files)
		case w.excluded(f, false):
		case mode.IsRegular():
			*files = append(*files, f)
		default:
			w.opts.warn(filepath.ToSlash(f), notRegular(mode))
		}
	}
}

// notRegular is the warning for a file that is not read.
func notRegular(mode fs.FileMode) string {
	kind := "not a regular file"
	switch {
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	case mode&fs.ModeCharDevice != 0:
		kind = "a character device"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	}
	return "skipped: " + kind + ", not a regular file"
}

// notRegularError is returned by openNote for a file that is not a
// regular file once opened (it was replaced after the walk listed it).
// Its message is the warning.
type notRegularError struct{ mode fs.FileMode }

func (e *notRegularError) Error() string { return notRegular(e.mode) }

// openNote opens a note for reading without blocking, even if it has
// become a named pipe since it was listed, and checks that what it opened
// is a regular file.
func openNote(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &notRegularError{fi.Mode()}
	}
	return f, nil
}

// ExpandNotes turns the `notes:` entries of the configuration into paths.
// Each entry is a path or a glob, relative to baseDir unless absolute. A
// glob uses path.Match syntax per path element, and "**" as a whole
// element matches any number of directories (hidden directories,
// node_modules and vendor excepted). Plain paths are returned as they are,
// whether they exist or not (Files reports missing ones); a glob that
// matches nothing, or a malformed glob, is an error. The result keeps the
// order of the entries, each glob's matches sorted, without duplicates.
func ExpandNotes(baseDir string, patterns []string) ([]string, error) {
	var (
		out  []string
		seen = make(map[string]bool)
		errs []error
	)
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, pat := range patterns {
		full := pat
		if !filepath.IsAbs(full) {
			full = filepath.Join(baseDir, pat)
		}
		if !strings.ContainsAny(pat, "*?[") {
			add(filepath.Clean(full))
			continue
		}
		matches, err := glob(full)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("crawler: notes %q: %w", pat, err))
		case len(matches) == 0:
			errs = append(errs, fmt.Errorf("crawler: notes %q: no file matches", pat))
		}
		for _, m := range matches {
			add(m)
		}
	}
	return out, errors.Join(errs...)
}

// glob expands a pattern with "**" support.
func glob(pattern string) ([]string, error) {
	slashed := filepath.ToSlash(pattern)
	elems := strings.Split(slashed, "/")
	// The longest leading run of elements without metacharacters is the
	// directory to start from.
	k := 0
	for k < len(elems) && !strings.ContainsAny(elems[k], "*?[") {
		k++
	}
	root := strings.Join(elems[:k], "/")
	switch {
	case root == "" && k > 0: // absolute pattern
		root = "/"
	case root == "":
		root = "."
	}
	rest := elems[k:]
	for _, e := range rest {
		if e != "**" {
			if _, err := path.Match(e, ""); err != nil {
				return nil, err
			}
		}
	}
	var out []string
	err := filepath.WalkDir(filepath.FromSlash(root), func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			if f == filepath.FromSlash(root) {
				return fs.SkipAll // nothing matches under a missing root
			}
			return nil
		}
		rel, rerr := filepath.Rel(filepath.FromSlash(root), f)
		if rerr != nil || rel == "." {
			return nil
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if d.IsDir() && skipDir(d.Name()) && !slices.Contains(rest, d.Name()) {
			return fs.SkipDir
		}
		if matchElems(rest, parts) {
			out = append(out, f)
		}
		if d.IsDir() && !canMatchBelow(rest, parts) {
			return fs.SkipDir
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// matchElems matches path elements against pattern elements, "**"
// standing for zero or more elements.
func matchElems(pat, parts []string) bool {
	if len(pat) == 0 {
		return len(parts) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(parts); i++ {
			if matchElems(pat[1:], parts[i:]) {
				return true
			}
		}
		return false
	}
	if len(parts) == 0 {
		return false
	}
	ok, _ := path.Match(pat[0], parts[0])
	return ok && matchElems(pat[1:], parts[1:])
}

// canMatchBelow reports whether some path below the directory parts could
// still match the pattern.
func canMatchBelow(pat, parts []string) bool {
	for i, p := range parts {
		if i >= len(pat) {
			return false
		}
		if pat[i] == "**" {
			return true
		}
		if ok, _ := path.Match(pat[i], p); !ok {
			return false
		}
	}
	return len(pat) > len(parts)
}

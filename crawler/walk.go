package crawler

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// skipDir reports whether a directory met while walking is skipped:
// hidden directories, node_modules and vendor.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") && name != "." && name != ".." || name == "node_modules" || name == "vendor"
}

// listFiles returns p itself if it is a file, or the files under it,
// walked in lexical order, if it is a directory. Hidden files and
// directories, node_modules and vendor are skipped below p (p itself is
// taken as given).
func listFiles(p string) ([]string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, pathError(p, err)
	}
	if !fi.IsDir() {
		return []string{p}, nil
	}
	var files []string
	var errs []error
	err = filepath.WalkDir(p, func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, pathError(f, err))
			if d != nil && d.IsDir() && f != p {
				return fs.SkipDir
			}
			return nil
		}
		if f == p {
			return nil
		}
		if d.IsDir() {
			if skipDir(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		errs = append(errs, pathError(p, err))
	}
	return files, errors.Join(errs...)
}

// ExpandNotes turns the `notes:` entries of the configuration into paths.
// Each entry is a path or a glob, relative to baseDir unless absolute. A
// glob uses path.Match syntax per path element, and "**" as a whole
// element matches any number of directories (hidden directories,
// node_modules and vendor excepted). Plain paths are returned as they are,
// whether they exist or not (Extract reports missing ones); a glob that
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

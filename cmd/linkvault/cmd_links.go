package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
)

// LinksOptions are the flags of `linkvault links`.
type LinksOptions struct {
	Format       string
	IncludeCode  bool
	ExcludePaths []string
}

func newLinksCommand(g *globalOptions) *cobra.Command {
	var opts LinksOptions
	cmd := &cobra.Command{
		Use:   "links [PATH...]",
		Short: "List every URL in the notes with file:line",
		Long: `List every URL found in the notes, without checking anything.

PATHs are files or directories (searched recursively, following symbolic
links, skipping hidden files and directories, node_modules, vendor and the
paths of --exclude-path and exclude_paths:); "-" reads a list of PATHs from
standard input, one per line (find notes -name '*.md' | linkvault links -).
Without PATH, the notes: entries of the config are used. Only regular files
are read: named pipes, sockets and devices are skipped with a warning. The
format is chosen by extension: Markdown (.md, .markdown, .mdx), HTML (.html,
.htm), and plain text for everything else. URLs glued to Chinese text and
punctuation are cut where the URL ends.

The text format prints one line per occurrence, "file:line:col  URL", sorted by
file and position; a file name with control characters, quotes or
backslashes in it is printed quoted, as a Go string ("a\x1b.md"). --format json prints one object per unique URL, in order of
first appearance:

  [{"url": "https://…", "kind": "web", "sources": [{"file": "notes.md", "line": 3, "column": 7, "text": "…"}]}]

An unreadable or missing path is reported on stderr; the others are still
listed and the exit status is 2.`,
		Example: `  linkvault links notes/
  linkvault links --format json README.md | jq -r '.[].url'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLinks(cmd.Context(), g, opts, args)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	cmd.Flags().BoolVar(&opts.IncludeCode, "include-code", false, "also take URLs inside code spans and code blocks")
	addExcludePathFlag(cmd, &opts.ExcludePaths)
	return cmd
}

// addExcludePathFlag adds --exclude-path, shared by links and check.
func addExcludePathFlag(cmd *cobra.Command, v *[]string) {
	cmd.Flags().StringArrayVar(v, "exclude-path", nil, "do not read the notes whose path matches this regular expression (repeatable; adds to exclude_paths)")
}

// addExcludePaths adds the expressions of --exclude-path.
func (c *Config) addExcludePaths(flags []string) error {
	for _, p := range flags {
		re, err := regexp.Compile(p)
		if err != nil {
			return linkvault.Errorf(linkvault.EInvalid, "--exclude-path %q: invalid regular expression: %v", p, regexpReason(err))
		}
		c.excludePaths = append(c.excludePaths, re)
	}
	return nil
}

// regexpReason is the cause of a regexp error without the repeated
// expression.
func regexpReason(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return se.Code.String()
	}
	return err.Error()
}

func runLinks(ctx context.Context, g *globalOptions, opts LinksOptions, args []string) error {
	if opts.Format != "text" && opts.Format != "json" {
		return linkvault.Errorf(linkvault.EInvalid, "links: unknown format %q (valid: text, json)", opts.Format)
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	if err := cfg.addExcludePaths(opts.ExcludePaths); err != nil {
		return err
	}
	links, inputErr := extractLinks(ctx, g, cfg, args, opts.IncludeCode || cfg.IncludeCode)
	if err := ctx.Err(); err != nil {
		return err
	}
	if inputErr != nil && inputErr != errUnread {
		return inputErr
	}
	w := bufio.NewWriter(g.stdout)
	if opts.Format == "json" {
		err = writeLinksJSON(w, links)
	} else {
		err = writeLinksText(w, links)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if inputErr != nil {
		return &exitError{code: exitUsage}
	}
	return nil
}

// extractFiles is extract.Files; a variable for tests.
var extractFiles = extract.Files

// errUnread is returned by extractLinks when some inputs could not be
// read; each of them was reported on stderr.
var errUnread = &linkvault.Error{Code: linkvault.EInvalid, Message: "some notes could not be read"}

// extractLinks extracts the links of args, or of the config's notes; an
// argument "-" stands for the paths listed on standard input, one per
// line. Problems with single inputs are printed on stderr as they come,
// and the error returned with the links that could be read is then
// errUnread. Nothing could be read when it is another error (no notes
// configured, a glob of notes: that matches nothing), not yet printed.
// When ctx ends, extractLinks returns nil and ctx's error.
func extractLinks(ctx context.Context, g *globalOptions, cfg *Config, args []string, includeCode bool) ([]linkvault.Link, error) {
	return extractInputs(ctx, g, cfg, args, includeCode, nil)
}

// extractInputs is extractLinks; when sites is not nil, the http and https
// URLs among the inputs (arguments, lines of "-", entries of notes:) are
// websites, appended to *sites instead of being read as paths.
func extractInputs(ctx context.Context, g *globalOptions, cfg *Config, args []string, includeCode bool, sites *[]string) ([]linkvault.Link, error) {
	paths, inputErr := inputPaths(ctx, g, args, sites)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if inputErr != nil && len(paths) == 0 {
		return nil, errUnread
	}
	if len(args) == 0 {
		if len(cfg.Notes) == 0 {
			return nil, linkvault.Errorf(linkvault.EInvalid, "no notes to read: give PATHs or set notes: in %s", cfg.name())
		}
		var err error
		paths, err = extract.ExpandNotes(cfg.dir, splitSites(cfg.Notes, sites))
		if err != nil {
			return nil, linkvault.Errorf(linkvault.EInvalid, "%s: notes: %w", cfg.name(), err)
		}
		paths = relativeToWD(paths)
	}
	// Extract stops between two files when ctx ends; a read the kernel
	// does not give back (a hung network file system) is left behind, so
	// that a signal is honoured even then.
	var (
		mu      sync.Mutex
		stopped bool // no more warnings once extractLinks has returned
	)
	type result struct {
		links []linkvault.Link
		err   error
	}
	done := make(chan result, 1)
	extractFiles := extractFiles
	go func() {
		links, err := extractFiles(ctx, paths, extract.Options{
			IncludeCode:  includeCode,
			ExcludePaths: cfg.excludePaths,
			Warn: func(path, msg string) {
				mu.Lock()
				defer mu.Unlock()
				if !g.Quiet && !stopped {
					fmt.Fprintf(g.stderr, "linkvault: warning: %s: %s\n", quoteName(path), msg)
				}
			},
		})
		done <- result{links, err}
	}()
	var links []linkvault.Link
	var err error
	select {
	case r := <-done:
		links, err = r.links, r.err
	case <-ctx.Done():
	}
	mu.Lock()
	stopped = true
	mu.Unlock()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		for _, e := range unjoin(err) {
			var pe *fs.PathError
			if errors.As(e, &pe) {
				pe.Path = quoteName(pe.Path)
			}
			fmt.Fprintf(g.stderr, "linkvault: %v\n", e)
		}
		inputErr = errors.Join(inputErr, err)
	}
	if inputErr != nil {
		return links, errUnread
	}
	return links, nil
}

// splitSites returns the entries of notes that are not websites; when
// sites is not nil the http and https URLs among them are websites,
// appended to *sites (when nil, every entry is a path).
func splitSites(notes []string, sites *[]string) []string {
	if sites == nil {
		return notes
	}
	var paths []string
	for _, n := range notes {
		if isSiteURL(n) {
			*sites = append(*sites, n)
		} else {
			paths = append(paths, n)
		}
	}
	return paths
}

// looksLikeURL matches an argument that is a URL, not a path.
var looksLikeURL = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`) })

// inputPaths returns the paths the arguments name: "-" is replaced by the
// lines of standard input (empty lines skipped, a final CR dropped), an
// argument that is a URL rather than an existing path is left out with
// one line on stderr. The error is non-nil when any argument was left
// out, or when "-" gave no path. When sites is not nil, http and https
// URLs (arguments or lines of "-") that are not existing paths are
// websites: appended to *sites, not left out.
func inputPaths(ctx context.Context, g *globalOptions, args []string, sites *[]string) ([]string, error) {
	var (
		paths   []string
		errs    []error
		stdinOK bool
	)
	for _, a := range args {
		switch {
		case a == "-":
			if stdinOK {
				continue // standard input is read once
			}
			stdinOK = true
			list, err := readPathList(ctx, g.stdin)
			if err != nil {
				fmt.Fprintf(g.stderr, "linkvault: -: read the list of paths on standard input: %v\n", err)
				errs = append(errs, err)
			} else if len(list) == 0 {
				err := errors.New("-: no path on standard input")
				fmt.Fprintf(g.stderr, "linkvault: %v\n", err)
				errs = append(errs, err)
			}
			for _, p := range list {
				if sites != nil && isSiteURL(p) && !exists(p) {
					*sites = append(*sites, p)
				} else {
					paths = append(paths, p)
				}
			}
		case sites != nil && isSiteURL(a) && !exists(a):
			*sites = append(*sites, a)
		case looksLikeURL().MatchString(a):
			if _, err := os.Stat(a); err != nil {
				err := fmt.Errorf("%s: a URL, not a path: give the files or directories of the notes to read (linkvault check crawls a website given as a URL)", quoteName(a))
				fmt.Fprintf(g.stderr, "linkvault: %v\n", err)
				errs = append(errs, err)
				continue
			}
			paths = append(paths, a)
		default:
			paths = append(paths, a)
		}
	}
	return paths, errors.Join(errs...)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// readPathList reads paths from r, one per line. It returns when r is
// read to the end, or at once when ctx ends (a terminal may never end).
func readPathList(ctx context.Context, r io.Reader) ([]string, error) {
	if r == nil {
		return nil, nil
	}
	type result struct {
		paths []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var out []string
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), 1<<20)
		for sc.Scan() {
			line := strings.TrimSuffix(sc.Text(), "\r")
			if strings.TrimSpace(line) != "" {
				out = append(out, line)
			}
		}
		done <- result{out, sc.Err()}
	}()
	select {
	case res := <-done:
		return res.paths, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// quoteName returns a file name as it may be printed on a terminal: as
// it is when it holds only printable characters, quoted as a Go string
// ("a\x1b[31m.md") when it holds control characters (ESC, BEL, a newline
// …), a quote or a backslash, or invalid UTF-8.
func quoteName(name string) string {
	if !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool {
		return r == '"' || r == '\\' || !unicode.IsPrint(r) && r != ' '
	}) {
		return strconv.Quote(name)
	}
	return name
}

// relativeToWD shortens the paths below the working directory, so that
// file:line references read as the user would type them.
func relativeToWD(paths []string) []string {
	wd, err := os.Getwd()
	if err != nil {
		return paths
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if rel, err := filepath.Rel(wd, p); err == nil && filepath.IsAbs(p) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			out[i] = rel
		}
	}
	return out
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func writeLinksJSON(w io.Writer, links []linkvault.Link) error {
	if links == nil {
		links = []linkvault.Link{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(links)
}

// occurrence is one place of one link, for the text listing.
type occurrence struct {
	src linkvault.Source
	url string
}

func writeLinksText(w io.Writer, links []linkvault.Link) error {
	var occ []occurrence
	for _, l := range links {
		for _, s := range l.Sources {
			u := l.URL
			if s.Fragment != "" {
				u += "#" + s.Fragment
			}
			occ = append(occ, occurrence{s, u})
		}
	}
	slices.SortStableFunc(occ, func(a, b occurrence) int { return a.src.Compare(b.src) })
	for _, o := range occ {
		if _, err := fmt.Fprintf(w, "%s:%d:%d  %s\n", quoteName(o.src.File), o.src.Line, o.src.Column, o.url); err != nil {
			return err
		}
	}
	return nil
}

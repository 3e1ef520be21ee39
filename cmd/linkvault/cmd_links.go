package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler"
)

// LinksOptions are the flags of `linkvault links`.
type LinksOptions struct {
	Format      string
	IncludeCode bool
}

func newLinksCommand(g *globalOptions) *cobra.Command {
	var opts LinksOptions
	cmd := &cobra.Command{
		Use:   "links [PATH...]",
		Short: "List every URL in the notes with file:line",
		Long: `List every URL found in the notes, without checking anything.

PATHs are files or directories (searched recursively, skipping hidden
directories, node_modules and vendor); without PATH, the notes: entries of the
config are used. The format is chosen by extension: Markdown (.md, .markdown,
.mdx), HTML (.html, .htm), and plain text for everything else. URLs glued to
Chinese text and punctuation are cut where the URL ends.

The text format prints one line per occurrence, "file:line:col  URL", sorted by
file and position. --format json prints one object per unique URL, in order of
first appearance:

  [{"url": "https://…", "kind": "web", "sources": [{"file": "notes.md", "line": 3, "column": 7, "text": "…"}]}]

An unreadable or missing path is reported on stderr; the others are still
listed and the exit status is 2.`,
		Example: `  linkvault links notes/
  linkvault links --format json README.md | jq -r '.[].url'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLinks(g, opts, args)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	cmd.Flags().BoolVar(&opts.IncludeCode, "include-code", false, "also take URLs inside code spans and code blocks")
	return cmd
}

func runLinks(g *globalOptions, opts LinksOptions, args []string) error {
	if opts.Format != "text" && opts.Format != "json" {
		return linkvault.Errorf(linkvault.EInvalid, "links: unknown format %q (valid: text, json)", opts.Format)
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	links, inputErr := extractLinks(g, cfg, args, opts.IncludeCode || cfg.IncludeCode)
	if links == nil && inputErr != nil && linkvault.ErrorCode(inputErr) == linkvault.EInvalid && len(args) == 0 {
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

// extractLinks extracts the links of args, or of the config's notes.
// Problems with single inputs are printed on stderr as they come; the
// returned error is non-nil when any input could not be read.
func extractLinks(g *globalOptions, cfg *Config, args []string, includeCode bool) ([]linkvault.Link, error) {
	paths := args
	if len(paths) == 0 {
		if len(cfg.Notes) == 0 {
			return nil, linkvault.Errorf(linkvault.EInvalid, "no notes to read: give PATHs or set notes: in %s", cfg.name())
		}
		var err error
		paths, err = crawler.ExpandNotes(cfg.dir, cfg.Notes)
		if err != nil {
			return nil, linkvault.Errorf(linkvault.EInvalid, "%s: notes: %v", cfg.name(), err)
		}
		paths = relativeToWD(paths)
	}
	links, err := crawler.Extract(paths, crawler.ExtractOptions{
		IncludeCode: includeCode,
		Warn: func(path, msg string) {
			if !g.Quiet {
				fmt.Fprintf(g.stderr, "linkvault: warning: %s: %s\n", path, msg)
			}
		},
	})
	if err != nil {
		for _, e := range unjoin(err) {
			fmt.Fprintf(g.stderr, "linkvault: %v\n", e)
		}
		return links, linkvault.Errorf(linkvault.EInvalid, "some notes could not be read")
	}
	return links, nil
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
	sort.SliceStable(occ, func(i, j int) bool {
		a, b := occ[i].src, occ[j].src
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	for _, o := range occ {
		if _, err := fmt.Fprintf(w, "%s:%d:%d  %s\n", o.src.File, o.src.Line, o.src.Column, o.url); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// The man pages (docs/man) and Markdown pages (docs/cli) of every command
// are generated from the commands' help; TestDocsUpToDate fails when they
// are stale.
//
//go:generate go run . gendocs --man ../../docs/man --markdown ../../docs/cli

// docsDate is the date in the man pages' header: fixed, so that the pages
// change only when the help does.
var docsDate = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

// GenDocsOptions are the flags of the hidden `linkvault gendocs`.
type GenDocsOptions struct {
	ManDir      string
	MarkdownDir string
}

func newGenDocsCommand(g *globalOptions) *cobra.Command {
	var opts GenDocsOptions
	cmd := &cobra.Command{
		Use:   "gendocs --man DIR | --markdown DIR",
		Short: "Write the man pages or Markdown pages of every command",
		Long: `Write the man pages (linkvault.1, linkvault-check.1, …) and/or the Markdown
pages of every command into the directories given. Existing pages of
linkvault in them are replaced.`,
		Example: `  linkvault gendocs --man ~/.local/share/man/man1
  go generate ./cmd/linkvault   # docs/man and docs/cli of this repository`,
		Hidden: true,
		Args:   usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ManDir == "" && opts.MarkdownDir == "" {
				return &exitError{code: exitUsage, err: fmt.Errorf("gendocs: give --man DIR and/or --markdown DIR")}
			}
			return runGenDocs(opts)
		},
	}
	cmd.Flags().StringVar(&opts.ManDir, "man", "", "write man pages into DIR")
	cmd.Flags().StringVar(&opts.MarkdownDir, "markdown", "", "write Markdown pages into DIR")
	return cmd
}

func runGenDocs(opts GenDocsOptions) error {
	for _, d := range []struct {
		dir, ext string
		gen      func(root *cobra.Command, dir string) error
	}{
		{opts.ManDir, ".1", func(root *cobra.Command, dir string) error {
			return doc.GenManTreeFromOpts(root, doc.GenManTreeOptions{
				Path:             dir,
				CommandSeparator: "-",
				Header:           &doc.GenManHeader{Section: "1", Date: &docsDate, Source: "linkvault", Manual: "linkvault manual"},
			})
		}},
		{opts.MarkdownDir, ".md", doc.GenMarkdownTree},
	} {
		if d.dir == "" {
			continue
		}
		if err := os.MkdirAll(d.dir, 0o755); err != nil {
			return fmt.Errorf("gendocs: %w", err)
		}
		old, _ := filepath.Glob(filepath.Join(d.dir, "linkvault*"+d.ext))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return fmt.Errorf("gendocs: %w", err)
			}
		}
		if err := d.gen(docsRoot(), d.dir); err != nil {
			return fmt.Errorf("gendocs: %w", err)
		}
	}
	return nil
}

// docsRoot is the command tree as the user sees it, for documentation:
// with the completion command and the help and version flags, without
// the generation date, and with the exit statuses in linkvault's page.
func docsRoot() *cobra.Command {
	root := newRootCommand(&globalOptions{})
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	// The exit statuses as a preformatted block (Markdown's indented code).
	status := strings.TrimSpace(exitStatusHelp)
	title, table, _ := strings.Cut(status, "\n")
	root.Long = strings.TrimRight(root.Long, "\n") + "\n\n" + title + ":\n\n" +
		strings.TrimRight(regexp.MustCompile(`(?m)^`).ReplaceAllString(table, "    "), " ") + "\n"
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return root
}

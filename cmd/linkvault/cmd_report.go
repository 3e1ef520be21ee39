package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
)

// ReportOptions are the flags of `linkvault report`.
type ReportOptions struct {
	Format   string
	Output   string
	ShowGone bool
}

func newReportCommand(g *globalOptions) *cobra.Command {
	var opts ReportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render the last run from the database, without checking anything",
		Long: `Render what the database holds, without any network access.

--format html writes a self-contained health report: -o names the directory
(default linkvault-report/) that receives index.html and the archived copies of dead
and moved links. Other formats go to stdout or to the file -o names.

The exit status follows policy.fail_on for the last run, like check.`,
		Example: `  linkvault report --format html -o public/
  linkvault report --format markdown >> "$GITHUB_STEP_SUMMARY"
  linkvault report --format sarif -o linkvault.sarif`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("format") {
				opts.Format = defaultFormat()
			}
			return runReport(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text, json, markdown, junit, sarif, github, html")
	f.StringVarP(&opts.Output, "output", "o", "", "output file (html: directory, default linkvault-report/)")
	f.BoolVar(&opts.ShowGone, "show-gone", false, "include URLs no longer referenced by the notes (report.show_gone)")
	return cmd
}

func runReport(ctx context.Context, g *globalOptions, opts ReportOptions) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	if err := validFormat(opts.Format); err != nil {
		return err
	}
	if opts.ShowGone {
		cfg.Report.ShowGone = true
	}
	db, err := openExistingDB(g, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	data, err := buildReportData(db, cfg, nil)
	if err != nil {
		return err
	}
	if opts.Format == "html" {
		dir := firstNonEmpty(opts.Output, cfg.resolve(cfg.Report.Dir), "linkvault-report")
		if err := writeHTMLReport(db, cfg, data, dir); err != nil {
			return err
		}
		if !g.Quiet {
			fmt.Fprintf(g.stderr, "linkvault: HTML report written to %s/index.html\n", dir)
		}
	} else if err := writeReport(g, data, opts.Format, opts.Output); err != nil {
		return err
	}
	if failed(cfg.policy().FailOn, data) {
		return &exitError{code: exitFindings}
	}
	return nil
}

// openConfigDB loads the config and opens its existing database read-only:
// the start of every command that only reads.
func openConfigDB(g *globalOptions) (*Config, *archive.DB, error) {
	return openConfigDBMode(g, true)
}

// openConfigDBMode loads the config and opens its existing database,
// read-only or for writing.
func openConfigDBMode(g *globalOptions, readOnly bool) (*Config, *archive.DB, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	db, err := openExistingDB(g, cfg, readOnly)
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}

// openExistingDB opens the database of a command that does not check;
// a missing file is an error that says how to create it.
func openExistingDB(g *globalOptions, cfg *Config, readOnly bool) (*archive.DB, error) {
	p := g.dbPath(cfg)
	if !fileExists(p) {
		return nil, linkvault.Errorf(linkvault.EInvalid, "%s: no database yet (run 'linkvault check' first)", p)
	}
	return archive.Open(p, &archive.Options{Timeout: time.Second, ReadOnly: readOnly, Policy: cfg.policy()})
}

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
	FailOn   string
}

func newReportCommand(g *globalOptions) *cobra.Command {
	var opts ReportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render the last run from the database, without checking anything",
		Long: `Render what the database holds, without any network access.

--format html writes a self-contained health report with the archived copies
of dead, failing, changed and moved links beside it. -o names where:
  report.html          the page, its copies in report.files/ beside it
                       (any name ending in .html or .htm)
  public/ or public    a directory (existing, ending in a slash, or any other
                       name): public/index.html and public/archive/
Without -o: report.dir, else linkvault-report/. Archived pages are written
so that no browser runs them: each is shown in a sandboxed frame without
scripts or network access; other types are written as they are only when
browsers show them inertly (PDF, images, plain text), else as .bin
downloads. 'linkvault get' gives the bytes as archived.

Other formats go to stdout or to the file -o names. -o writes like a shell's
>: through a symbolic link, into a device or a FIFO; a regular file is
replaced at once, never left half written.

The exit status is the one of check, from the same policy: 1 when the last
run has findings under policy.fail_on (by default: any referenced link is
dead), so that 'report' can gate a CI job as 'check' does; --fail-on never
renders and exits 0.`,
		Example: `  linkvault report --format html -o public/
  linkvault report --format html -o linkvault.html --fail-on never
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
	f.StringVarP(&opts.Output, "output", "o", "", "output file (html: FILE.html, or a directory for index.html; default linkvault-report/)")
	f.StringVar(&opts.FailOn, "fail-on", "", "exit 1 on: dead, new, broken or never (policy.fail_on)")
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
	if err := applyFailOn(cfg, opts.FailOn); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, g, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	data, err := buildReportData(db, cfg, nil)
	if err != nil {
		return err
	}
	if opts.Format == "html" {
		out := firstNonEmpty(opts.Output, cfg.resolve(cfg.Report.Dir), "linkvault-report")
		page, err := writeHTMLReport(db, cfg, data, out)
		if err != nil {
			return err
		}
		if !g.Quiet {
			fmt.Fprintf(g.stderr, "linkvault: HTML report written to %s\n", page)
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
func openConfigDB(ctx context.Context, g *globalOptions) (*Config, *archive.DB, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	db, err := openExistingDB(ctx, g, cfg, true)
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}

// openExistingDB opens the database of a command that does not check;
// a missing file is an error that says how to create it. Read-only, a
// database in a bucket is its latest generation, downloaded (no lease is
// taken).
func openExistingDB(ctx context.Context, g *globalOptions, cfg *Config, readOnly bool) (*archive.DB, error) {
	p := g.dbPath(cfg)
	if archive.IsRemote(p) && readOnly {
		return fetchForReading(ctx, g, cfg, p)
	}
	if !fileExists(p) {
		return nil, linkvault.Errorf(linkvault.EInvalid, "%s: no database yet (run 'linkvault check' first)", p)
	}
	return archive.Open(p, &archive.Options{Timeout: time.Second, ReadOnly: readOnly, NoCreate: true, Policy: cfg.policy()})
}

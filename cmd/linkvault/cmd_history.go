package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/report"
)

// HistoryOptions are the flags of `linkvault history`.
type HistoryOptions struct {
	Format string
	Limit  int
}

func newHistoryCommand(g *globalOptions) *cobra.Command {
	var opts HistoryOptions
	cmd := &cobra.Command{
		Use:   "history URL",
		Short: "Show the timeline of one URL: every check and state change",
		Long: `Show the timeline of one URL from the database, without network access:
the date, class, HTTP status and duration of each check, the state changes
(failing, dead, recovered …), and where the URL occurs in the notes.

An unknown URL exits with status 1.`,
		Example: `  linkvault history https://github.com/tkestack/kstone
  linkvault history --format json https://example.com/ | jq '.checks[-1]'`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHistory(cmd.Context(), g, opts, args[0])
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	cmd.Flags().IntVarP(&opts.Limit, "limit", "n", 0, "show only the last N checks (0: all)")
	return cmd
}

// historyJSON is the JSON shape of `linkvault history --format json`.
type historyJSON struct {
	*linkvault.URLRecord
	Checks []linkvault.Check `json:"checks"`
}

func runHistory(ctx context.Context, g *globalOptions, opts HistoryOptions, rawURL string) error {
	if opts.Format != "text" && opts.Format != "json" {
		return linkvault.Errorf(linkvault.EInvalid, "history: unknown format %q (valid: text, json)", opts.Format)
	}
	cfg, db, err := openConfigDB(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	u := canonicalOr(rawURL)
	rec, err := db.URL(u)
	if err != nil {
		return err
	}
	checks, err := db.History(u, opts.Limit)
	if err != nil {
		return err
	}
	// Paths as the reports give them: relative to the repository root.
	wd, _ := os.Getwd()
	rec.Sources = relativeSources(rec.Sources, findRepo(cfg, os.Getenv).Root, wd, cfg.dir)
	var caps []linkvault.Capture
	if rec.Kind != linkvault.KindLocal {
		if caps, err = db.Captures(u); err != nil {
			return err
		}
	}
	w := bufio.NewWriter(g.stdout)
	defer w.Flush()
	if opts.Format == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if checks == nil {
			checks = []linkvault.Check{}
		}
		return enc.Encode(historyJSON{rec, checks})
	}
	writeHistoryRecord(w, rec, caps, cfg.policy())
	return writeHistoryChecks(w, rec, checks)
}

// writeHistoryRecord writes what history knows of the URL of rec: its
// state, its copies and where it occurs.
func writeHistoryRecord(w io.Writer, rec *linkvault.URLRecord, caps []linkvault.Capture, policy linkvault.Policy) {
	fmt.Fprintf(w, "%s\n", rec.URL)
	fmt.Fprintf(w, "  state     %s since %s", rec.State, fmtTime(rec.StateSince))
	if rec.ConsecutiveBad > 0 {
		fmt.Fprintf(w, " (%d bad run%s in a row)", rec.ConsecutiveBad, plural(rec.ConsecutiveBad))
	}
	fmt.Fprintln(w)
	if !rec.LastOK.IsZero() {
		fmt.Fprintf(w, "  last ok   %s\n", fmtTime(rec.LastOK))
	}
	if rec.Last != nil && rec.Last.Title != "" {
		fmt.Fprintf(w, "  title     %s\n", rec.Last.Title)
	}
	if rec.Last != nil && rec.Last.MovedTo != "" {
		fmt.Fprintf(w, "  moved to  %s\n", rec.Last.MovedTo)
	}
	if rec.Last != nil && len(rec.Last.Evidence) > 0 {
		fmt.Fprintf(w, "  evidence  %s\n", strings.Join(rec.Last.Evidence, ", "))
	}
	// Where to read what the link pointed to, the same lines as check's
	// summary: the copy linkvault get gives back, the Wayback Machine's.
	local, elsewhere := report.CopyNotes(&report.Entry{URLRecord: *rec, Captures: caps}, policy)
	if local != "" {
		fmt.Fprintf(w, "  copy      %s\n", local)
	}
	if elsewhere != "" {
		fmt.Fprintf(w, "  copy      %s\n", elsewhere)
	}
	for _, note := range []string{report.SourceNote(&report.Entry{URLRecord: *rec}), report.SourceElsewhere(&report.Entry{URLRecord: *rec})} {
		if note != "" {
			fmt.Fprintf(w, "  code      %s\n", note)
		}
	}
	if !rec.ChangedSince.IsZero() {
		fmt.Fprintf(w, "  changed   text no longer matches what was cited since %s (last match %s)\n", fmtTime(rec.ChangedSince), fmtTime(rec.LastMatch))
	}
	if rec.Last != nil && rec.Last.Status == linkvault.StatusOK && len(rec.Last.MissingFragments) > 0 {
		fmt.Fprintf(w, "  missing   no anchor #%s on the page\n", strings.Join(rec.Last.MissingFragments, ", #"))
	}
	fmt.Fprintf(w, "  seen      %s … %s\n", fmtTime(rec.FirstSeen), fmtTime(rec.LastSeen))
	if len(rec.Sources) > 0 {
		fmt.Fprintln(w, "\nWhere it occurs:")
		for _, s := range rec.Sources {
			frag := ""
			if s.Fragment != "" {
				frag = " #" + s.Fragment
			}
			fmt.Fprintf(w, "  %s:%d:%d%s\n", s.File, s.Line, s.Column, frag)
		}
	}
}

// writeHistoryChecks writes the table of the checks of rec's URL.
func writeHistoryChecks(w io.Writer, rec *linkvault.URLRecord, checks []linkvault.Check) error {
	fmt.Fprintf(w, "\nChecks (%d):\n", len(checks))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  DATE\tRUN\tCLASS\tHTTP\tTIME\tSTATE")
	for i, c := range checks {
		// The history keeps a short reason; the last check's is whole.
		if i == len(checks)-1 && rec.Last != nil && c.Reason != "" && strings.HasPrefix(rec.Last.Reason, c.Reason) {
			c.Reason = rec.Last.Reason
		}
		state := string(c.State)
		if c.Changed {
			state = "→ " + state
		}
		httpStatus := "-"
		if c.HTTPStatus != 0 {
			httpStatus = fmt.Sprint(c.HTTPStatus)
		}
		reason := ""
		if c.Reason != "" && c.Status != linkvault.StatusOK {
			reason = "  " + c.Reason
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s%s\n", fmtTime(c.Time), c.RunID, c.Status, httpStatus,
			(time.Duration(c.DurationMS) * time.Millisecond).String(), state, reason)
	}
	return tw.Flush()
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

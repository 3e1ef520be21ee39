package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/report"
)

// StatusOptions are the flags of `linkvault status`.
type StatusOptions struct {
	Format string
	Runs   int
}

func newStatusCommand(g *globalOptions) *cobra.Command {
	var opts StatusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Summarise the database: URLs per state and the last runs",
		Long: `Summarise the database without network access: how many URLs are in each
state, and the last runs with their counts and whether they finished.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStatus(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	cmd.Flags().IntVarP(&opts.Runs, "runs", "n", 5, "how many recent runs to show")
	return cmd
}

// statusJSON is the JSON shape of `linkvault status --format json`.
type statusJSON struct {
	DB            string                  `json:"db"`
	SchemaVersion int                     `json:"schema_version"`
	FileSize      int64                   `json:"file_size"`
	DiskSize      int64                   `json:"disk_size"`
	UsedSize      int64                   `json:"used_size"`
	URLs          int                     `json:"urls"`
	States        map[linkvault.State]int `json:"states"`
	Checks        int                     `json:"checks"`
	RunCount      int                     `json:"run_count"`
	Runs          []linkvault.Run         `json:"runs"`
}

func runStatus(ctx context.Context, g *globalOptions, opts StatusOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return linkvault.Errorf(linkvault.EInvalid, "status: unknown format %q (valid: text, json)", opts.Format)
	}
	cfg, db, err := openConfigDB(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	name := db.Path()
	if p := g.dbPath(cfg); archive.IsRemote(p) {
		name = plainURL(p) // not the downloaded copy
	}
	st, err := db.Stats()
	if err != nil {
		return err
	}
	runs, err := db.Runs(opts.Runs)
	if err != nil {
		return err
	}
	return printStatus(g, name, st, runs, opts.Format)
}

func printStatus(g *globalOptions, name string, st archive.Stats, runs []linkvault.Run, format string) error {
	w := bufio.NewWriter(g.stdout)
	defer w.Flush()
	if format == "json" {
		if runs == nil {
			runs = []linkvault.Run{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(statusJSON{name, st.SchemaVersion, st.FileSize, st.DiskSize, st.UsedSize,
			st.URLs, st.States, st.Checks, st.Runs, runs})
	}
	fmt.Fprintf(w, "%s: %s, %s in %s, %s on disk (%s in use)\n", name, count(st.URLs, "URL"),
		count(st.Checks, "check"), count(st.Runs, "run"), report.Bytes(st.DiskSize), report.Bytes(st.UsedSize))
	for _, s := range linkvault.States {
		if n := st.States[s]; n > 0 {
			fmt.Fprintf(w, "  %-8s %6d\n", s, n)
		}
	}
	if len(runs) == 0 {
		fmt.Fprintln(w, "\nNo runs yet: run 'linkvault check'.")
		return nil
	}
	fmt.Fprintln(w, "\nLast runs:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  RUN\tSTARTED\tTOOK\tCHECKS\tOK\tBROKEN\tUNREACHABLE\tBLOCKED\tRESULT")
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		took := "-"
		if !r.End.IsZero() {
			took = r.End.Sub(r.Start).Round(time.Second).String()
		}
		result := "finished"
		switch {
		case r.Interrupted:
			result = "interrupted"
		case !r.Finished:
			result = "unfinished"
		}
		if r.NewlyDead > 0 {
			result += fmt.Sprintf(", %d newly dead", r.NewlyDead)
		}
		if r.Recovered > 0 {
			result += fmt.Sprintf(", %d recovered", r.Recovered)
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", r.ID, fmtTime(r.Start), took, countChecks(r),
			r.Counts[linkvault.StatusOK], r.Counts[linkvault.StatusBroken], r.Counts[linkvault.StatusUnreachable],
			r.Counts[linkvault.StatusBlocked]+r.Counts[linkvault.StatusThrottled], result)
	}
	return tw.Flush()
}

// count returns "1 run", "2 runs".
func count(n int, noun string) string {
	return fmt.Sprintf("%d %s%s", n, noun, plural(n))
}

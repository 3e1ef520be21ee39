package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/report"
)

// DBOptions are the flags of `linkvault db generations`.
type DBOptions struct {
	Format string
}

func newDBCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "List and restore the generations of a database kept in a bucket",
		Long: `A database kept in a bucket (db: s3://BUCKET/PREFIX/linkvault.db, or derived
from archive.store) is a series of generations: every run of check, accept
and gc downloads the latest one under a lease, and uploads its result,
compressed and verified, as the next. The last archive.db_generations are
kept (default 7).

The lease is the object NAME/lease beside the generations NAME/gen-*.db.zst.
While one run holds it, another gets "in use by another linkvault run
(started …, host …)" and exit status 3 at once. A run renews its lease every
third of archive.db_lease (default 10m); a lease not renewed for that long
(its runner crashed or was killed) is taken over by the next run with a
warning. The runners' clocks are assumed to agree within archive.db_lease.

Commands that only read (report, status, history, get, serve, export, plan)
download the latest generation and take no lease.

A generation that is damaged (cut short, altered, not a database) is
refused with an error that names the generation before it; 'linkvault db
restore N' makes generation N the latest again (it is uploaded again as a
new generation; the later ones stay until pruned), so that the next run
starts from it.`,
		Args: usageArgs(cobra.NoArgs),
	}
	cmd.RunE = func(c *cobra.Command, args []string) error { return c.Help() }

	var opts DBOptions
	gens := &cobra.Command{
		Use:   "generations",
		Short: "List the generations of the database in the bucket, newest first",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDBGenerations(cmd.Context(), g, opts)
		},
	}
	gens.Flags().StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")

	restore := &cobra.Command{
		Use:   "restore GENERATION",
		Short: "Make an older generation of the database in the bucket the latest again",
		Long: `Make generation GENERATION of the database in the bucket the latest again:
under the lease, it is downloaded, checked, and uploaded unchanged as a new
generation. The next check starts from it. 'linkvault db generations' lists
the generations kept.`,
		Example: `  linkvault db generations
  linkvault db restore 41`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDBRestore(cmd.Context(), g, args[0])
		},
	}
	cmd.AddCommand(gens, restore)
	return cmd
}

// remoteDBName returns the URL of the database in a bucket, or an error
// saying that the database is a file.
func remoteDBName(g *globalOptions) (*Config, string, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, "", err
	}
	name := g.dbPath(cfg)
	if !archive.IsRemote(name) {
		return nil, "", linkvault.Errorf(linkvault.EInvalid,
			"%s is a file: generations are kept for a database in a bucket (db: s3://BUCKET/PREFIX/linkvault.db)", name)
	}
	return cfg, name, nil
}

// generationJSON is one generation in `linkvault db generations --format json`.
type generationJSON struct {
	Generation int64     `json:"generation"`
	Created    time.Time `json:"created"`
	Size       int64     `json:"size"`
	DBSize     int64     `json:"db_size"`
	SHA256     string    `json:"sha256"`
	From       int64     `json:"from"`
	Host       string    `json:"host"`
	Command    string    `json:"command"`
}

func runDBGenerations(ctx context.Context, g *globalOptions, opts DBOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return linkvault.Errorf(linkvault.EInvalid, "--format: want text or json, got %q", opts.Format)
	}
	_, name, err := remoteDBName(g)
	if err != nil {
		return err
	}
	gens, err := archive.Generations(ctx, name)
	if err != nil {
		return err
	}
	out := make([]generationJSON, 0, len(gens))
	for i := len(gens) - 1; i >= 0; i-- {
		gn := gens[i]
		out = append(out, generationJSON{gn.Number, gn.Created.UTC(), gn.Size, gn.DBSize, gn.SHA256, gn.From, gn.Host, gn.Command})
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(out) == 0 {
		fmt.Fprintf(g.stdout, "%s: no generation yet (run 'linkvault check' first)\n", plainURL(name))
		return nil
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GENERATION\tCREATED\tDATABASE\tCOMPRESSED\tFROM\tCOMMAND\tHOST")
	for _, gn := range out {
		from := "-"
		if gn.From > 0 {
			from = strconv.FormatInt(gn.From, 10)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", gn.Generation, gn.Created.Format("2006-01-02 15:04:05Z"),
			report.Bytes(gn.DBSize), report.Bytes(gn.Size), from, gn.Command, gn.Host)
	}
	return tw.Flush()
}

func runDBRestore(ctx context.Context, g *globalOptions, arg string) error {
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || n <= 0 {
		return linkvault.Errorf(linkvault.EInvalid, "db restore: %q is not a generation number (see 'linkvault db generations')", arg)
	}
	cfg, name, err := remoteDBName(g)
	if err != nil {
		return err
	}
	gen, err := archive.Restore(ctx, name, n, remoteOptions(g, cfg, "restore"))
	if err != nil {
		return err
	}
	if !g.Quiet {
		fmt.Fprintf(g.stderr, "linkvault: generation %d of %s is now the latest, as generation %d; the next run starts from it\n", n, plainURL(name), gen.Number)
	}
	return nil
}

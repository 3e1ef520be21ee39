package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/report"
)

// GCOptions are the flags of `linkvault gc`.
type GCOptions struct {
	Keep string
}

func newGCCommand(g *globalOptions) *cobra.Command {
	var opts GCOptions
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Prune old check records and compact the database",
		Long: `Delete check records older than --keep, then compact the database file.
The last ok check of every URL and every check that changed a URL's state are
always kept, so history and reports stay truthful. Archived copies (WARC
files) are not touched.`,
		Example: `  linkvault gc --keep 90d`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGC(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Keep, "keep", "90d", "keep check records younger than this (like 90d, 720h)")
	return cmd
}

func runGC(ctx context.Context, g *globalOptions, opts GCOptions) (err error) {
	keep, err := parseDuration(opts.Keep)
	if err != nil || keep <= 0 {
		return linkvault.Errorf(linkvault.EInvalid, "--keep %q: want a positive duration like 90d or 720h", opts.Keep)
	}
	db, finish, err := openWriteDB(ctx, g, "gc")
	if err != nil {
		return err
	}
	defer func() { err = finish(err) }()
	res, err := db.GC(ctx, keep)
	if err != nil {
		return err
	}
	if !g.Quiet {
		fmt.Fprintf(g.stdout, "deleted %s older than %s; %s → %s on disk\n", count(res.Deleted, "check record"),
			opts.Keep, report.Bytes(res.DiskBefore), report.Bytes(res.DiskAfter))
	}
	return nil
}

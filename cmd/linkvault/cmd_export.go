package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
)

// ExportOptions are the flags of `linkvault export`.
type ExportOptions struct {
	CDXJ string
	WACZ string
}

func newExportCommand(g *globalOptions) *cobra.Command {
	var opts ExportOptions
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export the archive as a CDXJ index or a WACZ package",
		Long: `Export the archive for other web-archiving tools: --cdxj writes a CDXJ
index of every capture (pywb), --wacz a WACZ package (the WARC files, a CDXJ
index, pages.jsonl and datapackage.json) that ReplayWeb.page opens.`,
		Example: `  linkvault export --wacz notes.wacz
  linkvault export --cdxj index.cdxj`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.CDXJ, "cdxj", "", "write a CDXJ index to FILE (- for stdout)")
	cmd.Flags().StringVar(&opts.WACZ, "wacz", "", "write a WACZ package to FILE")
	return cmd
}

func runExport(ctx context.Context, g *globalOptions, opts ExportOptions) error {
	if opts.CDXJ == "" && opts.WACZ == "" {
		return linkvault.Errorf(linkvault.EInvalid, "export: give --cdxj FILE or --wacz FILE")
	}
	cfg, db, err := openConfigDB(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	store, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	if opts.CDXJ == "-" {
		if err := store.ExportCDXJ(ctx, db, g.stdout); err != nil {
			return err
		}
	} else if opts.CDXJ != "" {
		if err := writeOutput(opts.CDXJ, func(w io.Writer) error { return store.ExportCDXJ(ctx, db, w) }); err != nil {
			return err
		}
	}
	if opts.WACZ != "" {
		return writeOutputPath(opts.WACZ, func(p string) error { return store.ExportWACZ(ctx, db, p) })
	}
	return nil
}

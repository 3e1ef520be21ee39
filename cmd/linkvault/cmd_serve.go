package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/report"
)

// ServeOptions are the flags of `linkvault serve`.
type ServeOptions struct {
	Addr string
}

func newServeCommand(g *globalOptions) *cobra.Command {
	var opts ServeOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the health report and the archived copies over HTTP",
		Long: `Serve the HTML health report at / and the archived copies under
Wayback-style URLs: /web/TIMESTAMP/URL (the capture closest at or before
TIMESTAMP) and /web/URL (the latest). Archived pages keep their content type
and are sandboxed (Content-Security-Policy: sandbox), so their scripts never
run with this server's origin; links inside them point to archived copies
where they exist.

It listens on 127.0.0.1:8080 by default; binding to another address exposes
your archive to the network.`,
		Example: `  linkvault serve
  linkvault serve --addr 127.0.0.1:9000`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	return cmd
}

func runServe(ctx context.Context, g *globalOptions, opts ServeOptions) error {
	cfg, db, err := openConfigDB(g)
	if err != nil {
		return err
	}
	defer db.Close()

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return linkvault.Errorf(linkvault.EInvalid, "serve: %v", err)
	}
	srv := &http.Server{Handler: newServeMux(db, cfg), ReadHeaderTimeout: 10 * time.Second}
	if !g.Quiet {
		fmt.Fprintf(g.stderr, "linkvault: serving the report on http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// newServeMux routes / to the live health report and /web/ to replay.
func newServeMux(db *archive.DB, cfg *Config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/web/", archive.NewReplayHandler(db, cfg.resolve(cfg.Archive.Dir)))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		data, err := buildReportData(db, cfg, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for i := range data.Entries {
			e := &data.Entries[i]
			if c, ok := report.Offered(e, data.Policy); ok && !strings.HasPrefix(e.URL, "/") {
				e.ArchivePath = "web/" + c.Time.UTC().Format("20060102150405") + "/" + e.URL
			}
		}
		var buf bytes.Buffer
		if err := report.HTML(&buf, data); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(buf.Bytes())
	})
	return mux
}

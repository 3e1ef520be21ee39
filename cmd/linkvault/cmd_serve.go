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
	// AllowHosts are the host names, besides localhost and IP addresses,
	// that requests may name in their Host header; "*" allows any.
	AllowHosts []string
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
where they exist. A page renders with the requisites captured with it
(archive.requisites: stylesheets, images, fonts): HTML attributes, CSS url()
and @import (in stylesheets, <style> and style attributes) and lazy images
(data-src) point to the captures nearest in time to the page's. The policy
lets a page load only what serve serves: a requisite without a capture is
blocked, never fetched from its original host.

It listens on 127.0.0.1:8080 by default. Binding to another address
(--addr :8080, --addr 0.0.0.0:8080) exposes your archive to the network:
serve says so when it starts.

Requests must name the server in their Host header as localhost, an IP
address, or a name given with --allow-host; others get 421 Misdirected
Request. This stops DNS rebinding, where a web page you visit points its
own host name at your machine and reads the archive through your browser.
Put the names of a reverse proxy or a server's DNS name in --allow-host
(repeatable), or --allow-host '*' to accept any.`,
		Example: `  linkvault serve
  linkvault serve --addr 127.0.0.1:9000
  linkvault serve --addr :8080 --allow-host linkvault.internal.example.com`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringArrayVar(&opts.AllowHosts, "allow-host", nil, "also accept requests for this host name (repeatable; '*': any)")
	return cmd
}

func runServe(ctx context.Context, g *globalOptions, opts ServeOptions) error {
	cfg, db, err := openConfigDB(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := cfg.openStore(ctx); err != nil { // the mux opens it again: no request is made
		return err
	}

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return linkvault.Errorf(linkvault.EInvalid, "serve: %w", err)
	}
	handler := checkHost(newServeMux(db, cfg), opts.AllowHosts)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	if !isLoopback(ln.Addr()) {
		// Said even with -q: nobody should expose an archive unknowingly.
		fmt.Fprintf(g.stderr, "linkvault: warning: listening on %s, beyond this machine: anyone who can reach it can read the archive (use --addr 127.0.0.1:PORT to keep it local)\n", ln.Addr())
	}
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

// isLoopback reports whether a listener's address is on loopback only.
func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// checkHost answers 421 Misdirected Request to requests whose Host header
// names neither localhost, an IP address, nor one of allow (DNS
// rebinding needs a host name of the attacker's).
func checkHost(next http.Handler, allow []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostAllowed(r.Host, allow) {
			http.Error(w, fmt.Sprintf("linkvault serve: host %q is not served here; restart serve with --allow-host %s to accept it", r.Host, hostOnly(r.Host)), http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

func hostAllowed(hostport string, allow []string) bool {
	h := strings.TrimSuffix(strings.ToLower(hostOnly(hostport)), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || net.ParseIP(h) != nil {
		return true
	}
	for _, a := range allow {
		if a == "*" || strings.EqualFold(strings.TrimSuffix(a, "."), h) {
			return true
		}
	}
	return false
}

// newServeMux routes / to the live health report and /web/ to replay.
// Replay paths hold whole URLs ("/web/2026/https://host/链接"), which
// http.ServeMux would clean and answer with a redirect: they go to the
// replay handler as they came.
//
// Copies are read through the WARC store (archive.store): from an object
// store with one range request each.
func newServeMux(db *archive.DB, cfg *Config) http.Handler {
	store, err := cfg.openStore(context.Background())
	if err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		})
	}
	replay := archive.NewReplayHandler(db, store.Dir(), &archive.ReplayOptions{ListPage: report.CaptureList, Store: store})
	mux := http.NewServeMux()
	mux.Handle("/web/", replay)
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/web/") || strings.HasPrefix(r.RequestURI, "/web/") {
			replay.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/report"
)

// A database in a bucket (db: s3://BUCKET/PREFIX/linkvault.db) is opened
// through a local copy: commands that only read download its latest
// generation, commands that write (check, accept, gc) take its lease,
// download, work on the copy, and upload it as a new generation when they
// end (see archive.CheckoutDB).

// remoteOptions are the archive's options for the database in a bucket.
func remoteOptions(g *globalOptions, cfg *Config, command string) archive.RemoteOptions {
	return archive.RemoteOptions{
		Lease:       time.Duration(cfg.Archive.DBLease),
		Generations: cfg.Archive.DBGenerations,
		Command:     command,
		Version:     version,
		Warn: func(msg string) {
			fmt.Fprintf(g.stderr, "linkvault: warning: %s\n", msg)
		},
	}
}

// fetchForReading downloads the latest generation of the database in a
// bucket and opens it read-only. The downloaded file is unlinked once
// open: nothing is left behind, whatever way the command ends.
func fetchForReading(ctx context.Context, g *globalOptions, cfg *Config, url string) (*archive.DB, error) {
	f, err := archive.Fetch(ctx, url, 0, remoteOptions(g, cfg, "read"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return archive.Open(f.Path, &archive.Options{Timeout: time.Second, ReadOnly: true, NoCreate: true, Policy: cfg.policy()})
}

// remoteDB is a database in a bucket checked out for writing: the lease
// is held until finish.
type remoteDB struct {
	g   *globalOptions
	url string
	co  *archive.Checkout
	db  *archive.DB
}

// checkoutForWriting takes the lease of the database in a bucket,
// downloads its latest generation and opens the copy. A bucket without a
// database gives a new one only when create is set (check).
func checkoutForWriting(ctx context.Context, g *globalOptions, cfg *Config, url, command string, create bool) (*remoteDB, error) {
	co, err := archive.CheckoutDB(ctx, url, 0, remoteOptions(g, cfg, command))
	if err != nil {
		return nil, err
	}
	r := &remoteDB{g: g, url: plainURL(url), co: co}
	if co.From().Number == 0 && !create {
		r.discard(ctx)
		return nil, linkvault.Errorf(linkvault.EInvalid, "%s: no database yet (run 'linkvault check' first)", r.url)
	}
	r.db, err = archive.Open(co.Path(), &archive.Options{Timeout: time.Second, Policy: cfg.policy(), NoCreate: !create, Version: version})
	if err != nil {
		r.discard(ctx)
		return nil, err
	}
	return r, nil
}

// discard closes the copy and gives the lease back without uploading:
// the command failed before it changed anything.
func (r *remoteDB) discard(ctx context.Context) {
	if r.db != nil {
		r.db.Close()
	}
	if err := r.co.Discard(context.WithoutCancel(ctx)); err != nil {
		fmt.Fprintf(r.g.stderr, "linkvault: warning: %s: the lease could not be given back (it expires by itself): %v\n", r.url, err)
	}
}

// finish closes the copy, uploads it as a new generation and gives the
// lease back. It returns runErr, or the upload's error when runErr is nil
// or says only that links are dead (exit 1): a run whose database did not
// reach the bucket could not run (exit 3). An upload error after another
// error is printed.
func (r *remoteDB) finish(ctx context.Context, runErr error) error {
	ctx = context.WithoutCancel(ctx) // what a run did is saved, even after Ctrl-C
	gen, err := r.co.Commit(ctx, r.db)
	if cerr := r.db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil && !r.g.Quiet {
		fmt.Fprintf(r.g.stderr, "linkvault: database uploaded to %s as generation %d (%s, %s compressed)\n",
			r.url, gen.Number, report.Bytes(gen.DBSize), report.Bytes(gen.Size))
	}
	kept := r.release(ctx)
	if err == nil {
		return runErr
	}
	if kept != "" {
		err = fmt.Errorf("%w; this run's database is kept at %s", err, kept)
	}
	var ee *exitError
	if runErr == nil || errors.As(runErr, &ee) && ee.code == exitFindings {
		return err
	}
	fmt.Fprintf(r.g.stderr, "linkvault: %v\n", err)
	return runErr
}

// release gives the lease back; it returns the local copy kept when it
// was not uploaded.
func (r *remoteDB) release(ctx context.Context) (kept string) {
	kept, err := r.co.Release(context.WithoutCancel(ctx))
	if err != nil {
		fmt.Fprintf(r.g.stderr, "linkvault: warning: %s: the lease could not be given back (it expires by itself): %v\n", r.url, err)
	}
	return kept
}

// openWriteDB opens the existing database of a command that changes it
// (accept, gc); finish closes it and, for a database in a bucket, uploads
// the new generation.
func openWriteDB(ctx context.Context, g *globalOptions, command string) (db *archive.DB, finish func(error) error, err error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	name := g.dbPath(cfg)
	if !archive.IsRemote(name) {
		db, err := openExistingDB(ctx, g, cfg, false)
		if err != nil {
			return nil, nil, err
		}
		return db, func(err error) error { db.Close(); return err }, nil
	}
	r, err := checkoutForWriting(ctx, g, cfg, name, command, false)
	if err != nil {
		return nil, nil, err
	}
	return r.db, func(err error) error { return r.finish(ctx, err) }, nil
}

// plainURL is the URL of a database in a bucket without its options, for
// messages.
func plainURL(u string) string {
	base, _, _ := strings.Cut(u, "?")
	return base
}

// dbSet reports whether the database was named anywhere: --db, db: in
// the config file, or LINKVAULT_DB.
func (g *globalOptions) dbSet(cfg *Config) bool {
	_, inFile := cfg.lines["db"]
	return g.DBFile != "" || inFile || cfg.origin["db"] != ""
}

// storeDB returns the database derived from a store in a bucket:
// s3://BUCKET/PREFIX?options gives s3://BUCKET/PREFIX/linkvault.db?options,
// the options of the URL joined by the store's endpoint, region and
// path style when they are set (pathStyle "" or "auto": not set). It
// returns "" for a store that is not a bucket.
func storeDB(store, endpoint, region, pathStyle string) string {
	if !archive.IsRemote(store) {
		return ""
	}
	base, query, _ := strings.Cut(store, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		q = url.Values{}
	}
	if pathStyle == "auto" {
		pathStyle = ""
	}
	for k, v := range map[string]string{"endpoint": endpoint, "region": region, "path_style": pathStyle} {
		if v != "" && q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	u := strings.TrimRight(base, "/") + "/linkvault.db"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

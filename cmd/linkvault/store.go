package main

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
)

// The WARC store: archive.store (or --store) names a directory, or
// s3://BUCKET/PREFIX for an S3-compatible object store, whose options
// (endpoint, region, path style) come from the URL's query, else from
// archive.store_endpoint, archive.store_region and
// archive.store_path_style, else from the AWS environment. With an object
// store, archive.dir is the local outbox: files being written, and those
// not uploaded yet.

// applyStoreFlag sets archive.store from --store (a directory relative
// to the working directory).
func (g *globalOptions) applyStoreFlag(cfg *Config) {
	if g.Store == "" {
		return
	}
	s := g.Store
	if !strings.HasPrefix(s, "s3:") {
		if abs, err := filepath.Abs(s); err == nil {
			s = abs
		}
	}
	cfg.Archive.Store = s
	cfg.setOrigin("archive.store", "--store")
}

// validStore checks the archive.store keys.
func (c *Config) validStore(v *valueCheck) {
	a := c.Archive
	v.webURL("archive.store_endpoint", a.StoreEndpoint, true)
	switch a.StorePathStyle {
	case "auto", "true", "false":
	default:
		v.fail("archive.store_path_style", "must be auto, true or false, got %q", a.StorePathStyle)
	}
	if strings.HasPrefix(a.Store, "s3:") {
		if _, err := archive.StoreURL(a.Store, "", "", ""); err != nil {
			v.fail("archive.store", "must be a directory or s3://BUCKET/PREFIX: %s", strings.TrimPrefix(err.Error(), "store "))
		}
	}
}

// storeLocation returns the WARC store: archive.store, else archive.dir;
// a directory resolved against the config's, an s3 URL with the options
// of the config in its query.
func (c *Config) storeLocation() (string, error) {
	loc := c.Archive.Store
	if loc == "" {
		return c.resolve(c.Archive.Dir), nil
	}
	if !strings.HasPrefix(loc, "s3:") {
		return c.resolve(loc), nil
	}
	a := c.Archive
	u, err := archive.StoreURL(loc, a.StoreEndpoint, a.StoreRegion, a.StorePathStyle)
	if err != nil {
		return "", linkvault.Errorf(linkvault.EInvalid, "archive.store: %w", err)
	}
	return u, nil
}

// openStore opens the WARC store (storeLocation); for an object store
// archive.dir is its outbox. No request is made.
func (c *Config) openStore(ctx context.Context) (*archive.Store, error) {
	loc, err := c.storeLocation()
	if err != nil {
		return nil, err
	}
	return archive.OpenStore(ctx, loc, c.resolve(c.Archive.Dir))
}

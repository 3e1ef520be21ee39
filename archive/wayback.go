package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// bucketWayback caches Wayback Machine answers: URL → JSON linkvault.Wayback.
var bucketWayback = []byte("wayback")

// Defaults of WaybackOptions.
const (
	DefaultWaybackEndpoint = "https://web.archive.org"
	DefaultWaybackMaxAge   = 7 * 24 * time.Hour
)

// waybackTimeout bounds a lookup made with a client that has no Timeout of
// its own (a variable so that tests can shorten it).
var waybackTimeout = 30 * time.Second

// WaybackOptions configures WaybackLookup. The zero value of a field means
// its default.
type WaybackOptions struct {
	Endpoint  string           // base URL of the Wayback Machine (default DefaultWaybackEndpoint)
	Client    *http.Client     // client for the lookup (default: a plain one); redirects are never followed, and a client without a Timeout gets 30 s
	MaxAge    time.Duration    // how long an answer is cached (default 7 days)
	UserAgent string           // User-Agent header (default "linkvault")
	Now       func() time.Time // clock (default time.Now)
}

// WaybackLookup asks the Wayback Machine for the latest snapshot of url:
// GET {Endpoint}/web/{url}, without following redirects. A redirect names
// the snapshot (its Location, made absolute); 404, 410, 403 and 451 mean
// there is none (URL ""). The answer is cached in the database for MaxAge,
// and a cached answer is returned without a request. Other statuses,
// network errors and timeouts are errors and are not cached. On a
// read-only database answers are not cached.
func (db *DB) WaybackLookup(ctx context.Context, url string, opts WaybackOptions) (*linkvault.Wayback, error) {
	if opts.Endpoint == "" {
		opts.Endpoint = DefaultWaybackEndpoint
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultWaybackMaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "linkvault"
	}
	now := opts.Now()
	if wb, ok, err := db.cachedWayback(url); err != nil {
		return nil, err
	} else if ok && now.Sub(wb.CheckedAt) < opts.MaxAge && !wb.CheckedAt.After(now) {
		return wb, nil
	}

	wb, err := queryWayback(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	wb.CheckedAt = now.UTC()
	if !db.readOnly() {
		v, err := json.Marshal(wb)
		if err != nil {
			return nil, fmt.Errorf("archive: wayback cache: %w", err)
		}
		if err := db.update(func(tx *bolt.Tx) error {
			b, err := createBucket(tx, bucketWayback)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(url), v); err != nil {
				return fmt.Errorf("archive: put: %w", err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return wb, nil
}

// cachedWayback returns the cached answer for url, if any.
func (db *DB) cachedWayback(url string) (wb *linkvault.Wayback, ok bool, err error) {
	err = db.view(func(tx *bolt.Tx) error {
		wb, err = getWayback(tx.Bucket(bucketWayback), url)
		return err
	})
	return wb, wb != nil, err
}

// getWayback decodes the cached answer for url in the Wayback cache b (which
// may be nil); nil when there is none.
func getWayback(b *bolt.Bucket, url string) (*linkvault.Wayback, error) {
	if b == nil {
		return nil, nil
	}
	v := b.Get([]byte(url))
	if v == nil {
		return nil, nil
	}
	wb := new(linkvault.Wayback)
	if err := json.Unmarshal(v, wb); err != nil {
		return nil, fmt.Errorf("archive: wayback cache of %s: %w", url, err)
	}
	return wb, nil
}

// queryWayback makes the request of WaybackLookup.
func queryWayback(ctx context.Context, url string, opts WaybackOptions) (*linkvault.Wayback, error) {
	var client http.Client
	if opts.Client != nil {
		client = *opts.Client
	}
	if client.Timeout <= 0 {
		// Never wait forever for an answer (or a body) from the Wayback
		// Machine, whatever client the caller passed.
		client.Timeout = waybackTimeout
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	endpoint := strings.TrimSuffix(opts.Endpoint, "/") + "/web/" + url
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("archive: wayback lookup %s: %w", url, err)
	}
	req.Header.Set("User-Agent", opts.UserAgent)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("archive: wayback lookup %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // reuse the connection

	switch code := resp.StatusCode; {
	case code >= 300 && code < 400 && code != http.StatusNotModified:
		loc, err := resp.Location()
		if err != nil {
			return nil, fmt.Errorf("archive: wayback lookup %s: %d without a usable Location: %w", url, code, err)
		}
		return &linkvault.Wayback{URL: loc.String()}, nil
	case code == http.StatusOK:
		return &linkvault.Wayback{URL: endpoint}, nil // served the snapshot itself
	case code == http.StatusNotFound, code == http.StatusGone,
		code == http.StatusForbidden, code == http.StatusUnavailableForLegalReasons:
		return &linkvault.Wayback{}, nil
	default:
		return nil, fmt.Errorf("archive: wayback lookup %s: unexpected answer %s", url, resp.Status)
	}
}

package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// bucketSWH caches Software Heritage answers: link URL → JSON
// linkvault.SoftwareHeritage.
var bucketSWH = []byte("software_heritage")

// Defaults of SWHOptions.
const (
	DefaultSWHEndpoint = "https://archive.softwareheritage.org"
	DefaultSWHMaxAge   = 7 * 24 * time.Hour
)

// swhTimeout bounds a lookup made with a client that has no Timeout of its
// own (a variable so that tests can shorten it).
var swhTimeout = 30 * time.Second

// ErrRateLimited is returned (wrapped, as a *RateLimitError) when Software
// Heritage answers 429 Too Many Requests: the caller stops asking for the
// rest of the run.
var ErrRateLimited = errors.New("rate limited")

// RateLimitError is the error of a lookup refused by a rate limit: Reset
// is when the limit resets (X-RateLimit-Reset), zero when not said.
type RateLimitError struct {
	Reset time.Time
}

func (e *RateLimitError) Error() string {
	if e.Reset.IsZero() {
		return "software heritage: rate limited"
	}
	return "software heritage: rate limited until " + e.Reset.UTC().Format(time.RFC3339)
}

func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// SWHOptions configures SoftwareHeritageLookup. The zero value of a field
// means its default.
type SWHOptions struct {
	Endpoint  string           // base URL of Software Heritage (default DefaultSWHEndpoint)
	Client    *http.Client     // client for the lookup (default: a plain one); a client without a Timeout gets 30 s
	MaxAge    time.Duration    // how long an answer is cached (default 7 days)
	UserAgent string           // User-Agent header (default "linkvault")
	Now       func() time.Time // clock (default time.Now)
}

// SoftwareHeritageLookup asks Software Heritage whether it archived the
// repository origin (https://github.com/OWNER/REPO) that link points into:
// GET {Endpoint}/api/1/origin/{origin}/visit/latest/?require_snapshot=true.
// 200 names the latest visit with a snapshot (its date, and the browse
// link {Endpoint}/browse/origin/directory/?origin_url=ORIGIN); 404 means
// Software Heritage has none (Origin ""). The answer is cached in the
// database under link for MaxAge, and a cached answer is returned without
// a request. 429 is a *RateLimitError (errors.Is ErrRateLimited); other
// statuses, network errors and timeouts are errors. Errors are not cached.
func (db *DB) SoftwareHeritageLookup(ctx context.Context, link, origin string, opts SWHOptions) (*linkvault.SoftwareHeritage, error) {
	if opts.Endpoint == "" {
		opts.Endpoint = DefaultSWHEndpoint
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultSWHMaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "linkvault"
	}
	now := opts.Now()
	var cached *linkvault.SoftwareHeritage
	err := db.view(func(tx *bolt.Tx) error {
		v := getCopy(tx.Bucket(bucketSWH), []byte(link))
		if v == nil {
			return nil
		}
		cached = new(linkvault.SoftwareHeritage)
		return json.Unmarshal(v, cached)
	})
	if err != nil {
		return nil, fmt.Errorf("archive: software heritage cache of %s: %w", link, err)
	}
	if cached != nil && now.Sub(cached.CheckedAt) < opts.MaxAge && !cached.CheckedAt.After(now) {
		return cached, nil
	}
	sw, err := querySWH(ctx, origin, opts)
	if err != nil {
		return nil, err
	}
	sw.CheckedAt = now.UTC()
	if !db.readOnly() {
		v, err := json.Marshal(sw)
		if err != nil {
			return nil, fmt.Errorf("archive: software heritage cache: %w", err)
		}
		if err := db.update(func(tx *bolt.Tx) error {
			b, err := createBucket(tx, bucketSWH)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(link), v); err != nil {
				return fmt.Errorf("archive: put: %w", err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return sw, nil
}

// querySWH makes the request of SoftwareHeritageLookup.
func querySWH(ctx context.Context, origin string, opts SWHOptions) (*linkvault.SoftwareHeritage, error) {
	var client http.Client
	if opts.Client != nil {
		client = *opts.Client
	}
	if client.Timeout <= 0 {
		client.Timeout = swhTimeout
	}
	base := strings.TrimSuffix(opts.Endpoint, "/")
	endpoint := base + "/api/1/origin/" + origin + "/visit/latest/?require_snapshot=true"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("archive: software heritage lookup %s: %w", origin, err)
	}
	req.Header.Set("User-Agent", opts.UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("archive: software heritage lookup %s: %w", origin, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("archive: software heritage lookup %s: %w", origin, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		var v struct {
			Origin string `json:"origin"`
			Date   string `json:"date"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, fmt.Errorf("archive: software heritage lookup %s: %w", origin, err)
		}
		date, err := time.Parse(time.RFC3339, v.Date)
		if err != nil {
			return nil, fmt.Errorf("archive: software heritage lookup %s: visit date %q: %w", origin, v.Date, err)
		}
		if v.Origin == "" {
			v.Origin = origin
		}
		return &linkvault.SoftwareHeritage{
			Origin:    v.Origin,
			BrowseURL: base + "/browse/origin/directory/?origin_url=" + url.QueryEscape(v.Origin),
			LastVisit: date.UTC(),
		}, nil
	case http.StatusNotFound:
		return &linkvault.SoftwareHeritage{}, nil
	case http.StatusTooManyRequests:
		e := &RateLimitError{}
		if n, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil && n > 0 {
			e.Reset = time.Unix(n, 0).UTC()
		}
		return nil, fmt.Errorf("archive: software heritage lookup %s: %w", origin, e)
	default:
		return nil, fmt.Errorf("archive: software heritage lookup %s: unexpected answer %s", origin, resp.Status)
	}
}

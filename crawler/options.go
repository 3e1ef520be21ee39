package crawler

import (
	"context"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
)

// HostOptions overrides the politeness settings for one host. Zero fields
// keep the value of Options.
type HostOptions struct {
	Rate        float64           // requests per second
	Burst       int               // token bucket size
	Concurrency int               // requests in flight at once
	Headers     map[string]string // extra request headers for this host
	Accept      []int             // status codes counted as ok for this host, instead of Options.Accept
}

// Options configures a Checker. The zero value of every field means its
// default; a nil *Options is not accepted, pass Options{} instead.
type Options struct {
	Concurrency     int                    // M: requests in flight overall (default 64)
	HostConcurrency int                    // N: requests in flight per host (default 2)
	Rate            float64                // requests per second per host (default 2)
	Burst           int                    // per host token bucket, as the server allows (default 2); one token is kept in reserve against network jitter
	Hosts           map[string]HostOptions // per-host overrides: exact host ("example.com", "example.com:8080") or "*.example.com"
	Retries         int                    // retries for 429, 5xx, timeouts and resets (default 2; negative: none); a URL-level timeout is retried once at most
	RetryWait       time.Duration          // base of the exponential backoff between retries (default 1s)
	RetryWaitMax    time.Duration          // cap on the backoff before one retry (default 30s)
	RetryAfterMax   time.Duration          // cap on Retry-After pauses (default 60s)

	DialTimeout   time.Duration // TCP connect (default 10s)
	TLSTimeout    time.Duration // TLS handshake (default 10s)
	HeaderTimeout time.Duration // from request sent to response headers (default 20s)
	ReadTimeout   time.Duration // idle time between two reads of the body (default 20s)
	// Timeout is the total time one request (one attempt: connect, TLS,
	// headers and body) may take (default 60s). A request cut by it is a
	// timeout (unreachable), whatever it had received: a server dripping
	// its body a byte at a time never outlasts it.
	Timeout time.Duration
	// Deadline, when set, ends a budgeted run: no request starts at or
	// after it; targets not started by then, and retries still waiting,
	// get no result (they keep their state and are due the next run).
	// Requests in flight finish, bounded by Timeout.
	Deadline time.Time
	// SlowAfter is how long a request counts against HostConcurrency and
	// Concurrency (default HeaderTimeout/10, 2s with the defaults). A
	// request still running after it (hanging, dripping, a large
	// download) moves to a pool of slow requests, of Concurrency requests
	// and 8×HostConcurrency per host: a host has at most 9×HostConcurrency
	// requests in flight, the run 2×Concurrency, and slow answers do not
	// starve the links behind them. Only a host whose last answer came
	// within SlowAfter lends slots so: one whose answers are all slow is
	// overloaded, and keeps HostConcurrency. The rate limit applies to
	// every request.
	SlowAfter time.Duration

	MaxBody          int64  // bytes of a page body read at most (default 10 MB); longer bodies set Result.Truncated
	BreakerThreshold int    // consecutive connection-level failures that open a host's circuit (default 3)
	UserAgent        string // default: a browser-compatible string naming linkvault and Version
	Version          string // linkvault version, for the default User-Agent
	CAFile           string // extra PEM CA certificates trusted besides the system roots and $SSL_CERT_FILE

	// AllowPrivate allows connections to the special-purpose addresses of
	// the IANA registries (loopback, private, link-local, shared, …; see
	// specialBlocks). The check is made on the resolved address at dial
	// time, so a host name resolving to such an address is refused too;
	// through a proxy, each hop's host is checked before the proxy is
	// asked. A configured proxy itself is always allowed.
	AllowPrivate bool
	// Resolve maps "host:port" or "host" to "ip:port" (or "ip", keeping
	// the port), like curl --resolve.
	Resolve map[string]string
	// DialContext replaces the base dialer (for tests). The private
	// address guard still applies unless AllowPrivate.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// LookupIP replaces the system resolver where the guard resolves a
	// name itself: for a request sent through a proxy, and for
	// Checker.Disclose (for tests).
	LookupIP func(ctx context.Context, host string) ([]net.IP, error)

	// GitHubToken, when set, is sent as Authorization over HTTPS only, to
	// github.com, api.github.com and GitHubAPI's host, and never after a
	// redirect crossed to another host or scheme; it enables repository
	// lookups in GitHubAPI for github.com/OWNER/REPO links. It is never
	// logged or stored.
	GitHubToken string
	GitHubAPI   string // default "https://api.github.com"

	// Buckets, when set, holds the per-host token buckets shared with
	// the other Checkers given the same set, and with Crawl: a site
	// crawled before its links are checked spends one politeness budget
	// per host. Nil: each Check starts its hosts' buckets afresh.
	Buckets *HostBuckets

	Exclude []*regexp.Regexp // URLs matching any of these are skipped …
	Include []*regexp.Regexp // … unless they match one of these; when set, URLs matching none are skipped

	// Accept lists the final status codes (redirects followed) counted
	// as ok; empty means 2xx and 3xx. A 2xx not listed is broken.
	Accept []int
	// Headers are extra request headers sent to every host; the headers
	// of HostOptions win.
	Headers map[string]string

	// Soft404 configures soft 404 detection (see Soft404Options).
	Soft404 Soft404Options
	// KnownLandings maps links checked in earlier runs but not in this
	// one to the URL they ended on, so that a page many links land on is
	// recognised as a generic landing page across runs.
	KnownLandings map[string]string

	// Capture, when set, is called for targets with Capture set whose
	// final response is 2xx with a type in CaptureTypes. It is never
	// called concurrently; ex.Body is valid only during the call.
	Capture      func(ctx context.Context, ex *linkvault.Exchange) error
	CaptureMax   int64    // bytes spooled at most per capture (default 50 MB)
	CaptureTypes []string // media types to capture; "image/*" matches a family
	// Requisites configures the capture of what captured pages need to
	// render (see RequisiteOptions); the zero value captures none.
	Requisites RequisiteOptions

	Progress func(done, total int) // called serially after each emitted result
	Now      func() time.Time      // clock for CheckedAt (default time.Now)
}

// Defaults.
const (
	DefaultConcurrency      = 64
	DefaultHostConcurrency  = 2
	DefaultRate             = 2
	DefaultBurst            = 2
	DefaultRetries          = 2
	DefaultTimeout          = 60 * time.Second
	DefaultRetryWaitMax     = 30 * time.Second
	DefaultBreakerThreshold = 3
	DefaultMaxBody          = 10 << 20
	DefaultCaptureMax       = 50 << 20
	DefaultGitHubAPI        = "https://api.github.com"
)

// DefaultCaptureTypes are the media types captured when Options.CaptureTypes
// is empty.
var DefaultCaptureTypes = []string{"text/html", "application/xhtml+xml", "application/pdf", "text/plain", "image/*"}

// Target is one URL to check.
type Target struct {
	URL          string // canonical http(s) URL
	ETag         string // validators from the last run: sent as a conditional request
	LastModified string
	Capture      bool // fetch with GET and offer the response to Options.Capture
	// Captured is the time of the URL's latest capture (zero: none). A
	// repository page unchanged since (GitHub's last push) needs no fetch
	// when the GraphQL API answers for it.
	Captured time.Time
	// Fragments are the #fragments (without '#', as written) the notes
	// link to on this URL. An HTML page answering ok is searched for
	// their anchors in the body already fetched (no other request);
	// Result.MissingFragments lists those not found.
	Fragments []string
}

func withDefaults(o Options) Options {
	setInt := func(p *int, d int) {
		if *p <= 0 {
			*p = d
		}
	}
	setDur := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	setInt(&o.Concurrency, DefaultConcurrency)
	setInt(&o.HostConcurrency, DefaultHostConcurrency)
	setInt(&o.Burst, DefaultBurst)
	setInt(&o.BreakerThreshold, DefaultBreakerThreshold)
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	setDur(&o.RetryWait, time.Second)
	setDur(&o.RetryWaitMax, DefaultRetryWaitMax)
	o.RetryWaitMax = max(o.RetryWaitMax, o.RetryWait)
	setDur(&o.RetryAfterMax, time.Minute)
	setDur(&o.DialTimeout, 10*time.Second)
	setDur(&o.TLSTimeout, 10*time.Second)
	setDur(&o.HeaderTimeout, 20*time.Second)
	setDur(&o.ReadTimeout, 20*time.Second)
	setDur(&o.Timeout, DefaultTimeout)
	setDur(&o.SlowAfter, o.HeaderTimeout/10)
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.CaptureMax <= 0 {
		o.CaptureMax = DefaultCaptureMax
	}
	o.Requisites.withDefaults()
	if o.Capture == nil && o.Requisites.Capture != nil {
		rc := o.Requisites.Capture
		o.Capture = func(ctx context.Context, ex *linkvault.Exchange) error { _, err := rc(ctx, ex); return err }
	}
	if len(o.CaptureTypes) == 0 {
		o.CaptureTypes = DefaultCaptureTypes
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.UserAgent == "" {
		o.UserAgent = "Mozilla/5.0 (compatible; linkvault/" + o.Version + "; +https://github.com/linkvault/linkvault)"
	}
	if o.GitHubAPI == "" {
		o.GitHubAPI = DefaultGitHubAPI
	}
	o.GitHubAPI = strings.TrimRight(o.GitHubAPI, "/")
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Soft404.GenericMin <= 0 {
		o.Soft404.GenericMin = DefaultGenericMin
	}
	return o
}

// hostLimits returns the rate, burst and concurrency of host: the
// defaults of Options with the host's overrides applied.
func (c *Checker) hostLimits(host string) HostOptions {
	o := &c.opts
	lim := HostOptions{Rate: o.Rate, Burst: o.Burst, Concurrency: o.HostConcurrency}
	if ho, ok := c.hostOptions(host); ok {
		if ho.Rate > 0 {
			lim.Rate = ho.Rate
		}
		if ho.Burst > 0 {
			lim.Burst = ho.Burst
		}
		if ho.Concurrency > 0 {
			lim.Concurrency = ho.Concurrency
		}
	}
	return lim
}

// hostOptions returns the overrides for host: exact match first, then the
// longest matching "*." wildcard.
func (c *Checker) hostOptions(host string) (HostOptions, bool) {
	if len(c.opts.Hosts) == 0 {
		return HostOptions{}, false
	}
	host = strings.ToLower(host)
	if ho, ok := c.opts.Hosts[host]; ok {
		return ho, true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
		if ho, ok := c.opts.Hosts[name]; ok {
			return ho, true
		}
	}
	for i := strings.IndexByte(name, '.'); i >= 0; {
		if ho, ok := c.opts.Hosts["*"+name[i:]]; ok {
			return ho, true
		}
		j := strings.IndexByte(name[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return HostOptions{}, false
}

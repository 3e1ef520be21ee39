package crawler

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"
	"golang.org/x/net/publicsuffix"

	"github.com/linkvault/linkvault"
)

// Checker checks URLs politely: per-host queues, rate limits and circuit
// breakers in front of a net/http client. Use one Checker per
// run; Check must not be called concurrently.
//
// How one URL is checked:
//
//   - Method: a URL whose path ends in a file extension (pdf, zip, png, …)
//     is asked with HEAD; when HEAD answers anything but 2xx or 3xx it is
//     asked again with GET. Other URLs (pages) are fetched with GET at
//     once, since their title and the soft 404 check need the body: one
//     request per URL either way. Targets wanting a capture always use GET.
//   - Bodies: an HTML page is read up to MaxBody (Result.Truncated when
//     longer), its first 2 MB kept for the title and the soft 404 check;
//     other bodies are read at most 64 KB, never decoded or decompressed.
//   - Redirects are followed hop by hop, each through the queue of the host
//     it goes to, and recorded in Result.Redirects; more than 10 hops, or a
//     hop back to a URL already visited (once allowed when the server set
//     a cookie), is broken. Result.MovedTo is the target of the leading run
//     of 301/308 hops: the final URL when every hop is permanent; when a
//     temporary hop (302, 303, 307) follows, the URL it starts from (the
//     page's new permanent address; where it sends visitors today is not
//     what the note should cite, and the title shown is that page's).
//     Never a move that differs from the link only by http→https and/or a
//     trailing slash.
//   - Timeouts: per phase (DialTimeout, TLSTimeout, HeaderTimeout,
//     ReadTimeout of silence) and in total per request (Timeout): a body
//     dripping a byte at a time is a timeout, whatever it had sent.
//   - Retries (Options.Retries) with exponential backoff and jitter
//     (capped by RetryWaitMax) for 429, 5xx, timeouts and connection
//     resets, never for other 4xx; a URL that does not answer (header,
//     read or total timeout) is retried once at most, since each try
//     costs the whole timeout. A retry waits holding no slot, then goes
//     ahead of its host's links not yet started (behind redirects and
//     other retries): at the back, the retries of a big host's hanging
//     links ran after all its other links, one timeout past its end.
//     429, and 503 with Retry-After, halve the host's rate and pause it
//     for the Retry-After time (capped); the rate creeps back on success.
//   - Circuit breaker: BreakerThreshold host-down failures (DNS, refused,
//     no route, TLS, connect or handshake timeout) in sequence open it;
//     requests failing together while in flight at once count once, and
//     timeouts of single URLs (headers, body, total) do not count. The
//     host's links not yet tried are then skipped, with a reason starting
//     "not checked:": never bad, they do not advance towards dead.
//   - Classification: ok (2xx after redirects, 304), broken (404, 410,
//     other 4xx, 5xx after retries, redirect loop), soft404 (2xx whose
//     content is gone: see soft404.go for the signals, among them one
//     random-path probe per host and run), unreachable (DNS, refused, TLS,
//     timeout), blocked (401, 403, 999, bot challenges), throttled (429
//     after retries), skipped (excluded, unsupported scheme, private
//     address). A file link (HEAD) answering 2xx with an HTML page is
//     fetched with GET to look at that page. Options.Accept (and
//     HostOptions.Accept) replace "2xx and 3xx" by a list of codes: a
//     listed 403 or 429 is ok, an unlisted 2xx broken.
type Checker struct {
	opts      Options
	client    *http.Client // one request per call, no redirect followed
	transport *http.Transport
	proxyHost map[string]bool // dial addresses of configured proxies
	private   privateHosts    // names seen resolving to private addresses
	capMu     sync.Mutex      // serialises Options.Capture
	// signatures are the decisive platform signatures: the built-in ones
	// and Options.Soft404.Signatures.
	signatures []Signature

	statsMu  sync.Mutex
	stats    map[string]*linkvault.HostStats
	reqStats requisiteStats // page requisites (requisites.go)

	// ownBuckets are the token buckets of Crawl when Options.Buckets is
	// not set (buckets.go).
	bucketsOnce sync.Once
	ownBuckets  *HostBuckets
}

// NewChecker returns a Checker for opts.
func NewChecker(opts Options) (*Checker, error) {
	o := withDefaults(opts)
	c := &Checker{opts: o, stats: map[string]*linkvault.HostStats{}}
	c.signatures = append(slices.Clip(platformSignatures), o.Soft404.Signatures...)

	roots, err := rootPool(o.CAFile)
	if err != nil {
		return nil, err
	}
	proxyCfg := httpproxy.FromEnvironment()
	proxyFunc := proxyCfg.ProxyFunc()
	c.proxyHost = proxyAddrs(proxyCfg)

	maxConns := o.HostConcurrency
	for _, h := range o.Hosts {
		maxConns = max(maxConns, h.Concurrency)
	}
	c.transport = &http.Transport{
		Proxy:                  c.guardProxy(proxyFunc),
		DialContext:            c.dialRecord,
		TLSClientConfig:        &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    o.TLSTimeout,
		ResponseHeaderTimeout:  o.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           2 * o.Concurrency,
		MaxIdleConnsPerHost:    maxConns,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}

	jar, err := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	if err != nil {
		return nil, fmt.Errorf("crawler: cookie jar: %w", err)
	}
	c.client = &http.Client{
		Transport: &recorder{next: c.transport},
		// Redirects are followed by the scheduler, hop by hop, so that
		// each hop is recorded, rate limited and loop checked.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Jar:           jar,
	}
	return c, nil
}

// Close closes the idle connections of the Checker's transport.
func (c *Checker) Close() error {
	c.transport.CloseIdleConnections()
	return nil
}

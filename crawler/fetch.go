package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gocolly/colly/v2"
	"golang.org/x/net/http/httpproxy"
	"golang.org/x/net/publicsuffix"

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
}

// Checker checks URLs politely: per-host queues, rate limits and circuit
// breakers in front of a synchronous colly collector. Use one Checker per
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
//     costs the whole timeout. A retry waits holding no slot, then joins
//     the back of its host's queue. 429, and 503 with Retry-After,
//     halve the host's rate and pause it for the Retry-After time
//     (capped); the rate creeps back on success.
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
	collector *colly.Collector
	transport *http.Transport
	proxyHost map[string]bool // dial addresses of configured proxies
	private   privateHosts    // names seen resolving to private addresses
	capMu     sync.Mutex      // serialises Options.Capture
	// signatures are the decisive platform signatures: the built-in ones
	// and Options.Soft404.Signatures.
	signatures []Signature

	statsMu sync.Mutex
	stats   map[string]*linkvault.HostStats
}

// errPrivate is returned by the dialer for a refused private address.
var errPrivate = errors.New("private address not allowed")

// NewChecker returns a Checker for opts.
func NewChecker(opts Options) (*Checker, error) {
	o := withDefaults(opts)
	c := &Checker{opts: o, stats: map[string]*linkvault.HostStats{}}
	c.signatures = append(slices.Clip(platformSignatures), o.Soft404.Signatures...)

	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	// SSL_CERT_FILE is read here too, not left to the system pool: the
	// pool reads it once per process (and not at all on some systems).
	for _, f := range []struct{ name, path string }{
		{"SSL_CERT_FILE", os.Getenv("SSL_CERT_FILE")},
		{"CA file", o.CAFile},
	} {
		if f.path == "" {
			continue
		}
		pem, err := os.ReadFile(f.path)
		if err != nil {
			return nil, fmt.Errorf("crawler: read %s: %w", f.name, err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("crawler: %s %s: no PEM certificate found", f.name, f.path)
		}
	}

	proxyCfg := httpproxy.FromEnvironment()
	proxyFunc := proxyCfg.ProxyFunc()
	c.proxyHost = map[string]bool{}
	for _, p := range []string{proxyCfg.HTTPProxy, proxyCfg.HTTPSProxy} {
		if p == "" {
			continue
		}
		if !strings.Contains(p, "://") {
			p = "http://" + p
		}
		if u, err := url.Parse(p); err == nil && u.Host != "" {
			host := u.Host
			if u.Port() == "" {
				port := "80"
				if u.Scheme == "https" {
					port = "443"
				}
				host = net.JoinHostPort(u.Hostname(), port)
			}
			c.proxyHost[strings.ToLower(host)] = true
		}
	}

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
	// Built by hand rather than with colly.NewCollector so that COLLY_*
	// environment variables cannot override these settings.
	col := &colly.Collector{}
	col.Init()
	col.AllowURLRevisit = true        // we de-duplicate ourselves
	col.ParseHTTPErrorResponse = true // we classify every status ourselves
	col.MaxBodySize = 0               // the recorder below caps and hides bodies
	col.IgnoreRobotsTxt = true
	col.UserAgent = o.UserAgent
	col.SetClient(&http.Client{
		Transport: &recorder{next: c.transport},
		// Redirects are followed by the scheduler, hop by hop, so that
		// each hop is recorded, rate limited and loop checked.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Jar:           jar,
	})
	c.collector = col
	return c, nil
}

// Close closes the idle connections of the Checker's transport.
func (c *Checker) Close() error {
	c.transport.CloseIdleConnections()
	return nil
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

// maxHeaderBytes caps response headers: a server sending more is answered
// with an error instead of costing memory.
const maxHeaderBytes = 256 << 10

// dial resolves Resolve overrides, dials with the base dialer and refuses
// private addresses unless allowed. The address is checked after name
// resolution, right before connecting, so DNS cannot bypass the guard.
func (c *Checker) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	isProxy := c.proxyHost[strings.ToLower(addr)]
	addr = c.resolveOverride(addr)
	guard := !c.opts.AllowPrivate && !isProxy
	ctx, cancel := context.WithTimeout(ctx, c.opts.DialTimeout)
	defer cancel()
	if host, _, err := net.SplitHostPort(addr); err == nil && guard {
		if ip := net.ParseIP(host); ip != nil && privateIP(ip) {
			return nil, &net.OpError{Op: "dial", Net: network, Addr: ipAddr(ip), Err: errPrivate}
		}
	}
	if c.opts.DialContext != nil {
		conn, err := c.opts.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if guard {
			if ta, ok := conn.RemoteAddr().(*net.TCPAddr); ok && privateIP(ta.IP) {
				conn.Close()
				return nil, &net.OpError{Op: "dial", Net: network, Addr: ta, Err: errPrivate}
			}
		}
		return conn, nil
	}
	d := net.Dialer{Timeout: c.opts.DialTimeout, KeepAlive: 30 * time.Second}
	if guard {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || privateIP(ip) {
				return errPrivate
			}
			return nil
		}
	}
	return d.DialContext(ctx, network, addr)
}

type ipAddr net.IP

func (a ipAddr) Network() string { return "ip" }
func (a ipAddr) String() string  { return net.IP(a).String() }

// resolveOverride applies Options.Resolve to a "host:port" address.
func (c *Checker) resolveOverride(addr string) string {
	if len(c.opts.Resolve) == 0 {
		return addr
	}
	if to, ok := c.opts.Resolve[addr]; ok {
		return to
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	to, ok := c.opts.Resolve[host]
	if !ok {
		return addr
	}
	if _, _, err := net.SplitHostPort(to); err == nil {
		return to
	}
	return net.JoinHostPort(strings.Trim(to, "[]"), port)
}

// request is one HTTP request the scheduler asks for.
type request struct {
	method  string
	url     string
	header  http.Header
	body    readMode // how to read a 2xx body
	capture bool     // spool an archivable 2xx body for Options.Capture
	// captureAPI offers a 200 answer of the GitHub API (kept in memory,
	// read as readJSON) to Options.Capture: the repository's metadata is
	// archived beside its page.
	captureAPI bool
}

// readMode tells the recorder how much of a 2xx body to read.
type readMode int

const (
	readSmall readMode = iota // up to smallBody bytes, not kept (keep-alive)
	readPage                  // up to MaxBody, the first keepBody bytes kept for analysis
	readJSON                  // up to keepBody bytes, kept (API answers)
)

const (
	smallBody = 64 << 10 // read of bodies we do not analyse, kept for error pages
	keepBody  = 2 << 20  // bytes of a page kept in memory for title and soft 404
)

// exchange is what one request got, filled by the recorder.
type exchange struct {
	req       request
	opts      *Options
	start     time.Time
	duration  time.Duration
	reqHeader http.Header

	resp       *http.Response // status and headers; its body is closed
	remoteAddr string
	body       []byte // kept bytes (raw, as sent)
	bytesRead  int64
	truncated  bool  // the body was longer than what we were willing to read
	bodyErr    error // error while reading the body
	readTO     bool  // bodyErr is the idle read timeout
	deadline   bool  // Options.Timeout cut the request (err is a *timeoutError)
	spool      *os.File
	spoolSize  int64
	spoolTrunc bool

	err error // transport error: no response
}

type exchangeKey struct{}

// do performs one request through colly and returns what was received.
func (c *Checker) do(ctx context.Context, r request) *exchange {
	x := &exchange{req: r, opts: &c.opts, start: time.Now()}
	tctx, stop := context.WithTimeout(ctx, c.opts.Timeout)
	defer stop()
	rctx, cancel := context.WithCancel(tctx)
	defer cancel()
	col := c.collector.Clone()
	col.Context = context.WithValue(rctx, exchangeKey{}, &exchangeCtx{x: x, cancel: cancel})
	err := col.Request(r.method, r.url, nil, nil, r.header)
	x.duration = time.Since(x.start)
	if ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		// Cut by the total timeout, before or while reading the body
		// (an HTTP/2 stream cut may read as a clean end): what was
		// received does not count.
		x.deadline = true
		x.err = &timeoutError{d: c.opts.Timeout}
		x.dropSpool()
		return x
	}
	if x.resp == nil {
		if err == nil {
			err = errors.New("crawler: no response")
		}
		x.err = err
	}
	return x
}

// timeoutError is a request cut by Options.Timeout.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string {
	return "timeout after " + e.d.String() + " in total"
}

type exchangeCtx struct {
	x      *exchange
	cancel context.CancelFunc
}

// recorder is the RoundTripper under colly's client: it records the
// response, reads (and caps) the body itself, spools captures to disk, and
// hands colly an empty body so colly neither buffers nor decompresses it.
type recorder struct{ next http.RoundTripper }

func (t *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	xc, _ := req.Context().Value(exchangeKey{}).(*exchangeCtx)
	if xc == nil {
		return t.next.RoundTrip(req)
	}
	x := xc.x
	trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		if ci.Conn != nil {
			x.remoteAddr = ci.Conn.RemoteAddr().String()
		}
	}}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	x.reqHeader = req.Header.Clone()
	x.reqHeader.Del("Authorization")
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	x.resp = resp
	x.readBody(resp.Body, xc.cancel)
	resp.Body.Close()

	h := resp.Header.Clone()
	// colly would gunzip these without a size limit.
	h.Del("Content-Encoding")
	if strings.Contains(strings.ToLower(h.Get("Content-Type")), "gzip") {
		h.Set("Content-Type", "application/octet-stream")
	}
	return &http.Response{
		Status: resp.Status, StatusCode: resp.StatusCode,
		Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
		Header: h, Body: http.NoBody, ContentLength: 0, Request: req, TLS: resp.TLS,
	}, nil
}

// readBody reads the body as the request's mode asks, with the idle read
// timeout, never more than the caps.
func (x *exchange) readBody(body io.Reader, cancel context.CancelFunc) {
	if x.req.method == http.MethodHead {
		return
	}
	var timedOut bool
	var mu sync.Mutex
	timer := time.AfterFunc(x.opts.ReadTimeout, func() {
		mu.Lock()
		timedOut = true
		mu.Unlock()
		cancel()
	})
	defer timer.Stop()
	r := &idleReader{r: body, timer: timer, d: x.opts.ReadTimeout}
	defer func() {
		mu.Lock()
		x.readTO = timedOut && x.bodyErr != nil
		mu.Unlock()
	}()

	status := x.resp.StatusCode
	switch {
	case status >= 300 && status < 400:
		x.read(r, 4<<10, 0, false)
	case status < 200 || status >= 300:
		x.read(r, smallBody, smallBody, false)
	case x.req.capture && x.captureType():
		x.spoolBody(r)
	case x.req.body == readPage && isHTML(x.resp.Header.Get("Content-Type")):
		x.read(r, x.opts.MaxBody, min(x.opts.MaxBody, keepBody), true)
	case x.req.body == readJSON:
		x.read(r, keepBody, keepBody, true)
	default:
		x.read(r, smallBody, 0, false)
	}
}

// read reads up to limit bytes, keeping the first keep bytes. When flag is
// set, a body longer than limit is recorded as truncated.
func (x *exchange) read(r io.Reader, limit, keep int64, flag bool) {
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	for x.bytesRead < limit {
		n, err := r.Read(buf[:min(int64(len(buf)), limit-x.bytesRead)])
		if n > 0 {
			if kept := int64(len(x.body)); kept < keep {
				x.body = append(x.body, buf[:min(int64(n), keep-kept)]...)
			}
			x.bytesRead += int64(n)
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			x.bodyErr = err
			return
		}
	}
	if flag {
		x.truncated = moreData(r)
	}
}

// readBufs are the buffers of exchange.read: one per request in flight,
// not one per request made (32 KB each, the bulk of a check's garbage).
var readBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// moreData reports whether r has at least one more byte.
func moreData(r io.Reader) bool {
	var one [1]byte
	for range 3 {
		n, err := r.Read(one[:])
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	return false
}

// idleReader resets an idle timer on every read.
type idleReader struct {
	r     io.Reader
	timer *time.Timer
	d     time.Duration
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.timer.Reset(r.d)
	}
	return n, err
}

// requestHeader builds the headers of a request to u.
func (c *Checker) requestHeader(u *url.URL, method string, t *Target, conditional bool) http.Header {
	h := http.Header{}
	h.Set("User-Agent", c.opts.UserAgent)
	if method == http.MethodHead {
		h.Set("Accept", "*/*")
	} else {
		h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	}
	h.Set("Accept-Language", "en-US,en;q=0.9,zh-CN;q=0.8,zh;q=0.7")
	for k, v := range c.opts.Headers {
		h.Set(k, v)
	}
	if ho, ok := c.hostOptions(u.Host); ok {
		for k, v := range ho.Headers {
			h.Set(k, v)
		}
	}
	if conditional && t != nil {
		if t.ETag != "" {
			h.Set("If-None-Match", t.ETag)
		}
		if t.LastModified != "" {
			h.Set("If-Modified-Since", t.LastModified)
		}
	}
	return h
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

// headFirst reports whether a URL names a file download, checked with HEAD
// first; pages are fetched with GET at once, since their title and soft 404
// check need the body anyway.
func headFirst(u *url.URL) bool {
	p := strings.ToLower(u.Path)
	i := strings.LastIndexByte(p, '.')
	if i < 0 || strings.IndexByte(p[i:], '/') >= 0 {
		return false
	}
	return fileExt[p[i+1:]]
}

var fileExt = map[string]bool{}

func init() {
	for _, e := range strings.Fields(`pdf zip gz tgz bz2 xz zst 7z rar tar jar war whl egg
		exe msi dmg pkg deb rpm apk ipa iso img bin
		png jpg jpeg gif webp svg ico bmp tif tiff avif heic
		mp3 mp4 m4a m4v webm mkv avi mov flac ogg wav
		doc docx xls xlsx ppt pptx odt ods odp epub mobi
		csv tsv parquet woff woff2 ttf otf`) {
		fileExt[e] = true
	}
}

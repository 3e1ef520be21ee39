package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/time/rate"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
)

// Defaults of SiteOptions.
const (
	DefaultSiteMaxDepth = 10   // links followed from the start page
	DefaultSiteMaxPages = 5000 // pages fetched per site
)

// SiteOptions tune Crawl. The zero value is the default.
type SiteOptions struct {
	// MaxDepth is how many links away from the start page a page may be
	// (the start page is at depth 0; sitemap entries at 1). Default
	// DefaultSiteMaxDepth; negative: the start page only.
	MaxDepth int
	// MaxPages caps the pages fetched (sitemaps and robots.txt not
	// counted). Default DefaultSiteMaxPages.
	MaxPages int
	// AllowDomains are the host names whose pages are crawled besides
	// the start URL's and the host its redirects lead to (exact names, no
	// port). Links to other hosts are links to check, never crawled.
	AllowDomains []string
	// Exclude lists URLs never crawled (they are still links to check),
	// as colly's DisallowedURLFilters.
	Exclude []*regexp.Regexp
	// IgnoreRobots crawls pages that robots.txt disallows.
	IgnoreRobots bool
	// NoSitemap does not read /sitemap.xml.
	NoSitemap bool
	// Progress, when not nil, is told after each page fetched how many
	// pages were crawled and how many are waiting (queued or in
	// flight). It is called from one goroutine.
	Progress func(pages, waiting int)
}

// Site is what Crawl found.
type Site struct {
	Start string // the start URL, canonical
	// Final is where the start URL's redirects led, canonical, when
	// elsewhere: the crawl's start page, whose host is crawled too.
	Final string
	Pages []SitePage // pages fetched, in crawl order
	// Links are the links of the pages: each Source is a page (File is
	// its URL) with the line and column in its HTML, so that a page of
	// a site is a note like a file. The start URL is among them (its own
	// source when no page links to it); pages are links too.
	Links []linkvault.Link
	// NotHTML is the Content-Type of a start URL that is not an HTML
	// page: nothing was crawled, and Links holds the start URL alone.
	NotHTML string
	// Warnings say what bounded the crawl (site.max_pages, max_depth)
	// and which pattern of URLs filled it, and what robots.txt kept out.
	Warnings []string
	// Requests made (robots.txt and sitemaps included) and answers 429.
	Requests, Throttled int
}

// SitePage is one page of a crawled site.
type SitePage struct {
	URL    string // the URL crawled (canonical)
	Final  string // the URL of the HTML after redirects, when different
	Depth  int    // links away from the start page
	Status int    // HTTP status of the final answer (0: no answer)
	// Anchors are the fragment targets of the page (id attributes and
	// <a name>), in document order: what a link to URL#fragment may
	// point at. Hook for fragment checks (issue 16, point 2): the page
	// is parsed once, here; no extra request is needed to judge a
	// fragment.
	Anchors []string
}

// SiteError is returned by Crawl when the site cannot be crawled at all:
// its start page is unreachable, answers an error, or is disallowed by
// robots.txt.
type SiteError struct {
	URL    string
	Robots bool // robots.txt disallows the start page
	Err    error
}

func (e *SiteError) Error() string {
	if e.Robots {
		return "site " + e.URL + ": robots.txt disallows crawling it"
	}
	return "site " + e.URL + ": cannot crawl: " + e.Err.Error()
}

func (e *SiteError) Unwrap() error { return e.Err }

// Crawl crawls the site at start with colly: the pages reachable from the
// start page (and the site's sitemap.xml) within opts, each parsed once
// for its links and anchors. Every request waits for its host's token in
// the Checker's buckets (Options.Buckets), the ones Check spends, and goes
// through the Checker's transport (proxy, CA, resolve overrides,
// private-address guard, timeouts). It does not check the links found:
// give Site.Links to Check.
//
// A start URL that is not an HTML page is no error: Site.NotHTML says so
// and Site.Links holds it alone. An unreachable or failing start page, or
// one robots.txt disallows, is a *SiteError. When ctx ends Crawl returns
// ctx.Err().
func (c *Checker) Crawl(ctx context.Context, start string, opts SiteOptions) (*Site, error) {
	s, err := c.newSiteCrawl(ctx, start, opts)
	if err != nil {
		return nil, err
	}
	return s.run()
}

// siteCrawl is the state of one Crawl.
type siteCrawl struct {
	c     *Checker
	ctx   context.Context
	opts  SiteOptions
	start *url.URL // the start page, after its redirects (fetchStart)
	col   *colly.Collector
	tr    *siteTransport
	allow map[string]bool

	mu    sync.Mutex // guards what the workers add
	links map[string]int
	site  Site

	seen     map[string]bool // URLs queued (canonical), owned by run
	starting bool            // the start page is being fetched (fetchStart)
	queued   int
	capped   map[string]int // pattern → URLs left out by MaxPages
	deep     map[string]int // pattern → URLs left out by MaxDepth
	robots   int            // pages robots.txt kept out
}

// siteItem is one page to fetch.
type siteItem struct {
	url   string
	depth int
}

// sitePage is what fetching one page gave.
type sitePage struct {
	item    siteItem
	page    SitePage
	follow  []string // URLs of the site linked from the page, canonical
	err     error
	robots  bool
	notHTML string
}

// newSiteCrawl makes the state of a crawl of start: its canonical URL,
// the options' defaults, the allowed hosts and the collector.
func (c *Checker) newSiteCrawl(ctx context.Context, start string, opts SiteOptions) (*siteCrawl, error) {
	canon, _, err := extract.Canonical(start)
	if err != nil {
		return nil, &SiteError{URL: start, Err: err}
	}
	u, err := url.Parse(canon)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, &SiteError{URL: start, Err: errors.New("not an http or https URL")}
	}
	if opts.MaxDepth == 0 {
		opts.MaxDepth = DefaultSiteMaxDepth
	}
	if opts.MaxPages <= 0 {
		opts.MaxPages = DefaultSiteMaxPages
	}
	s := &siteCrawl{
		c: c, ctx: ctx, opts: opts, start: u,
		allow: map[string]bool{}, links: map[string]int{},
		seen: map[string]bool{}, capped: map[string]int{}, deep: map[string]int{},
	}
	s.site.Start = canon
	for _, d := range append([]string{u.Hostname()}, opts.AllowDomains...) {
		s.allow[strings.ToLower(d)] = true
	}
	s.tr = &siteTransport{c: c}
	col, err := s.collector()
	if err != nil {
		return nil, err
	}
	s.col = col
	return s, nil
}

// collector makes the colly collector of the crawl: its allowed domains,
// URL filters, robots.txt, cookie jar, redirect guard and transport, and
// the callbacks that fill the sitePage of each request.
func (s *siteCrawl) collector() (*colly.Collector, error) {
	c, opts := s.c, s.opts
	jar, err := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	if err != nil {
		return nil, fmt.Errorf("crawler: cookie jar: %w", err)
	}
	// Built by hand rather than with colly.NewCollector so that COLLY_*
	// environment variables cannot override these settings.
	col := &colly.Collector{}
	col.Init()
	col.Context = s.ctx
	col.AllowURLRevisit = true        // Crawl de-duplicates (seen)
	col.ParseHTTPErrorResponse = true // every status reaches OnResponse
	col.IgnoreRobotsTxt = opts.IgnoreRobots
	col.UserAgent = c.opts.UserAgent
	col.MaxBodySize = int(c.opts.MaxBody)
	col.AllowedDomains = s.allowed()
	col.DisallowedURLFilters = opts.Exclude
	col.SetRequestTimeout(c.opts.Timeout)
	col.SetCookieJar(jar)
	col.WithTransport(s.tr)
	col.SetRedirectHandler(redirectGuard)
	col.OnRequest(func(r *colly.Request) {
		if r.Ctx.GetAny(robotsOnlyKey) != nil {
			r.Abort() // robotsAllow: colly has checked robots.txt
		}
	})
	col.OnResponseHeaders(func(r *colly.Response) {
		if ct := r.Headers.Get(origContentType); r.StatusCode < 300 && !isHTML(ct) {
			jobOf(r.Ctx).notHTML = firstNonEmpty(ct, "no Content-Type")
			r.Request.Abort()
		}
	})
	col.OnResponse(func(r *colly.Response) {
		j := jobOf(r.Ctx)
		j.page.Status = r.StatusCode
		if fin, _, err := extract.Canonical(r.Request.URL.String()); err == nil && fin != j.item.url {
			j.page.Final = fin
		}
		if s.starting { // before parse: the links to the landing host are the site's
			s.allow[strings.ToLower(r.Request.URL.Hostname())] = true
		}
		if r.StatusCode >= 200 && r.StatusCode < 300 {
			s.parse(j, r.Request.URL, r.Body, r.Headers.Get(origContentType))
		} else {
			j.err = fmt.Errorf("%d %s", r.StatusCode, http.StatusText(r.StatusCode))
		}
	})
	col.OnError(func(r *colly.Response, err error) {
		j := jobOf(r.Ctx)
		j.page.Status = r.StatusCode
		j.err = err
	})
	return col, nil
}

// redirectGuard stops a redirect loop at its first repeated URL and a
// chain at 10 hops (a custom handler lifts colly's cap): the last answer,
// a redirect, is the page's.
func redirectGuard(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return http.ErrUseLastResponse
	}
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return http.ErrUseLastResponse
		}
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

const jobKey = "linkvault-site-job"

func jobOf(ctx *colly.Context) *sitePage {
	j, _ := ctx.GetAny(jobKey).(*sitePage)
	if j == nil {
		return &sitePage{} // a request Crawl did not make (none): ignored
	}
	return j
}

// run crawls: the start page first, alone (its failure is the site's),
// then the sitemap's pages and the pages linked, breadth first, by
// HostConcurrency workers.
func (s *siteCrawl) run() (*Site, error) {
	first := s.fetchStart()
	s.seen[s.site.Start] = true
	s.queued = 1
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	switch {
	case first.robots:
		return nil, &SiteError{URL: s.site.Start, Robots: true, Err: colly.ErrRobotsTxtBlocked}
	case first.notHTML != "":
		s.site.NotHTML = first.notHTML
		s.addStart()
		return &s.site, nil
	case first.err != nil:
		return nil, &SiteError{URL: s.site.Start, Err: first.err}
	}
	var queue []siteItem
	queue = s.admit(queue, 0, first.follow)
	s.site.Pages = append(s.site.Pages, first.page)
	if first.page.Final != "" {
		s.seen[first.page.Final] = true
		s.site.Final = first.page.Final
		if u, err := url.Parse(first.page.Final); err == nil {
			s.start = u // its sitemap is the site's
		}
	}
	if !s.opts.NoSitemap {
		queue = s.admit(queue, 0, s.sitemap())
	}
	s.crawl(queue)
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	s.addStart()
	s.finish()
	return &s.site, nil
}

// fetchStart fetches the start page, alone, following its redirects
// wherever they lead (users give the address they know: http for https,
// the apex for www, an old domain for its new one), as muffet, linkinator
// and LinkChecker do: the host it lands on becomes one of the site's
// (OnResponse adds it to allow while starting). Every hop still goes
// through siteTransport and its host's bucket. Then the collector allows
// the site's hosts alone again: another page's redirect to another host
// is a link to check, not a page to crawl. colly checks robots.txt before
// a request, not before its redirects: the page landed on is checked
// then, which also reads the landing host's robots.txt once, before the
// workers would each ask for it.
func (s *siteCrawl) fetchStart() *sitePage {
	s.starting = true
	s.col.AllowedDomains = nil // colly: every host
	first := s.fetch(siteItem{url: s.site.Start})
	s.starting = false
	s.col.AllowedDomains = s.allowed()
	if fin := first.page.Final; fin != "" && first.err == nil && !s.opts.IgnoreRobots && !s.robotsAllow(fin) {
		first.robots = true
	}
	return first
}

const robotsOnlyKey = "linkvault-robots-only"

// robotsAllow reports whether robots.txt lets the crawl fetch u, asking
// colly (which reads each host's robots.txt once) without fetching u.
func (s *siteCrawl) robotsAllow(u string) bool {
	ctx := colly.NewContext()
	ctx.Put(robotsOnlyKey, true)
	return !errors.Is(s.col.Request(http.MethodGet, u, nil, ctx, nil), colly.ErrRobotsTxtBlocked)
}

// allowed lists the hosts whose pages are crawled, sorted.
func (s *siteCrawl) allowed() []string {
	return slices.Sorted(maps.Keys(s.allow))
}

// crawl fetches the queue and what it leads to with a pool of workers.
func (s *siteCrawl) crawl(queue []siteItem) {
	workers := max(1, s.c.opts.HostConcurrency*len(s.allow))
	work := make(chan siteItem)
	results := make(chan *sitePage)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for it := range work {
				results <- s.fetch(it)
			}
		})
	}
	inflight := 0
	for len(queue) > 0 || inflight > 0 {
		var send chan siteItem
		var next siteItem
		if len(queue) > 0 && s.ctx.Err() == nil {
			send, next = work, queue[0]
		}
		if send == nil && inflight == 0 {
			break
		}
		select {
		case send <- next:
			queue = queue[1:]
			inflight++
		case p := <-results:
			inflight--
			queue = s.landed(queue, p)
			if s.opts.Progress != nil {
				s.opts.Progress(len(s.site.Pages), len(queue)+inflight)
			}
		}
	}
	close(work)
	wg.Wait()
}

// landed records a fetched page and queues the pages it links to.
func (s *siteCrawl) landed(queue []siteItem, p *sitePage) []siteItem {
	switch {
	case p.robots:
		s.robots++
		return queue
	case p.notHTML != "" || p.err != nil:
		return queue // a link like any other: Check judges it
	}
	s.site.Pages = append(s.site.Pages, p.page)
	if p.page.Final != "" {
		s.seen[p.page.Final] = true
	}
	return s.admit(queue, p.item.depth, p.follow)
}

// admit queues the URLs linked from a page at depth, within MaxDepth and
// MaxPages; what is left out is counted by pattern for the warnings.
func (s *siteCrawl) admit(queue []siteItem, depth int, urls []string) []siteItem {
	for _, u := range urls {
		if s.seen[u] {
			continue
		}
		s.seen[u] = true
		switch {
		case depth+1 > s.opts.MaxDepth:
			s.deep[urlPattern(u)]++
		case s.queued >= s.opts.MaxPages:
			s.capped[urlPattern(u)]++
		default:
			s.queued++
			queue = append(queue, siteItem{url: u, depth: depth + 1})
		}
	}
	return queue
}

// fetch fetches and parses one page.
func (s *siteCrawl) fetch(it siteItem) *sitePage {
	j := &sitePage{item: it, page: SitePage{URL: it.url, Depth: it.depth}}
	ctx := colly.NewContext()
	ctx.Put(jobKey, j)
	u, _ := url.Parse(it.url)
	err := s.col.Request(http.MethodGet, it.url, nil, ctx, s.c.requestHeader(u, http.MethodGet, nil, false))
	switch {
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		j.robots = true
	case errors.Is(err, colly.ErrAbortedAfterHeaders):
	case err != nil && j.err == nil:
		j.err = err
	}
	return j
}

// parse reads a page's links and anchors. base is the URL the HTML came
// from (after redirects), raw its bytes, ct its Content-Type.
func (s *siteCrawl) parse(j *sitePage, base *url.URL, raw []byte, ct string) {
	text := []byte(DecodeHTML(raw, ct))
	name := j.item.url
	if j.page.Final != "" {
		name = j.page.Final
	}
	links := extract.Bytes(name, text, extract.Options{Page: base})
	j.page.Anchors = anchors(text)
	for _, l := range links {
		if l.Kind == linkvault.KindWeb && s.crawlable(l.URL) {
			j.follow = append(j.follow, l.URL)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(links)
}

// add merges the links of one page; s.mu is held.
func (s *siteCrawl) add(links []linkvault.Link) {
	for _, l := range links {
		key := string(l.Kind) + " " + l.URL
		if i, ok := s.links[key]; ok {
			s.site.Links[i].Sources = append(s.site.Links[i].Sources, l.Sources...)
			continue
		}
		s.links[key] = len(s.site.Links)
		s.site.Links = append(s.site.Links, l)
	}
}

// addStart makes sure the start URL is a link: its own source when no
// page links to it.
func (s *siteCrawl) addStart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.links[string(linkvault.KindWeb)+" "+s.site.Start]; ok {
		return
	}
	s.add([]linkvault.Link{{URL: s.site.Start, Kind: linkvault.KindWeb, Sources: []linkvault.Source{
		{File: s.site.Start, Line: 1, Column: 1, Text: "start of the site"},
	}}})
}

// crawlable reports whether u (canonical) is a page of the site to crawl:
// on an allowed host, not a file by its extension, not a URL the checker
// never fetches (Options.Exclude and Include). SiteOptions.Exclude and
// robots.txt are colly's to apply.
func (s *siteCrawl) crawlable(u string) bool {
	p, err := url.Parse(u)
	if err != nil || !s.onSite(u) || s.c.opts.skipReason(u) != "" {
		return false
	}
	ext := strings.ToLower(path.Ext(p.Path))
	return ext == "" || !fileExt()[ext[1:]] && !assetExt[ext[1:]]
}

// onSite reports whether u is on an allowed host.
func (s *siteCrawl) onSite(u string) bool {
	p, err := url.Parse(u)
	return err == nil && s.allow[strings.ToLower(p.Hostname())]
}

// assetExt are extensions of a page's resources, not pages: checked as
// links, not crawled.
var assetExt = map[string]bool{"css": true, "js": true, "mjs": true, "json": true, "xml": true, "txt": true, "map": true, "rss": true, "atom": true}

// finish sorts the sources and writes the warnings.
func (s *siteCrawl) finish() {
	for i := range s.site.Links {
		slices.SortStableFunc(s.site.Links[i].Sources, linkvault.Source.Compare)
	}
	if n, pat, k := top(s.capped); n > 0 {
		s.site.Warnings = append(s.site.Warnings, fmt.Sprintf("stopped at %d pages (site.max_pages): %d more not crawled, most of them like %s (%d): a calendar or session-id trap? Leave it out with site.exclude", s.opts.MaxPages, n, pat, k))
	}
	if n, pat, k := top(s.deep); n > 0 {
		s.site.Warnings = append(s.site.Warnings, fmt.Sprintf("%d pages deeper than %d links (site.max_depth) not crawled, most of them like %s (%d)", n, s.opts.MaxDepth, pat, k))
	}
	if s.robots > 0 {
		s.site.Warnings = append(s.site.Warnings, fmt.Sprintf("%d pages not crawled: robots.txt disallows them (their links are checked, not followed)", s.robots))
	}
	s.site.Requests = int(s.tr.requests.Load())
	s.site.Throttled = int(s.tr.throttled.Load())
}

// top returns the total of counts, its largest pattern and that count.
func top(counts map[string]int) (total int, pattern string, n int) {
	for p, k := range counts {
		total += k
		if k > n || k == n && p < pattern {
			pattern, n = p, k
		}
	}
	return total, pattern, n
}

var digits = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[0-9]+`) })

// urlPattern names the shape of a URL for a warning: digits become N, and
// query values "*" (/calendar/2026/12?sid=ab12 → /calendar/N/N?sid=*).
func urlPattern(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	out := digits().ReplaceAllString(p.Path, "N")
	if p.RawQuery != "" {
		var keys []string
		for _, kv := range strings.Split(p.RawQuery, "&") {
			k, _, _ := strings.Cut(kv, "=")
			keys = append(keys, k+"=*")
		}
		out += "?" + strings.Join(keys, "&")
	}
	return out
}

// origContentType is the header where siteTransport keeps a page's
// Content-Type for Crawl, and hands colly one without its charset: colly
// would convert the body itself, and only when the header names a charset
// (a GBK page declaring it in <meta> would come out garbled); Crawl
// decodes with DecodeHTML, as Check does.
const origContentType = "X-Linkvault-Content-Type"

// siteTransport is the RoundTripper under the crawl's colly collector:
// each request (pages, redirects, robots.txt, sitemaps) waits for its
// host's token in the bucket Check spends, then goes through the Checker's
// transport. A 429 (or 503 with Retry-After) halves the host's rate,
// waits for Retry-After (capped by RetryAfterMax) and asks again, at most
// Retries times; each success creeps the rate back up by a quarter, as in
// Check (host.throttle, host.recover).
type siteTransport struct {
	c                   *Checker
	requests, throttled atomic.Int64
}

func (t *siteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	o := &t.c.opts
	lim := t.c.bucket(req.URL.Host)
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", o.UserAgent)
	}
	for try := 0; ; try++ {
		if err := takeToken(req.Context(), lim); err != nil {
			return nil, err
		}
		t.requests.Add(1)
		resp, err := t.c.transport.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		now := time.Now()
		ra, hasRA := retryAfter(resp.Header.Get("Retry-After"), now)
		base := rate.Limit(t.c.hostLimits(req.URL.Host).Rate)
		switch judgeHost(resp.StatusCode, hasRA) {
		case hostRecover:
			if l := lim.Limit(); l < base {
				lim.SetLimitAt(now, min(base, l*1.25)) // as host.recover
			}
		case hostThrottle:
			if resp.StatusCode == http.StatusTooManyRequests {
				t.throttled.Add(1)
			}
			lim.SetLimitAt(now, max(lim.Limit()/2, base/16))
			if try < max(o.Retries, 0) {
				io.Copy(io.Discard, io.LimitReader(resp.Body, smallBody))
				resp.Body.Close()
				if err := sleepCtx(req.Context(), min(max(ra, o.RetryWait), o.RetryAfterMax)); err != nil {
					return nil, err
				}
				continue
			}
		}
		if ct := resp.Header.Get("Content-Type"); ct != "" {
			resp.Header.Set(origContentType, ct)
			if mt, _, err := mime.ParseMediaType(ct); err == nil {
				resp.Header.Set("Content-Type", mt)
			}
		}
		return resp, nil
	}
}

// takeToken waits until lim has a token and takes it at the moment the
// request leaves, as the scheduler does (host.ready): rate.Limiter.Wait
// would book each waiter's slot in advance, and a waiter woken late would
// then leave together with the next one (measured on BenchmarkCrawlSite
// at 200 req/s: 7 to 27 provoked 429s, 1.16× the bound; taking tokens when
// leaving: see BENCHMARKS.md).
func takeToken(ctx context.Context, lim *rate.Limiter) error {
	for {
		now := time.Now()
		if lim.AllowN(now, 1) {
			return nil
		}
		wait := 100 * time.Millisecond
		if l := float64(lim.Limit()); l > 0 {
			wait = time.Duration((1-lim.TokensAt(now))/l*float64(time.Second)) + time.Millisecond/4
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
}

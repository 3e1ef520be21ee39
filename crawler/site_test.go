package crawler

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
	"github.com/linkvault/linkvault/internal/fakesite"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// siteChecker serves site on a fake web as its Host and returns a
// Checker reaching it.
func siteChecker(t *testing.T, site *fakesite.Site, o Options) (*Checker, *fakeweb.Web) {
	t.Helper()
	w := fakeweb.New()
	t.Cleanup(w.Close)
	w.Host(site.Host).Handler = site
	o.DialContext = w.DialContext
	o.AllowPrivate = true
	if o.Rate == 0 {
		o.Rate, o.Burst = 200, 2
	}
	c, err := NewChecker(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, w
}

func canon(t *testing.T, u string) string {
	t.Helper()
	c, _, err := extract.Canonical(u)
	if err != nil {
		t.Fatalf("Canonical(%q): %v", u, err)
	}
	return c
}

// TestCrawlSiteTruth crawls the fake site and compares with its ground
// truth: every page, every link with its page and line, robots.txt
// honoured, the sitemap read, the calendar trap bounded by MaxDepth,
// and no 429 from a site limiting its rate to the configured one (with
// the same burst, as TestNoProvoked429).
func TestCrawlSiteTruth(t *testing.T) {
	site := &fakesite.Site{Host: "docs.example.com", Rate: 20, Burst: 2}
	c, _ := siteChecker(t, site, Options{Rate: 20, Burst: 2})
	got, err := c.Crawl(context.Background(), site.URL("/"), SiteOptions{MaxDepth: 4})
	if err != nil {
		t.Fatal(err)
	}
	truth := site.Truth()

	var pages, calendar []string
	for _, p := range got.Pages {
		u := p.URL
		if p.Final != "" {
			u = p.Final
		}
		if strings.Contains(u, "/calendar/") {
			calendar = append(calendar, u)
			continue
		}
		pages = append(pages, u)
	}
	var want []string
	for _, p := range truth.Pages {
		want = append(want, canon(t, p))
	}
	slices.Sort(pages)
	slices.Sort(want)
	if !slices.Equal(pages, want) {
		t.Errorf("pages crawled:\n got %q\nwant %q", pages, want)
	}
	// The calendar starts at depth 1: depths 1 to 4, both directions.
	if len(calendar) == 0 || len(calendar) > 7 {
		t.Errorf("calendar pages crawled: %d, want 1 to 7 (MaxDepth 4): %q", len(calendar), calendar)
	}

	found := map[string][]linkvault.Source{}
	for _, l := range got.Links {
		found[l.URL] = l.Sources
	}
	nLinks := 0
	for u, refs := range truth.Links {
		for _, ref := range refs {
			nLinks++
			srcs := found[canon(t, u)]
			if !slices.ContainsFunc(srcs, func(s linkvault.Source) bool {
				return s.File == canon(t, ref.Page) && s.Line == ref.Line && s.Column == ref.Column
			}) {
				t.Errorf("link %s on %s line %d column %d: not found (sources %+v)", u, ref.Page, ref.Line, ref.Column, srcs)
			}
		}
	}
	// Nothing else: every source found off the calendar is in the truth.
	for _, l := range got.Links {
		for _, src := range l.Sources {
			if strings.Contains(src.File, "/calendar/") {
				continue
			}
			if !slices.ContainsFunc(truth.Links[l.URL], func(r fakesite.Link) bool {
				return canon(t, r.Page) == src.File && r.Line == src.Line
			}) && l.Kind == linkvault.KindWeb {
				t.Errorf("link %s at %s:%d is not in the ground truth", l.URL, src.File, src.Line)
			}
		}
	}
	if nLinks < 40 {
		t.Fatalf("ground truth has %d links: the fake site is too small", nLinks)
	}
	if _, ok := found["https://github.com/tkestack/private-only"]; ok {
		t.Error("a link found only under /private/ (disallowed by robots.txt) was found")
	}
	if n := site.Requests("/private/"); n != 0 {
		t.Errorf("/private/ requested %d times, robots.txt disallows it", n)
	}
	if n := site.Requests("/orphan/"); n != 1 {
		t.Errorf("/orphan/ (only in the sitemap) requested %d times, want 1", n)
	}
	if n := site.Requests("/loop/a"); n > 2 {
		t.Errorf("/loop/a requested %d times: the redirect loop was followed", n)
	}
	if n := site.Throttled(); n != 0 || got.Throttled != 0 {
		t.Errorf("429 answers: site %d, crawl %d; want 0", n, got.Throttled)
	}
	if !slices.ContainsFunc(got.Warnings, func(w string) bool { return strings.Contains(w, "/calendar/N/N/") }) {
		t.Errorf("no warning names the calendar pattern: %q", got.Warnings)
	}
	// Anchors are kept beside each page for fragment checks.
	for _, p := range got.Pages {
		if strings.HasSuffix(p.URL, "/docs/s1/p1/") && !slices.Equal(p.Anchors, []string{"top", "usage", "legacy"}) {
			t.Errorf("anchors of %s: %q", p.URL, p.Anchors)
		}
	}
}

// TestCrawlMaxPages stops at the page cap and names the pattern that
// filled it.
func TestCrawlMaxPages(t *testing.T) {
	site := &fakesite.Site{Host: "docs.example.com", Articles: 40}
	c, _ := siteChecker(t, site, Options{})
	var calls, last int
	got, err := c.Crawl(context.Background(), site.URL("/"), SiteOptions{MaxPages: 10, NoSitemap: true, Progress: func(pages, waiting int) {
		calls++
		if pages < last {
			t.Errorf("progress went back: %d pages after %d", pages, last)
		}
		last = pages
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pages) > 10 {
		t.Errorf("%d pages crawled, cap 10", len(got.Pages))
	}
	if calls < 9 || last != len(got.Pages) {
		t.Errorf("progress told %d times, last %d pages; crawled %d", calls, last, len(got.Pages))
	}
	if !slices.ContainsFunc(got.Warnings, func(w string) bool {
		return strings.Contains(w, "stopped at 10 pages (site.max_pages)") && strings.Contains(w, "/docs/sN/pN/")
	}) {
		t.Errorf("warnings %q: want the cap and the pattern /docs/sN/pN/", got.Warnings)
	}
}

// TestCrawlStart covers the start URLs that cannot be crawled.
func TestCrawlStart(t *testing.T) {
	site := &fakesite.Site{Host: "docs.example.com"}
	c, _ := siteChecker(t, site, Options{})
	ctx := context.Background()

	var se *SiteError
	_, err := c.Crawl(ctx, site.URL("/private/"), SiteOptions{})
	if !errors.As(err, &se) || !se.Robots {
		t.Errorf("start disallowed by robots.txt: err %v, want a robots SiteError", err)
	}
	if got, err := c.Crawl(ctx, site.URL("/private/"), SiteOptions{IgnoreRobots: true, NoSitemap: true}); err != nil || len(got.Pages) != 1 {
		t.Errorf("IgnoreRobots: err %v, pages %v", err, got)
	}
	if got, err := c.Crawl(ctx, site.URL("/docs/"), SiteOptions{AllowDomains: []string{"cdn.example.com"}, MaxDepth: -1, NoSitemap: true}); err != nil || len(got.Pages) != 1 {
		t.Errorf("AllowDomains adds to the start URL's host: err %v, site %+v", err, got)
	}
	if _, err := c.Crawl(ctx, site.URL("/missing"), SiteOptions{}); !errors.As(err, &se) || !strings.Contains(err.Error(), "404") {
		t.Errorf("start answering 404: err %v", err)
	}
	got, err := c.Crawl(ctx, site.URL("/files/guide.pdf"), SiteOptions{})
	if err != nil || got.NotHTML != "application/pdf" || len(got.Links) != 1 || got.Links[0].URL != site.URL("/files/guide.pdf") {
		t.Errorf("PDF start: err %v, site %+v", err, got)
	}

	down, err := NewChecker(Options{AllowPrivate: true, DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	if _, err := down.Crawl(ctx, "http://down.example.com/", SiteOptions{}); !errors.As(err, &se) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("unreachable start: err %v", err)
	}
}

// TestCrawlPrivateGuard: the crawl goes through the private-address
// guard, which refuses before connecting.
func TestCrawlPrivateGuard(t *testing.T) {
	dialed := 0
	c, err := NewChecker(Options{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed++
		return nil, errors.New("dialed")
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Crawl(context.Background(), "http://10.1.2.3/", SiteOptions{})
	var se *SiteError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "private address") || dialed != 0 {
		t.Errorf("err %v, dialed %d: want the guard's refusal before any dial", err, dialed)
	}
}

// TestCrawlSharesBuckets: a Check after a Crawl with the same
// Options.Buckets keeps spacing its host's requests by the rate, as one
// budget.
func TestCrawlSharesBuckets(t *testing.T) {
	site := &fakesite.Site{Host: "docs.example.com", Articles: 3, Sections: 1}
	b := NewHostBuckets()
	c, w := siteChecker(t, site, Options{Rate: 5, Burst: 1, Buckets: b})
	got, err := c.Crawl(context.Background(), site.URL("/docs/s1/"), SiteOptions{NoSitemap: true, MaxDepth: 1})
	if err != nil {
		t.Fatal(err)
	}
	crawled := len(w.Stats(site.Host).Times)
	c2, err := NewChecker(Options{Rate: 5, Burst: 1, Buckets: b, DialContext: w.DialContext, AllowPrivate: true, Soft404: Soft404Options{NoProbe: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if err := c2.Check(context.Background(), []Target{{URL: site.URL("/orphan/")}}, func(linkvault.Result) {}); err != nil {
		t.Fatal(err)
	}
	times := w.Stats(site.Host).Times
	if len(times) != crawled+1 || len(got.Pages) == 0 {
		t.Fatalf("requests: %d after the crawl, %d in all", crawled, len(times))
	}
	if gap := times[crawled].Sub(times[crawled-1]); gap < 150*time.Millisecond {
		t.Errorf("the check's first request came %v after the crawl's last, want ≥ 1/rate (200ms): two budgets", gap)
	}
}

// TestCrawlRetriesThrottled: a 429 is waited out and asked again.
func TestCrawlRetriesThrottled(t *testing.T) {
	site := &fakesite.Site{Host: "docs.example.com"}
	w := fakeweb.New()
	defer w.Close()
	first := true
	w.Host(site.Host).Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/docs/" && first {
			first = false
			rw.Header().Set("Retry-After", "0")
			http.Error(rw, "slow down", http.StatusTooManyRequests)
			return
		}
		site.ServeHTTP(rw, r)
	})
	c, err := NewChecker(Options{DialContext: w.DialContext, AllowPrivate: true, Rate: 100, Burst: 2, RetryWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Crawl(context.Background(), site.URL("/docs/"), SiteOptions{NoSitemap: true, MaxDepth: -1})
	if err != nil || got.Throttled != 1 || len(got.Pages) != 1 {
		t.Errorf("err %v, site %+v: want the page after one 429", err, got)
	}
}

// TestCrawlCharset: a GBK page, whether its header or only its <meta>
// names the charset, is decoded once: its links and their text come out
// right (colly alone would convert the first and garble the second).
func TestCrawlCharset(t *testing.T) {
	page := `<html><head><meta charset="gbk"><title>文档</title></head><body>
<a href="/中文/">中文页面</a>
</body></html>`
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"text/html; charset=gbk", "text/html"} {
		w := fakeweb.New()
		w.Host("gbk.example.com").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				http.NotFound(rw, r)
				return
			}
			rw.Header().Set("Content-Type", ct)
			rw.Write(gbk)
		})
		c, err := NewChecker(Options{DialContext: w.DialContext, AllowPrivate: true, Rate: 100, Burst: 2})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Crawl(context.Background(), "http://gbk.example.com/", SiteOptions{NoSitemap: true, MaxDepth: -1})
		c.Close()
		w.Close()
		if err != nil {
			t.Fatalf("%s: %v", ct, err)
		}
		var found bool
		for _, l := range got.Links {
			if l.URL == "http://gbk.example.com/%E4%B8%AD%E6%96%87/" && l.Sources[0].Text == "中文页面" && l.Sources[0].Line == 2 {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: links %+v, want /中文/ with its text on line 2", ct, got.Links)
		}
	}
}

func TestURLPattern(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.example/calendar/2026/12/":          "/calendar/N/N/",
		"https://a.example/page?sid=ab12cd&lang=en":    "/page?sid=*&lang=*",
		"https://a.example/docs/s3/p1234/":             "/docs/sN/pN/",
		"https://a.example/search?q=%E4%B8%AD&page=17": "/search?q=*&page=*",
	} {
		if got := urlPattern(in); got != want {
			t.Errorf("urlPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCrawlExcluded: a URL the checker never fetches (Options.Exclude)
// is not crawled either, nor one of SiteOptions.Exclude; both stay links.
func TestCrawlExcluded(t *testing.T) {
	site := &fakesite.Site{Host: "docs.example.com"}
	c, _ := siteChecker(t, site, Options{Exclude: []*regexp.Regexp{regexp.MustCompile(`/docs/s2/`)}})
	got, err := c.Crawl(context.Background(), site.URL("/docs/"), SiteOptions{NoSitemap: true, Exclude: []*regexp.Regexp{regexp.MustCompile(`/docs/s3/`)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/docs/s2/", "/docs/s3/"} {
		if n := site.Requests(p); n != 0 {
			t.Errorf("%s requested %d times, excluded", p, n)
		}
		if !slices.ContainsFunc(got.Links, func(l linkvault.Link) bool { return l.URL == site.URL(p) }) {
			t.Errorf("%s is no longer a link", p)
		}
	}
	if n := site.Requests("/docs/s1/"); n != 1 {
		t.Errorf("/docs/s1/ requested %d times, want 1", n)
	}
}

// TestCrawlCancelled: when ctx ends the crawl stops and says so.
func TestCrawlCancelled(t *testing.T) {
	site := &fakesite.Site{Host: "docs.example.com", Articles: 200}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := fakeweb.New()
	defer w.Close()
	w.Host(site.Host).Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/docs/s1/" {
			cancel()
		}
		site.ServeHTTP(rw, r)
	})
	c, err := NewChecker(Options{DialContext: w.DialContext, AllowPrivate: true, Rate: 50, Burst: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Crawl(ctx, site.URL("/docs/"), SiteOptions{NoSitemap: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if n := site.Requests("/docs/s1/p1/"); n != 0 {
		t.Errorf("a page linked from the page that cancelled was fetched %d times", n)
	}
}

// TestCrawlStartRedirected: a start URL that redirects to another host
// (blog.example.com → www.blog.example.com, as apex → www or an old
// domain → its new one) is crawled where it lands: the landing host's
// pages and sitemap, every hop through the Checker's transport. Another
// page's redirect to another host stays a link: that host is never
// asked.
func TestCrawlStartRedirected(t *testing.T) {
	site := &fakesite.Site{Host: "www.blog.example.com"}
	moved := "/docs/s1/p1/"
	c, w := siteChecker(t, site, Options{})
	w.Host("www.blog.example.com").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == moved {
			http.Redirect(rw, r, "http://elsewhere.example.com/p1/", http.StatusMovedPermanently)
			return
		}
		site.ServeHTTP(rw, r)
	})
	w.Host("blog.example.com").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, site.URL(r.URL.RequestURI()), http.StatusMovedPermanently)
	})

	got, err := c.Crawl(context.Background(), "http://blog.example.com/", SiteOptions{MaxDepth: 4})
	if err != nil {
		t.Fatalf("crawl of a redirecting start URL: %v", err)
	}
	if want := canon(t, site.URL("/")); got.Start != "http://blog.example.com/" || got.Final != want {
		t.Errorf("Start %q, Final %q: want http://blog.example.com/ and %q", got.Start, got.Final, want)
	}
	var pages []string
	for _, p := range got.Pages {
		u := cmp.Or(p.Final, p.URL)
		if !strings.Contains(u, "/calendar/") {
			pages = append(pages, u)
		}
	}
	var want []string
	for _, p := range site.Truth().Pages {
		if p != site.URL(moved) {
			want = append(want, canon(t, p))
		}
	}
	slices.Sort(pages)
	slices.Sort(want)
	if !slices.Equal(pages, want) {
		t.Errorf("pages crawled:\n got %q\nwant %q", pages, want)
	}
	if !slices.ContainsFunc(got.Links, func(l linkvault.Link) bool { return l.URL == "http://blog.example.com/" }) {
		t.Error("the start URL is not among the links")
	}
	// The start host answered the start page's first hop (and its
	// robots.txt, which colly asks first), not the sitemap: that is the
	// landing host's.
	start, landing := w.Stats("blog.example.com"), w.Stats("www.blog.example.com")
	if slices.Contains(start.Paths, "/sitemap.xml") || !slices.Contains(landing.Paths, "/sitemap.xml") {
		t.Errorf("sitemap read from the start host (%q), want the landing host's (%q)", start.Paths, landing.Paths)
	}
	if n := w.Stats("elsewhere.example.com").Requests; n != 0 {
		t.Errorf("another page's redirect to elsewhere.example.com was followed: %d requests, want 0", n)
	}
	if n := start.Requests + landing.Requests; got.Requests != n {
		t.Errorf("Site.Requests %d, the hosts received %d: every request goes through siteTransport", got.Requests, n)
	}
	// The landing host's robots.txt: read once for itself (and once as
	// the start host's, redirected), not once by each worker.
	if n := countOf(landing.Paths, "/robots.txt"); n > 2 {
		t.Errorf("the landing host's robots.txt was asked %d times, want 2 at most", n)
	}

	// robots.txt is the landing host's to apply to the page landed on:
	// a start host without one sending its pages to www.blog.example.com,
	// whose robots.txt disallows /private/.
	w.Host("blog.example.com").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(rw, r)
			return
		}
		http.Redirect(rw, r, site.URL(r.URL.RequestURI()), http.StatusMovedPermanently)
	})
	var se *SiteError
	if _, err := c.Crawl(context.Background(), "http://blog.example.com/private/", SiteOptions{}); !errors.As(err, &se) || !se.Robots {
		t.Errorf("start redirected to a page robots.txt disallows: err %v, want a robots SiteError", err)
	}
	if _, err := c.Crawl(context.Background(), "http://blog.example.com/private/", SiteOptions{IgnoreRobots: true, NoSitemap: true, MaxDepth: -1}); err != nil {
		t.Errorf("the same with IgnoreRobots: %v", err)
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

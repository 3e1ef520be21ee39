// Package fakesite is a fake website for tests and benchmarks of site
// crawling: nested pages, a sitemap index, a robots.txt with a disallowed
// section, a redirect loop, an endless calendar, a broken internal link, a
// PDF, a Chinese page, internal and external links, anchors — and the
// ground truth of what a crawler honouring robots.txt must find there
// (Truth), since every page is rendered by one function that knows the
// line of each link.
//
// Layout (Articles pages in Sections sections):
//
//	/                      home: every part below, two external links
//	/robots.txt            Disallow: /private/
//	/sitemap.xml           an index of /sitemap-pages.xml
//	/sitemap-pages.xml     /, the sections, and /orphan/ (linked from no page)
//	/docs/                 the sections
//	/docs/sK/              a section: its articles
//	/docs/sK/pN/           an article: previous and next, an external link, anchors
//	/zh/介绍/               a Chinese page
//	/private/              disallowed by robots.txt: links found only there
//	/loop/a, /loop/b       redirect to each other
//	/calendar/YYYY/MM/     previous and next month, forever: a crawler trap
//	/missing               404: a broken internal link
//	/files/guide.pdf       a PDF
package fakesite

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Site is a fake website. Set its fields before the first request.
type Site struct {
	Host     string // host name, e.g. "docs.example.com"
	Scheme   string // of absolute URLs: "http" (default) or "https"
	Sections int    // default 3
	Articles int    // pages under /docs/, spread over the sections; default 12
	// External are the URLs of the external links, one per article in
	// turn (default https://github.com/tkestack/kstone).
	External []string
	// Rate and Burst, when Rate > 0, limit the requests the site accepts:
	// a request finding the bucket empty is answered 429 with
	// "Retry-After: 1" (counted in Throttled).
	Rate  float64
	Burst int

	once      sync.Once
	lim       *rate.Limiter
	mu        sync.Mutex
	requests  map[string]int // path → requests
	throttled int
}

// Link is one link of the ground truth: the page (or sitemap) it is on,
// an absolute URL, and its line and column there.
type Link struct {
	Page         string
	Line, Column int
}

// Truth is what a crawler honouring robots.txt finds on the site, leaving
// out the calendar trap: its finite pages (absolute URLs) and every link on
// them (absolute URL → where it is).
type Truth struct {
	Pages []string
	Links map[string][]Link
}

func (s *Site) init() {
	s.once.Do(func() {
		if s.Scheme == "" {
			s.Scheme = "http"
		}
		if s.Sections <= 0 {
			s.Sections = 3
		}
		if s.Articles <= 0 {
			s.Articles = 12
		}
		if len(s.External) == 0 {
			s.External = []string{"https://github.com/tkestack/kstone"}
		}
		if s.Rate > 0 {
			s.lim = rate.NewLimiter(rate.Limit(s.Rate), max(s.Burst, 1))
		}
		s.requests = map[string]int{}
	})
}

// URL returns the absolute URL of path on the site.
func (s *Site) URL(path string) string {
	s.init()
	return s.Scheme + "://" + s.Host + path
}

// Requests returns how many requests path received (429s included).
func (s *Site) Requests(path string) int {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// Throttled returns how many requests were answered 429.
func (s *Site) Throttled() int {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// Calendar returns how many calendar pages were requested.
func (s *Site) Calendar() int {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, k := range s.requests {
		if strings.HasPrefix(p, "/calendar/") {
			n += k
		}
	}
	return n
}

// ServeHTTP serves the site.
func (s *Site) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	s.init()
	allowed := s.lim == nil || s.lim.AllowN(time.Now(), 1)
	s.mu.Lock()
	s.requests[r.URL.Path]++
	if !allowed {
		s.throttled++
	}
	s.mu.Unlock()
	if !allowed {
		rw.Header().Set("Retry-After", "1")
		http.Error(rw, "too many requests", http.StatusTooManyRequests)
		return
	}
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		rw.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(rw, "User-agent: *\nDisallow: /private/\n\nSitemap: %s\n", s.URL("/sitemap.xml"))
	case p == "/sitemap.xml":
		rw.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(rw, `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>%s</loc></sitemap>
</sitemapindex>
`, s.URL("/sitemap-pages.xml"))
	case p == "/sitemap-pages.xml":
		rw.Header().Set("Content-Type", "application/xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		for _, q := range s.sitemapPaths() {
			fmt.Fprintf(&b, "  <url><loc>%s</loc></url>\n", s.URL(q))
		}
		b.WriteString("</urlset>\n")
		rw.Write([]byte(b.String()))
	case p == "/loop/a":
		http.Redirect(rw, r, "/loop/b", http.StatusFound)
	case p == "/loop/b":
		http.Redirect(rw, r, "/loop/a", http.StatusFound)
	case p == "/files/guide.pdf":
		rw.Header().Set("Content-Type", "application/pdf")
		rw.Write([]byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"))
	default:
		body, ok := s.page(p)
		if !ok {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Write([]byte(body.String()))
	}
}

// pageBuilder writes a page one line at a time, recording its links.
type pageBuilder struct {
	s     *Site
	base  *url.URL
	b     strings.Builder
	line  int
	links []pageLink
}

type pageLink struct {
	url  string // absolute
	line int
}

func (p *pageBuilder) ln(format string, args ...any) {
	p.line++
	fmt.Fprintf(&p.b, format+"\n", args...)
}

// a writes a link on a line of its own; href may be relative.
func (p *pageBuilder) a(href, text string) {
	ref, err := url.Parse(href)
	if err != nil {
		panic(err)
	}
	p.ln(`<a href="%s">%s</a>`, href, text)
	p.links = append(p.links, pageLink{url: p.base.ResolveReference(ref).String(), line: p.line})
}

func (p *pageBuilder) String() string { return p.b.String() }

// sitemapPaths are the pages /sitemap-pages.xml lists, from its line 3 on.
func (s *Site) sitemapPaths() []string {
	return append([]string{"/", "/orphan/"}, s.sectionPaths()...)
}

func (s *Site) sectionPaths() []string {
	var out []string
	for k := 1; k <= s.Sections; k++ {
		out = append(out, "/docs/s"+strconv.Itoa(k)+"/")
	}
	return out
}

// articles returns the article numbers of section k.
func (s *Site) articles(k int) []int {
	var out []int
	for n := 1; n <= s.Articles; n++ {
		if (n-1)%s.Sections+1 == k {
			out = append(out, n)
		}
	}
	return out
}

// page renders the HTML page at path; ok is false for no page.
func (s *Site) page(p string) (*pageBuilder, bool) {
	base, err := url.Parse(s.URL(p))
	if err != nil {
		return nil, false
	}
	b := &pageBuilder{s: s, base: base}
	head := func(title string) {
		b.ln("<!doctype html>")
		b.ln(`<html lang="en"><head><meta charset="utf-8"><title>%s</title></head>`, title)
		b.ln("<body>")
		b.ln(`<h1 id="top">%s</h1>`, title)
	}
	tail := func() { b.ln("</body></html>") }
	switch {
	case p == "/":
		head("Docs home")
		b.a("/docs/", "Documentation")
		b.a("zh/%E4%BB%8B%E7%BB%8D/", "中文介绍")
		b.a("/private/", "Private")
		b.a("/loop/a", "A loop")
		b.a("/calendar/2026/01/", "Calendar")
		b.a("/missing", "A page that is gone")
		b.a("/files/guide.pdf", "The guide (PDF)")
		b.a("https://github.com/tkestack/kstone", "kstone")
		b.a("https://developer.aliyun.com/article/765449-etcd", "etcd 跨地域同步")
		b.ln(`<a href="mailto:docs@example.com">mail</a>`)
		tail()
	case p == "/docs/":
		head("Documentation")
		b.a("/", "Home")
		for k, q := range s.sectionPaths() {
			b.a(q, "Section "+strconv.Itoa(k+1))
		}
		tail()
	case p == "/orphan/":
		head("Only in the sitemap")
		b.a("/docs/", "Documentation")
		b.a("https://github.com/tkestack/tapp", "tapp")
		tail()
	case p == "/zh/介绍/":
		head("介绍")
		b.ln("<p>这是一个中文页面，介绍云原生技术。</p>")
		b.ln(`<h2 id="安装">安装</h2>`)
		b.a("https://developer.aliyun.com/article/765449-etcd", "etcd 跨地域同步")
		b.a("../../docs/", "文档")
		tail()
	case p == "/private/":
		head("Private")
		b.a("https://github.com/tkestack/private-only", "found only here")
		tail()
	case strings.HasPrefix(p, "/calendar/"):
		var y, m int
		if _, err := fmt.Sscanf(p, "/calendar/%d/%d/", &y, &m); err != nil || m < 1 || m > 12 {
			return nil, false
		}
		py, pm, ny, nm := y, m-1, y, m+1
		if pm == 0 {
			py, pm = y-1, 12
		}
		if nm == 13 {
			ny, nm = y+1, 1
		}
		head(fmt.Sprintf("Calendar %04d-%02d", y, m))
		b.a(fmt.Sprintf("/calendar/%04d/%02d/", py, pm), "previous month")
		b.a(fmt.Sprintf("/calendar/%04d/%02d/", ny, nm), "next month")
		tail()
	default:
		var k, n int
		if _, err := fmt.Sscanf(p, "/docs/s%d/p%d/", &k, &n); err == nil && p == fmt.Sprintf("/docs/s%d/p%d/", k, n) {
			if n < 1 || n > s.Articles || (n-1)%s.Sections+1 != k {
				return nil, false
			}
			head("Article " + strconv.Itoa(n))
			b.ln(`<h2 id="usage">Usage</h2><a name="legacy"></a>`)
			b.a("../", "Section")
			if n > 1 {
				b.a(fmt.Sprintf("/docs/s%d/p%d/", (n-2)%s.Sections+1, n-1), "previous")
			}
			if n < s.Articles {
				b.a(fmt.Sprintf("/docs/s%d/p%d/", n%s.Sections+1, n+1), "next")
			}
			b.a(s.External[(n-1)%len(s.External)], "external")
			tail()
			return b, true
		}
		if _, err := fmt.Sscanf(p, "/docs/s%d/", &k); err == nil && p == fmt.Sprintf("/docs/s%d/", k) && k >= 1 && k <= s.Sections {
			head("Section " + strconv.Itoa(k))
			b.a("/docs/", "Documentation")
			for _, n := range s.articles(k) {
				b.a(fmt.Sprintf("p%d/", n), "Article "+strconv.Itoa(n))
			}
			tail()
			return b, true
		}
		return nil, false
	}
	return b, true
}

// Truth returns the ground truth: the pages reachable from / and the
// sitemap without entering /private/ (robots.txt) or the calendar, and
// every link on them.
func (s *Site) Truth() Truth {
	s.init()
	t := Truth{Links: map[string][]Link{}}
	seen := map[string]bool{}
	queue := s.sitemapPaths()
	for i, p := range queue {
		t.Links[s.URL(p)] = append(t.Links[s.URL(p)], Link{Page: s.URL("/sitemap-pages.xml"), Line: 3 + i, Column: 13})
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		b, ok := s.page(p)
		if !ok {
			continue
		}
		page := s.URL(escapePath(p))
		t.Pages = append(t.Pages, page)
		for _, l := range b.links {
			t.Links[l.url] = append(t.Links[l.url], Link{Page: page, Line: l.line, Column: 10})
			u, err := url.Parse(l.url)
			if err != nil || u.Host != s.Host || strings.HasPrefix(u.Path, "/private/") || strings.HasPrefix(u.Path, "/calendar/") {
				continue
			}
			if _, ok := s.page(u.Path); ok {
				queue = append(queue, u.Path)
			}
		}
	}
	sort.Strings(t.Pages)
	return t
}

func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

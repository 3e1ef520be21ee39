package crawler

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault/crawler/extract"
	"github.com/linkvault/linkvault/internal/fakesite"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// BenchmarkCrawlSite crawls the fake site of internal/fakesite, with 12
// articles (the end-to-end script's site) and with 2,000, on a host
// answering after 5 ms that refuses requests beyond its rate with 429;
// the crawl is given that rate and burst (4, as github.com in
// BenchmarkCheckSkewed: the bucket keeps one token in reserve). It reports wall
// time ÷ politeness bound (requests made, the first free, ÷ rate), the
// 429s provoked, the pages and link occurrences found against the ground
// truth (calendar trap left out: its pages, bounded by max_depth 10, are
// reported apart), and the peak RSS of the process (run it alone: VmHWM
// is the whole run's).
func BenchmarkCrawlSite(b *testing.B) {
	for _, tc := range []struct {
		articles int
		rate     float64
	}{{12, 20}, {2000, 200}} {
		b.Run(fmt.Sprintf("articles=%d", tc.articles), func(b *testing.B) {
			for range b.N {
				benchCrawl(b, tc.articles, tc.rate)
			}
		})
	}
}

func benchCrawl(b *testing.B, articles int, rate float64) {
	site := &fakesite.Site{Host: "docs.example.com", Articles: articles, Sections: max(3, articles/100)}
	w := fakeweb.New()
	defer w.Close()
	// The rate is enforced as requests arrive, before the latency (a
	// limit after a timer would see the timer's jitter).
	h := w.Host(site.Host)
	h.Handler, h.Latency, h.Rate, h.Burst = site, 5*time.Millisecond, rate, 4
	c, err := NewChecker(Options{DialContext: w.DialContext, AllowPrivate: true, Rate: rate, Burst: 4, HostConcurrency: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	got, err := c.Crawl(context.Background(), site.URL("/"), SiteOptions{})
	wall := time.Since(start).Seconds()
	if err != nil {
		b.Fatal(err)
	}
	truth := site.Truth()
	want := map[string]bool{}
	for _, p := range truth.Pages {
		c, _, _ := extract.Canonical(p)
		want[c] = true
	}
	pages, calendar := 0, 0
	for _, p := range got.Pages {
		switch u := p.URL; {
		case strings.Contains(u, "/calendar/"):
			calendar++
		case want[u]:
			pages++
		}
	}
	found := map[string]bool{}
	for _, l := range got.Links {
		for _, s := range l.Sources {
			found[l.URL+" "+s.File+":"+strconv.Itoa(s.Line)] = true
		}
	}
	links, truthLinks := 0, 0
	for u, refs := range truth.Links {
		cu, _, _ := extract.Canonical(u)
		for _, r := range refs {
			truthLinks++
			cp, _, _ := extract.Canonical(r.Page)
			if found[cu+" "+cp+":"+strconv.Itoa(r.Line)] {
				links++
			}
		}
	}
	bound := float64(got.Requests-1) / rate
	b.ReportMetric(wall/bound, "x-bound")
	b.ReportMetric(bound, "bound-s")
	b.ReportMetric(float64(w.Throttled()), "429s")
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(len(truth.Pages)), "truth-pages")
	b.ReportMetric(float64(calendar), "calendar-pages")
	b.ReportMetric(float64(links), "links")
	b.ReportMetric(float64(truthLinks), "truth-links")
	b.ReportMetric(float64(got.Requests), "requests")
	b.ReportMetric(float64(vmHWM())/(1<<20), "peakRSS-MB")
}

// vmHWM reads the peak RSS of the process from /proc/self/status, in
// bytes (0 if unknown).
func vmHWM() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n << 10
			}
		}
	}
	return 0
}

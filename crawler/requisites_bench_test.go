package crawler

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
	"github.com/linkvault/linkvault/internal/fakeweb"
	"github.com/linkvault/linkvault/internal/sharedtest"
)

// benchSink is an archive stand-in for the requisite benchmark: it reads
// every body, stores nothing, and answers fresh for a payload that differs
// from the URL's last one (the archive's revisit rule). It counts the
// fresh payload bytes and the captures of each page (the page and the
// requisites asked with it as Referer).
type benchSink struct {
	mu      sync.Mutex
	last    map[string][32]byte
	perPage map[string]int
	bytes   map[string]int64
}

func newBenchSink() *benchSink {
	return &benchSink{last: map[string][32]byte{}}
}

func (s *benchSink) reset() { s.perPage, s.bytes = map[string]int{}, map[string]int64{} }

func (s *benchSink) capture(_ context.Context, ex *linkvault.Exchange) (bool, error) {
	h := sha256.New()
	n, err := io.Copy(h, ex.Body)
	if err != nil {
		return false, err
	}
	var sum [32]byte
	h.Sum(sum[:0])
	s.mu.Lock()
	defer s.mu.Unlock()
	page := ex.RequestHeader.Get("Referer")
	if page == "" {
		page = ex.URL
	}
	s.perPage[page]++
	prev, seen := s.last[ex.URL]
	s.last[ex.URL] = sum
	fresh := !seen || prev != sum
	if fresh {
		s.bytes[page] += n
	}
	return fresh, nil
}

// requisiteSite answers every page of a host with an article that needs
// the host's shared stylesheet (which needs a background image), its
// favicon, and one picture of its own on the CDN host avatars.cdn.test,
// as a GitHub repository page needs its assets and its owner's avatar.
func requisiteSite() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/site.css":
			rw.Header().Set("Content-Type", "text/css")
			io.WriteString(rw, "body { font: 16px sans-serif; background: url(/bg.png) } "+strings.Repeat(".x { color: #123456 } ", 200))
		case r.URL.Path == "/bg.png" || r.URL.Path == "/favicon.ico" || strings.HasPrefix(r.URL.Path, "/avatar/"):
			rw.Header().Set("Content-Type", "image/png")
			rw.Write(benchPNG)
		default:
			h := fnv.New32a()
			io.WriteString(h, r.Host+r.URL.Path)
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(rw, `<!doctype html><html><head><title>%s</title><link rel="stylesheet" href="/site.css"><link rel="icon" href="/favicon.ico"></head>
<body><h1>%s</h1><img src="http://avatars.cdn.test/avatar/%x.png" width="40" height="40"><p>%s</p></body></html>`,
				r.URL.Path, r.URL.Path, h.Sum32(), strings.Repeat("Some text of the page. ", 40))
		}
	})
}

var benchPNG = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 3000)...)

// BenchmarkCheckRequisites checks the awesome-go-shaped web (3,168 links,
// 9 in 10 on github.com, the politeness of BenchmarkCheckSkewed) with
// every page captured: without requisites, with requisites on a first run
// (every page new), and again on unchanged pages. It reports the wall
// time of each ÷ the one without, requests per captured page (median, p95)
// and fresh payload bytes per page, and 429s.
func BenchmarkCheckRequisites(b *testing.B) {
	data, err := os.ReadFile(sharedtest.File(b, "corpora/awesome-go.md"))
	if err != nil {
		b.Fatalf("corpus: %v", err)
	}
	seen := map[string]bool{}
	var targets []Target
	hosts := map[string]benchHost{}
	def := benchHost{rate: 10, burst: 2, conc: 2}
	for _, raw := range benchURL.FindAllString(string(data), -1) {
		canon, _, err := extract.Canonical(strings.Replace(raw, "https://", "http://", 1))
		if err != nil || seen[canon] {
			continue
		}
		seen[canon] = true
		targets = append(targets, Target{URL: canon, Capture: true})
		u, _ := url.Parse(canon)
		if _, ok := hosts[u.Host]; !ok {
			spec := def
			spec.latency = latencyOf(u.Host)
			hosts[u.Host] = spec
		}
	}
	fast := benchHost{rate: 200, burst: 4, conc: 8, latency: 20 * time.Millisecond}
	hosts["github.com"] = fast
	hosts["avatars.cdn.test"] = fast

	for b.Loop() {
		w := fakeweb.New()
		opts := webOptions(w)
		opts.Soft404.NoProbe = false
		opts.Rate, opts.Burst, opts.HostConcurrency = def.rate, def.burst, def.conc
		opts.Hosts = map[string]HostOptions{}
		for h, spec := range hosts {
			opts.Hosts[h] = HostOptions{Rate: spec.rate, Burst: spec.burst, Concurrency: spec.conc}
			fh := w.Host(h)
			fh.Rate, fh.Burst, fh.Latency, fh.Handler = spec.rate, spec.burst, spec.latency, requisiteSite()
		}
		sink := newBenchSink()
		check := func(kinds []string) (time.Duration, requisiteStats) {
			sink.reset()
			o := opts
			o.Requisites = RequisiteOptions{Kinds: kinds, Capture: sink.capture}
			c, err := NewChecker(o)
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if err := c.Check(context.Background(), targets, func(linkvault.Result) {}); err != nil {
				b.Fatal(err)
			}
			return time.Since(start), c.requisiteStats()
		}
		off, _ := check(nil)
		t0 := w.Throttled()
		time.Sleep(2 * time.Second)       // let the servers' buckets fill again
		sink.last = map[string][32]byte{} // the first run with requisites sees every page new
		on, st := check(DefaultRequisiteKinds)
		per, bytes := pageCounts(sink, targets)
		t1 := w.Throttled() - t0
		if os.Getenv("BENCH_DIAG") != "" {
			for h := range hosts {
				if st := w.Stats(h); st.Throttled > 0 {
					b.Logf("%s: %d requests, %d throttled, max in flight %d", h, st.Requests, st.Throttled, st.MaxInFlight)
				}
			}
		}
		time.Sleep(2 * time.Second)
		again, st2 := check(DefaultRequisiteKinds)
		_, bytes2 := pageCounts(sink, targets)
		t2 := w.Throttled() - t0 - t1
		w.Close()

		b.ReportMetric(off.Seconds(), "off-s")
		b.ReportMetric(on.Seconds()/off.Seconds(), "first-x-off")
		b.ReportMetric(again.Seconds()/off.Seconds(), "rerun-x-off")
		b.ReportMetric(float64(per[len(per)/2]), "req/page-p50")
		b.ReportMetric(float64(per[len(per)*95/100]), "req/page-p95")
		b.ReportMetric(float64(bytes[len(bytes)/2]), "B/page-p50")
		b.ReportMetric(float64(bytes2[len(bytes2)-1]), "rerun-B/page-max")
		b.ReportMetric(float64(st.Requests), "req-requests")
		b.ReportMetric(float64(st2.Requests), "rerun-req-requests")
		b.ReportMetric(float64(t0), "off-429s")
		b.ReportMetric(float64(t1), "first-429s")
		b.ReportMetric(float64(t2), "rerun-429s")
	}
}

// pageCounts returns, sorted, the captures and the fresh payload bytes of
// each target page (its requisites included).
func pageCounts(s *benchSink, targets []Target) ([]int, []int64) {
	per := make([]int, 0, len(targets))
	bytes := make([]int64, 0, len(targets))
	for _, t := range targets {
		per = append(per, s.perPage[t.URL])
		bytes = append(bytes, s.bytes[t.URL])
	}
	slices.Sort(per)
	slices.Sort(bytes)
	return per, bytes
}

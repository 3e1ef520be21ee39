package crawler

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// benchHost is the politeness of one fake host, the same on both sides:
// the server answers 429 beyond it, the client is configured with it.
type benchHost struct {
	rate    float64
	burst   int
	conc    int
	latency time.Duration
}

// runBench checks targets against a fake web with the given hosts and
// reports wall time ÷ politeness bound, provoked 429s, requests per URL
// and peak RSS.
func runBench(b *testing.B, targets []Target, hosts map[string]benchHost, def benchHost, concurrency int) {
	b.Helper()
	perHost := map[string]int{}
	for _, t := range targets {
		u, _ := url.Parse(t.URL)
		perHost[u.Host]++
	}
	bound := 0.0
	for h, n := range perHost {
		spec, ok := hosts[h]
		if !ok {
			spec = def
		}
		bound = max(bound, float64(n)/spec.rate)
	}
	for b.Loop() {
		w := fakeweb.New()
		opts := webOptions(w)
		opts.Soft404.NoProbe = false // as shipped: one probe per host
		opts.Rate, opts.Burst, opts.HostConcurrency = def.rate, def.burst, def.conc
		opts.Concurrency = concurrency
		opts.Hosts = map[string]HostOptions{}
		for h := range perHost {
			spec, ok := hosts[h]
			if !ok {
				spec = def
			} else {
				opts.Hosts[h] = HostOptions{Rate: spec.rate, Burst: spec.burst, Concurrency: spec.conc}
			}
			fh := w.Host(h)
			fh.Rate, fh.Burst, fh.Latency = spec.rate, spec.burst, spec.latency
		}
		c, err := NewChecker(opts)
		if err != nil {
			b.Fatal(err)
		}
		counts := map[linkvault.Status]int{}
		start := time.Now()
		err = c.Check(context.Background(), targets, func(r linkvault.Result) { counts[r.Status]++ })
		wall := time.Since(start).Seconds()
		if err != nil {
			b.Fatal(err)
		}
		requests := 0
		for h := range perHost {
			requests += w.Stats(h).Requests
		}
		if os.Getenv("BENCH_DIAG") != "" {
			for h := range perHost {
				if st := w.Stats(h); st.Throttled > 0 {
					b.Logf("%s: %d requests, %d throttled, max in flight %d", h, st.Requests, st.Throttled, st.MaxInFlight)
				}
			}
		}
		w.Close()
		if counts[linkvault.StatusOK] != len(targets) {
			b.Errorf("results %v, want %d ok", counts, len(targets))
		}
		b.ReportMetric(wall/bound, "x-bound")
		b.ReportMetric(bound, "bound-s")
		b.ReportMetric(float64(w.Throttled()), "429s")
		b.ReportMetric(float64(requests)/float64(len(targets)), "req/url")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
		b.ReportMetric(float64(len(targets)), "urls")
	}
}

// peakRSS reads VmHWM from /proc/self/status, in bytes (0 if unknown).
func peakRSS() int64 { return rss("VmHWM:") }

// rss reads a memory line ("VmHWM:", "VmRSS:") of /proc/self/status, in
// bytes (0 if unknown).
func rss(key string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// latencyOf gives a host a stable latency between 5 and 80 ms, and every
// 16th host 400 ms (slow hosts must not delay the others).
func latencyOf(host string) time.Duration {
	h := fnv.New32a()
	h.Write([]byte(host))
	v := h.Sum32()
	if v%16 == 0 {
		return 400 * time.Millisecond
	}
	return time.Duration(5+v%76) * time.Millisecond
}

var benchURL = regexp.MustCompile(`https?://[^\s)>\]"'<]+`)

// BenchmarkCheckSkewed checks the links of the awesome-go list (9 in 10 on
// github.com) against a fake web with the same host mix.
func BenchmarkCheckSkewed(b *testing.B) {
	data, err := os.ReadFile(sharedFile(b, "corpora/awesome-go.md"))
	if err != nil {
		b.Fatalf("corpus: %v", err)
	}
	seen := map[string]bool{}
	var targets []Target
	for _, raw := range benchURL.FindAllString(string(data), -1) {
		canon, _, err := Canonical(strings.Replace(raw, "https://", "http://", 1))
		if err != nil || seen[canon] {
			continue
		}
		seen[canon] = true
		targets = append(targets, Target{URL: canon})
	}
	hosts := map[string]benchHost{
		"github.com": {rate: 200, burst: 4, conc: 8, latency: 20 * time.Millisecond},
	}
	def := benchHost{rate: 10, burst: 2, conc: 2}
	// Latency per host is set by the fake web from latencyOf.
	runBenchLatency(b, targets, hosts, def, DefaultConcurrency)
}

// BenchmarkCheckSynthetic checks 20,000 URLs spread over 50 hosts at 20
// requests per second each (a 20 s politeness bound), with latencies from
// 5 to 400 ms.
func BenchmarkCheckSynthetic(b *testing.B) {
	var targets []Target
	for i := range 20000 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://host%02d.test/page/%d", i%50, i)})
	}
	runBenchLatency(b, targets, nil, benchHost{rate: 20, burst: 4, conc: 10}, 128)
}

// runBenchLatency is runBench with per-host latencies from latencyOf for
// hosts without an explicit one.
func runBenchLatency(b *testing.B, targets []Target, hosts map[string]benchHost, def benchHost, concurrency int) {
	all := map[string]benchHost{}
	for _, t := range targets {
		u, _ := url.Parse(t.URL)
		if _, ok := all[u.Host]; ok {
			continue
		}
		spec, ok := hosts[u.Host]
		if !ok {
			spec = def
		}
		if spec.latency == 0 {
			spec.latency = latencyOf(u.Host)
		}
		all[u.Host] = spec
	}
	runBench(b, targets, all, def, concurrency)
}

// BenchmarkCapture50MB captures a 50 MB PDF streamed by the server and
// reports the peak RSS growth during the check (run it alone: VmHWM is a
// process-wide high-water mark).
func BenchmarkCapture50MB(b *testing.B) {
	const size = 50 << 20
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	w := fakeweb.New()
	defer w.Close()
	w.Host("files.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/pdf")
		rw.Header().Set("Content-Length", strconv.Itoa(size))
		for n := 0; n < size; n += len(chunk) {
			if _, err := rw.Write(chunk); err != nil {
				return
			}
		}
	})
	for b.Loop() {
		opts := webOptions(w)
		var captured int64
		opts.Capture = func(ctx context.Context, ex *linkvault.Exchange) error {
			n, err := io.Copy(io.Discard, ex.Body)
			captured = n
			return err
		}
		c, err := NewChecker(opts)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		base := rss("VmRSS:")
		err = c.Check(context.Background(), []Target{{URL: "http://files.test/big.pdf", Capture: true}}, func(linkvault.Result) {})
		if err != nil || captured != size {
			b.Fatalf("captured %d bytes (%v), want %d", captured, err, size)
		}
		b.ReportMetric(float64(rss("VmHWM:")-base)/(1<<20), "peakRSS-growth-MB")
	}
}

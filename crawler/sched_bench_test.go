package crawler

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
	"github.com/linkvault/linkvault/internal/fakeweb"
	"github.com/linkvault/linkvault/internal/sharedtest"
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
	data, err := os.ReadFile(sharedtest.File(b, "corpora/awesome-go.md"))
	if err != nil {
		b.Fatalf("corpus: %v", err)
	}
	seen := map[string]bool{}
	var targets []Target
	for _, raw := range benchURL.FindAllString(string(data), -1) {
		canon, _, err := extract.Canonical(strings.Replace(raw, "https://", "http://", 1))
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

// slowWeb is a generated web of the shape of a real newsletter's links:
// thousands of single-link hosts, a few big hosts, and a few percent of
// URLs that answer slowly, drip their body or never answer. Durations are
// scaled down (timeouts of a second) so that a run takes a minute or two.
type slowWeb struct {
	targets []Target
	hosts   map[string]benchHost
	bad     map[string]bool // URLs that hang or drip: may fail
}

// slowWebOptions are the scaled-down timeouts of the slow web benchmarks.
func slowWebOptions(o *Options) {
	o.HeaderTimeout = time.Second
	o.ReadTimeout = time.Second
	o.Timeout = 2 * time.Second
	o.RetryWait = 100 * time.Millisecond
	o.RetryWaitMax = time.Second
}

// newSlowWeb builds the corpus: big hosts (name → links, rate), tail
// single-link hosts, and the share of links that hang, drip and answer
// slowly (under the header timeout: live).
func newSlowWeb(seed uint64, big map[string]benchHost, bigLinks map[string]int, tail int, hang, drip, slow float64) *slowWeb {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := &slowWeb{hosts: map[string]benchHost{}, bad: map[string]bool{}}
	add := func(host string, i int) {
		kind := "p"
		switch x := rng.Float64(); {
		case x < hang:
			kind = "hang"
		case x < hang+drip:
			kind = "drip"
		case x < hang+drip+slow:
			kind = "slow"
		}
		u := fmt.Sprintf("http://%s/%s/%d", host, kind, i)
		if kind == "hang" || kind == "drip" {
			w.bad[u] = true
		}
		w.targets = append(w.targets, Target{URL: u})
	}
	for h, spec := range big {
		w.hosts[h] = spec
		for i := range bigLinks[h] {
			add(h, i)
		}
	}
	def := benchHost{rate: DefaultRate, burst: DefaultBurst, conc: DefaultHostConcurrency}
	for i := range tail {
		h := fmt.Sprintf("t%05d.example", i)
		spec := def
		spec.latency = latencyOf(h)
		w.hosts[h] = spec
		add(h, i)
	}
	rng.Shuffle(len(w.targets), func(i, k int) { w.targets[i], w.targets[k] = w.targets[k], w.targets[i] })
	return w
}

var slowWebPath = regexp.MustCompile(`^/(p|hang|drip|slow)/\d+$`)

// slowWebHandler answers the paths of newSlowWeb; anything else (the soft
// 404 probe) is not found.
func slowWebHandler() http.Handler {
	drip := []byte("<!doctype html><html><head><title>drip</title></head><body>" + strings.Repeat(".", 200))
	page := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(rw, "<!doctype html><html><head><title>%s%s</title></head><body><p>A page.</p></body></html>", r.Host, r.URL.Path)
	})
	hang, slow, dripping := fakeweb.Hang(), fakeweb.Slow(250*time.Millisecond, page), fakeweb.Drip(drip, 50*time.Millisecond)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		m := slowWebPath.FindStringSubmatch(r.URL.Path)
		switch {
		case m == nil:
			http.NotFound(rw, r)
		case m[1] == "hang":
			hang.ServeHTTP(rw, r)
		case m[1] == "drip":
			dripping.ServeHTTP(rw, r)
		case m[1] == "slow":
			slow.ServeHTTP(rw, r)
		default:
			page(rw, r)
		}
	})
}

// runSlowWeb checks a slow web and reports wall time ÷ politeness bound,
// the live links not reported ok, provoked 429s, and peak memory (RSS of
// the process, fake web included, and the Go heap sampled every 20 ms).
func runSlowWeb(b *testing.B, sw *slowWeb, concurrency int) {
	b.Helper()
	perHost := map[string]int{}
	for _, t := range sw.targets {
		u, _ := url.Parse(t.URL)
		perHost[u.Host]++
	}
	bound := 0.0
	for h, n := range perHost {
		bound = max(bound, float64(n)/sw.hosts[h].rate)
	}
	for b.Loop() {
		w := fakeweb.New()
		opts := webOptions(w)
		opts.Soft404.NoProbe = false // as shipped: one probe per host
		slowWebOptions(&opts)
		opts.Rate, opts.Burst, opts.HostConcurrency = DefaultRate, DefaultBurst, DefaultHostConcurrency
		opts.Concurrency = concurrency
		opts.Hosts = map[string]HostOptions{}
		handler := slowWebHandler()
		for h, spec := range sw.hosts {
			if spec.rate != DefaultRate || spec.conc != DefaultHostConcurrency {
				// The client keeps one token more in reserve than the
				// server's burst: a loaded machine delays some requests
				// by tens of milliseconds, and each 429 costs the host a
				// second's pause.
				opts.Hosts[h] = HostOptions{Rate: spec.rate, Burst: max(1, spec.burst-1), Concurrency: spec.conc}
			}
			fh := w.Host(h)
			fh.Rate, fh.Burst, fh.Latency, fh.Handler = spec.rate, spec.burst, spec.latency, handler
		}
		c, err := NewChecker(opts)
		if err != nil {
			b.Fatal(err)
		}
		if limit := os.Getenv("BENCH_MEMLIMIT"); limit != "" {
			// As check.memory_limit does for the command (MB).
			mb, err := strconv.Atoi(limit)
			if err != nil {
				b.Fatalf("BENCH_MEMLIMIT=%q: want MB", limit)
			}
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(mb) << 20))
		}
		heap := sampleHeap()
		cpu0 := cpuTime()
		counts := map[linkvault.Status]int{}
		liveBad := 0
		start := time.Now()
		var lastLive, half time.Duration
		err = c.Check(context.Background(), sw.targets, func(r linkvault.Result) {
			counts[r.Status]++
			if !sw.bad[r.URL] {
				lastLive = time.Since(start)
			}
			if n := len(sw.targets) / 2; counts[linkvault.StatusOK]+counts[linkvault.StatusUnreachable] == n {
				half = time.Since(start)
				if name := os.Getenv("BENCH_HEAPPROFILE"); name != "" {
					if f, err := os.Create(name); err == nil {
						pprof.WriteHeapProfile(f)
						f.Close()
					}
				}
			}
			if !sw.bad[r.URL] && r.Status != linkvault.StatusOK {
				liveBad++
				if liveBad <= 5 {
					b.Logf("live link %s: %s", r.URL, r)
				}
			}
		})
		wall := time.Since(start).Seconds()
		cpu := (cpuTime() - cpu0).Seconds()
		peakHeap := heap()
		if err != nil {
			b.Fatal(err)
		}
		if os.Getenv("BENCH_DIAG") != "" {
			for h := range perHost {
				if st := w.Stats(h); st.Throttled > 0 || perHost[h] > 100 {
					b.Logf("%s: %d requests, %d throttled, max in flight %d", h, st.Requests, st.Throttled, st.MaxInFlight)
				}
				if st := w.Stats(h); perHost[h] > 100 && len(st.Times) > 1 {
					// Where the time went: arrivals later than the
					// rate's interval, by how much in all, and the
					// time from the last arrival to the end.
					step := time.Duration(float64(time.Second) / sw.hosts[h].rate)
					var late time.Duration
					gaps := 0
					for i := 1; i < len(st.Times); i++ {
						if d := st.Times[i].Sub(st.Times[i-1]); d > step {
							late += d - step
							if d > 4*step {
								gaps++
							}
						}
					}
					b.Logf("%s: first arrival after %.2f s, last %.2f s before the end; %.1f s of arrivals later than every %v (%d gaps over 4×)",
						h, st.Times[0].Sub(start).Seconds(), time.Since(st.Times[len(st.Times)-1]).Seconds()-(time.Since(start).Seconds()-wall), late.Seconds(), step, gaps)
				}
			}
		}
		// The bound counts links; a run must also retry the links that
		// fail (hanging and dripping ones once) and probe each host: the
		// requests it had to make, 429s aside, over the host's rate.
		reqBound := 0.0
		for h := range perHost {
			st := w.Stats(h)
			reqBound = max(reqBound, float64(st.Requests-st.Throttled)/sw.hosts[h].rate)
		}
		c.Close()
		w.Close()
		b.Logf("%.3f× the bound of the requests made (429s aside) of %.1f s", wall/reqBound, reqBound)
		b.Logf("%.3f× the bound of %.1f s (half the links done after %.1f s, the last live one after %.1f s, CPU %.1f s); results %v; %d × 429; peak RSS %.0f MB, heap %.0f MB",
			wall/bound, bound, half.Seconds(), lastLive.Seconds(), cpu, counts, w.Throttled(), float64(peakRSS())/(1<<20), float64(peakHeap)/(1<<20))
		if liveBad > 0 {
			b.Errorf("%d live links not reported ok", liveBad)
		}
		b.ReportMetric(wall/bound, "x-bound")
		b.ReportMetric(bound, "bound-s")
		b.ReportMetric(wall/reqBound, "x-reqbound")
		b.ReportMetric(float64(liveBad), "live-not-ok")
		b.ReportMetric(float64(w.Throttled()), "429s")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MB")
		b.ReportMetric(float64(peakHeap)/(1<<20), "peakHeap-MB")
		b.ReportMetric(float64(len(sw.targets)), "urls")
		b.ReportMetric(float64(len(sw.bad)), "bad-urls")
		b.ReportMetric(cpu, "cpu-s")
	}
}

// cpuTime is the CPU time (user and system) of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sampleHeap samples the Go heap in use every 20 ms until the returned
// function is called, which returns the peak.
func sampleHeap() func() uint64 {
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var m runtime.MemStats
		var most uint64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			most = max(most, m.HeapInuse)
			select {
			case <-t.C:
			case <-stop:
				peak <- most
				return
			}
		}
	}()
	return func() uint64 { close(stop); return <-peak }
}

// BenchmarkCheckSlowBigHost: where one big host dominates. A CDN host of
// 1,755 links at 40 requests per second (bound 44 s), 4 in flight, 3% of
// its links hanging, 1% dripping, 3% slow, beside 400 single-link hosts
// of the same mix. Goal: ≤ 1.15× the bound, 0 live links not ok.
func BenchmarkCheckSlowBigHost(b *testing.B) {
	big := map[string]benchHost{"cdn.example": {rate: 40, burst: 4, conc: 4, latency: 20 * time.Millisecond}}
	sw := newSlowWeb(1, big, map[string]int{"cdn.example": 1755}, 400, 0.03, 0.01, 0.03)
	runSlowWeb(b, sw, DefaultConcurrency)
}

// BenchmarkCheckSlowLongTail: where the long tail dominates. 8,000
// single-link hosts and 4 hosts of 90 links at the shipped 2 requests per
// second (bound 45 s), 3% of all links hanging, 1% dripping, 3% slow.
// Goal: ≤ 2× the bound, 0 live links not ok.
func BenchmarkCheckSlowLongTail(b *testing.B) {
	big := map[string]benchHost{}
	links := map[string]int{}
	for i := range 4 {
		h := fmt.Sprintf("big%d.example", i)
		big[h] = benchHost{rate: DefaultRate, burst: DefaultBurst, conc: DefaultHostConcurrency, latency: latencyOf(h)}
		links[h] = 90
	}
	sw := newSlowWeb(2, big, links, 8000, 0.03, 0.01, 0.03)
	runSlowWeb(b, sw, DefaultConcurrency)
}

// BenchmarkCheckMemory checks many links over many hosts, all answering at
// once, and reports the peak memory: per-host state must be small and
// released when the host is done. Goals: ≤ 150 MB for 40k links over 8k
// hosts, ≤ 250 MB for 100k links over 20k hosts (peak RSS of the process,
// the fake web's side included).
func BenchmarkCheckMemory(b *testing.B) {
	for _, size := range []struct{ links, hosts int }{{40000, 8000}, {100000, 20000}} {
		b.Run(fmt.Sprintf("%dk-over-%dk-hosts", size.links/1000, size.hosts/1000), func(b *testing.B) {
			sw := &slowWeb{hosts: map[string]benchHost{}, bad: map[string]bool{}}
			for i := range size.hosts {
				h := fmt.Sprintf("m%05d.example", i)
				sw.hosts[h] = benchHost{rate: 1000, burst: 10, conc: DefaultHostConcurrency, latency: time.Millisecond}
			}
			for i := range size.links {
				sw.targets = append(sw.targets, Target{URL: fmt.Sprintf("http://m%05d.example/p/%d", i%size.hosts, i)})
			}
			runSlowWeb(b, sw, DefaultConcurrency)
		})
	}
}

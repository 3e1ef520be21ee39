package crawler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// TestRetryAfterPausesHost checks that a 429, or a 503 with Retry-After,
// pauses the whole host: no request of any URL on it reaches the server
// before the time the server gave.
func TestRetryAfterPausesHost(t *testing.T) {
	for _, code := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			w := fakeweb.New()
			defer w.Close()
			w.Host("site.test").Handler = counting(
				func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(code)
				},
				htmlPage("ok", ""))
			opts := webOptions(w)
			opts.HostConcurrency = 1
			rs := checkAll(t, opts, Target{URL: "http://site.test/a"}, Target{URL: "http://site.test/b"}, Target{URL: "http://site.test/c"})
			for _, r := range rs {
				if r.Status != linkvault.StatusOK {
					t.Errorf("%s: got %s, want ok", r.URL, r)
				}
			}
			st := w.Stats("site.test")
			if len(st.Times) != 4 {
				t.Fatalf("server saw %d requests (%q), want 4", len(st.Times), st.Paths)
			}
			for i, at := range st.Times[1:] {
				if gap := at.Sub(st.Times[0]); gap < time.Second {
					t.Errorf("request %d (%s) came %v after the %d, want at least the Retry-After of 1s", i+2, st.Paths[i+1], gap, code)
				}
			}
		})
	}
}

// TestRetryAfterCapped checks that a Retry-After longer than
// RetryAfterMax is cut to it: an hour-long pause would outlast the test's
// deadline and fail it.
func TestRetryAfterCapped(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("site.test").Handler = counting(
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		},
		htmlPage("ok", ""))
	opts := webOptions(w)
	opts.RetryAfterMax = 50 * time.Millisecond
	r := checkAll(t, opts, Target{URL: "http://site.test/"})[0]
	if r.Status != linkvault.StatusOK || r.Requests != 2 {
		t.Errorf("got %s after %d requests, want ok after 2", r, r.Requests)
	}
}

// TestThrottleAndRecover checks the adaptive rate of a host: halved on
// each throttle down to a floor of 1/16 of the configured rate, paused for
// the Retry-After time up to the cap, and crept back by a quarter per
// success up to the configured rate.
func TestThrottleAndRecover(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	h := &host{base: 8, rate: 8, lim: rate.NewLimiter(8, 1)}
	type step struct {
		name      string
		do        func()
		rate      float64
		pausedFor time.Duration
	}
	steps := []step{
		{"429 without Retry-After", func() { h.throttle(now, 0, false, time.Minute) }, 4, 0},
		{"503 with Retry-After 5s", func() { h.throttle(now, 5*time.Second, true, time.Minute) }, 2, 5 * time.Second},
		{"Retry-After beyond the cap", func() { h.throttle(now, time.Hour, true, time.Minute) }, 1, time.Minute},
		{"shorter Retry-After keeps the longer pause", func() { h.throttle(now, time.Second, true, time.Minute) }, 0.5, time.Minute},
		{"floor at base/16", func() { h.throttle(now, 0, false, time.Minute) }, 0.5, time.Minute},
		{"success creeps back", func() { h.recover(now) }, 0.625, time.Minute},
		{"more success", func() { h.recover(now) }, 0.78125, time.Minute},
	}
	for _, s := range steps {
		s.do()
		var paused time.Duration
		if !h.pause.IsZero() {
			paused = h.pause.Sub(now)
		}
		if h.rate != s.rate || float64(h.lim.Limit()) != s.rate || paused != s.pausedFor {
			t.Errorf("%s: rate %v (limiter %v), paused for %v; want %v, %v", s.name, h.rate, h.lim.Limit(), paused, s.rate, s.pausedFor)
		}
	}
	for range 20 {
		h.recover(now)
	}
	if h.rate != 8 || h.lim.Limit() != 8 {
		t.Errorf("after many successes rate = %v (limiter %v), want the configured 8", h.rate, h.lim.Limit())
	}
}

// TestBackoff checks the exponential backoff with jitter: retry n waits
// RetryWait×2^(n-1) scaled by a random factor in [0.5, 1.5).
func TestBackoff(t *testing.T) {
	r := &run{c: &Checker{opts: withDefaults(Options{RetryWait: time.Second})}}
	for n := 1; n <= 4; n++ {
		base := time.Second << (n - 1)
		lo, hi := base/2, base*3/2
		seen := map[time.Duration]bool{}
		for range 200 {
			d := r.backoff(n)
			if d < lo || d >= hi {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v)", n, d, lo, hi)
			}
			seen[d] = true
		}
		if len(seen) < 100 {
			t.Errorf("backoff(%d) gave %d distinct waits in 200, want jitter", n, len(seen))
		}
	}
}

// TestHostConcurrencyOverride checks that a per-host concurrency (config
// hosts:) overrides the default for that host only.
func TestHostConcurrencyOverride(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	for _, name := range []string{"one.test", "many.test"} {
		w.Host(name).Latency = 20 * time.Millisecond
	}
	var targets []Target
	for i := range 20 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://one.test/p%d", i)}, Target{URL: fmt.Sprintf("http://many.test/p%d", i)})
	}
	opts := webOptions(w)
	opts.HostConcurrency = 4
	opts.Hosts = map[string]HostOptions{"one.test": {Concurrency: 1}}
	checkAll(t, opts, targets...)
	if got := w.Stats("one.test").MaxInFlight; got != 1 {
		t.Errorf("one.test: max in flight = %d, want 1 (its override)", got)
	}
	if got := w.Stats("many.test").MaxInFlight; got > 4 || got < 2 {
		t.Errorf("many.test: max in flight = %d, want 2 to 4 (the default of 4)", got)
	}
}

// TestNoProvoked429 checks the politeness goal on hosts that enforce
// the same rate as the client (the shipped default, 2/s burst 2) and
// answer 429 beyond it: no request is refused, one request per URL, and
// one soft 404 probe per host, rate limited like the rest.
func TestNoProvoked429(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	var targets []Target
	for _, name := range []string{"a.test", "b.test"} {
		h := w.Host(name)
		h.Rate, h.Burst = DefaultRate, DefaultBurst
		pages := map[string]bool{}
		for i := range 5 {
			targets = append(targets, Target{URL: fmt.Sprintf("http://%s/p/%d", name, i)})
			pages[fmt.Sprintf("/p/%d", i)] = true
		}
		h.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if !pages[r.URL.Path] {
				http.NotFound(rw, r)
				return
			}
			htmlPage("Page "+r.URL.Path, "Its own text.")(rw, r)
		})
	}
	opts := Options{DialContext: w.DialContext, AllowPrivate: true}
	rs := checkAll(t, opts, targets...)
	for _, r := range rs {
		if r.Status != linkvault.StatusOK || r.Requests != 1 {
			t.Errorf("%s: got %s after %d requests, want ok after 1", r.URL, r, r.Requests)
		}
	}
	if n := w.Throttled(); n != 0 {
		t.Errorf("the servers answered %d requests with 429, want 0", n)
	}
	for _, name := range []string{"a.test", "b.test"} {
		if n := w.Stats(name).Requests; n != 6 {
			t.Errorf("%s received %d requests, want 6 (5 links and 1 probe)", name, n)
		}
	}
}

// TestBackoffCapped checks that the backoff never exceeds RetryWaitMax,
// however many retries: RetryWait<<(n-1) alone overflows or waits for
// hours.
func TestBackoffCapped(t *testing.T) {
	r := &run{c: &Checker{opts: withDefaults(Options{RetryWait: time.Second, RetryWaitMax: 5 * time.Second})}}
	for n := 1; n <= 100; n++ {
		if d := r.backoff(n); d <= 0 || d > 5*time.Second {
			t.Fatalf("backoff(%d) = %v, want in (0, 5s]", n, d)
		}
	}
	if d := r.backoff(20); d < 5*time.Second/2 {
		t.Errorf("backoff(20) = %v, want at least half the cap", d)
	}
}

// TestTotalTimeout checks that a page dripping its body (a byte every
// 20 ms: never silent for ReadTimeout, done only after 2 s) is cut by
// Timeout and reported as a timeout, not ok, and that nothing of it is
// captured.
func TestTotalTimeout(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("drip.test").Handler = fakeweb.Drip([]byte("<html><head><title>drip</title></head><body>"+strings.Repeat("x", 100)), 20*time.Millisecond)
	opts := webOptions(w)
	opts.ReadTimeout = time.Second
	opts.Timeout = 300 * time.Millisecond
	opts.Retries = -1
	captured := 0
	opts.Capture = func(context.Context, *linkvault.Exchange) error { captured++; return nil }
	r := checkAll(t, opts, Target{URL: "http://drip.test/page", Capture: true})[0]
	if r.Status != linkvault.StatusUnreachable || r.Reason != "timeout after 300ms in total" || r.Requests != 1 {
		t.Errorf("got %s after %d requests, want unreachable (timeout after 300ms in total) after 1", r, r.Requests)
	}
	if captured != 0 {
		t.Errorf("%d captures of a page cut by the timeout, want 0", captured)
	}
}

// TestBreakerIgnoresSlowURLs is the case: three URLs of a host
// hang, at the same time (4 in flight per host) or one after the other;
// they are timeouts of their own, and the host's live links are all
// checked and ok: a URL that does not answer says nothing about the host.
func TestBreakerIgnoresSlowURLs(t *testing.T) {
	for _, conc := range []int{4, 1} {
		t.Run(fmt.Sprint(conc, " in flight"), func(t *testing.T) {
			w := fakeweb.New()
			defer w.Close()
			mux := http.NewServeMux()
			mux.Handle("/hang/", fakeweb.Hang())
			mux.Handle("/", htmlPage("live", "A live page."))
			w.Host("cdn.test").Handler = mux
			opts := webOptions(w)
			opts.HostConcurrency = conc
			opts.BreakerThreshold = 3
			opts.HeaderTimeout = 100 * time.Millisecond
			opts.SlowAfter = time.Minute // the hanging requests keep their slots
			opts.Retries = -1
			var targets []Target
			for i := range 3 {
				targets = append(targets, Target{URL: fmt.Sprintf("http://cdn.test/hang/%d", i)})
			}
			for i := range 20 {
				targets = append(targets, Target{URL: fmt.Sprintf("http://cdn.test/live/%d", i)})
			}
			for _, r := range checkAll(t, opts, targets...) {
				want := linkvault.StatusOK
				if strings.Contains(r.URL, "/hang/") {
					want = linkvault.StatusUnreachable
				}
				if r.Status != want {
					t.Errorf("%s: got %s, want %s", r.URL, r, want)
				}
			}
		})
	}
}

// TestBreakerCountsFailuresInSequence checks that host-down failures of
// requests in flight together count once: 16 links of a refusing host,
// 4 in flight at a time, each batch of 4 refused together. The breaker
// (3) opens only with the third batch: 12 links are tried and
// unreachable, the 4 others not checked (skipped), never bad.
func TestBreakerCountsFailuresInSequence(t *testing.T) {
	var mu sync.Mutex
	var dials int
	var batch chan struct{}
	waiting := 0
	opts := Options{
		AllowPrivate:     true,
		HostConcurrency:  4,
		BreakerThreshold: 3,
		Rate:             1000,
		Burst:            100,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			// Refuse only once 4 dials wait: they fail together.
			mu.Lock()
			dials++
			if batch == nil {
				batch = make(chan struct{})
			}
			b := batch
			if waiting++; waiting == 4 {
				close(b)
				batch, waiting = nil, 0
			}
			mu.Unlock()
			select {
			case <-b:
			case <-time.After(5 * time.Second):
			}
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
		},
	}
	var targets []Target
	for i := range 16 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://dead.test/%d", i)})
	}
	rs := checkAll(t, opts, targets...)
	if dials != 12 {
		t.Errorf("dials = %d, want 12 (three batches of 4 failing together)", dials)
	}
	skipped := 0
	for _, r := range rs {
		switch {
		case r.Status == linkvault.StatusSkipped && strings.HasPrefix(r.Reason, "not checked: host down: 3 failures in a row"):
			skipped++
		case r.Status != linkvault.StatusUnreachable || r.Requests != 1:
			t.Errorf("%s: got %s after %d requests, want unreachable after 1 or not checked", r.URL, r, r.Requests)
		}
	}
	if skipped != 4 {
		t.Errorf("%d links not checked, want 4", skipped)
	}
}

// TestRetryGoesAheadOfWaiting checks that the retry of a timeout, once
// its wait is over, goes ahead of the host's links not yet tried: left at
// the back, the retries of a big host's hanging links ran after all its
// other links, one timeout past the end (BenchmarkCheckSlowBigHost).
func TestRetryGoesAheadOfWaiting(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	h := w.Host("site.test")
	h.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" && w.Stats("site.test").Requests == 1 {
			fakeweb.Hang().ServeHTTP(rw, r)
			return
		}
		fakeweb.Slow(20*time.Millisecond, htmlPage("ok", "")).ServeHTTP(rw, r)
	})
	opts := webOptions(w)
	opts.HostConcurrency = 1
	opts.HeaderTimeout = 200 * time.Millisecond
	opts.SlowAfter = time.Minute
	targets := []Target{{URL: "http://site.test/a"}}
	for i := range 6 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://site.test/p%d", i)})
	}
	for _, r := range checkAll(t, opts, targets...) {
		if r.Status != linkvault.StatusOK {
			t.Errorf("%s: got %s, want ok", r.URL, r)
		}
	}
	// The retry waits about a millisecond (RetryWait), holding no slot:
	// /p0 starts meanwhile, and the retry comes next.
	paths := w.Stats("site.test").Paths
	want := []string{"/a", "/p0", "/a", "/p1", "/p2", "/p3", "/p4", "/p5"}
	if !slices.Equal(paths, want) {
		t.Errorf("the server saw %q, want %q: the retry of /a ahead of the links not yet tried", paths, want)
	}
}

// TestSlowRequestsGiveBackSlots checks that a hanging request gives its
// slots back after SlowAfter: with one request per host and one overall,
// the links behind it (on its host and on another) are all served before
// it times out.
func TestSlowRequestsGiveBackSlots(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	mux := http.NewServeMux()
	mux.Handle("/hang/", fakeweb.Hang())
	mux.Handle("/", htmlPage("ok", ""))
	w.Host("a.test").Handler = mux
	w.Host("b.test").Handler = mux
	opts := webOptions(w)
	opts.Concurrency = 1
	opts.HostConcurrency = 1
	opts.HeaderTimeout = time.Second
	opts.SlowAfter = 50 * time.Millisecond
	opts.Retries = -1
	// The host answers its first link at once: the hanging URL is its
	// own trouble, not the host's.
	targets := []Target{{URL: "http://a.test/first"}, {URL: "http://a.test/hang/1"}}
	for i := range 3 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://a.test/p%d", i)}, Target{URL: fmt.Sprintf("http://b.test/p%d", i)})
	}
	checkAll(t, opts, targets...)
	hangStart := w.Stats("a.test").Times[1]
	for _, name := range []string{"a.test", "b.test"} {
		st := w.Stats(name)
		for i, p := range st.Paths {
			if at := st.Times[i].Sub(hangStart); !strings.HasPrefix(p, "/hang") && at >= opts.HeaderTimeout {
				t.Errorf("%s%s was asked %v after the hanging request, want before its timeout of %v", name, p, at, opts.HeaderTimeout)
			}
		}
	}
}

// TestSlowPoolBounded checks the bounds of the pool of slow requests:
// with one request per host, a host whose first answer came quickly and
// whose other URLs hang gets at most 1+slowPool requests before the first
// one times out (the one beyond its share keeps its slot); with 2 per host
// and 2 overall, 4. A host whose every answer is slow is overloaded: it
// keeps its concurrency limit.
func TestSlowPoolBounded(t *testing.T) {
	for _, tt := range []struct {
		name              string
		conc, hostConc    int
		want, hangingURLs int
		allSlow           bool
	}{
		{"host share", 64, 1, 1 + slowPool, 2 * (1 + slowPool), false},
		{"run pool", 2, 2, 4, 8, false},
		{"overloaded host", 64, 2, 2, 8, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := fakeweb.New()
			defer w.Close()
			mux := http.NewServeMux()
			mux.Handle("/hang/", fakeweb.Hang())
			mux.Handle("/", htmlPage("ok", ""))
			w.Host("a.test").Handler = mux
			opts := webOptions(w)
			opts.Concurrency, opts.HostConcurrency = tt.conc, tt.hostConc
			// SlowAfter leaves the quick page room to answer
			// quickly on a loaded machine (at 20 ms, a load of 20
			// made it slow, and the host then rightly lent nothing),
			// while 1+slowPool requests, one lent every SlowAfter,
			// still start well within the timeout's window below.
			opts.HeaderTimeout = 1500 * time.Millisecond
			opts.SlowAfter = 80 * time.Millisecond
			opts.Retries = -1
			var targets []Target
			if !tt.allSlow {
				targets = append(targets, Target{URL: "http://a.test/quick"})
			}
			for i := range tt.hangingURLs {
				targets = append(targets, Target{URL: fmt.Sprintf("http://a.test/hang/%d", i)})
			}
			for _, r := range checkAll(t, opts, targets...) {
				if want := linkvault.StatusUnreachable; r.URL != "http://a.test/quick" && r.Status != want {
					t.Errorf("%s: got %s, want unreachable", r.URL, r)
				}
			}
			// Requests in flight at once: those asked before the
			// first hanging one timed out (the server sees a
			// timed-out request end a little after the client gave
			// up).
			st := w.Stats("a.test")
			first := 0
			if !tt.allSlow {
				first = 1
			}
			early := 0
			for _, at := range st.Times[first:] {
				if at.Sub(st.Times[first]) < opts.HeaderTimeout*9/10 {
					early++
				}
			}
			if early != tt.want {
				t.Errorf("%d requests before the first timeout, want %d", early, tt.want)
			}
		})
	}
}

// TestURLTimeoutRetriedOnce checks that a URL that never answers is
// retried once, not Retries times (each try costs the whole timeout),
// while a 503 still gets every retry.
func TestURLTimeoutRetriedOnce(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	mux := http.NewServeMux()
	mux.Handle("/hang", fakeweb.Hang())
	mux.Handle("/busy", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.WriteHeader(http.StatusServiceUnavailable) }))
	w.Host("site.test").Handler = mux
	opts := webOptions(w)
	opts.HeaderTimeout = 100 * time.Millisecond
	opts.Retries = 3
	rs := checkAll(t, opts, Target{URL: "http://site.test/hang"}, Target{URL: "http://site.test/busy"})
	for _, r := range rs {
		want := map[string]int{"http://site.test/hang": 2, "http://site.test/busy": 4}[r.URL]
		if r.Requests != want {
			t.Errorf("%s: %s after %d requests, want %d", r.URL, r, r.Requests, want)
		}
	}
}

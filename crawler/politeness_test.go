package crawler

import (
	"fmt"
	"net/http"
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
	r := &run{c: &Checker{opts: Options{RetryWait: time.Second}}}
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

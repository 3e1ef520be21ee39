package crawler

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// TestWaitingLinkSmall checks what a link costs while it waits in its
// host's queue: a few bytes, its job (about 300 bytes, and its parsed URL
// 144 more) being made only when its check starts. A run admits all its
// links at once: with 100,000 links over 20,000 hosts
// (BenchmarkCheckMemory) the jobs of the links waiting were most of the
// live heap.
func TestWaitingLinkSmall(t *testing.T) {
	c, err := NewChecker(Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	targets := make([]Target, n)
	for i := range targets {
		targets[i].URL = fmt.Sprintf("http://h%d.test/page/%d", i%10, i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := c.newRun(context.Background(), targets, func(linkvault.Result) {})
	r.admitAll()
	runtime.GC()
	runtime.ReadMemStats(&after)
	queued := 0
	for _, h := range r.hosts {
		queued += h.queued()
	}
	runtime.KeepAlive(r)
	if queued != n {
		t.Fatalf("%d links queued, want %d", queued, n)
	}
	if per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n; per > 32 {
		t.Errorf("a waiting link takes %d bytes of heap, want at most 32", per)
	}
}

// TestDoneHostsDropped checks that the state of a host (its queue,
// limiter, probe) is dropped once it has nothing left to do, while a big
// host is still being checked, and that its statistics keep its rate.
func TestDoneHostsDropped(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	opts := webOptions(w)
	opts.Soft404.NoProbe = false // a probe per host, dropped with it
	opts.Hosts = map[string]HostOptions{"big.test": {Rate: 20, Burst: 1, Concurrency: 1}}
	var targets []Target
	w.Host("big.test")
	for i := range 40 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://big.test/page/%d", i)})
	}
	for i := range 30 {
		w.Host(fmt.Sprintf("h%d.test", i))
		targets = append(targets, Target{URL: fmt.Sprintf("http://h%d.test/page/%d", i, i)})
	}
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ok := 0
	var r *run
	most, last := 0, 0
	r = c.newRun(t.Context(), targets, func(res linkvault.Result) {
		// On the loop goroutine: the run's state may be read.
		if res.Status == linkvault.StatusOK {
			ok++
		}
		most = max(most, len(r.hosts))
		last = len(r.hosts)
	})
	r.admitAll()
	if err := r.loop(); err != nil {
		t.Fatal(err)
	}
	r.recordRates() // as Check does
	if ok != len(targets) {
		t.Errorf("%d ok, want %d", ok, len(targets))
	}
	// The big host takes 2 s (40 links at 20 a second); the small ones
	// are done in the first few hundred milliseconds.
	if most < 31 || last > 3 || len(r.probes) > 3 || len(r.probeBase) > 3 {
		t.Errorf("hosts held: at most %d, at the last result %d, probes %d, probe bases %d; want 31, then at most 3",
			most, last, len(r.probes), len(r.probeBase))
	}
	for i := range 30 {
		if s := c.HostStats()[fmt.Sprintf("h%d.test", i)]; s == nil || s.Rate != opts.Rate || s.Links != 1 {
			t.Errorf("h%d.test: statistics %+v, want rate %g and 1 link", i, s, opts.Rate)
		}
	}
}

package crawler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// TestDeadlineProbe: a link that answered before the deadline while the
// soft 404 probe of its host was still queued is not lost when the
// deadline drops the queue: it is judged without the probe, as when the
// probe fails, and its result is emitted. (Found by
// BenchmarkBudgetedNight: 1,557 links fetched, none recorded.)
func TestDeadlineProbe(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	var targets []Target
	for i := range 6 {
		host := fmt.Sprintf("h%d.test", i)
		w.Host(host).Latency = 150 * time.Millisecond
		targets = append(targets, Target{URL: "http://" + host + "/posts/article"})
	}
	opts := webOptions(w)
	opts.Soft404.NoProbe = false
	opts.Concurrency = 1 // every host's link first (round robin), then the probes
	start := time.Now()
	opts.Deadline = start.Add(700 * time.Millisecond)
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := map[string]linkvault.Result{}
	if err := c.Check(context.Background(), targets, func(r linkvault.Result) { got[r.URL] = r }); err != nil {
		t.Fatalf("Check: %v", err)
	}
	started := 0
	for _, tg := range targets {
		u := tg.URL
		st := w.Stats(u[len("http://") : len(u)-len("/posts/article")])
		for _, p := range st.Paths {
			if p == "/posts/article" {
				started++
				if r, ok := got[u]; !ok || r.Status != linkvault.StatusOK {
					t.Errorf("%s was fetched before the deadline but its result is %+v (emitted %v), want ok", u, r, ok)
				}
			}
		}
	}
	if started < 2 || started == len(targets) {
		t.Errorf("%d links started before the deadline, want some but not all (the test needs the probes queued)", started)
	}
	if len(got) != started {
		t.Errorf("%d results for %d links fetched", len(got), started)
	}
}

package crawler

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// TestDeadline: a budgeted run starts no request at or after
// Options.Deadline, lets the ones in flight finish (their results are
// emitted), gives the links it did not reach no result, and ends.
func TestDeadline(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	mux := http.NewServeMux()
	mux.Handle("/slow", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		time.Sleep(600 * time.Millisecond)
		htmlPage("slow", "")(rw, r)
	}))
	mux.Handle("/", htmlPage("ok", ""))
	w.Host("a.test").Handler = mux
	opts := webOptions(w)
	opts.Rate, opts.Burst, opts.HostConcurrency = 4, 1, 1
	targets := []Target{{URL: "http://a.test/slow"}}
	for i := range 40 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://a.test/p%d", i)})
	}
	start := time.Now()
	opts.Deadline = start.Add(1500 * time.Millisecond)
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got []linkvault.Result
	if err := c.Check(context.Background(), targets, func(r linkvault.Result) { got = append(got, r) }); err != nil {
		t.Fatalf("Check: %v", err)
	}
	took := time.Since(start)
	st := w.Stats("a.test")
	for i, at := range st.Times {
		if !at.Before(opts.Deadline) {
			t.Errorf("%s asked %v after the deadline", st.Paths[i], at.Sub(opts.Deadline))
		}
	}
	// The slow page first (0.6 s), then 4 a second: about 4 more.
	if len(got) != len(st.Paths) || len(got) < 3 || len(got) > 8 {
		t.Errorf("%d results for %d requests, want one per request started, 3 to 8", len(got), len(st.Paths))
	}
	if took > 10*time.Second {
		t.Errorf("Check took %v after a 1.5 s deadline", took)
	}
}

// TestHostStatsRate: a host's statistics keep the rate it ended the run
// at — below the configured one after a 429 — for the next runs to plan
// with.
func TestHostStatsRate(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("throttling.test").Handler = counting(
		func(rw http.ResponseWriter, r *http.Request) { rw.WriteHeader(http.StatusTooManyRequests) },
		htmlPage("ok", ""),
	)
	w.Host("calm.test").Handler = htmlPage("ok", "")
	opts := webOptions(w)
	opts.Rate = 100
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Check(context.Background(), []Target{{URL: "http://throttling.test/b"}, {URL: "http://calm.test/b"}}, func(linkvault.Result) {}); err != nil {
		t.Fatal(err)
	}
	st := c.HostStats()
	if r := st["throttling.test"].Rate; r <= 0 || r >= 100 {
		t.Errorf("throttling.test ended at %g req/s, want below the configured 100 after its 429", r)
	}
	if r := st["calm.test"].Rate; r != 100 {
		t.Errorf("calm.test ended at %g req/s, want the configured 100", r)
	}
}

package archive

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

func link(u string, line int) linkvault.Link {
	return linkvault.Link{URL: u, Kind: linkvault.KindWeb, Sources: []linkvault.Source{{File: "notes/今天.md", Line: line, Column: 3}}}
}

// TestRecorderDays records four daily runs with an injected clock and
// checks states, run totals, history and queries.
func TestRecorderDays(t *testing.T) {
	c := newClock()
	db := mustOpenPath(t, filepath.Join(t.TempDir(), "linkvault.db"), &Options{Now: c.Now, Version: "test"})
	if _, err := db.LastRun(); linkvault.ErrorCode(err) != linkvault.ENotFound {
		t.Errorf("LastRun() on an empty database = %v, want ENotFound", err)
	}
	const (
		a  = "https://a.example/always-ok"
		b  = "https://b.example/404-from-day-2"
		cc = "https://c.example/blocked"
		d  = "https://d.example/removed-day-3"
		e  = "https://e.example/fails-day-2-only"
		f  = "https://f.example/dead-then-back"
		g  = "https://g.example/moved"
	)
	days := []struct {
		links   []string
		results map[string]linkvault.Result
		want    map[string]linkvault.State
		dead    int
		recov   int
	}{
		{
			[]string{a, b, cc, d, e, f, g},
			map[string]linkvault.Result{a: resOK, b: resOK, cc: res403, d: resOK, e: resOK, f: res404, g: resMoved},
			map[string]linkvault.State{a: "alive", b: "alive", cc: "blocked", d: "alive", e: "alive", f: "failing", g: "moved"},
			0, 0,
		},
		{
			[]string{a, b, cc, d, e, f, g},
			map[string]linkvault.Result{a: resOK, b: res404, cc: res403, d: resOK, e: res404, f: res404, g: resMoved},
			map[string]linkvault.State{a: "alive", b: "failing", cc: "blocked", d: "alive", e: "failing", f: "dead", g: "moved"},
			1, 0,
		},
		{
			[]string{a, b, cc, e, f, g},
			map[string]linkvault.Result{a: resOK, b: res404, cc: res403, e: resOK, f: resOK, g: resMoved},
			map[string]linkvault.State{a: "alive", b: "dead", cc: "blocked", d: "gone", e: "alive", f: "alive", g: "moved"},
			1, 2,
		},
		{
			[]string{a, b, cc, d, e, f, g},
			map[string]linkvault.Result{a: resOK, b: res404, cc: res429, e: resOK, f: resOK, g: resOK},
			map[string]linkvault.State{a: "alive", b: "dead", cc: "blocked", d: "alive", e: "alive", f: "alive", g: "alive"},
			0, 0,
		},
	}
	checks := 0
	for i, dd := range days {
		var links []linkvault.Link
		for j, u := range dd.links {
			links = append(links, link(u, j+1))
		}
		rec, err := db.BeginRun(linkvault.Run{ConfigDigest: "sha256:x"}, links)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.Run(); got.ID != uint64(i+1) || !got.Start.Equal(c.Now()) || got.Version != "test" {
			t.Errorf("day %d: Run() = %+v, want id %d started now", i, got, i+1)
		}
		want := map[linkvault.Status]int{}
		for u, res := range dd.results {
			res.URL = u
			rec.Record(res)
			want[res.Status]++
			checks++
		}
		hosts := map[string]*linkvault.HostStats{
			"a.example": {Requests: 1, Links: 1},
			"b.example": {Requests: 3, Bytes: 1 << 20, Throttled: 2, LatencyMS: 450, Links: 1, Bad: 1, Blocked: 1},
		}
		c.Add(10 * time.Minute)
		run, err := rec.Finish(context.Background(), hosts, false)
		if err != nil {
			t.Fatal(err)
		}
		if !run.Finished || run.Interrupted || !run.End.Equal(c.Now()) || run.NewlyDead != dd.dead || run.Recovered != dd.recov {
			t.Errorf("day %d: run finished %v interrupted %v end %v newly dead %d recovered %d; want true false now %d %d",
				i, run.Finished, run.Interrupted, run.End, run.NewlyDead, run.Recovered, dd.dead, dd.recov)
		}
		if fmt.Sprint(run.Counts) != fmt.Sprint(want) {
			t.Errorf("day %d: counts %v, want %v", i, run.Counts, want)
		}
		wantStates := map[linkvault.State]int{}
		for u, s := range dd.want {
			wantStates[s]++
			got, err := db.URL(u)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != s {
				t.Errorf("day %d: %s is %s, want %s", i, u, got.State, s)
			}
		}
		if fmt.Sprint(run.States) != fmt.Sprint(wantStates) {
			t.Errorf("day %d: states %v, want %v", i, run.States, wantStates)
		}
		stored, err := db.LastRun()
		if err != nil {
			t.Fatal(err)
		}
		if stored.ID != run.ID || !stored.Finished || stored.Hosts["a.example"].Requests != 1 {
			t.Errorf("day %d: LastRun() = %+v, want the finished run %d", i, stored, run.ID)
		}
		// Everything the run knows is stored: start, end, version, config
		// digest, counts and the per-host stats.
		if !stored.Start.Equal(run.Start) || !stored.End.Equal(run.End) || stored.Version != "test" ||
			stored.ConfigDigest != "sha256:x" || fmt.Sprint(stored.Counts) != fmt.Sprint(want) {
			t.Errorf("day %d: stored run %+v, want start %v end %v version test digest sha256:x counts %v",
				i, stored, run.Start, run.End, want)
		}
		wantHost := linkvault.HostStats{Requests: 3, Bytes: 1 << 20, Throttled: 2, LatencyMS: 450, Links: 1, Bad: 1, Blocked: 1}
		if got := stored.Hosts["b.example"]; got == nil || *got != wantHost || got.MeanLatency() != 150*time.Millisecond {
			t.Errorf("day %d: stored host stats %+v, want %+v (mean latency 150ms)", i, got, wantHost)
		}
		c.Add(day - 10*time.Minute)
	}

	gone, err := db.URL(d)
	if err != nil {
		t.Fatal(err)
	}
	if gone.PrevState != linkvault.StateGone || !gone.FirstSeen.Equal(t0) || gone.Sources[0].File != "notes/今天.md" {
		t.Errorf("d after coming back: prev %s, first seen %v, sources %v", gone.PrevState, gone.FirstSeen, gone.Sources)
	}
	hist, err := db.History(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	var states []linkvault.State
	for i, h := range hist {
		states = append(states, h.State)
		if h.RunID != uint64(i+1) || !h.Time.Equal(t0.Add(time.Duration(i)*day)) {
			t.Errorf("History(b)[%d] = %+v, want run %d at day %d", i, h, i+1, i)
		}
	}
	if got, want := fmt.Sprint(states), "[alive failing dead dead]"; got != want {
		t.Errorf("History(b) states %s, want %s", got, want)
	}
	if hist[1].Reason != "404 Not Found" || !hist[2].Changed || hist[3].Changed {
		t.Errorf("History(b) = %+v", hist)
	}
	last2, err := db.History(b, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(last2) != 2 || last2[0].RunID != 3 || last2[1].RunID != 4 {
		t.Errorf("History(b, 2) = %+v, want runs 3 and 4", last2)
	}
	if h, err := db.History("https://unknown.example/", 5); err != nil || len(h) != 0 {
		t.Errorf("History(unknown) = %v, %v; want empty", h, err)
	}
	if _, err := db.URL("https://unknown.example/"); linkvault.ErrorCode(err) != linkvault.ENotFound {
		t.Errorf("URL(unknown) = %v, want ENotFound", err)
	}

	runs, err := db.Runs(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 || runs[0].ID != 1 || runs[3].ID != 4 {
		t.Errorf("Runs(0) = %d runs, want 1..4 oldest first", len(runs))
	}
	if runs, _ := db.Runs(2); len(runs) != 2 || runs[1].ID != 4 {
		t.Errorf("Runs(2) = %+v, want runs 3, 4", runs)
	}

	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.URLs != 7 || st.Runs != 4 || st.Checks != checks || st.States[linkvault.StateAlive] != 5 {
		t.Errorf("Stats() = %+v, want 7 URLs, 4 runs, %d checks, 5 alive", st, checks)
	}
	n := 0
	if err := db.URLs(func(*linkvault.URLRecord) error { n++; return nil }); err != nil || n != 7 {
		t.Errorf("URLs() visited %d, %v; want 7", n, err)
	}
}

// TestRecorderConcurrent records from many goroutines, more results than
// a batch, and finishes as interrupted.
func TestRecorderConcurrent(t *testing.T) {
	db := MustOpenDB(t)
	const n = 1000
	var links []linkvault.Link
	for i := range n {
		links = append(links, link(fmt.Sprintf("https://h%d.example/p", i%7)+fmt.Sprint(i), i))
	}
	rec, err := db.BeginRun(linkvault.Run{}, links)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				res := res404
				res.URL = links[i].URL
				rec.Record(res)
			}
		})
	}
	wg.Wait()
	run, err := rec.Finish(context.Background(), nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if run.Finished || !run.Interrupted || run.End.IsZero() || run.Counts[linkvault.StatusBroken] != n {
		t.Errorf("run = %+v, want interrupted with an end and %d broken", run, n)
	}
	rec.Record(resOK) // after Finish: ignored
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Checks != n || st.States[linkvault.StateFailing] != n {
		t.Errorf("Stats() = %+v, want %d checks, %d failing", st, n, n)
	}
}

// TestBeginRunMarksInterrupted leaves a run unfinished and begins another.
func TestBeginRunMarksInterrupted(t *testing.T) {
	db := MustOpenDB(t)
	first, err := db.BeginRun(linkvault.Run{}, []linkvault.Link{link("https://a.example/", 1)})
	if err != nil {
		t.Fatal(err)
	}
	// Simulate a crash: the writer stops, Finish is never called.
	first.mu.Lock()
	first.closed = true
	close(first.results)
	first.mu.Unlock()
	<-first.done
	second, err := db.BeginRun(linkvault.Run{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.Finish(context.Background(), nil, false); err != nil {
		t.Fatal(err)
	}
	runs, err := db.Runs(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || !runs[0].Interrupted || runs[0].Finished || !runs[0].End.IsZero() || !runs[1].Finished {
		t.Errorf("runs = %+v, want run 1 interrupted without end, run 2 finished", runs)
	}
	rec, err := db.URL("https://a.example/")
	if err != nil || rec.State != linkvault.StateGone || rec.PrevState != linkvault.StateNew {
		t.Errorf("URL(a) = %+v, %v; want gone after new", rec, err)
	}
}

// TestBeginRunPartial: a run that could not read all of its inputs keeps
// the state of the URLs it did not see, and still brings back a gone URL
// it sees again; the next complete run marks the unseen ones gone.
func TestBeginRunPartial(t *testing.T) {
	db := MustOpenDB(t)
	const a, b, c = "https://a.example/", "https://b.example/", "https://c.example/"
	run := func(partial bool, urls ...string) linkvault.Run {
		t.Helper()
		var links []linkvault.Link
		for i, u := range urls {
			links = append(links, link(u, i+1))
		}
		rec, err := db.BeginRun(linkvault.Run{Partial: partial}, links)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range urls {
			rec.Record(linkvault.Result{URL: u, Status: linkvault.StatusOK})
		}
		r, err := rec.Finish(context.Background(), nil, false)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	states := func() map[string]linkvault.State {
		t.Helper()
		out := map[string]linkvault.State{}
		for _, u := range []string{a, b, c} {
			rec, err := db.URL(u)
			if err != nil {
				t.Fatal(err)
			}
			out[u] = rec.State
		}
		return out
	}
	run(false, a, b)
	run(false, a, c) // b is gone
	r := run(true, b)
	want := map[string]linkvault.State{a: "alive", b: "alive", c: "alive"}
	if got := states(); !maps.Equal(got, want) {
		t.Errorf("after a partial run: states %v, want %v", got, want)
	}
	if !r.Partial || !r.Finished || r.States[linkvault.StateGone] != 0 || r.States[linkvault.StateAlive] != 3 {
		t.Errorf("partial run = %+v, want partial, finished, 3 alive, none gone", r)
	}
	if runs, _ := db.Runs(0); len(runs) != 3 || !runs[2].Partial || runs[1].Partial {
		t.Errorf("stored runs = %+v, want only the last partial", runs)
	}
	run(false, b)
	want = map[string]linkvault.State{a: "gone", b: "alive", c: "gone"}
	if got := states(); !maps.Equal(got, want) {
		t.Errorf("after a complete run: states %v, want %v", got, want)
	}
}

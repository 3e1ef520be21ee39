package archive

import (
	"context"
	"os"
	"path/filepath"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// BenchmarkPlanRead40k30Nights reads what the planner needs (PlanRecords and
// LatestCaptures of every link of the notes) from a database that holds
// 30 nights of history for 40,000 URLs, written through the Recorder as
// check writes it, and 4,000 captures (one in ten links archived) written
// through the Archiver. The database is built once; only the reads are
// timed. Goal (issue 13): ≤ 1 s.
func BenchmarkPlanRead40k30Nights(b *testing.B) {
	const n, nights, captured = 40_000, 30, 4_000
	dir := b.TempDir()
	c := newClock()
	db, err := Open(filepath.Join(dir, "linkvault.db"), &Options{Now: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.bolt.NoSync = true // building is not timed: spare the shared disk 30 × fsyncs of 40,000 records
	links := benchLinks(n)
	for d := range nights {
		recordRun(b, db, links, d, c.Add(day))
	}
	a, err := NewArchiver(db, ArchiverOptions{Dir: filepath.Join(dir, "archive"), Now: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte("<!doctype html><title>A page title</title><p>Some text of the page.</p>")
	for i := 0; i < n; i += n / captured {
		if _, err := a.Capture(context.Background(), newExchange(links[i].URL, c.Now().Add(time.Duration(i)*time.Millisecond), "text/html", body)); err != nil {
			b.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		b.Fatal(err)
	}
	db.bolt.NoSync = false
	urls := make([]string, n)
	for i, l := range links {
		urls[i] = l.URL
	}
	st, err := os.Stat(db.Path())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(st.Size())/(1<<20), "db-MB")
	// CPU time per read, beside the wall time: on the shared machine the
	// wall time measures its load as much as the read.
	cpu0 := cpuSeconds()
	for b.Loop() {
		recs, err := db.PlanRecords(urls)
		if err != nil || len(recs) != n {
			b.Fatalf("PlanRecords: %d of %d: %v", len(recs), n, err)
		}
		caps, err := db.LatestCaptures(urls)
		if err != nil || len(caps) != captured {
			b.Fatalf("LatestCaptures: %d, want %d: %v", len(caps), captured, err)
		}
		if r := recs[urls[1]]; r.State == linkvault.StateNew || r.LastChecked.IsZero() {
			b.Fatalf("record %s never checked: %+v", urls[1], r)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
}

// cpuSeconds is the CPU time the process has spent in Go code and its
// garbage collector (runtime/metrics' estimates; no time in system calls).
func cpuSeconds() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/user:cpu-seconds"}, {Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	return s[0].Value.Float64() + s[1].Value.Float64()
}

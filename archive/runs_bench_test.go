package archive

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

func benchLinks(n int) []linkvault.Link {
	links := make([]linkvault.Link, n)
	for i := range links {
		links[i] = linkvault.Link{
			URL:     fmt.Sprintf("https://host%d.example.com/some/path/page-%06d.html", i%500, i),
			Kind:    linkvault.KindWeb,
			Sources: []linkvault.Source{{File: fmt.Sprintf("notes/%03d.md", i%300), Line: i%1000 + 1, Column: 5}},
		}
	}
	return links
}

// benchResult is the result of link i on day d: 1 in 10 broken.
func benchResult(l linkvault.Link, i, d int, at time.Time) linkvault.Result {
	if (i+d)%10 == 0 {
		return linkvault.Result{URL: l.URL, Status: linkvault.StatusBroken, HTTPStatus: 404,
			Reason: "404 Not Found", DurationMS: 120, CheckedAt: at}
	}
	return linkvault.Result{URL: l.URL, Status: linkvault.StatusOK, HTTPStatus: 200, Reason: "200 OK",
		ContentType: "text/html; charset=utf-8", Title: "A page title", ETag: `"5f3a-1b2c"`,
		DurationMS: 85, BytesRead: 16384, Requests: 1, CheckedAt: at}
}

// usedBytes is the part of the file in use: its size minus free pages.
func usedBytes(b *testing.B, db *DB) int64 {
	var used int64
	err := db.view(func(tx *bolt.Tx) error {
		used = tx.Size() - int64(db.bolt.Stats().FreeAlloc)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return used
}

func recordRun(b *testing.B, db *DB, links []linkvault.Link, d int, at time.Time) {
	rec, err := db.BeginRun(linkvault.Run{Start: at}, links)
	if err != nil {
		b.Fatal(err)
	}
	for i, l := range links {
		rec.Record(benchResult(l, i, d, at.Add(time.Duration(i)*time.Millisecond)))
	}
	if _, err := rec.Finish(context.Background(), nil, false); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGrowthPerRun records daily runs of 10,000 URLs and reports how
// much the used part of the file grows per URL per run (and the file
// itself, which bbolt grows in steps).
func BenchmarkGrowthPerRun(b *testing.B) {
	const n = 10_000
	c := newClock()
	path := filepath.Join(b.TempDir(), "growth.db")
	db, err := Open(path, &Options{Now: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	links := benchLinks(n)
	for d := range 3 { // warm up: URL records and the first histories
		recordRun(b, db, links, d, c.Add(day))
	}
	before := usedBytes(b, db)
	st0, _ := db.Stats()
	runs := 0
	for b.Loop() {
		recordRun(b, db, links, 3+runs, c.Add(day))
		runs++
	}
	after := usedBytes(b, db)
	st1, _ := db.Stats()
	b.ReportMetric(float64(after-before)/float64(n*runs), "bytes/url/run")
	b.ReportMetric(float64(st1.FileSize-st0.FileSize)/float64(n*runs), "filebytes/url/run")
}

// BenchmarkRecord100k records 100,000 results through a Recorder and
// finishes the run (BeginRun with the 100,000 links is not timed).
func BenchmarkRecord100k(b *testing.B) {
	const n = 100_000
	links := benchLinks(n)
	c := newClock()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := Open(filepath.Join(b.TempDir(), fmt.Sprintf("rec%d.db", i)), &Options{Now: c.Now})
		if err != nil {
			b.Fatal(err)
		}
		at := c.Add(day)
		begin := time.Now()
		rec, err := db.BeginRun(linkvault.Run{Start: at}, links)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(begin).Milliseconds()), "beginrun-ms")
		b.StartTimer()
		for j, l := range links {
			rec.Record(benchResult(l, j, 0, at))
		}
		if _, err := rec.Finish(context.Background(), nil, false); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

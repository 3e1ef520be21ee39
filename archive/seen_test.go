package archive

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// TestBeginRunKeepsUnchangedRecords: a complete run that references a URL
// as before (same kind, same sources) leaves its stored record untouched,
// and the URL's LastSeen is still the run's start; a URL that goes is
// frozen at the last run that saw it; partial runs write what they see.
func TestBeginRunKeepsUnchangedRecords(t *testing.T) {
	db := MustOpenDB(t)
	const a, b, c = "https://a.example/", "https://b.example/", "https://c.example/"
	t0 := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	begin := func(day int, partial bool, links ...linkvault.Link) time.Time {
		t.Helper()
		start := t0.AddDate(0, 0, day)
		rec, err := db.BeginRun(linkvault.Run{Start: start, Partial: partial}, links)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rec.Finish(t.Context(), nil, false); err != nil {
			t.Fatal(err)
		}
		return start
	}
	raw := func(u string) []byte {
		t.Helper()
		var v []byte
		if err := db.view(func(tx *bolt.Tx) error {
			v = bytes.Clone(tx.Bucket(bucketURLs).Get([]byte(u)))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	seen := func(u string) time.Time {
		t.Helper()
		rec, err := db.URL(u)
		if err != nil {
			t.Fatal(err)
		}
		return rec.LastSeen
	}
	check := func(when string, u string, want time.Time) {
		t.Helper()
		if got := seen(u); !got.Equal(want) {
			t.Errorf("%s: LastSeen(%s) = %v, want %v", when, u, got, want)
		}
	}

	day0 := begin(0, false, link(a, 1), link(b, 2))
	before := raw(a)
	day1 := begin(1, false, link(a, 1), link(b, 2))
	if after := raw(a); !bytes.Equal(after, before) {
		t.Errorf("a complete run rewrote an unchanged record:\nbefore %s\nafter  %s", before, after)
	}
	check("day 1", a, day1)
	check("day 1", b, day1)
	var urls []linkvault.URLRecord
	if err := db.URLs(func(r *linkvault.URLRecord) error { urls = append(urls, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, r := range urls {
		if !r.LastSeen.Equal(day1) {
			t.Errorf("URLs: %s last seen %v, want %v", r.URL, r.LastSeen, day1)
		}
	}

	// b goes: it was last seen on day 1. a moves to another line: written.
	day2 := begin(2, false, link(a, 7))
	check("day 2", b, day1)
	check("day 2", a, day2)
	if rec, _ := db.URL(a); len(rec.Sources) != 1 || rec.Sources[0].Line != 7 {
		t.Errorf("day 2: sources of a = %+v, want line 7", rec.Sources)
	}

	// A partial run does not vouch for what it did not read: a keeps day 2;
	// c, new, and b, back, are seen on day 3.
	day3 := begin(3, true, link(c, 1), link(b, 2))
	check("day 3 (partial)", a, day2)
	check("day 3 (partial)", b, day3)
	check("day 3 (partial)", c, day3)

	// The next complete run that drops a marks it gone, last seen on day 2.
	day4 := begin(4, false, link(b, 2), link(c, 1))
	check("day 4", a, day2)
	check("day 4", b, day4)
	check("day 4", c, day4)
	_ = day0
}

// TestURLPagesFull: URL records written in key order fill their pages
// (fillPercent), instead of bbolt's half-empty default.
func TestURLPagesFull(t *testing.T) {
	db := MustOpenDB(t)
	var links []linkvault.Link
	for i := range 5000 {
		links = append(links, link(fmt.Sprintf("https://host%d.example/post/%d", i%97, i), i+1))
	}
	rec, err := db.BeginRun(linkvault.Run{}, links)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links[:2000] {
		rec.Record(linkvault.Result{URL: l.URL, Status: linkvault.StatusOK, HTTPStatus: 200, ContentType: "text/html"})
	}
	if _, err := rec.Finish(t.Context(), nil, false); err != nil {
		t.Fatal(err)
	}
	if err := db.view(func(tx *bolt.Tx) error {
		s := tx.Bucket(bucketURLs).Stats()
		fill := float64(s.LeafInuse) / float64(s.LeafAlloc)
		if fill < 0.62 {
			t.Errorf("URL pages %.0f%% full (%d of %d bytes), want at least 62%%", 100*fill, s.LeafInuse, s.LeafAlloc)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestRecorderQueueSmall: the queue of results waiting for the writer is
// bounded in bytes, not only in results (it held 5.7 MB through a whole
// 40,000-link night, issue 13).
func TestRecorderQueueSmall(t *testing.T) {
	db := MustOpenDB(t)
	rec, err := db.BeginRun(linkvault.Run{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Finish(t.Context(), nil, false)
	if n := uintptr(cap(rec.results)) * unsafe.Sizeof(linkvault.Result{}); n > 1<<20 {
		t.Errorf("the recorder's queue holds %d results, %d KB; want at most 1 MB", cap(rec.results), n>>10)
	}
}

// TestRunSummaries: the summaries of runs are the runs without their host
// statistics, which are not decoded.
func TestRunSummaries(t *testing.T) {
	db := MustOpenDB(t)
	for range 3 {
		rec, err := db.BeginRun(linkvault.Run{}, []linkvault.Link{link("https://a.example/", 1)})
		if err != nil {
			t.Fatal(err)
		}
		rec.Record(linkvault.Result{URL: "https://a.example/", Status: linkvault.StatusOK})
		hosts := map[string]*linkvault.HostStats{"a.example": {Requests: 1}}
		if _, err := rec.Finish(t.Context(), hosts, false); err != nil {
			t.Fatal(err)
		}
	}
	full, err := db.Runs(2)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := db.RunSummaries(2)
	if err != nil {
		t.Fatal(err)
	}
	if len(full) != 2 || len(sum) != 2 {
		t.Fatalf("%d runs, %d summaries; want 2 of each", len(full), len(sum))
	}
	for i := range sum {
		if full[i].Hosts["a.example"] == nil || sum[i].Hosts != nil {
			t.Errorf("run %d: hosts %v in the run, %v in its summary; want them only in the run", full[i].ID, full[i].Hosts, sum[i].Hosts)
		}
		f := full[i]
		f.Hosts = nil
		if !reflect.DeepEqual(f, sum[i]) {
			t.Errorf("summary %+v, want the run without hosts %+v", sum[i], f)
		}
	}
	allocs := func(f func()) float64 { return testing.AllocsPerRun(5, f) }
	aRuns := allocs(func() { db.Runs(0) })
	aSum := allocs(func() { db.RunSummaries(0) })
	if aSum >= aRuns {
		t.Errorf("summaries allocate %v times, the runs %v: want fewer (the hosts not decoded)", aSum, aRuns)
	}
}

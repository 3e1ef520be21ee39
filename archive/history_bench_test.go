package archive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

const (
	bigRuns = 365
	bigURLs = 10_000
)

var (
	bigOnce sync.Once
	bigPath string
	bigErr  error
	bigDir  string // removed by TestMain
)

// bigDB returns the path of a database with bigRuns daily runs of bigURLs
// URLs, written directly in large sorted transactions and built once per
// test binary.
func bigDB(b *testing.B) string {
	b.Helper()
	bigOnce.Do(func() {
		bigDir, bigErr = os.MkdirTemp("", "linkvault-bench-")
		if bigErr != nil {
			return
		}
		bigPath = filepath.Join(bigDir, "big.db")
		start := time.Now()
		bigErr = buildBig(bigPath)
		fi, _ := os.Stat(bigPath)
		if fi != nil {
			fmt.Fprintf(os.Stderr, "built %d runs × %d URLs in %v: %d MB\n", bigRuns, bigURLs, time.Since(start).Round(time.Millisecond), fi.Size()>>20)
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPath
}

func buildBig(path string) error {
	c := newClock()
	db, err := Open(path, &Options{Now: c.Now})
	if err != nil {
		return err
	}
	defer db.Close()
	links := benchLinks(bigURLs)
	type entry struct {
		url  string
		hash []byte
	}
	entries := make([]entry, len(links))
	for i, l := range links {
		entries[i] = entry{l.URL, urlHash(l.URL)}
	}
	slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.hash, b.hash) })
	day0 := c.Now()
	// History in hash order, all runs of a URL together: appends only.
	const perTx = 500
	for lo := 0; lo < len(entries); lo += perTx {
		err := db.update(func(tx *bolt.Tx) error {
			h := tx.Bucket(bucketHistory)
			h.FillPercent = 0.95
			for _, e := range entries[lo:min(lo+perTx, len(entries))] {
				for d := range bigRuns {
					res := benchResult(linkvault.Link{URL: e.url}, len(e.url), d, day0.Add(time.Duration(d)*day))
					chk := linkvault.Check{RunID: uint64(d + 1), Time: res.CheckedAt, Status: res.Status,
						HTTPStatus: res.HTTPStatus, DurationMS: res.DurationMS, Reason: res.Reason, State: linkvault.StateAlive}
					if err := h.Put(historyKey(e.hash, chk.Time), encodeCheck(nil, &chk)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return db.update(func(tx *bolt.Tx) error {
		urls, runs := tx.Bucket(bucketURLs), tx.Bucket(bucketRuns)
		last := day0.Add((bigRuns - 1) * day)
		slices.SortFunc(links, func(a, b linkvault.Link) int { return bytes.Compare([]byte(a.URL), []byte(b.URL)) })
		for i, l := range links {
			res := benchResult(l, i, bigRuns-1, last)
			rec := linkvault.URLRecord{URL: l.URL, Kind: l.Kind, FirstSeen: day0, LastSeen: last, Sources: l.Sources,
				Last: &res, State: linkvault.StateAlive, StateSince: day0, LastOK: last, LastChecked: last}
			if err := putURL(urls, &rec); err != nil {
				return err
			}
		}
		for d := range bigRuns {
			run := linkvault.Run{ID: uint64(d + 1), Start: day0.Add(time.Duration(d) * day), Finished: true,
				Counts: map[linkvault.Status]int{linkvault.StatusOK: bigURLs * 9 / 10, linkvault.StatusBroken: bigURLs / 10}}
			data, _ := json.Marshal(run)
			if err := runs.Put(runKey(run.ID), data); err != nil {
				return err
			}
		}
		if err := runs.SetSequence(bigRuns); err != nil {
			return err
		}
		c, err := recount(tx)
		if err != nil {
			return err
		}
		return putCounts(tx, c)
	})
}

func openBig(b *testing.B) *DB {
	db, err := Open(bigDB(b), &Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkHistory reads the full history (365 checks) of one URL out of
// 10,000 in a database of 3.65 million checks.
func BenchmarkHistory(b *testing.B) {
	db := openBig(b)
	urls := benchLinks(bigURLs)
	i := 0
	for b.Loop() {
		hist, err := db.History(urls[i%len(urls)].URL, 0)
		if err != nil || len(hist) != bigRuns {
			b.Fatalf("History = %d checks, %v; want %d", len(hist), err, bigRuns)
		}
		i += 7919
	}
}

// BenchmarkStats reads the counters of the same database.
func BenchmarkStats(b *testing.B) {
	db := openBig(b)
	for b.Loop() {
		st, err := db.Stats()
		if err != nil || st.Checks != bigRuns*bigURLs {
			b.Fatalf("Stats() = %+v, %v", st, err)
		}
	}
}

// BenchmarkRuns reads the list of the 365 runs.
func BenchmarkRuns(b *testing.B) {
	db := openBig(b)
	for b.Loop() {
		runs, err := db.Runs(0)
		if err != nil || len(runs) != bigRuns {
			b.Fatalf("Runs(0) = %d, %v", len(runs), err)
		}
	}
}

// BenchmarkURLs walks all 10,000 URL records.
func BenchmarkURLs(b *testing.B) {
	db := openBig(b)
	for b.Loop() {
		n := 0
		if err := db.URLs(func(*linkvault.URLRecord) error { n++; return nil }); err != nil || n != bigURLs {
			b.Fatalf("URLs visited %d, %v", n, err)
		}
	}
}

// BenchmarkOpenCheck is the check every Open runs before bbolt maps the
// file (checkFile: every page read once), on the same database.
func BenchmarkOpenCheck(b *testing.B) {
	path := bigDB(b)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	for b.Loop() {
		if err := checkFile(f, fi.Size()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBoltCheck is bbolt's Tx.Check (DB.Check, run by gc and status)
// on the same database.
func BenchmarkBoltCheck(b *testing.B) {
	db := openBig(b)
	for b.Loop() {
		if err := db.Check(); err != nil {
			b.Fatal(err)
		}
	}
}

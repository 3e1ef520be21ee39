package main

import (
	"context"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/crawler"
)

// TestKnownLandings checks what the history tells the checker about
// landing pages: the links not checked in this run that last ended on
// another URL after a 2xx answer — not the links of this run, not the ones
// that ended on themselves, not gone or failed ones.
func TestKnownLandings(t *testing.T) {
	db, err := archive.Open(filepath.Join(t.TempDir(), "l.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	web := func(u string) linkvault.Link {
		return linkvault.Link{URL: u, Kind: linkvault.KindWeb, Sources: []linkvault.Source{{File: "n.md", Line: 1, Column: 1}}}
	}
	links := []linkvault.Link{
		web("https://lab.test/projects/alpha"), web("https://lab.test/projects/beta"),
		web("https://lab.test/self"), web("https://lab.test/broken"), web("https://lab.test/projects/gamma"),
	}
	rec, err := db.BeginRun(linkvault.Run{Start: time.Now()}, links)
	if err != nil {
		t.Fatal(err)
	}
	ok := func(u, final string, code int) linkvault.Result {
		st := linkvault.StatusOK
		if code >= 400 {
			st = linkvault.StatusBroken
		}
		return linkvault.Result{URL: u, Status: st, HTTPStatus: code, FinalURL: final}
	}
	rec.Record(ok("https://lab.test/projects/alpha", "https://lab.test/archive/moved", 200))
	rec.Record(ok("https://lab.test/projects/beta", "https://lab.test/archive/moved", 200))
	rec.Record(ok("https://lab.test/self", "https://lab.test/self", 200))
	rec.Record(ok("https://lab.test/broken", "https://lab.test/error", 404))
	rec.Record(ok("https://lab.test/projects/gamma", "https://lab.test/archive/moved", 200))
	if _, err := rec.Finish(context.Background(), nil, false); err != nil {
		t.Fatal(err)
	}
	got, err := knownLandings(db, []crawler.Target{{URL: "https://lab.test/projects/gamma"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"https://lab.test/projects/alpha": "https://lab.test/archive/moved",
		"https://lab.test/projects/beta":  "https://lab.test/archive/moved",
	}
	if !maps.Equal(got, want) {
		t.Errorf("knownLandings = %v, want %v", got, want)
	}
}

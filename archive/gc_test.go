package archive

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// TestGC records 20 daily runs and prunes with keep = 7 days: old checks
// go, except each URL's last ok check and the checks that changed its
// state, and the file shrinks.
func TestGC(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "linkvault.db")
	db := mustOpenPath(t, path, &Options{Now: c.Now})
	const (
		x = "https://x.example/ok-then-dead"
		y = "https://y.example/blocked"
	)
	var links []linkvault.Link
	for i := range 400 {
		links = append(links, link(fmt.Sprintf("https://bulk.example/%03d", i), i))
	}
	links = append(links, link(x, 1), link(y, 2))
	const days = 20
	for d := range days {
		rec, err := db.BeginRun(linkvault.Run{}, links)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range links[:400] {
			rec.Record(linkvault.Result{URL: l.URL, Status: linkvault.StatusOK, HTTPStatus: 200})
		}
		rx := resOK
		if d >= 10 {
			rx = res404
		}
		rx.URL = x
		rec.Record(rx)
		ry := res403
		ry.URL = y
		rec.Record(ry)
		if _, err := rec.Finish(t.Context(), nil, false); err != nil {
			t.Fatal(err)
		}
		c.Add(day)
	}
	// Now is day 20: keep 7 days keeps days 13..19 (cutoff day 13 08:00,
	// checks at 08:00 exactly are not older).
	res, err := db.GC(t.Context(), 7*day)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url      string
		wantDays []int
	}{
		{x, []int{0, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19}}, // 0 new→alive, 9 last ok, 10 failing, 11 dead
		{y, []int{0, 13, 14, 15, 16, 17, 18, 19}},            // 0 new→blocked, never ok
		{links[0].URL, []int{0, 13, 14, 15, 16, 17, 18, 19}}, // 0 new→alive; the last ok is day 19
	}
	wantDeleted := 0
	for _, tt := range tests {
		hist, err := db.History(tt.url, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, h := range hist {
			got = append(got, int(h.Time.Sub(t0)/day))
		}
		if !slices.Equal(got, tt.wantDays) {
			t.Errorf("History(%s) after GC has days %v, want %v", tt.url, got, tt.wantDays)
		}
	}
	wantDeleted = 400*(days-8) + (days - 11) + (days - 8)
	if res.Deleted != wantDeleted {
		t.Errorf("GC deleted %d checks, want %d", res.Deleted, wantDeleted)
	}
	if res.SizeAfter >= res.SizeBefore || res.SizeAfter == 0 {
		t.Errorf("GC size %d → %d, want smaller", res.SizeBefore, res.SizeAfter)
	}
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if want := days*len(links) - wantDeleted; st.Checks != want || st.FileSize != res.SizeAfter {
		t.Errorf("Stats() after GC = %+v, want %d checks, size %d", st, want, res.SizeAfter)
	}
	// The reopened database is usable, and still locked against others.
	rec, err := db.BeginRun(linkvault.Run{}, links)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Finish(t.Context(), nil, false); err != nil {
		t.Fatal(err)
	}
	if other, err := Open(path, &Options{Timeout: 50 * time.Millisecond}); err == nil {
		other.Close()
		t.Error("a second Open after GC succeeded, want ErrInUse")
	}
	if files, _ := filepath.Glob(path + ".gc-*"); len(files) != 0 {
		t.Errorf("GC left %v", files)
	}
}

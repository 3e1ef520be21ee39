package archive

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

func TestPlanRecordsAndLearnedRates(t *testing.T) {
	db := MustOpenDB(t)
	links := []linkvault.Link{link("https://a.example/1", 1), link("https://b.example/2", 2)}
	for i, hosts := range []map[string]*linkvault.HostStats{
		{"a.example": {Requests: 1, Rate: 0.5}, "b.example": {Requests: 1, Rate: 2}},
		{"a.example": {Requests: 1, Rate: 1}, "c.example": {Requests: 1}},
	} {
		rec, err := db.BeginRun(linkvault.Run{}, links[:i+1])
		if err != nil {
			t.Fatal(err)
		}
		r := resOK
		r.URL = links[0].URL
		r.ContentType = "text/html; charset=utf-8"
		r.ETag, r.LastModified = `"v1"`, "Tue, 01 Dec 2026 10:00:00 GMT"
		rec.Record(r)
		if _, err := rec.Finish(context.Background(), hosts, false); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.PlanRecords([]string{links[0].URL, links[1].URL, "https://never.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[links[0].URL].State != linkvault.StateAlive || got[links[1].URL].State != linkvault.StateNew {
		t.Errorf("PlanRecords = %v, want a alive, b new, nothing for the unknown URL", got)
	}
	// Each field planning reads is the full record's.
	for _, l := range links {
		full, err := db.URL(l.URL)
		if err != nil {
			t.Fatal(err)
		}
		p := got[l.URL]
		if p.State != full.State || !p.FirstSeen.Equal(full.FirstSeen) || !p.LastChecked.Equal(full.LastChecked) ||
			!p.LastOK.Equal(full.LastOK) || p.ETag != full.ETag || p.LastModified != full.LastModified ||
			(p.Last == nil) != (full.Last == nil) || p.Last != nil && p.Last.ContentType != full.Last.ContentType {
			t.Errorf("PlanRecords[%s] = %+v, want the planning fields of %+v", l.URL, p, full)
		}
	}
	if p := got[links[0].URL]; p.LastChecked.IsZero() || p.Last == nil || p.Last.ContentType == "" || p.ETag == "" || p.LastModified == "" {
		t.Errorf("PlanRecords[%s] = %+v: no last check or content type to compare", links[0].URL, p)
	}
	rates, err := db.LearnedRates(30)
	if err != nil {
		t.Fatal(err)
	}
	// The newest run wins (a.example recovered to 1/s); a host without a
	// rate in the newest run keeps the last one it had.
	if want := map[string]float64{"a.example": 1, "b.example": 2}; !maps.Equal(rates, want) {
		t.Errorf("LearnedRates = %v, want %v", rates, want)
	}
}

func TestLatestCaptures(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	mustCapture(t, env.a, newExchange("https://example.com/a", day1, "text/html", []byte("<p>one</p>")))
	mustCapture(t, env.a, newExchange("https://example.com/a", day1.Add(time.Hour), "text/html", []byte("<p>two</p>")))
	mustCapture(t, env.a, newExchange("https://example.com/ab", day1.Add(2*time.Hour), "text/html", []byte("<p>ab</p>")))
	got, err := env.db.LatestCaptures([]string{"https://example.com/a", "https://example.com/never"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got["https://example.com/a"].Equal(day1.Add(time.Hour)) {
		t.Errorf("LatestCaptures = %v, want only /a at %v (not /ab's, which shares its prefix)", got, day1.Add(time.Hour))
	}
}

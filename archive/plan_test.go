package archive

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

func TestRecordsAndLearnedRates(t *testing.T) {
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
		rec.Record(r)
		if _, err := rec.Finish(context.Background(), hosts, false); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Records([]string{links[0].URL, links[1].URL, "https://never.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[links[0].URL].State != linkvault.StateAlive || got[links[1].URL].State != linkvault.StateNew {
		t.Errorf("Records = %v, want a alive, b new, nothing for the unknown URL", got)
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

package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

func TestFreshness(t *testing.T) {
	now := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	entry := func(u string, st linkvault.State, checked time.Duration) Entry {
		e := Entry{URLRecord: linkvault.URLRecord{URL: u, Kind: linkvault.KindWeb, State: st}}
		if checked > 0 {
			e.LastChecked = now.Add(-checked)
		}
		return e
	}
	d := &Data{
		GeneratedAt: now,
		Run:         &linkvault.Run{ID: 9, Start: now.Add(-time.Hour), End: now, Finished: true, BudgetSeconds: 1800, Due: 10, Left: 7},
		Entries: []Entry{
			entry("https://a.example/new", linkvault.StateNew, 0),
			entry("https://a.example/fresh", linkvault.StateAlive, 24*time.Hour),
			entry("https://a.example/old", linkvault.StateDead, 5*24*time.Hour),
			entry("https://a.example/gone", linkvault.StateGone, 40*24*time.Hour),
		},
		Policy: linkvault.Policy{MaxAge: 3 * 24 * time.Hour},
	}
	if f := freshnessOf(d); f.Links != 3 || f.Verified != 2 || f.Stale != 1 || !f.Oldest.Equal(now.Add(-5*24*time.Hour)) {
		t.Errorf("freshnessOf = %+v, want 3 links, 2 verified, 1 stale, the oldest 5 days ago", f)
	}
	const want = "Verified: 2 of 3 links, the oldest verdict 5 days old; 1 stale (older than 3 days); this run left 7 due links for the next."
	var text, md bytes.Buffer
	if err := Text(&text, d, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := writeMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if !strings.Contains(out, want) {
			t.Errorf("%s report lacks %q:\n%s", name, want, out)
		}
	}
	// Without a budget or policy.max_age every run checks every due link:
	// no line.
	d.Run.BudgetSeconds, d.Policy.MaxAge = 0, 0
	text.Reset()
	if err := Text(&text, d, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "Verified:") {
		t.Errorf("a run without budget or max_age shows freshness:\n%s", text.String())
	}
}

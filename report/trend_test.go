package report

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/linkvault/linkvault"
)

// sameDayRuns gives d n runs an hour apart on one day, the last the
// reported one, with growing numbers of links.
func sameDayRuns(d *Data, n int) {
	start := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	d.Runs = nil
	for i := range n {
		d.Runs = append(d.Runs, linkvault.Run{ID: uint64(100 + i), Start: start.Add(time.Duration(i) * 15 * time.Minute),
			States: map[linkvault.State]int{linkvault.StateAlive: 1000 + i, linkvault.StateDead: i, linkvault.StateGone: 5}})
	}
	d.Run = &d.Runs[n-1]
}

// The trend of runs of one day labels the runs (numbers and times) and
// the count at the top of the chart, not "Dec 2 … Dec 2".
func TestTrendLabelsRunsAndCounts(t *testing.T) {
	tests := []struct {
		name                string
		setup               func(*Data)
		from, to, span, max string
		ticks               []string
	}{
		{"one day", func(d *Data) { sameDayRuns(d, 5) }, "#100 · 06:00", "#104 · 07:00", "Dec 2, 2026 (UTC)", "1,008",
			[]string{"#100", "#101", "#102", "#103", "#104"}},
		// 30 runs: every fifth run is numbered, counted back from the last.
		{"thirty runs", func(d *Data) { sameDayRuns(d, 30) }, "#100 · 06:00", "#129 · 13:15", "Dec 2, 2026 (UTC)", "1,058",
			[]string{"#104", "#109", "#114", "#119", "#124", "#129"}},
		{"days", func(d *Data) {}, "#1 · Feb 25 10:00", "#5 · Mar 1 10:00", "5 runs", "10",
			[]string{"#1", "#2", "#3", "#4", "#5"}},
		{"years", func(d *Data) { d.Runs[0].Start = time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC) }, "#1 · Nov 30, 2025", "#5 · Mar 1, 2026", "5 runs", "10",
			[]string{"#1", "#2", "#3", "#4", "#5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fixture()
			tt.setup(d)
			tr := buildTrend(d)
			if tr == nil {
				t.Fatal("no trend")
			}
			var ticks []string
			for _, k := range tr.Ticks {
				ticks = append(ticks, k.Label)
			}
			got := fmt.Sprintf("%s | %s | %s | %s | %s", tr.From, tr.Span, tr.To, tr.Max, strings.Join(ticks, " "))
			want := fmt.Sprintf("%s | %s | %s | %s | %s", tt.from, tt.span, tt.to, tt.max, strings.Join(tt.ticks, " "))
			if got != want {
				t.Errorf("trend labels\n got %s\nwant %s", got, want)
			}
		})
	}

	// The page shows them.
	d := fixture()
	sameDayRuns(d, 5)
	_, doc := renderHTML(t, d)
	for sel, want := range map[string]string{
		".trend-axis span": "#100 · 06:00 | Dec 2, 2026 (UTC) | #104 · 07:00",
		".trend-y span":    "1,008 | 0",
		".trend-x span":    "#100 | #101 | #102 | #103 | #104",
	} {
		if got := strings.Join(doc.Find(sel).Map(func(_ int, s *goquery.Selection) string { return s.Text() }), " | "); got != want {
			t.Errorf("%s reads %q, want %q", sel, got, want)
		}
	}
}

package linkvault

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

var planNow = time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)

func ago(d time.Duration) time.Time { return planNow.Add(-d) }

func TestMakePlanOrder(t *testing.T) {
	links := []PlanLink{
		{URL: "a/old", Host: "a", State: StateAlive, LastChecked: ago(72 * time.Hour)},
		{URL: "a/recent", Host: "a", State: StateAlive, LastChecked: ago(24 * time.Hour)},
		{URL: "a/failing", Host: "a", State: StateFailing, LastChecked: ago(24 * time.Hour)},
		{URL: "a/new", Host: "a", State: StateNew},
		{URL: "a/dead", Host: "a", State: StateDead, LastChecked: ago(48 * time.Hour)},
		{URL: "b/new", Host: "b"},
	}
	p := MakePlan(links, PlanOptions{Now: planNow, Rate: func(string) float64 { return 1 }})
	want := []string{"a/new", "b/new", "a/failing", "a/old", "a/dead", "a/recent"}
	if !slices.Equal(p.Links, want) {
		t.Errorf("no budget: links %q, want %q", p.Links, want)
	}
	if p.Due != 6 || p.Left != 0 || p.Nights != 1 || !p.Oldest.IsZero() {
		t.Errorf("no budget: due %d left %d nights %d oldest %v, want 6 0 1 zero", p.Due, p.Left, p.Nights, p.Oldest)
	}
	// 3 s at 1 req/s, the last request may take 1 s: host a starts 3
	// requests (at 0, 1 and 2 s), the most urgent ones.
	p = MakePlan(links, PlanOptions{Now: planNow, Budget: 3 * time.Second, Tail: time.Second, Rate: func(string) float64 { return 1 }})
	want = []string{"a/new", "b/new", "a/failing", "a/old"}
	if !slices.Equal(p.Links, want) {
		t.Errorf("budget 3 s: links %q, want %q", p.Links, want)
	}
	if p.Left != 2 || p.Hosts[0].Host != "a" || p.Hosts[0].Planned != 3 || p.Hosts[0].Nights != 2 || p.Nights != 2 {
		t.Errorf("budget 3 s: left %d, hosts %+v; want 2 left, a planned 3 of 5 in 2 nights", p.Left, p.Hosts)
	}
	if p.Need != 4*time.Second {
		t.Errorf("Need = %v, want 4s (5 links at 1 req/s)", p.Need)
	}
}

func TestMakePlanRecheckAfter(t *testing.T) {
	links := []PlanLink{
		{URL: "ok-recent", Host: "h", State: StateAlive, LastChecked: ago(time.Hour), LastOK: ago(time.Hour)},
		{URL: "ok-old", Host: "h", State: StateAlive, LastChecked: ago(48 * time.Hour), LastOK: ago(48 * time.Hour)},
		{URL: "failing-recent", Host: "h", State: StateFailing, LastChecked: ago(time.Hour)},
		{URL: "new", Host: "h"},
		{URL: "moved-recent", Host: "h", State: StateMoved, LastChecked: ago(time.Hour), LastOK: ago(time.Hour)},
		// Excluded an hour ago (a skipped check keeps the state), last ok
		// two days ago: due.
		{URL: "excluded", Host: "h", State: StateAlive, LastChecked: ago(2 * time.Hour), LastOK: ago(48 * time.Hour)},
		{URL: "dead-recent", Host: "h", State: StateDead, LastChecked: ago(time.Hour)},
	}
	p := MakePlan(links, PlanOptions{Now: planNow, RecheckAfter: 24 * time.Hour, Rate: func(string) float64 { return 2 }})
	want := []string{"new", "failing-recent", "ok-old", "excluded", "dead-recent"}
	if !slices.Equal(p.Links, want) || p.Due != 5 {
		t.Errorf("links %q (due %d), want %q (due 5): only recent ok checks wait for recheck_after", p.Links, p.Due, want)
	}
	if p.Oldest != ago(0) && !p.Oldest.IsZero() {
		t.Errorf("Oldest = %v, want zero (a link was never checked)", p.Oldest)
	}
	p = MakePlan(links[:2], PlanOptions{Now: planNow})
	if p.Oldest != ago(48*time.Hour) {
		t.Errorf("Oldest = %v, want %v", p.Oldest, ago(48*time.Hour))
	}
}

func TestMakePlanReserveAndThroughput(t *testing.T) {
	var links []PlanLink
	for i := range 100 {
		links = append(links, PlanLink{URL: fmt.Sprintf("big/%d", i), Host: "big", State: StateAlive, LastChecked: ago(time.Duration(100-i) * time.Hour)})
	}
	for i := range 50 {
		links = append(links, PlanLink{URL: fmt.Sprintf("tail%d/x", i), Host: fmt.Sprintf("tail%d", i), State: StateAlive, LastChecked: ago(time.Hour)})
	}
	rate := func(string) float64 { return 2 }
	// 10 s at 2 req/s: 1 + 20 requests, one kept for the probe.
	p := MakePlan(links, PlanOptions{Now: planNow, Budget: 10 * time.Second, Rate: rate, Reserve: 1})
	if p.Hosts[0].Host != "big" || p.Hosts[0].Planned != 20 || p.Hosts[0].Nights != 5 {
		t.Errorf("big host %+v, want 20 planned, 5 nights", p.Hosts[0])
	}
	if p.Links[0] != "big/0" {
		t.Errorf("first link %s, want big/0 (the oldest verdict)", p.Links[0])
	}
	if len(p.Links) != 70 {
		t.Errorf("%d links planned, want 70", len(p.Links))
	}
	// A run that sustains 3 requests/s overall: 30 in 10 s; every host's
	// first link comes before any host's second.
	p = MakePlan(links, PlanOptions{Now: planNow, Budget: 10 * time.Second, Rate: rate, Throughput: 3})
	if len(p.Links) != 30 || p.Left != 150-30 {
		t.Fatalf("%d planned, %d left; want 30, 120", len(p.Links), p.Left)
	}
	if !slices.Contains(p.Links, "big/0") || slices.Contains(p.Links, "big/1") {
		t.Errorf("throughput cut: %q, want the first link of each host first", p.Links)
	}
	sum := 0
	for _, h := range p.Hosts {
		sum += h.Planned
	}
	if sum != 30 {
		t.Errorf("hosts' Planned add up to %d, want 30", sum)
	}
	if p.Nights != 5 {
		t.Errorf("Nights = %d, want 5 (150 links at 30 a night)", p.Nights)
	}
}

// TestPlanCoverage runs the planner night after night on a corpus shaped
// like a real newsletter's (one host with ~45 % of the links, one with
// ~16 %, a long tail of single-link hosts) with a budget of a fifth of the
// full politeness bound: every link is verified within 6 nights, a link
// added to the notes is checked the night it appears, and a link that
// fails is checked again the next night.
func TestPlanCoverage(t *testing.T) {
	var links []PlanLink
	add := func(host string, n int) {
		for i := range n {
			links = append(links, PlanLink{URL: fmt.Sprintf("https://%s/%d", host, i), Host: host, FirstSeen: planNow})
		}
	}
	add("cdn.example", 1800)
	add("github.com", 640)
	for i := range 1560 {
		add(fmt.Sprintf("site%d.example", i), 1)
	}
	rates := map[string]float64{"cdn.example": 2, "github.com": 1}
	rate := func(h string) float64 {
		if r, ok := rates[h]; ok {
			return r
		}
		return 2
	}
	full := MakePlan(links, PlanOptions{Now: planNow, Rate: rate}).Need // 1800 / 2 req/s
	budget := full / 5
	tail := 10 * time.Second
	verified := map[string]int{} // URL → night of its last check
	now := planNow
	for night := 1; night <= 12; night++ {
		if night == 4 {
			links = append(links, PlanLink{URL: "https://cdn.example/added", Host: "cdn.example", FirstSeen: now})
		}
		p := MakePlan(links, PlanOptions{Now: now, Budget: budget, Tail: tail, Rate: rate, Reserve: 1})
		checked := map[string]bool{}
		for _, u := range p.Links {
			checked[u] = true
			verified[u] = night
		}
		if night == 4 && !checked["https://cdn.example/added"] {
			t.Errorf("night 4: the link added that night was not checked")
		}
		if night == 6 && !checked["https://cdn.example/7"] {
			t.Errorf("night 6: the link that failed on night 5 was not checked again")
		}
		for i := range links {
			l := &links[i]
			if checked[l.URL] {
				l.LastChecked, l.State = now, StateAlive
				if night == 5 && l.URL == "https://cdn.example/7" {
					l.State = StateFailing
				}
			}
		}
		if night >= 6 {
			for _, l := range links {
				if n, ok := verified[l.URL]; !ok || night-n >= 6 {
					t.Fatalf("night %d: %s last verified on night %d: not within 6 nights", night, l.URL, n)
				}
			}
		}
		now = now.Add(24 * time.Hour)
	}
	p := MakePlan(links, PlanOptions{Now: now, Budget: budget, Tail: tail, Rate: rate, Reserve: 1})
	if p.Nights > 6 {
		t.Errorf("the plan says %d nights to cover, want ≤ 6", p.Nights)
	}
}

// BenchmarkMakePlan40k plans a night over 40,000 links shaped like the
// newsletter (45 % on one host, 16 % on github.com, the rest over 8,000
// hosts) with 30 nights of verdicts behind them.
func BenchmarkMakePlan40k(b *testing.B) {
	var links []PlanLink
	states := []State{StateAlive, StateAlive, StateAlive, StateFailing, StateDead, StateMoved}
	for i := range 40000 {
		host := fmt.Sprintf("site%d.example", i%8000)
		switch {
		case i%100 < 45:
			host = "cdn.example"
		case i%100 < 61:
			host = "github.com"
		}
		links = append(links, PlanLink{
			URL: fmt.Sprintf("https://%s/%d", host, i), Host: host, State: states[i%len(states)],
			LastChecked: ago(time.Duration(i%30) * 24 * time.Hour), LastOK: ago(time.Duration(i%30) * 24 * time.Hour), FirstSeen: ago(30 * 24 * time.Hour),
		})
	}
	o := PlanOptions{Now: planNow, Budget: 30 * time.Minute, Tail: time.Minute, Reserve: 1, RecheckAfter: 20 * time.Hour,
		Rate: func(h string) float64 {
			if h == "github.com" {
				return 1
			}
			return 2
		}}
	b.ReportAllocs()
	for b.Loop() {
		p := MakePlan(links, o)
		if len(p.Links) == 0 {
			b.Fatal("empty plan")
		}
	}
}

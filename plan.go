package linkvault

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// A PlanLink is what the planner knows of one link: where it is and what
// the history says of it.
type PlanLink struct {
	URL         string
	Host        string
	State       State     // StateNew, or no record: never checked
	LastChecked time.Time // zero: never checked
	LastOK      time.Time // the last check that was ok (zero: none)
	FirstSeen   time.Time // when the notes first had it (zero: this run)
}

// PlanOptions are the inputs of a budgeted run besides the links.
type PlanOptions struct {
	// Budget is the wall time the run may take; 0 plans every due link.
	Budget time.Duration
	// Rate gives a host's requests per second: the configured rate, or the
	// lower one the host taught in earlier runs (429, Retry-After).
	Rate func(host string) float64
	// Tail is the time the last request of a host may take once sent
	// (the per-request deadline): requests are planned to start early
	// enough to end within Budget.
	Tail time.Duration
	// Reserve is the requests per host kept out of the plan for requests
	// that are not the links' own (the soft-404 probe, retries).
	Reserve int
	// Throughput caps the requests per second of the whole run (global
	// concurrency over the typical answer time); 0 means no cap.
	Throughput float64
	// RecheckAfter is the minimum age of an ok verdict (alive, moved)
	// before its link is due again, as check.recheck_after: links in any
	// other state are always due.
	RecheckAfter time.Duration
	// Now is the time the run starts.
	Now time.Time
}

// A Plan is the ordered list of links one run checks, and what it leaves.
type Plan struct {
	Links []string   // to check in this run, most urgent first
	Hosts []HostPlan // per host, the busiest (most time needed) first
	Due   int        // links due in this run
	Left  int        // due links left for the next runs
	// Need is the time every due link needs at the hosts' rates: the
	// slowest host's.
	Need time.Duration
	// Nights is how many runs of this budget verify every link once at the
	// hosts' rates (1 when the budget is 0 or enough).
	Nights int
	// Oldest is the oldest verdict among the links (zero: one was never
	// checked).
	Oldest time.Time
}

// HostPlan is the plan of one host.
type HostPlan struct {
	Host    string
	Links   int           // links of the host in the notes
	Due     int           // due in this run
	Planned int           // checked in this run
	Rate    float64       // requests per second
	Need    time.Duration // to check every due link at Rate
	Nights  int           // runs of this budget to verify every link once
}

// Priority classes of due links, most urgent first.
const (
	priorityNew     = iota // never checked: the notes just gained it
	priorityFailing        // failing: confirm dead, or clear, the next night
	priorityOldest         // the rest, oldest verdict first
)

func priority(l PlanLink) int {
	switch {
	case l.LastChecked.IsZero() || l.State == StateNew || l.State == "":
		return priorityNew
	case l.State == StateFailing:
		return priorityFailing
	}
	return priorityOldest
}

// byUrgency orders links most urgent first: by priority class; links
// never checked by the time the notes gained them, the newest first (a
// link added tonight is checked tonight, even while a first run over a
// large corpus is still catching up); the others oldest verdict first.
func byUrgency(a, b PlanLink) int {
	if c := cmp.Compare(priority(a), priority(b)); c != 0 {
		return c
	}
	if priority(a) == priorityNew {
		return unseen(b).Compare(unseen(a))
	}
	return a.LastChecked.Compare(b.LastChecked)
}

// unseen is when a link joined the notes, a zero FirstSeen meaning now.
func unseen(l PlanLink) time.Time {
	if l.FirstSeen.IsZero() {
		return time.Unix(1<<40, 0)
	}
	return l.FirstSeen
}

// due reports whether l is due under opts.RecheckAfter: false only when
// it is alive or moved and its last ok check is more recent than that (a
// later skipped check, of an excluded link, does not count).
func (o PlanOptions) due(l PlanLink) bool {
	if o.RecheckAfter <= 0 || l.LastOK.IsZero() || (l.State != StateAlive && l.State != StateMoved) {
		return true
	}
	return o.Now.Sub(l.LastOK) >= o.RecheckAfter
}

// capacity is how many requests a host at rate r can start within the
// budget and still end within it: the first at once, then one per 1/r.
func (o PlanOptions) capacity(r float64) int {
	window := (o.Budget - o.Tail).Seconds()
	if window < 0 {
		window = 0
	}
	n := 1 + int(math.Floor(r*window)) - o.Reserve
	return max(n, 1)
}

// planHost plans the links all of host h on their own: its due links, most
// urgent first, and how many of them its rate allows within the budget
// (HostPlan.Planned).
func (o PlanOptions) planHost(h string, all []PlanLink) (HostPlan, []PlanLink) {
	var due []PlanLink
	for _, l := range all {
		if o.due(l) {
			due = append(due, l)
		}
	}
	slices.SortStableFunc(due, byUrgency)
	r := 0.0
	if o.Rate != nil {
		r = o.Rate(h)
	}
	hp := HostPlan{Host: h, Links: len(all), Due: len(due), Planned: len(due), Rate: r}
	if r > 0 && len(due) > 0 {
		hp.Need = time.Duration(float64(len(due)-1) / r * float64(time.Second))
	}
	hp.Nights = 1
	if o.Budget > 0 && r > 0 {
		c := o.capacity(r)
		hp.Planned = min(len(due), c)
		hp.Nights = (len(all) + c - 1) / c
	}
	return hp, due
}

// MakePlan orders the due links of a run and, under a budget, keeps what
// each host's rate allows: links never checked first, then failing links,
// then the oldest verdicts. A host's queue is never cut at random: what is
// left is the least urgent, due again the next run. It is a pure function
// of its inputs.
func MakePlan(links []PlanLink, o PlanOptions) Plan {
	var p Plan
	byHost := map[string][]PlanLink{}
	var hosts []string
	never := false
	for _, l := range links {
		if _, ok := byHost[l.Host]; !ok {
			hosts = append(hosts, l.Host)
		}
		byHost[l.Host] = append(byHost[l.Host], l)
		if l.LastChecked.IsZero() {
			never = true
		} else if p.Oldest.IsZero() || l.LastChecked.Before(p.Oldest) {
			p.Oldest = l.LastChecked
		}
	}
	if never {
		p.Oldest = time.Time{}
	}
	p.Nights = 1
	type pick struct {
		l    PlanLink
		rank int // position in its host's queue
	}
	var planned []pick
	for _, h := range hosts {
		hp, due := o.planHost(h, byHost[h])
		for i, l := range due[:hp.Planned] {
			planned = append(planned, pick{l, i})
		}
		p.Due += hp.Due
		p.Need = max(p.Need, hp.Need)
		p.Nights = max(p.Nights, hp.Nights)
		p.Hosts = append(p.Hosts, hp)
	}
	// The whole run's throughput: keep the most urgent over all hosts,
	// the first of each host's queue before the second of any.
	slices.SortStableFunc(planned, func(a, b pick) int {
		if c := cmp.Compare(priority(a.l), priority(b.l)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		return byUrgency(a.l, b.l)
	})
	if o.Budget > 0 && o.Throughput > 0 {
		limit := max(1, int(o.Throughput*o.Budget.Seconds()))
		p.Nights = max(p.Nights, (len(links)+limit-1)/limit)
		if len(planned) > limit {
			cut := map[string]int{}
			for _, pk := range planned[limit:] {
				cut[pk.l.Host]++
			}
			planned = planned[:limit]
			for i := range p.Hosts {
				p.Hosts[i].Planned -= cut[p.Hosts[i].Host]
			}
		}
	}
	for _, pk := range planned {
		p.Links = append(p.Links, pk.l.URL)
	}
	p.Left = p.Due - len(p.Links)
	slices.SortStableFunc(p.Hosts, func(a, b HostPlan) int {
		if c := cmp.Compare(b.Need, a.Need); c != 0 {
			return c
		}
		return cmp.Compare(a.Host, b.Host)
	})
	return p
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/report"
)

// PlanOptions are the flags of `linkvault plan`.
type PlanOptions struct {
	Budget   time.Duration
	Format   string
	AllHosts bool
}

func newPlanCommand(g *globalOptions) *cobra.Command {
	var opts PlanOptions
	cmd := &cobra.Command{
		Use:   "plan [PATH...]",
		Short: "Show what a budgeted check would do, without checking",
		Long: `Show the plan of the next check from the notes, the history and the hosts'
rates, without any network access: per host, the links due, the time they
need at the host's rate, how many the budget checks tonight, and how many
nights of that budget verify every link once.

A budgeted check (check.budget, --budget) takes the links never checked
first, then the failing ones (a dead link is confirmed the next night), then
the oldest verdicts, as many per host as its rate allows within the budget:
a host that asked for less in an earlier run (429, Retry-After) is planned at
the rate it taught. What is left keeps its state and is due the next run.
When the budget cannot keep every verdict younger than policy.max_age, plan
and check say so.`,
		Example: `  linkvault plan
  linkvault plan --budget 30m
  linkvault plan --budget 30m --format json`,
		Args: usageArgs(cobra.ArbitraryArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("budget") {
				opts.Budget = -1
			}
			return runPlan(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.DurationVar(&opts.Budget, "budget", 0, "wall time of a run, e.g. 30m (check.budget; 0: every due link)")
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text or json")
	f.BoolVar(&opts.AllHosts, "all-hosts", false, "list every host, not only the 20 that need the most time")
	return cmd
}

func runPlan(ctx context.Context, g *globalOptions, opts PlanOptions, args []string) error {
	if opts.Format != "text" && opts.Format != "json" {
		return linkvault.Errorf(linkvault.EInvalid, "--format: want text or json, got %q", opts.Format)
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	if opts.Budget >= 0 {
		cfg.Check.Budget = Duration(opts.Budget)
	}
	links, inputErr := extractLinks(ctx, g, cfg, args, cfg.IncludeCode)
	if inputErr != nil {
		// A plan from notes that could not all be read would mislead.
		return inputErr
	}
	links = checkable(links)
	var db *archive.DB
	if p := g.dbPath(cfg); archive.IsRemote(p) || fileExists(p) {
		db, err = openExistingDB(ctx, g, cfg, true)
		switch {
		case err == nil:
			defer db.Close()
		case archive.IsRemote(p) && linkvault.ErrorCode(err) == linkvault.ENotFound:
			db = nil // a bucket without a database yet: no history
		default:
			return err
		}
	}
	pl, po, _, err := planInputs(db, cfg, links, time.Now())
	if err != nil {
		return err
	}
	p := linkvault.MakePlan(pl, po)
	if opts.Format == "json" {
		return writePlanJSON(g.stdout, p, cfg)
	}
	return writePlanText(g.stdout, p, cfg, opts.AllHosts)
}

// planInputs reads what planning a run needs in one pass over the
// database (db may be nil: no history yet): the web links with their
// history, the options from the config and the hosts' learned rates, and
// the records read (the targets' validators come from them).
func planInputs(db *archive.DB, cfg *Config, links []linkvault.Link, now time.Time) ([]linkvault.PlanLink, linkvault.PlanOptions, map[string]*linkvault.URLRecord, error) {
	var urls []string
	for _, l := range links {
		if l.Kind != linkvault.KindLocal {
			urls = append(urls, l.URL)
		}
	}
	recs := map[string]*linkvault.URLRecord{}
	learned := map[string]float64{}
	var throughput float64
	if db != nil {
		var err error
		if recs, err = db.PlanRecords(urls); err != nil {
			return nil, linkvault.PlanOptions{}, nil, err
		}
		if learned, err = db.LearnedRates(30); err != nil {
			return nil, linkvault.PlanOptions{}, nil, err
		}
		if last, err := db.LastRun(); err == nil {
			throughput = runThroughput(last, cfg.Check.Concurrency)
		}
	}
	pl := make([]linkvault.PlanLink, 0, len(urls))
	for _, u := range urls {
		l := linkvault.PlanLink{URL: u, Host: urlHost(u)}
		if r := recs[u]; r != nil {
			l.State, l.LastChecked, l.LastOK, l.FirstSeen = r.State, r.LastChecked, r.LastOK, r.FirstSeen
		}
		pl = append(pl, l)
	}
	po := linkvault.PlanOptions{
		Budget:       time.Duration(cfg.Check.Budget),
		Rate:         func(h string) float64 { return hostRate(cfg, h, learned) },
		Tail:         requestTail(cfg),
		Throughput:   throughput,
		RecheckAfter: time.Duration(cfg.Check.RecheckAfter),
		Now:          now,
	}
	if cfg.Soft404.Enabled && cfg.Soft404.Probe {
		po.Reserve = 1 // the probe
	}
	return pl, po, recs, nil
}

// checkDeadline is when a budgeted run starts its last request. The
// budget is the whole command's, from its start (begin): requests end one
// request's longest time (tail) before the budget does, and the closing
// phases (recording the run, writing the reports, which read the records
// of every link again) get as long as the opening ones took (reading the
// notes and planning, from begin to planned). Measured at 40,000 links
// (BENCHMARKS.md), counting from the planning and keeping nothing for the
// closing phases overran a 25 s budget by 9 s. The requests get at least a
// quarter of budget − tail, however long the opening took.
func checkDeadline(begin, planned time.Time, budget, tail time.Duration) time.Time {
	open := planned.Sub(begin)
	dl := begin.Add(budget - tail - open)
	if least := planned.Add((budget - tail) / 4); dl.Before(least) {
		return least
	}
	return dl
}

// requestTail is the longest a request sent at the end of a budget may
// take before its answer is in: check.timeout, capped at a tenth of the
// budget so that a short budget still checks something.
func requestTail(cfg *Config) time.Duration {
	tail := time.Duration(cfg.Check.Timeout)
	if b := time.Duration(cfg.Check.Budget); b > 0 {
		tail = min(tail, b/10)
	}
	return tail
}

// runThroughput is the requests per second a run can sustain over all
// hosts: the global concurrency over the mean answer time of the last run
// (0 when unknown).
func runThroughput(run *linkvault.Run, concurrency int) float64 {
	var reqs int
	var ms int64
	for _, h := range run.Hosts {
		if h != nil {
			reqs += h.Requests
			ms += h.LatencyMS
		}
	}
	if reqs == 0 || ms == 0 {
		return 0
	}
	mean := float64(ms) / float64(reqs) / 1000
	return float64(concurrency) / mean
}

// hostRate is a host's requests per second: its hosts: override or
// check.rate, lowered to what the host taught in earlier runs.
func hostRate(cfg *Config, host string, learned map[string]float64) float64 {
	r := cfg.Check.Rate
	if h, ok := cfg.Hosts[host]; ok && h.Rate > 0 {
		r = h.Rate
	}
	if l, ok := learned[host]; ok && l > 0 && l < r {
		r = l
	}
	return r
}

func urlHost(u string) string {
	if p, err := url.Parse(u); err == nil {
		return strings.ToLower(p.Hostname())
	}
	return ""
}

// planVerdict says in one line what a budget does to freshness, and
// whether it keeps every verdict within policy.max_age.
func planVerdict(p linkvault.Plan, cfg *Config) (line string, tooSlow bool) {
	budget := time.Duration(cfg.Check.Budget)
	maxAge := time.Duration(cfg.Policy.MaxAge)
	total := totalLinks(p)
	verb := "need"
	if p.Due == 1 {
		verb = "needs"
	}
	need := fmt.Sprintf("%s link%s %s %s at the configured rates", report.Count(p.Due), plural(p.Due), verb, humanDuration(p.Need))
	if budget <= 0 {
		return need + "; no check.budget: every due link is checked", false
	}
	line = fmt.Sprintf("%s; with a budget of %s, each of the %s is re-verified within %d night%s", need, humanDuration(budget), report.Count(total), p.Nights, plural(p.Nights))
	if maxAge > 0 && time.Duration(p.Nights)*24*time.Hour > maxAge {
		return line + ", longer than policy.max_age " + humanAge(maxAge), true
	}
	return line, false
}

func writePlanText(w io.Writer, p linkvault.Plan, cfg *Config, all bool) error {
	bw := bufio.NewWriter(w)
	verdict, _ := planVerdict(p, cfg)
	fmt.Fprintf(bw, "%s links over %s %s, %s due.\n", report.Count(totalLinks(p)), report.Count(len(p.Hosts)), "host"+plural(len(p.Hosts)), report.Count(p.Due))
	fmt.Fprintln(bw, verdict+".")
	if cfg.Check.Budget > 0 {
		fmt.Fprintf(bw, "Tonight: %s checked, %s left for the next runs.\n", report.Count(len(p.Links)), report.Count(p.Left))
	}
	switch {
	case p.Oldest.IsZero() && p.Due > 0:
		fmt.Fprintln(bw, "Some links were never checked.")
	case !p.Oldest.IsZero():
		fmt.Fprintf(bw, "Oldest verdict: %s (%s ago).\n", p.Oldest.UTC().Format("2006-01-02 15:04 UTC"), humanAge(time.Since(p.Oldest)))
	}
	fmt.Fprintln(bw)
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tLINKS\tDUE\tTONIGHT\tRATE\tTIME NEEDED\tNIGHTS")
	shown := p.Hosts
	if !all && len(shown) > 20 {
		shown = shown[:20]
	}
	for _, h := range shown {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%g/s\t%s\t%d\n", h.Host, h.Links, h.Due, h.Planned, h.Rate, humanDuration(h.Need), h.Nights)
	}
	tw.Flush()
	if len(shown) < len(p.Hosts) {
		fmt.Fprintf(bw, "… and %s more %s (--all-hosts lists them).\n", report.Count(len(p.Hosts)-len(shown)), "host"+plural(len(p.Hosts)-len(shown)))
	}
	return bw.Flush()
}

func writePlanJSON(w io.Writer, p linkvault.Plan, cfg *Config) error {
	type host struct {
		Host    string  `json:"host"`
		Links   int     `json:"links"`
		Due     int     `json:"due"`
		Planned int     `json:"planned"`
		Rate    float64 `json:"rate"`
		NeedS   float64 `json:"need_seconds"`
		Nights  int     `json:"nights"`
	}
	out := struct {
		BudgetS   float64   `json:"budget_seconds"`
		MaxAgeS   float64   `json:"max_age_seconds,omitempty"`
		Due       int       `json:"due"`
		Planned   int       `json:"planned"`
		Left      int       `json:"left"`
		NeedS     float64   `json:"need_seconds"`
		Nights    int       `json:"nights"`
		TooSlow   bool      `json:"exceeds_max_age"`
		Oldest    time.Time `json:"oldest_verdict,omitzero"`
		Hosts     []host    `json:"hosts"`
		Links     []string  `json:"links"`
		Statement string    `json:"summary"`
	}{
		BudgetS: time.Duration(cfg.Check.Budget).Seconds(), MaxAgeS: time.Duration(cfg.Policy.MaxAge).Seconds(),
		Due: p.Due, Planned: len(p.Links), Left: p.Left, NeedS: p.Need.Seconds(), Nights: p.Nights,
		Oldest: p.Oldest, Links: p.Links, Hosts: []host{},
	}
	out.Statement, out.TooSlow = planVerdict(p, cfg)
	for _, h := range p.Hosts {
		out.Hosts = append(out.Hosts, host{h.Host, h.Links, h.Due, h.Planned, h.Rate, h.Need.Seconds(), h.Nights})
	}
	if out.Links == nil {
		out.Links = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func totalLinks(p linkvault.Plan) int {
	n := 0
	for _, h := range p.Hosts {
		n += h.Links
	}
	return n
}

// humanDuration writes d as people say it: 2 h 26 min, 5 min 3 s, 45 s.
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case h > 0:
		return fmt.Sprintf("%d h", h)
	case m > 0 && s > 0:
		return fmt.Sprintf("%d min %d s", m, s)
	case m > 0:
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d s", s)
}

// humanAge writes an age in days when it is whole days (3d), else as
// humanDuration.
func humanAge(d time.Duration) string {
	if d >= 24*time.Hour {
		return fmt.Sprintf("%dd", int(d.Round(time.Hour)/(24*time.Hour)))
	}
	return humanDuration(d)
}

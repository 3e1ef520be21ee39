package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/linkvault/linkvault"
)

var (
	//go:embed assets/report.html.tmpl
	htmlSource string
	//go:embed assets/report.css
	htmlCSS string
	//go:embed assets/report.js
	htmlJS string

	htmlTemplate = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("report").Funcs(template.FuncMap{
			"safeURL": safeURL,
			"comma":   Count,
		}).Parse(htmlSource))
	})
)

// maxChangeItems caps each "what changed" list; the table shows the rest.
const maxChangeItems = 12

// maxStripChecks is how many of the last checks the history strip shows.
const maxStripChecks = 30

// HTML writes the self-contained health report (index.html): inline CSS,
// JavaScript and SVG, no external resource, so it works from file:// and
// any static host. The overview (counts, trend, changes, hosts) is
// rendered on the server; the table of links is drawn by the page's
// script from JSON embedded in a <script type="application/json">
// element, so that a large archive stays small and fast. Everything from
// the notes or the web is escaped by html/template; only http and https
// URLs (and relative archive paths) become links. The "Newly dead" and
// "Newly failing" cards link each link's archived copy beside the report
// and its Wayback Machine snapshot; a dead or failing link with neither
// gets a search of the Wayback Machine (so does its row in the table). The
// trend labels its runs (numbers, start times) and its count scale. A
// Content-Security-Policy meta element keeps the page from loading
// anything. The archived copies the page links to are written beside it by
// [WriteHTML], in the forms of classifyCopy that no browser runs (HTML
// pages inside copyPage's sandbox, other types a browser might run as
// .bin downloads), since the report's folder may be served from a shared
// origin such as GitHub Pages.
func HTML(w io.Writer, d *Data) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := htmlTemplate().Execute(bw, buildHTMLView(d)); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

type htmlView struct {
	Version      string
	Generated    string
	GeneratedISO string
	RunLine      string
	RunStatus    string // "", "interrupted", "not finished"
	Total        int
	Health       string // percentage of verified links that work, "" when none verified
	Cards        []htmlCard
	Bar          []htmlBarSeg
	Trend        *htmlTrend
	HasRun       bool
	Changes      []htmlChange
	Hosts        []htmlHost
	Policy       string
	Freshness    string // freshnessLine: how much of the notes the verdicts cover
	MaxAge       string // policy.max_age in words, "" when off: the stale legend
	CSS          template.CSS
	JS           template.JS
	Payload      *htmlPayload
	States       []linkvault.State
}

type htmlCard struct {
	State   linkvault.State
	Count   int
	Percent string
	Delta   string // "+2", "−1", "" when unknown or unchanged
	Hint    string
}

type htmlBarSeg struct {
	State   linkvault.State
	Percent string
	Count   int
}

type htmlTrend struct {
	Width, Height int
	Bars          []htmlTrendBar
	// Max is the most links of one run (the top of the chart), Ticks the
	// run numbers under the bars; From and To say when the first and the
	// last run started (the time alone when all are of one day, which
	// Span names), Span otherwise how many runs the chart shows.
	Max            string
	Ticks          []htmlTick
	From, To, Span string
	Label          string // what the chart shows, for screen readers
}

// htmlTick labels the bar whose centre is Left percent from the left.
type htmlTick struct {
	Left  string
	Label string
}

// maxTrendTicks caps the run numbers under the trend so that they fit a
// phone's width.
const maxTrendTicks = 6

type htmlTrendBar struct {
	X, W  string
	Label string
	Segs  []htmlTrendSeg
}

type htmlTrendSeg struct {
	State linkvault.State
	Y, H  string
}

type htmlChange struct {
	Key    string // newly-dead, recovered, newly-moved, newly-failing
	Title  string
	Empty  string
	Items  []htmlChangeItem
	More   int
	Filter string // URL fragment selecting these links in the table
	Total  int
	Tone   linkvault.State
}

type htmlChangeItem struct {
	URL    string
	Title  string
	Detail string
	Where  string
	WhereU string
	To     string
	// The copies of a dead or failing link: the archived copy beside the
	// report (Archive, offered as a download named ArchiveDL when it could
	// run scripts), or the date of the one linkvault get gives back
	// (LocalNote); the Wayback Machine's snapshot, or a search for one
	// when none is known (WaybackFind).
	Archive     string
	ArchiveDL   string
	LocalNote   string
	Wayback     string
	WaybackFind bool
	// The source of a repository link: archived here (Source, the note
	// without the command), or Software Heritage's (SWH, visited SWHVisit).
	Source   string
	SWH      string
	SWHVisit string
}

type htmlHost struct {
	hostRow
	Latency   string
	LatencyMS int64
}

// htmlPayload is the JSON the page's script reads. Keys are short to keep
// the report of a large archive small.
type htmlPayload struct {
	Repo   string     `json:"repo,omitempty"`
	Now    string     `json:"now"`
	Runs   [][2]any   `json:"runs"`  // [run id, RFC 3339 start]
	Files  []string   `json:"files"` // indexed by htmlLink.Src
	Hosts  []string   `json:"hosts"` // indexed by htmlLink.Host
	States []string   `json:"states"`
	Links  []htmlLink `json:"links"`
	MaxAge string     `json:"max_age,omitempty"` // policy.max_age in words, for the stale marks
}

type htmlLink struct {
	URL     string   `json:"u"`
	Link    bool     `json:"l,omitempty"` // URL is http(s): may become a link
	State   string   `json:"s"`
	Changed bool     `json:"c,omitempty"`
	Prev    string   `json:"p,omitempty"`
	Since   string   `json:"t,omitempty"`
	HTTP    int      `json:"h,omitempty"`
	Status  string   `json:"k,omitempty"`
	Reason  string   `json:"r,omitempty"`
	Title   string   `json:"n,omitempty"`
	Host    int      `json:"o"` // index in Hosts, -1 for none
	Src     [][3]int `json:"f,omitempty"`
	Checks  string   `json:"x,omitempty"`  // space-separated tokens: status letter + HTTP status
	CheckR  uint64   `json:"xr,omitempty"` // run id of the first check when the checks are of consecutive runs
	Bad     int      `json:"b,omitempty"`
	LastOK  string   `json:"g,omitempty"`
	Archive string   `json:"a,omitempty"`
	Wayback string   `json:"w,omitempty"`
	// WaybackFind: Wayback is a search for snapshots, not a known one.
	WaybackFind bool   `json:"wf,omitempty"`
	Moved       string `json:"m,omitempty"`
	Copies      int    `json:"z,omitempty"`
	Note        string `json:"q,omitempty"`  // archived or renamed GitHub repository, or changed content
	Verified    string `json:"v,omitempty"`  // when the link was last checked (RFC 3339)
	Stale       bool   `json:"vs,omitempty"` // that verdict is older than policy.max_age
}

var checkLetter = map[linkvault.Status]string{
	linkvault.StatusOK:          "o",
	linkvault.StatusBroken:      "b",
	linkvault.StatusSoft404:     "f",
	linkvault.StatusUnreachable: "u",
	linkvault.StatusBlocked:     "x",
	linkvault.StatusThrottled:   "t",
	linkvault.StatusSkipped:     "s",
}

func buildHTMLView(d *Data) *htmlView {
	s := summarize(d)
	v := &htmlView{
		Version:      d.Version,
		Generated:    d.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"),
		GeneratedISO: utc(d.GeneratedAt).Format(time.RFC3339),
		CSS:          template.CSS(htmlCSS),
		JS:           template.JS(htmlJS),
		HasRun:       d.Run != nil,
	}
	if d.Run != nil {
		v.RunLine = runLine(d)
		switch {
		case d.Run.Interrupted:
			v.RunStatus = "interrupted"
		case !d.Run.Finished:
			v.RunStatus = "not finished"
		}
	}
	v.setPolicy(d)

	for _, st := range linkvault.States {
		if st == linkvault.StateGone && !d.ShowGone {
			continue
		}
		v.States = append(v.States, st)
		v.Total += s.States[st]
	}
	// A changed page (or one missing a section) still answers: it works,
	// even if not as cited.
	working := s.States[linkvault.StateAlive] + s.States[linkvault.StateMoved] + s.States[linkvault.StateChanged] + s.States[linkvault.StateFragmentMissing]
	if verified := working + s.States[linkvault.StateFailing] + s.States[linkvault.StateDead]; verified > 0 {
		v.Health = strconv.FormatFloat(100*float64(working)/float64(verified), 'f', 1, 64)
		v.Health = strings.TrimSuffix(v.Health, ".0")
	}
	var prev map[linkvault.State]int
	if n := len(d.Runs); n >= 2 && d.Run != nil && d.Runs[n-1].ID == d.Run.ID && d.Runs[n-2].States != nil {
		prev = d.Runs[n-2].States
	}
	for _, st := range v.States {
		c := htmlCard{State: st, Count: s.States[st], Hint: stateHint[st]}
		if v.Total > 0 {
			c.Percent = pct(s.States[st], v.Total)
		}
		if prev != nil {
			switch delta := s.States[st] - prev[st]; {
			case delta > 0:
				c.Delta = "+" + strconv.Itoa(delta)
			case delta < 0:
				c.Delta = "−" + strconv.Itoa(-delta)
			}
		}
		v.Cards = append(v.Cards, c)
		if s.States[st] > 0 {
			v.Bar = append(v.Bar, htmlBarSeg{State: st, Percent: pct(s.States[st], v.Total), Count: s.States[st]})
		}
	}
	v.Trend = buildTrend(d)

	if d.Run != nil {
		v.Changes = []htmlChange{
			changeList(d, "newly-dead", "Newly dead", linkvault.StateDead, s.NewlyDead, "No link died in this run.", "#changed&state=dead"),
			changeList(d, "recovered", "Recovered", linkvault.StateAlive, s.Recovered, "No link came back in this run.", "#recovered"),
			changeList(d, "newly-moved", "Newly moved", linkvault.StateMoved, s.NewlyMoved, "No link moved in this run.", "#changed&state=moved"),
			changeList(d, "newly-failing", "Newly failing", linkvault.StateFailing, s.NewlyFailing, "No link started failing in this run.", "#changed&state=failing"),
		}
	}
	for _, h := range s.Hosts {
		v.Hosts = append(v.Hosts, htmlHost{hostRow: h, Latency: fmtLatency(h.MeanLatency), LatencyMS: h.MeanLatency.Milliseconds()})
	}
	v.Payload = buildPayload(d)
	return v
}

// setPolicy says when a link is dead, how fresh the verdicts are, and
// policy.max_age for the stale legend.
func (v *htmlView) setPolicy(d *Data) {
	pol := d.Policy.WithDefaults()
	v.Policy = fmt.Sprintf("A link is dead after %s in a row", plural(pol.DeadAfter, "bad check"))
	if pol.DeadMinAge > 0 {
		v.Policy += " spanning at least " + fmtDuration(pol.DeadMinAge)
	}
	v.Policy += "."
	v.Freshness = freshnessLine(d)
	if d.Policy.MaxAge > 0 {
		v.MaxAge = fmtDuration(d.Policy.MaxAge)
	}
}

var stateHint = map[linkvault.State]string{
	linkvault.StateDead:    "bad in consecutive runs long enough to call it dead",
	linkvault.StateFailing: "bad lately, not dead yet",
	linkvault.StateChanged: "alive, but the text no longer matches what was cited",

	linkvault.StateFragmentMissing: "alive, but the section a link points to (#fragment) is gone",
	linkvault.StateBlocked:         "the server refuses to be checked",
	linkvault.StateMoved:           "alive behind a permanent redirect",
	linkvault.StateAlive:           "answered fine at the last check",
	linkvault.StateNew:             "not checked yet",
	linkvault.StateGone:            "no longer in the notes",
}

func changeList(d *Data, key, heading string, tone linkvault.State, entries []*Entry, empty, filter string) htmlChange {
	c := htmlChange{Key: key, Title: heading, Empty: empty, Filter: filter, Total: len(entries), Tone: tone}
	for i, e := range entries {
		if i == maxChangeItems {
			c.More = len(entries) - i
			break
		}
		it := htmlChangeItem{URL: e.URL, Title: title(e, d.Policy)}
		switch e.State {
		case linkvault.StateMoved:
			it.To = movedTo(e)
		case linkvault.StateAlive:
			if e.PrevState != "" {
				it.Detail = "was " + string(e.PrevState)
			}
		default:
			it.Detail = reason(e)
		}
		if len(e.Sources) > 0 {
			it.Where = location(e.Sources[0])
			if len(e.Sources) > 1 {
				it.Where += fmt.Sprintf(" +%d", len(e.Sources)-1)
			}
			it.WhereU = sourceURL(d, e.Sources[0])
		}
		if copyMatters(e) {
			if relativeURL(e.ArchivePath) {
				it.Archive, it.ArchiveDL = e.ArchivePath, archiveDownload(e.ArchivePath)
			} else if c, ok := Offered(e, d.Policy); ok {
				it.LocalNote = "archived " + day(c.Time) + " · linkvault get"
			}
			it.Wayback, it.WaybackFind = waybackLink(e)
			if sc := e.SourceCode; sc != nil && sc.Skipped == "" && sc.Commit != "" {
				it.Source = "source archived (commit " + sc.ShortCommit() + ", " + day(sc.Time) + ") · linkvault get --source"
			} else if sw := e.SoftwareHeritage; sw != nil && webURL(sw.BrowseURL) {
				it.SWH, it.SWHVisit = sw.BrowseURL, day(sw.LastVisit)
			}
		}
		c.Items = append(c.Items, it)
	}
	return c
}

// buildTrend draws the states of the recent runs as stacked bars.
func buildTrend(d *Data) *htmlTrend {
	var runs []linkvault.Run
	for _, r := range d.Runs {
		if len(r.States) > 0 {
			runs = append(runs, r)
		}
	}
	if len(runs) < 2 {
		return nil
	}
	const width, height, gap = 300, 64, 0.25
	t := &htmlTrend{Width: width, Height: height}
	first, last := runs[0], runs[len(runs)-1]
	from, to := first.Start.UTC(), last.Start.UTC()
	when := "Jan 2"
	switch {
	case day(from) == day(to):
		when = "15:04"
		t.Span = from.Format("Jan 2, 2006") + " (UTC)"
	case from.Year() != to.Year():
		when = "Jan 2, 2006"
	case to.Sub(from) < 7*24*time.Hour:
		when = "Jan 2 15:04"
	}
	if t.Span == "" {
		t.Span = plural(len(runs), "run")
	}
	t.From = fmt.Sprintf("#%d · %s", first.ID, from.Format(when))
	t.To = fmt.Sprintf("#%d · %s", last.ID, to.Format(when))
	maxTotal := 0
	for _, r := range runs {
		total := 0
		for st, n := range r.States {
			if st != linkvault.StateGone {
				total += n
			}
		}
		maxTotal = max(maxTotal, total)
	}
	if maxTotal == 0 {
		return nil
	}
	t.Max = Count(maxTotal)
	t.Label = fmt.Sprintf("States of the links in the last %d runs, from run #%d (%s UTC) to run #%d (%s UTC); at most %s links",
		len(runs), first.ID, from.Format("2006-01-02 15:04"), last.ID, to.Format("2006-01-02 15:04"), t.Max)
	bw := float64(width) / float64(len(runs))
	// Every step-th bar gets its run number, counted back from the last.
	step := (len(runs) + maxTrendTicks - 1) / maxTrendTicks
	for i, r := range runs {
		if (len(runs)-1-i)%step == 0 {
			t.Ticks = append(t.Ticks, htmlTick{Left: f2(100 * (float64(i) + 0.5) / float64(len(runs))), Label: fmt.Sprintf("#%d", r.ID)})
		}
		b := htmlTrendBar{X: f2(float64(i)*bw + bw*gap/2), W: f2(bw * (1 - gap))}
		var label []string
		y := float64(height)
		for _, st := range linkvault.States {
			n := r.States[st]
			if st == linkvault.StateGone || n == 0 {
				continue
			}
			h := float64(n) / float64(maxTotal) * height
			y -= h
			b.Segs = append(b.Segs, htmlTrendSeg{State: st, Y: f2(y), H: f2(h)})
			label = append(label, fmt.Sprintf("%d %s", n, st))
		}
		b.Label = fmt.Sprintf("Run #%d, %s: %s", r.ID, r.Start.UTC().Format("2006-01-02 15:04"), strings.Join(label, ", "))
		t.Bars = append(t.Bars, b)
	}
	return t
}

func buildPayload(d *Data) *htmlPayload {
	p := &htmlPayload{Now: utc(d.GeneratedAt).Format(time.RFC3339), Files: []string{}, Hosts: []string{}}
	if d.Policy.MaxAge > 0 {
		p.MaxAge = fmtDuration(d.Policy.MaxAge)
	}
	if webURL(d.RepoURL) {
		p.Repo = d.RepoURL
		if !strings.HasSuffix(p.Repo, "/") {
			p.Repo += "/"
		}
	}
	for _, r := range d.Runs {
		p.Runs = append(p.Runs, [2]any{r.ID, utc(r.Start).Format(time.RFC3339)})
	}
	for _, st := range linkvault.States {
		if st != linkvault.StateGone || d.ShowGone {
			p.States = append(p.States, string(st))
		}
	}
	files := map[string]int{}
	hosts := map[string]int{}
	vis := visible(d)
	p.Links = make([]htmlLink, 0, len(vis))
	var tok strings.Builder
	for _, e := range vis {
		l := htmlLink{
			URL:     e.URL,
			Link:    webURL(e.URL),
			State:   string(e.State),
			Changed: changedIn(e, d.Run),
			Prev:    string(e.PrevState),
			Bad:     e.ConsecutiveBad,
			Host:    -1,
			Title:   title(e, d.Policy),
			Copies:  len(e.Captures),
			Note:    strings.Join(nonEmpty(repoNote(e), changedNote(e), fragmentNote(e), SourceNote(e), SourceElsewhere(e)), "; "),
		}
		if !e.StateSince.IsZero() {
			l.Since = e.StateSince.UTC().Format(time.RFC3339)
		}
		if !e.LastOK.IsZero() {
			l.LastOK = e.LastOK.UTC().Format(time.RFC3339)
		}
		if at := checkedAt(e); !at.IsZero() {
			l.Verified, l.Stale = at.UTC().Format(time.RFC3339), stale(d, e)
		}
		if e.Last != nil {
			l.setLast(e.Last)
		}
		if h := Host(e.URL); h != "" {
			i, ok := hosts[h]
			if !ok {
				i = len(p.Hosts)
				hosts[h] = i
				p.Hosts = append(p.Hosts, h)
			}
			l.Host = i
		}
		for _, s := range e.Sources {
			i, ok := files[s.File]
			if !ok {
				i = len(p.Files)
				files[s.File] = i
				p.Files = append(p.Files, s.File)
			}
			l.Src = append(l.Src, [3]int{i, s.Line, s.Column})
		}
		l.Checks, l.CheckR = checkStrip(&tok, e.Checks)
		if relativeURL(e.ArchivePath) {
			l.Archive = e.ArchivePath
		}
		if copyMatters(e) || webURL(waybackURL(e)) {
			l.Wayback, l.WaybackFind = waybackLink(e)
		}
		p.Links = append(p.Links, l)
	}
	return p
}

// setLast fills the fields of l that come from the last result.
func (l *htmlLink) setLast(last *linkvault.Result) {
	l.HTTP = last.HTTPStatus
	l.Status = string(last.Status)
	l.Reason = last.Reason
	if l.Reason == "" {
		l.Reason = last.Error
	}
	if webURL(last.MovedTo) {
		l.Moved = last.MovedTo
	}
}

// checkStrip is the strip of the last maxStripChecks checks (a letter per
// status, the HTTP status unless a plain 200), written with tok, and the
// run id of the first of them when they are of consecutive runs (else 0).
func checkStrip(tok *strings.Builder, checks []linkvault.Check) (strip string, firstRun uint64) {
	tok.Reset()
	if len(checks) > maxStripChecks {
		checks = checks[len(checks)-maxStripChecks:]
	}
	consecutive := len(checks) > 0
	for i, c := range checks {
		if i > 0 {
			tok.WriteByte(' ')
			if c.RunID != checks[i-1].RunID+1 {
				consecutive = false
			}
		}
		letter := checkLetter[c.Status]
		if letter == "" {
			letter = "s"
		}
		tok.WriteString(letter)
		if c.HTTPStatus != 0 && !(c.Status == linkvault.StatusOK && c.HTTPStatus == 200) {
			tok.WriteString(strconv.Itoa(c.HTTPStatus))
		}
	}
	if consecutive {
		firstRun = checks[0].RunID
	}
	return tok.String(), firstRun
}

// waybackLink is the Wayback Machine link of e: its latest snapshot when
// the archive knows one, else, for a dead or failing link without an
// archived copy beside the report, a search for snapshots (find is true).
func waybackLink(e *Entry) (u string, find bool) {
	if wb := waybackURL(e); webURL(wb) {
		return wb, false
	}
	if (e.State == linkvault.StateDead || e.State == linkvault.StateFailing) && !relativeURL(e.ArchivePath) {
		if u := waybackSearch(e.URL); u != "" {
			return u, true
		}
	}
	return "", false
}

// safeURL returns u when it is an http(s) URL or a relative reference,
// "" otherwise; templates use it before putting anything in an href.
func safeURL(u string) string {
	if webURL(u) || relativeURL(u) {
		return u
	}
	return ""
}

func pct(n, total int) string {
	if total == 0 {
		return "0"
	}
	return strconv.FormatFloat(100*float64(n)/float64(total), 'f', 1, 64)
}

func f2(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// Count writes n with thousands separators (39,459), as every report and
// the CLI print counts.
func Count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func fmtLatency(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

func fmtDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "no time"
	case d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	}
	return d.String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// nonEmpty returns the non-empty strings of s.
func nonEmpty(s ...string) []string {
	out := s[:0]
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

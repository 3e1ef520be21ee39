package report

import (
	"cmp"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
)

// SchemaVersion is the version of the JSON report contract described in
// SCHEMA.md. It changes only when a field is removed or changes meaning;
// added fields keep the version.
const SchemaVersion = 1

// Entry is one URL as the archive holds it, with its recent history.
type Entry struct {
	linkvault.URLRecord

	// Checks are the last checks of the URL, oldest first (at most 30).
	Checks []linkvault.Check
	// Captures are the local archived copies of the URL, oldest first.
	Captures []linkvault.Capture
	// ArchivePath is the path of the offered archived copy relative to the
	// HTML report's page ("archive/…", or "NAME.files/…" beside a page
	// NAME.html), written as classifyCopy says; "" when there is none.
	ArchivePath string
}

// Data is everything a report shows. The command fills it from the archive;
// renderers only read it.
type Data struct {
	SchemaVersion int       // informational: renderers always write the SchemaVersion constant
	Version       string    // linkvault version
	GeneratedAt   time.Time // when the report was made
	Run           *linkvault.Run
	// Runs are the recent runs, oldest first, for trends (at most 30).
	Runs []linkvault.Run
	// Entries holds every URL, gone ones included; renderers hide
	// linkvault.StateGone unless ShowGone is set.
	Entries []Entry
	// RepoURL, when set, is the base URL that file paths are appended to in
	// order to link an occurrence into the repository, e.g.
	// "https://github.com/o/r/blob/main/". Only http and https are used.
	RepoURL string
	// Root, when set, is the absolute directory (the repository's top
	// level, or the config's directory) that the relative source files are
	// relative to. A source file outside it is absolute, and is never linked
	// into the repository.
	Root     string
	ShowGone bool
	Policy   linkvault.Policy
}

// summary is the derived view that every renderer shares.
type summary struct {
	// States counts every entry by state, gone ones included; every
	// linkvault.State has a key.
	States map[linkvault.State]int
	// Statuses counts the status of the last check of every referenced
	// (not gone) entry that has been checked; every linkvault.Status has a
	// key.
	Statuses map[linkvault.Status]int

	NewlyDead    []*Entry // dead, and the state changed in the reported run
	Recovered    []*Entry // alive or moved, changed in the run from failing or dead
	NewlyMoved   []*Entry // moved, and the state changed in the run
	NewlyFailing []*Entry // failing, and the state changed in the run
	StillDead    []*Entry // dead before the run and still dead
	Failing      []*Entry // every failing entry
	Blocked      []*Entry // every blocked entry
	Changed      []*Entry // alive, but the main text no longer matches what was cited
	// FragmentMissing: the last check answered, but #fragments the notes
	// link to name no anchor of the page (whatever the state: a moved or
	// changed page may also have lost a section).
	FragmentMissing []*Entry
	Skipped         []*Entry // the run's check was skipped (excluded, private address …)
	Repos           []*Entry // GitHub repositories archived or renamed (alive, but flagged)

	Hosts []hostRow // per host, most dead first
}

// hostRow is what one host looks like in the report.
type hostRow struct {
	Host        string
	Links       int // referenced web links on the host
	Dead        int
	Blocked     int
	Throttled   int // 429 answers in the reported run
	MeanLatency time.Duration
	Requests    int // HTTP requests in the reported run
}

// summarize computes the views shared by all renderers. Lists are ordered
// by URL; gone entries appear only in States.
//
// An entry changed in the reported run when one of its checks of that run
// (Check.RunID == Run.ID) has Changed set or, when it has no check of that
// run, when its StateSince lies within the run (Run.Start to Run.End, or
// after Run.Start when the run has no end).
func summarize(d *Data) summary {
	s := summary{
		States:   make(map[linkvault.State]int, len(linkvault.States)),
		Statuses: make(map[linkvault.Status]int, len(linkvault.Statuses)),
	}
	for _, st := range linkvault.States {
		s.States[st] = 0
	}
	for _, st := range linkvault.Statuses {
		s.Statuses[st] = 0
	}
	hosts := hostTally{}
	for i := range d.Entries {
		e := &d.Entries[i]
		s.States[e.State]++
		if e.State == linkvault.StateGone {
			continue
		}
		s.add(e, d.Run)
		hosts.add(e)
	}
	s.Hosts = hosts.rows(d.Run)
	for _, l := range [][]*Entry{s.NewlyDead, s.Recovered, s.NewlyMoved, s.NewlyFailing, s.StillDead, s.Failing, s.Blocked, s.Changed, s.FragmentMissing} {
		slices.SortFunc(l, func(a, b *Entry) int { return strings.Compare(a.URL, b.URL) })
	}
	return s
}

// add files the entry e, not gone, in the lists of s it belongs to.
func (s *summary) add(e *Entry, run *linkvault.Run) {
	if e.Last != nil {
		s.Statuses[e.Last.Status]++
	}
	if c := skippedIn(e, run); c != nil {
		s.Skipped = append(s.Skipped, e)
	}
	if repoNote(e) != "" {
		s.Repos = append(s.Repos, e)
	}
	if len(missingFragments(e)) > 0 {
		s.FragmentMissing = append(s.FragmentMissing, e)
	}
	changed := changedIn(e, run)
	switch e.State {
	case linkvault.StateDead:
		if changed {
			s.NewlyDead = append(s.NewlyDead, e)
		} else {
			s.StillDead = append(s.StillDead, e)
		}
	case linkvault.StateAlive, linkvault.StateMoved:
		if changed && linkvault.Recovered(e.PrevState, e.State) {
			s.Recovered = append(s.Recovered, e)
		}
		if changed && e.State == linkvault.StateMoved && e.PrevState != linkvault.StateMoved {
			s.NewlyMoved = append(s.NewlyMoved, e)
		}
	case linkvault.StateFailing:
		s.Failing = append(s.Failing, e)
		if changed {
			s.NewlyFailing = append(s.NewlyFailing, e)
		}
	case linkvault.StateBlocked:
		s.Blocked = append(s.Blocked, e)
	case linkvault.StateChanged:
		s.Changed = append(s.Changed, e)
	}
}

// hostTally sums the rows of the hosts table by host name.
type hostTally map[string]*hostAcc

// hostAcc is one host's row and the latencies of its links' last checks.
type hostAcc struct {
	row      hostRow
	latency  int64
	measured int
}

// of returns the row of host name, new when needed.
func (t hostTally) of(name string) *hostAcc {
	h := t[name]
	if h == nil {
		h = &hostAcc{row: hostRow{Host: name}}
		t[name] = h
	}
	return h
}

// add counts the entry e, not gone, in its host's row.
func (t hostTally) add(e *Entry) {
	host := Host(e.URL)
	if host == "" {
		return
	}
	h := t.of(host)
	h.row.Links++
	switch e.State {
	case linkvault.StateDead:
		h.row.Dead++
	case linkvault.StateBlocked:
		h.row.Blocked++
	}
	if e.Last != nil && e.Last.Status != linkvault.StatusSkipped {
		h.latency += e.Last.DurationMS
		h.measured++
	}
}

// rows adds the host statistics of run (nil for none) and returns the
// rows, the hosts with the most dead, then blocked or throttled links first.
func (t hostTally) rows(run *linkvault.Run) []hostRow {
	fromRun := map[string]bool{}
	if run != nil {
		for name, hs := range run.Hosts {
			if hs == nil {
				continue
			}
			h := t.of(strings.ToLower(name))
			h.row.Throttled += hs.Throttled
			h.row.Requests += hs.Requests
			h.row.MeanLatency = hs.MeanLatency()
			fromRun[h.row.Host] = true
		}
	}
	var rows []hostRow
	for _, h := range t {
		if !fromRun[h.row.Host] && h.measured > 0 {
			// No run statistics: fall back to the last check of each link.
			h.row.MeanLatency = time.Duration(h.latency/int64(h.measured)) * time.Millisecond
		}
		rows = append(rows, h.row)
	}
	slices.SortFunc(rows, func(a, b hostRow) int {
		return cmp.Or(
			cmp.Compare(b.Dead, a.Dead),
			cmp.Compare(b.Blocked+b.Throttled, a.Blocked+a.Throttled),
			cmp.Compare(b.Links, a.Links),
			strings.Compare(a.Host, b.Host),
		)
	})
	return rows
}

// Changed reports whether the entry's state changed in run (see summarize).
func Changed(e *Entry, run *linkvault.Run) bool { return changedIn(e, run) }

// Outcomes returns what the fail_on decision (linkvault.FailOn.Failed)
// needs to know about every entry the notes still reference: its state,
// whether the reported run made it dead (as summary.NewlyDead) and whether
// the run checked it with a bad result or found one of its fragments
// missing. Without a run, nothing is newly
// dead or bad in it.
func Outcomes(d *Data) []linkvault.Outcome {
	out := make([]linkvault.Outcome, 0, len(d.Entries))
	for i := range d.Entries {
		e := &d.Entries[i]
		if e.State == linkvault.StateGone {
			continue
		}
		o := linkvault.Outcome{State: e.State}
		o.NewlyDead = e.State == linkvault.StateDead && changedIn(e, d.Run)
		inRun := d.Run != nil && e.Last != nil && !e.LastChecked.Before(d.Run.Start)
		o.BadInRun = inRun && e.Last.Status.Bad()
		o.FragmentMissing = inRun && len(missingFragments(e)) > 0
		out = append(out, o)
	}
	return out
}

func changedIn(e *Entry, run *linkvault.Run) bool {
	if run == nil {
		return false
	}
	seen := false
	for _, c := range e.Checks {
		if c.RunID == run.ID {
			seen = true
			if c.Changed {
				return true
			}
		}
	}
	if seen || e.StateSince.IsZero() || run.Start.IsZero() {
		return false
	}
	if e.StateSince.Before(run.Start) {
		return false
	}
	return run.End.IsZero() || !e.StateSince.After(run.End)
}

// Host returns the lowercase host name of an http or https URL, "" for
// anything else.
func Host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// severity orders states as linkvault.States does: most urgent first.
func severity(s linkvault.State) int {
	if i := slices.Index(linkvault.States, s); i >= 0 {
		return i
	}
	return len(linkvault.States)
}

// visible returns the entries a report lists, in report order: by state
// severity (the order of linkvault.States: dead, failing, changed, blocked,
// moved, alive, new, gone), then by URL. Gone entries are left out unless
// d.ShowGone is set.
func visible(d *Data) []*Entry {
	out := make([]*Entry, 0, len(d.Entries))
	for i := range d.Entries {
		e := &d.Entries[i]
		if e.State == linkvault.StateGone && !d.ShowGone {
			continue
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b *Entry) int {
		return cmp.Or(cmp.Compare(severity(a.State), severity(b.State)), strings.Compare(a.URL, b.URL))
	})
	return out
}

// Formats lists the names Render accepts.
func Formats() []string {
	return []string{"text", "json", "markdown", "junit", "sarif", "github", "html"}
}

// Render writes d to w in the named format (see Formats). The text format
// is rendered without color and not verbose.
func Render(w io.Writer, format string, d *Data) error {
	switch format {
	case "text":
		return Text(w, d, TextOptions{})
	case "json":
		return writeJSON(w, d)
	case "markdown":
		return writeMarkdown(w, d)
	case "junit":
		return writeJUnit(w, d)
	case "sarif":
		return writeSARIF(w, d)
	case "github":
		return GitHub(w, d)
	case "html":
		return HTML(w, d)
	}
	return linkvault.Errorf(linkvault.EInvalid, "report: unknown format %q (valid: %s)", format, strings.Join(Formats(), ", "))
}

// occurrence is one place a link occurs, flattened for the per-occurrence
// formats (JUnit, SARIF, GitHub).
type occurrence struct {
	e   *Entry
	src linkvault.Source
}

// occurrences lists every source of the given entries, by file, line,
// column, then URL. Entries without a source give one occurrence with an
// empty file.
func occurrences(entries []*Entry) []occurrence {
	var out []occurrence
	for _, e := range entries {
		if len(e.Sources) == 0 {
			out = append(out, occurrence{e: e})
			continue
		}
		for _, s := range e.Sources {
			out = append(out, occurrence{e: e, src: s})
		}
	}
	slices.SortStableFunc(out, func(a, b occurrence) int {
		return cmp.Or(
			strings.Compare(a.src.File, b.src.File),
			cmp.Compare(a.src.Line, b.src.Line),
			cmp.Compare(a.src.Column, b.src.Column),
			strings.Compare(a.e.URL, b.e.URL),
		)
	})
	return out
}

// repoNote flags a GitHub repository that the API says is archived
// (read-only, unmaintained) or renamed; "" for anything else.
func repoNote(e *Entry) string {
	if e.Last == nil || e.Last.GitHub == nil || !e.Last.GitHub.Exists {
		return ""
	}
	var notes []string
	if e.Last.GitHub.Archived {
		notes = append(notes, "archived on GitHub (read-only)")
	}
	if to := e.Last.GitHub.RenamedTo; to != "" {
		notes = append(notes, "renamed on GitHub to "+to)
	}
	return strings.Join(notes, "; ")
}

// skippedIn returns the check of e in run when it was skipped, or nil.
func skippedIn(e *Entry, run *linkvault.Run) *linkvault.Check {
	if len(e.Checks) == 0 {
		return nil
	}
	c := &e.Checks[len(e.Checks)-1]
	if c.Status != linkvault.StatusSkipped || (run != nil && c.RunID != run.ID) {
		return nil
	}
	return c
}

// skipReason is why the run skipped e.
func skipReason(e *Entry) string {
	if c := skippedIn(e, nil); c != nil && c.Reason != "" {
		return c.Reason
	}
	return string(linkvault.StatusSkipped)
}

// reason is a short human explanation of an entry's last check: its
// reason, else its HTTP status, error or status, the first one set.
func reason(e *Entry) string {
	if e.Last == nil {
		return ""
	}
	r := e.Last.Reason
	if r == "" && e.Last.HTTPStatus != 0 {
		r = fmt.Sprintf("HTTP %d", e.Last.HTTPStatus)
	}
	if r == "" {
		r = e.Last.Error
	}
	if r == "" {
		r = string(e.Last.Status)
	}
	return r
}

// title is the title of the page the notes cited: for a soft 404 or a
// changed page, that of the copy from before (the current one is the error
// page's or the new content's); otherwise the last check's, or the latest
// capture's.
func title(e *Entry, p linkvault.Policy) string {
	if e.Last != nil && (e.Last.Status == linkvault.StatusSoft404 || e.State == linkvault.StateChanged) {
		if c, ok := Offered(e, p); ok && c.Title != "" {
			return c.Title
		}
	}
	if e.Last != nil && e.Last.Title != "" {
		return e.Last.Title
	}
	for i := len(e.Captures) - 1; i >= 0; i-- {
		if e.Captures[i].Title != "" {
			return e.Captures[i].Title
		}
	}
	return ""
}

// Offered returns the archived copy a report offers for e (see
// linkvault.URLRecord.Offered): for a soft 404 the copy from before it went
// bad, for a changed page the last copy that matches what was cited.
func Offered(e *Entry, p linkvault.Policy) (linkvault.Capture, bool) {
	return e.URLRecord.Offered(e.Captures, p.WithDefaults().DriftDistance)
}

// changedNote says since when a changed page no longer matches what was
// cited; "" for other entries.
func changedNote(e *Entry) string {
	if e.State != linkvault.StateChanged || e.ChangedSince.IsZero() {
		return ""
	}
	note := "text no longer matches what was cited, since " + day(e.ChangedSince)
	if !e.LastMatch.IsZero() {
		note += " (last match " + day(e.LastMatch) + ")"
	}
	return note
}

// missingFragments returns the #fragments (without '#') of e's last
// check that name no anchor of the page, when that check answered ok, and
// that the notes still link to (a link fixed since the check, under
// check.recheck_after, is not listed).
func missingFragments(e *Entry) []string {
	if e.Last == nil || e.Last.Status != linkvault.StatusOK {
		return nil
	}
	var out []string
	for _, f := range e.Last.MissingFragments {
		if slices.ContainsFunc(e.Sources, func(s linkvault.Source) bool { return s.Fragment == f }) {
			out = append(out, f)
		}
	}
	return out
}

// sourceMissing reports whether the #fragment of the occurrence src of e
// is one the last check found missing.
func sourceMissing(e *Entry, src linkvault.Source) bool {
	return src.Fragment != "" && e.Last != nil && e.Last.Status == linkvault.StatusOK &&
		slices.Contains(e.Last.MissingFragments, src.Fragment)
}

// fragmentNote lists the missing fragments of e: "no anchor #a, #b on the
// page"; "" when none is missing.
func fragmentNote(e *Entry) string {
	miss := missingFragments(e)
	if len(miss) == 0 {
		return ""
	}
	return "no anchor #" + strings.Join(miss, ", #") + " on the page"
}

// fragmentSources returns a copy of e whose Sources are only the places
// linking to one of its missing fragments: where a reader has a link to
// fix.
func fragmentSources(e *Entry) *Entry {
	c := *e
	c.Sources = nil
	for _, s := range e.Sources {
		if sourceMissing(e, s) {
			c.Sources = append(c.Sources, s)
		}
	}
	return &c
}

// withFragmentSources is fragmentSources of every entry.
func withFragmentSources(es []*Entry) []*Entry {
	out := make([]*Entry, len(es))
	for i, e := range es {
		out[i] = fragmentSources(e)
	}
	return out
}

// day formats t as a UTC date, "" for the zero time.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func movedTo(e *Entry) string {
	if e.Last == nil {
		return ""
	}
	return e.Last.MovedTo
}

func waybackURL(e *Entry) string {
	if e.Wayback == nil {
		return ""
	}
	return e.Wayback.URL
}

// webURL reports whether s is an absolute http or https URL, the only kind
// that reports turn into links.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// relativeURL reports whether s is a relative reference without a scheme
// (an ArchivePath), safe to use as a link.
func relativeURL(s string) bool {
	if s == "" || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\x00") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// escapePath percent-encodes each segment of a slash-separated path.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// sourceURL links a source into the repository, "" when d.RepoURL is not
// an http(s) URL or the source has no file.
//
// A source on a page of a crawled site (its file is the page's URL) links
// to that page.
func sourceURL(d *Data, s linkvault.Source) string {
	if webURL(s.File) {
		return s.File
	}
	if s.File == "" || !webURL(d.RepoURL) || !inRepo(s.File) {
		return ""
	}
	base := d.RepoURL
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	u := base + escapePath(strings.TrimPrefix(s.File, "./"))
	if s.Line > 0 {
		u += fmt.Sprintf("#L%d", s.Line)
	}
	return u
}

// absPath reports whether a source file is an absolute path (outside the
// repository): /x on Unix, C:/x or //host/x on Windows.
func absPath(file string) bool {
	if strings.HasPrefix(file, "/") || strings.HasPrefix(file, `\`) {
		return true
	}
	return len(file) >= 3 && file[1] == ':' && (file[2] == '/' || file[2] == '\\') &&
		(file[0] >= 'a' && file[0] <= 'z' || file[0] >= 'A' && file[0] <= 'Z')
}

// inRepo reports whether a source file is a path within the repository:
// relative, and not above it.
func inRepo(file string) bool {
	return file != "" && !absPath(file) && file != ".." && !strings.HasPrefix(file, "../")
}

// fileURI is the file:// URI of an absolute source file.
func fileURI(file string) string {
	file = strings.ReplaceAll(file, `\`, "/")
	if !strings.HasPrefix(file, "/") {
		file = "/" + file // C:/x → /C:/x
	}
	return "file://" + escapePath(file)
}

// location formats a source as file:line:column.
func location(s linkvault.Source) string {
	switch {
	case s.File == "":
		return ""
	case s.Line <= 0:
		return s.File
	case s.Column <= 0:
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Column)
}

// clean removes control characters (terminal escapes, newlines) from text
// that came from the notes or the web, for line-oriented outputs.
func clean(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			if r == '\n' || r == '\r' || r == '\t' {
				return ' '
			}
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

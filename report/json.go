package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/linkvault/linkvault"
)

// jsonReport is the top level of the JSON report (SCHEMA.md).
type jsonReport struct {
	SchemaVersion int            `json:"schema_version"`
	Version       string         `json:"version"`
	GeneratedAt   time.Time      `json:"generated_at"`
	Run           *linkvault.Run `json:"run"`
	Summary       jsonSummary    `json:"summary"`
	Hosts         []jsonHost     `json:"hosts"`
	Links         []jsonLink     `json:"links"` // decoded by the tests; writeJSON writes each link as it converts it
}

type jsonSummary struct {
	Links        int                      `json:"links"`
	States       map[linkvault.State]int  `json:"states"`
	Statuses     map[linkvault.Status]int `json:"statuses"`
	NewlyDead    int                      `json:"newly_dead"`
	Recovered    int                      `json:"recovered"`
	NewlyMoved   int                      `json:"newly_moved"`
	NewlyFailing int                      `json:"newly_failing"`
	StillDead    int                      `json:"still_dead"`
}

type jsonHost struct {
	Host          string `json:"host"`
	Links         int    `json:"links"`
	Dead          int    `json:"dead"`
	Blocked       int    `json:"blocked"`
	Throttled     int    `json:"throttled"`
	Requests      int    `json:"requests"`
	MeanLatencyMS int64  `json:"mean_latency_ms"`
}

// jsonLink extends the link JSON of linkvault.Link (url, kind, sources)
// with what the archive knows.
type jsonLink struct {
	URL            string              `json:"url"`
	Kind           linkvault.Kind      `json:"kind,omitempty"`
	Sources        []linkvault.Source  `json:"sources"`
	Host           string              `json:"host,omitempty"`
	Result         *linkvault.Result   `json:"result,omitempty"`
	State          linkvault.State     `json:"state"`
	StateSince     time.Time           `json:"state_since,omitzero"`
	PreviousState  linkvault.State     `json:"previous_state,omitempty"`
	Changed        bool                `json:"changed"`
	ConsecutiveBad int                 `json:"consecutive_bad"`
	FirstBad       time.Time           `json:"first_bad,omitzero"`
	LastOK         time.Time           `json:"last_ok,omitzero"`
	LastChecked    time.Time           `json:"last_checked,omitzero"`
	FirstSeen      time.Time           `json:"first_seen,omitzero"`
	LastSeen       time.Time           `json:"last_seen,omitzero"`
	History        []linkvault.Check   `json:"history"`
	Captures       []linkvault.Capture `json:"captures"`
	ArchivePath    string              `json:"archive_path,omitempty"`
	Offered        *linkvault.Capture  `json:"offered_capture,omitempty"`
	ChangedSince   time.Time           `json:"changed_since,omitzero"`
	LastMatch      time.Time           `json:"last_match,omitzero"`
	Wayback        *linkvault.Wayback  `json:"wayback,omitempty"`
	// The archived source of a repository link, and Software Heritage's.
	SourceCode       *linkvault.SourceCopy       `json:"source_code,omitempty"`
	SoftwareHeritage *linkvault.SoftwareHeritage `json:"software_heritage,omitempty"`
}

// writeJSON writes the report as one JSON document, the contract described in
// SCHEMA.md. The top-level members are on lines of their own, and so is
// each element of "hosts" and "links": the output stays readable, greps
// and diffs line by line, and is a third of the size of indented JSON.
//
// Each link is converted (toJSONLink) as it is written, not all of them
// first: the links of a 40,000-URL report took 26 MB at once.
func writeJSON(w io.Writer, d *Data) error {
	r, vis := buildJSON(d)
	bw := bufio.NewWriterSize(w, 64<<10)
	j := jsonWriter{w: bw}
	j.raw("{\n")
	j.member("schema_version", r.SchemaVersion, false)
	j.member("version", r.Version, false)
	j.member("generated_at", r.GeneratedAt, false)
	j.member("run", r.Run, false)
	j.member("summary", r.Summary, false)
	j.array("hosts", len(r.Hosts), func(i int) any { return r.Hosts[i] }, false)
	j.array("links", len(vis), func(i int) any {
		l := toJSONLink(vis[i], d.Run, d.Policy)
		return &l
	}, true)
	j.raw("}\n")
	if j.err == nil {
		j.err = bw.Flush()
	}
	if j.err != nil {
		return fmt.Errorf("report: json: %w", j.err)
	}
	return nil
}

// jsonWriter writes JSON values compactly, without escaping <, > and &
// (the output is not HTML), remembering the first error.
type jsonWriter struct {
	w   *bufio.Writer
	buf bytes.Buffer
	err error
}

func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

func (j *jsonWriter) value(v any) {
	if j.err != nil {
		return
	}
	j.buf.Reset()
	enc := json.NewEncoder(&j.buf)
	enc.SetEscapeHTML(false)
	if j.err = enc.Encode(v); j.err == nil {
		_, j.err = j.w.Write(bytes.TrimSuffix(j.buf.Bytes(), []byte("\n")))
	}
}

func (j *jsonWriter) member(name string, v any, last bool) {
	j.raw("  \"" + name + "\": ")
	j.value(v)
	j.raw(sep(last, "\n", ",\n"))
}

func (j *jsonWriter) array(name string, n int, elem func(int) any, last bool) {
	j.raw("  \"" + name + "\": [")
	for i := range n {
		j.raw(sep(i == 0, "\n    ", ",\n    "))
		j.value(elem(i))
	}
	if n > 0 {
		j.raw("\n  ")
	}
	j.raw(sep(last, "]\n", "],\n"))
}

// sep returns a when cond holds, b otherwise.
func sep(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// buildJSON returns the top of the JSON report, without its links, and
// the entries of those links in order.
func buildJSON(d *Data) (*jsonReport, []*Entry) {
	s := summarize(d)
	vis := visible(d)
	r := &jsonReport{
		SchemaVersion: SchemaVersion,
		Version:       d.Version,
		GeneratedAt:   utc(d.GeneratedAt),
		Run:           utcRun(d.Run),
		Summary: jsonSummary{
			Links:        len(vis),
			States:       s.States,
			Statuses:     s.Statuses,
			NewlyDead:    len(s.NewlyDead),
			Recovered:    len(s.Recovered),
			NewlyMoved:   len(s.NewlyMoved),
			NewlyFailing: len(s.NewlyFailing),
			StillDead:    len(s.StillDead),
		},
		Hosts: make([]jsonHost, 0, len(s.Hosts)),
	}
	for _, h := range s.Hosts {
		r.Hosts = append(r.Hosts, jsonHost{
			Host: h.Host, Links: h.Links, Dead: h.Dead, Blocked: h.Blocked,
			Throttled: h.Throttled, Requests: h.Requests, MeanLatencyMS: h.MeanLatency.Milliseconds(),
		})
	}
	return r, vis
}

func toJSONLink(e *Entry, run *linkvault.Run, p linkvault.Policy) jsonLink {
	l := jsonLink{
		URL:            e.URL,
		Kind:           e.Kind,
		Sources:        e.Sources,
		Host:           Host(e.URL),
		State:          e.State,
		StateSince:     utc(e.StateSince),
		PreviousState:  e.PrevState,
		Changed:        changedIn(e, run),
		ConsecutiveBad: e.ConsecutiveBad,
		FirstBad:       utc(e.FirstBad),
		LastOK:         utc(e.LastOK),
		LastChecked:    utc(e.LastChecked),
		FirstSeen:      utc(e.FirstSeen),
		LastSeen:       utc(e.LastSeen),
		History:        make([]linkvault.Check, len(e.Checks)),
		Captures:       make([]linkvault.Capture, len(e.Captures)),
		ArchivePath:    e.ArchivePath,
		ChangedSince:   utc(e.ChangedSince),
		LastMatch:      utc(e.LastMatch),
	}
	if c, ok := Offered(e, p); ok {
		c.Time = utc(c.Time)
		c.RefersTo = utc(c.RefersTo)
		l.Offered = &c
	}
	if l.Sources == nil {
		l.Sources = []linkvault.Source{}
	}
	if e.Last != nil {
		res := *e.Last
		res.CheckedAt = utc(res.CheckedAt)
		res.CertExpiry = utc(res.CertExpiry)
		if res.GitHub != nil {
			gh := *res.GitHub
			gh.PushedAt = utc(gh.PushedAt)
			res.GitHub = &gh
		}
		l.Result = &res
	}
	for i, c := range e.Checks {
		c.Time = utc(c.Time)
		l.History[i] = c
	}
	for i, c := range e.Captures {
		c.Time = utc(c.Time)
		c.RefersTo = utc(c.RefersTo)
		l.Captures[i] = c
	}
	if e.Wayback != nil {
		wb := *e.Wayback
		wb.CheckedAt = utc(wb.CheckedAt)
		l.Wayback = &wb
	}
	if e.SourceCode != nil {
		sc := *e.SourceCode
		sc.Time = utc(sc.Time)
		l.SourceCode = &sc
	}
	if e.SoftwareHeritage != nil {
		sw := *e.SoftwareHeritage
		sw.CheckedAt, sw.LastVisit = utc(sw.CheckedAt), utc(sw.LastVisit)
		l.SoftwareHeritage = &sw
	}
	return l
}

func utcRun(r *linkvault.Run) *linkvault.Run {
	if r == nil {
		return nil
	}
	c := *r
	c.Start = utc(c.Start)
	c.End = utc(c.End)
	return &c
}

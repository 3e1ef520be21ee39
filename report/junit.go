package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/linkvault/linkvault"
)

// The JUnit XML written by JUnit, shaped after Jenkins' junit-10.xsd
// (testdata/junit-10.xsd) with the <properties> element allowed in a
// testcase as pytest and others write it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties *junitProps     `xml:"properties,omitempty"`
	Cases      []junitTestCase `xml:"testcase"`
}

type junitProps struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name       string        `xml:"name,attr"`
	Classname  string        `xml:"classname,attr"`
	Time       string        `xml:"time,attr"`
	File       string        `xml:"file,attr,omitempty"`
	Line       int           `xml:"line,attr,omitempty"`
	Properties *junitProps   `xml:"properties,omitempty"`
	Skipped    *junitMessage `xml:"skipped,omitempty"`
	Failure    *junitMessage `xml:"failure,omitempty"`
	SystemOut  string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes a JUnit XML report: one testsuite per note file, one test
// case per occurrence of a link (classname = file, name = "file:line URL"),
// with the link's state in the case's properties.
//
// Outcomes: a dead link is a failure (type "dead"); a failing link passes
// (it is not dead yet) unless Policy.FailOn is "broken", then it is a
// failure of type "failing"; blocked, new and gone links are skipped (they
// cannot be or were not verified); alive and moved links pass. No case is
// an error: errors are reserved for linkvault itself failing.
func writeJUnit(w io.Writer, d *Data) error {
	var totalMS int64
	suites := junitSuites{Name: "linkvault"}
	var suiteMS []int64
	index := map[string]int{}
	for _, o := range occurrences(visible(d)) {
		file := o.src.File
		if file == "" {
			file = "(no source)"
		}
		i, ok := index[file]
		if !ok {
			i = len(suites.Suites)
			index[file] = i
			suites.Suites = append(suites.Suites, junitSuite{Name: xmlClean(file)})
			suiteMS = append(suiteMS, 0)
			if d.Run != nil && !d.Run.Start.IsZero() {
				suites.Suites[i].Timestamp = d.Run.Start.UTC().Format("2006-01-02T15:04:05Z")
			}
		}
		s := &suites.Suites[i]
		tc, ms := junitCase(d, o, file)
		s.Cases = append(s.Cases, tc)
		s.Tests++
		suiteMS[i] += ms
		totalMS += ms
		switch {
		case tc.Failure != nil:
			s.Failures++
		case tc.Skipped != nil:
			s.Skipped++
		}
	}
	for i := range suites.Suites {
		s := &suites.Suites[i]
		s.Time = seconds(suiteMS[i])
		suites.Tests += s.Tests
		suites.Failures += s.Failures
	}
	suites.Time = seconds(totalMS)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("report: junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return fmt.Errorf("report: junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("report: junit: %w", err)
	}
	return nil
}

func junitCase(d *Data, o occurrence, file string) (junitTestCase, int64) {
	e := o.e
	var ms int64
	if e.Last != nil {
		ms = e.Last.DurationMS
	}
	name := e.URL
	if o.src.File != "" {
		name = fmt.Sprintf("%s:%d %s", o.src.File, o.src.Line, e.URL)
	}
	tc := junitTestCase{
		Name:      xmlClean(name),
		Classname: xmlClean(file),
		Time:      seconds(ms),
		File:      xmlClean(o.src.File),
		Line:      o.src.Line,
	}
	props := []junitProp{
		{"url", e.URL},
		{"state", string(e.State)},
	}
	if o.src.Fragment != "" {
		props = append(props, junitProp{"fragment", o.src.Fragment})
	}
	if !e.StateSince.IsZero() {
		props = append(props, junitProp{"state_since", e.StateSince.UTC().Format("2006-01-02T15:04:05Z")})
	}
	if e.Last != nil {
		props = append(props, junitProp{"status", string(e.Last.Status)})
		if e.Last.HTTPStatus != 0 {
			props = append(props, junitProp{"http_status", strconv.Itoa(e.Last.HTTPStatus)})
		}
	}
	if e.ConsecutiveBad > 0 {
		props = append(props, junitProp{"consecutive_bad", strconv.Itoa(e.ConsecutiveBad)})
	}
	for i := range props {
		props[i].Value = xmlClean(props[i].Value)
	}
	tc.Properties = &junitProps{Props: props}

	why := reason(e)
	switch e.State {
	case linkvault.StateDead:
		tc.Failure = &junitMessage{Message: xmlClean("dead: " + why), Type: "dead", Text: xmlClean(details(d, e))}
	case linkvault.StateFailing:
		if d.Policy.FailOn == linkvault.FailOnBroken {
			tc.Failure = &junitMessage{Message: xmlClean("failing: " + why), Type: "failing", Text: xmlClean(details(d, e))}
		} else {
			tc.SystemOut = xmlClean(details(d, e))
		}
	case linkvault.StateBlocked:
		tc.Skipped = &junitMessage{Message: xmlClean("blocked, cannot be verified: " + why)}
	case linkvault.StateNew:
		msg := "not checked yet"
		if e.Last != nil && e.Last.Status == linkvault.StatusSkipped {
			msg = "skipped: " + why // excluded, a private address …
		}
		tc.Skipped = &junitMessage{Message: xmlClean(msg)}
	case linkvault.StateGone:
		tc.Skipped = &junitMessage{Message: "no longer referenced by the notes"}
	case linkvault.StateMoved:
		tc.SystemOut = xmlClean(details(d, e))
	}
	junitFragment(d, e, o.src, &tc)
	return tc, ms
}

// junitFragment marks the test case of an occurrence whose #fragment names
// no anchor of the page: a failure under fail_on broken (the run fails on
// it), a note otherwise (fail_on dead never fails on a live page).
func junitFragment(d *Data, e *Entry, src linkvault.Source, tc *junitTestCase) {
	if tc.Failure != nil || !sourceMissing(e, src) {
		return
	}
	tc.Skipped = nil
	msg := "fragment missing: no anchor #" + src.Fragment + " on the page"
	if d.Policy.FailOn == linkvault.FailOnBroken {
		tc.Failure = &junitMessage{Message: xmlClean(msg), Type: string(linkvault.StateFragmentMissing), Text: xmlClean(details(d, e))}
		return
	}
	tc.SystemOut = xmlClean(msg + "\n" + details(d, e))
}

// details is a multi-line plain-text account of a link for failure
// bodies.
func details(d *Data, e *Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nstate: %s", e.URL, e.State)
	if !e.StateSince.IsZero() {
		fmt.Fprintf(&b, " since %s", e.StateSince.UTC().Format("2006-01-02 15:04 UTC"))
	}
	b.WriteString("\n")
	if e.Last != nil {
		fmt.Fprintf(&b, "last check: %s\n", e.Last)
	}
	if e.ConsecutiveBad > 0 {
		fmt.Fprintf(&b, "consecutive bad checks: %d\n", e.ConsecutiveBad)
	}
	if !e.LastOK.IsZero() {
		fmt.Fprintf(&b, "last ok: %s\n", e.LastOK.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if t := title(e, d.Policy); t != "" {
		fmt.Fprintf(&b, "title: %s\n", t)
	}
	if mv := movedTo(e); mv != "" {
		fmt.Fprintf(&b, "moved to: %s\n", mv)
	}
	if e.ArchivePath != "" {
		fmt.Fprintf(&b, "archived copy: %s\n", e.ArchivePath)
	}
	if wb := waybackURL(e); wb != "" {
		fmt.Fprintf(&b, "wayback: %s\n", wb)
	}
	return b.String()
}

func seconds(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// xmlClean drops the characters XML 1.0 cannot carry (encoding/xml would
// write U+FFFD) and bidi controls.
func xmlClean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return -1
		case (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
			return -1
		}
		return r
	}, s)
}

package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// A repository link's source: "source archived (commit …, DATE)" in the
// terminal, the HTML table and the JSON report; a skipped commit says so;
// a dead repository with Software Heritage's copy names its browse link
// and latest visit.
func TestSourceNotes(t *testing.T) {
	d := fixture()
	e := &d.Entries[0] // https://example.com/gone, newly dead
	sc := &linkvault.SourceCopy{Repo: "https://github.com/o/r", Commit: "abc1234def567890abc1234def567890abc12345"}
	sc.Time, sc.File = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), "x.warc.gz"
	e.SourceCode = sc

	want := "source archived (commit abc1234, 2026-12-01) · linkvault get --source " + e.URL
	if got := SourceNote(e); got != want {
		t.Errorf("SourceNote = %q, want %q", got, want)
	}
	var b strings.Builder
	if err := Text(&b, d, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "      "+want+"\n") {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
	_, doc := renderHTML(t, d)
	var p htmlPayload
	if err := json.Unmarshal([]byte(doc.Find("#lv-data").Text()), &p); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range p.Links {
		if l.URL == e.URL {
			found = strings.Contains(l.Note, "source archived (commit abc1234, 2026-12-01)")
		}
	}
	if !found {
		t.Errorf("the HTML table's note of %s lacks the source", e.URL)
	}
	if got := doc.Find(".change li .copies").Text(); !strings.Contains(got, "source archived (commit abc1234, 2026-12-01) · linkvault get --source") {
		t.Errorf("the newly dead card lacks the source: %q", got)
	}
	var j bytes.Buffer
	if err := writeJSON(&j, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(j.String(), `"source_code":{"url":"","time":"2026-12-01T10:00:00Z","file":"x.warc.gz"`) ||
		!strings.Contains(j.String(), `"repo":"https://github.com/o/r","commit":"abc1234def567890abc1234def567890abc12345"`) {
		t.Errorf("JSON lacks source_code:\n%s", j.String())
	}

	var md strings.Builder
	if err := writeMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "source abc1234 2026-12-01 (linkvault get --source)") {
		t.Errorf("Markdown lacks the source:\n%s", md.String())
	}

	// Over the cap.
	sc.Skipped, sc.MaxSize, sc.File = "over the size cap", 100<<20, ""
	if got, want := SourceNote(e), "source not archived (commit abc1234 over archive.repo_max_size, 100.0 MiB)"; got != want {
		t.Errorf("skipped: SourceNote = %q, want %q", got, want)
	}

	// Software Heritage's copy, when none is archived here.
	e.SourceCode = nil
	e.SoftwareHeritage = &linkvault.SoftwareHeritage{Origin: "https://github.com/o/r",
		BrowseURL: "https://archive.softwareheritage.org/browse/origin/directory/?origin_url=https%3A%2F%2Fgithub.com%2Fo%2Fr",
		LastVisit: time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)}
	want = "source archived elsewhere: " + e.SoftwareHeritage.BrowseURL + " (last visit 2026-11-20)"
	if got := SourceElsewhere(e); got != want {
		t.Errorf("SourceElsewhere = %q, want %q", got, want)
	}
	b.Reset()
	if err := Text(&b, d, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "      "+want+"\n") {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
	md.Reset()
	if err := writeMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "[Software Heritage]("+e.SoftwareHeritage.BrowseURL+")") {
		t.Errorf("Markdown lacks Software Heritage's link:\n%s", md.String())
	}
	_, doc = renderHTML(t, d)
	if a := doc.Find(`.change li .copies a[href^="https://archive.softwareheritage.org/browse/"]`); a.Text() != "source archived elsewhere (Software Heritage, 2026-11-20)" {
		t.Errorf("the newly dead card's Software Heritage link: %q", a.Text())
	}
	// Not found, or not http(s): nothing.
	e.SoftwareHeritage.BrowseURL = "javascript:alert(1)"
	if got := SourceElsewhere(e); got != "" {
		t.Errorf("SourceElsewhere of a javascript: URL = %q", got)
	}
	e.SoftwareHeritage = &linkvault.SoftwareHeritage{}
	if got := SourceElsewhere(e); got != "" {
		t.Errorf("SourceElsewhere without an origin = %q", got)
	}
}

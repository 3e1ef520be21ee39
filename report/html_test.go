package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/linkvault/linkvault"
)

func renderHTML(t testing.TB, d *Data) ([]byte, *goquery.Document) {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, d); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), doc
}

// TestHTMLEscapes checks that hostile text from the notes or the web
// stays text: no raw <script>alert, no javascript: link, and the embedded
// JSON cannot close its <script> element.
func TestHTMLEscapes(t *testing.T) {
	d := fixture()
	d.Entries[0].Last.Title = "</script><script>alert(2)</script>"
	d.Entries[0].Sources[0].File = `notes/"><img src=x onerror=alert(4)>.md`
	out, doc := renderHTML(t, d)
	for _, bad := range []string{"<script>alert", "</script><script>", "<img src=x", "javascript:alert"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("the report contains %q", bad)
		}
	}
	if n := doc.Find("script").Length(); n != 2 {
		t.Errorf("%d <script> elements, want 2 (data and code)", n)
	}
	doc.Find("[href]").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		if !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "#") && !strings.HasPrefix(href, "archive/") && href != "data:," {
			t.Errorf("href %q is neither http(s), a fragment nor an archived copy", href)
		}
	})
	// The title shows as text in the overview.
	found := false
	doc.Find(".change .title").Each(func(_ int, s *goquery.Selection) {
		if s.Text() == "</script><script>alert(2)</script>" {
			found = true
		}
	})
	if !found {
		t.Error("the hostile title is not shown as text in the newly dead list")
	}
	// The embedded data is intact JSON with the hostile strings as values.
	var p htmlPayload
	if err := json.Unmarshal([]byte(doc.Find("#lv-data").Text()), &p); err != nil {
		t.Fatalf("embedded data is not JSON: %v", err)
	}
	titles := map[string]bool{}
	for _, l := range p.Links {
		titles[l.Title] = true
		if l.Wayback != "" && !webURL(l.Wayback) || l.Moved != "" && !webURL(l.Moved) {
			t.Errorf("non-http URL in the data for links: %+v", l)
		}
	}
	if !titles[xssTitle] || !titles["</script><script>alert(2)</script>"] {
		t.Errorf("hostile titles missing from the data: %v", titles)
	}
}

// TestHTMLCounts checks that the counts the page shows are summarize's.
func TestHTMLCounts(t *testing.T) {
	for _, showGone := range []bool{false, true} {
		t.Run(fmt.Sprint("showGone=", showGone), func(t *testing.T) {
			d := fixture()
			d.ShowGone = showGone
			s := summarize(d)
			_, doc := renderHTML(t, d)
			total := 0
			for _, st := range linkvault.States {
				card := doc.Find(fmt.Sprintf(`.card[data-state=%q] .card-n`, st))
				if st == linkvault.StateGone && !showGone {
					if card.Length() != 0 {
						t.Error("a gone card without ShowGone")
					}
					continue
				}
				total += s.States[st]
				if got, want := strings.TrimSpace(card.Text()), Count(s.States[st]); got != want {
					t.Errorf("card %s shows %q, want %q", st, got, want)
				}
				if got, _ := card.Attr("data-count"); got != fmt.Sprint(s.States[st]) {
					t.Errorf("card %s data-count %q, want %d", st, got, s.States[st])
				}
			}
			if got, _ := doc.Find("#total").Attr("data-count"); got != fmt.Sprint(total) {
				t.Errorf("total = %s, want %d", got, total)
			}
			changes := map[string]int{"newly-dead": len(s.NewlyDead), "recovered": len(s.Recovered), "newly-moved": len(s.NewlyMoved), "newly-failing": len(s.NewlyFailing)}
			for key, want := range changes {
				sel := doc.Find(fmt.Sprintf(`.change[data-change=%q]`, key))
				if got, _ := sel.Find("[data-count]").Attr("data-count"); got != fmt.Sprint(want) {
					t.Errorf("change %s shows %s, want %d", key, got, want)
				}
				if got := sel.Find("li").Length(); got != want {
					t.Errorf("change %s lists %d items, want %d", key, got, want)
				}
			}
			if got := doc.Find("#hosts-table tbody tr").Length(); got != len(s.Hosts) {
				t.Errorf("%d host rows, want %d", got, len(s.Hosts))
			}
			var p htmlPayload
			if err := json.Unmarshal([]byte(doc.Find("#lv-data").Text()), &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Links) != len(visible(d)) {
				t.Errorf("%d links in the data, want %d", len(p.Links), len(visible(d)))
			}
		})
	}
}

// TestHTMLStructure checks the parts of the page people rely on.
func TestHTMLStructure(t *testing.T) {
	out, doc := renderHTML(t, fixture())
	checks := []struct {
		sel  string
		want int
	}{
		{`meta[name="viewport"]`, 1},
		{`meta[name="color-scheme"]`, 1},
		{"style", 1},
		{`link[rel="stylesheet"], script[src], img[src^="http"]`, 0}, // self-contained
		{".trend svg g", 5},                            // one bar per run
		{"#links-table th[data-key] button", 6},        // sortable headers are buttons
		{"#q[type=search][aria-label]", 1},             // labelled search
		{"button[data-filter-state][aria-pressed]", 8}, // state filter chips
		{".legend .k", len(linkvault.Statuses)},        // every check class in the legend
		{"select#host[aria-label], select#file[aria-label]", 2},
		{".change", 4},
	}
	for _, c := range checks {
		if got := doc.Find(c.sel).Length(); got != c.want {
			t.Errorf("%s: %d elements, want %d", c.sel, got, c.want)
		}
	}
	if !bytes.Contains(out, []byte("prefers-color-scheme: dark")) {
		t.Error("no dark mode")
	}
	if !bytes.Contains(out, []byte("@media (max-width: 720px)")) {
		t.Error("no layout for phones")
	}
	// The source of the newly dead link is linked into the repository.
	href, _ := doc.Find(`.change[data-change="newly-dead"] .where a`).Attr("href")
	if href != "https://github.com/o/r/blob/main/notes/a.md#L3" {
		t.Errorf("source link = %q", href)
	}
	// Without runs there is no trend and no change section, but a page.
	d := fixture()
	d.Run, d.Runs = nil, nil
	_, doc = renderHTML(t, d)
	if doc.Find(".trend svg").Length() != 0 || doc.Find(".changes").Length() != 0 {
		t.Error("trend or changes shown without runs")
	}
	if doc.Find(".trend-empty").Length() != 1 {
		t.Error("no note that the trend appears after two runs")
	}
}

// TestHTMLSize10k checks that the report of a 10,000-link archive stays
// under 5 MB.
func TestHTMLSize10k(t *testing.T) {
	var n countWriter
	if err := HTML(&n, generated(10000)); err != nil {
		t.Fatal(err)
	}
	if n > 5<<20 {
		t.Errorf("the report of 10k links is %d bytes, want at most 5 MiB", n)
	}
	t.Logf("10k links: %d bytes", n)
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

func BenchmarkHTML10k(b *testing.B) {
	d := generated(10000)
	var n countWriter
	if err := HTML(&n, d); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := HTML(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
	// After the loop: ResetTimer (and b.Loop's first call) drop metrics
	// reported earlier.
	b.ReportMetric(float64(n), "bytes/report")
}

func BenchmarkJSON10k(b *testing.B) {
	d := generated(10000)
	for b.Loop() {
		if err := writeJSON(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHTMLSelfContained checks that the page loads nothing: a
// Content-Security-Policy forbids every fetch, and outside the embedded
// data an http(s) URL appears only as the href of a link to follow, never
// as a resource (src, stylesheet, CSS url(), script import).
func TestHTMLSelfContained(t *testing.T) {
	_, doc := renderHTML(t, fixture())
	csp, _ := doc.Find(`meta[http-equiv="Content-Security-Policy"]`).Attr("content")
	for _, want := range []string{"default-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "http") || strings.Contains(csp, "*") {
		t.Errorf("Content-Security-Policy %q allows a remote source", csp)
	}
	doc.Find("#lv-data").Remove()
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		tag := goquery.NodeName(s)
		for _, a := range s.Nodes[0].Attr {
			if strings.Contains(a.Val, "://") && (tag != "a" || a.Key != "href") {
				t.Errorf("<%s %s=%q>: a URL outside a link", tag, a.Key, a.Val)
			}
		}
	})
	for _, code := range []string{htmlCSS, htmlJS, doc.Find("style").Text(), doc.Find("script").Text()} {
		for _, bad := range []string{"http://", "https://", "@import", "url(", "fetch(", "XMLHttpRequest", "import("} {
			if strings.Contains(code, bad) {
				t.Errorf("inline CSS or JS contains %q", bad)
			}
		}
	}
}

// TestHTMLOverview checks the numbers of the overview against the data:
// the change of each state since the previous run, the trend bars, and
// every column of the host table.
func TestHTMLOverview(t *testing.T) {
	d := fixture()
	_, doc := renderHTML(t, d)
	// Previous run (#4): dead 2, failing 1, blocked 1, moved 0, alive 5, new 1.
	deltas := map[linkvault.State]string{
		linkvault.StateDead: "", linkvault.StateFailing: "+2", linkvault.StateChanged: "+1", linkvault.StateBlocked: "",
		linkvault.StateMoved: "+2", linkvault.StateAlive: "−3", linkvault.StateNew: "+1",
	}
	for st, want := range deltas {
		if got := doc.Find(fmt.Sprintf(`.card[data-state=%q] .delta`, st)).Text(); got != want {
			t.Errorf("card %s delta = %q, want %q", st, got, want)
		}
	}
	// Working: alive 2, moved 2, changed 1 (it answers, not as cited),
	// fragment missing 1 (it answers, a section is gone); verified adds
	// failing 3 and dead 2: 6 of 11.
	if got := doc.Find("#health").Text(); got != "54.5%" {
		t.Errorf("health = %q, want 54.5%%", got)
	}
	var labels []string
	doc.Find(".trend svg g title").Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()) })
	if len(labels) != len(d.Runs) {
		t.Fatalf("%d trend bars, want one per run (%d)", len(labels), len(d.Runs))
	}
	if want := "Run #5, 2026-03-01 10:00: 2 dead, 2 failing, 1 blocked, 1 moved, 2 alive, 2 new"; labels[4] != want {
		t.Errorf("last trend bar = %q, want %q", labels[4], want)
	}
	if want := "Run #1, 2026-02-25 10:00: 6 alive, 2 new"; labels[0] != want {
		t.Errorf("first trend bar = %q, want %q", labels[0], want)
	}
	// Bars are scaled to the largest run: run #5 (10 links) is full
	// height, run #1 (8 links) is 8/10 of it.
	for i, want := range map[int]float64{0: 51.2, 4: 64} {
		var h float64
		doc.Find(".trend svg g").Eq(i).Find("rect").Each(func(_ int, s *goquery.Selection) {
			v, _ := s.Attr("height")
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Errorf("rect height %q: %v", v, err)
			}
			h += f
		})
		if h < want-0.1 || h > want+0.1 {
			t.Errorf("trend bar %d is %.2f high, want %.2f", i, h, want)
		}
	}

	rows := map[string][]string{}
	doc.Find("#hosts-table tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, strings.TrimSpace(td.Text())) })
		rows[cells[0]] = cells
	})
	want := map[string][]string{ // host, links, dead, blocked, 429s, requests, mean latency
		"example.com":       {"example.com", "1", "1", "0", "0", "2", "150 ms"},
		"flaky.example.net": {"flaky.example.net", "1", "0", "0", "2", "3", "300 ms"},
		"www.linkedin.com":  {"www.linkedin.com", "1", "0", "1", "0", "0", "90 ms"},
	}
	for host, w := range want {
		if got := rows[host]; !slices.Equal(got, w) {
			t.Errorf("host row %s = %q, want %q", host, got, w)
		}
	}
	if first := doc.Find("#hosts-table tbody tr td").First().Text(); !strings.Contains(first, "example.com") {
		t.Errorf("the first host row is %q, want the host with the most dead links", first)
	}
}

// TestHTMLHistoryStrip checks the history strip: the last 30 checks at
// most, oldest first, with the run of the first one when they are of
// consecutive runs.
func TestHTMLHistoryStrip(t *testing.T) {
	tests := []struct {
		name      string
		checks    []linkvault.Check
		wantToks  int
		wantFirst string
		wantRun   uint64
	}{
		{"40 checks", checks(40, 40, linkvault.StatusBroken, 404, linkvault.StatusOK, 200, linkvault.StateAlive, false), 30, "b404", 11},
		{"5 checks", checks(5, 5, linkvault.StatusOK, 200, linkvault.StatusBroken, 404, linkvault.StateDead, true), 5, "o", 1},
		{"gap", []linkvault.Check{{RunID: 2, Status: linkvault.StatusOK}, {RunID: 4, Status: linkvault.StatusThrottled, HTTPStatus: 429}}, 2, "o", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fixture()
			d.Entries[0].Checks = tt.checks
			p := buildPayload(d)
			l := p.Links[0]
			if l.URL != d.Entries[0].URL {
				t.Fatalf("first link %s, want %s", l.URL, d.Entries[0].URL)
			}
			toks := strings.Fields(l.Checks)
			if len(toks) != tt.wantToks || toks[0] != tt.wantFirst || l.CheckR != tt.wantRun {
				t.Errorf("strip %q (first run %d): %d checks starting %q, want %d starting %q at run %d",
					l.Checks, l.CheckR, len(toks), toks[0], tt.wantToks, tt.wantFirst, tt.wantRun)
			}
		})
	}
}

// TestEveryStatusHasACell checks that every check class has a history
// cell letter, a colour and a name in the page's script.
func TestEveryStatusHasACell(t *testing.T) {
	for _, st := range linkvault.Statuses {
		l := checkLetter[st]
		if l == "" {
			t.Errorf("status %s has no history letter", st)
			continue
		}
		if !strings.Contains(htmlCSS, ".k-"+l+" {") {
			t.Errorf("status %s: no .k-%s style", st, l)
		}
		if !strings.Contains(htmlJS, l+": \""+strings.ReplaceAll(string(st), "soft404", "soft 404")+"\"") {
			t.Errorf("status %s: no name for %q in the script", st, l)
		}
	}
}

// TestHTMLFragmentMissing: the HTML report has a card for fragment_missing
// with its hint, and the link's note names the missing anchor.
func TestHTMLFragmentMissing(t *testing.T) {
	out, doc := renderHTML(t, fixture())
	card := doc.Find(`.card[data-state="fragment_missing"]`)
	if card.Length() != 1 {
		t.Fatalf("%d fragment_missing cards, want 1", card.Length())
	}
	if hint, _ := card.Attr("title"); !strings.Contains(hint, "section") {
		t.Errorf("card hint %q, want one about the section", hint)
	}
	if !bytes.Contains(out, []byte("no anchor #install on the page")) {
		t.Error("the link's note does not name the missing anchor #install")
	}
}

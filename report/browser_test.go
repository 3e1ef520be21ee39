package report

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/browsertest"
)

// startBrowser starts headless Chromium and returns a browser context
// (internal/browsertest: fails under CI=true when there is none, skips
// elsewhere).
func startBrowser(t *testing.T) context.Context {
	return browsertest.Start(t, 1280, 900)
}

// pageErrors collects console errors, uncaught exceptions and browser log
// errors of a page.
type pageErrors struct {
	mu   sync.Mutex
	msgs []string
}

func (p *pageErrors) listen(ctx context.Context) {
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				p.mu.Lock()
				p.msgs = append(p.msgs, m.String())
				p.mu.Unlock()
			}
		}
	}()
}

func (p *pageErrors) get() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.msgs)
}

// writeReport writes the HTML report of d to a new directory and returns
// its file:// URL.
func writeReport(t *testing.T, d *Data) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if err := HTML(f, d); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(filepath.Join(dir, "index.html"))
}

// screenshotPath is where the screenshots go: $LINKVAULT_SCREENSHOT, or a
// temporary directory.
func screenshotPath(t *testing.T, suffix string) string {
	base := os.Getenv("LINKVAULT_SCREENSHOT")
	if base == "" {
		base = filepath.Join(t.TempDir(), "linkvault-report.png")
	}
	if suffix == "" {
		return base
	}
	return strings.TrimSuffix(base, ".png") + "-" + suffix + ".png"
}

// writeScreenshot checks that b is a PNG image width pixels wide and
// writes it to screenshotPath(t, suffix).
func writeScreenshot(t *testing.T, suffix string, b []byte, width int) {
	t.Helper()
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot %q is not a PNG: %v", suffix, err)
	}
	if cfg.Width != width || cfg.Height < 300 {
		t.Errorf("screenshot %q is %dx%d, want %d wide and a page tall", suffix, cfg.Width, cfg.Height, width)
	}
	p := screenshotPath(t, suffix)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

func rowStates(ctx context.Context) ([]string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#rows tr")].map(r => r.dataset.state)`))
}

func rowURLs(ctx context.Context) ([]string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#rows tr .c-url .url")].map(e => e.textContent)`))
}

func attr(ctx context.Context, sel, name string) (string, error) {
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	return r.Value, err
}

// tableRow is what the table of links shows of one link.
type tableRow struct {
	State     string   `json:"state"`
	Href      string   `json:"href"`
	Title     string   `json:"title"`
	Since     string   `json:"since"`
	SinceText string   `json:"sinceText"`
	Code      string   `json:"code"`
	Reasons   []string `json:"reasons"`
	Where     []string `json:"where"` // text and href of each source link
	Strip     []string `json:"strip"` // class of each history cell
	LastCheck string   `json:"lastCheck"`
	Copies    []string `json:"copies"` // text, href and "download" of each link
}

// rowJS reads the row of the URL %s (a JS string literal) as a tableRow.
const rowJS = `(() => {
	const r = [...document.querySelectorAll("#rows tr")].find(tr => tr.querySelector(".c-url .url").textContent === %s);
	if (!r) return null;
	const text = s => { const e = r.querySelector(s); return e ? e.textContent : ""; };
	const all = (s, f) => { const l = [...r.querySelectorAll(s)].map(f); return l.length ? l : null; };
	const cells = r.querySelectorAll(".c-checks .strip i");
	const since = r.querySelector(".c-since time");
	const href = r.querySelector(".c-url a.url");
	return {
		state: r.dataset.state,
		href: href ? href.getAttribute("href") : "",
		title: text(".c-url .title"),
		since: since ? since.getAttribute("datetime") : "",
		sinceText: since ? since.textContent : "",
		code: text(".c-status .code"),
		reasons: all(".c-status .reason", e => e.textContent),
		where: all(".c-where a", a => a.textContent + " " + a.getAttribute("href")),
		strip: all(".c-checks .strip i", i => i.className),
		lastCheck: cells.length ? cells[cells.length - 1].title : "",
		copies: all(".c-copies a", a => a.textContent + " " + a.getAttribute("href") + (a.hasAttribute("download") ? " download" : "")),
	};
})()`

// selectJS chooses the option of the select element id whose label starts
// with name, as a person would, and fires its change event.
func selectJS(id, name string) string {
	return fmt.Sprintf(`(() => {
	const s = document.getElementById(%q);
	const o = [...s.options].find(o => o.text.startsWith(%q + " ("));
	if (!o) throw new Error("no option " + %q);
	s.value = o.value;
	s.dispatchEvent(new Event("change"));
})()`, id, name, name)
}

// colorScheme emulates prefers-color-scheme.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// TestBrowser drives the HTML report in headless Chromium: it renders
// without console errors, shows the counts of the data, filters by state,
// sorts by column, searches with the / shortcut, reads filters from the
// URL fragment, keeps hostile text inert, and leaves screenshots (desktop,
// dark, phone) for people to look at.
func TestBrowser(t *testing.T) {
	ctx := startBrowser(t)
	d := fixture()
	sum := summarize(d)
	vis := visible(d)
	url := writeReport(t, d)
	var errs pageErrors
	errs.listen(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#rows tr"))); err != nil {
		t.Fatalf("load report: %v", err)
	}

	t.Run("counts", func(t *testing.T) {
		for _, st := range linkvault.States {
			if st == linkvault.StateGone {
				continue
			}
			got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(fmt.Sprintf(`.card[data-state=%q] .card-n`, st))))
			if err != nil {
				t.Fatalf("card %s: %v", st, err)
			}
			if want := fmt.Sprint(sum.States[st]); strings.TrimSpace(got) != want {
				t.Errorf("card %s shows %q, want %s", st, got, want)
			}
		}
		states, err := rowStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(states) != len(vis) {
			t.Errorf("table has %d rows, want %d", len(states), len(vis))
		}
		count, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("count")))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("Showing %d of %d links", len(vis), len(vis)); count != want {
			t.Errorf("count line = %q, want %q", count, want)
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		writeScreenshot(t, "", shot, 1280)
	})

	t.Run("state filter", func(t *testing.T) {
		click := chromedp.Click(chromedp.CSS(`button[data-filter-state="dead"]`))
		if err := chromedp.Do(ctx, click); err != nil {
			t.Fatal(err)
		}
		states, err := rowStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := sum.States[linkvault.StateDead]; len(states) != want || slices.ContainsFunc(states, func(s string) bool { return s != "dead" }) {
			t.Errorf("after filtering dead the rows are %v, want %d dead rows", states, want)
		}
		if pressed, err := attr(ctx, `button[data-filter-state="dead"]`, "aria-pressed"); err != nil || pressed != "true" {
			t.Errorf("aria-pressed = %q (%v), want true", pressed, err)
		}
		if err := chromedp.Do(ctx, click); err != nil { // off again
			t.Fatal(err)
		}
		if states, _ := rowStates(ctx); len(states) != len(vis) {
			t.Errorf("after clearing the filter %d rows, want %d", len(states), len(vis))
		}
	})

	t.Run("sort", func(t *testing.T) {
		var want []string
		for _, e := range vis {
			want = append(want, e.URL)
		}
		slices.Sort(want)
		header := chromedp.Click(chromedp.CSS(`th[data-key="url"] button`))
		if err := chromedp.Do(ctx, header); err != nil {
			t.Fatal(err)
		}
		got, err := rowURLs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("sorted by URL:\n got %q\nwant %q", got, want)
		}
		if err := chromedp.Do(ctx, header); err != nil {
			t.Fatal(err)
		}
		got, _ = rowURLs(ctx)
		slices.Reverse(want)
		if !slices.Equal(got, want) {
			t.Errorf("sorted by URL, descending:\n got %q\nwant %q", got, want)
		}
		if sort, err := attr(ctx, `th[data-key="url"]`, "aria-sort"); err != nil || sort != "descending" {
			t.Errorf("aria-sort = %q (%v), want descending", sort, err)
		}
	})

	t.Run("search", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("h1")), chromedp.KeyEvent("/")); err != nil {
			t.Fatal(err)
		}
		active, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
		if err != nil {
			t.Fatal(err)
		}
		if active != "q" {
			t.Fatalf("after / the focus is on %q, want the search box", active)
		}
		err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "读书"))
		if err == nil {
			_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#rows tr").length === 1`, chromedp.WithPollingTimeout(5*time.Second)))
		}
		if err != nil {
			t.Fatalf("search for a Chinese file name: %v", err)
		}
		got, _ := rowURLs(ctx)
		if !slices.Equal(got, []string{"https://example.com/gone"}) {
			t.Errorf("search 读书 gives %q", got)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("reset"))); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("fragment", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(url+"#state=failing"), chromedp.WaitVisible(chromedp.CSS("#rows tr"))); err != nil {
			t.Fatal(err)
		}
		states, _ := rowStates(ctx)
		if want := sum.States[linkvault.StateFailing]; len(states) != want || slices.ContainsFunc(states, func(s string) bool { return s != "failing" }) {
			t.Errorf("#state=failing shows %v, want %d failing rows", states, want)
		}
	})

	t.Run("hostile text stays text", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("reset"))); err != nil {
			t.Fatal(err)
		}
		titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".title")].map(e => e.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(titles, xssTitle) {
			t.Errorf("titles %q do not show %q as text", titles, xssTitle)
		}
		bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("a[href]")].map(a => a.getAttribute("href")).filter(h => !/^(https?:\/\/|#|archive\/|data:,$)/.test(h))`))
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) > 0 {
			t.Errorf("links with a scheme other than http(s): %q", bad)
		}
	})

	t.Run("loads nothing", func(t *testing.T) {
		res, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.protocol].concat(performance.getEntriesByType("resource").map(e => e.name))`))
		if err != nil {
			t.Fatal(err)
		}
		if res[0] != "file:" {
			t.Errorf("the report is opened from %q, want file:", res[0])
		}
		for _, r := range res[1:] {
			if !strings.HasPrefix(r, "data:") && !strings.HasPrefix(r, "file:") {
				t.Errorf("the page fetched %s", r)
			}
		}
	})

	t.Run("columns", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("reset"))); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			url  string
			want tableRow
		}{
			{"https://example.com/gone", tableRow{
				State: "dead", Href: "https://example.com/gone", Title: "示例页面 | 旧",
				Since: "2026-03-01T10:01:00Z", SinceText: "2 min ago", Code: "404",
				Reasons: []string{"404 Not Found", "2 bad in a row · last ok 2 d ago"},
				Where: []string{
					"notes/a.md:3:5 https://github.com/o/r/blob/main/notes/a.md#L3",
					"笔记/读书.md:10:1 https://github.com/o/r/blob/main/%E7%AC%94%E8%AE%B0/%E8%AF%BB%E4%B9%A6.md#L10",
				},
				Strip:     []string{"k k-o", "k k-o", "k k-o", "k k-o", "k k-b"},
				LastCheck: "Run #5 · 2026-03-01 10:00 UTC: broken · HTTP 404",
				Copies: []string{
					"archived archive/example.com/gone.html",
					"Wayback https://web.archive.org/web/20260101000000/https://example.com/gone",
				},
			}},
			{"http://github.com/old/repo", tableRow{
				State: "moved", Href: "http://github.com/old/repo", Since: "2026-03-01T10:01:00Z", SinceText: "2 min ago",
				Code: "200", Reasons: []string{"200 OK"}, Where: []string{"notes/a.md:30:3 https://github.com/o/r/blob/main/notes/a.md#L30"},
				Strip: []string{"k k-o", "k k-o", "k k-o"}, LastCheck: "Run #5 · 2026-03-01 10:00 UTC: ok",
				Copies: []string{"https://github.com/new/repo https://github.com/new/repo"},
			}},
			// Hostile Wayback and MovedTo URLs (javascript:) are not shown.
			{pipeURL, tableRow{
				State: "dead", Href: pipeURL, Title: xssTitle, Since: "2026-02-27T10:00:00Z", SinceText: "2 d ago",
				Reasons: []string{"connection refused", "4 bad in a row"}, Where: []string{"notes/b.md:7:12 https://github.com/o/r/blob/main/notes/b.md#L7"},
				Strip: []string{"k k-u", "k k-u", "k k-u", "k k-u"}, LastCheck: "Run #5 · 2026-03-01 10:00 UTC: unreachable",
				// No known snapshot and no archived copy: a search for one.
				Copies: []string{"search Wayback https://web.archive.org/web/*/https://old.example.org/page?a=1|2&b=<x>"},
			}},
			{"https://moved.example.com/", tableRow{
				State: "moved", Href: "https://moved.example.com/", Since: "2026-02-26T10:00:00Z", SinceText: "3 d ago",
				Code: "200", Where: []string{"notes/c.md:4:2 https://github.com/o/r/blob/main/notes/c.md#L4"},
			}},
		}
		for _, tt := range tests {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[tableRow](fmt.Sprintf(rowJS, strconv.Quote(tt.url))))
			if err != nil {
				t.Fatalf("row of %s: %v", tt.url, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("row of %s:\n got %+v\nwant %+v", tt.url, got, tt.want)
			}
		}
	})

	t.Run("host and file filters", func(t *testing.T) {
		tests := []struct {
			name, js string
			want     []string
		}{
			{"host select", selectJS("host", "example.com"), []string{"https://example.com/gone"}},
			{"file select", selectJS("file", chineseTxt), []string{"https://slow.example.net/x", "https://go.dev/doc/"}},
			{"host table", `document.querySelector('#hosts-table button[data-host="flaky.example.net"]').click()`, []string{"https://flaky.example.net/"}},
		}
		for _, tt := range tests {
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("reset")), chromedp.Evaluate[chromedp.Void](tt.js)); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got, err := rowURLs(ctx); err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("%s: rows %q (%v), want %q", tt.name, got, err, tt.want)
			}
		}
		// The file filter is in the fragment, so the view can be shared.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("reset")), chromedp.Evaluate[chromedp.Void](selectJS("file", chineseMD))); err != nil {
			t.Fatal(err)
		}
		hash, err := chromedp.Run(ctx, chromedp.Evaluate[string](`decodeURIComponent(location.hash)`))
		if err != nil || hash != "#file="+chineseMD {
			t.Errorf("fragment = %q (%v), want #file=%s", hash, err, chineseMD)
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("reset")),
			chromedp.Focus(chromedp.CSS(`th[data-key="since"] button`)), chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		if sort, err := attr(ctx, `th[data-key="since"]`, "aria-sort"); err != nil || sort != "descending" {
			t.Errorf("Enter on the Since header: aria-sort = %q (%v), want descending", sort, err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("reset")), chromedp.SendKeys(chromedp.ID("q"), "linkedin")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#rows tr").length === 1`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Fatalf("search linkedin: %v", err)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
			t.Fatal(err)
		}
		q, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("q").value`))
		if err != nil || q != "" {
			t.Errorf("after Esc the search box holds %q (%v)", q, err)
		}
		if states, _ := rowStates(ctx); len(states) != len(vis) {
			t.Errorf("after Esc %d rows, want %d", len(states), len(vis))
		}
	})

	t.Run("host table sorts", func(t *testing.T) {
		var want []string
		for _, h := range sum.Hosts {
			want = append(want, h.Host)
		}
		slices.Sort(want)
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#hosts-table th:first-child button`))); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#hosts-table tbody tr")].map(r => r.cells[0].dataset.v)`))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("hosts sorted by name: %q (%v), want %q", got, err, want)
		}
	})

	t.Run("dark and phone screenshots", func(t *testing.T) {
		if err := chromedp.Do(ctx, colorScheme("dark")); err != nil {
			t.Fatal(err)
		}
		dark, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		if err != nil {
			t.Fatal(err)
		}
		if bg != "rgb(13, 17, 23)" {
			t.Errorf("dark mode background = %q, want rgb(13, 17, 23)", bg)
		}
		if err := chromedp.Do(ctx, colorScheme("light"), chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		phone, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		head, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#links-table thead")).display`))
		if err != nil {
			t.Fatal(err)
		}
		if head != "none" {
			t.Errorf("on a phone the table header is displayed as %q, want none (rows become cards)", head)
		}
		writeScreenshot(t, "dark", dark, 1280)
		writeScreenshot(t, "phone", phone, 390*2)
	})

	if msgs := errs.get(); len(msgs) > 0 {
		t.Errorf("the page logged errors:\n%s", strings.Join(msgs, "\n"))
	}
}

// longPaths gives some links of the fixture the paths of a real archive
// of notes (deep, Chinese, with long file names), and a moved link a long
// new address.
func longPaths(d *Data) {
	paths := []string{
		"notes/2024/kubernetes/集群运维/etcd-备份与恢复-实践笔记.md",
		"docs/architecture/decisions/0007-use-bbolt-for-history.md",
		"读书笔记/分布式系统/设计数据密集型应用-第五章-复制.md",
	}
	// A moved link whose new address is long.
	for i := range d.Entries {
		if d.Entries[i].URL == "http://github.com/old/repo" {
			d.Entries[i].Last.MovedTo = "https://github.com/new-organisation-name/a-much-longer-repository-name/tree/main/docs/getting-started"
		}
	}
	// A note outside the repository.
	d.Entries[2].Sources = append(d.Entries[2].Sources, linkvault.Source{File: "/home/me/elsewhere/笔记.md", Line: 7, Column: 1})
	for i := range d.Entries {
		if i%3 == 0 || i < 4 {
			p := paths[i%len(paths)]
			d.Entries[i].Sources = append([]linkvault.Source{{File: p, Line: 100 + i, Column: 12}}, d.Entries[i].Sources...)
		}
	}
}

// layout is what the table of links looks like at one width.
type layout struct {
	PageWidth   int       `json:"pageWidth"`   // document width, > the viewport when the page scrolls sideways
	WhereWidth  float64   `json:"whereWidth"`  // the Found in column
	WhereLines  int       `json:"whereLines"`  // most lines one path takes
	LongestPath string    `json:"longestPath"` // the path that takes them
	Slack       []float64 `json:"slack"`       // per column, the median empty space right of the cells' content
	TableWidth  float64   `json:"tableWidth"`
	WrapWidth   float64   `json:"wrapWidth"`
}

const layoutJS = `(() => {
	const th = document.querySelector('#links-table th[data-key="where"]');
	let lines = 0, longest = "";
	for (const el of document.querySelectorAll("#rows .c-where a, #rows .c-where > span")) {
		const lh = parseFloat(getComputedStyle(el).lineHeight);
		const n = Math.round(el.getBoundingClientRect().height / lh);
		if (n > lines) { lines = n; longest = el.textContent; }
	}
	// For each column, the median empty space right of the content of its
	// cells: a column where most cells leave room is too wide.
	const cols = [...document.querySelectorAll("#links-table thead th")].map(() => []);
	for (const tr of document.querySelectorAll("#rows tr")) {
		[...tr.cells].forEach((td, i) => {
			if (!td.firstChild) return;
			const r = document.createRange();
			r.selectNodeContents(td);
			let right = 0;
			for (const rect of r.getClientRects()) right = Math.max(right, rect.right);
			const pad = parseFloat(getComputedStyle(td).paddingRight);
			cols[i].push(Math.max(0, td.getBoundingClientRect().right - pad - right));
		});
	}
	const median = l => { l.sort((a, b) => a - b); return l.length ? l[l.length >> 1] : 0; };
	return {
		pageWidth: document.documentElement.scrollWidth,
		whereWidth: th.getBoundingClientRect().width,
		whereLines: lines,
		longestPath: longest,
		slack: cols.map(median),
		tableWidth: document.getElementById("links-table").getBoundingClientRect().width,
		wrapWidth: document.querySelector(".table-wrap").getBoundingClientRect().width,
	};
})()`

// TestBrowserLayout measures the table of links with long note paths: at
// 1400 px the Found in column is wide enough that a path takes at most
// two lines, and the Copies column keeps no wide empty strip; at 400 px (a
// phone) nothing scrolls sideways. At both widths the labels of a trend of
// 30 runs neither overlap nor stick out. It leaves screenshots at both
// widths.
func TestBrowserLayout(t *testing.T) {
	ctx := startBrowser(t)
	d := fixture()
	longPaths(d)
	url := writeReport(t, d)
	d = fixture()
	sameDayRuns(d, 30)
	trendURL := writeReport(t, d)
	for _, tt := range []struct {
		width    int
		minWhere float64
		maxLines int
		maxSlack float64
		mobile   bool
		shot     string
	}{
		{1400, 240, 2, 120, false, "found-in-1400"},
		{400, 0, 3, 0, true, "found-in-400"},
	} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(tt.width), 900, func(p *emulation.SetDeviceMetricsOverrideParams, _ *emulation.SetTouchEmulationEnabledParams) {
			p.Mobile = tt.mobile
		}),
			chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#rows tr"))); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](layoutJS))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d px: %+v", tt.width, got)
		if got.PageWidth > tt.width {
			t.Errorf("%d px: the page is %d px wide: it scrolls sideways", tt.width, got.PageWidth)
		}
		linked, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#rows .c-where a")].map(a => a.getAttribute("href")).filter(h => !h.startsWith("https://github.com/o/r/blob/main/notes/") && !h.startsWith("https://github.com/o/r/blob/main/docs/") && !h.startsWith("https://github.com/o/r/blob/main/%"))`))
		if err != nil || len(linked) > 0 {
			t.Errorf("%d px: paths linked outside the repository: %q (%v)", tt.width, linked, err)
		}
		if got.WhereLines > tt.maxLines {
			t.Errorf("%d px: the path %q takes %d lines, want at most %d", tt.width, got.LongestPath, got.WhereLines, tt.maxLines)
		}
		if !tt.mobile {
			if got.WhereWidth < tt.minWhere {
				t.Errorf("%d px: the Found in column is %.0f px wide, want at least %.0f", tt.width, got.WhereWidth, tt.minWhere)
			}
			// The Copies column holds short links; the note paths need the room.
			if copies := got.Slack[len(got.Slack)-1]; copies > tt.maxSlack {
				t.Errorf("%d px: the Copies column leaves %.0f px empty in most rows, want at most %.0f", tt.width, copies, tt.maxSlack)
			}
			if got.TableWidth > got.WrapWidth+1 {
				t.Errorf("%d px: the table (%.0f px) is wider than its box (%.0f px)", tt.width, got.TableWidth, got.WrapWidth)
			}
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		writeScreenshot(t, tt.shot, shot, tt.width)

		// The trend of 30 runs of one day: the labels under it fit the
		// chart without overlapping.
		if err := chromedp.Do(ctx, chromedp.Navigate(trendURL), chromedp.WaitVisible(chromedp.CSS(".trend-x span"))); err != nil {
			t.Fatal(err)
		}
		overlaps, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](trendOverlapJS))
		if err != nil {
			t.Fatal(err)
		}
		if len(overlaps) > 0 {
			t.Errorf("%d px: trend labels overlap or stick out: %q", tt.width, overlaps)
		}
	}
}

// trendOverlapJS lists the labels around the trend that overlap one
// another or stick out of the trend's box.
const trendOverlapJS = `(() => {
	const box = document.querySelector(".trend").getBoundingClientRect();
	const els = [...document.querySelectorAll(".trend-x span, .trend-axis span, .trend-y span")];
	const out = [];
	const rects = els.map(e => e.getBoundingClientRect());
	els.forEach((e, i) => {
		const r = rects[i];
		if (r.left < box.left || r.right > box.right) out.push(e.textContent + " sticks out");
		for (let j = i + 1; j < els.length; j++) {
			const q = rects[j];
			if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom) out.push(e.textContent + " overlaps " + els[j].textContent);
		}
	});
	return out;
})()`

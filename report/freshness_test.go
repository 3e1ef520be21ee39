package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/linkvault/linkvault"
)

// freshnessData is a budgeted night's report: a link never checked, one
// verified a day ago, one dead link verified 5 days ago (older than
// policy.max_age, 3 days: stale) and one gone.
func freshnessData() *Data {
	now := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	entry := func(u string, st linkvault.State, checked time.Duration) Entry {
		e := Entry{URLRecord: linkvault.URLRecord{URL: u, Kind: linkvault.KindWeb, State: st,
			Sources: []linkvault.Source{{File: "notes/n.md", Line: 1, Column: 1}}}}
		if checked > 0 {
			e.LastChecked = now.Add(-checked)
			e.Last = &linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, CheckedAt: e.LastChecked}
			if st == linkvault.StateDead {
				e.Last.Status, e.Last.HTTPStatus, e.Last.Reason = linkvault.StatusBroken, 404, "404 Not Found"
			}
		}
		return e
	}
	return &Data{
		GeneratedAt: now,
		Run:         &linkvault.Run{ID: 9, Start: now.Add(-time.Hour), End: now, Finished: true, BudgetSeconds: 1800, Due: 10, Left: 7},
		Entries: []Entry{
			entry("https://a.example/new", linkvault.StateNew, 0),
			entry("https://a.example/fresh", linkvault.StateAlive, 24*time.Hour),
			entry("https://a.example/old", linkvault.StateDead, 5*24*time.Hour),
			entry("https://a.example/gone", linkvault.StateGone, 40*24*time.Hour),
		},
		Policy: linkvault.Policy{MaxAge: 3 * 24 * time.Hour},
	}
}

func TestFreshness(t *testing.T) {
	d := freshnessData()
	now := d.GeneratedAt
	if f := freshnessOf(d); f.Links != 3 || f.Verified != 2 || f.Stale != 1 || !f.Oldest.Equal(now.Add(-5*24*time.Hour)) {
		t.Errorf("freshnessOf = %+v, want 3 links, 2 verified, 1 stale, the oldest 5 days ago", f)
	}
	const want = "Verified: 2 of 3 links, the oldest verdict 5 days old; 1 stale (older than 3 days); this run left 7 due links for the next."
	var text, md bytes.Buffer
	if err := Text(&text, d, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := writeMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if !strings.Contains(out, want) {
			t.Errorf("%s report lacks %q:\n%s", name, want, out)
		}
	}
	// Without a budget or policy.max_age every run checks every due link:
	// no line.
	d.Run.BudgetSeconds, d.Policy.MaxAge = 0, 0
	text.Reset()
	if err := Text(&text, d, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "Verified:") {
		t.Errorf("a run without budget or max_age shows freshness:\n%s", text.String())
	}
}

// Every row says when its link was verified, and a verdict older than
// policy.max_age is marked stale in words: the terminal lists, the
// Markdown tables and the HTML table's data.
func TestFreshnessRows(t *testing.T) {
	d := freshnessData()
	var text, md bytes.Buffer
	if err := Text(&text, d, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if want := "  ✗ https://a.example/old  404 Not Found · verified 5 days ago, stale\n"; !strings.Contains(text.String(), want) {
		t.Errorf("text lacks the row %q:\n%s", want, text.String())
	}
	if err := writeMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| Link | Reason | Since | Verified | Where | Copies |",
		"| [https://a.example/old](https://a.example/old) | 404 Not Found |  | 5 days ago · **stale** | notes/n.md:1:1 |  |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}

	// Within max_age, or without one, no stale mark.
	d.Policy.MaxAge = 6 * 24 * time.Hour
	text.Reset()
	if err := Text(&text, d, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if want := "  ✗ https://a.example/old  404 Not Found · verified 5 days ago\n"; !strings.Contains(text.String(), want) {
		t.Errorf("text lacks the row %q:\n%s", want, text.String())
	}
	d.Policy.MaxAge = 3 * 24 * time.Hour

	_, doc := renderHTML(t, d)
	var p htmlPayload
	if err := json.Unmarshal([]byte(doc.Find("#lv-data").Text()), &p); err != nil {
		t.Fatal(err)
	}
	got := map[string]htmlLink{}
	for _, l := range p.Links {
		got[l.URL] = l
	}
	if l := got["https://a.example/old"]; l.Verified != "2026-11-27T02:00:00Z" || !l.Stale {
		t.Errorf("payload of the old link: verified %q stale %v, want 2026-11-27T02:00:00Z and stale", l.Verified, l.Stale)
	}
	if l := got["https://a.example/fresh"]; l.Verified != "2026-12-01T02:00:00Z" || l.Stale {
		t.Errorf("payload of the fresh link: verified %q stale %v, want 2026-12-01T02:00:00Z, not stale", l.Verified, l.Stale)
	}
	if l := got["https://a.example/new"]; l.Verified != "" || l.Stale {
		t.Errorf("payload of the new link: verified %q stale %v, want neither", l.Verified, l.Stale)
	}
	if p.MaxAge != "3 days" {
		t.Errorf("payload max_age = %q, want 3 days", p.MaxAge)
	}
	if legend := doc.Find("#stale-legend").Text(); !strings.Contains(legend, "stale") || !strings.Contains(legend, "policy.max_age (3 days)") {
		t.Errorf("stale legend = %q", legend)
	}
	if f := doc.Find("#freshness").Text(); !strings.HasPrefix(f, "Verified: 2 of 3 links") {
		t.Errorf("HTML freshness line = %q", f)
	}
	d.Policy.MaxAge = 0
	if _, doc := renderHTML(t, d); doc.Find("#stale-legend").Length() != 0 {
		t.Error("a stale legend without policy.max_age")
	}
}

// In the browser, the row of a stale verdict carries the class stale and
// the word "stale" beside "verified 5 d ago"; a fresh row neither.
func TestBrowserFreshness(t *testing.T) {
	ctx := startBrowser(t)
	url := writeReport(t, freshnessData())
	var errs pageErrors
	errs.listen(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#rows tr"))); err != nil {
		t.Fatalf("load report: %v", err)
	}
	type row struct {
		Class    string `json:"class"`
		Verified string `json:"verified"`
		Datetime string `json:"datetime"`
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]row](`Object.fromEntries([...document.querySelectorAll("#rows tr")].map(tr => {
		const v = tr.querySelector(".c-status .verified");
		const t = v && v.querySelector("time");
		return [tr.querySelector(".c-url .url").textContent, {class: tr.className, verified: v ? v.textContent : "", datetime: t ? t.getAttribute("datetime") : ""}];
	}))`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]row{
		"https://a.example/old":   {Class: "stale", Verified: "verified 5 d agostale", Datetime: "2026-11-27T02:00:00Z"},
		"https://a.example/fresh": {Verified: "verified 24 h ago", Datetime: "2026-12-01T02:00:00Z"},
		"https://a.example/new":   {},
	}
	for u, w := range want {
		if g := rows[u]; g != w {
			t.Errorf("row %s = %+v, want %+v", u, g, w)
		}
	}
	if e := errs.get(); len(e) > 0 {
		t.Errorf("page errors: %q", e)
	}
}

// A skipped check (a private address, an excluded URL) verified nothing:
// its row names no time and it counts as not verified.
func TestFreshnessSkipped(t *testing.T) {
	d := freshnessData()
	e := &d.Entries[1] // verified a day ago, then skipped in this run
	e.LastChecked = d.GeneratedAt
	e.Last = &linkvault.Result{Status: linkvault.StatusSkipped, Reason: "excluded", CheckedAt: d.GeneratedAt}
	if got := verified(d, e); got != "" {
		t.Errorf("verified(skipped) = %q, want nothing", got)
	}
	if f := freshnessOf(d); f.Verified != 1 {
		t.Errorf("freshnessOf = %+v, want 1 verified (the skipped link is not)", f)
	}
}

package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/linkvault/linkvault"
)

func captureListFixture() (string, []linkvault.Capture) {
	long := "https://mp.weixin.qq.com/s?__biz=MzA5OTAyNzQ2OA==&mid=2649710349&idx=1&sn=" + strings.Repeat("0123456789abcdef", 12) + "&chksm=" + strings.Repeat("88f3", 30)
	t0 := time.Date(2026, 11, 30, 2, 0, 0, 123_000_000, time.UTC)
	return long, []linkvault.Capture{
		{URL: long, Time: t0, HTTPStatus: 200, ContentType: "text/html; charset=utf-8", Size: 68685},
		{URL: long, Time: t0.Add(24 * time.Hour), HTTPStatus: 200, ContentType: "text/html; charset=utf-8", Size: 68685, Revisit: true, RefersTo: t0},
		{URL: long, Time: t0.Add(48 * time.Hour), HTTPStatus: 200, ContentType: "application/pdf", Size: 12 << 20, Truncated: true},
		{URL: long, Time: t0.Add(72 * time.Hour), HTTPStatus: 200, ContentType: "text/css", Size: 900, Revisit: true, RefersTo: t0, RefersToURL: "https://cdn.example.net/site.css"},
	}
}

func TestCaptureList(t *testing.T) {
	url, caps := captureListFixture()
	var b bytes.Buffer
	if err := CaptureList(&b, url, "", caps); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"<title>Archived copies: 4 captures · linkvault</title>",
		`<style>:root {`, // the report's stylesheet
		`<p class="url">` + strings.ReplaceAll(url, "&", "&amp;") + `</p>`,
		`href="/web/20261130020000/` + strings.ReplaceAll(url, "&", "&amp;") + `"`,
		`href="/web/20261130020000id_/`,
		"2026-11-30 02:00:00", "67.1 KiB", "12.0 MiB",
		"unchanged since 2026-11-30 02:00:00", "truncated at the size cap",
		"same payload as https://cdn.example.net/site.css (2026-11-30 02:00:00)",
		"default-src 'none'",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("the capture list runs no script")
	}
	b.Reset()
	if err := CaptureList(&b, "https://never.example/", "There is no archived copy of this URL.", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "There is no archived copy of this URL.") || strings.Contains(b.String(), "<table") {
		t.Errorf("an empty list says so and shows no table:\n%s", b.String())
	}
}

// TestCaptureListInBrowser: the capture list is laid out like the report:
// the stylesheet applies and a long URL wraps instead of overflowing, on a
// desktop and on a phone.
func TestCaptureListInBrowser(t *testing.T) {
	ctx := startBrowser(t)
	url, caps := captureListFixture()
	dir := t.TempDir()
	var b bytes.Buffer
	if err := CaptureList(&b, url, "", caps); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "list.html")
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{1400, 400} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate("file://"+name)); err != nil {
			t.Fatal(err)
		}
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if overflow {
			t.Errorf("%d px: the page scrolls sideways", width)
		}
		wrapped, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector("p.url"); return e.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(e).lineHeight) && e.getBoundingClientRect().right <= window.innerWidth; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if !wrapped {
			t.Errorf("%d px: the long URL does not wrap inside the page", width)
		}
		brand, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".brand")).display`))
		if err != nil {
			t.Fatal(err)
		}
		if brand != "flex" {
			t.Errorf("%d px: .brand display %q: the report's stylesheet does not apply", width, brand)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		writeScreenshot(t, fmt.Sprintf("captures-%d", width), shot, int(width))
	}
}

package report

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/linkvault/linkvault"
)

// hostilePage is an archived page that tries everything to run or call
// home from the report's folder; base is a loopback server that records
// every request.
func hostilePage(base string) string {
	return `<!DOCTYPE html><html><head><title>hostile</title>
<meta http-equiv="refresh" content="1;url=` + base + `/refresh">
<link rel="stylesheet" href="` + base + `/css">
</head><body>
<p id="text">Readable archived text 中文</p>
<script>
document.getElementById("text").textContent = "script ran";
document.title = "pwned";
try { parent.document.title = "pwned"; } catch (e) {}
try { top.location = "` + base + `/top"; } catch (e) {}
fetch("` + base + `/fetch");
</script>
<script src="` + base + `/script.js"></script>
<img src="` + base + `/img" onerror="document.title='pwned'">
<img src="x" onerror="document.title='pwned'; new Image().src='` + base + `/onerror'">
<iframe src="` + base + `/frame"></iframe>
<form action="` + base + `/form"><input autofocus onfocus="document.title='pwned'"></form>
<svg><script>document.title="pwned"</script></svg>
</body></html>`
}

// TestCopyPageDoesNotRun opens an archived copy of a hostile page from the
// report's folder (file://, as a reader or a static host would) in
// Chromium: its scripts do not run, it loads nothing, it leaves the page
// around it alone, and its text is still there to read.
func TestCopyPageDoesNotRun(t *testing.T) {
	ctx := startBrowser(t)
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<script>parent.document.title = "pwned"</script>`)
	}))
	defer srv.Close()

	dir := filepath.Join(t.TempDir(), "archive", "20260101000000")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := linkvault.Capture{URL: "https://hostile.example/page", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), HTTPStatus: 200, Title: "hostile"}
	kind, ext := classifyCopy("text/html; charset=utf-8", nil)
	if kind != copyHTML || ext != ".html" {
		t.Fatalf("classifyCopy(text/html) = %v, %q; want copyHTML, .html", kind, ext)
	}
	name := filepath.Join(dir, copyName(c.URL, ext))
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := copyPage(f, c, hostilePage(srv.URL)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	url := "file://" + filepath.ToSlash(name)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	// Give timers, the refresh and the requests a page would make time
	// to happen: a check of what did not happen, not of speed.
	time.Sleep(2 * time.Second)

	loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		t.Fatal(err)
	}
	if loc != url {
		t.Errorf("the page navigated to %s", loc)
	}
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.title`))
	if err != nil {
		t.Fatal(err)
	}
	if title != "Archived copy: hostile" {
		t.Errorf("title = %q, want %q: a script of the copy ran", title, "Archived copy: hostile")
	}
	text, err := frameText(ctx, "#text")
	if err != nil {
		t.Errorf("text of the copy: %v", err)
	} else if text != "Readable archived text 中文" {
		t.Errorf("the copy shows %q, want its own text (a script that ran changes it)", text)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) > 0 {
		t.Errorf("the copy made requests: %v", asked)
	}
}

// frameText returns the text of the element sel in the (only) iframe of
// the page. Chromium runs a sandboxed frame in a process of its own, as a
// target of its own: the test attaches to it.
func frameText(ctx context.Context, sel string) (string, error) {
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	nodes, err := chromedp.Run(tctx, chromedp.Nodes(chromedp.CSS("iframe"), chromedp.Populate(-1, true)))
	if err != nil {
		return "", err
	}
	if len(nodes) == 1 && nodes[0].ContentDocument != nil {
		s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel), chromedp.FromNode(nodes[0].ContentDocument)))
		return strings.TrimSpace(s), err
	}
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		return "", err
	}
	var found []string
	for _, info := range infos {
		found = append(found, info.Type+" "+info.URL)
		if info.Type != "iframe" || info.URL != "about:srcdoc" {
			continue
		}
		fctx, fcancel := chromedp.NewContext(tctx, chromedp.WithTargetID(info.TargetID))
		defer fcancel()
		s, err := chromedp.Run(fctx, chromedp.Text(chromedp.CSS(sel)))
		return strings.TrimSpace(s), err
	}
	return "", fmt.Errorf("no frame of the copy among the targets %q", found)
}

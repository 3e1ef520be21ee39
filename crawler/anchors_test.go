package crawler

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// anchorPage has anchors of every kind linkvault knows: ids, <a name>,
// GitHub's rendered Markdown headings (user-content-…, a Chinese one
// among them).
const anchorPage = `<!doctype html><html><head><title>Guide</title></head><body>
<h1 id="guide">Guide</h1>
<a name="old-style"></a>
<div id="  spaced  ">x</div>
<article class="markdown-body">
<div class="markdown-heading"><h2 class="heading-element">Install</h2><a id="user-content-install" class="anchor" href="#install"></a></div>
<div class="markdown-heading"><h2 class="heading-element">安装指南</h2><a id="user-content-安装指南" class="anchor" href="#安装指南"></a></div>
</article>
<span name="not-an-anchor">a name on a span is no anchor</span>
</body></html>`

func TestPageAnchors(t *testing.T) {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(anchorPage))
	if err != nil {
		t.Fatal(err)
	}
	s := pageAnchors(doc)
	for _, name := range []string{"guide", "old-style", "spaced", "user-content-install", "install", "安装指南", "%E5%AE%89%E8%A3%85%E6%8C%87%E5%8D%97"} {
		if !s.has(name) {
			t.Errorf("anchor %q not found", name)
		}
	}
	for _, name := range []string{"Install", "not-an-anchor", "user-content-", "missing"} {
		if s.has(name) {
			t.Errorf("anchor %q found, want not", name)
		}
	}
}

// TestFragmentTarget is the table of fragments that are never judged:
// client-side routes, line anchors, text fragments, top.
func TestFragmentTarget(t *testing.T) {
	tests := []struct {
		frag, want string
		ok         bool
	}{
		{"install", "install", true},
		{"安装", "安装", true},
		{"sec:~:text=hello", "sec", true},
		{":~:text=hello%20world", "", false},
		{"/settings/profile", "", false},
		{"!/page/2", "", false},
		{"L10", "", false},
		{"L10-L20", "", false},
		{"L10C3-L12C8", "", false},
		{"Lemma", "Lemma", true},
		{"top", "", false},
		{"TOP", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := fragmentTarget(tt.frag)
		if got != tt.want || ok != tt.ok {
			t.Errorf("fragmentTarget(%q) = %q, %v; want %q, %v", tt.frag, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMissingFragments(t *testing.T) {
	p := analyzePageFor([]byte(anchorPage), "text/html; charset=utf-8", "",
		[]string{"install", "gone", "L10-L20", "/route", ":~:text=x", "gone", "安装指南", "removed"})
	if want := []string{"gone", "removed"}; !slices.Equal(p.missing, want) {
		t.Errorf("missing = %q, want %q", p.missing, want)
	}
	if p.title != "Guide" {
		t.Errorf("title %q: the page analysis must still run", p.title)
	}
	if p := analyzePage([]byte(anchorPage), "text/html", ""); p.missing != nil {
		t.Errorf("no fragment asked, missing = %q", p.missing)
	}
}

// TestFragmentsChecked: links that differ only by fragment are checked
// with one request, each fragment judged against the page; a page cut
// short by MaxBody and a non-HTML answer give no verdict; a 404 page is
// broken, whatever its anchors.
func TestFragmentsChecked(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	big := anchorPage + "<!--" + strings.Repeat("x", 4<<10) + `--><p id="late">`
	w.Host("site.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/guide":
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.Write([]byte(anchorPage))
		case "/big":
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			rw.Write([]byte(big))
		case "/doc.pdf":
			rw.Header().Set("Content-Type", "application/pdf")
			rw.Write([]byte("%PDF-1.4"))
		default:
			http.NotFound(rw, r)
		}
	})
	opts := webOptions(w)
	opts.MaxBody = 2 << 10
	rs := checkAll(t, opts,
		Target{URL: "http://site.test/guide", Fragments: []string{"install", "gone"}},
		Target{URL: "http://site.test/guide", Fragments: []string{"安装指南", "other-gone"}},
		Target{URL: "http://site.test/big", Fragments: []string{"late", "nowhere"}},
		Target{URL: "http://site.test/doc.pdf", Fragments: []string{"page=3"}},
		Target{URL: "http://site.test/missing", Fragments: []string{"x"}},
	)
	for _, r := range rs[:2] {
		if r.Status != linkvault.StatusOK || !slices.Equal(r.MissingFragments, []string{"gone", "other-gone"}) {
			t.Errorf("guide: %s missing %q, want ok missing [gone other-gone]", r, r.MissingFragments)
		}
	}
	if n := w.Stats("site.test").Requests; n != 4 {
		t.Errorf("server saw %d requests, want 4 (the guide once)", n)
	}
	if r := rs[2]; r.Status != linkvault.StatusOK || !r.Truncated || r.MissingFragments != nil {
		t.Errorf("big: %s truncated %v missing %q, want ok, truncated, no verdict", r, r.Truncated, r.MissingFragments)
	}
	if r := rs[3]; r.Status != linkvault.StatusOK || r.MissingFragments != nil {
		t.Errorf("pdf: %s missing %q, want ok, no verdict", r, r.MissingFragments)
	}
	if r := rs[4]; r.Status != linkvault.StatusBroken || r.MissingFragments != nil {
		t.Errorf("404: %s missing %q, want broken, no verdict", r, r.MissingFragments)
	}
}

// codeViewPage is a page as GitHub's code view sends it: the rendered
// Markdown of a blob (or the repository's README) is in a JSON payload,
// its heading ids escaped, a Chinese one as \u escapes; the script puts
// them in the DOM later.
const codeViewPage = `<!doctype html><html><head><title>docs/guide.md at main</title></head><body>
<react-app app-name="react-code-view"><script type="application/json" data-target="react-app.embeddedData">` +
	`{"payload":{"blob":{"richText":"\u003carticle class=\"markdown-body\"\u003e\u003cdiv class=\"markdown-heading\"\u003e\u003ch2 class=\"heading-element\"\u003eInstall\u003c/h2\u003e\u003ca id=\"user-content-install\" class=\"anchor\" href=\"#install\"\u003e\u003c/a\u003e\u003c/div\u003e` +
	`\u003ca id=\"user-content-\u5feb\u901f\u5f00\u59cb\" class=\"anchor\"\u003e\u003c/a\u003e\u003ca id=\"user-content-配置\"\u003e\u003c/a\u003e"}}}` +
	`</script></react-app></body></html>`

func TestEmbeddedAnchors(t *testing.T) {
	p := analyzePageFor([]byte(codeViewPage), "text/html; charset=utf-8", "", []string{"install", "快速开始", "配置", "usage", "L3"})
	if want := []string{"usage"}; !slices.Equal(p.missing, want) {
		t.Errorf("missing = %q, want %q", p.missing, want)
	}
}

// TestFragmentsAppShell: a page its script builds (an empty mount point,
// next to no text) gets no verdict: its anchors are not in the HTML.
func TestFragmentsAppShell(t *testing.T) {
	shell := `<!doctype html><html><head><title>Docs</title><script src="/app.js"></script></head><body><div id="root"></div></body></html>`
	if p := analyzePageFor([]byte(shell), "text/html", "", []string{"install"}); p.missing != nil {
		t.Errorf("app shell: missing = %q, want no verdict", p.missing)
	}
}

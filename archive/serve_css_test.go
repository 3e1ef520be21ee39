package archive

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRewriteCSS: url() (quoted, unquoted, escaped) and @import (string
// or url()) are rewritten when to says so; everything else, comments and
// strings that look like url() included, is copied byte for byte.
func TestRewriteCSS(t *testing.T) {
	in := `@import "base.css";
@import url(theme.css) screen;
/* url(a.png) */ .a { content: "url(a.png)"; background: URL( 'a.png' ) }
.b { background: url(b\ c.png), url(keep.png) }
@font-face { src: url("f.woff2") format("woff2") }`
	to := map[string]string{"base.css": "/web/1/base", "theme.css": "/web/1/theme", "a.png": "/web/1/a", `b c.png`: `/web/1/b"c`, "f.woff2": "/web/1/f"}
	got, changed := rewriteCSS([]byte(in), func(ref string) (string, bool) { u, ok := to[ref]; return u, ok })
	want := `@import "/web/1/base";
@import url("/web/1/theme") screen;
/* url(a.png) */ .a { content: "url(a.png)"; background: url("/web/1/a") }
.b { background: url("/web/1/b\"c"), url(keep.png) }
@font-face { src: url("/web/1/f") format("woff2") }`
	if !changed || string(got) != want {
		t.Errorf("rewriteCSS:\n got %s\nwant %s", got, want)
	}
	if got, changed := rewriteCSS([]byte(in), func(string) (string, bool) { return "", false }); changed || string(got) != in {
		t.Errorf("nothing to rewrite: got %q, changed %v", got, changed)
	}
}

// TestReplayRendersRequisites: a stylesheet is served with its url() and
// @import pointing to their captures nearest to its own; <style> elements
// and style attributes too; a lazy image's data-src becomes its src; a
// font is served with CORS for the sandboxed (opaque-origin) page; a
// reference without a capture keeps its original URL, which the CSP
// blocks (only 'self' and inline data may load).
func TestReplayRendersRequisites(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	page := `<html><head><link rel="stylesheet" href="/css/site.css"><style>body{background:url(/img/bg.png)}</style></head>
<body><div style="background-image:url('/img/bg.png')">x</div>
<img src="data:image/gif;base64,R0lG" data-src="https://img.example.net/lazy.png">
<img data-src="https://img.example.net/lazy.png">
<img src="/img/real.png" data-src="https://img.example.net/lazy.png"></body></html>`
	sheet := `@import "base.css"; body { background: url(../img/bg.png) } @font-face { src: url(/fonts/f.woff2) } .x { background: url(/missing.png) }`
	mustCapture(t, env.a, newExchange("https://site.example/a", day1, "text/html", []byte(page)))
	mustCapture(t, env.a, newExchange("https://site.example/css/site.css", day1.Add(time.Second), "text/css", []byte(sheet)))
	mustCapture(t, env.a, newExchange("https://site.example/css/base.css", day1.Add(2*time.Second), "text/css", []byte("p{}")))
	mustCapture(t, env.a, newExchange("https://site.example/img/bg.png", day1.Add(3*time.Second), "image/png", []byte("png")))
	mustCapture(t, env.a, newExchange("https://site.example/fonts/f.woff2", day1.Add(4*time.Second), "font/woff2", []byte("wOF2")))
	mustCapture(t, env.a, newExchange("https://img.example.net/lazy.png", day1.Add(5*time.Second), "image/png", []byte("png")))
	// A later capture of the background: the page of day1 keeps the
	// nearest one, the one taken with it.
	mustCapture(t, env.a, newExchange("https://site.example/img/bg.png", day1.Add(48*time.Hour), "image/png", []byte("png2")))
	h := NewReplayHandler(env.db, env.dir, nil)

	serve := func(path string) (*http.Response, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Result(), rec.Body.String()
	}
	const ts = "20250301080000"
	resp, body := serve("/web/" + ts + "/https://site.example/css/site.css")
	wantCSS := `@import "/web/20250301080002/https://site.example/css/base.css"; body { background: url("/web/20250301080003/https://site.example/img/bg.png") } ` +
		`@font-face { src: url("/web/20250301080004/https://site.example/fonts/f.woff2") } .x { background: url(/missing.png) }`
	if body != wantCSS {
		t.Errorf("stylesheet:\n got %s\nwant %s", body, wantCSS)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != replayCSP || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("stylesheet served with CSP %q, nosniff %q", csp, resp.Header.Get("X-Content-Type-Options"))
	}
	for _, d := range []string{"sandbox", "default-src 'self' data: blob:", "script-src 'none'"} {
		if !strings.Contains(replayCSP, d) {
			t.Errorf("CSP %q lacks %q", replayCSP, d)
		}
	}
	if strings.Contains(replayCSP, "*") || strings.Contains(replayCSP, "http") {
		t.Errorf("CSP %q allows other origins", replayCSP)
	}

	_, body = serve("/web/" + ts + "/https://site.example/a")
	for _, want := range []string{
		`<style>body{background:url("/web/20250301080003/https://site.example/img/bg.png")}</style>`,
		`<div style="background-image:url(&#34;/web/20250301080003/https://site.example/img/bg.png&#34;)">`,
		`<img src="/web/20250301080005/https://img.example.net/lazy.png" data-src="/web/20250301080005/https://img.example.net/lazy.png">`,
		`<img data-src="/web/20250301080005/https://img.example.net/lazy.png" src="/web/20250301080005/https://img.example.net/lazy.png">`,
		`<img src="/img/real.png" data-src="/web/20250301080005/https://img.example.net/lazy.png">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s:\n%s", want, body)
		}
	}

	resp, _ = serve("/web/" + ts + "/https://site.example/fonts/f.woff2")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("font served with Access-Control-Allow-Origin %q, want *", got)
	}
	resp, _ = serve("/web/" + ts + "/https://site.example/img/bg.png")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("image served with Access-Control-Allow-Origin %q, want none", got)
	}
}

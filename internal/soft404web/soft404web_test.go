package soft404web

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/linkvault/linkvault/internal/fakeweb"
)

// hardKinds are the kinds whose first answer is a hard 4xx, by design.
var hardKinds = map[string]int{"hard-404": http.StatusNotFound}

// wantKinds are the kinds the brief asks for, with their label.
var wantKinds = map[string]bool{
	"wechat-deleted": true, "wechat-violation": true, "wechat-live": false,
	"real": false, "article-about-404": false, "homepage": false,
	"redirect-root": true, "redirect-ancestor": true, "redirect-404-page": true,
	"redirect-same": false, "redirect-moved": false,
	"template-404": true, "template-real": false,
	"catch-all": true, "catch-all-real": false,
	"template-404-zh": true, "template-real-zh": false,
	"parked": true, "parked-root": true,
	"catch-all-redirect": true, "catch-all-redirect-real": false,
	"generic-target": true,
	"app-shell":      false, "app-shell-dead": true,
	"article-mentions-404": false,
	"github-repo":          false, "github-archived": false, "hard-404": false,
	"pdf": false, "pdf-template-404": true,
}

type fixture struct {
	web      *fakeweb.Web
	cases    []Case
	noFollow *http.Client // returns the first response
	follow   *http.Client // follows redirects
}

func setup(t *testing.T) *fixture {
	t.Helper()
	w := fakeweb.New()
	t.Cleanup(w.Close)
	cs := Install(w)
	tr := &http.Transport{DialContext: w.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &fixture{
		web:   w,
		cases: cs,
		noFollow: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		follow: &http.Client{Transport: tr},
	}
}

type answer struct {
	status   int
	location string
	ctype    string
	body     string
	final    string // URL of the response, after any redirects
}

func (f *fixture) get(t *testing.T, c *http.Client, u string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", u, err)
	}
	return answer{
		status:   resp.StatusCode,
		location: resp.Header.Get("Location"),
		ctype:    resp.Header.Get("Content-Type"),
		body:     string(b),
		final:    resp.Request.URL.String(),
	}
}

// parent is the link's parent path, ending in "/".
func parent(path string) string {
	p := strings.TrimSuffix(path, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i+1]
	}
	return "/"
}

// segment is a made-up 25-letter path segment, as the checker's probe uses.
func segment(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	b := make([]byte, 25)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	return string(b)
}

func TestInstallCases(t *testing.T) {
	f := setup(t)
	if n := len(f.cases); n < 48 {
		t.Fatalf("Install returned %d cases, want at least 48", n)
	}
	seen := map[string]bool{}
	kindLabel := map[string]bool{}
	soft := 0
	for _, c := range f.cases {
		if seen[c.URL] {
			t.Errorf("duplicate URL %s", c.URL)
		}
		seen[c.URL] = true
		u, err := url.Parse(c.URL)
		if err != nil || u.Scheme != "http" || u.Host == "" || !strings.HasPrefix(u.Path, "/") {
			t.Errorf("URL %q is not http://host/path (err %v)", c.URL, err)
		}
		if c.Kind == "" || c.Note == "" {
			t.Errorf("%s: empty Kind or Note", c.URL)
		}
		if l, ok := kindLabel[c.Kind]; ok && l != c.Soft404 {
			t.Errorf("kind %q has both labels", c.Kind)
		}
		kindLabel[c.Kind] = c.Soft404
		if c.Soft404 {
			soft++
		}
	}
	if frac := float64(soft) / float64(len(f.cases)); frac < 0.4 || frac > 0.6 {
		t.Errorf("%d of %d cases are soft 404s (%.2f), want roughly half", soft, len(f.cases), frac)
	}
	for k, soft := range wantKinds {
		got, ok := kindLabel[k]
		switch {
		case !ok:
			t.Errorf("no case of kind %q", k)
		case got != soft:
			t.Errorf("kind %q: Soft404 = %v, want %v", k, got, soft)
		}
	}
	for k := range kindLabel {
		if _, ok := wantKinds[k]; !ok {
			t.Errorf("kind %q is not in the test's list", k)
		}
	}

	// Install is deterministic.
	w2 := fakeweb.New()
	defer w2.Close()
	if again := Install(w2); !reflect.DeepEqual(again, f.cases) {
		t.Error("a second Install returned different cases")
	}
}

func TestFirstResponse(t *testing.T) {
	f := setup(t)
	for _, c := range f.cases {
		a := f.get(t, f.noFollow, c.URL)
		if want, ok := hardKinds[c.Kind]; ok {
			if a.status != want {
				t.Errorf("%s (%s): status %d, want %d", c.URL, c.Kind, a.status, want)
			}
			continue
		}
		switch {
		case a.status >= 200 && a.status < 300:
		case a.status >= 300 && a.status < 400:
			if a.location == "" {
				t.Errorf("%s: %d without Location", c.URL, a.status)
			}
		default:
			t.Errorf("%s (%s): first status %d, want 2xx or 3xx", c.URL, c.Kind, a.status)
		}
	}
}

func TestFinalResponse(t *testing.T) {
	f := setup(t)
	for _, c := range f.cases {
		a := f.get(t, f.follow, c.URL)
		if _, hard := hardKinds[c.Kind]; hard {
			continue
		}
		if a.status != http.StatusOK {
			t.Errorf("%s (%s): final status %d, want 200", c.URL, c.Kind, a.status)
			continue
		}
		switch {
		case c.Kind == "pdf":
			if a.ctype != "application/pdf" || !strings.HasPrefix(a.body, "%PDF-1.4") {
				t.Errorf("%s: Content-Type %q, body %.10q, want a PDF", c.URL, a.ctype, a.body)
			}
		default:
			checkHTML(t, c.URL, a)
		}
		if c.Kind == "pdf-template-404" && !strings.HasPrefix(a.ctype, "text/html") {
			t.Errorf("%s: Content-Type %q, want text/html", c.URL, a.ctype)
		}
		// Deterministic: the same bytes again.
		if b := f.get(t, f.follow, c.URL); b.body != a.body {
			t.Errorf("%s: two GETs gave different bodies", c.URL)
		}
	}
}

func checkHTML(t *testing.T, u string, a answer) {
	t.Helper()
	if a.ctype != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", u, a.ctype)
	}
	if !utf8.ValidString(a.body) {
		t.Errorf("%s: body is not UTF-8", u)
	}
	for _, s := range []string{"<!DOCTYPE html>", `<meta charset="utf-8">`, "<title>", "</html>"} {
		if !strings.Contains(a.body, s) {
			t.Errorf("%s: body lacks %q", u, s)
		}
	}
}

// unknownWant checks the answer to a made-up path on one host.
type unknownWant func(t *testing.T, f *fixture, probe string, a answer)

func status(code int) unknownWant {
	return func(t *testing.T, _ *fixture, probe string, a answer) {
		t.Helper()
		if a.status != code {
			t.Errorf("%s: status %d, want %d", probe, a.status, code)
		}
	}
}

func sameAs(path string) unknownWant {
	return func(t *testing.T, f *fixture, probe string, a answer) {
		t.Helper()
		u, _ := url.Parse(probe)
		ref := f.get(t, f.noFollow, "http://"+u.Host+path)
		if a.status != http.StatusOK || a.body != ref.body {
			t.Errorf("%s: status %d, body same as %s: %v; want 200 and the same body", probe, a.status, path, a.body == ref.body)
		}
	}
}

func contains(texts ...string) unknownWant {
	return func(t *testing.T, _ *fixture, probe string, a answer) {
		t.Helper()
		if a.status != http.StatusOK {
			t.Errorf("%s: status %d, want 200", probe, a.status)
		}
		for _, s := range texts {
			if !strings.Contains(a.body, s) {
				t.Errorf("%s: body lacks %q", probe, s)
			}
		}
	}
}

var unknownBehaviour = map[string]unknownWant{
	hostWeChat: contains("参数错误"),
	hostBlog:   status(http.StatusNotFound),
	hostApex: func(t *testing.T, _ *fixture, probe string, a answer) {
		u, _ := url.Parse(probe)
		if want := "http://" + hostBlog + u.Path; a.status != http.StatusMovedPermanently || a.location != want {
			t.Errorf("%s: %d to %q, want 301 to %q", probe, a.status, a.location, want)
		}
	},
	hostDocs: func(t *testing.T, f *fixture, probe string, a answer) {
		u, _ := url.Parse(probe)
		contains("Oops — we looked everywhere", "<code>"+u.Path+"</code>", "<title>Nothing at "+u.Path)(t, f, probe, a)
	},
	hostCoffee: sameAs("/"),
	hostForum:  contains("页面不存在"),
	hostParked: sameAs("/"),
	hostGazette: func(t *testing.T, _ *fixture, probe string, a answer) {
		if a.status != http.StatusFound || a.location != "/" {
			t.Errorf("%s: %d to %q, want 302 to /", probe, a.status, a.location)
		}
	},
	hostLab: status(http.StatusNotFound),
	hostApp: func(t *testing.T, f *fixture, probe string, a answer) {
		contains(`<div id="root"></div>`, `<script src="/static/app.js">`, "<title>App</title>")(t, f, probe, a)
		sameAs("/")(t, f, probe, a)
	},
	hostEng:    status(http.StatusNotFound),
	hostGitHub: status(http.StatusNotFound),
}

func TestUnknownPaths(t *testing.T) {
	f := setup(t)
	hosts := map[string]bool{}
	for i, c := range f.cases {
		u, _ := url.Parse(c.URL)
		want, ok := unknownBehaviour[u.Host]
		if !ok {
			t.Errorf("%s: host %s has no expected unknown-path behaviour", c.URL, u.Host)
			continue
		}
		hosts[u.Host] = true
		for _, dir := range []string{parent(u.Path), "/"} {
			p := dir + segment(uint64(i))
			probe := "http://" + u.Host + p
			want(t, f, probe, f.get(t, f.noFollow, probe))
			if !slices.Contains(f.web.Stats(u.Host).Paths, p) {
				t.Errorf("%s: host %s did not record the path", probe, u.Host)
			}
		}
	}
	for h := range unknownBehaviour {
		if !hosts[h] {
			t.Errorf("host %s has no case", h)
		}
	}
}

func TestPages(t *testing.T) {
	f := setup(t)
	body := func(u string) string { return f.get(t, f.follow, u).body }

	// WeChat: deleted and banned pages name the reason; the page for an
	// unknown id is a different message.
	del := body("http://mp.weixin.qq.com/s/Qf7pL2mX9vKt3RwN8bYc5A")
	if !strings.Contains(del, "该内容已被发布者删除") {
		t.Error("deleted WeChat article lacks 该内容已被发布者删除")
	}
	if !strings.Contains(body("http://mp.weixin.qq.com/s/Zx8cV6bN4mQ2wE0rT9yU7i"), "此内容因违规无法查看") {
		t.Error("banned WeChat article lacks 此内容因违规无法查看")
	}
	bad := body("http://mp.weixin.qq.com/s/" + segment(1))
	if bad == del || strings.Contains(bad, "删除") {
		t.Error("the unknown-id page should differ from the deleted page")
	}
	live := map[string]bool{}
	for _, c := range f.cases {
		if c.Kind == "wechat-live" {
			b := body(c.URL)
			if live[b] || !strings.Contains(b, `id="js_content"`) || utf8.RuneCountInString(b) < 1500 {
				t.Errorf("%s: want a long, distinct article", c.URL)
			}
			live[b] = true
		}
	}

	// Redirect targets.
	if a := f.get(t, f.follow, "http://blog.example-tech.dev/blog/2018/service-mesh-notes-draft/"); !strings.HasSuffix(a.final, "/404.html") || !strings.Contains(a.body, "<h1>Page not found</h1>") {
		t.Errorf("redirect-404-page ends at %s", a.final)
	}
	for _, c := range f.cases {
		if c.Kind == "generic-target" {
			if a := f.get(t, f.follow, c.URL); a.final != "http://www.hollins-lab.org/archive/moved" {
				t.Errorf("%s ends at %s, want /archive/moved", c.URL, a.final)
			}
		}
	}

	// The article about 404s is long; so is the one quoting "Page not found".
	for _, u := range []string{
		"http://blog.example-tech.dev/blog/2020/404-not-found-history/",
		"http://eng.larchmont-systems.com/posts/2022/designing-error-pages-people-forgive",
	} {
		if b := body(u); utf8.RuneCountInString(b) < 4000 {
			t.Errorf("%s: %d runes, want a long article", u, utf8.RuneCountInString(b))
		}
	}
	if b := body("http://blog.example-tech.dev/blog/2020/404-not-found-history/"); !strings.Contains(b, "<title>404 Not Found: a short history of an error code") {
		t.Error("the 404 history post has the wrong title")
	}

	// The parked page is identical everywhere and reads like one.
	root := body("http://cheap-flights-hub.com/")
	for _, s := range []string{"This domain may be for sale", "Buy this domain", "parked free", "sedo.com", "dan.com"} {
		if !strings.Contains(root, s) {
			t.Errorf("parking page lacks %q", s)
		}
	}
	if body("http://cheap-flights-hub.com/deals/europe-summer-2017") != root {
		t.Error("parked deep link differs from the root")
	}

	// Real pages on template hosts differ from the template answer.
	for _, c := range f.cases {
		switch c.Kind {
		case "template-real", "template-real-zh", "catch-all-real", "catch-all-redirect-real":
			u, _ := url.Parse(c.URL)
			probe := f.get(t, f.follow, "http://"+u.Host+parent(u.Path)+segment(7))
			if body(c.URL) == probe.body {
				t.Errorf("%s: real page equals the unknown-path answer", c.URL)
			}
		}
	}

	// Assets of the app, and the archived repository's banner.
	if a := f.get(t, f.follow, "http://app.metricsboard.io/static/app.js"); !strings.HasPrefix(a.ctype, "application/javascript") {
		t.Errorf("app.js: Content-Type %q", a.ctype)
	}
	if !strings.Contains(body("http://github.com/hollins-lab/sensor-net-firmware"), "This repository has been archived by the owner") {
		t.Error("archived repository lacks its banner")
	}
}

func TestScore(t *testing.T) {
	cs := []Case{
		{URL: "a", Soft404: true}, {URL: "b", Soft404: true}, {URL: "c", Soft404: true},
		{URL: "d"}, {URL: "e"},
	}
	flag := map[string]bool{"a": true, "b": true, "d": true}
	tp, fp, fn, tn := Score(cs, func(u string) bool { return flag[u] })
	if tp != 2 || fp != 1 || fn != 1 || tn != 1 {
		t.Errorf("Score = %d, %d, %d, %d; want 2, 1, 1, 1", tp, fp, fn, tn)
	}
	tp, fp, fn, tn = Score(cs, func(string) bool { return false })
	if tp != 0 || fp != 0 || fn != 3 || tn != 2 {
		t.Errorf("Score(never) = %d, %d, %d, %d; want 0, 0, 3, 2", tp, fp, fn, tn)
	}
}

func TestPrecisionRecall(t *testing.T) {
	for _, tc := range []struct {
		tp, fp, fn int
		p, r       float64
	}{
		{3, 1, 2, 0.75, 0.6},
		{2, 1, 1, 2.0 / 3, 2.0 / 3},
		{0, 0, 3, 1, 0},
		{0, 2, 0, 0, 1},
		{0, 0, 0, 1, 1},
		{5, 0, 0, 1, 1},
	} {
		p, r := PrecisionRecall(tc.tp, tc.fp, tc.fn)
		if p != tc.p || r != tc.r {
			t.Errorf("PrecisionRecall(%d, %d, %d) = %v, %v; want %v, %v", tc.tp, tc.fp, tc.fn, p, r, tc.p, tc.r)
		}
	}
}

// The labels of the whole web scored against a perfect and a silent detector.
func TestScoreInstall(t *testing.T) {
	f := setup(t)
	label := map[string]bool{}
	soft := 0
	for _, c := range f.cases {
		label[c.URL] = c.Soft404
		if c.Soft404 {
			soft++
		}
	}
	tp, fp, fn, tn := Score(f.cases, func(u string) bool { return label[u] })
	if tp != soft || fp != 0 || fn != 0 || tn != len(f.cases)-soft {
		t.Errorf("perfect detector: %d, %d, %d, %d", tp, fp, fn, tn)
	}
	if p, r := PrecisionRecall(tp, fp, fn); p != 1 || r != 1 {
		t.Errorf("perfect detector: precision %v, recall %v", p, r)
	}
	tp, fp, fn, _ = Score(f.cases, func(string) bool { return false })
	if p, r := PrecisionRecall(tp, fp, fn); p != 1 || r != 0 {
		t.Errorf("silent detector: precision %v, recall %v", p, r)
	}
}

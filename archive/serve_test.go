package archive

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// replayEnv is an archive with a page whose links are partly captured,
// served by NewReplayHandler mounted at /web/ on a loopback server.
type replayEnv struct {
	*captureEnv
	srv  *httptest.Server
	page string
}

const pageHTML = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>笔记</title>
<link rel="stylesheet" href="/style.css">
<script src="https://example.com/app.js"></script>
</head><body>
<p>见 <a href="/about">关于</a> and <a href="https://other.example/x">elsewhere</a>.</p>
<img src="img/logo.png" alt="logo">
<a href="/missing">missing</a> <a href="about#team">team</a> <a href="#top">top</a>
<a href="mailto:someone@example.com">mail</a>
<pre>&lt;a href="/about"&gt; is text, not a link</pre>
</body></html>
`

func newReplayEnv(t *testing.T) *replayEnv {
	t.Helper()
	env := &replayEnv{captureEnv: newCaptureEnv(t, ArchiverOptions{}), page: pageHTML}
	mustCapture(t, env.a, newExchange("https://example.com/notes/page", day1, "text/html; charset=utf-8", []byte(pageHTML)))
	mustCapture(t, env.a, newExchange("https://example.com/about", day1.Add(-time.Hour), "text/html", []byte("<p>about</p>")))
	mustCapture(t, env.a, newExchange("https://example.com/notes/about", day1.Add(-time.Hour), "text/html", []byte("<p>notes about</p>")))
	mustCapture(t, env.a, newExchange("https://example.com/app.js", day1, "application/javascript", []byte("alert(1)")))
	// Captured after the page: the link goes to that later capture.
	mustCapture(t, env.a, newExchange("https://example.com/notes/img/logo.png", day1.Add(2*time.Hour), "image/png", []byte("\x89PNG\r\n\x1a\n")))
	mux := http.NewServeMux()
	mux.Handle("/web/", NewReplayHandler(env.db, env.dir, nil))
	env.srv = httptest.NewServer(mux)
	t.Cleanup(env.srv.Close)
	return env
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestReplayRewritesHTML(t *testing.T) {
	env := newReplayEnv(t)
	resp, body := get(t, env.srv.URL+"/web/20250301080000/https://example.com/notes/page")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
	}
	for k, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": replayCSP,
		"X-Content-Type-Options":  "nosniff",
		"Memento-Datetime":        "Sat, 01 Mar 2025 08:00:00 GMT",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	want := strings.NewReplacer(
		`href="/about"`, `href="/web/20250301070000/https://example.com/about"`,
		`src="https://example.com/app.js"`, `src="/web/20250301080000/https://example.com/app.js"`,
		`src="img/logo.png"`, `src="/web/20250301100000/https://example.com/notes/img/logo.png"`,
		`href="about#team"`, `href="/web/20250301070000/https://example.com/notes/about#team"`,
	).Replace(pageHTML)
	// The text inside <pre> is not a tag: the replacer must not touch it.
	want = strings.Replace(want, `&lt;a href="/web/20250301070000/https://example.com/about"&gt;`, `&lt;a href="/about"&gt;`, 1)
	if string(body) != want {
		t.Errorf("rewritten page:\n%s\nwant:\n%s", body, want)
	}
}

func TestReplayServesCaptures(t *testing.T) {
	env := newReplayEnv(t)
	pdf := append([]byte("%PDF-1.4\n<a href=\"/about\">not html</a>\n"), randomBytes(9, 100<<10)...)
	mustCapture(t, env.a, newExchange("https://example.com/doc.pdf?x=1&y=2", day1, "application/pdf", pdf))
	gbk := gbkPage(t)
	mustCapture(t, env.a, newExchange("https://example.cn/gbk", day1, "text/html", gbk))
	mustCapture(t, env.a, newExchange("https://example.com/%E4%B8%AD%E6%96%87", day1, "text/plain", []byte("cjk path")))
	mustCapture(t, env.a, newExchange("https://example.com/frac", day1.Add(-time.Second), "text/plain", []byte("v1")))
	mustCapture(t, env.a, newExchange("https://example.com/frac", day1.Add(400*time.Millisecond), "text/plain", []byte("v2")))
	mustCapture(t, env.a, newExchange("https://example.com/frac", day1.Add(time.Second), "text/plain", []byte("v3")))
	gbkWant, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(`<html><head><meta charset="gbk"><title>链接保险库</title></head>` +
		`<body><p>笔记里的链接：<a href="/web/20250301080000/https://example.com/%E4%B8%AD%E6%96%87">中文</a></p></body></html>`))

	tests := []struct {
		name, path string
		status     int
		ctype      string
		body       []byte // nil: not checked
		contains   string
	}{
		{"pdf byte-identical", "/web/20250301080000/https://example.com/doc.pdf?x=1&y=2", 200, "application/pdf", pdf, ""},
		{"latest without timestamp", "/web/https://example.com/doc.pdf?x=1&y=2", 200, "application/pdf", pdf, ""},
		{"later timestamp", "/web/20300101000000/https://example.com/app.js", 200, "application/javascript", []byte("alert(1)"), ""},
		{"gbk page bytes kept, link rewritten", "/web/20250301080000/https://example.cn/gbk", 200, "text/html", gbkWant, ""},
		{"identity mode", "/web/20250301080000id_/https://example.com/notes/page", 200, "text/html; charset=utf-8", []byte(pageHTML), ""},
		{"percent-encoded path", "/web/https://example.com/%E4%B8%AD%E6%96%87", 200, "text/plain", []byte("cjk path"), ""},
		// Closest to the time, as the Wayback Machine does: nothing before
		// it, so the first after it.
		{"before the first capture", "/web/20250301075959/https://example.com/app.js", 200, "application/javascript", []byte("alert(1)"), ""},
		{"partial timestamp: year", "/web/2025/https://example.com/app.js", 200, "application/javascript", []byte("alert(1)"), ""},
		{"partial timestamp: month", "/web/202503/https://example.com/doc.pdf?x=1&y=2", 200, "application/pdf", pdf, ""},
		{"partial timestamp: day, identity", "/web/20250301id_/https://example.com/notes/page", 200, "text/html; charset=utf-8", []byte(pageHTML), ""},
		{"whole second holds a capture at .4 s", "/web/20250301080000/https://example.com/frac", 200, "text/plain", []byte("v2"), ""},
		{"other Wayback modifiers are accepted", "/web/20250301080000im_/https://example.com/app.js", 200, "application/javascript", []byte("alert(1)"), ""},
		{"raw UTF-8 path", "/web/https://example.com/中文", 200, "text/plain", []byte("cjk path"), ""},
		{"raw UTF-8 path with timestamp", "/web/2025/https://example.com/中文", 200, "text/plain", []byte("cjk path"), ""},
		{"invalid timestamp", "/web/202513/https://example.com/app.js", 400, "text/plain; charset=utf-8", nil, "invalid timestamp"},
		{"never captured", "/web/https://example.com/nope", 404, "text/html; charset=utf-8", nil, "no archived copy of https://example.com/nope"},
		{"list", "/web/?url=https://example.com/notes/page", 200, "text/html; charset=utf-8", nil, `href="/web/20250301080000/https://example.com/notes/page"`},
		{"list star", "/web/*/https://example.com/app.js", 200, "text/html; charset=utf-8", nil, "/web/20250301080000/https://example.com/app.js"},
		{"empty list", "/web/?url=https://example.com/nope", 404, "text/html; charset=utf-8", nil, "no archived copy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, env.srv.URL+tt.path)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %.200s", resp.StatusCode, tt.status, body)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if tt.status == 200 && tt.body != nil && !strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "sandbox;") {
				t.Errorf("Content-Security-Policy %q, want sandbox", resp.Header.Get("Content-Security-Policy"))
			}
			if tt.body != nil && !bytes.Equal(body, tt.body) {
				t.Errorf("body sha256 %s (%d bytes), want %s (%d bytes):\n%.300q", sum(body), len(body), sum(tt.body), len(tt.body), body)
			}
			if tt.contains != "" && !bytes.Contains(body, []byte(tt.contains)) {
				t.Errorf("body does not contain %q:\n%s", tt.contains, body)
			}
		})
	}
}

func TestReplayMethods(t *testing.T) {
	env := newReplayEnv(t)
	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/web/https://example.com/app.js", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST status %d, want 405", resp.StatusCode)
	}
	resp, err = http.Head(env.srv.URL + "/web/https://example.com/app.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len("alert(1)")) {
		t.Errorf("HEAD status %d, length %d; want 200, %d", resp.StatusCode, resp.ContentLength, len("alert(1)"))
	}
}

func TestFixScheme(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https:/example.com/a", "https://example.com/a"},
		{"http:/example.com", "http://example.com"},
		{"https://example.com/a", "https://example.com/a"},
		{"example.com/a", "example.com/a"},
	}
	for _, tt := range tests {
		if got := fixScheme(tt.in); got != tt.want {
			t.Errorf("fixScheme(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Mounted without a ServeMux, the handler sees the path as sent: no
// cleaning redirect, no double escaping.
func TestReplayWithoutMux(t *testing.T) {
	env := newReplayEnv(t)
	mustCapture(t, env.a, newExchange("https://example.com/%E4%B8%AD%E6%96%87", day1, "text/plain", []byte("cjk path")))
	mustCapture(t, env.a, newExchange("https://example.com/pct%2525", day1, "text/plain", []byte("percent")))
	h := NewReplayHandler(env.db, env.dir, nil)
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/web/20250301080000/https://example.com/%E4%B8%AD%E6%96%87", 200, "cjk path"},
		{"/web/https://example.com/pct%2525", 200, "percent"},
		{"/web/20250301080000id_/https://example.com/app.js", 200, "alert(1)"},
		{"/web/https://example.com/%E4%B8%AD", 404, ""},
		// curl sends a path typed with raw UTF-8 as it is.
		{"/web/https://example.com/中文", 200, "cjk path"},
		{"/web/2025/https://example.com/中文", 200, "cjk path"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
		if rec.Code != tt.status || (tt.body != "" && rec.Body.String() != tt.body) {
			t.Errorf("GET %s = %d %.80q, want %d %q", tt.path, rec.Code, rec.Body.String(), tt.status, tt.body)
		}
	}
}

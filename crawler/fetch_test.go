package crawler

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// checkAll runs a Checker with opts over targets and returns the results
// in target order.
func checkAll(t *testing.T, opts Options, targets ...Target) []linkvault.Result {
	t.Helper()
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatalf("NewChecker: %v", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var got []linkvault.Result
	if err := c.Check(ctx, targets, func(r linkvault.Result) { got = append(got, r) }); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(got) != len(targets) {
		t.Fatalf("got %d results, want %d", len(got), len(targets))
	}
	out := make([]linkvault.Result, 0, len(got))
	for _, tg := range targets {
		i := slices.IndexFunc(got, func(r linkvault.Result) bool { return r.URL == tg.URL })
		if i < 0 {
			t.Fatalf("no result for %s", tg.URL)
		}
		out = append(out, got[i])
		got = slices.Delete(got, i, i+1)
	}
	return out
}

// webOptions are options that send every request to w. Most handlers
// of these tests answer every path alike, which the random-path probe
// would rightly call soft 404s: the probe is off here and tested in
// soft404_web_test.go.
func webOptions(w *fakeweb.Web) Options {
	return Options{DialContext: w.DialContext, AllowPrivate: true, RetryWait: time.Millisecond, Rate: 1000, Burst: 100,
		Soft404: Soft404Options{NoProbe: true}}
}

// counting returns a handler answering with the n-th function on the n-th
// request (the last one repeats).
func counting(fs ...http.HandlerFunc) http.Handler {
	var n atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		fs[min(i, len(fs)-1)](w, r)
	})
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

func htmlPage(title, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body>%s</body></html>", title, body)
	}
}

func redirect(code int, to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", to)
		w.WriteHeader(code)
	}
}

func byMethod(head, get http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			head(w, r)
			return
		}
		get(w, r)
	}
}

func gbkPage() []byte {
	html := `<html><head><meta charset="gbk"><title>中文标题：链接检查</title></head><body>正文</body></html>`
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(html))
	if err != nil {
		panic(err)
	}
	return b
}

// TestCheckSingle checks one behaviour per case against one fake host.
func TestCheckSingle(t *testing.T) {
	pdf := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4"))
	}
	tests := []struct {
		name     string
		host     string // default site.test
		path     string
		handler  http.Handler
		opts     func(*Options)
		target   func(*Target)
		want     linkvault.Status
		reason   string // substring
		requests int
		check    func(t *testing.T, r linkvault.Result)
	}{
		{name: "HEAD 405 then GET ok", path: "/file.pdf",
			handler: byMethod(status(405), pdf), want: linkvault.StatusOK, reason: "200 OK", requests: 2},
		{name: "HEAD 404 but GET 200", path: "/file.zip",
			handler: byMethod(status(404), pdf), want: linkvault.StatusOK, reason: "200 OK", requests: 2},
		{name: "HEAD ok is enough for a file", path: "/file.pdf",
			handler: http.HandlerFunc(pdf), want: linkvault.StatusOK, requests: 1,
			check: func(t *testing.T, r linkvault.Result) {
				if r.ContentType != "application/pdf" {
					t.Errorf("ContentType = %q, want application/pdf", r.ContentType)
				}
			}},
		{name: "403 only for non-browser user agents", path: "/",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.UserAgent(), "Mozilla/5.0") || !strings.Contains(r.UserAgent(), "linkvault/1.2.3") {
					w.WriteHeader(403)
					return
				}
				htmlPage("Home", "hello")(w, r)
			}),
			opts: func(o *Options) { o.Version = "1.2.3" }, want: linkvault.StatusOK, requests: 1,
			check: func(t *testing.T, r linkvault.Result) {
				if r.Title != "Home" {
					t.Errorf("Title = %q, want Home", r.Title)
				}
			}},
		{name: "403 always is blocked", path: "/", handler: status(403),
			want: linkvault.StatusBlocked, reason: "403 Forbidden", requests: 1},
		{name: "401 is blocked", path: "/", handler: status(401),
			want: linkvault.StatusBlocked, reason: "401 Unauthorized", requests: 1},
		{name: "999 is blocked", path: "/in/someone", host: "www.linkedin.com", handler: status(999),
			want: linkvault.StatusBlocked, reason: "999", requests: 1},
		{name: "503 twice then 200", path: "/", handler: counting(status(503), status(503), htmlPage("ok", "")),
			want: linkvault.StatusOK, reason: "200 OK", requests: 3},
		{name: "500 always is broken after retries", path: "/", handler: status(500),
			want: linkvault.StatusBroken, reason: "500 Internal Server Error", requests: 3},
		{name: "429 always is throttled after retries", path: "/",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(429)
			}),
			want: linkvault.StatusThrottled, reason: "429 Too Many Requests", requests: 3},
		{name: "404 is broken without retry", path: "/gone", handler: status(404),
			want: linkvault.StatusBroken, reason: "404 Not Found", requests: 1},
		{name: "410 is broken without retry", path: "/gone", handler: status(410),
			want: linkvault.StatusBroken, reason: "410 Gone", requests: 1},
		{name: "other 4xx is broken", path: "/", handler: status(400),
			want: linkvault.StatusBroken, reason: "400 Bad Request", requests: 1},
		{name: "301 chain of 3 is ok and moved", path: "/a",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next := map[string]string{"/a": "/b", "/b": "http://other.site.test/c", "/c": "/d"}[r.URL.Path]
				if next == "" {
					htmlPage("D", "")(w, r)
					return
				}
				redirect(301, next)(w, r)
			}),
			want: linkvault.StatusOK, requests: 4,
			check: func(t *testing.T, r linkvault.Result) {
				want := []linkvault.Redirect{{Status: 301, URL: "http://site.test/a"}, {Status: 301, URL: "http://site.test/b"}, {Status: 301, URL: "http://other.site.test/c"}}
				if !slices.Equal(r.Redirects, want) {
					t.Errorf("Redirects = %v, want %v", r.Redirects, want)
				}
				if r.MovedTo != "http://other.site.test/d" || r.FinalURL != "http://other.site.test/d" {
					t.Errorf("MovedTo, FinalURL = %q, %q, want http://other.site.test/d for both", r.MovedTo, r.FinalURL)
				}
			}},
		{name: "302 is not a move", path: "/a", handler: counting(redirect(302, "/b"), htmlPage("B", "")),
			want: linkvault.StatusOK, requests: 2,
			check: func(t *testing.T, r linkvault.Result) {
				if r.MovedTo != "" || r.FinalURL != "http://site.test/b" {
					t.Errorf("MovedTo, FinalURL = %q, %q, want \"\", http://site.test/b", r.MovedTo, r.FinalURL)
				}
			}},
		{name: "trailing slash 301 is not a move", path: "/docs", handler: counting(redirect(301, "/docs/"), htmlPage("Docs", "")),
			want: linkvault.StatusOK, requests: 2,
			check: func(t *testing.T, r linkvault.Result) {
				if r.MovedTo != "" {
					t.Errorf("MovedTo = %q, want none", r.MovedTo)
				}
			}},
		{name: "redirect loop is broken", path: "/x",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				redirect(302, map[string]string{"/x": "/y", "/y": "/x"}[r.URL.Path])(w, r)
			}),
			want: linkvault.StatusBroken, reason: "redirect loop", requests: 2},
		{name: "too many redirects is broken", path: "/n/0",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/n/"))
				redirect(302, fmt.Sprintf("/n/%d", i+1))(w, r)
			}),
			want: linkvault.StatusBroken, reason: "too many redirects", requests: 11},
		{name: "conditional request answered 304", path: "/",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") == "Mon, 02 Jan 2006 15:04:05 GMT" {
					w.WriteHeader(304)
					return
				}
				htmlPage("changed", "")(w, r)
			}),
			target: func(t *Target) { t.ETag, t.LastModified = `"v1"`, "Mon, 02 Jan 2006 15:04:05 GMT" },
			want:   linkvault.StatusOK, reason: "304 Not Modified", requests: 1,
			check: func(t *testing.T, r linkvault.Result) {
				if !r.NotModified {
					t.Error("NotModified = false, want true")
				}
			}},
		{name: "WeChat deleted article is a soft 404", host: "mp.weixin.qq.com", path: "/s/AbCdEf",
			handler: htmlPage("", `<div class="weui-msg"><p>该内容已被发布者删除</p></div>`),
			want:    linkvault.StatusSoft404, reason: "soft 404: says “该内容已被发布者删除”", requests: 1,
			check: func(t *testing.T, r linkvault.Result) {
				if !r.SoftNotFound || r.HTTPStatus != 200 || !slices.Equal(r.Evidence, []string{linkvault.EvidencePlatform}) {
					t.Errorf("SoftNotFound, HTTPStatus, Evidence = %v, %d, %q; want true, 200, [platform]", r.SoftNotFound, r.HTTPStatus, r.Evidence)
				}
			}},
		{name: "page not found title alone is not a soft 404", path: "/post",
			handler: htmlPage("Page Not Found | Blog", "Sorry."),
			want:    linkvault.StatusOK, requests: 1},
		{name: "long article quoting a soft 404 phrase is ok", path: "/post",
			handler: htmlPage("Notes", strings.Repeat("长文。", 1000)+"该内容已被发布者删除"),
			want:    linkvault.StatusOK, requests: 1},
		{name: "GBK page with only a meta charset", path: "/",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Write(gbkPage())
			}),
			want: linkvault.StatusOK, requests: 1,
			check: func(t *testing.T, r linkvault.Result) {
				if r.Title != "中文标题：链接检查" {
					t.Errorf("Title = %q, want 中文标题：链接检查", r.Title)
				}
			}},
		{name: "Cloudflare challenge is blocked", path: "/",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cf-Mitigated", "challenge")
				w.WriteHeader(503)
			}),
			want: linkvault.StatusBlocked, reason: "bot challenge", requests: 1},
		{name: "challenge page title is blocked", path: "/",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(403)
				w.Write([]byte("<html><head><title>Just a moment...</title></head><body></body></html>"))
			}),
			want: linkvault.StatusBlocked, reason: "bot challenge (403 Forbidden)", requests: 1},
		{name: "hanging server is unreachable after the header timeout", path: "/",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }),
			opts:    func(o *Options) { o.HeaderTimeout = 100 * time.Millisecond; o.Retries = -1 },
			want:    linkvault.StatusUnreachable, reason: "timeout after 100ms awaiting headers", requests: 1},
		{name: "stalled body is cut by the idle read timeout", path: "/",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Write([]byte("<html><head><title>Slow</title>"))
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			}),
			opts: func(o *Options) { o.ReadTimeout = 100 * time.Millisecond },
			want: linkvault.StatusOK, requests: 1,
			check: func(t *testing.T, r linkvault.Result) {
				if r.Error != "timeout after 100ms reading body" {
					t.Errorf("Error = %q, want timeout after 100ms reading body", r.Error)
				}
			}},
		{name: "per-host headers are sent", path: "/",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Cookie") != "consent=yes" {
					w.WriteHeader(403)
					return
				}
				htmlPage("in", "")(w, r)
			}),
			opts: func(o *Options) {
				o.Hosts = map[string]HostOptions{"*.test": {Headers: map[string]string{"Cookie": "consent=yes"}}}
			},
			want: linkvault.StatusOK, requests: 1},
		{name: "connection reset, then ok on retry", path: "/",
			handler: counting(func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					if tc, ok := conn.(*net.TCPConn); ok {
						tc.SetLinger(0) // close with RST
					}
					conn.Close()
				}
			}, htmlPage("back", "")),
			want: linkvault.StatusOK, reason: "200 OK", requests: 2},
		{name: "exactly 10 redirects is ok", path: "/n/0",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/n/"))
				if i == 10 {
					htmlPage("end", "")(w, r)
					return
				}
				redirect(302, fmt.Sprintf("/n/%d", i+1))(w, r)
			}),
			want: linkvault.StatusOK, requests: 11,
			check: func(t *testing.T, r linkvault.Result) {
				if len(r.Redirects) != 10 || r.FinalURL != "http://site.test/n/10" {
					t.Errorf("%d redirects to %s, want 10 to http://site.test/n/10", len(r.Redirects), r.FinalURL)
				}
			}},
		{name: "308 is a move", path: "/old", handler: counting(redirect(308, "http://other.site.test/new"), htmlPage("New", "")),
			want: linkvault.StatusOK, requests: 2,
			check: func(t *testing.T, r linkvault.Result) {
				if r.MovedTo != "http://other.site.test/new" {
					t.Errorf("MovedTo = %q, want http://other.site.test/new", r.MovedTo)
				}
			}},
		{name: "response metadata recorded", path: "/meta",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", `"abc"`)
				w.Header().Set("Last-Modified", "Tue, 03 Jan 2006 15:04:05 GMT")
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				const body = "<html><head><title>Meta</title></head><body></body></html>"
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				fmt.Fprint(w, body)
			}),
			want: linkvault.StatusOK, reason: "200 OK", requests: 1,
			check: func(t *testing.T, r linkvault.Result) {
				got := fmt.Sprintf("%d %s %q %q %q %d %d %q", r.HTTPStatus, r.FinalURL, r.ETag, r.LastModified, r.ContentType, r.ContentLength, r.BytesRead, r.Title)
				want := `200 http://site.test/meta "\"abc\"" "Tue, 03 Jan 2006 15:04:05 GMT" "text/html; charset=utf-8" 58 58 "Meta"`
				if got != want {
					t.Errorf("metadata = %s, want %s", got, want)
				}
			}},
		{name: "file URL is never read", path: "/", handler: status(200),
			target: func(t *Target) { t.URL = "file:///etc/passwd" },
			want:   linkvault.StatusSkipped, reason: "unsupported scheme", requests: 0},
		{name: "mailto URL is skipped", path: "/", handler: status(200),
			target: func(t *Target) { t.URL = "mailto:me@a.example" },
			want:   linkvault.StatusSkipped, reason: "unsupported scheme", requests: 0},
		{name: "excluded URL is skipped", path: "/private/x", handler: status(200),
			opts: func(o *Options) { o.Exclude = append(o.Exclude, regexp.MustCompile(`/private/`)) },
			want: linkvault.StatusSkipped, reason: "excluded", requests: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := fakeweb.New()
			defer w.Close()
			host := tt.host
			if host == "" {
				host = "site.test"
			}
			w.Host(host).Handler = tt.handler
			w.Host("other.site.test").Handler = tt.handler
			opts := webOptions(w)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			tg := Target{URL: "http://" + host + tt.path}
			if tt.target != nil {
				tt.target(&tg)
			}
			r := checkAll(t, opts, tg)[0]
			if r.Status != tt.want || !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("got %s, want %s (…%s…)", r, tt.want, tt.reason)
			}
			if r.Requests != tt.requests {
				t.Errorf("Requests = %d, want %d", r.Requests, tt.requests)
			}
			if got := w.Stats(host).Requests + w.Stats("other.site.test").Requests; got != tt.requests {
				t.Errorf("server saw %d requests, want %d", got, tt.requests)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("site.test").Handler = counting(
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
		},
		htmlPage("ok", ""))
	r := checkAll(t, webOptions(w), Target{URL: "http://site.test/"})[0]
	if r.Status != linkvault.StatusOK || r.Requests != 2 {
		t.Fatalf("got %s after %d requests, want ok after 2", r, r.Requests)
	}
	times := w.Stats("site.test").Times
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Errorf("second request %v after the 429, want at least the Retry-After of 1s", gap)
	}
}

func TestSameURLFetchedOnce(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("site.test")
	var targets []Target
	for range 5 {
		targets = append(targets, Target{URL: "http://site.test/page"})
	}
	opts := webOptions(w)
	var progress [][2]int
	opts.Progress = func(done, total int) { progress = append(progress, [2]int{done, total}) }
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []linkvault.Result
	if err := c.Check(context.Background(), targets, func(r linkvault.Result) { got = append(got, r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Errorf("got %d results, want one per target (5)", len(got))
	}
	if len(progress) != 5 || progress[4] != [2]int{5, 5} {
		t.Errorf("progress calls = %v, want 5 ending with [5 5]", progress)
	}
	for _, r := range got {
		if r.Status != linkvault.StatusOK || r.URL != "http://site.test/page" {
			t.Errorf("got %s for %s, want ok", r, r.URL)
		}
	}
	if n := w.Stats("site.test").Requests; n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestSharedRedirectTarget(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("site.test").Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/target" {
			htmlPage("Target", "")(w, r)
			return
		}
		redirect(301, "/target")(w, r)
	})
	rs := checkAll(t, webOptions(w), Target{URL: "http://site.test/one"}, Target{URL: "http://site.test/two"}, Target{URL: "http://site.test/target"})
	for _, r := range rs {
		if r.Status != linkvault.StatusOK {
			t.Errorf("%s: got %s, want ok", r.URL, r)
		}
	}
	if rs[0].MovedTo != "http://site.test/target" || rs[1].MovedTo != "http://site.test/target" {
		t.Errorf("MovedTo = %q, %q, want http://site.test/target for both", rs[0].MovedTo, rs[1].MovedTo)
	}
}

func TestHostConcurrencyNeverExceeded(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	h := w.Host("site.test")
	h.Latency = 20 * time.Millisecond
	var targets []Target
	for i := range 30 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://site.test/p%d", i)})
	}
	opts := webOptions(w)
	opts.HostConcurrency = 3
	checkAll(t, opts, targets...)
	if got := w.Stats("site.test").MaxInFlight; got > 3 {
		t.Errorf("max in flight = %d, want <= 3", got)
	}
}

func TestSlowHostDoesNotDelayFastHost(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	release := make(chan struct{})
	w.Host("slow.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	w.Host("fast.test")
	var targets []Target
	for i := range 10 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://slow.test/%d", i)})
	}
	for i := range 40 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://fast.test/%d", i)})
	}
	opts := webOptions(w)
	opts.Concurrency = 4
	opts.HostConcurrency = 2
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fast, slowBeforeFast := 0, 0
	err = c.Check(ctx, targets, func(r linkvault.Result) {
		if strings.Contains(r.URL, "fast.test") {
			fast++
			if fast == 40 {
				close(release) // the slow host answers only once the fast one is done
			}
		} else if fast < 40 {
			slowBeforeFast++
		}
	})
	if err != nil {
		t.Fatalf("Check: %v (fast results: %d of 40)", err, fast)
	}
	if fast != 40 || slowBeforeFast != 0 {
		t.Errorf("fast results = %d, slow results before them = %d, want 40, 0", fast, slowBeforeFast)
	}
}

func TestUAIsBrowserCompatible(t *testing.T) {
	o := withDefaults(Options{Version: "0.9.0"})
	want := "Mozilla/5.0 (compatible; linkvault/0.9.0; +https://github.com/linkvault/linkvault)"
	if o.UserAgent != want {
		t.Errorf("UserAgent = %q, want %q", o.UserAgent, want)
	}
	if b := bytes.Contains([]byte(o.UserAgent), []byte("colly")); b {
		t.Error("UserAgent names colly")
	}
}

func TestCollyEnvironmentIgnored(t *testing.T) {
	t.Setenv("COLLY_USER_AGENT", "from-env")
	t.Setenv("COLLY_FOLLOW_REDIRECTS", "yes")
	t.Setenv("COLLY_DISALLOWED_DOMAINS", "site.test")
	w := fakeweb.New()
	defer w.Close()
	var ua string
	w.Host("site.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ua = r.UserAgent()
		htmlPage("x", "")(rw, r)
	})
	opts := webOptions(w)
	opts.UserAgent = "custom-agent/1"
	r := checkAll(t, opts, Target{URL: "http://site.test/"})[0]
	if r.Status != linkvault.StatusOK || ua != "custom-agent/1" {
		t.Errorf("got %s with User-Agent %q, want ok with custom-agent/1", r, ua)
	}
}

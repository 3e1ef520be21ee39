package archive

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// srcset candidates with a capture point at it, separators, descriptors
// and URLs holding commas kept; candidates without a capture untouched.
func TestReplayRewritesSrcset(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{})
	const page = `<html><body>` +
		`<img src="a.png" srcset="a.png 1x, /img/b,c.png 2x,https://other.example/d.png 3x">` +
		`<picture><source srcset="img/e.webp, x.webp 100w"><img src="a.png"></picture>` +
		`<a srcset="a.png">not an image</a></body></html>`
	mustCapture(t, env.a, newExchange("https://example.com/p/page", day1, "text/html", []byte(page)))
	for _, u := range []string{"https://example.com/p/a.png", "https://example.com/img/b,c.png", "https://example.com/p/img/e.webp"} {
		mustCapture(t, env.a, newExchange(u, day1, "image/png", []byte("\x89PNG")))
	}
	mux := http.NewServeMux()
	mux.Handle("/web/", NewReplayHandler(env.db, env.dir, nil))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	_, body := get(t, srv.URL+"/web/20250301080000/https://example.com/p/page")
	const ts = "/web/20250301080000/"
	for _, want := range []string{
		`srcset="` + ts + `https://example.com/p/a.png 1x, ` + ts + `https://example.com/img/b,c.png 2x,https://other.example/d.png 3x"`,
		`<source srcset="` + ts + `https://example.com/p/img/e.webp, x.webp 100w">`,
		`<a srcset="a.png">`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("replayed page lacks %s:\n%s", want, body)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// TestRequisiteSharedAcrossURLs: two pages link the same stylesheet under
// two URLs (site.css?v=1 and ?v=2); `linkvault check` stores its payload
// once, the other capture being a revisit of the first (across URLs), and
// `serve` replays both pages with their stylesheet.
func TestRequisiteSharedAcrossURLs(t *testing.T) {
	web := fakeweb.New()
	defer web.Close()
	const host = "shared.example.com"
	css := "/* shared stylesheet */\nbody { color: #123456; }\n" + strings.Repeat("/* "+strings.Repeat("padding ", 16)+"*/\n", 400)
	web.Host(host).Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/one", "/two":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			v := map[string]string{"/one": "1", "/two": "2"}[r.URL.Path]
			fmt.Fprintf(w, `<!doctype html><html><head><title>page %[1]s</title><link rel="stylesheet" href="/site.css?v=%[1]s"></head><body><p>page %[1]s</p></body></html>`, v)
		case "/site.css":
			w.Header().Set("Content-Type", "text/css")
			io.WriteString(w, css)
		default:
			http.NotFound(w, r)
		}
	})
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	page := func(p string) string { return "http://" + host + p }
	note := "# Shared\n\n- " + page("/one") + "\n- " + page("/two") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "notes", "n.md"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	cfgText := fmt.Sprintf(`notes: [notes]
db: linkvault.db
check:
  allow_private: true
  rate: 20
  burst: 5
  resolve:
    "%[2]s:80": %[1]q
soft404: {probe: false}
archive:
  dir: warc
wayback: false
`, web.Addr(), host)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	checkStyled(t, cfgPath)

	db, err := archive.Open(filepath.Join(dir, "linkvault.db"), &archive.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v1, err1 := db.CaptureAt(page("/site.css?v=1"), time.Time{})
	v2, err2 := db.CaptureAt(page("/site.css?v=2"), time.Time{})
	if err1 != nil || err2 != nil {
		t.Fatalf("captures of the stylesheet: %v, %v", err1, err2)
	}
	orig, rev := v1, v2
	if v1.Revisit {
		orig, rev = v2, v1
	}
	if orig.Revisit || !rev.Revisit || !rev.RefersTo.Equal(orig.Time) || rev.Digest != orig.Digest || rev.RefersToURL != orig.URL {
		t.Errorf("stylesheet captures: ?v=1 revisit %v, ?v=2 revisit %v (refers to %v); want one stored, the other a revisit of it (at %v)",
			v1.Revisit, v2.Revisit, rev.RefersTo, orig.Time)
	}

	// get --list says where the revisit's payload is.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--config", cfgPath, "-q", "get", "--list", rev.URL}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("get --list exited %d: %s", code, errb.String())
	}
	if want := "same payload as " + orig.URL; !strings.Contains(out.String(), want) {
		t.Errorf("get --list %s lacks %q:\n%s", rev.URL, want, out.String())
	}

	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(checkHost(newServeMux(db, cfg), nil))
	defer srv.Close()
	get := func(u string) string {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s: %.200s", u, resp.Status, b)
		}
		return string(b)
	}
	href := regexp.MustCompile(`href="(/web/[^"]*site\.css[^"]*)"`)
	for _, p := range []string{"/one", "/two"} {
		html := get(srv.URL + "/web/" + page(p))
		m := href.FindStringSubmatch(html)
		if m == nil {
			t.Errorf("replay of %s links no stylesheet on serve: %.300s", p, html)
			continue
		}
		if got := get(srv.URL + strings.ReplaceAll(m[1], "&amp;", "&")); got != css {
			t.Errorf("replay of %s: its stylesheet %s came back as %.80q (%d bytes), want the %d bytes served", p, m[1], got, len(got), len(css))
		}
	}
}

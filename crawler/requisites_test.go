package crawler

import (
	"context"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// requisiteSink records what Capture is offered, answering fresh for a
// URL's first payload and for a payload that differs from its last one
// (the archive's revisit rule).
type requisiteSink struct {
	mu       sync.Mutex
	last     map[string]string // URL → last payload
	captured []*linkvault.Exchange
	referer  map[string]string
}

func (s *requisiteSink) capture(_ context.Context, ex *linkvault.Exchange) (bool, error) {
	body, err := io.ReadAll(ex.Body)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		s.last, s.referer = map[string]string{}, map[string]string{}
	}
	cp := *ex
	cp.Body = nil
	s.captured = append(s.captured, &cp)
	s.referer[ex.URL] = ex.RequestHeader.Get("Referer")
	prev, seen := s.last[ex.URL]
	s.last[ex.URL] = string(body)
	return !seen || prev != string(body), nil
}

func (s *requisiteSink) urls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ex := range s.captured {
		out = append(out, ex.URL)
	}
	sort.Strings(out)
	return out
}

func styledWeb(t *testing.T) (*fakeweb.Web, *fakeweb.StyledSite) {
	t.Helper()
	w := fakeweb.New()
	t.Cleanup(w.Close)
	return w, fakeweb.NewStyledSite(w, "styled.test", "img.test", nil)
}

// TestRequisitesCaptured: a page captured with a new payload brings its
// stylesheets (and theirs: @import, font, background), srcset and lazy
// images (from a hotlink-protected host, asked with the page as Referer)
// and its favicon; the stylesheet shared by two pages is fetched once;
// requisites get no result; a second run on unchanged pages fetches no
// requisite at all.
func TestRequisitesCaptured(t *testing.T) {
	w, site := styledWeb(t)
	sink := &requisiteSink{}
	opts := webOptions(w)
	opts.Requisites = RequisiteOptions{Kinds: DefaultRequisiteKinds, Capture: sink.capture}
	targets := []Target{{URL: site.ArticleURL("one"), Capture: true}, {URL: site.ArticleURL("two"), Capture: true}}
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatal(err)
	}
	var results []linkvault.Result
	if err := c.Check(context.Background(), targets, func(r linkvault.Result) { results = append(results, r) }); err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("got %d results, want the 2 pages only: %v", len(results), results)
	}
	for _, r := range results {
		if r.Status != linkvault.StatusOK {
			t.Errorf("%s: %s %s", r.URL, r.Status, r.Reason)
		}
	}
	want := []string{
		"http://img.test/lazy/1.png", "http://img.test/lazy/2.png", "http://img.test/logo.png",
		"http://styled.test/articles/one", "http://styled.test/articles/two",
		"http://styled.test/css/base.css", "http://styled.test/css/site.css",
		"http://styled.test/favicon.png", "http://styled.test/fonts/lv.ttf",
		"http://styled.test/img/bg.png", "http://styled.test/img/photo-1x.png", "http://styled.test/img/photo-2x.png",
	}
	if got := sink.urls(); !slices.Equal(got, want) {
		t.Errorf("captured:\n got %v\nwant %v", got, want)
	}
	for u, ref := range sink.referer {
		if strings.Contains(u, "/articles/") {
			continue
		}
		if !strings.HasPrefix(ref, "http://styled.test/articles/") {
			t.Errorf("%s asked with Referer %q, want its page", u, ref)
		}
	}
	st := w.Stats("styled.test")
	if n := count(st.Paths, "/css/site.css"); n != 1 {
		t.Errorf("shared stylesheet fetched %d times, want once", n)
	}
	if n := w.Stats("img.test").Requests; n != 3 {
		t.Errorf("image host got %d requests, want 3 (no 403 retried)", n)
	}
	rs := c.requisiteStats()
	if rs.Pages != 2 || rs.Fresh != 10 || rs.Requests != 10 || rs.Dropped != 0 {
		t.Errorf("requisiteStats = %+v, want 2 pages, 10 requests, 10 fresh", rs)
	}

	// Day 2, nothing changed: the pages come back as they were, so no
	// requisite is asked for.
	before := w.Stats("styled.test").Requests + w.Stats("img.test").Requests
	results = nil
	if err := c.Check(context.Background(), targets, func(r linkvault.Result) { results = append(results, r) }); err != nil {
		t.Fatal(err)
	}
	after := w.Stats("styled.test").Requests + w.Stats("img.test").Requests
	if after-before != 2 || len(results) != 2 {
		t.Errorf("unchanged rerun made %d requests and %d results, want 2 and 2 (the pages only)", after-before, len(results))
	}
	if rs := c.requisiteStats(); rs.Requests != 0 {
		t.Errorf("unchanged rerun: requisiteStats = %+v, want no request", rs)
	}
}

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}

// TestRequisitesCapped: at most Max requisites per page (its
// stylesheets' included) and MaxBytes of payload; kinds not asked for
// are not fetched, nor are excluded URLs (Include, which picks the links
// to check, does not limit requisites).
func TestRequisitesCapped(t *testing.T) {
	w, site := styledWeb(t)
	for _, tt := range []struct {
		name     string
		ro       RequisiteOptions
		wantReqs int // requisites captured
	}{
		{"count", RequisiteOptions{Kinds: DefaultRequisiteKinds, Max: 3}, 3},
		{"bytes", RequisiteOptions{Kinds: DefaultRequisiteKinds, MaxBytes: 200}, -1}, // see below
		{"kinds", RequisiteOptions{Kinds: []string{RequisiteCSS}}, 2},
		{"exclude", RequisiteOptions{Kinds: DefaultRequisiteKinds}, 7}, // not the image host's 2
		{"include", RequisiteOptions{Kinds: DefaultRequisiteKinds}, 9},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sink := &requisiteSink{}
			opts := webOptions(w)
			tt.ro.Capture = sink.capture
			opts.Requisites = tt.ro
			switch tt.name {
			case "exclude":
				opts.Exclude = []*regexp.Regexp{regexp.MustCompile(`^http://img\.test/`)}
			case "include":
				// Include picks the links checked, not what their pages need.
				opts.Include = []*regexp.Regexp{regexp.MustCompile(`/articles/`)}
			}
			c, err := NewChecker(opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Check(context.Background(), []Target{{URL: site.ArticleURL("one"), Capture: true}}, func(linkvault.Result) {}); err != nil {
				t.Fatal(err)
			}
			if tt.wantReqs < 0 {
				// Which fit depends on the order they come back in.
				if rs := c.requisiteStats(); rs.Bytes > 200 || rs.Dropped == 0 || rs.Fresh == 0 {
					t.Errorf("requisiteStats = %+v, want some stored, some dropped, at most 200 bytes", rs)
				}
				return
			}
			if got := len(sink.urls()) - 1; got != tt.wantReqs {
				t.Errorf("captured %d requisites, want %d: %v", got, tt.wantReqs, sink.urls())
			}
		})
	}
}

// TestRequisitesPolite: requisites wait for their host's token bucket: a
// host allowing 5 requests a second is never answered 429.
func TestRequisitesPolite(t *testing.T) {
	w, site := styledWeb(t)
	h := w.Host("styled.test")
	h.Rate, h.Burst = 5, 2
	sink := &requisiteSink{}
	opts := webOptions(w)
	opts.Rate, opts.Burst = 5, 2
	opts.Requisites = RequisiteOptions{Kinds: DefaultRequisiteKinds, Capture: sink.capture}
	checkAll(t, opts, Target{URL: site.ArticleURL("one"), Capture: true}, Target{URL: site.ArticleURL("two"), Capture: true})
	if n := w.Throttled(); n != 0 {
		t.Errorf("%d requests answered 429, want 0", n)
	}
	if got := len(sink.urls()); got != 12 {
		t.Errorf("captured %d, want 12: %v", got, sink.urls())
	}
}

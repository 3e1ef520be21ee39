package crawler

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
	"github.com/linkvault/linkvault/internal/soft404web"
)

// withSoft404 returns o with soft 404 options s (webOptions turns the
// probe off).
func withSoft404(o Options, s Soft404Options) Options {
	o.Soft404 = s
	return o
}

// checkLabelled checks every case of the labelled soft 404 web and returns
// the results by URL.
func checkLabelled(t testing.TB, w *fakeweb.Web, cases []soft404web.Case, opts Options) map[string]linkvault.Result {
	t.Helper()
	c, err := NewChecker(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var targets []Target
	for _, cs := range cases {
		targets = append(targets, Target{URL: cs.URL})
	}
	got := map[string]linkvault.Result{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Check(ctx, targets, func(r linkvault.Result) { got[r.URL] = r }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cases) {
		t.Fatalf("%d results for %d cases", len(got), len(cases))
	}
	return got
}

// TestSoft404Labelled measures soft 404 detection on the labelled fake
// web: precision must be 1 (no false alarm) and recall at least 0.9. The
// numbers are in BENCHMARKS.md.
func TestSoft404Labelled(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	cases := soft404web.Install(w)
	if len(cases) < 40 {
		t.Fatalf("%d labelled cases, want at least 40", len(cases))
	}
	opts := withSoft404(webOptions(w), Soft404Options{})
	got := checkLabelled(t, w, cases, opts)
	tp, fp, fn, tn := soft404web.Score(cases, func(u string) bool { return got[u].Status == linkvault.StatusSoft404 })
	precision, recall := soft404web.PrecisionRecall(tp, fp, fn)
	t.Logf("%d cases: tp %d, fp %d, fn %d, tn %d; precision %.2f, recall %.2f", len(cases), tp, fp, fn, tn, precision, recall)
	for _, cs := range cases {
		r := got[cs.URL]
		flagged := r.Status == linkvault.StatusSoft404
		switch {
		case flagged && !cs.Soft404:
			t.Errorf("false alarm (%s): %s: %s", cs.Kind, cs.URL, r)
		case !flagged && cs.Soft404:
			t.Logf("missed (%s): %s: %s — %s", cs.Kind, cs.URL, r, cs.Note)
		}
		if flagged != r.SoftNotFound || flagged != (len(r.Evidence) > 0) {
			t.Errorf("%s: status %s, soft_404 %v, evidence %q disagree", cs.URL, r.Status, r.SoftNotFound, r.Evidence)
		}
		if !cs.Soft404 && cs.Kind != "hard-404" && r.Status != linkvault.StatusOK {
			t.Errorf("%s (%s): %s, want ok", cs.URL, cs.Kind, r)
		}
	}
	if precision < 1 {
		t.Errorf("precision %.3f, want 1.00", precision)
	}
	if recall < 0.9 {
		t.Errorf("recall %.3f, want at least 0.90", recall)
	}

	// The probe costs at most one request per host per run: every path a
	// host received is a case's path, a redirect target of one, or one
	// probe.
	probe := regexp.MustCompile(`/[a-z]{25}$`)
	hosts := map[string]bool{}
	for _, cs := range cases {
		u, _ := url.Parse(cs.URL)
		hosts[u.Hostname()] = true
	}
	for h := range hosts {
		n := 0
		for _, p := range w.Stats(h).Paths {
			if probe.MatchString(p) {
				n++
			}
		}
		if n > 1 {
			t.Errorf("%s received %d probes, want at most 1", h, n)
		}
	}
}

// TestSoft404Evidence checks the evidence each kind of soft 404 gives.
func TestSoft404Evidence(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	cases := soft404web.Install(w)
	got := checkLabelled(t, w, cases, withSoft404(webOptions(w), Soft404Options{}))
	want := map[string]string{
		"wechat-deleted":     linkvault.EvidencePlatform,
		"wechat-violation":   linkvault.EvidencePlatform,
		"redirect-root":      linkvault.EvidenceRedirectRoot,
		"redirect-ancestor":  linkvault.EvidenceRedirectUp,
		"redirect-404-page":  linkvault.EvidenceRedirectError,
		"template-404":       linkvault.EvidenceProbeSimilar,
		"template-404-zh":    linkvault.EvidenceProbeSimilar,
		"catch-all":          linkvault.EvidenceProbeSimilar,
		"catch-all-redirect": linkvault.EvidenceRedirectRoot,
		"parked":             linkvault.EvidenceParked,
		"parked-root":        linkvault.EvidenceParked,
		"generic-target":     linkvault.EvidenceGenericTarget,
	}
	for _, cs := range cases {
		ev, ok := want[cs.Kind]
		if !ok {
			continue
		}
		if r := got[cs.URL]; !slices.Contains(r.Evidence, ev) || !strings.HasPrefix(r.Reason, "soft 404: ") {
			t.Errorf("%s (%s): evidence %q, reason %q; want %s", cs.URL, cs.Kind, r.Evidence, r.Reason, ev)
		}
	}
}

// TestSoft404Off checks that Disabled turns every soft 404 into ok and
// sends no probe.
func TestSoft404Off(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	cases := soft404web.Install(w)
	got := checkLabelled(t, w, cases, withSoft404(webOptions(w), Soft404Options{Disabled: true}))
	for _, cs := range cases {
		if r := got[cs.URL]; r.Status == linkvault.StatusSoft404 {
			t.Errorf("%s: %s with detection off", cs.URL, r)
		}
	}
	probe := regexp.MustCompile(`/[a-z]{25}$`)
	for _, cs := range cases {
		u, _ := url.Parse(cs.URL)
		for _, p := range w.Stats(u.Hostname()).Paths {
			if probe.MatchString(p) {
				t.Fatalf("%s received a probe (%s) with detection off", u.Hostname(), p)
			}
		}
	}
}

// TestGenericTargetAcrossRuns checks that links recorded in earlier runs
// (Options.KnownLandings) count towards a generic landing page: one link
// of this run that lands where two links of earlier runs landed is a soft
// 404, alone it is not; a link landing on its own new page never is.
func TestGenericTargetAcrossRuns(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("lab.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/archive/moved" || r.URL.Path == "/people/new-name":
			htmlPage("Lab", "A page of the lab, long enough to be a page of its own.")(rw, r)
		case r.URL.Path == "/projects/alpha" || r.URL.Path == "/projects/beta" || r.URL.Path == "/projects/gamma":
			// Retired projects all end on one page; unknown paths are
			// a real 404, so the probe says nothing.
			http.Redirect(rw, r, "/archive/moved", http.StatusMovedPermanently)
		case r.URL.Path == "/people/old-name":
			http.Redirect(rw, r, "/people/new-name", http.StatusMovedPermanently)
		default:
			http.NotFound(rw, r)
		}
	})
	known := map[string]string{
		"http://lab.test/projects/alpha": "http://lab.test/archive/moved",
		"http://lab.test/projects/beta":  "http://lab.test/archive/moved",
	}
	targets := []Target{{URL: "http://lab.test/projects/gamma"}, {URL: "http://lab.test/people/old-name"}}
	opts := withSoft404(webOptions(w), Soft404Options{})
	alone := checkAll(t, opts, targets...)
	if alone[0].Status != linkvault.StatusOK {
		t.Errorf("alone: %s, want ok (one link on the landing page)", alone[0])
	}
	// The probe asks under the parent of the host's first link in the
	// input, whichever link answers first: the same path every run.
	probes := 0
	for _, p := range w.Stats("lab.test").Paths {
		if regexp.MustCompile(`/[a-z]{25}$`).MatchString(p) {
			probes++
			if !regexp.MustCompile(`^/projects/[a-z]{25}$`).MatchString(p) {
				t.Errorf("probe %s, want /projects/ + 25 letters", p)
			}
		}
	}
	if probes != 1 {
		t.Errorf("%d probes, want 1", probes)
	}
	opts.KnownLandings = known
	rs := checkAll(t, opts, targets...)
	if r := rs[0]; r.Status != linkvault.StatusSoft404 || !slices.Equal(r.Evidence, []string{linkvault.EvidenceGenericTarget}) || r.MovedTo != "" {
		t.Errorf("with history: %s evidence %q moved to %q; want soft404 [generic-target], no move", r, r.Evidence, r.MovedTo)
	}
	if r := rs[1]; r.Status != linkvault.StatusOK || r.MovedTo != "http://lab.test/people/new-name" {
		t.Errorf("renamed page: %s moved to %q, want ok, moved", r, r.MovedTo)
	}
	opts.Soft404.GenericMin = 4
	if r := checkAll(t, opts, targets...)[0]; r.Status != linkvault.StatusOK {
		t.Errorf("generic_min 4: %s, want ok (3 links)", r)
	}
}

// TestShortLinksToOnePage checks that short links sending readers to the
// same page of another site are not a generic landing page (the
// shortener answers unknown codes with a 404).
func TestShortLinksToOnePage(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("sho.rt").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) != 4 {
			http.NotFound(rw, r)
			return
		}
		http.Redirect(rw, r, "http://company.test/", http.StatusMovedPermanently)
	})
	w.Host("company.test").Handler = htmlPage("Company", "Welcome to the company.")
	opts := withSoft404(webOptions(w), Soft404Options{})
	for _, r := range checkAll(t, opts, Target{URL: "http://sho.rt/abc"}, Target{URL: "http://sho.rt/def"}, Target{URL: "http://sho.rt/ghi"}) {
		if r.Status != linkvault.StatusOK {
			t.Errorf("%s: %s, want ok", r.URL, r)
		}
	}
}

// TestProbeIsOneRequest checks that a probe answered with a server error
// is not retried (the host's 200s are believed) while links are.
func TestProbeIsOneRequest(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("site.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/docs/page" {
			http.Error(rw, "oops", http.StatusServiceUnavailable)
			return
		}
		htmlPage("Page", "Its own text.")(rw, r)
	})
	opts := withSoft404(webOptions(w), Soft404Options{})
	if r := checkAll(t, opts, Target{URL: "http://site.test/docs/page"})[0]; r.Status != linkvault.StatusOK {
		t.Errorf("got %s, want ok", r)
	}
	if n := w.Stats("site.test").Requests; n != 2 {
		t.Errorf("site.test received %d requests (%q), want 2: the link and one probe", n, w.Stats("site.test").Paths)
	}
}

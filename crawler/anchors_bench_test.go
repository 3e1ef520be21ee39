package crawler

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// fragmentSite is a generated site of n pages whose anchors and links are
// known: every page has ids, <a name>s, GitHub README headings
// (user-content-…) and Chinese ids; the links to it carry fragments that
// are present (as written or percent-encoded), missing, or of the kinds
// never judged (routes, line anchors, text fragments, #top). missing is
// the ground truth: URL → the fragments a correct checker reports.
type fragmentSite struct {
	pages   map[string]string // path → HTML
	targets []Target
	missing map[string][]string
}

func newFragmentSite(n int, seed uint64) *fragmentSite {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := &fragmentSite{pages: map[string]string{}, missing: map[string][]string{}}
	for i := range n {
		path := fmt.Sprintf("/docs/page-%d", i)
		u := "http://site.test" + path
		var b strings.Builder
		fmt.Fprintf(&b, "<!doctype html><html><head><title>Page %d</title></head><body>\n", i)
		var present []string
		for k := range 3 + rng.IntN(20) {
			var name string
			switch k % 4 {
			case 0:
				name = fmt.Sprintf("section-%d", k)
				fmt.Fprintf(&b, "<h2 id=%q>Section %d</h2><p>%s</p>\n", name, k, strings.Repeat("text ", 40))
			case 1:
				name = fmt.Sprintf("anchor-%d", k)
				fmt.Fprintf(&b, "<a name=%q></a><p>%s</p>\n", name, strings.Repeat("more ", 30))
			case 2:
				name = fmt.Sprintf("heading-%d", k)
				fmt.Fprintf(&b, `<div class="markdown-heading"><h2>Heading</h2><a id="user-content-%s" class="anchor" href="#%s"></a></div>`+"\n", name, name)
			case 3:
				name = fmt.Sprintf("第%d节", k)
				fmt.Fprintf(&b, "<h3 id=%q>第%d节</h3>\n", name, k)
			}
			present = append(present, name)
		}
		b.WriteString("</body></html>")
		s.pages[path] = b.String()

		var frags []string
		for range 1 + rng.IntN(6) {
			switch rng.IntN(6) {
			case 0, 1: // present, as written
				frags = append(frags, present[rng.IntN(len(present))])
			case 2: // present, percent-encoded
				frags = append(frags, url.PathEscape(present[rng.IntN(len(present))]))
			case 3, 4: // missing: renamed or removed sections
				f := fmt.Sprintf("removed-%d", rng.IntN(1000))
				if rng.IntN(2) == 0 {
					f = fmt.Sprintf("旧章节-%d", rng.IntN(1000))
				}
				frags = append(frags, f)
				if !slices.Contains(s.missing[u], f) {
					s.missing[u] = append(s.missing[u], f)
				}
			case 5: // never judged
				frags = append(frags, []string{"/app/route", "!/page/2", "L10-L20", ":~:text=more", "top"}[rng.IntN(5)])
			}
		}
		// The links of one page may come as several targets (links that
		// differ by fragment, from several notes).
		half := len(frags) / 2
		s.targets = append(s.targets, Target{URL: u, Fragments: frags[:half:half]}, Target{URL: u, Fragments: frags[half:]})
	}
	return s
}

// TestFragmentGroundTruth checks the fragments of a generated 300-page
// site: every missing fragment is found, nothing else is reported, and
// each page is fetched once however many targets and fragments it has.
func TestFragmentGroundTruth(t *testing.T) {
	site := newFragmentSite(300, 16)
	w := fakeweb.New()
	defer w.Close()
	w.Host("site.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, ok := site.pages[r.URL.Path]
		if !ok {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Write([]byte(body))
	})
	got := map[string][]string{}
	for _, r := range checkAll(t, webOptions(w), site.targets...) {
		if r.Status != linkvault.StatusOK {
			t.Fatalf("%s: %s", r.URL, r)
		}
		got[r.URL] = r.MissingFragments
	}
	tp, fp, fn, want := 0, 0, 0, 0
	for u, miss := range site.missing {
		want += len(miss)
		for _, f := range miss {
			if slices.Contains(got[u], f) {
				tp++
			} else {
				fn++
				t.Errorf("%s#%s: missing, not reported", u, f)
			}
		}
	}
	for u, miss := range got {
		for _, f := range miss {
			if !slices.Contains(site.missing[u], f) {
				fp++
				t.Errorf("%s#%s: reported missing, is not", u, f)
			}
		}
	}
	if n := w.Stats("site.test").Requests; n != len(site.pages) {
		t.Errorf("%d requests for %d pages, want one each", n, len(site.pages))
	}
	t.Logf("%d pages, %d missing fragments in the ground truth: %d found, %d false, %d not found", len(site.pages), want, tp, fp, fn)
}

// BenchmarkAnalyzePageFragments is the cost of judging fragments on the
// page analysis: a 200 KB documentation page with 400 anchors, analysed
// without fragments (as before) and with 5.
func BenchmarkAnalyzePageFragments(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("<!doctype html><html><head><title>Manual</title></head><body><main>")
	for k := range 400 {
		fmt.Fprintf(&sb, `<h2 id="section-%d">Section %d</h2><p>%s</p>`, k, k, strings.Repeat("Lorem ipsum dolor sit amet, consectetur. ", 12))
	}
	sb.WriteString("</main></body></html>")
	page := []byte(sb.String())
	frags := []string{"section-3", "section-399", "gone", "L10-L20", "%E7%AC%AC1%E8%8A%82"}
	for _, tc := range []struct {
		name  string
		frags []string
	}{{"none", nil}, {"five", frags}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				analyzePageFor(page, "text/html; charset=utf-8", "", tc.frags)
			}
		})
	}
}

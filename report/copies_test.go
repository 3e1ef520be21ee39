package report

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/linkvault/linkvault"
)

// The terminal says, under a newly dead link, that a copy exists and how
// to get it; without a local copy it names the Wayback Machine's; a
// hostile (non-http) Wayback URL is never printed.
func TestTextNewlyDeadNamesCopy(t *testing.T) {
	d := fixture()
	var b strings.Builder
	if err := Text(&b, d, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "Newly dead (1)\n  ✗ https://example.com/gone  404 Not Found · verified 2 minutes ago\n      notes/a.md:3:5, +1 more\n      archived 2026-02-27 · linkvault get https://example.com/gone\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("text lacks\n%s\ngot:\n%s", want, b.String())
	}

	// Without the local copy: the Wayback Machine's.
	d = fixture()
	d.Entries[0].Captures = nil
	b.Reset()
	if err := Text(&b, d, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want = "      notes/a.md:3:5, +1 more\n      archived copy elsewhere: https://web.archive.org/web/20260101000000/https://example.com/gone\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("text lacks\n%s\ngot:\n%s", want, b.String())
	}

	// Verbose: the still dead link with a javascript: Wayback URL shows no
	// copy at all.
	b.Reset()
	if err := Text(&b, fixture(), TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "javascript:") {
		t.Errorf("verbose text shows a javascript: URL:\n%s", b.String())
	}
}

func TestCopyNotesQuotesURL(t *testing.T) {
	e := &Entry{
		URLRecord: linkvault.URLRecord{URL: "https://example.com/a?x=1&y='2'", State: linkvault.StateDead},
		Captures:  []linkvault.Capture{{Time: t0}},
	}
	local, elsewhere := CopyNotes(e, linkvault.Policy{})
	if want := `archived 2026-03-01 · linkvault get 'https://example.com/a?x=1&y='\''2'\'''`; local != want {
		t.Errorf("local = %s, want %s", local, want)
	}
	if elsewhere != "" {
		t.Errorf("elsewhere = %q without a Wayback snapshot", elsewhere)
	}
}

// The "Newly dead" and "Newly failing" cards of the HTML report link the
// archived copy (as a download when it could run scripts) and the Wayback
// Machine's; a dead or failing link with neither gets a search of the
// Wayback Machine, one with only a copy in the WARC files says how to get
// it.
func TestHTMLChangeCardsLinkCopies(t *testing.T) {
	_, doc := renderHTML(t, fixture())
	item := func(url string) *goquery.Selection {
		var found *goquery.Selection
		doc.Find(".change li").Each(func(_ int, s *goquery.Selection) {
			if s.Find(".url").First().Text() == url {
				found = s
			}
		})
		if found == nil {
			t.Fatalf("no change item for %s", url)
		}
		return found
	}
	links := func(s *goquery.Selection) []string {
		var out []string
		s.Find(".copies a").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			dl, _ := a.Attr("download")
			out = append(out, strings.TrimSpace(a.Text()+" "+href+" "+dl))
		})
		return out
	}
	tests := []struct {
		url, card string
		want      []string
		note      string
	}{
		{"https://example.com/gone", "newly-dead", []string{
			"archived copy archive/example.com/gone.html",
			"Wayback Machine copy https://web.archive.org/web/20260101000000/https://example.com/gone",
		}, ""},
		{"https://flaky.example.net/", "newly-failing", []string{
			"search the Wayback Machine https://web.archive.org/web/*/https://flaky.example.net/",
		}, ""},
		{"https://blog.example.org/2019/05/kubecon-notes", "newly-failing", []string{
			"search the Wayback Machine https://web.archive.org/web/*/https://blog.example.org/2019/05/kubecon-notes",
		}, "archived 2026-02-28 · linkvault get"},
	}
	for _, tt := range tests {
		it := item(tt.url)
		if card, _ := it.Closest(".change").Attr("data-change"); card != tt.card {
			t.Errorf("%s is in card %q, want %q", tt.url, card, tt.card)
		}
		if got := links(it); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("copies of %s:\n got %q\nwant %q", tt.url, got, tt.want)
		}
		if got := strings.TrimSpace(it.Find(".copies span.copy").Text()); got != tt.note {
			t.Errorf("local copy note of %s = %q, want %q", tt.url, got, tt.note)
		}
	}
	// A moved link's card offers no copy.
	if n := item("http://github.com/old/repo").Find(".copies").Length(); n != 0 {
		t.Errorf("the newly moved card shows %d copy lines", n)
	}
}

func TestWaybackSearchEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.example/x#frag":      "https://web.archive.org/web/*/https://a.example/x%23frag",
		"https://a.example/a b?q='x'":   "https://web.archive.org/web/*/https://a.example/a%20b?q=%27x%27",
		"javascript:alert(1)":           "",
		"mailto:someone@example.com":    "",
		"https://例子.测试/路径?查询=1":         "https://web.archive.org/web/*/https://例子.测试/路径?查询=1",
		"https://a.example/\"><script>": "https://web.archive.org/web/*/https://a.example/%22><script>",
	} {
		if got := waybackSearch(in); got != want {
			t.Errorf("waybackSearch(%q) = %q, want %q", in, got, want)
		}
	}
}

package crawler

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/linkvault/linkvault"
)

// benchWords is the vocabulary of the generated benchmark page.
var benchWords = strings.Fields(`link checker crawl request response header body page site host
	queue retry timeout redirect archive snapshot capture status broken anchor fragment
	scheduler limit token bucket politeness robots sitemap document parser encoding charset
	title heading paragraph table list image script style template footer navigation
	the a of to and in is for on with that by as at from this be are was it an or not`)

// benchPage returns a realistic HTML page of about size bytes: a head with
// metadata, styles and scripts, a navigation bar, an article of paragraphs
// with inline links, a sidebar and a footer of link lists.
func benchPage(size int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = benchWords[r.IntN(len(benchWords))]
		}
		return strings.Join(w, " ")
	}
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checking links at scale | Example Engineering Blog</title>
<meta name="description" content="How a link checker schedules its requests.">
<link rel="stylesheet" href="/assets/site.css"><link rel="icon" href="/favicon.ico">
<style>body{font-family:sans-serif;margin:0}.nav a{padding:0 8px}.post p{line-height:1.6}</style>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());</script>
</head><body><header class="site-header"><nav class="nav" id="main-nav"><ul>`)
	for i := range 40 {
		fmt.Fprintf(&b, `<li><a href="/section/%d">%s</a></li>`, i, words(2))
	}
	b.WriteString(`</ul></nav></header><main><article class="post"><h1>Checking links at scale</h1>
<p class="byline">By <a href="/authors/someone">A. Writer</a>, <time datetime="2024-05-01">May 1, 2024</time></p>`)
	tail := `</article><aside class="sidebar"><h2>Related</h2><ul>`
	for i := range 15 {
		tail += fmt.Sprintf(`<li><a href="/posts/%d">%s</a></li>`, i, words(5))
	}
	tail += `</ul></aside></main><footer class="site-footer">`
	for i := range 4 {
		tail += fmt.Sprintf(`<div class="col"><h3>Column %d</h3><ul>`, i)
		for j := range 10 {
			tail += fmt.Sprintf(`<li><a href="/footer/%d/%d">%s</a></li>`, i, j, words(2))
		}
		tail += `</ul></div>`
	}
	tail += `<p>&copy; 2024 Example Corp. All rights reserved.</p></footer>
<script src="/assets/vendor.js" defer></script><script src="/assets/app.js" defer></script>
<noscript><img src="/pixel.gif" alt=""></noscript></body></html>`
	for i := 0; b.Len()+len(tail) < size; i++ {
		if i%6 == 5 {
			fmt.Fprintf(&b, "<h2 id=\"s%d\">%s</h2>\n", i, words(4))
			continue
		}
		fmt.Fprintf(&b, "<p>%s <a href=\"/docs/%d\">%s</a> %s. %s <code>%s</code> %s.</p>\n",
			words(25), i, words(3), words(20), words(15), words(1), words(20))
	}
	b.WriteString(tail)
	return []byte(b.String())
}

// siteTmpl is a site template: what every page of the site has around its
// article.
type siteTmpl struct {
	header, aside, footer string
}

// linkList returns a list of links with the given labels.
func linkList(class string, labels ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<ul class=%q>`, class)
	for i, l := range labels {
		fmt.Fprintf(&b, `<li><a href="/%s/%d">%s</a></li>`, class, i, l)
	}
	b.WriteString("</ul>")
	return b.String()
}

var (
	councilSite = siteTmpl{
		header: `<header><a class="logo" href="/">Harbour Town Council</a><nav>` +
			linkList("nav", "Home", "Council services", "Bins and recycling", "Parking permits", "Planning applications", "Meetings and minutes", "Local news", "Contact us") +
			`<form action="/search"><input name="q" placeholder="Search"></form></nav></header>`,
		aside: `<aside class="sidebar"><h3>Popular</h3>` +
			linkList("popular", "Report a pothole", "Library opening times", "Pay council tax", "Register to vote", "Book a sports pitch") + `</aside>`,
		footer: `<footer><p>Harbour Town Council, 1 Quay Street. Open Monday to Friday, nine to five.</p>` +
			linkList("legal", "Accessibility", "Privacy notice", "Cookies", "Freedom of information", "Jobs") + `</footer>`,
	}
	newsSite = siteTmpl{
		header: `<div id="top"><div class="brand">Riverside Chronicle</div><div class="menu">` +
			linkList("menu", "Front page", "Politics", "Business", "Culture", "Sport", "Weather", "Letters", "Subscribe") + `</div></div>`,
		aside: `<div class="widget"><h4>Most read this week</h4>` +
			linkList("most-read", "Ferry timetable changes from Monday", "Council approves new cycle lanes", "Choir celebrates fifty years", "Flood barrier tested at dawn") +
			`<div class="ad">Advertisement: garden furniture sale, this weekend only</div></div>`,
		footer: `<div class="bottom"><p>The Riverside Chronicle is published by Riverside Media. Send tips to the newsdesk.</p>` +
			linkList("about", "About us", "Advertise", "Corrections", "Terms of use") + `</div>`,
	}
	// megaSite has a mega menu and a footer site map of about 750 words:
	// more than twenty times a short article.
	megaSite = func() siteTmpl {
		var menu, sitemap []string
		for _, section := range strings.Fields("Council Housing Transport Schools Health Leisure Business Environment Culture Libraries Planning Licensing") {
			for _, topic := range []string{"overview", "services and support", "apply online", "fees and charges", "news and updates", "contact the team",
				"guides and forms", "frequently asked questions", "consultations", "reports and data", "opening times", "complaints"} {
				menu = append(menu, section+" "+topic)
			}
		}
		for _, area := range []string{"North ward", "South ward", "East ward", "West ward", "Old town", "Harbour", "Hillside", "Meadows",
			"Quayside", "Station quarter", "Castle hill", "Riverside"} {
			for _, what := range []string{"councillors", "events calendar", "planning map", "waste collection days", "parks and open spaces", "community groups",
				"road works", "polling stations", "schools", "bus routes", "libraries", "sports clubs"} {
				sitemap = append(sitemap, area+" "+what)
			}
		}
		return siteTmpl{
			header: `<header><nav class="mega-menu">` + linkList("menu", menu...) + `</nav></header>`,
			footer: `<footer><div class="sitemap">` + linkList("sitemap", sitemap...) +
				`</div><p>Harbour Town Council, 1 Quay Street. Open Monday to Friday, nine to five.</p></footer>`,
		}
	}()
)

// htmlParas returns the HTML paragraphs of texts.
func htmlParas(texts []string) string {
	var b strings.Builder
	for _, t := range texts {
		b.WriteString("<p>" + t + "</p>\n")
	}
	return b.String()
}

// tmplPage returns an HTML page of site with title and the inner HTML of
// its article.
func tmplPage(s siteTmpl, title, article string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + title + `</title>
<link rel="stylesheet" href="/site.css"><script src="/site.js" defer></script></head><body>` +
		s.header + `<div class="layout"><main><article>` + article + `</article></main>` + s.aside + `</div>` + s.footer +
		`<script>window.analytics = {page: location.pathname};</script></body></html>`
}

func TestMainText(t *testing.T) {
	article := "<h1>Library maps</h1>" + htmlParas(articleEN[:3])
	tests := []struct {
		name    string
		html    string
		want    []string // in the main text
		notWant []string // in the visible text but not in the main text
	}{
		{"article in site A", tmplPage(councilSite, "Maps", article),
			[]string{"Library maps", "basement archive", "blotting sheets", "colour target"},
			[]string{"Parking permits", "Report a pothole", "Privacy notice", "Quay Street"}},
		{"article in site B", tmplPage(newsSite, "Maps", article),
			[]string{"basement archive", "blotting sheets", "colour target"},
			[]string{"Politics", "Ferry timetable", "garden furniture", "Corrections"}},
		{"heading equal to the title", tmplPage(councilSite, "How the Millbrook library saved its maps", "<h1>How the Millbrook library saved its maps</h1>"+htmlParas(articleEN[:2])),
			[]string{"How the Millbrook library saved its maps When the county library"},
			[]string{"Bins and recycling"}},
		{"Chinese article in site A", tmplPage(councilSite, "骑车", htmlParas(articleZH)),
			[]string{"单程大约九公里", "公交和地铁永远是可靠的备选"},
			[]string{"Parking permits", "Report a pothole", "Privacy notice"}},
		{"article in the big template", tmplPage(megaSite, "Maps", htmlParas(articleEN[:1])),
			[]string{"basement archive", "rowing boat"},
			[]string{"Housing apply online", "Meadows road works", "Riverside sports clubs"}},
	}
	for _, tt := range tests {
		p := analyzePage([]byte(tt.html), "text/html; charset=utf-8", "")
		for _, w := range tt.want {
			if !strings.Contains(p.main, w) {
				t.Errorf("%s: main text lacks %q: %q", tt.name, w, p.main)
			}
		}
		for _, w := range tt.notWant {
			if !strings.Contains(p.text, w) {
				t.Errorf("%s: visible text lacks %q", tt.name, w)
			}
			if strings.Contains(p.main, w) {
				t.Errorf("%s: main text has %q: %q", tt.name, w, p.main)
			}
		}
		if strings.Contains(p.main, "analytics") || strings.Contains(p.main, "  ") {
			t.Errorf("%s: main text has scripts or uncollapsed space: %q", tt.name, p.main)
		}
	}
}

func TestMainTextTemplateStable(t *testing.T) {
	for _, art := range [][]string{articleEN, articleZH} {
		a := analyzePage([]byte(tmplPage(councilSite, "A", htmlParas(art))), "text/html", "")
		b := analyzePage([]byte(tmplPage(newsSite, "B", htmlParas(art))), "text/html", "")
		d := distance(a.textHash, b.textHash)
		t.Logf("%.12s…: same article in two templates: distance %d, main texts equal: %v", art[0], d, a.main == b.main)
		if a.textHash == 0 || d >= linkvault.DefaultDriftDistance {
			t.Errorf("%.12s…: same article in two templates: hashes %x and %x, distance %d", art[0], a.textHash, b.textHash, d)
		}
		if a.main != b.main {
			t.Errorf("%.12s…: main texts differ:\n%q\n%q", art[0], a.main, b.main)
		}
	}
}

// TestMainTextStrippedTree checks that readability finds the same main
// text in the tree analyzePage has stripped of scripts, styles, noscript
// and templates as in the tree straight from the parser: readability
// removes the first three itself. It keeps the inert content of a
// <template>, which the stripped tree rightly lacks.
func TestMainTextStrippedTree(t *testing.T) {
	extra := `<noscript><p>Please enable JavaScript to see the comments on this article.</p></noscript>` +
		`<template><p>A comment template with a placeholder text.</p></template><style>p{margin:0}</style>` +
		`<script type="application/ld+json">{"@type":"NewsArticle","headline":"Maps"}</script>`
	pages := map[string]string{
		"site A":         tmplPage(councilSite, "Maps", "<h1>Library maps</h1>"+extra+htmlParas(articleEN)),
		"site B Chinese": tmplPage(newsSite, "骑车", htmlParas(articleZH[:3])+extra+htmlParas(articleZH[3:])),
		"benchmark page": string(benchPage(60 << 10)),
		"not found":      notFoundPage("/a/b"),
	}
	for name, h := range pages {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(h))
		if err != nil {
			t.Fatal(err)
		}
		doc.Find("template").Remove()
		want := mainText(doc.Nodes[0])
		got := analyzePage([]byte(h), "text/html", "").main
		if got != want || got == "" {
			t.Errorf("%s: main text of the stripped tree differs:\n%q\nwant\n%q", name, got, want)
		}
		if strings.Contains(got, "placeholder") || strings.Contains(got, "enable JavaScript") {
			t.Errorf("%s: main text has template or noscript text: %q", name, got)
		}
	}
}

func TestMainTextFallback(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"short page", `<html><head><title>Hi</title></head><body><p>Back soon.</p></body></html>`, "Back soon."},
		{"empty body", `<html><head><title>Hi</title></head><body></body></html>`, ""},
		{"bare text", `<html><body>bare <b>text</b> only</body></html>`, "bare text only"},
	}
	for _, tt := range tests {
		p := analyzePage([]byte(tt.html), "text/html", "")
		if p.main != tt.want {
			t.Errorf("%s: main = %q, want %q", tt.name, p.main, tt.want)
		}
		if p.textHash != 0 {
			t.Errorf("%s: textHash = %x for a short text, want 0", tt.name, p.textHash)
		}
	}

	// Too many elements for readability: the main text is the visible text.
	huge := "<html><body><p>" + strings.Repeat("<i>x</i> ", maxMainElems) + "</p></body></html>"
	p := analyzePage([]byte(huge), "text/html", "")
	if p.main != p.text || len(p.main) != 2*maxMainElems-1 {
		t.Errorf("page of %d elements: main text of %d bytes, visible text of %d", maxMainElems, len(p.main), len(p.text))
	}
}

func TestAppShell(t *testing.T) {
	tests := []struct {
		name string
		html string
		want bool
	}{
		{"React shell", `<!doctype html><html><head><meta charset="utf-8"><title>Dashboard</title>
<script type="module" crossorigin src="/assets/index-4f2a9c.js"></script></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>`, true},
		{"Next.js shell", `<html><head><title>Shop</title></head><body><div id="__next"></div>
<script id="__NEXT_DATA__" type="application/json">{"props":{}}</script><script src="/_next/static/chunks/main.js"></script></body></html>`, true},
		{"inline bundle, empty mount", `<html><body><div id="app"></div><script>document.getElementById("app").textContent = "hello from a long inline bundle"</script></body></html>`, true},
		{"loading text in the mount", `<html><body><div id="app">Loading…</div><script src="/app.js"></script></body></html>`, true},
		{"short real page with a script", `<html><head><title>Contact</title><script src="/stats.js"></script></head>
<body><h1>Contact</h1><p>Write to us at the address below; we answer within two working days.</p></body></html>`, false},
		{"server-rendered chrome around an empty mount", `<html><head><title>Docs</title></head><body>
<nav><a href="/">Home</a> <a href="/guide">Guide</a> <a href="/api">API reference</a> <a href="/blog">Blog</a></nav>
<div id="app"></div><footer>© 2026 Example Inc. All rights reserved.</footer><script src="/app.js"></script></body></html>`, true},
		{"rendered app", `<html><body><div id="root"><h1>Opening hours</h1><p>Monday to Friday from nine to five, closed on public holidays.</p></div><script src="/app.js"></script></body></html>`, false},
		{"short text in the mount, inline script", `<html><body><div id="app"><p>Closed today.</p></div><script>var seen = 1</script></body></html>`, false},
		{"almost empty page without scripts", `<html><head><title>Hello</title></head><body><p>Hello.</p></body></html>`, false},
	}
	for _, tt := range tests {
		p := analyzePage([]byte(tt.html), "text/html", "")
		if got := appShell(p); got != tt.want {
			t.Errorf("%s: appShell = %v, want %v (text %q, scriptSrc %v, emptyMount %v)", tt.name, got, tt.want, p.text, p.scriptSrc, p.emptyMount)
		}
	}
}

func TestAnalyzeCollapse(t *testing.T) {
	tests := []string{"", " ", "a", "  a  b\t\nc  ", "\u00a0x\u0085y\u3000z", "中文\r\n\v\f文字", "bad\xffutf8 \xfe", "a\u200bb"}
	r := rand.New(rand.NewPCG(5, 6))
	pieces := []string{" ", "\t", "\n", "\u00a0", "\u2003", "a", "bc", "中", "\xff", "\u200b"}
	for range 500 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		tests = append(tests, b.String())
	}
	for _, s := range tests {
		if got, want := collapse(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	}
}

func BenchmarkAnalyzePage(b *testing.B) {
	raw := benchPage(60 << 10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		analyzePage(raw, "text/html; charset=utf-8", "")
	}
}

package crawler

import (
	"strings"

	"codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxMainElems is the number of elements above which mainText gives up:
// readability scores every element, several times for pages with little
// text, and a page of that size is not worth the time.
const maxMainElems = 30000

// blindTitle is the title readability sees: long enough to be kept as
// the article title, and without a word, so that it resembles no heading.
const blindTitle = "~~~~~~~~~~~~~~~~~~~~"

// mainText returns the main text of the document under root as
// readability (a port of Mozilla's Readability.js) finds it: the block
// with the most paragraph text and the fewest links, without navigation,
// sidebars and footers; whitespace collapsed. It returns "" when
// readability finds nothing or fails. It changes the tree: call it last.
// Scripts, styles and noscript may already be removed, readability
// removes them first anyway.
//
// Readability drops the first heading that resembles the page title, or
// the only <h1> when the title is short. How much an error page's heading
// resembles its title depends on the URL path both echo, so two error
// pages of one site would lose their headings or not. The title <meta>s
// are removed and the <title> is replaced by blindTitle: no heading is
// ever dropped.
func mainText(root *html.Node) string {
	if countElems(root, maxMainElems+1) > maxMainElems {
		return ""
	}
	doc := goquery.NewDocumentFromNode(root)
	doc.Find("title").Remove()
	doc.Find("meta").FilterFunction(func(_ int, s *goquery.Selection) bool {
		n, _ := s.Attr("name")
		p, _ := s.Attr("property")
		return strings.Contains(strings.ToLower(n+" "+p), "title")
	}).Remove()
	title := &html.Node{Type: html.ElementNode, Data: "title", DataAtom: atom.Title}
	title.AppendChild(&html.Node{Type: html.TextNode, Data: blindTitle})
	doc.Find("head").First().AppendNodes(title)
	p := readability.NewParser()
	p.DisableJSONLD = true // metadata only, and it needs the scripts
	a, err := p.ParseAndMutate(root, nil)
	if err != nil || a.Node == nil {
		return ""
	}
	return collapse(render.InnerText(a.Node))
}

// countElems returns the number of elements under n, counting up to
// limit at most.
func countElems(n *html.Node, limit int) int {
	count := 0
	for c := n.FirstChild; c != nil && count < limit; c = c.NextSibling {
		if c.Type == html.ElementNode {
			count++
		}
		count += countElems(c, limit-count)
	}
	return count
}

// mountPoints selects the elements that JavaScript frameworks render an
// application into (React, Vue, Next.js, Nuxt, Gatsby, Angular).
const mountPoints = "#root, #app, #__next, #__nuxt, #___gatsby, app-root"

// hasScriptSrc reports whether doc loads a script from a URL.
func hasScriptSrc(doc *goquery.Document) bool {
	return doc.Find("script[src]").Length() > 0
}

// hasEmptyMount reports whether doc has an application mount point
// without text. Call it after removing scripts, whose text does not count.
func hasEmptyMount(doc *goquery.Document) bool {
	empty := false
	doc.Find(mountPoints).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		empty = strings.TrimSpace(s.Text()) == ""
		return !empty
	})
	return empty
}

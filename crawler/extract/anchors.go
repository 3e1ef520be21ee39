package extract

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
)

// Slug returns GitHub's anchor for a Markdown heading whose text is s (the
// rendered text: no markup), as github-slugger computes it: lowercase;
// every character that is not a letter, a mark, a number, a connector
// ('_') or '-' removed, except the ASCII space, which becomes '-' (each
// one: "a  b" gives "a--b"). Chinese, Japanese and Korean characters are
// letters and are kept; full-width punctuation （），。： and the
// ideographic space are removed. "安装 (Linux)" gives "安装-linux".
func Slug(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.Pc):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Slugger gives the anchors of a document's headings in order, as GitHub
// does: a heading whose slug is already taken gets the first free
// "-1", "-2" … suffix ("Usage", "Usage", "Usage" give usage, usage-1,
// usage-2). The zero value is ready to use.
type Slugger struct{ seen map[string]int }

// Slug returns the anchor of the next heading, whose text is s.
func (g *Slugger) Slug(s string) string {
	if g.seen == nil {
		g.seen = map[string]int{}
	}
	base := Slug(s)
	out := base
	for {
		if _, taken := g.seen[out]; !taken {
			break
		}
		g.seen[base]++
		out = base + "-" + strconv.Itoa(g.seen[base])
	}
	g.seen[out] = 0
	return out
}

// Anchors returns the anchors that a link to a local file named name
// (content data) can name with a #fragment, and false when the file is
// neither Markdown nor HTML (its fragments are not judged). A Markdown
// file has its headings' anchors by GitHub's rules ([Slugger]; a heading
// in a code block is no heading) and the id and <a name> anchors of its
// raw HTML; an HTML file every id and <a name>. The anchors a renderer
// prefixes with "user-content-" are also listed without the prefix.
func Anchors(name string, data []byte) ([]string, bool) {
	switch formatOf(name) {
	case formatMarkdown:
		return markdownAnchors(data), true
	case formatHTML:
		return htmlAnchors(data, nil), true
	}
	return nil, false
}

// markdownAnchors returns the heading anchors and raw HTML anchors of a
// Markdown document.
func markdownAnchors(src []byte) []string {
	doc := mdParser().Parse(text.NewReader(src))
	var out []string
	var g Slugger
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			var b bytes.Buffer
			headingText(n, src, &b)
			out = append(out, g.Slug(b.String()))
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			var b bytes.Buffer
			for i := range n.Lines().Len() {
				seg := n.Lines().At(i)
				b.Write(seg.Value(src))
			}
			out = htmlAnchors(b.Bytes(), out)
		case *ast.RawHTML:
			for i := range n.Segments.Len() {
				seg := n.Segments.At(i)
				out = htmlAnchors(seg.Value(src), out)
			}
		}
		return ast.WalkContinue, nil
	})
	return out
}

// headingText writes the rendered text of a heading's inline content:
// text, code spans and link labels, without markup; raw HTML tags are
// dropped (their inner text is text of the heading).
func headingText(n ast.Node, src []byte, b *bytes.Buffer) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(src))
		case *ast.RawHTML:
		default:
			headingText(c, src, b)
		}
	}
}

// htmlAnchors appends every id and <a name> of an HTML fragment to out,
// and for "user-content-X" also X.
func htmlAnchors(data []byte, out []string) []string {
	z := html.NewTokenizer(bytes.NewReader(data))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tag, more := z.TagName()
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			if string(k) == "id" || string(k) == "name" && string(tag) == "a" {
				if a := strings.TrimSpace(string(v)); a != "" {
					out = append(out, a)
					if rest, ok := strings.CutPrefix(a, "user-content-"); ok && rest != "" {
						out = append(out, rest)
					}
				}
			}
		}
	}
}

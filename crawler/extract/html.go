package extract

import (
	"bytes"
	"net/url"
	"strings"
	"sync"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// htmlAttrs lists, per element, the attributes that hold links.
var htmlAttrs = map[string][]string{
	"a":      {"href"},
	"img":    {"src", "srcset"},
	"source": {"src", "srcset"},
	"link":   {"href"},
	"script": {"src"},
	"iframe": {"src"},
	"video":  {"src"},
	"audio":  {"src"},
	"object": {"data"},
}

// extractHTML emits the links of the HTML made of the given spans of src
// (a whole HTML file, or the raw HTML of a Markdown file).
//
// goquery (x/net/html) gives no positions, so they are found in the
// source: the document is walked in order and each element's start tag,
// then its attribute, then each bare URL of a text node, is searched
// forward from where the previous one was found. An element the parser
// made up or moved (and a URL written with entities in text) is given the
// position reached so far.
func extractHTML(src []byte, spans []span, emit func(occurrence)) {
	extractHTMLAt(src, spans, nil, emit)
}

// extractHTMLAt is extractHTML for a page at URL page (nil: a file):
// relative references resolve against its <base href>, itself resolved
// against page, or against page.
func extractHTMLAt(src []byte, spans []span, page *url.URL, emit func(occurrence)) {
	frag := src
	if len(spans) != 1 || spans[0].start != 0 || spans[0].stop != len(src) {
		frag = nil
		for _, s := range spans {
			frag = append(frag, src[s.start:s.stop]...)
		}
	}
	if !mayHoldLink(frag) {
		return
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(frag))
	if err != nil || len(doc.Nodes) == 0 {
		return
	}
	w := htmlWalker{frag: frag, spans: spans, emit: emit, base: page}
	if href, ok := doc.FindMatcher(baseHref()).First().Attr("href"); ok {
		if b, err := url.Parse(stripSpace(href)); err == nil && page != nil {
			w.base = page.ResolveReference(b)
		} else if err == nil && b.IsAbs() {
			w.base = b
		}
	}
	w.walk(doc.Nodes[0])
}

// baseHref matches the <base href> element, compiled once.
var baseHref = sync.OnceValue(func() goquery.Matcher { return goquery.Single("base[href]") })

// mayHoldLink reports whether HTML can yield a link: an attribute needs
// '=' (a valueless one is empty, and empty values are skipped) and a bare
// URL in text needs "://", or an entity ('&') that decodes to part of it.
// Markdown's raw HTML is mostly bare tags such as </a> or <details>,
// which are not worth a parse.
func mayHoldLink(frag []byte) bool {
	return bytes.IndexByte(frag, '=') >= 0 || bytes.IndexByte(frag, '&') >= 0 || bytes.Contains(frag, schemeSep)
}

type htmlWalker struct {
	frag   []byte
	spans  []span
	base   *url.URL
	cursor int // offset in frag reached so far
	emit   func(occurrence)
}

// srcOffset maps an offset in frag to one in the file.
func (w *htmlWalker) srcOffset(off int) int {
	for _, s := range w.spans {
		if n := s.stop - s.start; off < n {
			return s.start + off
		} else {
			off -= n
		}
	}
	if len(w.spans) == 0 {
		return off
	}
	return w.spans[len(w.spans)-1].stop
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.ElementNode:
		if attrs, ok := htmlAttrs[n.Data]; ok {
			w.element(n, attrs)
		}
		if n.Data == "script" || n.Data == "style" {
			return
		}
	case html.TextNode:
		w.text(n.Data)
		return
	case html.CommentNode:
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

// element emits the link attributes of one element.
func (w *htmlWalker) element(n *html.Node, names []string) {
	tagStart, tagEnd := findTag(w.frag, w.cursor, n.Data)
	if tagStart >= 0 {
		w.cursor = tagEnd
	}
	var txt string
	switch n.Data {
	case "a":
		txt = strings.Join(strings.Fields(goquery.NewDocumentFromNode(n).Text()), " ")
	case "img":
		txt = strings.TrimSpace(attr(n, "alt"))
	}
	for _, name := range names {
		val, ok := attrOK(n, name)
		if !ok {
			continue
		}
		valOff := w.cursor
		if tagStart >= 0 {
			if o := findAttrValue(w.frag[tagStart:tagEnd], name); o >= 0 {
				valOff = tagStart + o
			}
		}
		if name == "srcset" {
			raw := w.frag[valOff:]
			for _, u := range parseSrcset(val) {
				off := valOff
				if i := bytes.Index(raw[:min(len(raw), len(val)*2+16)], []byte(u)); i >= 0 {
					off += i
				}
				w.emitURL(off, u, txt)
			}
			continue
		}
		w.emitURL(valOff, stripSpace(val), txt)
	}
}

func (w *htmlWalker) emitURL(off int, u, txt string) {
	if u == "" || u[0] == '#' {
		return
	}
	if w.base != nil {
		if _, abs := schemeOf(u); !abs {
			if ref, err := url.Parse(u); err == nil {
				u = w.base.ResolveReference(ref).String()
			}
		}
	}
	w.emit(occurrence{off: w.srcOffset(off), dest: u, text: txt})
}

// text emits the bare URLs of a text node.
func (w *htmlWalker) text(s string) {
	if !strings.Contains(s, "://") {
		return
	}
	for _, m := range ScanText(s) {
		raw := s[m.Start:m.End]
		off := w.cursor
		if i := bytes.Index(w.frag[w.cursor:], []byte(raw)); i >= 0 {
			off = w.cursor + i
			w.cursor = off + len(raw)
		} else if i := bytes.Index(w.frag[w.cursor:], []byte(html.EscapeString(raw))); i >= 0 {
			off = w.cursor + i
			w.cursor = off + len(raw)
		}
		w.emit(occurrence{off: w.srcOffset(off), dest: m.URL})
	}
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// stripSpace removes leading and trailing whitespace and, as browsers do,
// tabs and newlines anywhere; inner spaces are kept (and later
// percent-encoded).
func stripSpace(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
	}
	return s
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// parseSrcset returns the URLs of a srcset attribute, following the HTML
// standard's algorithm: candidates are separated by commas, but a URL may
// itself contain commas (only trailing commas end it).
func parseSrcset(s string) []string {
	var out []string
	i := 0
	for {
		for i < len(s) && (isHTMLSpace(s[i]) || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			return out
		}
		j := i
		for j < len(s) && !isHTMLSpace(s[j]) {
			j++
		}
		u := s[i:j]
		i = j
		if strings.HasSuffix(u, ",") {
			u = strings.TrimRight(u, ",")
		} else {
			depth := 0
		desc:
			for i < len(s) {
				switch s[i] {
				case '(':
					depth++
				case ')':
					if depth > 0 {
						depth--
					}
				case ',':
					if depth == 0 {
						i++
						break desc
					}
				}
				i++
			}
		}
		if u != "" {
			out = append(out, u)
		}
	}
}

// findTag finds the start tag <name ...> at or after from, ignoring case;
// it returns the offsets of '<' and just past '>' (or -1, -1).
func findTag(b []byte, from int, name string) (start, end int) {
	for i := from; i < len(b); {
		k := bytes.IndexByte(b[i:], '<')
		if k < 0 {
			return -1, -1
		}
		i += k + 1
		if i+len(name) > len(b) || !equalFold(b[i:i+len(name)], name) {
			continue
		}
		if j := i + len(name); j < len(b) && !isHTMLSpace(b[j]) && b[j] != '/' && b[j] != '>' {
			continue
		}
		return i - 1, tagEnd(b, i+len(name))
	}
	return -1, -1
}

// equalFold reports whether b equals the lowercase ASCII name, ignoring
// ASCII case.
func equalFold(b []byte, name string) bool {
	for j := range len(name) {
		c := b[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[j] {
			return false
		}
	}
	return true
}

// tagEnd returns the offset just past the '>' that closes the tag whose
// attributes start at i, skipping quoted values.
func tagEnd(b []byte, i int) int {
	var quote byte
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1
		}
	}
	return len(b)
}

// findAttrValue returns the offset in tag of the first non-space character
// of the value of attribute name, or -1.
func findAttrValue(tag []byte, name string) int {
	lower := []byte(strings.ToLower(string(tag)))
	for i := 0; ; {
		k := bytes.Index(lower[i:], []byte(name))
		if k < 0 {
			return -1
		}
		k += i
		i = k + len(name)
		if k == 0 || !isHTMLSpace(lower[k-1]) && lower[k-1] != '"' && lower[k-1] != '\'' {
			continue
		}
		j := i
		for j < len(tag) && isHTMLSpace(tag[j]) {
			j++
		}
		if j >= len(tag) || tag[j] != '=' {
			continue
		}
		j++
		for j < len(tag) && isHTMLSpace(tag[j]) {
			j++
		}
		if j < len(tag) && (tag[j] == '"' || tag[j] == '\'') {
			j++
		}
		for j < len(tag) && isHTMLSpace(tag[j]) {
			j++
		}
		return j
	}
}

// SrcsetURLs returns the URLs of a srcset attribute as written, split as
// the HTML standard says (a URL may hold commas; only trailing commas end
// it). The crawler's page requisites read srcset with it.
func SrcsetURLs(s string) []string { return parseSrcset(s) }

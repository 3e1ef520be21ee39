package extract

import (
	"bytes"
	"slices"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mdParser is a CommonMark parser without extensions: no Linkify (bare
// URLs are ScanText's job). It is goldmark's default parser
// (goldmark.DefaultParser: the default block and inline parsers) with the
// link reference definition transformer behind [refDefGuard]. A goldmark
// parser is safe for concurrent use.
var mdParser = sync.OnceValue(func() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...),
		parser.WithParagraphTransformers(util.Prioritized(refDefGuard{}, 100)),
	)
})

// refDefGuard runs goldmark's LinkReferenceParagraphTransformer only on
// paragraphs that may hold a link reference definition, which it then
// parses unchanged. The transformer reads a definition as `[label]`
// immediately followed by `:` (parseLinkReferenceDefinition: FindClosure
// of ']' then Peek() == ':'), and the first failure ends it with the
// paragraph untouched and nothing added to the parser context. Inside one
// line that needs the bytes "]:" in the source; across lines, a line
// ending in ']' (the reader then peeks the next line's first byte). A
// paragraph with neither cannot hold a definition, so skipping it changes
// no node, reference or link — it only saves the block reader and
// segments the transformer allocates for every paragraph (most list items
// of a link list start with '[').
type refDefGuard struct{}

func (refDefGuard) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	src, lines := reader.Source(), node.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		v := src[seg.Start:seg.Stop]
		if bytes.Contains(v, refDefSep) || len(v) > 0 && v[len(v)-1] == ']' {
			parser.LinkReferenceParagraphTransformer.Transform(node, reader, pc)
			return
		}
	}
}

var refDefSep = []byte("]:")

// span is a byte range [start, stop) of a file.
type span struct{ start, stop int }

// extractMarkdown emits the links of a Markdown file: links, images and
// reference definitions, autolinks, raw HTML, and bare URLs in the text of
// paragraphs, headings and list items. Code is skipped unless includeCode.
// hint is the number of links expected; it sizes the walk's buffers.
// When wantHTML is set, it returns the ranges of raw HTML, inline and
// block (where inline ignore markers are).
func extractMarkdown(src []byte, includeCode bool, hint int, wantHTML bool, emit func(occurrence)) (html []span) {
	doc := mdParser().Parse(text.NewReader(src))
	n := hint + hint/8 + 16
	w := mdWalker{
		src:         src,
		includeCode: includeCode,
		emit:        emit,
		masks:       make([]span, 0, n),
		blocks:      make([]*text.Segments, 0, n),
		wantHTML:    wantHTML,
	}
	w.walk(doc)
	mdBare(src, w.blocks, mergeSpans(w.masks), emit)
	return w.html
}

type mdWalker struct {
	src         []byte
	includeCode bool
	emit        func(occurrence)
	masks       []span           // ranges whose bare URLs are not taken again
	blocks      []*text.Segments // lines of inline content to scan for bare URLs
	wantHTML    bool             // collect html
	html        []span           // raw HTML, inline and block
}

// walk visits n and its descendants in document order.
func (w *mdWalker) walk(n ast.Node) {
	src, emit := w.src, w.emit
	switch n := n.(type) {
	case *ast.Text, *ast.String:
		return
	case *ast.Paragraph, *ast.Heading, *ast.TextBlock:
		w.blocks = append(w.blocks, n.Lines())
	case *ast.Link:
		w.masks = append(w.masks, mdLink(src, n.Pos(), n.Destination, n.Title, n.Reference != nil, n, emit))
	case *ast.Image:
		w.masks = append(w.masks, mdLink(src, n.Pos(), n.Destination, n.Title, n.Reference != nil, n, emit))
	case *ast.AutoLink:
		label := n.Label(src)
		dest := string(n.URL(src))
		if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(dest), "mailto:") {
			dest = "mailto:" + dest
		}
		emit(occurrence{off: n.Pos() + 1, dest: dest})
		w.masks = append(w.masks, span{n.Pos(), n.Pos() + len(label) + 2})
		return
	case *ast.LinkReferenceDefinition:
		off := offsetOf(src, n.Destination, n.Pos())
		emit(occurrence{off: off, dest: mdUnescape(n.Destination)})
		return
	case *ast.CodeSpan:
		if !w.includeCode {
			end := n.Pos() + 1
			if t, ok := n.LastChild().(*ast.Text); ok {
				end = t.Segment.Stop + 1
			}
			w.masks = append(w.masks, span{n.Pos(), end})
		}
		return
	case *ast.RawHTML:
		spans := segmentSpans(n.Segments, nil)
		extractHTML(src, spans, emit)
		w.masks = append(w.masks, spans...)
		if w.wantHTML {
			w.html = append(w.html, spans...)
		}
		return
	case *ast.HTMLBlock:
		spans := segmentSpans(n.Lines(), nil)
		if n.HasClosure() {
			spans = append(spans, span{n.ClosureLine.Start, n.ClosureLine.Stop})
		}
		extractHTML(src, spans, emit)
		if w.wantHTML {
			w.html = append(w.html, spans...)
		}
		return
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		if w.includeCode {
			w.blocks = append(w.blocks, n.Lines())
		}
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		w.walk(c)
	}
}

// mdLink emits a link or image and returns the range it covers in the
// source. The destination's position is found in the source: for a
// reference link it is the destination in the definition, where the link
// is fixed.
func mdLink(src []byte, pos int, dest, title []byte, ref bool, n ast.Node, emit func(occurrence)) span {
	extent := span{pos, pos + 1}
	var txt []byte
	if t, ok := n.FirstChild().(*ast.Text); ok && t.NextSibling() == nil {
		txt = t.Segment.Value(src) // the common case: one plain text child
		extent.stop = max(extent.stop, t.Segment.Stop)
	} else {
		txt = linkText(src, n, nil, &extent)
	}
	off := offsetOf(src, dest, -1)
	if !ref && off >= pos {
		extent.stop = max(extent.stop, off+len(dest)+1)
		if t := offsetOf(src, title, off); t > off {
			extent.stop = max(extent.stop, t+len(title)+1)
		}
	}
	if off < 0 {
		off = pos
	}
	if len(dest) > 0 {
		emit(occurrence{off: off, dest: mdUnescape(dest), text: string(bytes.TrimSpace(txt))})
	}
	return extent
}

// linkText appends the text of n's descendants to txt and extends the
// extent to the end of the last one.
func linkText(src []byte, n ast.Node, txt []byte, extent *span) []byte {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			txt = append(txt, c.Segment.Value(src)...)
			if c.SoftLineBreak() {
				txt = append(txt, ' ')
			}
			extent.stop = max(extent.stop, c.Segment.Stop)
			continue
		case *ast.String:
			txt = append(txt, c.Value...)
			continue
		case *ast.CodeSpan:
			if t, ok := c.LastChild().(*ast.Text); ok {
				extent.stop = max(extent.stop, t.Segment.Stop+1)
			}
		}
		txt = linkText(src, c, txt, extent)
	}
	return txt
}

// offsetOf returns the offset of b in src when b is a slice of src's
// bytes (goldmark keeps destinations as slices of the source), else def.
func offsetOf(src, b []byte, def int) int {
	if len(b) == 0 {
		return def
	}
	off := cap(src) - cap(b)
	if off >= 0 && off+len(b) <= len(src) && bytes.Equal(src[off:off+len(b)], b) {
		return off
	}
	if def >= 0 && def <= len(src) {
		if i := bytes.Index(src[def:], b); i >= 0 {
			return def + i
		}
	}
	return def
}

// mdUnescape resolves backslash escapes and entity and numeric character
// references, as goldmark does before rendering a destination.
func mdUnescape(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 && bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	return string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(b))))
}

func segmentSpans(segs *text.Segments, out []span) []span {
	for i := range segs.Len() {
		s := segs.At(i)
		out = append(out, span{s.Start, s.Stop})
	}
	return out
}

// mergeSpans sorts spans and merges the overlapping ones.
func mergeSpans(s []span) []span {
	slices.SortFunc(s, func(a, b span) int { return a.start - b.start })
	out := s[:0]
	for _, x := range s {
		if n := len(out); n > 0 && x.start <= out[n-1].stop {
			out[n-1].stop = max(out[n-1].stop, x.stop)
			continue
		}
		out = append(out, x)
	}
	return out
}

// masked reports whether [a, b) overlaps one of the sorted, disjoint masks.
func masked(masks []span, a, b int) bool {
	i, _ := slices.BinarySearchFunc(masks, b, func(m span, t int) int { return m.start - t })
	// masks[:i] start before b; the last of them is the only candidate.
	return i > 0 && masks[i-1].stop > a
}

// mdBare scans the source lines of inline content for bare URLs, leaving
// out the masked ranges (links, autolinks, code spans, raw HTML). Scanning
// the source rather than the Text nodes keeps a URL whole when emphasis
// delimiters (`_`, `*`) split it into several nodes.
func mdBare(src []byte, blocks []*text.Segments, masks []span, emit func(occurrence)) {
	for _, lines := range blocks {
		for i := range lines.Len() {
			seg := lines.At(i)
			if !bytes.Contains(src[seg.Start:seg.Stop], schemeSep) {
				continue
			}
			// The gaps between the masks that overlap the line.
			k, _ := slices.BinarySearchFunc(masks, seg.Start, func(m span, t int) int { return m.stop - t - 1 })
			a := seg.Start
			for ; a < seg.Stop; k++ {
				b := seg.Stop
				if k < len(masks) && masks[k].start < seg.Stop {
					b = max(masks[k].start, a)
				}
				if gap := src[a:b]; bytes.Contains(gap, schemeSep) {
					for _, m := range ScanText(string(gap)) {
						emit(occurrence{off: a + m.Start, dest: mdUnescape([]byte(m.URL))})
					}
				}
				if k >= len(masks) || masks[k].start >= seg.Stop {
					break
				}
				a = masks[k].stop
			}
		}
	}
}

var (
	schemeSep = []byte("://")
	mdLinkSep = []byte("](")
)

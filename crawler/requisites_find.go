package crawler

import (
	"net/url"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"

	"github.com/linkvault/linkvault/crawler/extract"
	"github.com/linkvault/linkvault/internal/cssvalue"
)

// The kinds of page requisites (RequisiteOptions.Kinds).
const (
	RequisiteCSS      = "css"      // stylesheets: <link rel=stylesheet>, @import
	RequisiteImages   = "images"   // img src, srcset, lazy data-src/data-original, CSS url() images, posters
	RequisiteFonts    = "fonts"    // @font-face url(), <link rel=preload as=font>
	RequisiteFavicons = "favicons" // <link rel=icon>, apple-touch-icon, mask-icon
	RequisiteScripts  = "scripts"  // <script src> (never run by the replay)
)

// RequisiteKinds lists every kind, in the order of the docs.
var RequisiteKinds = []string{RequisiteCSS, RequisiteImages, RequisiteFonts, RequisiteFavicons, RequisiteScripts}

// DefaultRequisiteKinds are the kinds captured by default: what a page
// needs to look like itself. Scripts are opt-in.
var DefaultRequisiteKinds = []string{RequisiteCSS, RequisiteImages, RequisiteFonts, RequisiteFavicons}

// requisite is one resource a page (or a stylesheet) needs to render.
type requisite struct {
	url  string // absolute http(s) URL, without fragment
	kind string
}

// lazyAttrs are the attributes lazy-loading scripts read an image's URL
// from (WeChat articles use data-src).
var lazyAttrs = []string{"data-src", "data-original", "data-lazy-src", "data-url", "data-actualsrc"}

// lazySrcsetAttrs hold a lazy srcset.
var lazySrcsetAttrs = []string{"data-srcset", "data-lazy-srcset"}

// findHTMLRequisites returns the requisites of the HTML page raw (bytes as
// sent, decoded as the page analysis does) fetched from base, in document
// order, each once. A <base href> changes the base (the first one counts).
func findHTMLRequisites(raw []byte, contentType, base string) []requisite {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(decodeHTML(raw, contentType)))
	if err != nil {
		return nil
	}
	b, err := url.Parse(base)
	if err != nil {
		return nil
	}
	if h, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if nb, err := b.Parse(strings.TrimSpace(h)); err == nil {
			b = nb
		}
	}
	f := finder{base: b, seen: map[string]bool{}}
	doc.Find("link[href], img, source, input[src], video[poster], script[src], style, [style]").Each(func(_ int, s *goquery.Selection) {
		switch goquery.NodeName(s) {
		case "link":
			f.link(s)
		case "img", "source":
			f.image(s)
		case "input":
			if strings.EqualFold(s.AttrOr("type", ""), "image") {
				f.add(s.AttrOr("src", ""), RequisiteImages)
			}
		case "script":
			f.add(s.AttrOr("src", ""), RequisiteScripts)
		case "style":
			f.css([]byte(s.Text()), f.base, false)
		}
		if v, ok := s.Attr("poster"); ok && goquery.NodeName(s) == "video" {
			f.add(v, RequisiteImages)
		}
		if v, ok := s.Attr("style"); ok {
			f.css([]byte(v), f.base, true)
		}
	})
	return f.out
}

// findCSSRequisites returns the requisites of the stylesheet data fetched
// from base: @import (css), url() inside @font-face (fonts) and every other
// url() (images, or fonts by their file extension).
func findCSSRequisites(data []byte, base string) []requisite {
	b, err := url.Parse(base)
	if err != nil {
		return nil
	}
	f := finder{base: b, seen: map[string]bool{}}
	f.css(data, b, false)
	return f.out
}

// finder collects requisites, each URL once.
type finder struct {
	base *url.URL
	seen map[string]bool
	out  []requisite
}

func (f *finder) link(s *goquery.Selection) {
	href := s.AttrOr("href", "")
	rel := strings.Fields(strings.ToLower(s.AttrOr("rel", "")))
	switch {
	case slices.Contains(rel, "stylesheet"):
		f.add(href, RequisiteCSS)
	case slices.Contains(rel, "icon") || slices.Contains(rel, "apple-touch-icon") ||
		slices.Contains(rel, "apple-touch-icon-precomposed") || slices.Contains(rel, "mask-icon"):
		f.add(href, RequisiteFavicons)
	case slices.Contains(rel, "preload") || slices.Contains(rel, "prefetch"):
		switch strings.ToLower(s.AttrOr("as", "")) {
		case "style":
			f.add(href, RequisiteCSS)
		case "font":
			f.add(href, RequisiteFonts)
		case "image":
			f.add(href, RequisiteImages)
		case "script":
			f.add(href, RequisiteScripts)
		}
	}
}

// image reads the URLs of an img or a picture's source: src, srcset and
// the lazy-loading attributes. A <source> of a video or audio is media,
// not a requisite.
func (f *finder) image(s *goquery.Selection) {
	if goquery.NodeName(s) == "source" {
		if p := s.Parent(); goquery.NodeName(p) != "picture" {
			return
		}
	}
	if v, ok := s.Attr("src"); ok {
		f.add(v, RequisiteImages)
	}
	for _, a := range lazyAttrs {
		if v, ok := s.Attr(a); ok {
			f.add(v, RequisiteImages)
		}
	}
	for _, a := range append([]string{"srcset"}, lazySrcsetAttrs...) {
		if v, ok := s.Attr(a); ok {
			for _, u := range extract.SrcsetURLs(v) {
				f.add(u, RequisiteImages)
			}
		}
	}
}

// add resolves ref against the base and keeps it when it is a new http(s)
// URL.
func (f *finder) add(ref, kind string) {
	f.addAt(f.base, ref, kind)
}

func (f *finder) addAt(base *url.URL, ref, kind string) {
	ref = strings.TrimSpace(strings.NewReplacer("\n", "", "\r", "", "\t", "").Replace(ref))
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(strings.ToLower(ref), "data:") {
		return
	}
	u, err := base.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return
	}
	u.Fragment, u.RawFragment = "", ""
	if canon, _, err := extract.Canonical(u.String()); err == nil {
		if cu, err := url.Parse(canon); err == nil {
			u = cu
		}
	}
	s := u.String()
	if f.seen[s] {
		return
	}
	f.seen[s] = true
	f.out = append(f.out, requisite{url: s, kind: kind})
}

// css scans a stylesheet (or, inline, a style attribute's declarations)
// with a CSS Syntax Level 3 tokenizer for @import and url() references.
func (f *finder) css(data []byte, base *url.URL, inline bool) {
	scanCSS(data, func(ref cssRef) {
		kind := RequisiteImages
		switch {
		case ref.importRule && !inline:
			kind = RequisiteCSS
		case ref.fontFace || fontExt(ref.url):
			kind = RequisiteFonts
		}
		f.addAt(base, ref.url, kind)
	})
}

// fontExt reports whether a reference names a font file.
func fontExt(ref string) bool {
	p, _, _ := strings.Cut(ref, "?")
	p, _, _ = strings.Cut(p, "#")
	p = strings.ToLower(p)
	for _, e := range []string{".woff2", ".woff", ".ttf", ".otf", ".eot"} {
		if strings.HasSuffix(p, e) {
			return true
		}
	}
	return false
}

// cssRef is one URL reference of a stylesheet.
type cssRef struct {
	url        string // as written, unescaped and unquoted
	importRule bool   // the URL of an @import
	fontFace   bool   // inside an @font-face block
}

// scanCSS calls fn for every @import and url() reference of data, in
// order. It is the reading half of the replay's rewriting (archive's
// rewriteCSS tokenizes the same way).
func scanCSS(data []byte, fn func(cssRef)) {
	in := parse.NewInputBytes(data)
	defer in.Restore() // it borrowed the byte past the end of data
	l := css.NewLexer(in)
	var (
		inImport bool // after @import, before its ; or {
		fontFace int  // brace depth inside @font-face; 0 outside
		pending  bool // @font-face seen, its { not yet
		depth    int
	)
	for {
		tt, tok := l.Next()
		switch tt {
		case css.ErrorToken:
			return
		case css.AtKeywordToken:
			name := strings.ToLower(string(tok))
			inImport = name == "@import"
			pending = name == "@font-face"
		case css.LeftBraceToken:
			depth++
			if pending {
				fontFace, pending = depth, false
			}
			inImport = false
		case css.RightBraceToken:
			if fontFace == depth {
				fontFace = 0
			}
			depth--
		case css.SemicolonToken:
			inImport = false
		case css.URLToken:
			fn(cssRef{url: cssvalue.URL(tok), importRule: inImport, fontFace: fontFace > 0})
			inImport = false
		case css.StringToken:
			if inImport {
				fn(cssRef{url: cssvalue.String(tok), importRule: true})
				inImport = false
			}
		}
	}
}

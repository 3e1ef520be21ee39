package crawler

import (
	"bytes"
	"compress/gzip"
	"io"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/saintfish/chardet"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	textunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// isHTML reports whether a Content-Type names an HTML document.
func isHTML(ct string) bool {
	mt := mediaType(ct)
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// page is what the analysis of an HTML body found.
type page struct {
	title   string
	heading string // the first h1, whitespace collapsed
	text    string // visible text of the body, whitespace collapsed
	main    string // main text (mainText), whitespace collapsed; text when none is found

	textHash   uint64 // simhash of main for content drift, 0 when too short (textHash)
	scriptSrc  bool   // the page loads a script from a URL
	emptyMount bool   // the page has an application mount point without text (appShell)

	// missing: the fragments asked for (analyzePageFor) that name no
	// anchor of the page (anchors.go).
	missing []string
}

// analyzePage decodes a raw HTML body to UTF-8 and extracts its title,
// visible text, main text and its fingerprint, and the signs of an
// application shell. contentEncoding gzip is undone with the same size
// cap. The document is parsed once; readability works on that tree last.
func analyzePage(raw []byte, contentType, contentEncoding string) page {
	return analyzePageFor(raw, contentType, contentEncoding, nil)
}

// analyzePageFor is analyzePage that also judges the #fragments frags
// (without '#') against the anchors of the page, on the same tree.
func analyzePageFor(raw []byte, contentType, contentEncoding string, frags []string) page {
	if strings.EqualFold(strings.TrimSpace(contentEncoding), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return page{}
		}
		raw, _ = io.ReadAll(io.LimitReader(zr, keepBody))
	}
	text := strings.TrimPrefix(decodeHTML(raw, contentType), "\uFEFF")
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(text))
	if err != nil {
		return page{}
	}
	var p page
	if len(frags) > 0 {
		anchors := pageAnchors(doc)
		if strings.Contains(text, userContent) {
			anchors.addEmbedded(text)
		}
		p.missing = missingFragments(anchors, frags)
	}
	p.title = collapse(doc.Find("head > title").First().Text())
	p.heading = collapse(doc.Find("h1").First().Text())
	p.scriptSrc = hasScriptSrc(doc)
	body := doc.Find("body")
	body.Find("script, style, noscript, template").Remove()
	p.text = collapse(body.Text())
	p.emptyMount = hasEmptyMount(doc)
	// Readability has nothing to find in a page with next to no text (an
	// application shell before its scripts run).
	if utf8.RuneCountInString(p.text) >= shellRunes {
		p.main = mainText(doc.Nodes[0])
	}
	if p.main == "" {
		p.main = p.text
	}
	p.textHash = textHash(p.main)
	if appShell(p) {
		// A script builds the page: its anchors are not in the HTML.
		p.missing = nil
	}
	return p
}

// collapse trims s and collapses runs of white space (as unicode.IsSpace
// defines it) to one space.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	word := -1 // start of the current word
	for i := 0; i < len(s); {
		c := s[i]
		if c > ' ' && c < utf8.RuneSelf { // the common case: ASCII, not space
			if word < 0 {
				word = i
			}
			i++
			continue
		}
		r, n := rune(c), 1
		if c >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case r == ' ' || '\t' <= r && r <= '\r' || r >= utf8.RuneSelf && unicode.IsSpace(r):
			if word >= 0 {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s[word:i])
				word = -1
			}
		case word < 0:
			word = i
		}
		i += n
	}
	if word >= 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[word:])
	}
	return b.String()
}

var metaCharset = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)`)
})

// decodeHTML returns raw decoded to UTF-8. The encoding is taken, in order,
// from the Content-Type charset, a byte order mark, a <meta> declaration,
// a valid UTF-8 check, and statistical detection (GB-18030 reported by the
// detector maps to gb18030).
func decodeHTML(raw []byte, contentType string) string {
	enc := htmlEncoding(raw, contentType)
	if enc == nil || enc == textunicode.UTF8 {
		return strings.ToValidUTF8(string(raw), "\uFFFD")
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), raw)
	if err != nil {
		return strings.ToValidUTF8(string(raw), "\uFFFD")
	}
	return string(out)
}

func htmlEncoding(raw []byte, contentType string) encoding.Encoding {
	if e, _, certain := charset.DetermineEncoding(raw, contentType); certain {
		return e
	}
	head := raw[:min(len(raw), 16<<10)]
	if m := metaCharset().FindSubmatch(head); m != nil {
		if e := lookupCharset(string(m[1])); e != nil {
			return e
		}
	}
	if utf8.Valid(raw) {
		return textunicode.UTF8
	}
	if r, err := chardet.NewHtmlDetector().DetectBest(raw); err == nil {
		if e := lookupCharset(r.Charset); e != nil {
			return e
		}
	}
	e, _, _ := charset.DetermineEncoding(raw, contentType)
	return e
}

// lookupCharset maps a charset label, including the detector's spellings,
// to an encoding.
func lookupCharset(label string) encoding.Encoding {
	l := strings.ToLower(strings.TrimSpace(label))
	switch l {
	case "gb-18030", "gb18030", "gbk", "gb2312", "gb_2312-80":
		l = "gb18030" // a superset: decodes GBK and GB2312 correctly
	}
	if e, err := htmlindex.Get(l); err == nil {
		return e
	}
	e, _ := charset.Lookup(l)
	return e
}

package crawler

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"unicode"

	"golang.org/x/net/html"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
)

// Caps of sitemap reading: sitemaps read per site (an index and the
// sitemaps it lists), and bytes of one sitemap, decompressed (the
// protocol's own limit is 50 MB).
const (
	maxSitemaps     = 50
	maxSitemapBytes = 50 << 20
)

// sitemap reads /sitemap.xml of the start page's origin (where the start
// URL's redirects led), following a sitemap index, adds the pages it lists
// as links (a sitemap is a note: each <loc> is a source, at its line and
// column) and returns those on the allowed hosts that are pages to crawl,
// canonical. A missing or unreadable sitemap gives none.
func (s *siteCrawl) sitemap() []string {
	client := &http.Client{Transport: s.tr, Timeout: s.c.opts.Timeout}
	todo := []string{s.start.Scheme + "://" + s.start.Host + "/sitemap.xml"}
	done := map[string]bool{}
	var out []string
	for len(todo) > 0 && len(done) < maxSitemaps && s.ctx.Err() == nil {
		u := todo[0]
		todo = todo[1:]
		if done[u] {
			continue
		}
		done[u] = true
		pages, maps := s.readSitemap(client, u)
		var links []linkvault.Link
		for _, p := range pages {
			links = append(links, linkvault.Link{URL: p.url, Kind: linkvault.KindWeb, Sources: []linkvault.Source{
				{File: u, Line: p.line, Column: p.col},
			}})
			if s.crawlable(p.url) {
				out = append(out, p.url)
			}
		}
		s.mu.Lock()
		s.add(links)
		s.mu.Unlock()
		todo = append(todo, maps...)
	}
	return out
}

// sitemapLoc is one <loc> of a sitemap: the URL, canonical, and where its
// text starts.
type sitemapLoc struct {
	url       string
	line, col int
}

// readSitemap fetches one sitemap: the URLs of its <url><loc> entries,
// and those of the <sitemap><loc> entries of a sitemap index that are on
// the allowed hosts.
func (s *siteCrawl) readSitemap(client *http.Client, u string) (pages []sitemapLoc, maps []string) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil
	}
	var r io.Reader = io.LimitReader(resp.Body, maxSitemapBytes)
	head := make([]byte, 2)
	n, _ := io.ReadFull(r, head)
	r = io.MultiReader(bytes.NewReader(head[:n]), r)
	if n == 2 && head[0] == 0x1f && head[1] == 0x8b { // sitemap.xml.gz
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil
		}
		r = io.LimitReader(zr, maxSitemapBytes)
	}
	d := xml.NewDecoder(r)
	var parent string // url or sitemap: the element holding the <loc>
	for {
		tok, err := d.Token()
		if err != nil {
			return pages, maps
		}
		st, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch st.Name.Local {
		case "url", "sitemap":
			parent = st.Name.Local
			continue
		case "loc":
		default:
			continue
		}
		line, col := d.InputPos()
		var text string
		if err := d.DecodeElement(&text, &st); err != nil {
			return pages, maps
		}
		// The position is that of the text: skip leading white space.
		for _, r := range text {
			if r == '\n' {
				line, col = line+1, 1
			} else if unicode.IsSpace(r) {
				col++
			} else {
				break
			}
		}
		c, _, err := extract.Canonical(strings.TrimSpace(text))
		switch {
		case err != nil:
		case parent == "sitemap" && s.onSite(c):
			maps = append(maps, c)
		case parent == "url":
			pages = append(pages, sitemapLoc{url: c, line: line, col: col})
		}
	}
}

// anchors returns the fragment targets of an HTML page (UTF-8): every id
// attribute and the name of every <a name>, in document order.
func anchors(page []byte) []string {
	var out []string
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			isA := len(name) == 1 && name[0] == 'a'
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				if len(v) > 0 && (string(k) == "id" || isA && string(k) == "name") {
					out = append(out, string(v))
				}
			}
		}
	}
}

package crawler

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"io"
	"net/http"
	"strings"

	"golang.org/x/net/html"

	"github.com/linkvault/linkvault/crawler/extract"
)

// Caps of sitemap reading: sitemaps read per site (an index and the
// sitemaps it lists), and bytes of one sitemap, decompressed (the
// protocol's own limit is 50 MB).
const (
	maxSitemaps     = 50
	maxSitemapBytes = 50 << 20
)

// sitemap reads /sitemap.xml of the start URL's origin, following a
// sitemap index, and returns the page URLs it lists on the allowed hosts,
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
		out = append(out, pages...)
		todo = append(todo, maps...)
	}
	return out
}

// sitemapDoc is a sitemap (<urlset>) or a sitemap index (<sitemapindex>).
type sitemapDoc struct {
	XMLName  xml.Name
	URLs     []string `xml:"url>loc"`
	Sitemaps []string `xml:"sitemap>loc"`
}

// readSitemap fetches one sitemap: the pages it lists that are crawlable,
// and the sitemaps a sitemap index lists on the allowed hosts.
func (s *siteCrawl) readSitemap(client *http.Client, u string) (pages, maps []string) {
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
	var doc sitemapDoc
	if err := xml.NewDecoder(r).Decode(&doc); err != nil {
		return nil, nil
	}
	for _, loc := range doc.URLs {
		if c, _, err := extract.Canonical(strings.TrimSpace(loc)); err == nil && s.crawlable(c) {
			pages = append(pages, c)
		}
	}
	for _, loc := range doc.Sitemaps {
		if c, _, err := extract.Canonical(strings.TrimSpace(loc)); err == nil && s.onSite(c) {
			maps = append(maps, c)
		}
	}
	return pages, maps
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

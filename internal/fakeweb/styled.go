package fakeweb

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// StyledSite is a styled article site for the page requisite tests: two
// articles on Site sharing one stylesheet (which @imports another and
// references a web font and a background image), srcset images on Site,
// a logo and lazy-loaded images (data-src, swapped in by an inline
// script, as WeChat does) on Images, a host that refuses hotlinking: it answers 403
// unless the Referer names Site.
//
//	http://SITE/articles/one, /articles/two   the articles
//	http://SITE/css/site.css                  shared: @import base.css, @font-face, url(bg.png)
//	http://SITE/css/base.css, /fonts/lv.ttf, /img/bg.png, /img/photo-1x.png, /img/photo-2x.png, /favicon.png
//	http://IMAGES/lazy/1.png, /lazy/2.png, /logo.png   403 without Referer from SITE
type StyledSite struct {
	Site, Images string
	// Font is served as /fonts/lv.ttf (a real TrueType font makes the
	// rendering depend on it; tests read one from the system).
	Font []byte
	gone atomic.Bool
}

// NewStyledSite serves a styled site on hosts site and images of w.
func NewStyledSite(w *Web, site, images string, font []byte) *StyledSite {
	s := &StyledSite{Site: site, Images: images, Font: font}
	if len(s.Font) == 0 {
		s.Font = []byte("not a font")
	}
	w.Host(site).Handler = http.HandlerFunc(s.serveSite)
	w.Host(images).Handler = http.HandlerFunc(s.serveImages)
	return s
}

// Vanish makes every original answer 404 from now on (day 3: the site is
// gone); the hosts still count the requests they get.
func (s *StyledSite) Vanish() { s.gone.Store(true) }

// ArticleURL returns the URL of article name ("one", "two").
func (s *StyledSite) ArticleURL(name string) string {
	return "http://" + s.Site + "/articles/" + name
}

const styledArticle = `<!doctype html>
<html><head><meta charset="utf-8"><title>%[1]s</title>
<link rel="stylesheet" href="/css/site.css">
<link rel="icon" href="/favicon.png">
<style>.note { border: 6px solid #2a7; }</style>
</head><body>
<header><h1>%[1]s</h1></header>
<article>
<p class="note">A styled article: its font, colours, background and pictures come from requisites.</p>
<img class="photo" src="/img/photo-1x.png" srcset="/img/photo-1x.png 1x, /img/photo-2x.png 2x" width="160" height="100" alt="photo">
<img class="lazy" src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==" data-src="http://%[2]s/lazy/%[3]s.png" width="160" height="100" alt="lazy">
<img class="logo" src="http://%[2]s/logo.png" width="48" height="48" alt="logo">
<div class="banner" style="background-image: url('/img/bg.png')">banner</div>
</article>
<script>document.querySelectorAll("img[data-src]").forEach(function (i) { i.src = i.getAttribute("data-src"); });</script>
</body></html>`

const styledCSS = `@import url("base.css");
@font-face { font-family: "LVFont"; src: url("../fonts/lv.ttf") format("truetype"); }
body { font-family: "LVFont", monospace; font-size: 22px; background: #fdf6e3 url(../img/bg.png) repeat-x; }
h1 { color: #b58900; }
.banner { height: 60px; color: #fff; background-repeat: repeat; }
`

const styledBaseCSS = `header { border-bottom: 8px dashed #268bd2; padding: 10px; }
img { display: inline-block; margin: 8px; }
`

func (s *StyledSite) serveSite(rw http.ResponseWriter, r *http.Request) {
	if s.gone.Load() {
		http.NotFound(rw, r)
		return
	}
	switch r.URL.Path {
	case "/articles/one", "/articles/two":
		name := strings.TrimPrefix(r.URL.Path, "/articles/")
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		lazy := map[string]string{"one": "1", "two": "2"}[name]
		fmt.Fprintf(rw, styledArticle, "Article "+name, s.Images, lazy)
	case "/css/site.css":
		rw.Header().Set("Content-Type", "text/css")
		rw.Write([]byte(styledCSS))
	case "/css/base.css":
		rw.Header().Set("Content-Type", "text/css; charset=utf-8")
		rw.Write([]byte(styledBaseCSS))
	case "/fonts/lv.ttf":
		rw.Header().Set("Content-Type", "font/ttf")
		rw.Write(s.Font)
	case "/img/bg.png":
		servePNG(rw, stripes(40, 40, color.RGBA{0xd3, 0x36, 0x82, 0xff}, color.RGBA{0x6c, 0x71, 0xc4, 0xff}))
	case "/img/photo-1x.png":
		servePNG(rw, checker(160, 100, 10, color.RGBA{0x85, 0x99, 0x00, 0xff}))
	case "/img/photo-2x.png":
		servePNG(rw, checker(320, 200, 20, color.RGBA{0x85, 0x99, 0x00, 0xff}))
	case "/favicon.png":
		servePNG(rw, checker(16, 16, 4, color.RGBA{0xcb, 0x4b, 0x16, 0xff}))
	default:
		http.NotFound(rw, r)
	}
}

func (s *StyledSite) serveImages(rw http.ResponseWriter, r *http.Request) {
	if s.gone.Load() {
		http.NotFound(rw, r)
		return
	}
	ref, err := url.Parse(r.Header.Get("Referer"))
	if err != nil || ref.Hostname() != s.Site {
		http.Error(rw, "hotlinking not allowed", http.StatusForbidden)
		return
	}
	switch r.URL.Path {
	case "/lazy/1.png":
		servePNG(rw, checker(160, 100, 25, color.RGBA{0x26, 0x8b, 0xd2, 0xff}))
	case "/logo.png":
		servePNG(rw, stripes(48, 48, color.RGBA{0x2a, 0xa1, 0x98, 0xff}, color.RGBA{0xee, 0xe8, 0xd5, 0xff}))
	case "/lazy/2.png":
		servePNG(rw, checker(160, 100, 25, color.RGBA{0xdc, 0x32, 0x2f, 0xff}))
	default:
		http.NotFound(rw, r)
	}
}

func servePNG(rw http.ResponseWriter, img image.Image) {
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	rw.Header().Set("Content-Type", "image/png")
	rw.Write(b.Bytes())
}

// checker is a w×h checkerboard of c and white in cells of n pixels.
func checker(w, h, n int, c color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if (x/n+y/n)%2 == 0 {
				img.Set(x, y, c)
			} else {
				img.Set(x, y, color.White)
			}
		}
	}
	return img
}

// stripes is a w×h image of diagonal stripes of a and b.
func stripes(w, h int, a, b color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if ((x+y)/8)%2 == 0 {
				img.Set(x, y, a)
			} else {
				img.Set(x, y, b)
			}
		}
	}
	return img
}

package crawler

import (
	"reflect"
	"testing"
)

// TestFindHTMLRequisites: stylesheets, images (src, srcset, lazy
// data-src/data-original, picture sources, posters), favicons, fonts
// preloaded, scripts, inline styles and style attributes; each URL once,
// resolved against <base href>, without fragments; media sources, links,
// data: URLs and other schemes are not requisites.
func TestFindHTMLRequisites(t *testing.T) {
	page := `<!doctype html><html><head>
<base href="https://blog.example.com/posts/">
<link rel="stylesheet" href="/css/site.css">
<link rel="shortcut icon" href="/favicon.ico">
<link rel="apple-touch-icon" href="/touch.png">
<link rel="preload" as="font" href="/fonts/a.woff2" crossorigin>
<link rel="canonical" href="https://blog.example.com/posts/x">
<link rel="alternate" href="/feed.xml">
<script src="/js/app.js"></script>
<style>@import url("print.css"); body { background: url(bg.png) } @font-face { src: url('/f/b.woff2') format("woff2"), url(/f/b.ttf) }</style>
</head><body style="background-image: url(&quot;/img/hero.jpg&quot;)">
<a href="/other">other</a>
<img src="img/a.png#top" srcset="img/a-2x.png 2x, img/a,comma.png 3x">
<img src="data:image/gif;base64,R0lGOD" data-src="https://mmbiz.qpic.cn/pic/1.jpg">
<img data-original="https://cdn.example.com/2.jpg" data-srcset="https://cdn.example.com/2-2x.jpg 2x">
<picture><source srcset="/p.webp" type="image/webp"><img src="/p.jpg"></picture>
<video poster="/poster.jpg"><source src="/movie.mp4"></video>
<input type="image" src="/btn.png"><input type="text" src="/not.png">
<img src="img/a.png"><img src="mailto:x@example.com">
</body></html>`
	got := findHTMLRequisites([]byte(page), "text/html; charset=utf-8", "https://blog.example.com/posts/today")
	want := []requisite{
		{"https://blog.example.com/css/site.css", RequisiteCSS},
		{"https://blog.example.com/favicon.ico", RequisiteFavicons},
		{"https://blog.example.com/touch.png", RequisiteFavicons},
		{"https://blog.example.com/fonts/a.woff2", RequisiteFonts},
		{"https://blog.example.com/js/app.js", RequisiteScripts},
		{"https://blog.example.com/posts/print.css", RequisiteCSS},
		{"https://blog.example.com/posts/bg.png", RequisiteImages},
		{"https://blog.example.com/f/b.woff2", RequisiteFonts},
		{"https://blog.example.com/f/b.ttf", RequisiteFonts},
		{"https://blog.example.com/img/hero.jpg", RequisiteImages},
		{"https://blog.example.com/posts/img/a.png", RequisiteImages},
		{"https://blog.example.com/posts/img/a-2x.png", RequisiteImages},
		{"https://blog.example.com/posts/img/a,comma.png", RequisiteImages},
		{"https://mmbiz.qpic.cn/pic/1.jpg", RequisiteImages},
		{"https://cdn.example.com/2.jpg", RequisiteImages},
		{"https://cdn.example.com/2-2x.jpg", RequisiteImages},
		{"https://blog.example.com/p.webp", RequisiteImages},
		{"https://blog.example.com/p.jpg", RequisiteImages},
		{"https://blog.example.com/poster.jpg", RequisiteImages},
		{"https://blog.example.com/btn.png", RequisiteImages},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findHTMLRequisites:\n got %v\nwant %v", got, want)
	}
}

// TestFindCSSRequisites: @import (string or url()), url() quoted or not,
// escapes undone, comments and strings that merely look like url() are
// ignored, fonts inside @font-face or by extension, relative to the
// stylesheet.
func TestFindCSSRequisites(t *testing.T) {
	sheet := `@charset "utf-8";
@import "base.css";
@import url(theme.css) screen;
/* url(commented.png) */
.a { content: "url(not-a-url.png)"; background: url( "../img/bg\20 x.png" ) no-repeat }
.b { background-image: image-set(url(b1.png) 1x, url('b2.png') 2x) }
@font-face { font-family: X; src: url(/fonts/x) format("woff2"); }
.c { cursor: url(cur.cur), auto; mask: url(#clip) }
@media print { .d { background: url(data:image/png;base64,AAAA) } }
.e { src: url(late.woff) }`
	got := findCSSRequisites([]byte(sheet), "https://static.example.com/css/site.css")
	want := []requisite{
		{"https://static.example.com/css/base.css", RequisiteCSS},
		{"https://static.example.com/css/theme.css", RequisiteCSS},
		{"https://static.example.com/img/bg%20x.png", RequisiteImages},
		{"https://static.example.com/css/b1.png", RequisiteImages},
		{"https://static.example.com/css/b2.png", RequisiteImages},
		{"https://static.example.com/fonts/x", RequisiteFonts},
		{"https://static.example.com/css/cur.cur", RequisiteImages},
		{"https://static.example.com/css/late.woff", RequisiteFonts},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findCSSRequisites:\n got %v\nwant %v", got, want)
	}
}

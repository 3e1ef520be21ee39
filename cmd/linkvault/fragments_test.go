package main

import (
	"io"
	"net/http"
)

// fragmentPages are the pages of the fake web with anchors, for
// check_fragments.txtar: a documentation page with ids, an <a name> and a
// Chinese id; a repository page whose README GitHub rendered (heading ids
// user-content-…); a blob page with no anchor (line anchors are made by
// its script).
var fragmentPages = map[string]string{
	"blog.example.com/docs/guide": `<!doctype html><html><head><title>Guide</title></head><body>
<h1 id="top-title">Guide</h1>
<h2 id="setup">Setup</h2><p>Install it.</p>
<a name="faq"></a><h2>FAQ</h2>
<h2 id="配置">配置</h2>
</body></html>`,
	"github.com/linkvault/fragdemo": `<!doctype html><html><head><title>linkvault/fragdemo</title></head><body>
<div id="readme"><article class="markdown-body entry-content container-lg" itemprop="text">
<div class="markdown-heading"><h1 class="heading-element">fragdemo</h1><a id="user-content-fragdemo" class="anchor" href="#fragdemo"></a></div>
<div class="markdown-heading"><h2 class="heading-element">Install</h2><a id="user-content-install" class="anchor" href="#install"></a></div>
<div class="markdown-heading"><h2 class="heading-element">快速开始</h2><a id="user-content-快速开始" class="anchor" href="#快速开始"></a></div>
</article></div></body></html>`,
	"github.com/linkvault/fragdemo/blob/main/main.go": `<!doctype html><html><head><title>main.go</title></head><body><pre>package main</pre></body></html>`,
}

// serveFragmentPage answers for the pages of fragmentPages, with an ETag
// honoured by a 304; false for any other HOST/PATH.
func serveFragmentPage(rw http.ResponseWriter, r *http.Request, hostPath string) bool {
	body, ok := fragmentPages[hostPath]
	if !ok {
		return false
	}
	rw.Header().Set("ETag", `"frag-v1"`)
	if r.Header.Get("If-None-Match") == `"frag-v1"` {
		rw.WriteHeader(http.StatusNotModified)
		return true
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(rw, body)
	return true
}

package archive

import (
	"bufio"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/linkvault/linkvault"
)

// NewReplayHandler returns a handler serving the archived copies indexed in
// db from the WARC files in dir, Wayback style. Mount it at "/web/" (it
// reads the whole request path, so do not strip the prefix):
//
//	/web/TIMESTAMP/URL     the capture of URL closest to TIMESTAMP: the latest
//	                       within or before it, else the first after it.
//	                       TIMESTAMP is YYYYMMDDhhmmss (UTC) or a prefix of it
//	                       (/web/2026/URL, /web/202611/URL), the whole period
//	                       it names (linkvault.ParseMoment)
//	/web/TIMESTAMPid_/URL  the same, byte-identical (no link rewriting); the
//	                       other Wayback modifiers (im_, cs_, js_, if_, …) are
//	                       accepted and ignored
//	/web/URL               the latest capture of URL
//	/web/?url=URL          the list of captures of URL (also /web/*/URL)
//
// An archived copy is served with its original status and Content-Type,
// with a Content-Security-Policy (replayCSP) that sandboxes it (archived
// scripts never run with this server's origin) and lets it load nothing
// but what this server serves and inline data, and with
// "X-Content-Type-Options: nosniff". In HTML, links (a, area, link, base,
// img, script, iframe, frame, embed, source, video, audio, track, input,
// object, srcset) to URLs that have a capture are rewritten to
// /web/TIMESTAMP/URL, TIMESTAMP being that of the capture nearest in time
// to the page's; so are CSS url() and @import references in stylesheets,
// <style> elements and style attributes, and the lazy-loading attributes
// of images (data-src, data-original, data-srcset …), whose capture also
// becomes the image's src when it has none or an inline placeholder
// (archived scripts, which would have swapped it in, do not run). Other
// links and every other byte are left as they are: a page requisite
// without a capture keeps its original URL, which the policy blocks, so
// the replay never fetches from the live web. Fonts are served with
// "Access-Control-Allow-Origin: *": the sandboxed page has an opaque
// origin, and its @font-face loads are cross-origin. Other types are
// served byte-identical.
//
// The URL keeps the query of the request. A scheme collapsed by path
// cleaning ("https:/host") is repaired, and a URL written with raw UTF-8
// or spaces (/web/https://example.com/posts/链接) finds the capture of its
// percent-encoded form. Mount the handler where no router cleans the path
// (http.ServeMux answers "//" with a redirect).
func NewReplayHandler(db *DB, dir string, opts *ReplayOptions) http.Handler {
	h := &replay{db: db, store: localStore(dir), list: plainList}
	if opts != nil && opts.ListPage != nil {
		h.list = opts.ListPage
	}
	if opts != nil && opts.Store != nil {
		h.store = opts.Store
	}
	return h
}

// ReplayOptions tunes NewReplayHandler; nil means the defaults.
type ReplayOptions struct {
	// ListPage writes the HTML page that lists the captures of url, oldest
	// first (/web/*/URL, and a URL not archived), with message saying why
	// when set. The default is a plain page; `serve` passes the report's
	// (report.CaptureList).
	ListPage func(w io.Writer, url, message string, caps []linkvault.Capture) error
	// Store, when set, is where the WARC files are, instead of dir: a
	// record in an object store is read with one range request.
	Store *Store
}

type replay struct {
	db    *DB
	store *Store
	list  func(w io.Writer, url, message string, caps []linkvault.Capture) error
}

var (
	timestampRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]{4,14})([a-z]{2}_)?/`) })
	collapsedRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\*/|%2[aA]/)?([0-9]{4,14}([a-z]{2}_)?/)?https?:/($|[^/])`)
	})
)

func (h *replay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	raw := r.RequestURI
	if !strings.HasPrefix(raw, "/") {
		raw = r.URL.RequestURI()
	}
	i := strings.Index(raw, "/web/")
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	rest := raw[i+len("/web/"):]
	if rest == "" || strings.HasPrefix(rest, "?") {
		h.serveList(w, r, r.URL.Query().Get("url"))
		return
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	if collapsedRE().MatchString(path) {
		// http.ServeMux redirected a path with "//" to its cleaned form and
		// escaped it once more on the way ("%E4" became "%25E4"): undo.
		if p, err := url.PathUnescape(path); err == nil {
			path = p
		}
	}
	if strings.HasPrefix(path, "*/") {
		h.serveList(w, r, fixScheme(path[2:]))
		return
	}
	var (
		at       linkvault.Moment
		stamped  bool
		identity bool
	)
	if m := timestampRE().FindStringSubmatch(path); m != nil {
		var err error
		if at, err = linkvault.ParseMoment(m[1]); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		stamped, identity = true, m[2] == "id_"
		path = path[len(m[0]):]
	}
	target := encodeRaw(fixScheme(path))
	if hasQuery {
		target += "?" + encodeRaw(query)
	}
	var (
		e   indexEntry
		err error
	)
	if stamped {
		e, err = h.db.entryNear(target, at)
	} else {
		e, err = h.db.entryAt(target, time.Time{})
	}
	if err != nil {
		if linkvault.ErrorCode(err) == linkvault.ENotFound {
			h.serveNotFound(w, r, target, err)
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h.serveCapture(w, r, e.Capture, identity)
}

// fixScheme repairs "https:/host" (a double slash collapsed by path
// cleaning) into "https://host".
func fixScheme(u string) string {
	for _, s := range []string{"http:", "https:"} {
		if strings.HasPrefix(u, s+"/") && !strings.HasPrefix(u, s+"//") {
			return s + "/" + u[len(s):]
		}
	}
	return u
}

// encodeRaw percent-encodes the bytes a browser or curl may send raw in a
// request line (non-ASCII, spaces, quotes, angle brackets), as the
// canonical form of a URL has them; escapes already there stay as they are.
func encodeRaw(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && c > ' ' && c != '"' && c != '<' && c != '>' && c != 0x7f {
			if b.Len() > 0 {
				b.WriteByte(c)
			}
			continue
		}
		if b.Len() == 0 {
			b.WriteString(s[:i])
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

func (h *replay) serveCapture(w http.ResponseWriter, r *http.Request, c linkvault.Capture, identity bool) {
	rc, hdr, err := h.store.OpenPayload(r.Context(), c)
	if err != nil {
		http.Error(w, "cannot read the archived copy: "+err.Error(), http.StatusInternalServerError)
		return
	}
	defer rc.Close()
	ctype := hdr.Get("Content-Type")
	if ctype == "" {
		ctype = "application/octet-stream" // never let anyone sniff
	}
	out := w.Header()
	out.Set("Content-Type", ctype)
	out.Set("Content-Security-Policy", replayCSP)
	out.Set("X-Content-Type-Options", "nosniff")
	out.Set("Memento-Datetime", c.Time.UTC().Format(http.TimeFormat))
	out.Set("Link", "<"+c.URL+`>; rel="original"`)
	out.Set("Cache-Control", "no-cache")
	encoded := false
	if ce := hdr.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		out.Set("Content-Encoding", ce) // stored as sent: the browser decodes
		encoded = true
	}
	if isFont(ctype) {
		// The sandboxed page has an opaque origin: its @font-face loads
		// are cross-origin requests (Origin: null) that need CORS.
		out.Set("Access-Control-Allow-Origin", "*")
	}
	status := c.HTTPStatus
	if status < 200 || status > 599 || status == http.StatusNotModified {
		status = http.StatusOK
	}
	css := mediaTypeOf(ctype) == "text/css"
	if identity || encoded || !isHTML(ctype) && !css {
		out.Set("Content-Length", strconv.FormatInt(c.Size, 10))
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_, _ = io.Copy(w, rc)
		}
		return
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if css {
		_ = h.serveCSS(w, rc, c.URL, &rewriter{db: h.db, base: c.URL, at: c.Time})
		return
	}
	// Links are bytes in the page's charset: decode them to resolve them.
	br := bufio.NewReaderSize(rc, 4096)
	head, _ := br.Peek(1024)
	rw := &rewriter{db: h.db, base: c.URL, at: c.Time}
	if enc, name, _ := charset.DetermineEncoding(head, ctype); enc != nil && name != "utf-8" {
		rw.decode = enc.NewDecoder().String
	}
	_ = rw.rewrite(w, br)
}

// mediaTypeOf returns the lowercase media type of ctype ("" when invalid).
func mediaTypeOf(ctype string) string {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return ""
	}
	return mt
}

// isHTML reports whether ctype names an HTML document.
func isHTML(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return false
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// linkAttrs lists, per element, the attributes holding one URL that the
// replay rewrites.
var linkAttrs = map[atom.Atom][]string{
	atom.A:      {"href"},
	atom.Area:   {"href"},
	atom.Link:   {"href"},
	atom.Base:   {"href"},
	atom.Img:    {"src"},
	atom.Script: {"src"},
	atom.Iframe: {"src"},
	atom.Frame:  {"src"},
	atom.Embed:  {"src"},
	atom.Source: {"src"},
	atom.Video:  {"src", "poster"},
	atom.Audio:  {"src"},
	atom.Track:  {"src"},
	atom.Input:  {"src"},
	atom.Object: {"data"},
}

// rewriter rewrites the links of one archived HTML page.
type rewriter struct {
	db   *DB
	base string    // the URL links are resolved against (<base href> changes it)
	at   time.Time // the page's capture time: links go to the capture nearest to it
	seen bool      // a <base href> was seen (only the first counts)
	// inStyle: inside a <style> element, whose text is CSS.
	inStyle bool
	// decode turns an attribute value from the page's charset into UTF-8
	// (nil for UTF-8 pages).
	decode func(string) (string, error)
}

// rewrite copies the HTML of r to w, token by token. Tags with a rewritten
// link are re-serialized; all other bytes are copied as they are, whatever
// the charset (the tokenizer needs only ASCII-compatible bytes).
func (rw *rewriter) rewrite(w io.Writer, r io.Reader) error {
	z := html.NewTokenizer(r)
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return err
			}
			return nil
		}
		raw := z.Raw()
		if tt == html.TextToken && rw.inStyle {
			if out, ok := rewriteCSS(raw, rw.cssRef); ok {
				raw = out
			}
		}
		if tt == html.EndTagToken {
			rw.inStyle = false
		}
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			// Raw is only valid until the next call: Token copies.
			rawCopy := append([]byte(nil), raw...)
			tok := z.Token()
			rw.inStyle = tok.DataAtom == atom.Style && tt == html.StartTagToken
			if rw.rewriteTag(&tok) {
				if _, err := io.WriteString(w, tok.String()); err != nil {
					return err
				}
				continue
			}
			raw = rawCopy
		}
		if _, err := w.Write(raw); err != nil {
			return err
		}
	}
}

// rewriteTag rewrites the link attributes of tok that point at captured
// URLs, and reports whether it changed anything.
func (rw *rewriter) rewriteTag(tok *html.Token) bool {
	changed := rw.rewriteStyleAttr(tok)
	if tok.DataAtom == atom.Img || tok.DataAtom == atom.Source {
		changed = rw.rewriteLazy(tok) || changed
	}
	names := linkAttrs[tok.DataAtom]
	if names == nil {
		return changed
	}
	for i, a := range tok.Attr {
		if a.Namespace == "" && a.Key == "srcset" && (tok.DataAtom == atom.Img || tok.DataAtom == atom.Source) {
			if v, ok := rw.rewriteSrcset(a.Val); ok {
				tok.Attr[i].Val = v
				changed = true
			}
			continue
		}
		if a.Namespace != "" || !contains(names, a.Key) {
			continue
		}
		abs, ok := rw.resolve(a.Val)
		if !ok {
			continue
		}
		if tok.DataAtom == atom.Base && !rw.seen {
			rw.seen = true
			rw.base = abs
			// Keep relative links on this server: the base moves into /web/.
			tok.Attr[i].Val = "/web/" + rw.at.UTC().Format(timestampLayout) + "/" + abs
			changed = true
			continue
		}
		if to, ok := rw.archived(abs); ok {
			tok.Attr[i].Val = to
			changed = true
		}
	}
	return changed
}

// rewriteSrcset rewrites the candidate URLs of a srcset attribute that
// have captures, keeping separators and descriptors as written. Candidates
// are split as the HTML standard says: a URL is a run of non-space
// characters (it may hold commas) whose trailing commas end the candidate;
// otherwise its descriptors run to the next comma outside parentheses.
func (rw *rewriter) rewriteSrcset(v string) (string, bool) {
	var b strings.Builder
	changed := false
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
	for i := 0; i < len(v); {
		j := i
		for j < len(v) && (isSpace(v[j]) || v[j] == ',') {
			j++
		}
		b.WriteString(v[i:j])
		if i = j; i == len(v) {
			break
		}
		for j < len(v) && !isSpace(v[j]) {
			j++
		}
		ref := strings.TrimRight(v[i:j], ",")
		trail := v[i+len(ref) : j]
		if abs, ok := rw.resolve(ref); ok {
			if to, ok := rw.archived(abs); ok {
				ref, changed = to, true
			}
		}
		b.WriteString(ref)
		b.WriteString(trail)
		if i = j; trail != "" {
			continue
		}
		for depth := 0; j < len(v) && (v[j] != ',' || depth > 0); j++ {
			switch v[j] {
			case '(':
				depth++
			case ')':
				depth = max(0, depth-1)
			}
		}
		b.WriteString(v[i:j])
		i = j
	}
	return b.String(), changed
}

// resolve returns the absolute http(s) URL of the reference ref.
func (rw *rewriter) resolve(ref string) (string, bool) {
	ref = strings.TrimSpace(strings.NewReplacer("\n", "", "\r", "", "\t", "").Replace(ref))
	if ref == "" || strings.HasPrefix(ref, "#") {
		return "", false
	}
	if rw.decode != nil && !isASCII(ref) {
		if d, err := rw.decode(ref); err == nil {
			ref = d
		}
	}
	b, err := url.Parse(rw.base)
	if err != nil {
		return "", false
	}
	u, err := b.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	return u.String(), true
}

// archived returns the replay path of abs when abs (without its fragment)
// has a capture: /web/TIMESTAMP/URL#fragment with the capture nearest to
// the page's time.
func (rw *rewriter) archived(abs string) (string, bool) {
	target, frag, _ := strings.Cut(abs, "#")
	e, ok, err := rw.db.nearestEntry(target, rw.at)
	if err != nil || !ok {
		return "", false
	}
	out := "/web/" + e.Time.UTC().Format(timestampLayout) + "/" + target
	if frag != "" {
		out += "#" + frag
	}
	return out, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

var plainListTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("list").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Archived copies</title></head>
<body>
{{if .URL}}<h1>Archived copies of {{.URL}}</h1>{{else}}<h1>Archived copies</h1>{{end}}
{{if .Message}}<p>{{.Message}}</p>{{end}}
<form method="get" action="/web/"><input name="url" size="80" value="{{.URL}}"> <button>Captures</button></form>
<ul>{{range .Captures}}<li><a href="/web/{{.Time.UTC.Format "20060102150405"}}/{{.URL}}">{{.Time.UTC.Format "2006-01-02 15:04:05"}}</a> {{.HTTPStatus}} {{.ContentType}} {{.Size}}</li>
{{end}}</ul>
</body></html>
`))
})

// plainList is the default ReplayOptions.ListPage.
func plainList(w io.Writer, url, message string, caps []linkvault.Capture) error {
	return plainListTemplate().Execute(w, struct {
		URL, Message string
		Captures     []linkvault.Capture
	}{url, message, caps})
}

func (h *replay) serveList(w http.ResponseWriter, r *http.Request, target string) {
	var (
		caps    []linkvault.Capture
		message string
	)
	status := http.StatusOK
	if target != "" {
		var err error
		if caps, err = h.db.Captures(target); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if len(caps) == 0 {
			message = "There is no archived copy of this URL."
			status = http.StatusNotFound
		}
	}
	h.servePage(w, r, status, target, message, caps)
}

func (h *replay) serveNotFound(w http.ResponseWriter, r *http.Request, target string, err error) {
	h.servePage(w, r, http.StatusNotFound, target, err.Error()+".", nil)
}

func (h *replay) servePage(w http.ResponseWriter, r *http.Request, status int, target, message string, caps []linkvault.Capture) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	_ = h.list(w, target, message, caps)
}

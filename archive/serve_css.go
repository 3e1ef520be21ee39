package archive

import (
	"bytes"
	"io"
	"strings"

	"github.com/linkvault/linkvault/internal/cssvalue"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// replayCSP is the Content-Security-Policy of every archived copy. sandbox
// keeps archived scripts from running (and from this server's origin);
// the fetch directives allow only what this server serves ('self': the
// replay's own /web/ URLs, which the rewriting points requisites to) and
// inline data, so a requisite without a capture, still naming its
// original host, is blocked: the replay never fetches from the live web
// and never leaks the reader to the original hosts.
const replayCSP = "sandbox; default-src 'self' data: blob:; style-src 'self' data: 'unsafe-inline'; " +
	"script-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'self'"

// maxCSS is the size of a stylesheet rewritten at most; a larger one is
// served as it is.
const maxCSS = 8 << 20

// rewriteCSS copies the stylesheet (or style attribute, or <style>
// element) data with its url() and @import references rewritten by to,
// which returns the replacement URL and true for a reference to rewrite.
// Every other byte is copied as it is. Tokens are read by a CSS Syntax
// Level 3 tokenizer, so comments, strings and escapes are understood as a
// browser understands them.
func rewriteCSS(data []byte, to func(ref string) (string, bool)) ([]byte, bool) {
	in := parse.NewInputBytes(data)
	defer in.Restore() // it borrowed the byte past the end of data
	l := css.NewLexer(in)
	var out bytes.Buffer
	changed, inImport := false, false
	for {
		tt, tok := l.Next()
		switch tt {
		case css.ErrorToken:
			if !changed {
				return data, false
			}
			return out.Bytes(), true
		case css.AtKeywordToken:
			inImport = strings.EqualFold(string(tok), "@import")
		case css.SemicolonToken, css.LeftBraceToken:
			inImport = false
		case css.URLToken:
			inImport = false
			if u, ok := to(cssvalue.URL(tok)); ok {
				out.WriteString(`url("` + cssQuote(u) + `")`)
				changed = true
				continue
			}
		case css.StringToken:
			if inImport {
				inImport = false
				if u, ok := to(cssvalue.String(tok)); ok {
					out.WriteString(`"` + cssQuote(u) + `"`)
					changed = true
					continue
				}
			}
		}
		out.Write(tok)
	}
}

// cssQuote escapes s for a double-quoted CSS string.
func cssQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\a `).Replace(s)
}

// serveCSS writes the stylesheet r captured at base with its references
// rewritten to their captures nearest to at.
func (h *replay) serveCSS(w io.Writer, r io.Reader, base string, rw *rewriter) error {
	data, err := io.ReadAll(io.LimitReader(r, maxCSS+1))
	if err != nil {
		return err
	}
	if len(data) > maxCSS {
		if _, err := w.Write(data); err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		return err
	}
	out, _ := rewriteCSS(data, rw.cssRef)
	_, err = w.Write(out)
	return err
}

// cssRef is the rewriting of one CSS reference: its capture's replay URL.
func (rw *rewriter) cssRef(ref string) (string, bool) {
	abs, ok := rw.resolve(ref)
	if !ok {
		return "", false
	}
	return rw.archived(abs)
}

// isFont reports whether a media type names a font.
func isFont(ctype string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(ctype), ";")
	mt = strings.TrimSpace(mt)
	return strings.HasPrefix(mt, "font/") || strings.HasPrefix(mt, "application/font-") ||
		strings.HasPrefix(mt, "application/x-font") || mt == "application/vnd.ms-fontobject"
}

// rewriteStyleAttr rewrites the url() references of a style attribute.
func (rw *rewriter) rewriteStyleAttr(tok *html.Token) bool {
	changed := false
	for i, a := range tok.Attr {
		if a.Namespace != "" || !strings.EqualFold(a.Key, "style") {
			continue
		}
		if out, ok := rewriteCSS([]byte(a.Val), rw.cssRef); ok {
			tok.Attr[i].Val = string(out)
			changed = true
		}
	}
	return changed
}

// lazyAttrs hold the URL a lazy-loading script moves into src (WeChat
// articles use data-src); lazySrcset the srcset it moves into srcset.
var (
	lazyAttrs  = []string{"data-src", "data-original", "data-lazy-src", "data-url", "data-actualsrc"}
	lazySrcset = []string{"data-srcset", "data-lazy-srcset"}
)

// rewriteLazy does for an img (or a picture's source) what its page's
// lazy-loading script would have done, since archived scripts do not run:
// the first lazy attribute with a capture becomes src when src is missing,
// empty or an inline placeholder (data:), and a lazy srcset becomes srcset
// when there is none. The lazy attributes are rewritten too.
func (rw *rewriter) rewriteLazy(tok *html.Token) bool {
	changed := false
	var lazySrc, lazySet string
	for i, a := range tok.Attr {
		switch {
		case a.Namespace != "":
		case contains(lazyAttrs, a.Key):
			if abs, ok := rw.resolve(a.Val); ok {
				if to, ok := rw.archived(abs); ok {
					tok.Attr[i].Val = to
					changed = true
					if lazySrc == "" {
						lazySrc = to
					}
				}
			}
		case contains(lazySrcset, a.Key):
			if v, ok := rw.rewriteSrcset(a.Val); ok {
				tok.Attr[i].Val = v
				changed = true
				if lazySet == "" {
					lazySet = v
				}
			}
		}
	}
	if lazySrc != "" && tok.DataAtom == atom.Img {
		i := attrIndex(tok, "src")
		switch {
		case i < 0:
			tok.Attr = append(tok.Attr, html.Attribute{Key: "src", Val: lazySrc})
		case strings.TrimSpace(tok.Attr[i].Val) == "" || strings.HasPrefix(strings.ToLower(strings.TrimSpace(tok.Attr[i].Val)), "data:"):
			tok.Attr[i].Val = lazySrc
		}
	}
	if lazySet != "" && attrIndex(tok, "srcset") < 0 {
		tok.Attr = append(tok.Attr, html.Attribute{Key: "srcset", Val: lazySet})
	}
	return changed
}

func attrIndex(tok *html.Token, key string) int {
	for i, a := range tok.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return i
		}
	}
	return -1
}

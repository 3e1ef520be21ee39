package crawler

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// userContent is the prefix GitHub (and Gitea, Forgejo) give the ids of
// rendered Markdown: the heading "Install" of a README is
// id="user-content-install", and the page's script scrolls #install to it.
const userContent = "user-content-"

// lineAnchor matches the line anchors of code viewers (GitHub, GitLab,
// Gitea blobs): L10, L10-L20, L10C5-L12C8. The page's script makes them;
// they are never in the HTML.
var lineAnchor = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^L[0-9]+(C[0-9]+)?(-L?[0-9]+(C[0-9]+)?)?$`) })

// fragmentTarget returns the anchor name a #fragment (without '#', as
// written) asks for, and false when the fragment is not an anchor to
// judge: empty, a text fragment (":~:text=…" alone; "sec:~:text=…" asks
// for "sec"), a client-side route ("/path", "!…"), a line anchor
// ("L10-L20"), or "top" (HTML scrolls to the top without an anchor).
func fragmentTarget(frag string) (string, bool) {
	if i := strings.Index(frag, ":~:"); i >= 0 {
		frag = frag[:i]
	}
	switch {
	case frag == "", strings.HasPrefix(frag, "/"), strings.HasPrefix(frag, "!"),
		strings.EqualFold(frag, "top"), lineAnchor().MatchString(frag):
		return "", false
	}
	return frag, true
}

// judgedFragment reports whether one of frags is an anchor to judge (see
// fragmentTarget): a line anchor alone (#L10-L20) needs no page.
func judgedFragment(frags []string) bool {
	for _, f := range frags {
		if _, ok := fragmentTarget(f); ok {
			return true
		}
	}
	return false
}

// anchorSet is the set of anchor names of one page.
type anchorSet map[string]struct{}

// add adds an id or name, and for GitHub's rendered Markdown
// ("user-content-install") the name its script scrolls to ("install").
func (s anchorSet) add(v string) {
	if v == "" {
		return
	}
	s[v] = struct{}{}
	if rest, ok := strings.CutPrefix(v, userContent); ok && rest != "" {
		s[rest] = struct{}{}
	}
}

// has reports whether the anchor name a fragment asks for is in s: as
// written, or percent-decoded (a link to #%E5%AE%89%E8%A3%85 finds
// id="安装"), as browsers try both.
func (s anchorSet) has(name string) bool {
	if _, ok := s[name]; ok {
		return true
	}
	if dec, err := url.PathUnescape(name); err == nil && dec != name {
		_, ok := s[dec]
		return ok
	}
	return false
}

// pageAnchors collects the anchors of a parsed HTML document: every id
// attribute and the name of every <a name>.
func pageAnchors(doc *goquery.Document) anchorSet {
	s := anchorSet{}
	for _, n := range doc.Nodes {
		collectAnchors(n, s)
	}
	return s
}

func collectAnchors(n *html.Node, s anchorSet) {
	if n.Type == html.ElementNode {
		for _, a := range n.Attr {
			if a.Namespace == "" && (a.Key == "id" || a.Key == "name" && n.Data == "a") {
				s.add(strings.TrimSpace(a.Val))
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		collectAnchors(c, s)
	}
}

// addEmbedded adds the user-content-… ids found anywhere in the page's
// text: GitHub's code view and repository overview send the rendered
// README or blob Markdown inside a JSON payload (<script
// type="application/json">, id=\"user-content-install\"), not as
// elements; its script then puts them in the DOM. A value escaped in JSON
// (\u5feb…) is unescaped.
func (s anchorSet) addEmbedded(text string) {
	for rest := text; ; {
		i := strings.Index(rest, userContent)
		if i < 0 {
			return
		}
		rest = rest[i:]
		end, escaped := embeddedEnd(rest)
		v := rest[:end]
		rest = rest[end:]
		if escaped {
			if u, err := strconv.Unquote(`"` + v + `"`); err == nil {
				v = u
			}
		}
		s.add(v)
	}
}

// embeddedEnd returns where the id at the start of s ends: at a quote,
// '<', '>', '&', white space, or a backslash that does not start a JSON
// \uXXXX escape (those are part of the id: escaped reports them).
func embeddedEnd(s string) (end int, escaped bool) {
	for end < len(s) {
		switch c := s[end]; {
		case c == '\\' && end+5 < len(s) && s[end+1] == 'u':
			escaped = true
			end += 6
			continue
		case strings.IndexByte("\\\"'<>& \t\r\n", c) >= 0:
			return end, escaped
		}
		end++
	}
	return end, escaped
}

// missingFragments returns the fragments among frags (as written,
// without '#') that name no anchor of s, in order, each once; fragments
// that are not anchors (see fragmentTarget) are never missing. nil when
// none is missing.
func missingFragments(s anchorSet, frags []string) []string {
	var out []string
	for _, f := range frags {
		name, ok := fragmentTarget(f)
		if !ok || s.has(name) || slices.Contains(out, f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

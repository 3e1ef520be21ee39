package crawler

import (
	"math/rand/v2"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"

	"github.com/linkvault/linkvault"
)

// Soft 404s
//
// A soft 404 answers 2xx but its content is gone. The signals, each a
// linkvault.Evidence* value, and how they combine:
//
//   - platform: a platform's own "deleted" page (WeChat's
//     "该内容已被发布者删除" …), listed in platformSignatures and
//     Soft404Options.Signatures. Decisive alone.
//   - redirect-root, redirect-up, redirect-error: a deep link that ends on
//     the site's home page, on an ancestor with at most half its path
//     segments, or on an error page ("/404.html"). Decisive alone.
//   - probe-same-url, probe-similar: once per host and run, the link's
//     parent path plus a random 25-letter segment is requested. When that
//     probe answers a hard 404 or 410 the host behaves and its 200s are
//     believed. When it answers 2xx too and ends on the link's final URL,
//     or on a near-identical page (same title once the request path is
//     removed, and a simhash distance ≤ 3 or a diff ratio ≥ 0.95 of the
//     main text), the link is a soft 404. Decisive alone.
//   - generic-target: at least Soft404Options.GenericMin links of one host,
//     with different paths, redirect to the same page (this run's results
//     and Options.KnownLandings from the history). Decisive alone.
//   - parked: a parking or for-sale page (parkingSignatures). Decisive
//     with a similar probe: every path of the host is that page.
//   - gone-text: "Page not found", "页面不存在" … in the title or in a
//     short page (goneTexts and Soft404Options.GoneText). Supporting only:
//     decisive when the probe showed that the host answers 2xx for unknown
//     paths, or the link was redirected to another path.
//
// The root path "/" is never a soft 404, except for a parked domain; a
// JavaScript application shell (no content without running scripts) is
// never compared with its probe: every path of such a site looks alike.

// Soft404Options configures soft 404 detection.
type Soft404Options struct {
	Disabled bool // no soft 404 detection at all
	NoProbe  bool // no random-path probes (the other signals still apply)
	// GoneText adds phrases that say a page is gone, matched without case
	// in the title or in the visible text of a short page. They are
	// supporting evidence only.
	GoneText []string
	// Signatures adds decisive platform signatures.
	Signatures []Signature
	// GenericMin is the number of links with different paths of one host
	// ending on the same page that makes that page a generic landing page
	// (default 3).
	GenericMin int
}

// Signature is a decisive platform signature: Text in the visible text of
// a page of Host ("mp.weixin.qq.com", or "*.example.com" for subdomains,
// or "" for any host).
type Signature struct {
	Host string
	Text string
}

// DefaultGenericMin is the default of Soft404Options.GenericMin.
const DefaultGenericMin = 3

// platformSignatures are the built-in decisive signatures: pages a
// platform serves with 200 for content it removed.
var platformSignatures = []Signature{
	{"mp.weixin.qq.com", "该内容已被发布者删除"},
	{"mp.weixin.qq.com", "此内容因违规无法查看"},
	{"mp.weixin.qq.com", "此内容被多人投诉，相关的内容无法进行查看"},
	{"mp.weixin.qq.com", "该内容已被删除"},
	{"mp.weixin.qq.com", "此帐号已被屏蔽"},
	{"mp.weixin.qq.com", "此帐号已自主注销"},
	{"mp.weixin.qq.com", "该公众号已迁移"},
	{"mp.weixin.qq.com", "此帐号处于帐号迁移流程中"},
}

// goneTexts are the built-in supporting "gone" signals. A title pattern
// matches the title; a body phrase the lowercase visible text of a short
// page (under shortPage runes), so that an article quoting it is not taken
// for an error page. Generic words ("404", "not found") count only at the
// start of the title, so that "Issue #1404" or "…found elsewhere" do not.
var goneTexts = sync.OnceValue(func() []goneSignal {
	return []goneSignal{
		{name: "page not found", title: regexp.MustCompile(`(?i)page (was )?not found|404 not found|error 404|404 error`)},
		{name: "404", title: regexp.MustCompile(`(?i)^\s*(404|not found)\b`)},
		{name: "页面不存在", title: regexp.MustCompile(`页面不存在|页面没有找到|找不到页面|您访问的页面不存在|文章不存在|内容不存在`)},
		{name: "page not found", body: "page not found"},
		{name: "page does not exist", body: "page does not exist"},
		{name: "页面不存在", body: "页面不存在"},
		{name: "文章不存在", body: "文章不存在"},
		{name: "内容不存在", body: "内容不存在"},
		{name: "该内容已被删除", body: "该内容已被删除"},
	}
})

// goneSignal is one of goneTexts.
type goneSignal struct {
	name  string         // shown in the reason: "says “<name>”"
	title *regexp.Regexp // matched against the title, or
	body  string         // searched in the text of a short page
}

// parkingSignatures are phrases of domain parking and for-sale pages,
// searched in the lowercase text of a short page.
var parkingSignatures = []string{
	"domain may be for sale", "domain is for sale", "buy this domain",
	"this domain is parked", "parked free", "domain parking",
	"is available for purchase", "inquire about this domain",
	"hugedomains.com", "sedoparking", "parkingcrew", "bodis.com", "afternic",
	"该域名正在出售", "此域名出售", "域名出售",
}

// shortPage is the size under which the visible text of a page is searched
// for gone and parking phrases.
const shortPage = 2000

// localSignals are the signals of one page that need no other request.
type localSignals struct {
	evidence []string // decisive: platform, redirect-*
	gone     string   // the gone text found, supporting only
	parked   bool
	moved    bool // the link ended on another path
}

// pageSignals looks at one 2xx page of the link (final URL reached through
// hops) for the signals that need no probe.
func (c *Checker) pageSignals(link, final *url.URL, p *page) localSignals {
	var s localSignals
	if p != nil {
		text := strings.ToLower(p.text)
		short := utf8.RuneCountInString(p.text) < shortPage
		if g := c.platformGone(final.String(), p); g != "" {
			s.evidence = append(s.evidence, linkvault.EvidencePlatform)
			s.gone = g
		}
		if s.gone == "" {
			s.gone = c.goneText(p.title, p.heading, text, short)
		}
		if short {
			for _, w := range parkingSignatures {
				if strings.Contains(text, w) {
					s.parked = true
					break
				}
			}
		}
	}
	if ev := redirectEvidence(link, final); ev != "" {
		s.evidence = append(s.evidence, ev)
	}
	_, s.moved = landed(link.String(), final.String())
	return s
}

// platformGone returns the platform signature a page of rawURL shows, or
// "". It is safe for concurrent use.
func (c *Checker) platformGone(rawURL string, p *page) string {
	u, err := url.Parse(rawURL)
	if err != nil || p == nil {
		return ""
	}
	for _, sig := range c.signatures {
		if hostMatches(sig.Host, u.Hostname()) && strings.Contains(p.text, sig.Text) {
			return sig.Text
		}
	}
	return ""
}

// goneText returns the name of the gone text a page shows in its title,
// its first heading or (short pages) its text, or "".
func (c *Checker) goneText(title, heading, lowerText string, short bool) string {
	for _, g := range goneTexts() {
		switch {
		case g.title != nil && (g.title.MatchString(title) || g.title.MatchString(heading)):
			return g.name
		case g.body != "" && short && strings.Contains(lowerText, g.body):
			return g.name
		}
	}
	if short {
		for _, g := range c.opts.Soft404.GoneText {
			if g != "" && strings.Contains(lowerText, strings.ToLower(g)) {
				return g
			}
		}
	}
	lowerTitle := strings.ToLower(title + "\n" + heading)
	for _, g := range c.opts.Soft404.GoneText {
		if g != "" && strings.Contains(lowerTitle, strings.ToLower(g)) {
			return g
		}
	}
	return ""
}

// hostMatches reports whether host matches pattern: "" (any host), an exact
// name, or "*.example.com" (the domain and its subdomains).
func hostMatches(pattern, host string) bool {
	pattern, host = strings.ToLower(pattern), strings.ToLower(host)
	switch {
	case pattern == "":
		return true
	case strings.HasPrefix(pattern, "*."):
		return host == pattern[2:] || strings.HasSuffix(host, pattern[1:])
	}
	return host == pattern
}

// segments returns the non-empty segments of a URL path.
func segments(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
}

// rootPath reports whether u is a site's home page: path "/" (or empty) or
// an index page, or a language root ("/en", "/zh-cn").
func rootPath(u *url.URL) bool {
	seg := segments(u.EscapedPath())
	switch len(seg) {
	case 0:
		return true
	case 1:
		s := strings.ToLower(seg[0])
		return indexPage().MatchString(s) || langRoot().MatchString(s)
	}
	return false
}

var (
	indexPage = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(index|default|home)(\.[a-z]+)?$`) })
	langRoot  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(en|zh|ja|ko|de|fr|es|it|pt|ru|nl|pl|tr|ar|he|id|vi|th|sv|da|fi|no|nb|cs|uk|hu|ro|el|fa|hi|bn|ms)([-_][a-z]{2,4})?$`)
	})
	errorPage = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^(404|410|not-?found|not_found|page-?not-?found|pagenotfound|error-?404|404-?error|(404|error|notfound)\.(html?|php|aspx?|jsp))$`)
	})
)

// sameSite reports whether a and b are on the same registrable domain.
func sameSite(a, b *url.URL) bool {
	ha, hb := strings.ToLower(a.Hostname()), strings.ToLower(b.Hostname())
	if ha == hb {
		return true
	}
	da, err1 := publicsuffix.EffectiveTLDPlusOne(ha)
	db, err2 := publicsuffix.EffectiveTLDPlusOne(hb)
	return err1 == nil && err2 == nil && da == db
}

// redirectEvidence is the soft 404 signal of where a link ended: its home
// page, a much shorter ancestor, or an error page. Links that are home
// pages themselves, and links redirected to their own path (http→https, a
// trailing slash, another host), give none. A link on another site that
// ends on a home page counts only from two path segments on, since a
// short link ("https://sho.rt/abc") may well point at a home page.
func redirectEvidence(link, final *url.URL) string {
	if rootPath(link) {
		return ""
	}
	ls, fs := segments(link.EscapedPath()), segments(final.EscapedPath())
	if slices.Equal(ls, fs) {
		return ""
	}
	if len(fs) > 0 && errorPage().MatchString(fs[len(fs)-1]) {
		return linkvault.EvidenceRedirectError
	}
	same := sameSite(link, final)
	if rootPath(final) && final.RawQuery == "" && (same || len(ls) >= 2) {
		return linkvault.EvidenceRedirectRoot
	}
	if same && len(ls) >= 2 && len(fs)*2 <= len(ls) && slices.Equal(fs, ls[:len(fs)]) {
		return linkvault.EvidenceRedirectUp
	}
	return ""
}

// driftTracked reports whether the content drift of a link is worth
// tracking: not for a site's home page or a GitHub repository's main page,
// which notes cite as "this site" or "this project" and whose text changes
// by design (the latest posts, the README).
func driftTracked(link string) bool {
	u, err := url.Parse(link)
	if err != nil || rootPath(u) {
		return false
	}
	if repo := githubRepo(link); repo != "" && len(segments(u.EscapedPath())) == 2 {
		return false
	}
	return true
}

// probeLetters is the alphabet of the random probe segment.
const probeLetters = "abcdefghijklmnopqrstuvwxyz"

// probeURL returns the link's parent path plus a random 25-letter
// segment: https://host/a/b/c → https://host/a/b/<random>.
func probeURL(link *url.URL) string {
	var b strings.Builder
	for range 25 {
		b.WriteByte(probeLetters[rand.IntN(len(probeLetters))])
	}
	u := url.URL{Scheme: link.Scheme, Host: link.Host}
	p := link.EscapedPath()
	p = strings.TrimSuffix(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[:i]
	} else {
		p = ""
	}
	u.Path = p + "/" + b.String()
	if pu, err := url.PathUnescape(u.Path); err == nil {
		u.RawPath = u.Path
		u.Path = pu
	}
	return u.String()
}

// probeResult is what the random-path probe of a host got.
type probeResult struct {
	status int    // HTTP status of the answer; 0: no answer
	final  string // URL it ended on: the probe's, or where a 3xx sent it
	paths  string // the paths it asked for and ended on
	page   *page  // its 2xx page
	sig    *pageSig
	shell  bool // the answer is a JavaScript application shell
}

// soft200 reports whether the host answered the probe with 2xx: it does not
// use error statuses for unknown paths.
func (p *probeResult) soft200() bool {
	return p != nil && p.status >= 200 && p.status < 300
}

// redirected reports whether the host sent the probe elsewhere.
func (p *probeResult) redirected() bool {
	return p != nil && p.status >= 300 && p.status < 400
}

// judgement is the verdict on one 2xx page.
type judgement struct {
	evidence []string
	reason   string
}

// soft reports whether the verdict is a soft 404.
func (j judgement) soft() bool { return len(j.evidence) > 0 }

// judge combines the signals of one 2xx page (and the probe of its host,
// nil when there is none) into a verdict.
func judge(link *url.URL, final string, s localSignals, sig *pageSig, shell bool, pr *probeResult) judgement {
	var ev []string
	var detail []string
	ev = append(ev, s.evidence...)
	root := rootPath(link)
	if (pr.soft200() || pr.redirected()) && !shell && !pr.shell && sig != nil && (!root || s.parked) {
		switch {
		// A probe sent to the link's own page says nothing about it:
		// the link is to the page every unknown path ends on.
		case pr.final == final && final != link.String():
			ev = append(ev, linkvault.EvidenceProbeSameURL)
			detail = append(detail, "a random path ends on the same page")
		case pr.sig != nil:
			if near, how := sig.near(*pr.sig); near {
				ev = append(ev, linkvault.EvidenceProbeSimilar)
				detail = append(detail, "same page as a random path ("+how+")")
			}
		}
	}
	probed := slices.Contains(ev, linkvault.EvidenceProbeSameURL) || slices.Contains(ev, linkvault.EvidenceProbeSimilar)
	if s.parked && probed {
		ev = append(ev, linkvault.EvidenceParked)
	}
	if s.gone != "" && !slices.Contains(ev, linkvault.EvidencePlatform) {
		if len(ev) > 0 || (pr.soft200() || s.moved) && !root {
			ev = append(ev, linkvault.EvidenceGoneText)
		}
	}
	if len(ev) == 0 {
		return judgement{}
	}
	return judgement{evidence: ev, reason: soft404Reason(ev, s, detail)}
}

// soft404Reason is the one-line reason of a soft 404.
func soft404Reason(ev []string, s localSignals, detail []string) string {
	var parts []string
	for _, e := range ev {
		switch e {
		case linkvault.EvidencePlatform:
			parts = append(parts, "says “"+s.gone+"”")
		case linkvault.EvidenceRedirectRoot:
			parts = append(parts, "redirects to the home page")
		case linkvault.EvidenceRedirectUp:
			parts = append(parts, "redirects to a parent page")
		case linkvault.EvidenceRedirectError:
			parts = append(parts, "redirects to an error page")
		case linkvault.EvidenceGenericTarget:
			parts = append(parts, "redirects to a page many other links of the site end on")
		case linkvault.EvidenceParked:
			parts = append(parts, "parked domain")
		case linkvault.EvidenceGoneText:
			parts = append(parts, "says “"+s.gone+"”")
		}
	}
	parts = append(parts, detail...)
	return "soft 404: " + strings.Join(slices.Compact(parts), "; ")
}

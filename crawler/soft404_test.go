package crawler

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestGoneText(t *testing.T) {
	c := &Checker{opts: Options{Soft404: Soft404Options{GoneText: []string{"Nothing to see here"}}}}
	long := strings.Repeat("An article about error pages. ", 100)
	tests := []struct {
		title, heading, text, want string
	}{
		{"Page Not Found", "", "", "page not found"},
		{"Blog", "404 Not Found", long, "page not found"}, // the heading of a long page
		{"博客", "您访问的页面不存在", long, "页面不存在"},
		{"404 - Example", "", "", "404"},
		{"Not Found", "", "", "404"},
		{"Error 404 | Blog", "", "", "page not found"},
		{"页面不存在", "", "", "页面不存在"},
		{"", "", "抱歉，您访问的文章不存在", "文章不存在"},
		{"Blog", "", "Sorry, this page does not exist.", "page does not exist"},
		{"Blog", "", long + " page not found", ""}, // long pages: only the title and heading count
		{"Issue #1404: fix crash", "", "", ""},
		{"host.test/page/404", "", "", ""},
		{"Things you have not found elsewhere", "", "", ""},
		{"Go", "", "A page.", ""},
		{"Blog", "", "nothing to see here, move on", "Nothing to see here"}, // from the config
		{"Nothing to see here | Blog", "", long, "Nothing to see here"},
	}
	for _, tt := range tests {
		short := len([]rune(tt.text)) < shortPage
		if got := c.goneText(tt.title, tt.heading, strings.ToLower(tt.text), short); got != tt.want {
			t.Errorf("goneText(%q, %q, %.40q) = %q, want %q", tt.title, tt.heading, tt.text, got, tt.want)
		}
	}
}

func TestPlatformSignature(t *testing.T) {
	c, err := NewChecker(Options{Soft404: Soft404Options{Signatures: []Signature{{Host: "*.example-forum.test", Text: "帖子已被删除"}}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url, text, want string
	}{
		{"https://mp.weixin.qq.com/s/abc", "微信公众平台 该内容已被发布者删除 继续访问", "该内容已被发布者删除"},
		{"https://mp.weixin.qq.com/s/abc", "此内容因违规无法查看", "此内容因违规无法查看"},
		{"https://blog.example.com/wechat-deletions", "文章提到：该内容已被发布者删除", ""}, // another host quoting it
		{"https://bbs.example-forum.test/t/1", "抱歉，帖子已被删除", "帖子已被删除"},
		{"https://example-forum.test/t/1", "抱歉，帖子已被删除", "帖子已被删除"},
		{"https://mp.weixin.qq.com/s/live", "一篇正常的文章", ""},
	}
	for _, tt := range tests {
		if got := c.platformGone(tt.url, &page{text: tt.text}); got != tt.want {
			t.Errorf("platformGone(%s, %q) = %q, want %q", tt.url, tt.text, got, tt.want)
		}
	}
}

func TestRedirectEvidence(t *testing.T) {
	tests := []struct {
		link, final, want string
	}{
		{"https://blog.test/2019/05/post", "https://blog.test/", linkvault.EvidenceRedirectRoot},
		{"https://blog.test/post", "https://blog.test/", linkvault.EvidenceRedirectRoot},
		{"https://blog.test/post", "https://www.blog.test/index.html", linkvault.EvidenceRedirectRoot},
		{"https://old.test/docs/guide", "https://new.test/", linkvault.EvidenceRedirectRoot},
		{"https://sho.rt/abc", "https://company.test/", ""}, // a short link to a home page
		{"https://blog.test/", "https://blog.test/en/", ""}, // home to home
		{"https://blog.test/index.html", "https://blog.test/", ""},
		{"https://blog.test/en", "https://blog.test/", ""},
		{"https://blog.test/post", "https://blog.test/?from=old", ""}, // a query: not the bare home page
		{"https://blog.test/blog/2019/05/post", "https://blog.test/blog/", linkvault.EvidenceRedirectUp},
		{"https://blog.test/docs/guide/intro", "https://blog.test/docs/", linkvault.EvidenceRedirectUp},
		{"https://blog.test/projects/foo", "https://blog.test/projects", linkvault.EvidenceRedirectUp},
		{"https://blog.test/a/b/c/d", "https://blog.test/a/b/", linkvault.EvidenceRedirectUp},
		{"https://blog.test/a/b/c/d", "https://blog.test/a/b/c", ""}, // one level up is not much shorter
		{"https://blog.test/a/b/c", "https://other.test/a/", ""},     // another site
		{"https://blog.test/old/post", "https://blog.test/404.html", linkvault.EvidenceRedirectError},
		{"https://blog.test/old/post", "https://blog.test/errors/not-found", linkvault.EvidenceRedirectError},
		{"https://blog.test/old/post", "https://blog.test/pagenotfound", linkvault.EvidenceRedirectError},
		{"https://blog.test/docs/old-errors", "https://blog.test/docs/errors", ""}, // a page about errors
		{"http://blog.test/post", "https://blog.test/post/", ""},
		{"https://blog.test/old-name", "https://blog.test/new-name", ""},
		{"https://blog.test/about", "https://blog.test/en/about", ""},
		{"https://blog.test/post", "https://blog.test/zh-cn", linkvault.EvidenceRedirectRoot},
		{"https://blog.test/docs/intro", "https://blog.test/go", ""}, // "go" is a section, not a language root
	}
	for _, tt := range tests {
		if got := redirectEvidence(mustURL(t, tt.link), mustURL(t, tt.final)); got != tt.want {
			t.Errorf("redirectEvidence(%s → %s) = %q, want %q", tt.link, tt.final, got, tt.want)
		}
	}
}

func TestDriftTracked(t *testing.T) {
	for link, want := range map[string]bool{
		"https://blog.test/posts/etcd-tuning":               true,
		"https://blog.test/":                                false,
		"https://blog.test/index.html":                      false,
		"https://github.com/tkestack/kstone":                false,
		"https://github.com/tkestack/kstone/":               false,
		"https://github.com/tkestack/kstone/blob/main/a.md": true,
		"https://github.com/tkestack/kstone/wiki/Design":    true,
	} {
		if got := driftTracked(link); got != want {
			t.Errorf("driftTracked(%s) = %v, want %v", link, got, want)
		}
	}
}

func TestProbeURL(t *testing.T) {
	seg := regexp.MustCompile(`^[a-z]{25}$`)
	tests := []struct{ link, prefix string }{
		{"https://h.test/blog/2021/post", "https://h.test/blog/2021/"},
		{"https://h.test/blog/2021/post/", "https://h.test/blog/2021/"},
		{"https://h.test/s/abc?x=1#f", "https://h.test/s/"},
		{"https://h.test/post", "https://h.test/"},
		{"https://h.test/", "https://h.test/"},
		{"https://h.test:8443/%E4%B8%AD/a", "https://h.test:8443/%E4%B8%AD/"},
	}
	for _, tt := range tests {
		a, b := probeURL(mustURL(t, tt.link)), probeURL(mustURL(t, tt.link))
		if !strings.HasPrefix(a, tt.prefix) || !seg.MatchString(strings.TrimPrefix(a, tt.prefix)) {
			t.Errorf("probeURL(%s) = %s, want %s + 25 letters", tt.link, a, tt.prefix)
		}
		if a == b {
			t.Errorf("probeURL(%s) twice gave %s: not random", tt.link, a)
		}
	}
}

func TestJudge(t *testing.T) {
	article := func(title, body string) *pageSig {
		s := newSig(page{title: title, text: body, main: body}, "/x")
		return &s
	}
	notFound := article("Oops", "We looked everywhere but this page is not here. Try the search box or go back home.")
	real := article("Real post", strings.Repeat("A real article about distributed tracing and sampling. ", 30))
	deep := "https://h.test/blog/post"
	root := "https://h.test/"
	tests := []struct {
		name  string
		link  string
		final string
		s     localSignals
		sig   *pageSig
		shell bool
		pr    *probeResult
		want  []string
	}{
		{"platform alone", deep, deep, localSignals{evidence: []string{linkvault.EvidencePlatform}, gone: "该内容已被发布者删除"}, real, false, nil,
			[]string{linkvault.EvidencePlatform}},
		{"probe 404: believed", deep, deep, localSignals{}, notFound, false, &probeResult{status: 404},
			nil},
		{"probe 404 and gone text: still believed", deep, deep, localSignals{gone: "page not found"}, notFound, false, &probeResult{status: 404},
			nil},
		{"probe similar", deep, deep, localSignals{}, notFound, false, &probeResult{status: 200, final: "https://h.test/blog/zzz", sig: notFound},
			[]string{linkvault.EvidenceProbeSimilar}},
		{"probe differs", deep, deep, localSignals{}, real, false, &probeResult{status: 200, final: "https://h.test/blog/zzz", sig: notFound},
			nil},
		{"probe same final URL", deep, "https://h.test/notfound", localSignals{}, real, false, &probeResult{status: 200, final: "https://h.test/notfound", sig: notFound},
			[]string{linkvault.EvidenceProbeSameURL}},
		{"gone text with a 200 probe", deep, deep, localSignals{gone: "页面不存在"}, real, false, &probeResult{status: 200, final: "x", sig: notFound},
			[]string{linkvault.EvidenceGoneText}},
		{"gone text and moved", deep, "https://h.test/other", localSignals{gone: "page not found", moved: true}, real, false, nil,
			[]string{linkvault.EvidenceGoneText}},
		{"gone text alone: not enough", deep, deep, localSignals{gone: "page not found"}, real, false, nil,
			nil},
		{"root never", root, root, localSignals{}, notFound, false, &probeResult{status: 200, final: root, sig: notFound},
			nil},
		{"root with gone text and a 200 probe: never", root, root, localSignals{gone: "page not found"}, notFound, false, &probeResult{status: 200, final: "x", sig: notFound},
			nil},
		{"parked root", root, root, localSignals{parked: true}, notFound, false, &probeResult{status: 200, final: "https://h.test/zzz", sig: notFound},
			[]string{linkvault.EvidenceProbeSimilar, linkvault.EvidenceParked}},
		{"parked deep", deep, deep, localSignals{parked: true}, notFound, false, &probeResult{status: 200, final: "https://h.test/zzz", sig: notFound},
			[]string{linkvault.EvidenceProbeSimilar, linkvault.EvidenceParked}},
		{"parked words but the probe is a 404", deep, deep, localSignals{parked: true}, notFound, false, &probeResult{status: 404},
			nil},
		{"app shell never compared", deep, deep, localSignals{}, notFound, true, &probeResult{status: 200, final: "x", sig: notFound, shell: true},
			nil},
		{"redirect root", deep, root, localSignals{evidence: []string{linkvault.EvidenceRedirectRoot}}, real, false, nil,
			[]string{linkvault.EvidenceRedirectRoot}},
		{"probe sent to the link's own page", "https://h.test/archive/moved", "https://h.test/archive/moved", localSignals{}, real, false, &probeResult{status: 302, final: "https://h.test/archive/moved"},
			nil},
		{"probe sent where the link was sent", deep, "https://h.test/archive/moved", localSignals{moved: true}, real, false, &probeResult{status: 302, final: "https://h.test/archive/moved"},
			[]string{linkvault.EvidenceProbeSameURL}},
		{"unanswered probe", deep, deep, localSignals{}, notFound, false, &probeResult{},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judge(mustURL(t, tt.link), tt.final, tt.s, tt.sig, tt.shell, tt.pr)
			if !slices.Equal(v.evidence, tt.want) {
				t.Fatalf("evidence %q, want %q", v.evidence, tt.want)
			}
			if v.soft() != (len(tt.want) > 0) || v.soft() && !strings.HasPrefix(v.reason, "soft 404: ") {
				t.Errorf("soft %v, reason %q", v.soft(), v.reason)
			}
		})
	}
}

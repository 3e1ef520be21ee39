// Package soft404web is a labelled fake web of soft 404s for tests and the
// precision/recall benchmark of soft-404 detection.
//
// Install registers a dozen hosts on a fakeweb.Web and returns the labelled
// links that point into them. Every host has its own page template (a
// header with a long navigation menu and a footer) so that on short pages
// the template outweighs the content, and every host answers paths it does
// not know in a deliberate way, because a checker compares a link's answer
// with the answer to a made-up path under the link's parent path.
//
// The hosts and their answer to an unknown path:
//
//	mp.weixin.qq.com           200, a WeChat message page "参数错误"
//	blog.example-tech.dev      404 (a well-behaved blog)
//	example-tech.dev           301 to the same path on blog.example-tech.dev
//	docs.quillstack.io         200, a "not here" template echoing the path
//	www.tidewater-coffee.com   200, the landing page, byte for byte
//	www.yunwei-shequ.cn        200, a Chinese template saying "页面不存在"
//	cheap-flights-hub.com      200, the parking page (every path, "/" too)
//	www.riverton-gazette.com   302 to "/"
//	www.hollins-lab.org        404
//	app.metricsboard.io        200, the single-page-app shell
//	eng.larchmont-systems.com  404 (a well-behaved blog)
//	github.com                 404
//
// Pages are deterministic: the same request always gets the same bytes.
package soft404web

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/linkvault/linkvault/internal/fakeweb"
)

// Case is one labelled link.
type Case struct {
	URL     string // http://host/path as a note would cite it
	Soft404 bool   // ground truth: the page answers 2xx (possibly after redirects) but its content is gone
	Kind    string // short category, e.g. "wechat-deleted", "redirect-root", "parked", "template-404", "catch-all-real", "real", "homepage", "app-shell", ...
	Note    string // why it is labelled so
}

// Install registers the hosts of the labelled web on w and returns the cases.
// It replaces the Handler of those hosts and leaves their other fields alone.
func Install(w *fakeweb.Web) []Case {
	var c cases
	installWeChat(w, &c)
	installBlog(w, &c)
	installDocs(w, &c)
	installCoffee(w, &c)
	installForum(w, &c)
	installParked(w, &c)
	installGazette(w, &c)
	installLab(w, &c)
	installApp(w, &c)
	installEng(w, &c)
	installGitHub(w, &c)
	return c.list
}

// Score counts a detector's answers against the labels: flagged reports
// whether the detector called a case's URL a soft 404.
func Score(cases []Case, flagged func(url string) bool) (tp, fp, fn, tn int) {
	for _, c := range cases {
		f := flagged(c.URL)
		switch {
		case c.Soft404 && f:
			tp++
		case c.Soft404:
			fn++
		case f:
			fp++
		default:
			tn++
		}
	}
	return tp, fp, fn, tn
}

// PrecisionRecall returns tp/(tp+fp) and tp/(tp+fn). A ratio with a zero
// denominator is 1: a detector that flags nothing raised no false alarm,
// and with nothing to find nothing was missed.
func PrecisionRecall(tp, fp, fn int) (precision, recall float64) {
	precision, recall = 1, 1
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		recall = float64(tp) / float64(tp+fn)
	}
	return precision, recall
}

// The host names.
const (
	hostWeChat  = "mp.weixin.qq.com"
	hostBlog    = "blog.example-tech.dev"
	hostApex    = "example-tech.dev"
	hostDocs    = "docs.quillstack.io"
	hostCoffee  = "www.tidewater-coffee.com"
	hostForum   = "www.yunwei-shequ.cn"
	hostParked  = "cheap-flights-hub.com"
	hostGazette = "www.riverton-gazette.com"
	hostLab     = "www.hollins-lab.org"
	hostApp     = "app.metricsboard.io"
	hostEng     = "eng.larchmont-systems.com"
	hostGitHub  = "github.com"
)

type cases struct{ list []Case }

func (c *cases) add(host, path string, soft bool, kind, note string) {
	c.list = append(c.list, Case{URL: "http://" + host + path, Soft404: soft, Kind: kind, Note: note})
}

// reply is one canned answer.
type reply struct {
	status int
	ctype  string
	body   string
	loc    string // Location of a redirect
}

const (
	ctHTML = "text/html; charset=utf-8"
	ctPDF  = "application/pdf"
)

func ok(body string) reply { return reply{status: http.StatusOK, ctype: ctHTML, body: body} }
func notFound(body string) reply {
	return reply{status: http.StatusNotFound, ctype: ctHTML, body: body}
}
func redirect(code int, loc string) reply { return reply{status: code, loc: loc} }
func pdf(title string) reply              { return reply{status: http.StatusOK, ctype: ctPDF, body: fakePDF(title)} }

// site serves canned replies by path (or path?query, tried first) and asks
// unknown for the rest.
type site struct {
	server  string
	pages   map[string]reply
	unknown func(r *http.Request) reply
}

func (s *site) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var rep reply
	found := false
	if r.URL.RawQuery != "" {
		rep, found = s.pages[r.URL.Path+"?"+r.URL.RawQuery]
	}
	if !found {
		rep, found = s.pages[r.URL.Path]
	}
	if !found {
		rep = s.unknown(r)
	}
	if s.server != "" {
		rw.Header().Set("Server", s.server)
	}
	if rep.loc != "" {
		http.Redirect(rw, r, rep.loc, rep.status)
		return
	}
	rw.Header().Set("Content-Type", rep.ctype)
	rw.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	rw.WriteHeader(rep.status)
	if r.Method != http.MethodHead {
		io.WriteString(rw, rep.body)
	}
}

func always(rep reply) func(*http.Request) reply {
	return func(*http.Request) reply { return rep }
}

// layout is a site's page template.
type layout struct {
	lang   string
	suffix string // appended to every title
	head   string // extra markup in <head>
	class  string // class of <body>
	top    string // header and navigation
	bottom string // footer
}

func (l layout) page(title, main string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"" + l.lang + "\">\n<head>\n")
	b.WriteString("<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + html.EscapeString(title+l.suffix) + "</title>\n")
	b.WriteString(l.head)
	b.WriteString("</head>\n<body class=\"" + l.class + "\">\n")
	b.WriteString(l.top)
	b.WriteString(main)
	b.WriteString("\n")
	b.WriteString(l.bottom)
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// menu renders a navigation list from href, label pairs.
func menu(class, label string, pairs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<nav class=\"%s\" aria-label=\"%s\">\n<ul>\n", class, label)
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", pairs[i], pairs[i+1])
	}
	b.WriteString("</ul>\n</nav>\n")
	return b.String()
}

// ps wraps each text in a paragraph. The texts are trusted markup.
func ps(texts ...string) string {
	var b strings.Builder
	for _, t := range texts {
		b.WriteString("<p>" + t + "</p>\n")
	}
	return b.String()
}

// fakePDF is a tiny one-page PDF showing title.
func fakePDF(title string) string {
	stream := "BT /F1 18 Tf 72 720 Td (" + title + ") Tj ET"
	return "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" +
		"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
		"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n" +
		"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n" +
		"4 0 obj\n<< /Length " + strconv.Itoa(len(stream)) + " >>\nstream\n" + stream + "\nendstream\nendobj\n" +
		"5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n" +
		"6 0 obj\n<< /Title (" + title + ") /Producer (soft404web) >>\nendobj\n" +
		"trailer\n<< /Root 1 0 R /Info 6 0 R /Size 7 >>\n%%EOF\n"
}

// ---------------------------------------------------------------------------
// 1. mp.weixin.qq.com: deleted and live WeChat articles.

type wxArticle struct {
	title, account, author, date, desc string
	paras                              []string
}

func (a wxArticle) html() string {
	t := html.EscapeString(a.title)
	return `<!DOCTYPE html>
<html class="">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0,viewport-fit=cover">
<meta property="og:title" content="` + t + `">
<meta property="og:type" content="article">
<meta property="og:description" content="` + html.EscapeString(a.desc) + `">
<meta property="og:site_name" content="微信公众平台">
<link rel="stylesheet" href="https://res.wx.qq.com/mmbizappmsg/zh_CN/htmledition/js/assets/appmsg.css">
<title>` + t + `</title>
</head>
<body id="activity-detail" class="zh_CN wx_wap_page mm_appmsg appmsg_skin_default appmsg_style_default">
<div id="js_article" class="rich_media">
<div class="rich_media_inner">
<div id="page-content" class="rich_media_area_primary">
<div class="rich_media_area_primary_inner">
<h1 class="rich_media_title" id="activity-name">` + t + `</h1>
<div id="meta_content" class="rich_media_meta_list">
<span class="rich_media_meta rich_media_meta_text">` + a.author + `</span>
<span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a href="javascript:void(0);" id="js_name">` + a.account + `</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text">` + a.date + `</em>
</div>
<div class="rich_media_content" id="js_content">
` + ps(a.paras...) + `</div>
<div class="rich_media_tool_area" id="js_toobar3">
<a class="media_tool_meta meta_primary" id="js_view_source" href="javascript:void(0);">阅读原文</a>
<span class="media_tool_meta">喜欢作者</span>
</div>
</div>
</div>
</div>
<div id="js_pc_qr_code" class="qr_code_pc_outer"><p>微信扫一扫<br>关注该公众号</p></div>
</div>
</body>
</html>
`
}

// wxMessage is the bare page WeChat shows instead of an article; its title
// is empty, as on the real site.
func wxMessage(icon, title, desc string) string {
	if desc != "" {
		desc = "\n<p class=\"weui-msg__desc\">" + desc + "</p>"
	}
	return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0">
<link rel="stylesheet" href="https://res.wx.qq.com/open/libs/weui/2.5.4/weui.min.css">
<title></title>
</head>
<body>
<div class="weui-msg">
<div class="weui-msg__icon-area"><i class="` + icon + ` weui-icon_msg"></i></div>
<div class="weui-msg__text-area">
<h2 class="weui-msg__title">` + title + `</h2>` + desc + `
</div>
</div>
<div class="weui-footer weui-footer_fixed-bottom"><p class="weui-footer__text">微信公众平台</p></div>
</body>
</html>
`
}

func installWeChat(w *fakeweb.Web, c *cases) {
	deleted := ok(wxMessage("weui-icon-info", "该内容已被发布者删除", ""))
	banned := ok(wxMessage("weui-icon-warn", "此内容因违规无法查看", "经用户投诉并核实，该内容违反了平台运营规范，已停止传播。"))
	badParam := ok(wxMessage("weui-icon-warn", "参数错误", "链接可能不完整，请核对后重新打开。"))

	k8s := wxArticle{
		title: "一次 Kubernetes 节点 DiskPressure 驱逐的排查记录", account: "云原生运维笔记", author: "阿杰", date: "2021-11-18 08:30",
		desc: "三台节点在十分钟内相继被驱逐，原因竟是一个把中间结果写进容器可写层的批处理任务。",
		paras: []string{
			"上周五下午，生产集群里有三台节点在十分钟内陆续被打上 DiskPressure 污点，上面的几十个 Pod 被 kubelet 驱逐，其中包括两个没有设置 PodDisruptionBudget 的网关副本。好在流量很快被其他节点接住，没有造成长时间的故障，但这件事值得完整复盘一下。",
			"第一步是确认驱逐的触发条件。kubelet 默认的硬驱逐阈值里，nodefs.available 低于 10%、imagefs.available 低于 15% 都会触发。我们登录节点执行 df -h，发现根分区只剩 6% 的空间，而容器运行时的数据目录和根分区在同一块盘上。",
			"接下来用 du 逐层往下找，很快定位到 /var/lib/containerd 下某个容器的可写层占了八十多 GB。这个容器属于一个新上线的批处理任务，它把中间结果直接写到了容器内的 /tmp，而不是挂载的卷上。",
			"为什么测试时没有发现？因为测试环境里这个任务只处理一天的数据，临时文件不到 1 GB；上线后一次处理三十天，临时文件随之膨胀了三十多倍。",
			"处理分三步：先暂停该任务，再手动清理节点上已退出容器的可写层，最后把 kubelet 的 imageGCHighThresholdPercent 调低五个百分点，让镜像回收更早介入。",
			"长期的改进包括：为所有批处理任务配置 ephemeral-storage 的 requests 和 limits，超出限制的 Pod 会被单独驱逐，而不是拖垮整个节点；把容器运行时的数据目录迁移到独立的数据盘；在 Prometheus 里为节点磁盘使用率增加预测告警，用 predict_linear 估算四小时后的剩余空间。",
			"最后一个教训是关于 PodDisruptionBudget 的。kubelet 的驱逐并不理会 PDB，但我们做节点维护时依赖它，所以核心服务都应该配上，并且副本数至少为三。",
			"如果你也遇到过类似的问题，欢迎在留言区分享你的排查思路。",
		},
	}
	pool := wxArticle{
		title: "Go 语言 sync.Pool 的三个常见误区", account: "Gopher 夜读", author: "林木", date: "2022-03-07 21:05",
		desc: "sync.Pool 不是缓存，放回前要重置，也别池化大小悬殊的对象。",
		paras: []string{
			"sync.Pool 经常被当作万能的性能优化手段，但在代码评审中，我们反复看到几类用法其实得不偿失。本文结合几个真实的例子聊聊这些误区。",
			"误区一：把 Pool 当成缓存。Pool 中的对象随时可能在垃圾回收时被清掉。从 Go 1.13 开始有了 victim 机制，对象最多能多撑过一轮 GC，但它仍然不保证任何对象一定会被保留。需要保证命中的场景应该用真正的缓存，比如带容量上限的 LRU。",
			"误区二：放回去之前不重置对象。比如一个 bytes.Buffer 放回 Pool 前没有调用 Reset，下一个使用者就会读到上一次请求的残留数据。这类问题在测试里很难暴露，却可能在线上造成数据串扰。",
			"误区三：池化大小差异极大的对象。如果某次请求把一个缓冲区扩容到了几十 MB，再放回池中，这块内存就会长期驻留。常见做法是在放回前检查容量，超过阈值就直接丢弃，交给 GC 回收。",
			"那什么时候适合使用 sync.Pool 呢？对象创建成本较高、生命周期短、大小相对稳定，而且分配确实出现在 pprof 的热点里。满足这几个条件时，收益通常比较明显。",
			"最后提醒一句：任何优化之前都先写基准测试，用 go test -bench 加上 -benchmem 观察每次操作的分配次数，数字比直觉可靠。",
		},
	}
	sql := wxArticle{
		title: "一条慢 SQL 引发的连锁反应：从 12 秒到 40 毫秒", account: "数据库那些事", author: "老陈", date: "2020-08-21 07:45",
		desc: "默认查询范围的一个小改动，让优化器选错了索引。",
		paras: []string{
			"事情起源于一次普通的版本发布。发布后半小时，订单查询接口的 P99 延迟从 200 毫秒涨到了 12 秒，数据库 CPU 一度打满。",
			"慢查询日志里排在第一位的，是一条按用户和状态筛选订单、再按创建时间倒序分页的语句。执行计划显示，优化器选择了 created_at 上的单列索引，然后逐行回表过滤用户和状态。",
			"原来，这次发布把默认的查询时间范围从最近 30 天改成了全部历史。优化器估算后认为按时间索引顺序扫描代价更低，而实际上目标用户的订单分布很稀疏，要扫描几百万行才能凑够一页。",
			"我们先用 FORCE INDEX 做了临时止血，随后新建了 (user_id, status, created_at) 联合索引，让过滤和排序都能在索引上完成。上线后，同一条语句的执行时间降到了 40 毫秒左右。",
			"复盘时大家总结了几点：改动默认查询范围这样的“小需求”也要评估对 SQL 的影响；核心查询应该在预发环境用接近生产的数据量跑一遍 EXPLAIN；深分页最好改成游标方式，以上一页最后一条记录的时间和主键作为起点。",
			"还有一点容易被忽略：连接池的超时设置。慢查询占住了大量连接，应用侧的等待队列越来越长，最终连原本无关的接口也开始超时。给连接池设置合理的获取超时，比让请求无限等待更安全。",
		},
	}
	git := wxArticle{
		title: "写给新同事的 Git 分支管理建议", account: "小团队工程实践", author: "周舟", date: "2023-02-14 12:00",
		desc: "一个主干、短命的特性分支、写清楚“为什么”的提交信息。",
		paras: []string{
			"每年都有新同事入职，第一周最常问的问题之一就是：我们的分支到底怎么管？这里把团队这几年的约定整理一下，供大家参考。",
			"主干只有一个 main，任何时候都应该处于可以发布的状态。所有改动都通过短生命周期的特性分支合入，分支名以工单号开头，例如 feat/OPS-1024-retry-policy。",
			"特性分支尽量在两三天内合并。分支存在的时间越长，与主干的差异越大，合并时的冲突和回归风险也越高。功能一时做不完，可以用功能开关把未完成的部分藏起来。",
			"提交信息要写清楚“为什么”，而不仅是“改了什么”。代码本身已经说明了改了什么，半年后回头看时，真正缺的是当时的背景和取舍。",
			"合并前先 rebase 到最新的 main，并确保 CI 全部通过。我们默认使用 squash 合并，让主干的历史保持线性、易读。",
			"发布时在 main 上打 tag，版本号遵循语义化版本。需要修复线上问题时，从对应的 tag 拉出 hotfix 分支，修复后同时合回 main，避免下个版本又把问题带回来。",
			"这些约定并不复杂，关键在于所有人都遵守。有任何建议，欢迎在周会上提出来讨论。",
		},
	}
	const gitQuery = "/s?__biz=MzI1NjA0MDg2Mw==&mid=2650682345&idx=1&sn=7c3f1e9a0b2d4c6e8f0a1b3c5d7e9f01"

	w.Host(hostWeChat).Handler = &site{
		pages: map[string]reply{
			"/s/Qf7pL2mX9vKt3RwN8bYc5A": deleted,
			"/s/aB3dE5fG7hJ9kL1mN3pQ5r": deleted,
			"/s/Hn2jR4tY6uI8oP0aS2dF4g": deleted,
			"/s/Zx8cV6bN4mQ2wE0rT9yU7i": banned,
			"/s/K8sD2fG4hJ6kL8zX0cV2bN": ok(k8s.html()),
			"/s/Lm4nB6vC8xZ0aS2dF4gH6j": ok(pool.html()),
			"/s/Pq9wE7rT5yU3iO1pA3sD5f": ok(sql.html()),
			gitQuery:                    ok(git.html()),
		},
		unknown: always(badParam),
	}

	c.add(hostWeChat, "/s/Qf7pL2mX9vKt3RwN8bYc5A", true, "wechat-deleted", "answers 200 with WeChat's bare message page: 该内容已被发布者删除")
	c.add(hostWeChat, "/s/aB3dE5fG7hJ9kL1mN3pQ5r", true, "wechat-deleted", "another deleted article: the same message page, byte for byte")
	c.add(hostWeChat, "/s/Hn2jR4tY6uI8oP0aS2dF4g", true, "wechat-deleted", "a third deleted article; unknown ids answer 参数错误 instead, so it differs from the probe")
	c.add(hostWeChat, "/s/Zx8cV6bN4mQ2wE0rT9yU7i", true, "wechat-violation", "answers 200 with the message page 此内容因违规无法查看")
	c.add(hostWeChat, "/s/K8sD2fG4hJ6kL8zX0cV2bN", false, "wechat-live", "live article: a long Kubernetes post-mortem in Chinese")
	c.add(hostWeChat, "/s/Lm4nB6vC8xZ0aS2dF4gH6j", false, "wechat-live", "live article on sync.Pool pitfalls")
	c.add(hostWeChat, "/s/Pq9wE7rT5yU3iO1pA3sD5f", false, "wechat-live", "live article on a slow SQL query")
	c.add(hostWeChat, gitQuery, false, "wechat-live", "live article cited by its long query-string form; the probe at the root gets 参数错误")
}

// ---------------------------------------------------------------------------
// 2. blog.example-tech.dev: a well-behaved blog (unknown paths are a real 404).

var blogLayout = layout{
	lang:   "en",
	suffix: " · Field Notes",
	head: `<meta name="author" content="Mara Lindqvist">
<link rel="stylesheet" href="/css/main.4f2a9c.css">
<link rel="alternate" type="application/rss+xml" title="Field Notes" href="/index.xml">
`,
	class: "theme-paper",
	top: `<header class="site-header">
<a class="site-title" href="/">Field Notes</a>
<p class="site-tagline">Mara Lindqvist writes about systems, storage and the network.</p>
` + menu("site-nav", "Main",
		"/", "Home", "/blog/", "Blog", "/archive/", "Archive", "/tags/", "Tags",
		"/tags/go/", "Go", "/tags/rust/", "Rust", "/tags/databases/", "Databases",
		"/tags/networking/", "Networking", "/talks/", "Talks", "/projects/", "Projects",
		"/reading/", "Reading list", "/uses/", "Uses", "/now/", "Now", "/about/", "About",
		"/index.xml", "RSS") + `</header>
`,
	bottom: `<footer class="site-footer">
<p>© 2016–2024 Mara Lindqvist. Text licensed CC BY 4.0; code samples MIT.</p>
<p><a href="/privacy/">Privacy</a> · <a href="/colophon/">Colophon</a> · <a href="https://github.com/mlindqvist">GitHub</a> · <a href="https://hachyderm.io/@mara">Mastodon</a> · <a href="/index.xml">Feed</a></p>
</footer>
`,
}

func blogPost(title, date, human, tags, body string) string {
	return blogLayout.page(title, `<main class="content">
<article class="post h-entry">
<header class="post-header">
<h1 class="p-name">`+html.EscapeString(title)+`</h1>
<p class="post-meta"><time class="dt-published" datetime="`+date+`">`+human+`</time> · `+tags+`</p>
</header>
<div class="post-body e-content">
`+body+`</div>
<footer class="post-footer">
<p>Comments and corrections are welcome at <a href="mailto:mara@example-tech.dev">mara@example-tech.dev</a>.</p>
<nav class="post-nav"><a href="/blog/">← All posts</a></nav>
</footer>
</article>
</main>`)
}

func tag(name string) string { return `<a class="tag" href="/tags/` + name + `/">` + name + `</a>` }

func installBlog(w *fakeweb.Web, c *cases) {
	sqlite := blogPost("Running SQLite in WAL mode in production: a year of notes", "2023-06-14", "14 June 2023", tag("databases")+" "+tag("go"), ps(
		"When we moved the metadata service off a managed Postgres instance and onto an embedded SQLite file, the most common reaction was polite disbelief. A year later the service handles about four hundred writes a second at peak and the database file is a little under nine gigabytes. These are the notes I wish I had had before we started.",
		"<strong>Turn on WAL once, then check that it stuck.</strong> The journal mode is stored in the file, but SQLite quietly stays in rollback mode when the file lives on a filesystem without working shared memory. We now read the mode back at startup and refuse to boot if it is wrong.",
		"<strong>Checkpoints are your problem.</strong> The automatic checkpoint runs every thousand pages, but a long-lived reader can keep it from ever finishing, and then the WAL file grows without bound. We once watched it reach forty gigabytes while an analytics export held a read transaction open for six hours. The fix was boring: export from a copy made with <code>VACUUM INTO</code>, run a passive checkpoint on a timer, and a truncating one in the nightly maintenance window.",
		"<strong>One writer, many readers — and mean it.</strong> Every write goes through a single goroutine that owns the only write connection; readers get a pool of read-only connections. A generous busy timeout hides contention; it does not remove it.",
		"<strong>Backups you have restored.</strong> We stream the WAL to object storage continuously and take a daily snapshot that a job restores into a scratch environment and runs an integrity check on. A backup nobody has restored is a hope, not a backup.",
		"Would I do it again? For a single-region service with a modest write rate, yes, without hesitation. The operational surface is tiny, and a query that never leaves the process is hard to beat on latency.",
	))
	escape := blogPost("Reading Go's escape analysis output without losing your mind", "2022-09-02", "2 September 2022", tag("go")+" "+tag("performance"), ps(
		"The compiler will tell you exactly which values move to the heap and why, if you ask: <code>go build -gcflags=-m</code> prints one line per decision. The trouble is that on a real package it prints thousands of them. Here is how I read it.",
		"Start with a single <code>-m</code> and look only for “escapes to heap” in the file you care about. Lines saying “does not escape” are good news; skip them on the first pass.",
		"Add a second <code>-m</code> to get the reasoning. The flow lines read bottom-up: the last one names the place that forced the escape, which is usually a store into an interface, a closure capturing a variable, or a slice whose size the compiler cannot know.",
		"The most common surprise in our code was formatting. Passing a value to <code>fmt.Sprintf</code> turns it into an interface, and the value escapes even when the call sits in a cold error path. In hot loops we switched to <code>strconv</code> and a reused byte slice.",
		"The second surprise was constructors returning a pointer to a local struct. That is idiomatic and usually fine; it only matters on allocation-heavy paths, which you should find with a profiler rather than by reading compiler output for fun.",
		"Finally, escape analysis improves from release to release. Pin your expectations in a benchmark that reports allocations, not in a comment that will silently go stale.",
	))
	keepalive := blogPost("TCP keepalive defaults are probably not what you think", "2021-03-22", "22 March 2021", tag("networking"), ps(
		"A connection through a NAT gateway died silently after about six minutes of idleness, and our client noticed a quarter of an hour later, when the kernel finally gave up retransmitting. The cause was a mismatch between three timeouts nobody on the team had ever looked at.",
		"On Linux, the idle time before the first keepalive probe defaults to 7200 seconds. Two hours. Most cloud NAT gateways forget idle flows after a few minutes, so kernel defaults alone never keep such a connection open.",
		"Go sets its own defaults: a dialer enables keepalive with a fifteen-second period unless told otherwise, which is why our Go services were fine and our Python worker was not.",
		"Keepalive only helps with idle connections. When data is in flight and the peer vanishes, it is the retransmission limit that decides how long the kernel keeps trying — around fifteen minutes by default. An application-level deadline is the only timeout you really control.",
		"Our checklist now: know the idle timeout of every middlebox on the path, set keepalive comfortably below it, and put a deadline on every read.",
	))
	history := blogPost("404 Not Found: a short history of an error code", "2020-11-09", "9 November 2020", tag("web")+" "+tag("history"), ps(
		"Of all the numbers the web has produced, only one has become an everyday word. People who have never read a protocol specification say that a plan “went 404” or that a colleague is “404 today”. This post traces how a three-digit code from an engineering document made that journey.",
		"<strong>Before there were codes.</strong> The first version of HTTP, the one later called HTTP/0.9, had no status line at all: the server sent the document or closed the connection. Status codes appear in the notes on the protocol that circulated around 1992, grouped by their first digit — success in the 200s, redirection in the 300s, client errors in the 400s and server errors in the 500s. The idea came from older Internet protocols such as FTP and SMTP, whose replies also start with a digit telling a program what kind of answer it got.",
		"<strong>Written down.</strong> RFC 1945, published in May 1996, described HTTP/1.0 as it was actually deployed and defined 404 as the answer when the server has found nothing matching the requested URI. HTTP/1.1 followed, first in RFC 2068 and then in RFC 2616, and added 410 Gone for resources that were removed on purpose. The definitions were revised in RFC 7231 in 2014 and gathered into RFC 9110 in 2022, yet the meaning of 404 barely changed across all those years.",
		"<strong>The room that never was.</strong> A popular story says the code is named after an office, room 404, where the first web servers supposedly lived. It is a charming tale with nothing behind it: the number follows the class scheme above, and 404 simply sits in the client-error range next to its siblings 400, 401 and 403.",
		"<strong>Custom error pages.</strong> Early servers answered with a terse line of text. By the late nineties, site owners had noticed that the error page is a page like any other and can carry a logo, a search box and a joke. Galleries of inventive error pages became a small genre of web design writing, and a few of those galleries are themselves still online.",
		"<strong>Soft 404s.</strong> Customising the page had a side effect. Some servers began to answer missing URLs with a friendly page and a 200 OK status, or to redirect every unknown path to the home page. Search engines started calling these responses soft 404s, because a crawler can no longer trust the status code and has to guess from the content. Link checkers face exactly the same problem, and it is why the checker I use for this blog grew a content comparison step.",
		"<strong>Link rot.</strong> The code also became a yardstick for decay. Studies of the links cited in scholarly papers and court opinions keep finding that a large share of them no longer lead to the cited content after a few years — sometimes with an honest 404, often with a page that answers normally but says something else entirely.",
		"<strong>Why it stuck.</strong> Part of the answer is exposure: for a decade almost every web user saw the number printed in large type whenever a link broke. Part is the sound of it — “four-oh-four” is short and easy to say. And part is that it names a feeling familiar to anyone who has gone looking for something that used to be there.",
	))
	leaks := blogPost("Finding goroutine leaks with pprof", "2020-04-17", "17 April 2020", tag("go")+" "+tag("debugging"), ps(
		"A goroutine that never exits is a memory leak with extra steps: its stack, everything it references and any timer it holds stay alive for the life of the process. This is how I track them down.",
		"<strong>Watch the count.</strong> The number of goroutines, exported as a metric, is the cheapest early warning there is. A sawtooth is healthy; a line that only goes up is not.",
		"<strong>Take two snapshots.</strong> Fetch the goroutine profile in its text form twice, ten minutes apart, and compare the counts per stack. The stack whose count grows is the leak, and its top frames usually point straight at a channel operation or a select with no way out.",
		"<strong>The usual suspects.</strong> A sender on an unbuffered channel whose receiver gave up after a timeout; a worker ranging over a channel that nobody closes; a cancellable context whose cancel function is never called.",
		"<strong>Keep it fixed.</strong> A leak check at the end of each test — several small libraries do this — catches most regressions long before they reach production.",
	))
	blogIndex := blogLayout.page("Blog", `<main class="content">
<h1>All posts</h1>
<ul class="post-list">
<li><time datetime="2023-06-14">2023-06-14</time> <a href="/blog/2023/sqlite-wal-in-production/">Running SQLite in WAL mode in production: a year of notes</a></li>
<li><time datetime="2022-09-02">2022-09-02</time> <a href="/blog/2022/reading-go-escape-analysis/">Reading Go's escape analysis output without losing your mind</a></li>
<li><time datetime="2021-03-22">2021-03-22</time> <a href="/blog/2021/tcp-keepalive-defaults/">TCP keepalive defaults are probably not what you think</a></li>
<li><time datetime="2020-11-09">2020-11-09</time> <a href="/blog/2020/404-not-found-history/">404 Not Found: a short history of an error code</a></li>
<li><time datetime="2020-04-17">2020-04-17</time> <a href="/blog/2020/finding-goroutine-leaks-with-pprof/">Finding goroutine leaks with pprof</a></li>
</ul>
<p class="older"><a href="/archive/">Older posts are in the archive.</a></p>
</main>`)
	home := blogLayout.page("Home", `<main class="content">
<section class="intro">
<h1>Hi, I'm Mara.</h1>
<p>I build storage and networking software for a living and write here when something surprises me. Most posts are about Go, databases and the odd production incident.</p>
</section>
<section class="recent">
<h2>Recent writing</h2>
<ul class="post-list">
<li><a href="/blog/2023/sqlite-wal-in-production/">Running SQLite in WAL mode in production</a> — what a year of an embedded database taught us.</li>
<li><a href="/blog/2022/reading-go-escape-analysis/">Reading Go's escape analysis output</a> — a method for the wall of compiler output.</li>
<li><a href="/blog/2021/tcp-keepalive-defaults/">TCP keepalive defaults</a> — three timeouts nobody looks at.</li>
</ul>
</section>
<section class="talks">
<h2>Speaking</h2>
<p>Slides from my talk on embedded databases are <a href="/files/gophercon-eu-2022-slides.pdf">available as a PDF</a>.</p>
</section>
</main>`)
	missing := blogLayout.page("Page not found", `<main class="content">
<h1>Page not found</h1>
<p>Sorry, there is nothing at this address. Try the <a href="/archive/">archive</a> or the <a href="/tags/">tag list</a>.</p>
</main>`)

	w.Host(hostBlog).Handler = &site{
		server: "nginx",
		pages: map[string]reply{
			"/":                                      ok(home),
			"/blog/":                                 ok(blogIndex),
			"/404.html":                              ok(missing),
			"/blog/2023/sqlite-wal-in-production/":   ok(sqlite),
			"/blog/2022/reading-go-escape-analysis/": ok(escape),
			"/blog/2021/tcp-keepalive-defaults/":     ok(keepalive),
			"/blog/2020/404-not-found-history/":      ok(history),
			"/blog/2020/finding-goroutine-leaks-with-pprof/":    ok(leaks),
			"/files/gophercon-eu-2022-slides.pdf":               pdf("Embedded databases in production"),
			"/2014/05/hello-world.html":                         redirect(http.StatusMovedPermanently, "/"),
			"/blog/2015/moving-from-wordpress-to-hugo/":         redirect(http.StatusMovedPermanently, "http://"+hostBlog+"/"),
			"/blog/2019/kubernetes-operators-deep-dive/part-3/": redirect(http.StatusFound, "/blog/"),
			"/blog/2018/service-mesh-notes-draft/":              redirect(http.StatusFound, "/404.html"),
			"/blog/2023/sqlite-wal-in-production":               redirect(http.StatusMovedPermanently, "/blog/2023/sqlite-wal-in-production/"),
			"/blog/2020/goroutine-leaks/":                       redirect(http.StatusMovedPermanently, "/blog/2020/finding-goroutine-leaks-with-pprof/"),
		},
		unknown: always(notFound(missing)),
	}
	// The bare domain sends every path to the same path on the blog.
	w.Host(hostApex).Handler = &site{
		server: "nginx",
		unknown: func(r *http.Request) reply {
			return redirect(http.StatusMovedPermanently, "http://"+hostBlog+r.URL.RequestURI())
		},
	}

	c.add(hostBlog, "/blog/2023/sqlite-wal-in-production/", false, "real", "a real post")
	c.add(hostBlog, "/blog/2022/reading-go-escape-analysis/", false, "real", "a real post")
	c.add(hostBlog, "/blog/2021/tcp-keepalive-defaults/", false, "real", "a real post")
	c.add(hostBlog, "/blog/2020/404-not-found-history/", false, "article-about-404", "a real post whose title starts “404 Not Found” and whose long body discusses error pages")
	c.add(hostBlog, "/2014/05/hello-world.html", true, "redirect-root", "an old deep URL that 301s to the home page")
	c.add(hostBlog, "/blog/2015/moving-from-wordpress-to-hugo/", true, "redirect-root", "a deep URL that 301s to the home page, by absolute URL")
	c.add(hostBlog, "/blog/2019/kubernetes-operators-deep-dive/part-3/", true, "redirect-ancestor", "a deep URL that 302s to the much shorter ancestor /blog/")
	c.add(hostBlog, "/blog/2018/service-mesh-notes-draft/", true, "redirect-404-page", "302s to /404.html, which answers 200 “Page not found”")
	c.add(hostBlog, "/blog/2023/sqlite-wal-in-production", false, "redirect-same", "a trailing-slash redirect to the same post (the fake web has no TLS, so no http→https case)")
	c.add(hostApex, "/blog/2022/reading-go-escape-analysis/", false, "redirect-same", "the bare domain 301s to the same post on blog.example-tech.dev")
	c.add(hostBlog, "/blog/2020/goroutine-leaks/", false, "redirect-moved", "a renamed post: 301 to another deep post URL with real content")
	c.add(hostBlog, "/", false, "homepage", "the blog's home page")
	c.add(hostBlog, "/files/gophercon-eu-2022-slides.pdf", false, "pdf", "a real PDF: application/pdf")
}

// ---------------------------------------------------------------------------
// 3. docs.quillstack.io: unknown paths answer 200 with a "not here" template
// that echoes the path; real pages are short and share the template.

var docsLayout = layout{
	lang:   "en",
	suffix: " · Quillstack Docs",
	head: `<meta name="generator" content="Docusaurus v2.4.3">
<link rel="stylesheet" href="/assets/css/styles.e1b8c4.css">
<link rel="icon" href="/img/favicon.ico">
`,
	class: "docs-wrapper",
	top: `<header class="navbar">
<a class="navbar__brand" href="/"><img src="/img/logo.svg" alt="Quillstack" width="28" height="28"> Quillstack Docs</a>
` + menu("navbar__items", "Docs",
		"/", "Overview", "/guides/quickstart", "Quickstart", "/guides/installation", "Installation",
		"/guides/configuration", "Configuration", "/reference/cli/", "CLI reference", "/reference/api/", "API reference",
		"/sdks/", "SDKs", "/guides/webhooks/", "Webhooks", "/guides/authentication", "Authentication",
		"/reference/rate-limits", "Rate limits", "/reference/errors", "Errors", "/changelog/", "Changelog",
		"https://status.quillstack.io/", "Status", "/support", "Support", "https://quillstack.io/blog/", "Blog") + `<form class="navbar__search" action="/search" role="search"><input type="search" name="q" placeholder="Search docs" aria-label="Search docs"></form>
</header>
`,
	bottom: `<footer class="footer">
<div class="footer__links">
<a href="https://quillstack.io/terms">Terms</a> · <a href="https://quillstack.io/privacy">Privacy</a> · <a href="https://quillstack.io/security">Security</a> · <a href="https://status.quillstack.io/">Status</a> · <a href="https://github.com/quillstack">GitHub</a>
</div>
<p class="footer__copyright">© 2024 Quillstack Inc. Built with Docusaurus.</p>
</footer>
`,
}

func docsPage(title, crumbs, body string) string {
	return docsLayout.page(title, `<main class="docMainContainer">
<nav class="breadcrumbs" aria-label="Breadcrumbs">`+crumbs+`</nav>
<article class="theme-doc-markdown markdown">
<h1>`+html.EscapeString(title)+`</h1>
`+body+`</article>
<div class="pagination-nav"><a href="https://github.com/quillstack/docs/edit/main/`+strings.ToLower(strings.ReplaceAll(title, " ", "-"))+`.md">Edit this page</a></div>
</main>`)
}

func installDocs(w *fakeweb.Web, c *cases) {
	quickstart := docsPage("Quickstart", `<a href="/">Docs</a> › <a href="/guides/">Guides</a>`, `<p class="lead">Deploy your first service to Quillstack in about five minutes.</p>
<h2 id="install">1. Install the CLI</h2>
<pre><code>curl -fsSL https://get.quillstack.io | sh</code></pre>
<h2 id="login">2. Log in</h2>
<p>Run <code>qs login</code>. A browser window opens; approve the request and the CLI keeps a token in <code>~/.config/quillstack/credentials</code>.</p>
<h2 id="deploy">3. Deploy</h2>
<p>From a directory with a <code>Dockerfile</code> or a <code>quill.toml</code>, run <code>qs deploy</code>. The first deploy creates the service and prints its URL.</p>
<p>Next: <a href="/guides/configuration">set up environments</a> or <a href="/guides/webhooks/retries">receive webhooks</a>.</p>
`)
	retries := docsPage("Webhook retries", `<a href="/">Docs</a> › <a href="/guides/">Guides</a> › <a href="/guides/webhooks/">Webhooks</a>`, `<p class="lead">If your endpoint does not answer with a 2xx status within ten seconds, we try again.</p>
<p>A delivery is retried up to six times after the first attempt:</p>
<table>
<thead><tr><th>Attempt</th><th>Delay after the previous one</th></tr></thead>
<tbody>
<tr><td>2</td><td>1 minute</td></tr>
<tr><td>3</td><td>5 minutes</td></tr>
<tr><td>4</td><td>30 minutes</td></tr>
<tr><td>5</td><td>2 hours</td></tr>
<tr><td>6</td><td>6 hours</td></tr>
<tr><td>7</td><td>24 hours</td></tr>
</tbody>
</table>
<p>Every attempt carries the same <code>Quillstack-Event-Id</code> header. Remember the IDs you have handled and ignore repeats: with retries, an event can arrive more than once.</p>
<p>When the last attempt fails, the endpoint is marked unhealthy and the project owners get an email.</p>
`)
	deploy := docsPage("qs deploy", `<a href="/">Docs</a> › <a href="/reference/cli/">CLI reference</a>`, `<p class="lead">Build and release the service in the current directory.</p>
<h2 id="synopsis">Synopsis</h2>
<pre><code>qs deploy [--env NAME] [--detach] [--image REF] [--wait DURATION]</code></pre>
<h2 id="flags">Flags</h2>
<dl>
<dt><code>--env</code></dt><dd>Environment to release to. Default: <code>production</code>.</dd>
<dt><code>--detach</code></dt><dd>Return as soon as the build is queued.</dd>
<dt><code>--image</code></dt><dd>Skip the build and release an existing image.</dd>
<dt><code>--wait</code></dt><dd>How long to wait for health checks before rolling back. Default: <code>5m</code>.</dd>
</dl>
<h2 id="exit-status">Exit status</h2>
<p>0 when the release is healthy, 1 when the build fails, 2 when health checks fail and the release is rolled back.</p>
`)
	errorsPage := docsPage("Error codes", `<a href="/">Docs</a> › <a href="/reference/api/">API reference</a>`, `<p class="lead">Every API error has an HTTP status and a stable, machine-readable <code>code</code>.</p>
<table>
<thead><tr><th>Status</th><th>Code</th><th>Meaning</th></tr></thead>
<tbody>
<tr><td>400</td><td><code>invalid_request</code></td><td>The body or query failed validation; <code>details</code> lists the fields.</td></tr>
<tr><td>401</td><td><code>unauthenticated</code></td><td>The token is missing or expired.</td></tr>
<tr><td>403</td><td><code>forbidden</code></td><td>The token lacks the scope this endpoint requires.</td></tr>
<tr><td>404</td><td><code>resource_not_found</code></td><td>No such resource, or it belongs to a project you cannot see.</td></tr>
<tr><td>409</td><td><code>conflict</code></td><td>A concurrent change won; fetch the resource again and retry.</td></tr>
<tr><td>429</td><td><code>rate_limited</code></td><td>Slow down and honour <code>Retry-After</code>.</td></tr>
<tr><td>500</td><td><code>internal</code></td><td>Our fault. Retry with backoff and quote the <code>request_id</code> to support.</td></tr>
</tbody>
</table>
`)
	notHere := func(r *http.Request) reply {
		p := html.EscapeString(r.URL.Path)
		last := r.URL.Path[strings.LastIndex(strings.TrimSuffix(r.URL.Path, "/"), "/")+1:]
		last = html.EscapeString(strings.TrimSuffix(last, "/"))
		return ok(docsLayout.page("Nothing at "+r.URL.Path, `<main class="docMainContainer">
<section class="not-here">
<h1>Oops — we looked everywhere.</h1>
<p>We couldn't find anything at <code>`+p+`</code>. It may have been renamed when the guides were reorganised.</p>
<ul class="suggestions">
<li><a href="/guides/quickstart">Start with the quickstart</a></li>
<li><a href="/reference/">Browse the reference</a></li>
<li><a href="/search?q=`+last+`">Search the docs for “`+last+`”</a></li>
</ul>
</section>
</main>`))
	}

	w.Host(hostDocs).Handler = &site{
		server: "cloudflare",
		pages: map[string]reply{
			"/guides/quickstart":                            ok(quickstart),
			"/guides/webhooks/retries":                      ok(retries),
			"/reference/cli/qs-deploy":                      ok(deploy),
			"/reference/errors":                             ok(errorsPage),
			"/downloads/quillstack-security-whitepaper.pdf": pdf("Quillstack security whitepaper"),
		},
		unknown: notHere,
	}

	c.add(hostDocs, "/guides/quickstart", false, "template-real", "a real, short docs page sharing the template")
	c.add(hostDocs, "/guides/webhooks/retries", false, "template-real", "a real, short docs page sharing the template")
	c.add(hostDocs, "/reference/cli/qs-deploy", false, "template-real", "a real, short docs page sharing the template")
	c.add(hostDocs, "/reference/errors", false, "template-real", "a real page listing error codes, “resource_not_found” among them")
	c.add(hostDocs, "/guides/legacy-v1-migration", true, "template-404", "gone: 200 with the “Oops — we looked everywhere” template echoing the path")
	c.add(hostDocs, "/reference/api/v1/invoices", true, "template-404", "gone: 200 with the not-here template")
	c.add(hostDocs, "/blog/2019/announcing-quillstack-2", true, "template-404", "gone: 200 with the not-here template")
	c.add(hostDocs, "/guides/webhooks/signing-secrets-old", true, "template-404", "gone: 200 with the not-here template")
	c.add(hostDocs, "/reference/cli/qs-scale", true, "template-404", "gone: 200 with the not-here template, next to a real sibling page")
	c.add(hostDocs, "/downloads/quillstack-security-whitepaper.pdf", false, "pdf", "a real PDF: application/pdf")
	c.add(hostDocs, "/downloads/pricing-sheet-2019.pdf", true, "pdf-template-404", "a .pdf URL answering 200 text/html with the not-here template")
}

// ---------------------------------------------------------------------------
// 4. www.tidewater-coffee.com: unknown paths answer 200 with the landing page.

var coffeeLayout = layout{
	lang:   "en",
	suffix: " | Tidewater Coffee Roasters",
	head: `<meta name="description" content="Small-batch coffee roasted in Port Alder and shipped within 48 hours.">
<link rel="stylesheet" href="//www.tidewater-coffee.com/cdn/shop/t/4/assets/theme.css?v=1029">
`,
	class: "template-page",
	top: `<div class="announcement-bar">Free shipping on orders over $45</div>
<header class="site-header">
<a class="site-header__logo" href="/">Tidewater Coffee Roasters</a>
` + menu("site-nav", "Primary",
		"/shop", "Shop", "/collections/coffee", "Coffee", "/subscriptions", "Subscriptions",
		"/brew-guides", "Brew guides", "/collections/equipment", "Equipment", "/gift-cards", "Gift cards",
		"/wholesale", "Wholesale", "/our-story", "Our story", "/cafes", "Cafés", "/journal", "Journal",
		"/faq", "FAQ", "/shipping", "Shipping", "/contact", "Contact", "/account", "Account", "/cart", "Cart (0)") + `</header>
`,
	bottom: `<footer class="site-footer">
<div class="site-footer__newsletter"><h2>Roast notes, monthly</h2><form action="/newsletter" method="post"><input type="email" name="email" placeholder="you@example.com" aria-label="Email"><button type="submit">Sign up</button></form></div>
<p>Tidewater Coffee Roasters · 12 Wharf Lane, Port Alder · <a href="/privacy">Privacy</a> · <a href="/terms">Terms</a> · <a href="/accessibility">Accessibility</a></p>
<p>© 2024 Tidewater Coffee Roasters</p>
</footer>
`,
}

func installCoffee(w *fakeweb.Web, c *cases) {
	landing := coffeeLayout.page("Fresh roasted coffee", `<main id="MainContent">
<section class="hero">
<h1>Small-batch coffee, roasted on the coast</h1>
<p>We roast twice a week in a converted boatshed and ship every bag within 48 hours of roasting.</p>
<a class="btn" href="/shop">Shop coffee</a>
</section>
<section class="featured">
<h2>This month</h2>
<ul class="product-grid">
<li><a href="/shop/ethiopia-guji-natural"><h3>Ethiopia Guji Natural</h3><p>Blueberry, jasmine, cocoa nib</p><span class="price">$19.50</span></a></li>
<li><a href="/shop/colombia-huila-washed"><h3>Colombia Huila Washed</h3><p>Red apple, panela, walnut</p><span class="price">$17.00</span></a></li>
<li><a href="/shop/harbour-espresso"><h3>Harbour Espresso</h3><p>Dark chocolate, cherry, molasses</p><span class="price">$16.00</span></a></li>
</ul>
</section>
<section class="subscribe">
<h2>Never run out</h2>
<p>Pick a coffee and a rhythm — every one, two or four weeks. Skip or pause whenever you like.</p>
<a href="/subscriptions">Start a subscription</a>
</section>
</main>`)
	story := coffeeLayout.page("Our story", `<main id="MainContent">
<article class="page">
<h1>Our story</h1>
<p>Tidewater started in 2014 with a second-hand five-kilo roaster and a lease on a boatshed that flooded twice in the first winter. Jonas had spent a decade as a ship's engineer; Priya ran the café across the harbour and was tired of coffee that arrived stale.</p>
<p>We still roast on that first machine for our single origins, and on a larger one for espresso. We buy from six farms directly and from two importers we trust, and we publish what we paid for every lot on the bag.</p>
<p>Come and see us on Saturday mornings, when the roastery door is open and the cupping table is out.</p>
</article>
</main>`)
	guji := coffeeLayout.page("Ethiopia Guji Natural", `<main id="MainContent">
<div class="product" itemscope itemtype="https://schema.org/Product">
<h1 itemprop="name">Ethiopia Guji Natural</h1>
<p class="price" itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span itemprop="price" content="19.50">$19.50</span> · 250 g</p>
<p>Dried whole on raised beds for three weeks, this lot from the Hambela district tastes of blueberry and jasmine, with a cocoa-nib finish. Roasted light for filter.</p>
<dl class="specs"><dt>Altitude</dt><dd>2,100–2,250 m</dd><dt>Varieties</dt><dd>Local landraces</dd><dt>Process</dt><dd>Natural</dd><dt>Paid to the washing station</dt><dd>$6.10 per kg</dd></dl>
<form action="/cart/add" method="post"><select name="grind"><option>Whole bean</option><option>Filter</option><option>Espresso</option></select><button type="submit">Add to cart</button></form>
</div>
</main>`)
	aeropress := coffeeLayout.page("AeroPress brew guide", `<main id="MainContent">
<article class="brew-guide">
<h1>AeroPress</h1>
<p class="yield">One cup · 15 g coffee · 230 g water at 92 °C · 2 minutes</p>
<ol>
<li>Grind a little finer than for pour-over, like table salt.</li>
<li>Set the brewer upside down, add the coffee and pour all the water.</li>
<li>Stir three times, fit the cap with a rinsed paper filter and wait until 1:30.</li>
<li>Flip onto your cup and press gently for about thirty seconds.</li>
</ol>
<p>Too bitter? Grind coarser or shorten the steep. Too sour? Go finer or use hotter water.</p>
</article>
</main>`)

	w.Host(hostCoffee).Handler = &site{
		server: "cloudflare",
		pages: map[string]reply{
			"/":                           ok(landing),
			"/our-story":                  ok(story),
			"/shop/ethiopia-guji-natural": ok(guji),
			"/brew-guides/aeropress":      ok(aeropress),
		},
		unknown: always(ok(landing)),
	}

	c.add(hostCoffee, "/", false, "homepage", "the landing page; unknown paths answer the very same bytes, which must not make the home page a soft 404")
	c.add(hostCoffee, "/our-story", false, "catch-all-real", "a real page, distinct from the catch-all landing content")
	c.add(hostCoffee, "/shop/ethiopia-guji-natural", false, "catch-all-real", "a real product page")
	c.add(hostCoffee, "/brew-guides/aeropress", false, "catch-all-real", "a real brew guide")
	c.add(hostCoffee, "/shop/holiday-blend-2019", true, "catch-all", "gone: 200 with the landing page, no error words")
	c.add(hostCoffee, "/blog/2018/new-roastery-opening", true, "catch-all", "gone: 200 with the landing page")
	c.add(hostCoffee, "/wholesale/apply", true, "catch-all", "gone: 200 with the landing page")
	c.add(hostCoffee, "/events/latte-art-night-2019", true, "catch-all", "gone: 200 with the landing page")
}

// ---------------------------------------------------------------------------
// 5. www.yunwei-shequ.cn: a Chinese community site whose unknown paths
// answer 200 with a "页面不存在" message in the site template.

var forumLayout = layout{
	lang:   "zh-CN",
	suffix: " - 运维社区",
	head: `<meta name="keywords" content="运维,Linux,DevOps,Kubernetes,监控">
<meta name="description" content="运维社区：运维工程师的技术交流平台">
<link rel="stylesheet" href="/static/css/style_1_common.css?v=R7x">
`,
	class: "pg_view",
	top: `<div id="toptb" class="cl"><div class="wp"><div class="z"><a href="/">设为首页</a><a href="/">收藏本站</a></div><div class="y"><a href="/member/login">登录</a><a href="/member/register">立即注册</a></div></div></div>
<div id="hd"><div class="wp">
<h2 class="logo"><a href="/" title="运维社区"><img src="/static/image/logo.png" alt="运维社区"></a></h2>
<div id="nv">
` + menu("nv", "主导航",
		"/", "首页", "/news/", "资讯", "/article/", "文章", "/ask/", "问答", "/forum/", "论坛",
		"/column/", "专栏", "/event/", "活动", "/jobs/", "招聘", "/tools/", "工具", "/download/", "下载",
		"/tags/", "标签", "/rank/", "排行榜", "/special/", "专题", "/about", "关于我们", "/contact", "联系我们") + `</div>
</div></div>
`,
	bottom: `<div id="ft" class="wp cl">
<div id="flk"><p><a href="/about">关于我们</a><span class="pipe">|</span><a href="/contact">联系我们</a><span class="pipe">|</span><a href="/ad">广告服务</a><span class="pipe">|</span><a href="/archiver/">Archiver</a><span class="pipe">|</span><a href="/sitemap.xml">网站地图</a></p>
<p class="xs0">京ICP备14012345号-2 | 京公网安备 11010802012345号</p></div>
<div id="frt"><p>© 2014-2024 运维社区 版权所有</p></div>
</div>
`,
}

func forumArticle(title, author, date, views, body string) string {
	return forumLayout.page(title, `<div id="ct" class="wp cl">
<div class="mn">
<div class="bm vw">
<div class="h hm">
<h1 class="ph">`+html.EscapeString(title)+`</h1>
<p class="xg1">作者：`+author+`<span class="pipe">|</span>发布时间：`+date+`<span class="pipe">|</span>阅读：`+views+`</p>
</div>
<div class="d"><div id="article_content">
`+body+`</div></div>
</div>
</div>
</div>`)
}

func installForum(w *fakeweb.Web, c *cases) {
	nginx := forumArticle("Nginx 反向代理中 upstream keepalive 的正确配置", "老周", "2021-04-12 09:30", "12874", ps(
		"很多同学在 upstream 里加上 keepalive 指令后，发现到后端的连接数并没有减少。原因通常是漏掉了另外两行配置。",
		"Nginx 默认用 HTTP/1.0 和上游通信，并且会把 Connection 头设置为 close。要复用连接，需要在 location 中写上 proxy_http_version 1.1，同时用 proxy_set_header Connection \"\" 清空这个头。",
		"keepalive 的参数表示每个 worker 进程缓存的空闲连接上限，而不是总连接数。如果有 8 个 worker，keepalive 32 意味着最多会有 256 个空闲连接。",
		"另外要注意后端的空闲超时。如果后端比 Nginx 更早关闭空闲连接，偶尔会出现 502，错误日志里能看到上游提前关闭连接的记录。把 Nginx 这一侧的 keepalive_timeout 设得比后端略短即可避免。",
		"改完之后，可以用 ss -tan state established 观察到后端端口的连接数。正常情况下它应该稳定在一个较小的数字，而不是随请求量大起大落。",
	))
	prom := forumArticle("Prometheus 告警规则编写的几点经验", "磐石", "2022-09-15 20:10", "9411", ps(
		"告警规则写得好不好，直接决定了值班同学晚上能不能睡个好觉。下面是我们两年来踩过的坑。",
		"第一，告警要基于症状，而不是原因。用户感知到的是错误率和延迟，CPU 使用率高本身并不一定是问题。",
		"第二，善用 for 字段。短暂的毛刺不应该把人叫醒，延迟类告警一般设置五到十分钟的持续时间。",
		"第三，rate 的时间窗口至少要覆盖四个抓取周期，否则抓取失败时容易出现空值，告警会在触发和恢复之间来回跳动。",
		"第四，每条告警都要附上处理手册的链接，写在 annotations 里。半夜被叫醒的人没有精力去猜这条告警是什么意思。",
		"最后，定期回顾告警记录。一个月里触发了几十次却没人处理的告警，要么调整阈值，要么干脆删掉。",
	))
	thread := forumLayout.page("求助：df 显示还有空间，写文件却提示 No space left on device", `<div id="ct" class="wp cl">
<div id="pt" class="bm cl"><a href="/">首页</a> › <a href="/forum/">论坛</a> › <a href="/forum/linux/">Linux 系统</a></div>
<div id="postlist" class="pl bm">
<h1 class="ts">求助：df 显示还有空间，写文件却提示 No space left on device</h1>
<div class="post" id="post_1"><div class="pls"><a class="xw1" href="/space/uid-30211">运维小白</a></div><div class="plc"><div class="pi"><strong>楼主</strong><em>发表于 2023-7-9 21:14</em></div><div class="t_f">服务器是 CentOS 7，df -h 看根分区才用了 40%，但是应用日志写不进去，touch 新文件也报 No space left on device，重启应用也没用。请问各位大佬该怎么排查？</div></div></div>
<div class="post" id="post_2"><div class="pls"><a class="xw1" href="/space/uid-1187">磐石</a></div><div class="plc"><div class="pi"><strong>沙发</strong><em>发表于 2023-7-9 21:20</em></div><div class="t_f">先看看 inode，执行 df -i。小文件特别多的时候，inode 会比空间先用完。</div></div></div>
<div class="post" id="post_3"><div class="pls"><a class="xw1" href="/space/uid-30211">运维小白</a></div><div class="plc"><div class="pi"><strong>板凳</strong><em>发表于 2023-7-9 21:26</em></div><div class="t_f">果然，IUse% 是 100%。怎么找出是哪个目录呢？</div></div></div>
<div class="post" id="post_4"><div class="pls"><a class="xw1" href="/space/uid-1187">磐石</a></div><div class="plc"><div class="pi"><strong>地板</strong><em>发表于 2023-7-9 21:31</em></div><div class="t_f">用 find 加 -xdev 只在本分区里找文件，再按上两级目录统计个数、排个序，一般很快就能定位。常见的是 session 文件或者邮件队列。</div></div></div>
<div class="post" id="post_5"><div class="pls"><a class="xw1" href="/space/uid-30211">运维小白</a></div><div class="plc"><div class="pi"><strong>5#</strong><em>发表于 2023-7-9 22:02</em></div><div class="t_f">找到了！/var/spool/postfix/maildrop 下面有两百多万个小文件，是定时任务的输出一直在发本地邮件。清理之后恢复正常，谢谢！</div></div></div>
<div class="post" id="post_6"><div class="pls"><a class="xw1" href="/space/uid-52">老周</a></div><div class="plc"><div class="pi"><strong>6#</strong><em>发表于 2023-7-10 08:15</em></div><div class="t_f">顺便在 crontab 开头加一行 MAILTO=""，或者把任务输出重定向到日志文件，免得以后再堆起来。</div></div></div>
</div>
</div>`)
	missing := forumLayout.page("提示信息", `<div id="ct" class="wp cl w">
<div class="nfl">
<div class="f_c altw">
<div id="messagetext" class="alert_error">
<h3>提示信息</h3>
<p>抱歉，您访问的页面不存在或已被删除。</p>
<p class="alert_btnleft"><a href="/">返回首页</a> <a href="javascript:history.back();">返回上一页</a></p>
</div>
</div>
</div>
</div>`)

	w.Host(hostForum).Handler = &site{
		server: "Tengine",
		pages: map[string]reply{
			"/article/2021/0412/nginx-upstream-keepalive.html": ok(nginx),
			"/article/2022/0915/prometheus-alert-rules.html":   ok(prom),
			"/forum/thread-88412-1-1.html":                     ok(thread),
		},
		unknown: always(ok(missing)),
	}

	c.add(hostForum, "/article/2021/0412/nginx-upstream-keepalive.html", false, "template-real-zh", "a real Chinese article in the site template")
	c.add(hostForum, "/article/2022/0915/prometheus-alert-rules.html", false, "template-real-zh", "a real Chinese article in the site template")
	c.add(hostForum, "/forum/thread-88412-1-1.html", false, "template-real-zh", "a real forum thread with replies")
	c.add(hostForum, "/article/2019/0301/docker-swarm-intro.html", true, "template-404-zh", "gone: 200 with “页面不存在” in the template")
	c.add(hostForum, "/forum/thread-10086-1-1.html", true, "template-404-zh", "gone: 200 with “页面不存在” in the template")
	c.add(hostForum, "/special/2018-devops-summit/", true, "template-404-zh", "gone: 200 with “页面不存在” in the template")
	c.add(hostForum, "/uploads/2020/ops-handbook-v2.pdf", true, "pdf-template-404", "a .pdf URL answering 200 text/html with the “页面不存在” template")
}

// ---------------------------------------------------------------------------
// 6. cheap-flights-hub.com: a parked domain, the same page for every path.

func installParked(w *fakeweb.Web, c *cases) {
	const d = hostParked
	parking := `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>` + d + ` - This domain may be for sale</title>
<link rel="stylesheet" href="https://img.parking-static.net/css/lander-2.css">
</head>
<body class="parking-lander">
<div class="pk-top">
<span class="pk-domain">` + d + `</span>
<a class="pk-buy" href="https://sedo.com/search/details/?domain=` + d + `&amp;language=us">Buy this domain</a>
</div>
<main class="pk-main">
<h1>This domain may be for sale</h1>
<p>The owner of <strong>` + d + `</strong> is open to offers. <a href="https://dan.com/buy-domain/` + d + `">Make an offer</a> or ask the broker about a price.</p>
<section class="pk-related">
<h2>Related searches</h2>
<ul>
<li><a href="/?q=cheap+flights&amp;src=lander">Cheap Flights</a></li>
<li><a href="/?q=last+minute+holidays&amp;src=lander">Last Minute Holidays</a></li>
<li><a href="/?q=airline+tickets&amp;src=lander">Airline Tickets</a></li>
<li><a href="/?q=hotel+deals&amp;src=lander">Hotel Deals</a></li>
<li><a href="/?q=travel+insurance&amp;src=lander">Travel Insurance</a></li>
</ul>
</section>
</main>
<footer class="pk-foot">
<p>This domain is parked free of charge by its registrar. <a href="https://sedo.com/privacy">Privacy policy</a></p>
<p>Listings on this page are supplied automatically by an advertising partner; the domain owner has no relationship with the advertisers.</p>
</footer>
</body>
</html>
`
	w.Host(d).Handler = &site{server: "nginx", unknown: always(ok(parking))}

	c.add(d, "/", true, "parked-root", "the root of a parked domain: 200 with the for-sale page")
	c.add(d, "/deals/europe-summer-2017", true, "parked", "a deep link on a parked domain: the same for-sale page")
	c.add(d, "/blog/top-10-budget-airlines", true, "parked", "a deep link on a parked domain")
	c.add(d, "/about-us", true, "parked", "a shallow link on a parked domain")
}

// ---------------------------------------------------------------------------
// 7. www.riverton-gazette.com: every unknown path 302s to "/".

var gazetteLayout = layout{
	lang:   "en-US",
	suffix: " – Riverton Gazette",
	head: `<meta property="og:site_name" content="Riverton Gazette">
<link rel="stylesheet" href="/wp-content/themes/gazette/style.css?ver=6.4.2">
`,
	class: "wp-theme-gazette",
	top: `<header id="masthead" class="site-header">
<p class="site-date">Serving the Ossian valley since 1887</p>
<a class="site-title" href="/">Riverton Gazette</a>
` + menu("main-navigation", "Sections",
		"/", "Home", "/news/", "News", "/local/", "Local", "/business/", "Business", "/sports/", "Sports",
		"/opinion/", "Opinion", "/opinion/letters/", "Letters", "/obituaries/", "Obituaries", "/events/", "Events",
		"/classifieds/", "Classifieds", "/weather/", "Weather", "/photos/", "Photos", "/subscribe/", "Subscribe",
		"/e-edition/", "e-Edition", "/contact/", "Contact") + `</header>
`,
	bottom: `<footer id="colophon" class="site-footer">
<p><a href="/terms/">Terms of Service</a> · <a href="/privacy/">Privacy Policy</a> · <a href="/corrections/">Corrections</a> · <a href="/advertise/">Advertise</a></p>
<p>© 2024 Riverton Gazette Media. All rights reserved.</p>
</footer>
`,
}

func gazetteStory(title, byline, date, human, body string) string {
	return gazetteLayout.page(title, `<main id="primary" class="site-main">
<article class="post type-post">
<header class="entry-header">
<h1 class="entry-title">`+html.EscapeString(title)+`</h1>
<p class="entry-meta">By `+byline+` · <time datetime="`+date+`">`+human+`</time></p>
</header>
<div class="entry-content">
`+body+`</div>
</article>
</main>`)
}

func installGazette(w *fakeweb.Web, c *cases) {
	home := gazetteLayout.page("Local news for Riverton and the Ossian valley", `<main id="primary" class="site-main home">
<section class="top-stories">
<h2>Top stories</h2>
<article><h3><a href="/news/2024/03/council-approves-river-street-bike-lanes">Council approves protected bike lanes on River Street</a></h3><p>A 5–2 vote ends three meetings of debate.</p></article>
<article><h3><a href="/sports/2024/05/rowing-club-sweeps-junior-events">Riverton Rowing Club sweeps junior events at Lake Ossian</a></h3><p>Four wins in five races for the club's youngest crews.</p></article>
<article><h3><a href="/opinion/letters/2024/library-sunday-hours">Letter: Keep the library open on Sundays</a></h3><p>A reader makes the case for weekend hours.</p></article>
</section>
<aside class="weather-widget"><h2>Weather</h2><p>Check the <a href="/weather/">seven-day forecast</a>.</p></aside>
</main>`)
	bikes := gazetteStory("Council approves protected bike lanes on River Street", "Dana Okafor, Staff Writer", "2024-03-12", "March 12, 2024", ps(
		"The Riverton City Council voted 5–2 on Monday night to build protected bike lanes along a 1.4-mile stretch of River Street, ending a debate that filled the council chamber for three meetings in a row.",
		"The plan removes 46 parking spaces between Mill Avenue and the Depot Street roundabout and adds concrete curbs between cyclists and traffic. Work is expected to start in late summer and cost $2.3 million, most of it covered by a state transportation grant.",
		"Business owners on the corridor were split. The owner of a bakery near Elm Street said half her customers already arrive on foot or by bike; others worried about deliveries. The approved plan adds four loading zones that were not in the first proposal.",
		"Councilmember Ruth Alvarez, who voted no, said she supports safer streets but wanted a trial with temporary barriers first. The public works director told the council that temporary materials would cost nearly as much as permanent ones.",
	))
	rowing := gazetteStory("Riverton Rowing Club sweeps junior events at Lake Ossian", "Marcus Bell", "2024-05-19", "May 19, 2024", ps(
		"Junior crews from the Riverton Rowing Club won four of the five races they entered at Saturday's Lake Ossian Regatta, rowing through a headwind that slowed times across the field.",
		"The under-16 girls' quad led from the start and crossed the line nearly four seconds ahead of Harlow. Coach Ines Brandt credited a winter of early-morning ergometer sessions in the club's unheated boathouse.",
		"The only loss came in the boys' double, where a jammed seat in the final 300 meters cost the pair second place. The club sends eight crews to the state championships next month.",
	))
	letter := gazetteStory("Letter: Keep the library open on Sundays", "a reader from Elm Street", "2024-02-02", "February 2, 2024", ps(
		"To the editor: the proposal to close the Riverton Public Library on Sundays to save $38,000 a year would take away the only free, warm, quiet place many families can use on a weekend.",
		"On any Sunday afternoon the reading room is full of students, retirees and parents with toddlers. The budget gap is real, but there are cheaper ways to close it — shorter weekday evening hours, for one, when the building is nearly empty after seven.",
		"I urge the library board to publish its visitor counts by day and hour before deciding.",
	))

	w.Host(hostGazette).Handler = &site{
		server: "Apache",
		pages: map[string]reply{
			"/": ok(home),
			"/news/2024/03/council-approves-river-street-bike-lanes": ok(bikes),
			"/sports/2024/05/rowing-club-sweeps-junior-events":       ok(rowing),
			"/opinion/letters/2024/library-sunday-hours":             ok(letter),
		},
		unknown: always(redirect(http.StatusFound, "/")),
	}

	c.add(hostGazette, "/news/2024/03/council-approves-river-street-bike-lanes", false, "catch-all-redirect-real", "a real story on a site that sends unknown paths to /")
	c.add(hostGazette, "/sports/2024/05/rowing-club-sweeps-junior-events", false, "catch-all-redirect-real", "a real story")
	c.add(hostGazette, "/opinion/letters/2024/library-sunday-hours", false, "catch-all-redirect-real", "a real letter")
	c.add(hostGazette, "/news/2016/05/old-mill-bridge-closure", true, "catch-all-redirect", "gone: 302 to the home page, like every unknown path")
	c.add(hostGazette, "/events/summer-fair-2017", true, "catch-all-redirect", "gone: 302 to the home page")
	c.add(hostGazette, "/classifieds/item/48213", true, "catch-all-redirect", "gone: 302 to the home page")
	c.add(hostGazette, "/news/2019/11/school-board-election-results", true, "catch-all-redirect", "gone: 302 to the home page")
}

// ---------------------------------------------------------------------------
// 8. www.hollins-lab.org: old deep links all 301 to one landing page;
// unknown paths are a real 404.

var labLayout = layout{
	lang:   "en",
	suffix: " | Hollins Coastal Systems Lab",
	head: `<link rel="stylesheet" href="/static/css/lab.css">
`,
	class: "lab",
	top: `<header class="lab-header">
<a class="lab-logo" href="/">Hollins Coastal Systems Lab</a>
<span class="lab-dept">Department of Earth and Ocean Sciences</span>
` + menu("lab-nav", "Site",
		"/", "Home", "/research/", "Research", "/projects/", "Projects", "/people/", "People",
		"/publications/", "Publications", "/datasets/", "Datasets", "/software/", "Software",
		"/teaching/", "Teaching", "/seminars/", "Seminars", "/news/", "News", "/join/", "Join us",
		"/facilities/", "Facilities", "/partners/", "Partners", "/contact/", "Contact", "/intranet/", "Intranet") + `</header>
`,
	bottom: `<footer class="lab-footer">
<p>Hollins Coastal Systems Lab · Marine Sciences Building, Room 214 · <a href="mailto:webmaster@hollins-lab.org">webmaster@hollins-lab.org</a></p>
<p>© 2024 Hollins Coastal Systems Lab. Funded in part by public research grants.</p>
</footer>
`,
}

func installLab(w *fakeweb.Web, c *cases) {
	home := labLayout.page("Home", `<main>
<h1>Hollins Coastal Systems Lab</h1>
<p>We study how estuaries and coastal waters respond to storms, warming and changes in river flow, using long-running sensor arrays and field campaigns.</p>
<p>Read about <a href="/research/coastal-sensing/">our sensing network</a> or meet <a href="/people/">the team</a>.</p>
</main>`)
	moved := labLayout.page("Site archive", `<main>
<h1>Site archive</h1>
<p>Our website was rebuilt in 2020. Pages about finished projects, former members and reports from before 2015 were retired during the move rather than migrated.</p>
<p>Most of that material is still available: every report is listed on the <a href="/publications/">publications page</a>, data from finished projects is on the <a href="/datasets/">datasets page</a>, and former members appear under <a href="/people/#alumni">alumni</a>.</p>
<p>If you need something specific, write to the webmaster and we will dig it out.</p>
</main>`)
	sensing := labLayout.page("Coastal sensing", `<main>
<article>
<h1>Coastal sensing</h1>
<p>Since 2016 we have maintained fourteen moored buoys across the Ossian estuary, each measuring temperature, salinity, dissolved oxygen and turbidity every ten minutes. The data reaches our servers over a cellular link within the hour and is published, after automatic quality control, the following morning.</p>
<p>Current work focuses on oxygen depletion events in late summer: how often they occur, how far upstream they reach, and whether they can be forecast a week ahead from river discharge and wind.</p>
<p>Students interested in instrument design or time-series analysis are welcome to <a href="/join/">get in touch</a>.</p>
</article>
</main>`)
	people := labLayout.page("People", `<main>
<h1>People</h1>
<section><h2>Principal investigator</h2><ul><li>Prof. Eleanor Hollins — estuarine physics</li></ul></section>
<section><h2>Postdoctoral researchers</h2><ul><li>Dr. Tomás Reyes — sensor networks</li><li>Dr. Aiko Mori — biogeochemistry</li></ul></section>
<section><h2>Graduate students</h2><ul><li>Sam Whitfield</li><li>Noor Haddad</li><li>Lena Brückner</li></ul></section>
<section id="alumni"><h2>Alumni</h2><ul><li>Dr. Jia Chen (2009–2014)</li><li>Dr. Peter Osei (2011–2016)</li></ul></section>
</main>`)
	missing := labLayout.page("Not found", `<main>
<h1>Not found</h1>
<p>The page you asked for is not on this server.</p>
</main>`)

	toArchive := redirect(http.StatusMovedPermanently, "/archive/moved")
	w.Host(hostLab).Handler = &site{
		server: "Apache/2.4.57 (Ubuntu)",
		pages: map[string]reply{
			"/":                                 ok(home),
			"/archive/moved":                    ok(moved),
			"/research/coastal-sensing/":        ok(sensing),
			"/people/":                          ok(people),
			"/people/former/jchen.html":         toArchive,
			"/projects/2012/sensor-net/":        toArchive,
			"/pubs/2011/tech-report-14.html":    toArchive,
			"/teaching/2013/ocean-data-course/": toArchive,
		},
		unknown: always(notFound(missing)),
	}

	c.add(hostLab, "/people/former/jchen.html", true, "generic-target", "301 to /archive/moved, the one page several old links land on")
	c.add(hostLab, "/projects/2012/sensor-net/", true, "generic-target", "301 to /archive/moved")
	c.add(hostLab, "/pubs/2011/tech-report-14.html", true, "generic-target", "301 to /archive/moved")
	c.add(hostLab, "/teaching/2013/ocean-data-course/", true, "generic-target", "301 to /archive/moved")
	c.add(hostLab, "/research/coastal-sensing/", false, "real", "a real research page")
	c.add(hostLab, "/people/", false, "real", "a real people page")
}

// ---------------------------------------------------------------------------
// 9. app.metricsboard.io: a single-page app, the same shell for every path.

func installApp(w *fakeweb.Web, c *cases) {
	shell := `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#101828">
<link rel="icon" href="/favicon.ico">
<link rel="manifest" href="/manifest.json">
<link rel="stylesheet" href="/static/app.css">
<title>App</title>
</head>
<body>
<noscript>Metricsboard needs JavaScript turned on.</noscript>
<div id="root"></div>
<script src="/static/app.js"></script>
</body>
</html>
`
	js := `(function(){"use strict";var root=document.getElementById("root");` +
		`fetch("/api/session",{credentials:"include"}).then(function(r){return r.json()})` +
		`.then(function(s){root.textContent=s.user?"Loading dashboard":"Please sign in";})` +
		`.catch(function(){root.textContent="Offline";});})();` + "\n"
	css := "body{margin:0;font-family:system-ui,sans-serif;background:#101828;color:#f2f4f7}#root{min-height:100vh}\n"

	w.Host(hostApp).Handler = &site{
		server: "AmazonS3",
		pages: map[string]reply{
			"/static/app.js":  {status: http.StatusOK, ctype: "application/javascript; charset=utf-8", body: js},
			"/static/app.css": {status: http.StatusOK, ctype: "text/css; charset=utf-8", body: css},
		},
		unknown: always(ok(shell)),
	}

	c.add(hostApp, "/dashboards/team-latency", false, "app-shell", "real, but the HTML is the same app shell as any path; flagging it would be a false alarm")
	c.add(hostApp, "/docs/getting-started", false, "app-shell", "real, served as the app shell")
	c.add(hostApp, "/share/r/8f3k2a9q", false, "app-shell", "a real shared report, served as the app shell")
	c.add(hostApp, "/share/r/deleted-report-0042", true, "app-shell-dead", "deleted, but indistinguishable from a live page without running the script: an honest miss")
}

// ---------------------------------------------------------------------------
// 10a. eng.larchmont-systems.com: a well-behaved engineering blog with a
// long article that quotes "Page not found".

var engLayout = layout{
	lang:   "en",
	suffix: " — Larchmont Engineering",
	head: `<link rel="stylesheet" href="/assets/eng.css">
<link rel="alternate" type="application/atom+xml" href="/feed.xml">
`,
	class: "eng-blog",
	top: `<header class="eng-header">
<a class="eng-logo" href="/">Larchmont Engineering</a>
` + menu("eng-nav", "Primary",
		"/", "Blog", "/topics/reliability/", "Reliability", "/topics/frontend/", "Frontend",
		"/topics/data/", "Data", "/topics/security/", "Security", "/topics/infrastructure/", "Infrastructure",
		"/topics/mobile/", "Mobile", "/topics/culture/", "Culture", "/open-source/", "Open source",
		"/talks/", "Talks", "/authors/", "Authors", "/archive/", "Archive", "https://larchmont-systems.com/careers", "Careers",
		"https://larchmont-systems.com/", "Company", "/feed.xml", "Feed") + `</header>
`,
	bottom: `<footer class="eng-footer">
<p>Larchmont Systems, Inc. · <a href="https://larchmont-systems.com/privacy">Privacy</a> · <a href="https://larchmont-systems.com/legal">Legal</a></p>
<p>© 2024 Larchmont Systems</p>
</footer>
`,
}

func installEng(w *fakeweb.Web, c *cases) {
	errorPages := engLayout.page("Designing error pages people forgive", `<main>
<article class="eng-post">
<h1>Designing error pages people forgive</h1>
<p class="byline">By Hannah Cole · <time datetime="2022-10-04">October 4, 2022</time> · 9 min read</p>
`+ps(
		"Every large site eventually has to decide what to show when a request cannot be served. Our team spent the last quarter rewriting the error pages of the customer portal, and we learned more from the exercise than we expected. This post collects the principles we ended up with, the mistakes we made on the way, and a few numbers from the rollout.",
		"<strong>Start with the status code.</strong> The most damaging bug we found was not visual at all: a legacy route returned a friendly “Page not found” message with a 200 status. Browsers did not mind, but search engines kept the dead URLs in their index for months, our uptime monitor reported everything green, and the link checker our documentation team runs every night could not tell a missing page from a real one. An error page must be an error response first; the design comes second.",
		"<strong>Say what happened in plain words.</strong> We tested five headlines with a small panel of customers. The winner was not the cleverest. Short, literal sentences beat jokes and illustrations every time someone was in a hurry, which on an error page is nearly always.",
		"<strong>Offer a next step that fits where the reader was going.</strong> The portal knows which section a URL belonged to, so the page for a missing invoice links to the invoice list, and the one for a missing help article opens search pre-filled with the words from the old address. A generic link to the home page was the least used element in every variant we tried.",
		"<strong>Keep the chrome, drop the noise.</strong> The error page keeps the normal header and footer so people know they are still in the right place, but we removed promotional banners and the consent reminder. A page whose only job is to recover from a failure should not ask for anything.",
		"<strong>Log it, and read the logs.</strong> Every miss now records the referring page. In the first week a single outdated link in an onboarding email accounted for a third of all misses. Fixing that one template did more for customers than any amount of design polish.",
		"<strong>Tell gone apart from never existed.</strong> When we retire a page on purpose we answer 410 and explain what was removed and why; when a path never existed we answer 404. Support staff told us the explanation alone halved the confused tickets about retired reports.",
		"<strong>Test the unhappy path like the happy one.</strong> Our end-to-end suite now requests a made-up path in every section and checks the status code, the headline, and that the page renders without the main application bundle. That last check matters: if the error page depends on the same script that just failed, the visitor sees a blank screen.",
		"The results after two months: the share of sessions ending on an error page fell from 4.1% to 2.6%, and the crawl reports stopped listing thousands of ghost URLs. None of it needed new technology — only the discipline to treat failure as part of the product.",
	)+`</article>
</main>`)
	oncall := engLayout.page("Our on-call handbook, version two", `<main>
<article class="eng-post">
<h1>Our on-call handbook, version two</h1>
<p class="byline">By Ravi Menon · <time datetime="2023-05-16">May 16, 2023</time> · 4 min read</p>
`+ps(
		"We rewrote the on-call handbook after a year of feedback. Rotations are now one week, handed over on Tuesdays so that nobody starts a shift on a release day.",
		"Every page must link to a runbook, and any alert that fired more than twice without action is reviewed at the weekly operations meeting. Engineers get a day off after a night with more than one page.",
	)+`</article>
</main>`)
	missing := engLayout.page("404", `<main>
<h1>This page doesn't exist</h1>
<p>Head back to the <a href="/">blog</a>.</p>
</main>`)

	w.Host(hostEng).Handler = &site{
		server: "Netlify",
		pages: map[string]reply{
			"/posts/2022/designing-error-pages-people-forgive": ok(errorPages),
			"/posts/2023/on-call-handbook-v2":                  ok(oncall),
		},
		unknown: always(notFound(missing)),
	}

	c.add(hostEng, "/posts/2022/designing-error-pages-people-forgive", false, "article-mentions-404", "a long real article that quotes “Page not found” in its body")
	c.add(hostEng, "/posts/2023/on-call-handbook-v2", false, "real", "a short real post")
}

// ---------------------------------------------------------------------------
// 10b. github.com: live, archived and missing repositories.

type ghFile struct{ name, msg, when string }

func ghRepo(owner, repo, about, banner string, files []ghFile, readme string) string {
	var rows strings.Builder
	for _, f := range files {
		fmt.Fprintf(&rows, "<tr class=\"react-directory-row\"><td><a href=\"/%s/%s/blob/main/%s\">%s</a></td><td>%s</td><td><relative-time datetime=\"%s\">%s</relative-time></td></tr>\n", owner, repo, f.name, f.name, f.msg, f.when, f.when)
	}
	if banner != "" {
		banner = `<div class="flash flash-warn flash-full border-top-0 text-center text-bold py-2">` + banner + "</div>\n"
	}
	return `<!DOCTYPE html>
<html lang="en" data-color-mode="auto">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>GitHub - ` + owner + `/` + repo + `: ` + html.EscapeString(about) + `</title>
<meta name="description" content="` + html.EscapeString(about) + `">
<meta property="og:title" content="` + owner + `/` + repo + `">
<link rel="stylesheet" href="https://github.githubassets.com/assets/primer-react.css">
</head>
<body class="logged-out env-production page-responsive">
<header class="AppHeader">
<a class="AppHeader-logo" href="https://github.com/" aria-label="Homepage">GitHub</a>
` + menu("AppHeader-globalNav", "Global",
		"/features", "Product", "/solutions", "Solutions", "/resources", "Resources", "/open-source", "Open Source",
		"/enterprise", "Enterprise", "/pricing", "Pricing") + `<form class="AppHeader-search" action="/search"><input name="q" placeholder="Search or jump to..." aria-label="Search"></form>
<a href="/login">Sign in</a> <a href="/signup">Sign up</a>
</header>
<main id="js-repo-pjax-container">
` + banner + `<div id="repository-container-header" class="pt-3">
<strong itemprop="author"><a href="/` + owner + `">` + owner + `</a></strong> / <strong itemprop="name"><a href="/` + owner + `/` + repo + `">` + repo + `</a></strong>
<span class="Label Label--secondary">Public</span>
` + menu("UnderlineNav js-repo-nav", "Repository",
		"/"+owner+"/"+repo, "Code", "/"+owner+"/"+repo+"/issues", "Issues", "/"+owner+"/"+repo+"/pulls", "Pull requests",
		"/"+owner+"/"+repo+"/actions", "Actions", "/"+owner+"/"+repo+"/projects", "Projects", "/"+owner+"/"+repo+"/security", "Security",
		"/"+owner+"/"+repo+"/pulse", "Insights") + `</div>
<div class="repository-content">
<p class="f4 my-3">` + html.EscapeString(about) + `</p>
<table aria-labelledby="folders-and-files">
<tbody>
` + rows.String() + `</tbody>
</table>
<article class="markdown-body entry-content" itemprop="text">
` + readme + `</article>
</div>
</main>
<footer class="footer">
` + menu("footer-links", "Footer",
		"https://docs.github.com/site-policy/github-terms/github-terms-of-service", "Terms",
		"https://docs.github.com/site-policy/privacy-policies/github-privacy-statement", "Privacy",
		"https://github.com/security", "Security", "https://www.githubstatus.com/", "Status",
		"https://docs.github.com/", "Docs", "https://support.github.com", "Contact") + `<p>© 2024 GitHub, Inc.</p>
</footer>
</body>
</html>
`
}

func installGitHub(w *fakeweb.Web, c *cases) {
	bench := ghRepo("mlindqvist", "sqlite-wal-bench", "Benchmarks for SQLite write-ahead-log settings under concurrent load", "",
		[]ghFile{{"cmd", "Add checkpoint-mode flag", "2023-05-30"}, {"results", "Results on NVMe and network disks", "2023-06-10"}, {"README.md", "Explain how to read the plots", "2023-06-12"}, {"go.mod", "Go 1.20", "2023-02-01"}},
		`<h1>sqlite-wal-bench</h1>
<p>A small harness that hammers one SQLite file with a single writer and many readers and records latency percentiles for each combination of checkpoint mode, page size and synchronous setting.</p>
<h2>Running</h2>
<pre><code>go run ./cmd/bench -readers 16 -duration 2m -out results/</code></pre>
<p>The plots in <code>results/</code> accompany a blog post on running SQLite in production.</p>
`)
	cli := ghRepo("quillstack", "qs-cli", "The Quillstack command-line client", "",
		[]ghFile{{".github", "CI: test on three platforms", "2024-01-08"}, {"cmd/qs", "deploy: roll back on failed health checks", "2024-02-20"}, {"internal", "Refresh tokens before they expire", "2024-02-11"}, {"LICENSE", "Apache-2.0", "2021-07-01"}, {"README.md", "Document --wait", "2024-02-20"}},
		`<h1>qs — the Quillstack CLI</h1>
<p>Deploy services, tail logs and manage environments from the terminal.</p>
<h2>Install</h2>
<pre><code>curl -fsSL https://get.quillstack.io | sh</code></pre>
<p>Documentation lives at docs.quillstack.io. Bug reports and pull requests are welcome.</p>
`)
	archived := ghRepo("hollins-lab", "sensor-net-firmware", "Firmware for the 2012 estuary sensor buoys",
		"This repository has been archived by the owner on Mar 3, 2021. It is now read-only.",
		[]ghFile{{"board", "Rev C pin map", "2014-09-02"}, {"src", "Lower the sampling rate in winter", "2015-11-20"}, {"README.md", "Note that the buoys were retired", "2021-03-03"}},
		`<h1>sensor-net-firmware</h1>
<p>Firmware for the first generation of the lab's moored buoys: sampling, power management and the radio uplink. The buoys were retired in 2016; the code is kept for reference.</p>
<h2>Building</h2>
<p>Needs the vendor toolchain from 2013 and a Rev C board. See <code>board/</code> for the schematics.</p>
`)
	missing := `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>Page not found · GitHub</title>
</head>
<body class="logged-out">
<header class="AppHeader"><a class="AppHeader-logo" href="https://github.com/">GitHub</a></header>
<main id="parallax_wrapper">
<h1>404</h1>
<p>We couldn't find a repository or page at this address.</p>
<p><a href="https://github.com/search">Search GitHub</a> · <a href="https://www.githubstatus.com/">Status</a></p>
</main>
</body>
</html>
`
	w.Host(hostGitHub).Handler = &site{
		server: "GitHub.com",
		pages: map[string]reply{
			"/mlindqvist/sqlite-wal-bench":     ok(bench),
			"/quillstack/qs-cli":               ok(cli),
			"/hollins-lab/sensor-net-firmware": ok(archived),
		},
		unknown: always(notFound(missing)),
	}

	c.add(hostGitHub, "/mlindqvist/sqlite-wal-bench", false, "github-repo", "a live repository")
	c.add(hostGitHub, "/quillstack/qs-cli", false, "github-repo", "a live repository")
	c.add(hostGitHub, "/hollins-lab/sensor-net-firmware", false, "github-archived", "archived, with the read-only banner, but its content is all there")
	c.add(hostGitHub, "/mlindqvist/old-dotfiles", false, "hard-404", "deleted: an honest 404 status, a hard 404 and not a soft one")
}

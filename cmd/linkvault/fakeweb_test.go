package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/linkvault/linkvault/internal/fakegithub"
	"github.com/linkvault/linkvault/internal/fakesite"
	"github.com/linkvault/linkvault/internal/fakeswh"
)

// fakeWeb is the web of the end-to-end tests: one HTTP and one HTTPS
// listener on loopback, routing by Host, whose answers change from one
// "day" to the next. Scripts map real host names to it with check.resolve.
type fakeWeb struct {
	plain, tls *httptest.Server
	cert       tls.Certificate
	day        atomic.Int32
	mu         sync.Mutex
	requests   map[string]int // "HOST/PATH" → requests
	sources    *fakegithub.Sources
	swh        *fakeswh.Server
	// site is docs.example.com, a website crawled as notes (its old
	// address, www.docs.example.com, redirects there), limiting its
	// rate to 20 requests/s (burst 3: one more than the client's, against arrival jitter under load); "docs.example.com/~429" counts
	// the requests it refused.
	site *fakesite.Site
}

// pdfBody is a small PDF-like body whose bytes the archive must keep.
var pdfBody = func() []byte {
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "%d 0 obj << /Slide %d >> endobj\n", i, i*7919%1000)
	}
	b.WriteString("%%EOF\n")
	return []byte(b.String())
}()

// gbkPage is an HTML page encoded in GBK that declares it only in <meta>.
var gbkPage = func() []byte {
	s := `<html><head><meta charset="gbk"><title>云原生技术分享</title></head><body><p>腾讯开源项目介绍</p></body></html>`
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}()

func newFakeWeb() *fakeWeb {
	w := &fakeWeb{requests: map[string]int{}, site: &fakesite.Site{Host: "docs.example.com", Scheme: "https", Rate: 20, Burst: 3}}
	w.sources, w.swh = newSourceFakes()
	w.day.Store(1)
	w.plain = httptest.NewServer(http.HandlerFunc(w.serve))
	w.tls = httptest.NewUnstartedServer(http.HandlerFunc(w.serve))
	w.cert = fakeCert()
	w.tls.TLS = &tls.Config{Certificates: []tls.Certificate{w.cert}}
	w.tls.StartTLS()
	return w
}

// fakeCert makes a self-signed certificate for every fake host name.
func fakeCert() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "linkvault fake web"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		DNSNames:              fakeHosts,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func (w *fakeWeb) Close() {
	w.plain.Close()
	w.tls.Close()
}

// writeCA writes the TLS server's certificate as a PEM file.
func (w *fakeWeb) writeCA(path string) error {
	cert := w.cert
	var buf strings.Builder
	if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(buf.String()), 0o644)
}

func (w *fakeWeb) addrs() (plain, secure string) {
	return strings.TrimPrefix(w.plain.URL, "http://"), strings.TrimPrefix(w.tls.URL, "https://")
}

// resolveYAML is the check.resolve block mapping every fake host.
func (w *fakeWeb) resolveYAML() string {
	plain, secure := w.addrs()
	var b strings.Builder
	for _, h := range fakeHosts {
		fmt.Fprintf(&b, "    %q: %q\n", h+":80", plain)
		fmt.Fprintf(&b, "    %q: %q\n", h+":443", secure)
	}
	return b.String()
}

var fakeHosts = []string{"github.com", "api.github.com", "mp.weixin.qq.com", "files.alicdn.com", "developer.aliyun.com", "blocked.example.com", "flaky.example.com", "web.archive.org", "slow.example.com", "blog.example.com", "codeload.github.com", "archive.softwareheritage.org", "gitlab.com", "codeberg.org", "docs.example.com", "www.docs.example.com"}

// probePath matches the random 25-letter segment of a soft 404 probe.
var probePath = regexp.MustCompile(`/[a-z]{25}$`)

// Articles of blog.example.com: etcd tuning as cited, lightly edited, and
// replaced by unrelated content.
var (
	etcdArticle = strings.Repeat(`Tuning etcd for large clusters starts with the disk. Every write is fsynced
to the write-ahead log before it is acknowledged, so the latency of the disk bounds the latency of
every request. Put the data directory on a dedicated solid state drive and watch the fsync duration
histogram. `, 2) + `Next comes the network between members: heartbeats and elections assume a
round trip well under the heartbeat interval, so members spread over regions need larger timeouts.
Snapshots and compaction keep the database small; defragment members one at a time, never all at
once, because a defragmenting member stops serving. Finally, watch the number of watchers and the
size of range requests: a client listing every key of a large prefix can stall the whole cluster.`
	etcdEdited   = strings.Replace(etcdArticle, "Finally, watch", "Last but not least, keep an eye on", 1) + " Updated: the defaults changed in 3.5."
	etcdReplaced = strings.Repeat(`Spring sale! Our premium hosting plans now come with twice the storage and a
free domain for the first year. Sign up before the end of the month to lock in the discount, invite
your team, and enjoy around the clock support from our friendly engineers. `, 3)
)

func (w *fakeWeb) serve(rw http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	day := int(w.day.Load())
	w.mu.Lock()
	w.requests[host+r.URL.Path]++
	if probePath.MatchString(r.URL.Path) {
		w.requests[host+"/~probe"]++
	}
	w.mu.Unlock()
	if host == w.site.Host {
		w.site.ServeHTTP(rw, r)
		w.mu.Lock()
		w.requests[host+"/~429"] = w.site.Throttled()
		w.mu.Unlock()
		return
	}
	if host == "www."+w.site.Host { // the site's old address: www and http
		http.Redirect(rw, r, "https://"+w.site.Host+r.URL.RequestURI(), http.StatusMovedPermanently)
		return
	}
	page := func(title string) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(rw, "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1><a href=\"https://github.com/tkestack/tapp\">tapp</a></body></html>", title, title)
	}
	switch host + r.URL.Path {
	case "api.github.com/graphql": // GitHub's GraphQL API, for GITHUB_TOKEN runs
		repos := map[string]fakegithub.Repo{
			"tkestack/kstone": {PushedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Commit: "5e3a1c0ffee", Files: map[string][]string{"main": {"README.md", "docs/install.md"}}},
			"tkestack/tapp":   {PushedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Archived: true},
		}
		if day < 2 || day >= 5 {
			repos["Tencent/Caelus"] = fakegithub.Repo{PushedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}
		}
		fakegithub.New(repos).ServeHTTP(rw, r)
	case "github.com/tkestack/kstone": // always alive
		page("tkestack/kstone: etcd cluster management")
	case "github.com/tkestack/kstone/blob/main/README.md", "github.com/tkestack/kstone/tree/main/docs": // files of kstone; any other is 404
		page("kstone" + strings.TrimPrefix(r.URL.Path, "/tkestack/kstone"))
	case "github.com/tkestack/tapp":
		page("tkestack/tapp")
	case "github.com/Tencent/Caelus": // alive day 1, 404 from day 2, back on day 5
		if day >= 2 && day < 5 {
			http.NotFound(rw, r)
			return
		}
		page("Tencent/Caelus")
	case "api.github.com/repos/tkestack/kstone": // the GitHub API, for GITHUB_TOKEN runs
		if r.Header.Get("Authorization") != "Bearer t0k3n" {
			http.Error(rw, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		io.WriteString(rw, `{"full_name":"tkestack/kstone","archived":true,"pushed_at":"2023-05-04T03:02:01Z"}`)
	case "flaky.example.com/page": // fails on day 2 only
		if day == 2 {
			http.Error(rw, "bad gateway", http.StatusBadGateway)
			return
		}
		page("flaky but alive")
	case "blocked.example.com/article": // bot wall, always
		http.Error(rw, "forbidden", http.StatusForbidden)
	case "mp.weixin.qq.com/s/U6-wcBsBC-Khffb7kTBtjA": // GBK page, soft-deleted from day 2
		rw.Header().Set("Content-Type", "text/html")
		if day >= 2 {
			rw.Write([]byte("<html><head><meta charset=\"utf-8\"><title>微信公众平台</title></head><body>该内容已被发布者删除</body></html>"))
			return
		}
		rw.Write(gbkPage)
	case "files.alicdn.com/tpsservice/cd9626b87ca646a05f05eb1d1c962126.pdf": // PDF, gone from day 2
		if day >= 2 {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "application/pdf")
		rw.Header().Set("ETag", `"pdf-v1"`)
		if r.Header.Get("If-None-Match") == `"pdf-v1"` {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		rw.Write(pdfBody)
	case "files.alicdn.com/unsolicited.pdf": // answers HEAD with a body too: net/http logs "Unsolicited response"
		conn, bw, err := http.NewResponseController(rw).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(bw, "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: %d\r\n\r\n", len(pdfBody))
		bw.Write(pdfBody)
		bw.Flush()
		time.Sleep(200 * time.Millisecond) // let the client see the stray bytes on the idle connection
	case "developer.aliyun.com/article/765449": // moved for good
		http.Redirect(rw, r, "https://developer.aliyun.com/article/765449-etcd", http.StatusMovedPermanently)
	case "developer.aliyun.com/article/765449-etcd":
		page("etcd 跨地域同步")
	case "blog.example.com/": // the blog's home page
		page("A blog about distributed systems")
	case "blog.example.com/2019/kubecon-notes": // sent to the home page from day 2
		if day >= 2 {
			http.Redirect(rw, r, "/", http.StatusFound)
			return
		}
		article(rw, "KubeCon notes", strings.Repeat("Notes from the talks about multi-cluster scheduling and etcd operations. ", 20))
	case "blog.example.com/posts/etcd-tuning": // lightly edited on day 2, replaced on day 3
		switch {
		case day >= 3:
			article(rw, "Spring sale", etcdReplaced)
		case day == 2:
			article(rw, "Tuning etcd", etcdEdited)
		default:
			article(rw, "Tuning etcd", etcdArticle)
		}
	case "slow.example.com/drip": // a page sent a byte every 50 ms: 10 s in all, never silent
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		body := "<!doctype html><html><head><title>drip</title></head><body>" + strings.Repeat(".", 140)
		for i := range len(body) {
			if _, err := io.WriteString(rw, body[i:i+1]); err != nil {
				return
			}
			rw.(http.Flusher).Flush()
			select {
			case <-time.After(50 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	case "slow.example.com/wait": // answers slowly: lets tests interrupt a run
		select {
		case <-time.After(30 * time.Second):
		case <-r.Context().Done():
			return
		}
		page("slow")
	default:
		if w.serveSource(rw, r, host, day) {
			return
		}
		if serveFragmentPage(rw, r, host+r.URL.Path) {
			return
		}
		// The Wayback Machine knows one vanished repository.
		if host+r.URL.Path == "web.archive.org/web/https://github.com/gone/repo" {
			http.Redirect(rw, r, "https://web.archive.org/web/20200101000000/https://github.com/gone/repo", http.StatusFound)
			return
		}
		http.NotFound(rw, r)
	}
}

// article writes a blog page with a menu, the article and a footer.
func article(rw http.ResponseWriter, title, text string) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(rw, `<!doctype html><html><head><title>%s</title></head><body>
<nav><a href="/">Home</a> <a href="/posts/">Posts</a> <a href="/about">About</a></nav>
<article><h1>%s</h1><p>%s</p></article><footer>© blog.example.com</footer></body></html>`, title, title, text)
}

// requestsTo returns how many requests the fake web answered for HOST/PATH.
func (w *fakeWeb) requestsTo(key string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.requests[key]
}

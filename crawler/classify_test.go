package crawler

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

func TestClassifyError(t *testing.T) {
	o := withDefaults(Options{HeaderTimeout: 3 * time.Second})
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "http://x.test/", Err: err} }
	tests := []struct {
		name     string
		err      error
		status   linkvault.Status
		reason   string
		hostDown bool
		retry    bool
		once     bool
	}{
		{"dns", wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}),
			linkvault.StatusUnreachable, "DNS: no such host", true, false, false},
		{"refused", wrap(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
			linkvault.StatusUnreachable, "connection refused", true, false, false},
		{"reset", wrap(&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}),
			linkvault.StatusUnreachable, "connection reset", false, true, false},
		{"header timeout", wrap(errors.New("net/http: timeout awaiting response headers")),
			linkvault.StatusUnreachable, "timeout after 3s awaiting headers", false, true, true},
		{"read timeout", wrap(&net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}),
			linkvault.StatusUnreachable, "timeout", false, true, true},
		{"total timeout", wrap(&timeoutError{d: time.Minute}),
			linkvault.StatusUnreachable, "timeout after 1m0s in total", false, true, true},
		{"TLS handshake timeout", wrap(errors.New("net/http: TLS handshake timeout")),
			linkvault.StatusUnreachable, "timeout after 10s in TLS handshake", true, true, false},
		{"dial timeout", wrap(&net.OpError{Op: "dial", Err: context.DeadlineExceeded}),
			linkvault.StatusUnreachable, "timeout after 10s connecting", true, true, false},
		{"private", wrap(&net.OpError{Op: "dial", Err: errPrivate}),
			linkvault.StatusSkipped, "private address (allow with --allow-private)", false, false, false},
	}
	for _, tt := range tests {
		f := classifyError(tt.err, &o)
		if f.status != tt.status || f.reason != tt.reason || f.hostDown != tt.hostDown || f.retry != tt.retry || f.retryOnce != tt.once {
			t.Errorf("%s: got %+v, want {%s %q hostDown=%v retry=%v once=%v}", tt.name, f, tt.status, tt.reason, tt.hostDown, tt.retry, tt.once)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5", 5 * time.Second, true},
		{"Wed, 01 May 2024 12:00:30 GMT", 30 * time.Second, true},
		{"Wed, 01 May 2024 11:00:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMovedTo(t *testing.T) {
	r := func(code int, u string) linkvault.Redirect { return linkvault.Redirect{Status: code, URL: u} }
	tests := []struct {
		name  string
		link  string
		hops  []linkvault.Redirect
		final string
		want  string
	}{
		{"no redirect", "http://a.test/", nil, "http://a.test/", ""},
		{"301", "http://a.test/x", []linkvault.Redirect{r(301, "http://a.test/x")}, "http://b.test/y", "http://b.test/y"},
		{"308 chain", "http://a.test/x", []linkvault.Redirect{r(308, "http://a.test/x"), r(301, "http://b.test/x")}, "http://c.test/", "http://c.test/"},
		{"http to https only", "http://a.test/x", []linkvault.Redirect{r(301, "http://a.test/x")}, "https://a.test/x", ""},
		{"trailing slash only", "https://a.test/x", []linkvault.Redirect{r(301, "https://a.test/x")}, "https://a.test/x/", ""},
		{"302 is temporary", "http://a.test/x", []linkvault.Redirect{r(302, "http://a.test/x")}, "http://b.test/", ""},
		{"301 then 302: moved to the 301 target", "http://a.test/x", []linkvault.Redirect{r(301, "http://a.test/x"), r(302, "http://b.test/x")}, "http://b.test/login", "http://b.test/x"},
		{"four permanent hops: the final URL, not the first hop", "https://t.test/ixcmk2qa",
			[]linkvault.Redirect{r(301, "https://t.test/ixcmk2qa"), r(301, "https://t.test/ixcmk2qa-hop1"), r(308, "https://u.test/ixcmk2qa-hop2"), r(301, "https://u.test/hop3")},
			"https://v.test/final", "https://v.test/final"},
		{"301, 308, then 307: the end of the permanent prefix", "https://t.test/a",
			[]linkvault.Redirect{r(301, "https://t.test/a"), r(308, "https://t.test/a-hop1"), r(307, "https://t.test/a-hop2")},
			"https://t.test/today", "https://t.test/a-hop2"},
		{"302 first: no move, whatever follows", "https://t.test/a",
			[]linkvault.Redirect{r(302, "https://t.test/a"), r(301, "https://t.test/b")}, "https://t.test/c", ""},
	}
	for _, tt := range tests {
		if got := movedTo(tt.link, tt.hops, tt.final); got != tt.want {
			t.Errorf("%s: movedTo = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestChallenge(t *testing.T) {
	h := http.Header{}
	if challenge(h, page{title: "Welcome"}) {
		t.Error("plain page taken for a challenge")
	}
	if !challenge(h, page{title: "Attention Required! | Cloudflare"}) {
		t.Error("Attention Required page not taken for a challenge")
	}
	h.Set("cf-mitigated", "challenge")
	if !challenge(h, page{}) {
		t.Error("cf-mitigated header not taken for a challenge")
	}
}

func TestHostOptions(t *testing.T) {
	c := &Checker{opts: Options{Hosts: map[string]HostOptions{
		"example.com":   {Rate: 1},
		"*.example.com": {Rate: 2},
		"*.b.test":      {Rate: 3},
	}}}
	tests := []struct {
		host string
		want float64
	}{
		{"example.com", 1},
		{"www.example.com", 2},
		{"a.b.example.com", 2},
		{"x.b.test:8080", 3},
		{"b.test", 0},
		{"other.test", 0},
	}
	for _, tt := range tests {
		ho, _ := c.hostOptions(tt.host)
		if ho.Rate != tt.want {
			t.Errorf("hostOptions(%q).Rate = %v, want %v", tt.host, ho.Rate, tt.want)
		}
	}
}

func TestHeadFirst(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"https://a.test/paper.pdf", true},
		{"https://a.test/dl/v1.2/app.tar.gz", true},
		{"https://a.test/v1.2/readme", false},
		{"https://a.test/", false},
		{"https://a.test/index.html", false},
		{"https://a.test/IMG.PNG", true},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		if got := headFirst(u); got != tt.want {
			t.Errorf("headFirst(%s) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

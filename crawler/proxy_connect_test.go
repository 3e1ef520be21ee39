package crawler

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// HTTPS_PROXY: an https link goes through the proxy as a CONNECT tunnel,
// and TLS is still checked end to end against the real host name.
func TestHTTPSProxyConnect(t *testing.T) {
	target := httptest.NewTLSServer(htmlPage("through the tunnel", ""))
	defer target.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: target.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var connects []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		connects = append(connects, r.Host)
		mu.Unlock()
		// The proxy resolves the name: example.com is the test server.
		up, err := net.Dial("tcp", target.Listener.Addr().String())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer up.Close()
		w.WriteHeader(http.StatusOK)
		down, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer down.Close()
		go io.Copy(up, rw)
		io.Copy(down, up)
	}))
	defer proxy.Close()

	for _, k := range []string{"HTTPS_PROXY", "https_proxy"} {
		t.Setenv(k, proxy.URL)
	}
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		t.Setenv(k, "")
	}
	// httptest's certificate is for example.com: the name the link uses.
	opts := Options{CAFile: caFile, LookupIP: fakeDNS(map[string]string{"example.com": "93.184.216.34"})}
	r := checkAll(t, opts, Target{URL: "https://example.com/page"})[0]
	if r.Status != linkvault.StatusOK || r.Title != "through the tunnel" {
		t.Errorf("got %s title %q error %q, want ok through the tunnel", r, r.Title, r.Error)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(connects) != 1 || connects[0] != "example.com:443" {
		t.Errorf("proxy saw CONNECT %q, want [example.com:443]", connects)
	}
}

// With a proxy set, the proxy connects for us and the dialer's guard sees
// only the proxy: every hop must be checked before the proxy is asked.
// The proxy here records what it is asked and never connects anywhere.
func TestProxyRedirectGuard(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.String()+r.Host)
		mu.Unlock()
		switch {
		case r.Method == http.MethodConnect:
			http.Error(w, "no tunnels here", http.StatusForbidden)
		case r.URL.Host == "allowed.example" && r.URL.Path == "/redir":
			redirect(http.StatusFound, r.URL.Query().Get("to"))(w, r)
		default:
			htmlPage("reached", "")(w, r)
		}
	}))
	defer proxy.Close()
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
		t.Setenv(k, proxy.URL)
	}
	for _, k := range []string{"NO_PROXY", "no_proxy"} {
		t.Setenv(k, "")
	}
	dns := map[string][]net.IP{
		"allowed.example":  {net.ParseIP("93.184.216.34")},
		"public.example":   {net.ParseIP("93.184.216.35")},
		"internal.test":    {net.ParseIP("10.0.0.1")},
		"metadata.test":    {net.ParseIP("169.254.169.254")},
		"cgnat.test":       {net.ParseIP("100.100.100.200")},
		"dual.test":        {net.ParseIP("93.184.216.36"), net.ParseIP("fd00::1")},
		"nat64-meta.test":  {net.ParseIP("64:ff9b::a9fe:a9fe")},
		"v6-loopback.test": {net.ParseIP("::1")},
	}
	var lookups atomic.Int32
	perName := map[string]int{} // under mu
	opts := Options{
		RetryWait: time.Millisecond,
		Rate:      1000,
		Burst:     100,
		Soft404:   Soft404Options{NoProbe: true},
		Resolve:   map[string]string{"pinned.test": "192.168.1.10"},
		LookupIP: func(ctx context.Context, host string) ([]net.IP, error) {
			lookups.Add(1)
			mu.Lock()
			perName[host]++
			mu.Unlock()
			if ips, ok := dns[host]; ok {
				return ips, nil
			}
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			// Only the proxy may be dialled, and it is on loopback.
			if addr != proxy.Listener.Addr().String() {
				t.Errorf("dialled %s: only the proxy may be", addr)
				return nil, errors.New("test: not the proxy")
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	private := []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.1/",
		"http://100.100.100.200/latest/meta-data/",
		"http://[::ffff:169.254.169.254]/",
		"http://[64:ff9b::a9fe:a9fe]/",
		"http://internal.test/wiki",
		"http://metadata.test/latest/meta-data/",
		"http://cgnat.test/",
		"http://dual.test/",
		"http://nat64-meta.test/",
		"http://v6-loopback.test/",
		"http://pinned.test/",
		"https://internal.test/", // through a CONNECT tunnel
		"https://169.254.169.254/",
	}
	var targets []Target
	for _, to := range private {
		targets = append(targets, Target{URL: "http://allowed.example/redir?to=" + url.QueryEscape(to)})
	}
	// Direct links are refused the same way, before the proxy is asked.
	targets = append(targets, Target{URL: "http://internal.test/direct"}, Target{URL: "https://metadata.test/direct"})
	// A public target and a name only the proxy can resolve go through.
	targets = append(targets,
		Target{URL: "http://allowed.example/redir?to=" + url.QueryEscape("http://public.example/ok")},
		Target{URL: "http://proxy-only.example/page"},
	)
	rs := checkAll(t, opts, targets...)
	n := len(rs)
	for _, r := range rs[:n-2] {
		if r.Status != linkvault.StatusSkipped || r.Reason != reasonPrivate {
			t.Errorf("%s: got %s, want skipped (%s)", r.URL, r, reasonPrivate)
		}
	}
	for _, r := range rs[n-2:] {
		if r.Status != linkvault.StatusOK || r.Title != "reached" {
			t.Errorf("%s: got %s title %q, want ok, reached", r.URL, r, r.Title)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range asked {
		ok := strings.HasPrefix(a, "GET http://allowed.example/redir?") ||
			strings.HasPrefix(a, "GET http://public.example/ok") ||
			strings.HasPrefix(a, "GET http://proxy-only.example/page")
		if !ok {
			t.Errorf("the proxy was asked %q", a)
		}
	}
	if len(asked) != len(private)+3 {
		t.Errorf("the proxy was asked %d times, want %d: %q", len(asked), len(private)+3, asked)
	}
	if lookups.Load() == 0 {
		t.Error("no name was resolved: the guard did not look names up")
	}
	for name, n := range perName {
		if n > 1 {
			t.Errorf("%s was resolved %d times, want once per run", name, n)
		}
	}
}

// fakeDNS is an Options.LookupIP answering from names (name → address)
// and "no such host" for any other name: the guard never asks a real
// resolver in tests.
func fakeDNS(names map[string]string) func(context.Context, string) ([]net.IP, error) {
	return func(_ context.Context, host string) ([]net.IP, error) {
		if a, ok := names[host]; ok {
			return []net.IP{net.ParseIP(a)}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
}

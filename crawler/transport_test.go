package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

func TestCircuitBreaker(t *testing.T) {
	var dials atomic.Int32
	opts := Options{
		AllowPrivate:     true,
		HostConcurrency:  1,
		BreakerThreshold: 3,
		Rate:             1000,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
		},
	}
	var targets []Target
	for i := range 10 {
		targets = append(targets, Target{URL: fmt.Sprintf("http://dead.test/%d", i)})
	}
	rs := checkAll(t, opts, targets...)
	if n := dials.Load(); n != 3 {
		t.Errorf("dials = %d, want 3 (the breaker threshold)", n)
	}
	open := 0
	for _, r := range rs {
		switch {
		case r.Status == linkvault.StatusSkipped && r.Reason == "not checked: host down: 3 failures in a row: connection refused":
			// Not tried: never bad.
			open++
			if r.Requests != 0 {
				t.Errorf("%s: Requests = %d after the circuit opened, want 0", r.URL, r.Requests)
			}
		case r.Status != linkvault.StatusUnreachable || r.Reason != "connection refused":
			t.Errorf("%s: got %s, want unreachable (connection refused), or skipped as not checked", r.URL, r)
		}
	}
	if open != 7 {
		t.Errorf("%d results from the open circuit, want 7", open)
	}
}

func TestUnknownHost(t *testing.T) {
	opts := Options{
		AllowPrivate: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		},
	}
	r := checkAll(t, opts, Target{URL: "http://nxdomain.test/"})[0]
	if r.Status != linkvault.StatusUnreachable || r.Reason != "DNS: no such host" || r.Requests != 1 {
		t.Errorf("got %s after %d requests, want unreachable (DNS: no such host) after 1", r, r.Requests)
	}
}

// tlsServer starts a TLS server and returns it with a CA file trusting it.
func tlsServer(t *testing.T, h http.Handler) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

func TestTLS(t *testing.T) {
	srv, ca := tlsServer(t, htmlPage("Secure", ""))
	addr := srv.Listener.Addr().String()
	opts := Options{
		AllowPrivate: true,
		CAFile:       ca,
		Resolve:      map[string]string{"wrong.test": addr, "example.com:443": addr},
	}
	rs := checkAll(t, opts, Target{URL: "https://wrong.test/"}, Target{URL: "https://example.com/"})
	if r := rs[0]; r.Status != linkvault.StatusUnreachable || r.Reason != "TLS: certificate is valid for example.com, *.example.com, not wrong.test" {
		t.Errorf("wrong name: got %s, want unreachable (TLS: certificate is valid for example.com, *.example.com, not wrong.test)", r)
	}
	r := rs[1]
	if r.Status != linkvault.StatusOK || r.Title != "Secure" {
		t.Errorf("right name: got %s title %q, want ok, Secure", r, r.Title)
	}
	if want := srv.Certificate().NotAfter; !r.CertExpiry.Equal(want) {
		t.Errorf("CertExpiry = %v, want %v", r.CertExpiry, want)
	}
}

func TestPrivateAddressRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		htmlPage("internal", "")(w, r)
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	var baseDials atomic.Int32
	base := func(ctx context.Context, network, a string) (net.Conn, error) {
		baseDials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	tests := []struct {
		name  string
		opts  Options
		url   string
		want  linkvault.Status
		hits  int32
		dials int32
	}{
		{"loopback literal", Options{}, srv.URL + "/", linkvault.StatusSkipped, 0, 0},
		{"cloud metadata address", Options{}, "http://169.254.169.254/latest/meta-data/", linkvault.StatusSkipped, 0, 0},
		{"name resolving to loopback", Options{Resolve: map[string]string{"evil.test": addr}}, "http://evil.test/", linkvault.StatusSkipped, 0, 0},
		{"name resolving to metadata", Options{Resolve: map[string]string{"evil.test": "169.254.169.254:80"}, DialContext: base}, "http://evil.test/", linkvault.StatusSkipped, 0, 0},
		{"localhost through the system resolver", Options{}, "http://localhost:" + fmt.Sprint(srv.Listener.Addr().(*net.TCPAddr).Port) + "/", linkvault.StatusSkipped, 0, 0},
		{"custom dialer reaching loopback", Options{DialContext: base}, "http://evil.test/", linkvault.StatusSkipped, 0, 1},
		{"allowed when asked", Options{AllowPrivate: true, Resolve: map[string]string{"evil.test": addr}}, "http://evil.test/", linkvault.StatusOK, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			baseDials.Store(0)
			r := checkAll(t, tt.opts, Target{URL: tt.url})[0]
			if r.Status != tt.want {
				t.Errorf("got %s, want %s", r, tt.want)
			}
			if tt.want == linkvault.StatusSkipped && r.Reason != "private address (allow with --allow-private)" {
				t.Errorf("Reason = %q, want private address (allow with --allow-private)", r.Reason)
			}
			if got := hits.Load(); got != tt.hits {
				t.Errorf("server hits = %d, want %d", got, tt.hits)
			}
			if got := baseDials.Load(); got != tt.dials {
				t.Errorf("base dials = %d, want %d", got, tt.dials)
			}
		})
	}
}

func TestProxyFromEnvironment(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.String())
		mu.Unlock()
		htmlPage("via proxy", "")(w, r)
	}))
	defer proxy.Close()
	for _, k := range []string{"HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, proxy.URL)
	}
	for _, k := range []string{"NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy"} {
		t.Setenv(k, "")
	}
	// AllowPrivate is off: the proxy itself is on loopback and allowed.
	opts := Options{Soft404: Soft404Options{NoProbe: true}, LookupIP: fakeDNS(map[string]string{"proxied.test": "93.184.216.34"})}
	r := checkAll(t, opts, Target{URL: "http://proxied.test/page"})[0]
	if r.Status != linkvault.StatusOK || r.Title != "via proxy" {
		t.Errorf("got %s title %q, want ok via proxy", r, r.Title)
	}
	if len(seen) != 1 || seen[0] != "GET http://proxied.test/page" {
		t.Errorf("proxy saw %q, want [GET http://proxied.test/page]", seen)
	}
}

// allocDuring returns the bytes allocated while f ran.
func allocDuring(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

func TestHostileResponsesBoundedMemory(t *testing.T) {
	const bombSize = 256 << 20
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write([]byte("<html><head><title>Bomb</title></head><body>"))
	zeros := make([]byte, 1<<20)
	for range bombSize >> 20 {
		zw.Write(zeros)
	}
	zw.Close()
	chunk := bytes.Repeat([]byte("<p>endless</p>\n"), 2048)
	bigHeader := strings.Repeat("x", 1<<20)

	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    linkvault.Status
		check   func(t *testing.T, r linkvault.Result)
	}{
		{"gzip bomb", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		}, linkvault.StatusOK, func(t *testing.T, r linkvault.Result) {
			if r.Title != "Bomb" || r.BytesRead != int64(bomb.Len()) {
				t.Errorf("Title, BytesRead = %q, %d, want Bomb, %d (compressed size)", r.Title, r.BytesRead, bomb.Len())
			}
		}},
		{"endless body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><head><title>Endless</title></head><body>"))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, linkvault.StatusOK, func(t *testing.T, r linkvault.Result) {
			if !r.Truncated || r.BytesRead != 1<<20 || r.Title != "Endless" {
				t.Errorf("Truncated, BytesRead, Title = %v, %d, %q, want true, %d, Endless", r.Truncated, r.BytesRead, r.Title, 1<<20)
			}
		}},
		{"1 MB of headers", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Huge", bigHeader)
			w.WriteHeader(200)
		}, linkvault.StatusBroken, func(t *testing.T, r linkvault.Result) {
			if !strings.Contains(r.Reason, "response headers larger than") {
				t.Errorf("Reason = %q, want response headers larger than …", r.Reason)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := fakeweb.New()
			defer w.Close()
			w.Host("hostile.test").Handler = tt.handler
			opts := webOptions(w)
			opts.MaxBody = 1 << 20
			var r linkvault.Result
			alloc := allocDuring(func() { r = checkAll(t, opts, Target{URL: "http://hostile.test/"})[0] })
			if r.Status != tt.want {
				t.Errorf("got %s, want %s", r, tt.want)
			}
			tt.check(t, r)
			// Parsing 1 MB of HTML into a tree and reading its text
			// and main text costs about 40 MB of (short-lived)
			// allocations; an unbounded read of these bodies would cost
			// hundreds.
			if alloc > 48<<20 {
				t.Errorf("allocated %d MB, want at most 48 MB", alloc>>20)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	w.Host("hang.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	w.Host("fast.test")
	c, err := NewChecker(webOptions(w))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	err = c.Check(ctx, []Target{{URL: "http://hang.test/1"}, {URL: "http://hang.test/2"}, {URL: "http://fast.test/"}},
		func(r linkvault.Result) {
			got = append(got, r.URL)
			cancel()
		})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Check returned %v, want context.Canceled", err)
	}
	if len(got) != 1 || got[0] != "http://fast.test/" {
		t.Errorf("emitted %q, want only the completed http://fast.test/", got)
	}
}

// TestExtraRoots checks that a server signed by a private CA is trusted
// through Options.CAFile or $SSL_CERT_FILE, and not without either.
func TestExtraRoots(t *testing.T) {
	srv, ca := tlsServer(t, htmlPage("Secure", ""))
	resolve := map[string]string{"example.com:443": srv.Listener.Addr().String()}
	tests := []struct {
		name    string
		env     string // SSL_CERT_FILE
		caFile  string
		want    linkvault.Status
		wantErr string // of NewChecker
	}{
		{name: "neither", want: linkvault.StatusUnreachable},
		{name: "CA file", caFile: ca, want: linkvault.StatusOK},
		{name: "SSL_CERT_FILE", env: ca, want: linkvault.StatusOK},
		{name: "missing CA file", caFile: "/nonexistent/ca.pem", wantErr: "crawler: read CA file: open /nonexistent/ca.pem: no such file or directory"},
		{name: "missing SSL_CERT_FILE", env: "/nonexistent/ca.pem", wantErr: "crawler: read SSL_CERT_FILE: open /nonexistent/ca.pem: no such file or directory"},
		{name: "CA file without PEM", caFile: "transport_test.go", wantErr: "crawler: CA file transport_test.go: no PEM certificate found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("SSL_CERT_FILE", tt.env)
			opts := Options{AllowPrivate: true, CAFile: tt.caFile, Resolve: resolve, Retries: -1}
			if tt.wantErr != "" {
				c, err := NewChecker(opts)
				if err == nil {
					c.Close()
				}
				if fmt.Sprint(err) != tt.wantErr {
					t.Fatalf("NewChecker error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			r := checkAll(t, opts, Target{URL: "https://example.com/"})[0]
			if r.Status != tt.want {
				t.Errorf("got %s, want %s", r, tt.want)
			}
			if tt.want == linkvault.StatusUnreachable && !strings.HasPrefix(r.Reason, "TLS: ") {
				t.Errorf("Reason = %q, want a TLS error", r.Reason)
			}
		})
	}
}

// TestHTTP2 checks that HTTP/2 is used against a TLS server offering it.
func TestHTTP2(t *testing.T) {
	var proto atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(r.Proto)
		htmlPage("h2", "")(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := Options{AllowPrivate: true, CAFile: ca, Resolve: map[string]string{"example.com:443": srv.Listener.Addr().String()}}
	r := checkAll(t, opts, Target{URL: "https://example.com/"})[0]
	if r.Status != linkvault.StatusOK || r.Title != "h2" {
		t.Errorf("got %s title %q, want ok, h2", r, r.Title)
	}
	if got, _ := proto.Load().(string); got != "HTTP/2.0" {
		t.Errorf("server saw %q, want HTTP/2.0", got)
	}
}

// TestPhaseTimeouts checks each per-phase timeout against a server stuck
// in that phase: the check ends, classified with the phase, instead of
// waiting for the test's own deadline.
func TestPhaseTimeouts(t *testing.T) {
	// A TCP listener that accepts and never speaks: TLS handshakes stall.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	w := fakeweb.New()
	defer w.Close()
	w.Host("hang.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	w.Host("stall.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		rw.Write([]byte("<html><head><title>Stalled</title>"))
		rw.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	w.Host("mute.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(http.StatusOK)
		rw.(http.Flusher).Flush() // headers, then not a byte of body
		<-r.Context().Done()
	})
	const d = 100 * time.Millisecond
	tests := []struct {
		name   string
		url    string
		opts   func(*Options)
		want   linkvault.Status
		reason string
		errMsg string // Result.Error, checked when set
	}{
		{"dial", "http://blackhole.test/", func(o *Options) {
			o.DialTimeout = d
			o.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
				<-ctx.Done() // a SYN that is never answered
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: ctx.Err()}
			}
		}, linkvault.StatusUnreachable, "timeout after 100ms connecting", ""},
		{"TLS handshake", "https://silent.test/", func(o *Options) {
			o.TLSTimeout = d
			o.DialContext = nil
			o.Resolve = map[string]string{"silent.test": silent.Addr().String()}
		}, linkvault.StatusUnreachable, "timeout after 100ms in TLS handshake", ""},
		{"response header", "http://hang.test/", func(o *Options) { o.HeaderTimeout = d },
			linkvault.StatusUnreachable, "timeout after 100ms awaiting headers", ""},
		{"body read before the first byte", "http://mute.test/", func(o *Options) { o.ReadTimeout = d },
			linkvault.StatusOK, "200 OK", "timeout after 100ms reading body"},
		{"idle body read", "http://stall.test/", func(o *Options) { o.ReadTimeout = d },
			linkvault.StatusOK, "200 OK", "timeout after 100ms reading body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := webOptions(w)
			opts.Retries = -1
			tt.opts(&opts)
			r := checkAll(t, opts, Target{URL: tt.url})[0]
			if r.Status != tt.want || r.Reason != tt.reason || tt.errMsg != "" && r.Error != tt.errMsg {
				t.Errorf("got %s, error %q; want %s (%s), error %q", r, r.Error, tt.want, tt.reason, tt.errMsg)
			}
		})
	}
}

// TestNoProxy checks that NO_PROXY sends the hosts it names direct while
// the others go through HTTP_PROXY.
func TestNoProxy(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		htmlPage("via proxy", "")(w, r)
	}))
	defer proxy.Close()
	direct := httptest.NewServer(htmlPage("direct", ""))
	defer direct.Close()
	for _, k := range []string{"HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, proxy.URL)
	}
	for _, k := range []string{"NO_PROXY", "no_proxy"} {
		t.Setenv(k, "direct.test")
	}
	for _, k := range []string{"HTTPS_PROXY", "https_proxy"} {
		t.Setenv(k, "")
	}
	opts := Options{AllowPrivate: true, Resolve: map[string]string{"direct.test": direct.Listener.Addr().String()}}
	rs := checkAll(t, opts, Target{URL: "http://direct.test/"}, Target{URL: "http://proxied.test/"})
	if rs[0].Status != linkvault.StatusOK || rs[0].Title != "direct" {
		t.Errorf("direct.test: got %s title %q, want ok, direct", rs[0], rs[0].Title)
	}
	if rs[1].Status != linkvault.StatusOK || rs[1].Title != "via proxy" {
		t.Errorf("proxied.test: got %s title %q, want ok, via proxy", rs[1], rs[1].Title)
	}
	if n := proxied.Load(); n != 1 {
		t.Errorf("proxy saw %d requests, want 1", n)
	}
}

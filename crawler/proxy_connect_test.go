package crawler

import (
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

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
	r := checkAll(t, Options{CAFile: caFile}, Target{URL: "https://example.com/page"})[0]
	if r.Status != linkvault.StatusOK || r.Title != "through the tunnel" {
		t.Errorf("got %s title %q error %q, want ok through the tunnel", r, r.Title, r.Error)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(connects) != 1 || connects[0] != "example.com:443" {
		t.Errorf("proxy saw CONNECT %q, want [example.com:443]", connects)
	}
}

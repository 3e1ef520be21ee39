package crawler

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

func TestGitHubRepo(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"https://github.com/golang/go", "golang/go"},
		{"https://github.com/golang/go/issues/1", "golang/go"},
		{"https://github.com/golang/go.git", "golang/go"},
		{"https://www.github.com/a-b/c.d_e", "a-b/c.d_e"},
		{"https://github.com/golang", ""},
		{"https://github.com/topics/go", ""},
		{"https://github.com/orgs/golang/people", ""},
		{"https://gitlab.com/golang/go", ""},
		{"https://api.github.com/repos/golang/go", ""},
	}
	for _, tt := range tests {
		if got := githubRepo(tt.url); got != tt.want {
			t.Errorf("githubRepo(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestGitHubAPI(t *testing.T) {
	const token = "ghp_secret_token_value"
	w := fakeweb.New()
	defer w.Close()
	var mu sync.Mutex
	auth := map[string][]string{} // host → Authorization values seen
	record := func(host string, next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			mu.Lock()
			auth[host] = append(auth[host], r.Header.Get("Authorization"))
			mu.Unlock()
			next.ServeHTTP(rw, r)
		})
	}
	w.Host("github.com").Handler = record("github.com", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/owner/missing":
			rw.WriteHeader(404)
		case "/owner/away":
			redirect(302, "http://example.test/landing")(rw, r)
		default:
			htmlPage("GitHub - "+r.URL.Path, "")(rw, r)
		}
	}))
	w.Host("api.github.com").Handler = record("api.github.com", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		repos := map[string]string{
			"/repos/old/name":   `{"full_name":"new/name","archived":true,"pushed_at":"2021-06-01T10:00:00Z"}`,
			"/repos/owner/ok":   `{"full_name":"owner/ok","archived":false,"pushed_at":"2024-01-02T03:04:05Z"}`,
			"/repos/owner/away": `{"full_name":"owner/away"}`,
		}
		body, ok := repos[r.URL.Path]
		if !ok {
			rw.WriteHeader(404)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(body))
	}))
	w.Host("example.test").Handler = record("example.test", htmlPage("Elsewhere", ""))

	opts := webOptions(w)
	opts.GitHubToken = token
	opts.GitHubAPI = "http://api.github.com"
	rs := checkAll(t, opts,
		Target{URL: "http://github.com/old/name"},
		Target{URL: "http://github.com/owner/ok/issues/3"},
		Target{URL: "http://github.com/owner/missing"},
		Target{URL: "http://github.com/owner/away"},
		Target{URL: "http://example.test/"},
	)
	want := []struct {
		status linkvault.Status
		gh     *linkvault.GitHubRepo
	}{
		{linkvault.StatusOK, &linkvault.GitHubRepo{FullName: "new/name", Exists: true, Archived: true, RenamedTo: "new/name", PushedAt: time.Date(2021, 6, 1, 10, 0, 0, 0, time.UTC)}},
		{linkvault.StatusOK, &linkvault.GitHubRepo{FullName: "owner/ok", Exists: true, PushedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{linkvault.StatusBroken, &linkvault.GitHubRepo{FullName: "owner/missing"}},
		{linkvault.StatusOK, &linkvault.GitHubRepo{FullName: "owner/away", Exists: true}},
		{linkvault.StatusOK, nil},
	}
	for i, r := range rs {
		if r.Status != want[i].status {
			t.Errorf("%s: got %s, want %s", r.URL, r, want[i].status)
		}
		gotJSON, _ := json.Marshal(r.GitHub)
		wantJSON, _ := json.Marshal(want[i].gh)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("%s: GitHub = %s, want %s", r.URL, gotJSON, wantJSON)
		}
		all, _ := json.Marshal(r)
		if strings.Contains(string(all)+r.Error+r.Reason, token) {
			t.Errorf("%s: the token appears in the result: %s", r.URL, all)
		}
	}
	if rs[0].Requests != 2 {
		t.Errorf("Requests = %d for a repository link, want 2 (page and API)", rs[0].Requests)
	}
	mu.Lock()
	defer mu.Unlock()
	// Plain HTTP: the token never goes in cleartext, even to GitHub's
	// hosts (TestGitHubTokenHTTPSOnly checks where it does go).
	for _, host := range []string{"github.com", "api.github.com"} {
		if len(auth[host]) == 0 {
			t.Errorf("no request reached %s", host)
		}
		for _, a := range auth[host] {
			if a != "" {
				t.Errorf("%s got Authorization %q over plain HTTP, want none", host, a)
			}
		}
	}
	if len(auth["example.test"]) != 2 {
		t.Errorf("example.test got %d requests, want 2 (direct and redirected)", len(auth["example.test"]))
	}
	for _, a := range auth["example.test"] {
		if a != "" {
			t.Errorf("example.test got Authorization %q, want none", a)
		}
	}
}

// TestGitHubTokenHTTPSOnly follows the token over HTTPS and plain HTTP,
// through redirects that stay on a host, change scheme, or leave and come
// back: it goes only over HTTPS to GitHub's hosts (the API's for the
// lookup), never after a hop to another host or scheme.
func TestGitHubTokenHTTPSOnly(t *testing.T) {
	const token = "ghp_https_only"
	var mu sync.Mutex
	seen := map[string][]string{} // scheme://host/path?query → Authorization values
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		key := scheme + "://" + r.Host + r.URL.RequestURI()
		mu.Lock()
		seen[key] = append(seen[key], r.Header.Get("Authorization"))
		mu.Unlock()
		switch key {
		case "https://github.com/owner/tohttp":
			redirect(http.StatusMovedPermanently, "http://github.com/owner/plain")(w, r)
		case "https://github.com/owner/away":
			redirect(http.StatusFound, "https://example.test/bounce")(w, r)
		case "https://example.test/bounce":
			redirect(http.StatusFound, "https://github.com/owner/back")(w, r)
		case "https://github.com/owner/renamed":
			redirect(http.StatusMovedPermanently, "/owner/ok2")(w, r)
		case "https://api.github.com/repos/owner/moved":
			redirect(http.StatusMovedPermanently, "https://example.test/api-elsewhere")(w, r)
		case "https://example.test/api-elsewhere":
			redirect(http.StatusFound, "https://api.github.com/repos/owner/ok?via=away")(w, r)
		default:
			if strings.HasPrefix(r.URL.Path, "/repos/") {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"full_name":"owner/ok"}`)
				return
			}
			htmlPage("page "+r.URL.Path, "")(w, r)
		}
	})
	plain := httptest.NewServer(handler)
	defer plain.Close()
	tlsSrv, ca := tlsServerFor(t, handler, "github.com", "api.github.com", "example.test")
	resolve := map[string]string{}
	for _, h := range []string{"github.com", "api.github.com", "example.test"} {
		resolve[h+":80"] = plain.Listener.Addr().String()
		resolve[h+":443"] = tlsSrv.Listener.Addr().String()
	}
	opts := Options{
		AllowPrivate: true, CAFile: ca, Resolve: resolve,
		RetryWait: time.Millisecond, Rate: 1000, Burst: 100,
		Soft404:     Soft404Options{NoProbe: true},
		GitHubToken: token, GitHubAPI: "https://api.github.com",
	}
	rs := checkAll(t, opts,
		Target{URL: "https://github.com/owner/ok"},
		Target{URL: "https://github.com/owner/tohttp"},
		Target{URL: "https://github.com/owner/away"},
		Target{URL: "https://github.com/owner/renamed"},
		Target{URL: "https://github.com/owner/moved"},
		Target{URL: "http://github.com/owner/plain2"},
	)
	for _, r := range rs {
		if r.Status != linkvault.StatusOK {
			t.Errorf("%s: got %s, want ok", r.URL, r)
		}
	}
	want := map[string]bool{ // request → carries the token
		"https://github.com/owner/ok":                    true,
		"https://api.github.com/repos/owner/ok":          true,
		"https://github.com/owner/tohttp":                true,
		"http://github.com/owner/plain":                  false, // https → http
		"https://api.github.com/repos/owner/tohttp":      true,
		"https://github.com/owner/away":                  true,
		"https://example.test/bounce":                    false,
		"https://github.com/owner/back":                  false, // came back from another host
		"https://api.github.com/repos/owner/away":        true,
		"https://github.com/owner/renamed":               true,
		"https://github.com/owner/ok2":                   true, // same scheme and host
		"https://api.github.com/repos/owner/renamed":     true,
		"https://github.com/owner/moved":                 true,
		"https://api.github.com/repos/owner/moved":       true,
		"https://example.test/api-elsewhere":             false,
		"https://api.github.com/repos/owner/ok?via=away": false, // the API redirect left its host
		"http://github.com/owner/plain2":                 false, // cleartext
		"https://api.github.com/repos/owner/plain2":      true,  // the lookup itself is HTTPS
		// The GraphQL batch of the repository pages (its answer here is
		// not GraphQL: every page is then fetched as above).
		"https://api.github.com/graphql": true,
	}
	mu.Lock()
	defer mu.Unlock()
	for req, tok := range want {
		got, ok := seen[req]
		if !ok {
			t.Errorf("%s was not requested", req)
			continue
		}
		for _, a := range got {
			if tok && a != "Bearer "+token {
				t.Errorf("%s: Authorization %q, want the token", req, a)
			}
			if !tok && a != "" {
				t.Errorf("%s: Authorization %q, want none", req, a)
			}
		}
	}
	for req := range seen {
		if _, ok := want[req]; !ok {
			t.Errorf("unexpected request %s", req)
		}
	}
}

// tlsServerFor starts a TLS server with a certificate for names and
// returns it with a CA file trusting it.
func tlsServerFor(t *testing.T, h http.Handler, names ...string) (*httptest.Server, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "linkvault test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		DNSNames:              names,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

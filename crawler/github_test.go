package crawler

import (
	"encoding/json"
	"net/http"
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
	for _, host := range []string{"github.com", "api.github.com"} {
		if len(auth[host]) == 0 {
			t.Errorf("no request reached %s", host)
		}
		for _, a := range auth[host] {
			if a != "Bearer "+token {
				t.Errorf("%s got Authorization %q, want the token", host, a)
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

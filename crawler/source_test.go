package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakegithub"
)

func TestSourceOf(t *testing.T) {
	for _, tc := range []struct {
		link string
		repo string // "" not a source link
		ref  string
	}{
		{"https://github.com/tkestack/kstone", "https://github.com/tkestack/kstone", ""},
		{"https://github.com/tkestack/kstone/", "https://github.com/tkestack/kstone", ""},
		{"https://www.github.com/tkestack/kstone.git", "https://github.com/tkestack/kstone", ""},
		{"https://github.com/tkestack/kstone/tree/v0.2/docs", "https://github.com/tkestack/kstone", "v0.2"},
		{"https://github.com/tkestack/kstone/blob/main/README.md", "https://github.com/tkestack/kstone", "main"},
		{"https://github.com/tkestack/kstone/tree/0123456789abcdef0123456789abcdef01234567", "https://github.com/tkestack/kstone", "0123456789abcdef0123456789abcdef01234567"},
		{"https://github.com/tkestack/kstone/issues/3", "", ""},
		{"https://github.com/tkestack/kstone/tree", "", ""},
		{"https://github.com/tkestack", "", ""},
		{"https://github.com/features/actions", "", ""},
		{"https://gitlab.com/tkestack/kstone", "", ""},
		{"https://github.com.evil.example/tkestack/kstone", "", ""},
	} {
		s, ok := SourceOf(tc.link)
		if ok != (tc.repo != "") || s.Repo != tc.repo || s.Ref != tc.ref {
			t.Errorf("SourceOf(%s) = %+v, %v; want repo %q ref %q", tc.link, s, ok, tc.repo, tc.ref)
		}
	}
}

func TestSourceCommit(t *testing.T) {
	const head, tag = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
	src := fakegithub.NewSources()
	src.Set("o/r", &fakegithub.SourceRepo{Branches: map[string]string{"main": head, "v1": tag}, Tarballs: map[string][]byte{head: {1}, tag: {2}}})
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		r.Host = "api.github.com"
		src.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := NewChecker(Options{AllowPrivate: true, GitHubAPI: srv.URL, GitHubToken: "t0k3n"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	client := c.Client()
	for _, tc := range []struct {
		name     string
		link     string
		gh       *linkvault.GitHubRepo
		want     string
		requests int // API requests so far
	}{
		{"the GraphQL answer", "https://github.com/o/r", &linkvault.GitHubRepo{Exists: true, Commit: tag}, tag, 0},
		{"a commit in the link", "https://github.com/o/r/tree/" + tag + "/docs", nil, tag, 0},
		{"the default branch, asked", "https://github.com/o/r", nil, head, 1},
		{"a short oid is not trusted", "https://github.com/o/r", &linkvault.GitHubRepo{Exists: true, Commit: "5e3a1c0"}, head, 2},
		{"a branch, asked", "https://github.com/o/r/blob/v1/x.go", nil, tag, 3},
		{"a ref it does not know", "https://github.com/o/r/tree/nope", nil, "", 4},
		{"a repository it does not know", "https://github.com/o/gone", nil, "", 5},
	} {
		s, _ := SourceOf(tc.link)
		got, err := c.SourceCommit(ctx, client, s, tc.gh)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("%s: SourceCommit = %q, %v; want %q", tc.name, got, err, tc.want)
		}
		if len(auth) != tc.requests {
			t.Errorf("%s: %d API requests, want %d", tc.name, len(auth), tc.requests)
		}
	}
	for _, a := range auth {
		if strings.Contains(a, "t0k3n") {
			t.Errorf("the token was sent to an http:// API: %q", a)
		}
	}
}

package crawler

import (
	"bytes"
	"context"
	"io"
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
		{"https://bitbucket.org/tkestack/kstone", "", ""},
		{"https://github.com.evil.example/tkestack/kstone", "", ""},
		{"https://gitlab.com/gitlab-org/gitaly", "https://gitlab.com/gitlab-org/gitaly", ""},
		{"https://gitlab.com/gitlab-org/cloud/infra.git", "https://gitlab.com/gitlab-org/cloud/infra", ""},
		{"https://gitlab.com/gitlab-org/gitaly/-/tree/v16.0/doc", "https://gitlab.com/gitlab-org/gitaly", "v16.0"},
		{"https://gitlab.com/gitlab-org/gitaly/-/blob/master/README.md", "https://gitlab.com/gitlab-org/gitaly", "master"},
		{"https://gitlab.com/gitlab-org/gitaly/-/issues/1", "", ""},
		{"https://gitlab.com/gitlab-org/gitaly/issues", "", ""},
		{"https://gitlab.com/explore/projects", "", ""},
		{"https://gitlab.com/gitlab-org", "", ""},
		{"https://codeberg.org/forgejo/forgejo", "https://codeberg.org/forgejo/forgejo", ""},
		{"https://codeberg.org/forgejo/forgejo/src/branch/forgejo/README.md", "https://codeberg.org/forgejo/forgejo", "forgejo"},
		{"https://codeberg.org/forgejo/forgejo/src/tag/v9.0.0", "https://codeberg.org/forgejo/forgejo", "v9.0.0"},
		{"https://codeberg.org/forgejo/forgejo/issues/3", "", ""},
		{"https://codeberg.org/forgejo", "", ""},
		{"ftp://codeberg.org/forgejo/forgejo", "", ""},
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

// TestForgeSources archives the source of a GitLab and a Codeberg
// repository as their documented archive URLs give it.
func TestForgeSources(t *testing.T) {
	const head, tag = "3333333333333333333333333333333333333333", "4444444444444444444444444444444444444444"
	src := fakegithub.NewSources()
	tarHead := fakegithub.Tarball("p-333", map[string]string{"a": "head"})
	tarTag := fakegithub.Tarball("p-444", map[string]string{"a": "tag"})
	repo := func() *fakegithub.SourceRepo {
		return &fakegithub.SourceRepo{Branches: map[string]string{"main": head, "v1": tag}, Tarballs: map[string][]byte{head: tarHead, tag: tarTag}}
	}
	src.Set("group/sub/proj", repo())
	src.Set("owner/repo", repo())
	srv, ca := tlsServerFor(t, src, "gitlab.com", "codeberg.org")
	resolve := map[string]string{"gitlab.com:443": srv.Listener.Addr().String(), "codeberg.org:443": srv.Listener.Addr().String()}
	c, err := NewChecker(Options{AllowPrivate: true, CAFile: ca, Resolve: resolve, Rate: 1000, Burst: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	client := c.Client()
	for _, tc := range []struct {
		link    string
		commit  string
		tarball []byte
		archive string // requested, "HOST/PATH"
	}{
		{"https://gitlab.com/group/sub/proj", head, tarHead, "gitlab.com/group/sub/proj/-/archive/" + head + "/proj-" + head + ".tar.gz"},
		{"https://gitlab.com/group/sub/proj/-/tree/v1/doc", tag, tarTag, "gitlab.com/group/sub/proj/-/archive/" + tag + "/proj-" + tag + ".tar.gz"},
		{"https://codeberg.org/owner/repo", head, tarHead, "codeberg.org/owner/repo/archive/" + head + ".tar.gz"},
		{"https://codeberg.org/owner/repo/src/branch/v1/x.go", tag, tarTag, "codeberg.org/owner/repo/archive/" + tag + ".tar.gz"},
	} {
		s, ok := SourceOf(tc.link)
		if !ok {
			t.Fatalf("SourceOf(%s) = false", tc.link)
		}
		commit, err := c.SourceCommit(ctx, client, s, nil)
		if err != nil || commit != tc.commit {
			t.Errorf("%s: SourceCommit = %q, %v; want %s", tc.link, commit, err, tc.commit)
			continue
		}
		dl, err := c.OpenSource(ctx, client, s, commit)
		if err != nil {
			t.Errorf("%s: OpenSource: %v", tc.link, err)
			continue
		}
		got, _ := io.ReadAll(dl.Body)
		dl.Body.Close()
		if !bytes.Equal(got, tc.tarball) || dl.URL != "https://"+tc.archive {
			t.Errorf("%s: %d bytes from %s, want %d from https://%s", tc.link, len(got), dl.URL, len(tc.tarball), tc.archive)
		}
		if src.Count(tc.archive) != 1 {
			t.Errorf("%s: %d requests to %s", tc.link, src.Count(tc.archive), tc.archive)
		}
	}
	// A ref the forge does not know: no commit.
	for _, link := range []string{"https://gitlab.com/group/sub/proj/-/tree/nope", "https://codeberg.org/owner/gone"} {
		s, _ := SourceOf(link)
		if commit, err := c.SourceCommit(ctx, client, s, nil); err == nil {
			t.Errorf("%s: SourceCommit = %q, want an error", link, commit)
		}
	}
}

package crawler

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakegithub"
)

// githubChecker is a checker whose GitHub API is gh, over HTTPS on
// loopback, with a token.
func githubChecker(t *testing.T, gh *fakegithub.Server) *Checker {
	t.Helper()
	srv := httptest.NewTLSServer(gh)
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := NewChecker(Options{GitHubToken: "t0ken", GitHubAPI: srv.URL, AllowPrivate: true, CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Links to files and trees are answered by object(expression:) in the
// same query as the repositories: a path that exists is ok, a missing one
// is 404 as GitHub's page says, a renamed repository moves the link; what
// the API cannot judge as the page would (a ref it does not resolve as
// written, a blob link to a directory, a query) is left to fetch.
func TestGitHubBatchFiles(t *testing.T) {
	pushed := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	files := []string{"README.md", "docs/install.md", "docs/img/a.png", "文档/读 我.md"}
	gh := fakegithub.New(map[string]fakegithub.Repo{
		"tkestack/kstone":   {PushedAt: pushed, Commit: "abc1234def", Files: map[string][]string{"main": files, "v1.0": {"README.md"}}},
		"old-owner/renamed": {PushedAt: pushed, Files: map[string][]string{"main": {"src/a.go"}}},
	})
	gh.Rename("old-owner/renamed", "new-owner/renamed")
	c := githubChecker(t, gh)
	const k = "https://github.com/tkestack/kstone"
	type want struct {
		status linkvault.Status
		code   int
		reason string // a part of it
		moved  string
	}
	ok := want{linkvault.StatusOK, 200, "200 OK (GitHub API)", ""}
	cases := map[string]*want{
		k + "/blob/main/README.md":                                   &ok,
		k + "/blob/main/README.md#L10":                               &ok,
		k + "/tree/main/docs":                                        &ok,
		k + "/tree/main/docs/":                                       &ok,
		k + "/tree/main":                                             &ok,
		k + "/blob/abc1234/docs/install.md":                          &ok,
		k + "/blob/main/%E6%96%87%E6%A1%A3/%E8%AF%BB%20%E6%88%91.md": &ok,
		k + "/blob/main/MISSING.md":                                  {linkvault.StatusBroken, 404, "404 Not Found (GitHub API: no MISSING.md at main in tkestack/kstone)", ""},
		k + "/blob/v1.0/docs/install.md":                             {linkvault.StatusBroken, 404, "no docs/install.md at v1.0", ""},
		k + "/tree/main/nothing/here":                                {linkvault.StatusBroken, 404, "no nothing/here at main", ""},
		"https://github.com/gone/repo/blob/main/x.md":                {linkvault.StatusBroken, 404, "no repository gone/repo", ""},
		"https://github.com/old-owner/renamed/blob/main/src/a.go":    {linkvault.StatusOK, 200, "renamed to new-owner/renamed", "https://github.com/new-owner/renamed/blob/main/src/a.go"},
		"https://github.com/old-owner/renamed/blob/main/src/b.go":    {linkvault.StatusBroken, 404, "no src/b.go at main in new-owner/renamed", ""},
		// Left to fetch: GitHub's page decides.
		k + "/blob/feature/x/README.md":    nil, // "feature" is no ref: the branch may be feature/x
		k + "/blob/main/docs":              nil, // a directory: GitHub redirects to tree/
		k + "/tree/main/README.md":         nil, // a file: GitHub redirects to blob/
		k + "/blob/main/README.md?plain=1": nil,
		k + "/blob/main":                   nil,
		k + "/commits/main":                nil,
	}
	var targets []Target
	for u := range cases {
		targets = append(targets, Target{URL: u})
	}
	slices.SortFunc(targets, func(a, b Target) int { return strings.Compare(a.URL, b.URL) })
	got := map[string]linkvault.Result{}
	rest := c.githubBatch(context.Background(), targets, func(r linkvault.Result) { got[r.URL] = r })
	left := map[string]bool{}
	for _, t := range rest {
		left[t.URL] = true
	}
	for u, w := range cases {
		r, answered := got[u]
		switch {
		case w == nil && answered:
			t.Errorf("%s answered (%s, %q), want it fetched", u, r.Status, r.Reason)
		case w == nil && !left[u]:
			t.Errorf("%s neither answered nor left to fetch", u)
		case w == nil:
		case !answered:
			t.Errorf("%s left to fetch, want %s %d", u, w.status, w.code)
		case r.Status != w.status || r.HTTPStatus != w.code || !strings.Contains(r.Reason, w.reason) || r.MovedTo != w.moved || r.GitHub == nil:
			t.Errorf("%s = %s %d %q moved to %q (GitHub %v), want %s %d %q moved to %q", u, r.Status, r.HTTPStatus, r.Reason, r.MovedTo, r.GitHub, w.status, w.code, w.reason, w.moved)
		}
	}
	if gh.Requests() != 1 {
		t.Errorf("%d requests, want 1 query for repositories, files and trees", gh.Requests())
	}

	// A file page to capture is fetched on the first night, and answered
	// once captured and not pushed to since, as a repository page is.
	for _, tc := range []struct {
		t       Target
		fetched bool
	}{
		{Target{URL: k + "/blob/main/README.md", Capture: true}, true},
		{Target{URL: k + "/blob/main/README.md", Capture: true, Captured: pushed.Add(-time.Hour)}, true},
		{Target{URL: k + "/blob/main/README.md", Capture: true, Captured: pushed.Add(time.Hour)}, false},
		{Target{URL: k + "/blob/main/MISSING.md", Capture: true}, false}, // nothing to capture: answered
	} {
		rest := c.githubBatch(context.Background(), []Target{tc.t}, func(linkvault.Result) {})
		if (len(rest) == 1) != tc.fetched {
			t.Errorf("captured %v: fetched %v, want %v", tc.t.Captured, len(rest) == 1, tc.fetched)
		}
	}
}

// A query holds at most 100 repositories and 200 objects; a repository
// with more objects is asked in several queries and its answers merged.
func TestLookupObjectsBatches(t *testing.T) {
	var paths []string
	for i := range 450 {
		paths = append(paths, fmt.Sprintf("f/%d.md", i))
	}
	repos := map[string]fakegithub.Repo{"big/repo": {Files: map[string][]string{"main": paths}}}
	asks := []repoAsk{{repo: "big/repo"}}
	for _, p := range paths {
		asks[0].exprs = append(asks[0].exprs, "main:"+p)
	}
	asks[0].exprs = append(asks[0].exprs, "main:absent.md")
	for i := range 150 {
		name := fmt.Sprintf("o/r%d", i)
		repos[name] = fakegithub.Repo{}
		asks = append(asks, repoAsk{repo: name})
	}
	gh := fakegithub.New(repos)
	b := newBatcher(t, gh, &fakeClock{t: time.Unix(1_800_000_000, 0)})
	got, err := b.lookupObjects(context.Background(), asks)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 151 {
		t.Errorf("%d repositories answered, want 151", len(got))
	}
	big := got["big/repo"]
	if big == nil || len(big.objects) != 451 || big.objects["main:f/449.md"] != "Blob" || big.objects["main:absent.md"] != "" {
		t.Fatalf("big/repo: %d objects, want 451 merged from its queries", len(big.objects))
	}
	// 451 objects: 200 + 200 + 51 with 99 repositories, then 51.
	if want := []int{1, 1, 100, 51}; !slices.Equal(gh.Queries, want) {
		t.Errorf("repositories per query %v, want %v", gh.Queries, want)
	}
}

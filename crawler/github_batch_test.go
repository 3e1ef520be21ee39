package crawler

import (
	"context"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakegithub"
)

func TestGitHubBatch(t *testing.T) {
	pushed := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	gh := fakegithub.New(map[string]fakegithub.Repo{
		"tkestack/kstone":   {PushedAt: pushed, Commit: "abc1234", Files: map[string][]string{"main": {"README.md"}}},
		"tkestack/tapp":     {PushedAt: pushed, Archived: true},
		"Tencent/Caelus":    {PushedAt: pushed},
		"kubernetes/kube":   {PushedAt: pushed},
		"old-owner/renamed": {PushedAt: pushed},
	})
	gh.Rename("old-owner/renamed", "new-owner/renamed")
	srv := httptest.NewTLSServer(gh)
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := NewChecker(Options{GitHubToken: "t0ken", GitHubAPI: srv.URL, AllowPrivate: true, CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before, after := pushed.Add(-time.Hour), pushed.Add(time.Hour)
	targets := []Target{
		{URL: "https://github.com/tkestack/kstone", Capture: true, Captured: after}, // unchanged since its capture: answered
		{URL: "https://github.com/tkestack/tapp"},                                   // no capture wanted: answered
		{URL: "https://github.com/Tencent/Caelus", Capture: true, Captured: before}, // pushed since: fetched
		{URL: "https://github.com/kubernetes/kube", Capture: true},                  // never captured: fetched
		{URL: "https://github.com/gone/repo", Capture: true, Captured: after},       // missing: answered
		{URL: "https://github.com/old-owner/renamed"},                               // renamed: answered, moved
		{URL: "https://github.com/tkestack/kstone/blob/main/README.md"},             // a file: answered (TestGitHubBatchFiles)
		{URL: "https://example.com/tkestack/kstone"},                                // not GitHub
	}
	var got []linkvault.Result
	rest := c.githubBatch(context.Background(), targets, func(r linkvault.Result) { got = append(got, r) })
	var restURLs []string
	for _, t := range rest {
		restURLs = append(restURLs, t.URL)
	}
	wantRest := []string{"https://github.com/Tencent/Caelus", "https://github.com/kubernetes/kube", "https://example.com/tkestack/kstone"}
	if !slices.Equal(restURLs, wantRest) {
		t.Errorf("left to fetch %q, want %q", restURLs, wantRest)
	}
	byURL := map[string]linkvault.Result{}
	for _, r := range got {
		byURL[r.URL] = r
	}
	if r := byURL["https://github.com/tkestack/kstone"]; r.Status != linkvault.StatusOK || r.GitHub == nil || r.GitHub.Commit != "abc1234" {
		t.Errorf("kstone: %+v", r)
	}
	if r := byURL["https://github.com/tkestack/tapp"]; r.Status != linkvault.StatusOK || r.GitHub == nil || !r.GitHub.Archived {
		t.Errorf("tapp: %+v, want ok and archived", r)
	}
	if r := byURL["https://github.com/gone/repo"]; r.Status != linkvault.StatusBroken || r.HTTPStatus != 404 {
		t.Errorf("gone/repo: %+v, want broken 404", r)
	}
	if r := byURL["https://github.com/old-owner/renamed"]; r.Status != linkvault.StatusOK || r.MovedTo != "https://github.com/new-owner/renamed" {
		t.Errorf("renamed: %+v, want ok, moved to new-owner/renamed", r)
	}
	if len(got) != 5 || gh.Requests() != 1 {
		t.Errorf("%d answered in %d requests, want 5 in 1", len(got), gh.Requests())
	}
	if st := c.HostStats()[apiHostKey(srv.URL)]; st == nil || st.Requests != 1 {
		t.Errorf("host stats of the API: %+v, want 1 request", st)
	}

	// Without a token, or over plain HTTP, nothing is asked.
	plain := httptest.NewServer(gh)
	defer plain.Close()
	for _, o := range []Options{
		{GitHubAPI: srv.URL, AllowPrivate: true, CAFile: ca},
		{GitHubToken: "t0ken", GitHubAPI: plain.URL, AllowPrivate: true},
	} {
		c2, err := NewChecker(o)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		if rest := c2.githubBatch(context.Background(), targets, func(linkvault.Result) { t.Error("answered") }); len(rest) != len(targets) || gh.Requests() != 1 {
			t.Errorf("token %q, API %s: %d left, %d requests; want all left, none sent", o.GitHubToken, o.GitHubAPI, len(rest), gh.Requests()-1)
		}
	}
}

func TestRepoRoot(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/tkestack/kstone":                  "tkestack/kstone",
		"https://github.com/tkestack/kstone/":                 "tkestack/kstone",
		"https://www.github.com/tkestack/kstone":              "tkestack/kstone",
		"https://github.com/tkestack/kstone/blob/main/go.mod": "",
		"https://github.com/tkestack/kstone/issues/1":         "",
		"https://github.com/tkestack/kstone?tab=readme":       "",
		"https://github.com/tkestack/kstone.git":              "",
		"https://github.com/tkestack":                         "",
		"https://github.com/features/actions":                 "",
		"https://gitlab.com/tkestack/kstone":                  "",
	} {
		if got := repoRoot(in); got != want {
			t.Errorf("repoRoot(%q) = %q, want %q", in, got, want)
		}
	}
}

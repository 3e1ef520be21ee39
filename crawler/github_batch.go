package crawler

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
)

// githubBatch answers the links to repository main pages
// (https://github.com/OWNER/REPO) from GitHub's GraphQL API, 100
// repositories a query, when a token is set: existence, archived, renamed
// (the link is moved to the new name), default branch and its head
// commit, last push. A repository page is still fetched, and so archived,
// when it has no capture yet or was pushed to since its last capture; and
// every repository the API could not answer (rate limited beyond
// RetryAfterMax, API down) is checked the usual way. The queries go
// through the checker's polite client: api.github.com's queue and rate;
// only over HTTPS, the token never travels in clear text.
// It emits the answered results and returns the targets left to fetch.
func (c *Checker) githubBatch(ctx context.Context, targets []Target, emit func(linkvault.Result)) []Target {
	if c.opts.GitHubToken == "" || !strings.HasPrefix(c.opts.GitHubAPI, "https://") {
		return targets // the token never travels in clear text
	}
	var repos []string
	asked := map[string]bool{}
	for _, t := range targets {
		if r := repoRoot(t.URL); r != "" && !asked[r] {
			asked[r] = true
			repos = append(repos, r)
		}
	}
	if len(repos) == 0 {
		return targets
	}
	b := &repoBatcher{
		client:   c.Client(),
		endpoint: graphQLEndpoint(c.opts.GitHubAPI),
		token:    c.opts.GitHubToken,
		maxWait:  c.opts.RetryAfterMax,
		retries:  max(c.opts.Retries, 1),
		now:      time.Now,
		sleep:    sleepCtx,
	}
	start := time.Now()
	answers, _ := b.lookup(ctx, repos) // what was not answered is fetched
	c.statsMu.Lock()
	s := c.stat(apiHostKey(c.opts.GitHubAPI))
	s.Requests += b.requests
	s.LatencyMS += time.Since(start).Milliseconds()
	c.statsMu.Unlock()
	var rest []Target
	for _, t := range targets {
		g := answers[repoRoot(t.URL)]
		if g == nil || (t.Capture && g.Exists && (t.Captured.IsZero() || g.PushedAt.After(t.Captured))) {
			rest = append(rest, t)
			continue
		}
		emit(repoResult(t.URL, g, c.opts.Now()))
	}
	return rest
}

// repoResult is the check of a repository link answered by the API.
func repoResult(link string, g *linkvault.GitHubRepo, now time.Time) linkvault.Result {
	res := linkvault.Result{URL: link, GitHub: g, CheckedAt: now, ContentLength: -1, FinalURL: link}
	switch {
	case !g.Exists:
		res.Status, res.HTTPStatus = linkvault.StatusBroken, http.StatusNotFound
		res.Reason = "404 Not Found (GitHub API: no repository " + g.FullName + ")"
	case g.RenamedTo != "":
		res.Status, res.HTTPStatus = linkvault.StatusOK, http.StatusOK
		res.MovedTo = "https://github.com/" + g.RenamedTo
		res.FinalURL = res.MovedTo
		res.Reason = "200 OK (GitHub API: renamed to " + g.RenamedTo + ")"
	default:
		res.Status, res.HTTPStatus = linkvault.StatusOK, http.StatusOK
		res.Reason = "200 OK (GitHub API)"
	}
	return res
}

// repoRoot returns "OWNER/REPO" for a link to a repository's main page,
// "" for anything else (a file, a tree, an issue: those pages are
// fetched).
func repoRoot(link string) string {
	repo := githubRepo(link)
	if repo == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil || u.RawQuery != "" {
		return ""
	}
	if p := strings.Trim(u.Path, "/"); strings.Count(p, "/") != 1 || strings.HasSuffix(p, ".git") {
		return ""
	}
	return repo
}

// apiHostKey is the host statistics key of the API base URL.
func apiHostKey(api string) string {
	if u, err := url.Parse(api); err == nil {
		return strings.ToLower(u.Host)
	}
	return api
}

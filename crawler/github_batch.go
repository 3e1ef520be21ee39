package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
)

// githubBatch answers the links to repository main pages
// (https://github.com/OWNER/REPO), files (…/blob/REF/PATH) and trees
// (…/tree/REF/PATH) from GitHub's GraphQL API, 100 repositories a query,
// when a token is set: existence, archived, renamed (the link is moved to
// the new name), default branch and its head commit, last push; for a
// file or a tree, whether REF:PATH names one (see gitResult). A page is
// still fetched, and so archived, when it has no capture yet or the
// repository was pushed to since its last capture; and every link the API
// could not answer (rate limited beyond RetryAfterMax, API down, a REF
// GitHub does not resolve as written) is checked the usual way. The
// queries go through the checker's polite client: api.github.com's queue
// and rate; only over HTTPS, the token never travels in clear text.
// It emits the answered results and returns the targets left to fetch.
func (c *Checker) githubBatch(ctx context.Context, targets []Target, emit func(linkvault.Result)) []Target {
	if c.opts.GitHubToken == "" || !strings.HasPrefix(c.opts.GitHubAPI, "https://") {
		return targets // the token never travels in clear text
	}
	asks := githubAsks(targets)
	if len(asks) == 0 {
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
	answers, _ := b.lookupObjects(ctx, asks) // what was not answered is fetched
	c.statsMu.Lock()
	s := c.stat(apiHostKey(c.opts.GitHubAPI))
	s.Requests += b.requests
	s.LatencyMS += time.Since(start).Milliseconds()
	c.statsMu.Unlock()
	var rest []Target
	for _, t := range targets {
		res, ok := answerOf(t, answers, c.opts.Now())
		// A link with a #fragment to judge (a README heading) needs the
		// page: the API does not tell its anchors.
		if !ok || judgedFragment(t.Fragments) {
			rest = append(rest, t)
			continue
		}
		emit(res)
	}
	return rest
}

// githubAsks lists the repositories and git objects that answer the
// GitHub links of targets, in the order of the targets.
func githubAsks(targets []Target) []repoAsk {
	var asks []repoAsk
	index := map[string]int{}
	asked := map[string]bool{}
	add := func(repo, expr string) {
		i, ok := index[repo]
		if !ok {
			i = len(asks)
			index[repo] = i
			asks = append(asks, repoAsk{repo: repo})
		}
		if expr != "" && !asked[repo+"\x00"+expr] {
			asked[repo+"\x00"+expr] = true
			asks[i].exprs = append(asks[i].exprs, expr)
		}
	}
	for _, t := range targets {
		if r := repoRoot(t.URL); r != "" {
			add(r, "")
		} else if g, ok := gitPath(t.URL); ok {
			add(g.repo, g.ref)
			if g.path != "" {
				add(g.repo, g.ref+":"+g.path)
			}
		}
	}
	return asks
}

// answerOf is the result of t from the API's answers; false when t is to
// be fetched: not a link the API answers, not answered, or a page that
// exists and is to be captured but has no capture yet or was pushed to
// since (a missing repository or path has nothing to capture).
func answerOf(t Target, answers map[string]*repoAnswer, now time.Time) (linkvault.Result, bool) {
	repo, g, isPath := repoRoot(t.URL), gitLink{}, false
	if repo == "" {
		if g, isPath = gitPath(t.URL); !isPath {
			return linkvault.Result{}, false
		}
		repo = g.repo
	}
	a := answers[repo]
	if a == nil {
		return linkvault.Result{}, false
	}
	res, ok := repoResult(t.URL, a.repo, now), true
	if isPath {
		res, ok = gitResult(t.URL, g, a, now)
	}
	if !ok || (res.Status == linkvault.StatusOK && t.Capture && (t.Captured.IsZero() || a.repo.PushedAt.After(t.Captured))) {
		return linkvault.Result{}, false
	}
	return res, true
}

// gitLink is a link to a file or a tree in a repository on github.com.
type gitLink struct {
	repo string // "OWNER/REPO"
	kind string // "blob" or "tree"
	ref  string // the first segment after blob/ or tree/
	path string // the rest, "" for the root of a tree
	rest string // the link's path after /OWNER/REPO, kept for a renamed repository
}

// gitPath reads a link to a file (https://github.com/O/R/blob/REF/PATH)
// or a tree (…/tree/REF[/PATH]); false for anything else, or a link with
// a query (a view the API does not answer).
func gitPath(link string) (gitLink, bool) {
	repo := githubRepo(link)
	if repo == "" {
		return gitLink{}, false
	}
	u, err := url.Parse(link)
	if err != nil || u.RawQuery != "" {
		return gitLink{}, false
	}
	parts := strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 5)
	if len(parts) < 4 || (parts[2] != "blob" && parts[2] != "tree") || parts[3] == "" {
		return gitLink{}, false
	}
	g := gitLink{repo: repo, kind: parts[2], ref: parts[3]}
	if len(parts) == 5 {
		g.path = strings.Trim(parts[4], "/")
	}
	if g.kind == "blob" && g.path == "" {
		return gitLink{}, false
	}
	g.rest = strings.TrimPrefix(u.EscapedPath(), "/"+parts[0]+"/"+parts[1])
	return g, true
}

// gitResult judges a file or tree link as the page would be judged: the
// repository missing, or REF resolving but PATH naming nothing there, is
// 404 (broken); a blob that is a file or a tree that is a directory is
// 200, moved to the new name when the repository was renamed. When REF
// does not resolve as written (a branch name with a slash makes blob/REF
// ambiguous; GitHub's page resolves it), or the object is of the other
// kind (GitHub redirects between blob and tree), it returns false: the
// page is fetched.
func gitResult(link string, g gitLink, a *repoAnswer, now time.Time) (linkvault.Result, bool) {
	repo := *a.repo
	res := linkvault.Result{URL: link, GitHub: &repo, CheckedAt: now, ContentLength: -1, FinalURL: link}
	if !repo.Exists {
		res.Status, res.HTTPStatus = linkvault.StatusBroken, http.StatusNotFound
		res.Reason = "404 Not Found (GitHub API: no repository " + repo.FullName + ")"
		return res, true
	}
	if a.objects[g.ref] == "" {
		return linkvault.Result{}, false
	}
	want := "Tree"
	if g.kind == "blob" {
		want = "Blob"
	}
	if g.path != "" {
		switch typ, asked := a.objects[g.ref+":"+g.path]; {
		case !asked:
			return linkvault.Result{}, false
		case typ == "":
			res.Status, res.HTTPStatus = linkvault.StatusBroken, http.StatusNotFound
			res.Reason = fmt.Sprintf("404 Not Found (GitHub API: no %s at %s in %s)", g.path, g.ref, repo.FullName)
			return res, true
		case typ != want:
			return linkvault.Result{}, false
		}
	}
	res.Status, res.HTTPStatus = linkvault.StatusOK, http.StatusOK
	res.Reason = "200 OK (GitHub API)"
	if repo.RenamedTo != "" {
		res.MovedTo = "https://github.com/" + repo.RenamedTo + g.rest
		res.FinalURL = res.MovedTo
		res.Reason = "200 OK (GitHub API: renamed to " + repo.RenamedTo + ")"
	}
	return res, true
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

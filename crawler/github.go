package crawler

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/linkvault/linkvault"
)

// isGitHubHost reports whether host may receive the GitHub token (over
// HTTPS).
func isGitHubHost(host string) bool {
	host = strings.ToLower(host)
	return host == "github.com" || host == "api.github.com"
}

// authorize sets the GitHub token on h, the header of the next request of
// j (to j.cur), when it may go there: over HTTPS only; for the page, to
// github.com or api.github.com when every hop so far (the link included)
// had the same scheme and host; for the API lookup, to the host of
// Options.GitHubAPI until a redirect leaves it.
func (c *Checker) authorize(h http.Header, j *job) {
	tok := c.opts.GitHubToken
	if tok == "" || j.cur == nil || j.cur.Scheme != "https" {
		if j.api {
			j.apiAway = true
		}
		return
	}
	if j.api {
		api, err := url.Parse(c.opts.GitHubAPI)
		if j.apiAway || err != nil || api.Scheme != "https" || !strings.EqualFold(api.Host, j.cur.Host) {
			j.apiAway = true
			return
		}
		h.Set("Authorization", "Bearer "+tok)
		return
	}
	if !isGitHubHost(j.cur.Host) {
		return
	}
	for _, hop := range j.res.Redirects {
		u, err := url.Parse(hop.URL)
		if err != nil || u.Scheme != j.cur.Scheme || !strings.EqualFold(u.Host, j.cur.Host) {
			return
		}
	}
	h.Set("Authorization", "Bearer "+tok)
}

var (
	ghOwner = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`) })
	ghRepo  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`) })
)

// ghReserved are first path segments of github.com that are not users.
var ghReserved = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`about apps blog collections contact customer-stories
		enterprise events explore features topics trending marketplace orgs
		organizations login logout join settings sponsors security site pricing
		pulls issues notifications new search codespaces readme team teams
		users account dashboard watching stars discussions resources solutions
		github-copilot copilot partners premium-support`) {
		m[s] = true
	}
	return m
})

// githubRepo returns "OWNER/REPO" for a link to a repository on github.com
// (or a page inside one), or "".
func githubRepo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	h := strings.ToLower(u.Hostname())
	if h != "github.com" && h != "www.github.com" {
		return ""
	}
	parts := strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 3)
	if len(parts) < 2 {
		return ""
	}
	owner, repo := parts[0], strings.TrimSuffix(parts[1], ".git")
	if ghReserved()[strings.ToLower(owner)] || !ghOwner().MatchString(owner) ||
		!ghRepo().MatchString(repo) || repo == "." || repo == ".." {
		return ""
	}
	return owner + "/" + repo
}

// parseGitHubRepo reads a /repos/OWNER/REPO answer of the GitHub API.
func parseGitHubRepo(asked string, body []byte) (*linkvault.GitHubRepo, error) {
	var r struct {
		FullName string    `json:"full_name"`
		Archived bool      `json:"archived"`
		PushedAt time.Time `json:"pushed_at"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	g := &linkvault.GitHubRepo{FullName: r.FullName, Exists: true, Archived: r.Archived, PushedAt: r.PushedAt}
	if r.FullName != "" && !strings.EqualFold(r.FullName, asked) {
		g.RenamedTo = r.FullName
	}
	if g.FullName == "" {
		g.FullName = asked
	}
	return g, nil
}

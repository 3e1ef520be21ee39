package crawler

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
)

// isGitHubHost reports whether host receives the GitHub token.
func isGitHubHost(host string) bool {
	host = strings.ToLower(host)
	return host == "github.com" || host == "api.github.com"
}

var (
	ghOwner = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	ghRepo  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
)

// ghReserved are first path segments of github.com that are not users.
var ghReserved = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`about apps blog collections contact customer-stories
		enterprise events explore features topics trending marketplace orgs
		organizations login logout join settings sponsors security site pricing
		pulls issues notifications new search codespaces readme team teams
		users account dashboard watching stars discussions resources solutions
		github-copilot copilot partners premium-support`) {
		ghReserved[s] = true
	}
}

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
	if ghReserved[strings.ToLower(owner)] || !ghOwner.MatchString(owner) ||
		!ghRepo.MatchString(repo) || repo == "." || repo == ".." {
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

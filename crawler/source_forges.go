package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Repository sources on other forges than GitHub, where a source archive
// has a documented URL and the commit of a ref a public API:
//
//	GitLab (gitlab.com)      https://gitlab.com/PATH/-/archive/COMMIT/NAME-COMMIT.tar.gz
//	                         GET /api/v4/projects/PATH/repository/commits?ref_name=REF&per_page=1
//	Codeberg (codeberg.org)  https://codeberg.org/OWNER/REPO/archive/COMMIT.tar.gz
//	                         GET /api/v1/repos/OWNER/REPO/commits?sha=REF&limit=1
//
// PATH is GitLab's project path (group/subgroup/…/project). Gitee is not
// covered: its archives need a signed-in session.

// Forges of RepoSource.Forge.
const (
	forgeGitHub   = "github"
	forgeGitLab   = "gitlab"
	forgeCodeberg = "codeberg"
)

// gitlabSubpages are the old project subpages of GitLab, before the /-/
// separator: a path ending in one is not a project.
var gitlabSubpages = map[string]bool{
	"issues": true, "merge_requests": true, "tree": true, "blob": true, "commits": true,
	"commit": true, "wikis": true, "pipelines": true, "tags": true, "branches": true,
	"releases": true, "raw": true, "compare": true, "snippets": true, "milestones": true,
}

// gitlabReserved are first path segments of gitlab.com that are not
// namespaces.
var gitlabReserved = map[string]bool{
	"explore": true, "users": true, "groups": true, "dashboard": true, "help": true,
	"projects": true, "search": true, "admin": true, "api": true, "-": true, "404": true,
}

// forgeSource is SourceOf for GitLab and Codeberg links.
func forgeSource(u *url.URL) (RepoSource, bool) {
	host := strings.ToLower(u.Hostname())
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return RepoSource{}, false
		}
	}
	switch host {
	case "gitlab.com":
		project, rest := parts, []string(nil)
		for i, p := range parts {
			if p == "-" {
				project, rest = parts[:i], parts[i+1:]
				break
			}
		}
		if len(project) < 2 || gitlabReserved[project[0]] || gitlabSubpages[project[len(project)-1]] {
			return RepoSource{}, false
		}
		project[len(project)-1] = strings.TrimSuffix(project[len(project)-1], ".git")
		s := RepoSource{Forge: forgeGitLab, Host: host, Owner: strings.Join(project[:len(project)-1], "/"), Name: project[len(project)-1]}
		s.Repo = "https://gitlab.com/" + s.Owner + "/" + s.Name
		switch {
		case rest == nil:
		case len(rest) >= 2 && (rest[0] == "tree" || rest[0] == "blob"):
			s.Ref = rest[1]
		default:
			return RepoSource{}, false
		}
		return s, true
	case "codeberg.org":
		if len(parts) < 2 || !ghOwner().MatchString(parts[0]) || !ghRepo().MatchString(strings.TrimSuffix(parts[1], ".git")) {
			return RepoSource{}, false
		}
		s := RepoSource{Forge: forgeCodeberg, Host: host, Owner: parts[0], Name: strings.TrimSuffix(parts[1], ".git")}
		s.Repo = "https://codeberg.org/" + s.Owner + "/" + s.Name
		switch {
		case len(parts) == 2:
		case len(parts) >= 5 && parts[2] == "src" && (parts[3] == "branch" || parts[3] == "tag" || parts[3] == "commit"):
			s.Ref = parts[4]
		default:
			return RepoSource{}, false
		}
		return s, true
	}
	return RepoSource{}, false
}

// archiveURL is the documented URL of the source archive of s at commit.
func (s RepoSource) archiveURL(commit string) string {
	switch s.Forge {
	case forgeGitLab:
		return s.Repo + "/-/archive/" + commit + "/" + s.Name + "-" + commit + ".tar.gz"
	default: // GitHub and Codeberg have the same pattern
		return s.Repo + "/archive/" + commit + ".tar.gz"
	}
}

// forgeCommit asks the forge's API for the commit of s.Ref (the default
// branch when empty): GitLab's and Codeberg's list of commits, one long.
func (c *Checker) forgeCommit(ctx context.Context, client *http.Client, s RepoSource) (string, error) {
	var api string
	q := url.Values{}
	switch s.Forge {
	case forgeGitLab:
		api = "https://" + s.Host + "/api/v4/projects/" + url.PathEscape(s.Owner+"/"+s.Name) + "/repository/commits"
		q.Set("per_page", "1")
		if s.Ref != "" {
			q.Set("ref_name", s.Ref)
		}
	case forgeCodeberg:
		api = "https://" + s.Host + "/api/v1/repos/" + url.PathEscape(s.Owner) + "/" + url.PathEscape(s.Name) + "/commits"
		q.Set("limit", "1")
		q.Set("stat", "false")
		q.Set("verification", "false")
		q.Set("files", "false")
		if s.Ref != "" {
			q.Set("sha", s.Ref)
		}
	default:
		return "", fmt.Errorf("crawler: commit of %s: %w (no API for %q)", s.Repo, errSourceUnknown, s.Forge)
	}
	var commits []struct {
		ID  string `json:"id"`  // GitLab
		SHA string `json:"sha"` // Codeberg (Gitea, Forgejo)
	}
	resp, err := getCommits(ctx, client, s, api+"?"+q.Encode(), http.Header{"Accept": {"application/json"}}, &commits)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK || len(commits) == 0 {
		return "", fmt.Errorf("crawler: commit of %s: %w (%s API: %s)", s.Repo, errSourceUnknown, s.Host, resp.Status)
	}
	id := commits[0].ID + commits[0].SHA
	if !commitID().MatchString(id) {
		return "", fmt.Errorf("crawler: commit of %s: %w (%s API: %q)", s.Repo, errSourceUnknown, s.Host, id)
	}
	return id, nil
}

package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/linkvault/linkvault"
)

// RepoSource is a link to a repository (or to a file or tree in one)
// whose source can be archived as a tarball. GitHub, GitLab (gitlab.com)
// and Codeberg are covered: their source archives have a documented URL
// (GitHub's https://github.com/OWNER/REPO/archive/COMMIT.tar.gz; the
// others in source_forges.go).
type RepoSource struct {
	Forge string // "github", "gitlab" or "codeberg"
	Host  string // github.com, gitlab.com, codeberg.org
	Repo  string // https://HOST/OWNER/REPO
	Owner string // GitLab: the namespace, group/subgroup/…
	Name  string
	// Ref is the branch, tag or commit the link names (GitHub's and
	// GitLab's /tree/REF/…, /blob/REF/…; Codeberg's /src/branch/REF/…);
	// "" for the default branch. A ref holding a slash is read up to its
	// first slash.
	Ref string
}

// SourceOf returns the repository source of a link to a repository's main
// page or to a tree or file in it, on GitHub, GitLab or Codeberg; false
// for any other link (an issue, a pull request, a user, another host).
func SourceOf(link string) (RepoSource, bool) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return RepoSource{}, false
	}
	full := githubRepo(link)
	if full == "" {
		return forgeSource(u)
	}
	owner, name, _ := strings.Cut(full, "/")
	s := RepoSource{Forge: forgeGitHub, Host: "github.com", Repo: "https://github.com/" + full, Owner: owner, Name: name}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch {
	case len(parts) == 2:
	case len(parts) >= 4 && (parts[2] == "tree" || parts[2] == "blob") && parts[3] != "":
		s.Ref = parts[3]
	default:
		return RepoSource{}, false
	}
	return s, true
}

var commitID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{40}$`) })

// errSourceUnknown is returned when the commit of a ref cannot be known.
var errSourceUnknown = errors.New("commit unknown")

// ErrGitHubRateLimited is returned by SourceCommit when GitHub's API
// refuses for its rate limit (403 with x-ratelimit-remaining: 0, or 429):
// asking again in the same run is in vain (60 requests an hour without a
// token).
var ErrGitHubRateLimited = errors.New("GitHub API rate limit exceeded")

// SourceCommit returns the commit whose source s names. On GitLab and
// Codeberg it asks their API (see source_forges.go). On GitHub: the linked ref
// when it is a full commit id; the default branch's head from gh, the
// GitHub data of the link's check (GitHub's GraphQL answer, when a token
// is set); otherwise GitHub's REST API is asked for the latest commit of
// the ref (the default branch when none), GET
// {GitHubAPI}/repos/OWNER/REPO/commits?per_page=1&sha=REF, through client,
// with the token over HTTPS only. When the API refuses for its rate limit
// the error wraps ErrGitHubRateLimited.
func (c *Checker) SourceCommit(ctx context.Context, client *http.Client, s RepoSource, gh *linkvault.GitHubRepo) (string, error) {
	if commitID().MatchString(s.Ref) {
		return s.Ref, nil
	}
	if s.Forge != forgeGitHub {
		return c.forgeCommit(ctx, client, s)
	}
	if s.Ref == "" && gh != nil && gh.Exists && commitID().MatchString(gh.Commit) {
		return gh.Commit, nil
	}
	q := url.Values{"per_page": {"1"}}
	ref := "the default branch"
	if s.Ref != "" {
		q.Set("sha", s.Ref)
		ref = s.Ref
	}
	api := strings.TrimRight(c.opts.GitHubAPI, "/")
	header := http.Header{"Accept": {"application/vnd.github+json"}}
	if c.opts.GitHubToken != "" && strings.HasPrefix(api, "https://") {
		header.Set("Authorization", "Bearer "+c.opts.GitHubToken)
	}
	var commits []struct {
		SHA string `json:"sha"`
	}
	resp, err := getCommits(ctx, client, s, api+"/repos/"+url.PathEscape(s.Owner)+"/"+url.PathEscape(s.Name)+"/commits?"+q.Encode(), header, &commits)
	if err != nil {
		return "", err
	}
	var id string
	if len(commits) > 0 {
		id = commits[0].SHA
	}
	if resp.StatusCode == http.StatusTooManyRequests ||
		(resp.StatusCode == http.StatusForbidden && resp.Header.Get("X-Ratelimit-Remaining") == "0") {
		return "", fmt.Errorf("crawler: commit of %s: %w (%s)", s.Repo, ErrGitHubRateLimited, resp.Status)
	}
	if resp.StatusCode != http.StatusOK || !commitID().MatchString(id) {
		return "", fmt.Errorf("crawler: commit of %s at %s: %w (GitHub API: %s)", s.Repo, ref, errSourceUnknown, resp.Status)
	}
	return id, nil
}

// getCommits asks a forge's API for the list of commits at u, with
// header, through client, and decodes the JSON answer (at most 1 MiB) into
// commits when it is one; it returns the response, whose body is closed,
// for its status and headers.
func getCommits(ctx context.Context, client *http.Client, s RepoSource, u string, header http.Header, commits any) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("crawler: commit of %s: %w", s.Repo, err)
	}
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("crawler: commit of %s: %w", s.Repo, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("crawler: commit of %s: %w", s.Repo, err)
	}
	// An answer that is not a list of commits (an error page) decodes to
	// nothing: the caller judges by the status and what was decoded.
	_ = json.Unmarshal(body, commits)
	return resp, nil
}

// SourceDownload is the answer to a tarball request: the URL the bytes
// come from (after redirects), their type and announced length (-1
// unknown). The caller reads and closes Body.
type SourceDownload struct {
	URL         string
	ContentType string
	Length      int64
	Body        io.ReadCloser
}

// maxSourceHops bounds the redirects of a tarball request (GitHub sends
// one, to codeload.github.com).
const maxSourceHops = 5

// OpenSource requests the tarball of s at commit through client (the
// checker's polite client: every hop waits for its host's token and passes
// the private-address guard), following at most 5 redirects. The body is
// the raw archive: it is never decompressed.
func (c *Checker) OpenSource(ctx context.Context, client *http.Client, s RepoSource, commit string) (*SourceDownload, error) {
	u := s.archiveURL(commit)
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, fmt.Errorf("crawler: source of %s: %w", s.Repo, err)
		}
		// No transparent gzip: the archive is kept as sent.
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("crawler: source of %s: %w", s.Repo, err)
		}
		code := resp.StatusCode
		if code >= 300 && code < 400 && code != http.StatusNotModified {
			loc, lerr := resp.Location()
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			if lerr != nil || (loc.Scheme != "http" && loc.Scheme != "https") || hop >= maxSourceHops {
				return nil, fmt.Errorf("crawler: source of %s: bad redirect from %s", s.Repo, u)
			}
			u = loc.String()
			continue
		}
		if code != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("crawler: source of %s: %s answered %s", s.Repo, u, resp.Status)
		}
		return &SourceDownload{URL: u, ContentType: resp.Header.Get("Content-Type"), Length: resp.ContentLength, Body: resp.Body}, nil
	}
}

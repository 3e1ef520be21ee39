package crawler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
)

// repoBatchSize is the repositories asked per GraphQL query: GitHub counts
// a query's cost in points of 100 nodes, so 100 repositories cost 1 point.
const repoBatchSize = 100

// repoBatcher looks repositories up on GitHub's GraphQL API, many per
// query (aliases), one query at a time as GitHub asks of integrations
// (concurrent requests trip its secondary rate limits). It honours the
// primary rate limit (x-ratelimit-remaining: 0 waits until
// x-ratelimit-reset) and secondary limits (403 or 429 with Retry-After),
// each wait capped by maxWait.
type repoBatcher struct {
	client   *http.Client
	endpoint string // the GraphQL URL
	token    string
	maxWait  time.Duration
	retries  int
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	// requests counts the queries sent.
	requests int
}

// graphQLEndpoint derives the GraphQL URL from the REST API base:
// https://api.github.com → https://api.github.com/graphql; GitHub
// Enterprise's https://HOST/api/v3 → https://HOST/api/graphql.
func graphQLEndpoint(api string) string {
	api = strings.TrimRight(api, "/")
	if base, ok := strings.CutSuffix(api, "/api/v3"); ok {
		return base + "/api/graphql"
	}
	return api + "/graphql"
}

// errRateLimited is returned when GitHub asks for a longer wait than
// maxWait: the repositories not yet answered are checked the usual way.
var errRateLimited = errors.New("github: rate limited")

// objectBatchSize caps the git objects (object(expression:) fields)
// asked per query, so that a query stays small whatever the links.
const objectBatchSize = 200

// repoAsk is a repository to look up and the git objects asked of it:
// object(expression:) expressions, "REF" or "REF:PATH".
type repoAsk struct {
	repo  string // "OWNER/REPO"
	exprs []string
}

// repoAnswer is what the API said of a repository: the repository (Exists
// false when GitHub does not know it) and the type of each object asked
// ("Blob", "Tree", "Commit", "Tag"; "" when the expression names
// nothing).
type repoAnswer struct {
	repo    *linkvault.GitHubRepo
	objects map[string]string
}

// lookup answers repos ("OWNER/REPO") in batches. A repository GitHub
// does not know is in the map with Exists false. On error the map holds
// what was answered before it.
func (b *repoBatcher) lookup(ctx context.Context, repos []string) (map[string]*linkvault.GitHubRepo, error) {
	asks := make([]repoAsk, len(repos))
	for i, r := range repos {
		asks[i] = repoAsk{repo: r}
	}
	answers, err := b.lookupObjects(ctx, asks)
	out := make(map[string]*linkvault.GitHubRepo, len(answers))
	for r, a := range answers {
		out[r] = a.repo
	}
	return out, err
}

// lookupObjects answers repositories and git objects in batches of at
// most repoBatchSize repositories and objectBatchSize objects (a
// repository with more objects is asked in several queries). On error the
// map holds what was answered before it.
func (b *repoBatcher) lookupObjects(ctx context.Context, asks []repoAsk) (map[string]*repoAnswer, error) {
	out := make(map[string]*repoAnswer, len(asks))
	var batch []repoAsk
	objects := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := b.query(ctx, batch, out)
		batch, objects = batch[:0], 0
		return err
	}
	for _, a := range asks {
		for first := true; first || len(a.exprs) > 0; first = false {
			room := objectBatchSize - objects
			if len(batch) == repoBatchSize || (room == 0 && len(a.exprs) > 0) {
				if err := flush(); err != nil {
					return out, err
				}
				room = objectBatchSize
			}
			n := min(room, len(a.exprs))
			batch = append(batch, repoAsk{repo: a.repo, exprs: a.exprs[:n]})
			objects += n
			a.exprs = a.exprs[n:]
		}
	}
	return out, flush()
}

// query sends one batch, retrying after the waits GitHub asks for.
func (b *repoBatcher) query(ctx context.Context, batch []repoAsk, out map[string]*repoAnswer) error {
	body, err := repoQuery(batch)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		wait, err := b.send(ctx, body, batch, out)
		if err == nil {
			return nil
		}
		if wait < 0 || try >= b.retries {
			return err
		}
		if wait > b.maxWait {
			return fmt.Errorf("%w: GitHub asks to wait %s (more than %s)", errRateLimited, wait.Round(time.Second), b.maxWait)
		}
		if err := b.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// repoQuery builds the query of a batch, with the owners, names and
// object expressions as variables (never spliced into the query text).
// Repository i is aliased ri, its object j xi_j.
func repoQuery(batch []repoAsk) ([]byte, error) {
	var q strings.Builder
	vars := make(map[string]string, 2*len(batch))
	q.WriteString("query(")
	for i, a := range batch {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "$o%d: String!, $n%d: String!", i, i)
		for j := range a.exprs {
			fmt.Fprintf(&q, ", $x%d_%d: String!", i, j)
		}
	}
	q.WriteString(") { rateLimit { cost remaining resetAt }")
	for i, a := range batch {
		owner, name, _ := strings.Cut(a.repo, "/")
		vars["o"+strconv.Itoa(i)], vars["n"+strconv.Itoa(i)] = owner, name
		fmt.Fprintf(&q, " r%d: repository(owner: $o%d, name: $n%d, followRenames: true) { nameWithOwner isArchived pushedAt defaultBranchRef { name target { oid } }", i, i, i)
		for j, e := range a.exprs {
			vars[fmt.Sprintf("x%d_%d", i, j)] = e
			fmt.Fprintf(&q, " x%d_%d: object(expression: $x%d_%d) { __typename }", i, j, i, j)
		}
		q.WriteString(" }")
	}
	q.WriteString(" }")
	return json.Marshal(map[string]any{"query": q.String(), "variables": vars})
}

// send posts one query. On failure wait is how long to wait before trying
// again (negative: do not).
func (b *repoBatcher) send(ctx context.Context, body []byte, batch []repoAsk, out map[string]*repoAnswer) (wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.endpoint, bytes.NewReader(body))
	if err != nil {
		return -1, err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	b.requests++
	resp, err := b.client.Do(req)
	if err != nil {
		return time.Second, fmt.Errorf("github graphql: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return time.Second, fmt.Errorf("github graphql: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("github graphql: %s: %.200s", resp.Status, bytes.TrimSpace(data))
		return b.rateLimitWait(resp), err
	}
	var r struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []struct {
			Type    string   `json:"type"`
			Path    []string `json:"path"`
			Message string   `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return -1, fmt.Errorf("github graphql: %w", err)
	}
	missing := map[string]bool{}
	for _, e := range r.Errors {
		switch {
		case e.Type == "NOT_FOUND" && len(e.Path) == 1:
			missing[e.Path[0]] = true
		case e.Type == "RATE_LIMITED":
			return b.rateLimitWait(resp), fmt.Errorf("github graphql: %s", e.Message)
		default:
			return -1, fmt.Errorf("github graphql: %s: %s", e.Type, e.Message)
		}
	}
	for i, asked := range batch {
		alias := "r" + strconv.Itoa(i)
		raw := r.Data[alias]
		if missing[alias] || len(raw) == 0 || string(raw) == "null" {
			if !missing[alias] && r.Data == nil {
				return -1, errors.New("github graphql: no data in the answer")
			}
			out[asked.repo] = &repoAnswer{repo: &linkvault.GitHubRepo{FullName: asked.repo}}
			continue
		}
		a, err := parseRepoAnswer(asked, i, raw)
		if err != nil {
			return -1, err
		}
		if prev := out[asked.repo]; prev != nil && prev.repo.Exists {
			for e, typ := range prev.objects {
				a.objects[e] = typ
			}
		}
		out[asked.repo] = a
	}
	return 0, nil
}

// parseRepoAnswer reads the answer of repository alias ri and the
// objects asked of it (xi_j).
func parseRepoAnswer(asked repoAsk, i int, raw json.RawMessage) (*repoAnswer, error) {
	var repo struct {
		NameWithOwner    string    `json:"nameWithOwner"`
		IsArchived       bool      `json:"isArchived"`
		PushedAt         time.Time `json:"pushedAt"`
		DefaultBranchRef *struct {
			Name   string `json:"name"`
			Target struct {
				OID string `json:"oid"`
			} `json:"target"`
		} `json:"defaultBranchRef"`
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &repo); err != nil {
		return nil, fmt.Errorf("github graphql: %s: %w", asked.repo, err)
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("github graphql: %s: %w", asked.repo, err)
	}
	g := &linkvault.GitHubRepo{FullName: asked.repo, Exists: true, Archived: repo.IsArchived, PushedAt: repo.PushedAt}
	if repo.NameWithOwner != "" && !strings.EqualFold(repo.NameWithOwner, asked.repo) {
		g.FullName, g.RenamedTo = repo.NameWithOwner, repo.NameWithOwner
	}
	if d := repo.DefaultBranchRef; d != nil {
		g.DefaultBranch, g.Commit = d.Name, d.Target.OID
	}
	a := &repoAnswer{repo: g, objects: make(map[string]string, len(asked.exprs))}
	for j, e := range asked.exprs {
		var obj *struct {
			Typename string `json:"__typename"`
		}
		alias := fmt.Sprintf("x%d_%d", i, j)
		if err := json.Unmarshal(fields[alias], &obj); err != nil && len(fields[alias]) > 0 {
			return nil, fmt.Errorf("github graphql: %s: %s: %w", asked.repo, e, err)
		}
		if obj != nil {
			a.objects[e] = obj.Typename
		} else {
			a.objects[e] = ""
		}
	}
	return a, nil
}

// rateLimitWait reads how long GitHub asks to wait: Retry-After, or
// until x-ratelimit-reset when x-ratelimit-remaining is 0; a minute for
// another 403 or 429 (GitHub's advice for secondary limits); -1 for other
// errors, which are not retried (5xx get a short wait).
func (b *repoBatcher) rateLimitWait(resp *http.Response) time.Duration {
	h := resp.Header
	if ra := h.Get("Retry-After"); ra != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
	}
	if h.Get("X-Ratelimit-Remaining") == "0" {
		if n, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			return max(0, time.Unix(n, 0).Sub(b.now())) + time.Second
		}
	}
	switch {
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests:
		return time.Minute
	case resp.StatusCode >= 500:
		return 2 * time.Second
	}
	return -1
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

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

// lookup answers repos ("OWNER/REPO") in batches. A repository GitHub
// does not know is in the map with Exists false. On error the map holds
// what was answered before it.
func (b *repoBatcher) lookup(ctx context.Context, repos []string) (map[string]*linkvault.GitHubRepo, error) {
	out := make(map[string]*linkvault.GitHubRepo, len(repos))
	for start := 0; start < len(repos); start += repoBatchSize {
		batch := repos[start:min(len(repos), start+repoBatchSize)]
		if err := b.query(ctx, batch, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// query sends one batch, retrying after the waits GitHub asks for.
func (b *repoBatcher) query(ctx context.Context, batch []string, out map[string]*linkvault.GitHubRepo) error {
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

// repoQuery builds the query of a batch, with the owners and names as
// variables (never spliced into the query text).
func repoQuery(batch []string) ([]byte, error) {
	var q strings.Builder
	vars := make(map[string]string, 2*len(batch))
	q.WriteString("query(")
	for i := range batch {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "$o%d: String!, $n%d: String!", i, i)
	}
	q.WriteString(") { rateLimit { cost remaining resetAt }")
	for i, full := range batch {
		owner, name, _ := strings.Cut(full, "/")
		vars["o"+strconv.Itoa(i)], vars["n"+strconv.Itoa(i)] = owner, name
		fmt.Fprintf(&q, " r%d: repository(owner: $o%d, name: $n%d, followRenames: true) { nameWithOwner isArchived pushedAt defaultBranchRef { name target { oid } } }", i, i, i)
	}
	q.WriteString(" }")
	return json.Marshal(map[string]any{"query": q.String(), "variables": vars})
}

// send posts one query. On failure wait is how long to wait before trying
// again (negative: do not).
func (b *repoBatcher) send(ctx context.Context, body []byte, batch []string, out map[string]*linkvault.GitHubRepo) (wait time.Duration, err error) {
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
			out[asked] = &linkvault.GitHubRepo{FullName: asked}
			continue
		}
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
		if err := json.Unmarshal(raw, &repo); err != nil {
			return -1, fmt.Errorf("github graphql: %s: %w", asked, err)
		}
		g := &linkvault.GitHubRepo{FullName: asked, Exists: true, Archived: repo.IsArchived, PushedAt: repo.PushedAt}
		if repo.NameWithOwner != "" && !strings.EqualFold(repo.NameWithOwner, asked) {
			g.FullName, g.RenamedTo = repo.NameWithOwner, repo.NameWithOwner
		}
		if d := repo.DefaultBranchRef; d != nil {
			g.DefaultBranch, g.Commit = d.Name, d.Target.OID
		}
		out[asked] = g
	}
	return 0, nil
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

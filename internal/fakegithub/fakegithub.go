// Package fakegithub is a GitHub GraphQL endpoint for tests, on loopback.
// It implements the part of GitHub's documented GraphQL API v4 that
// linkvault uses: repository(owner:, name:, followRenames:) under aliases,
// with variables; a "NOT_FOUND" error per missing repository whose path
// names the alias; the rateLimit object; the x-ratelimit-* headers of the
// primary rate limit (403 with x-ratelimit-remaining: 0 once exhausted,
// until x-ratelimit-reset); secondary rate limits (429 with Retry-After);
// and 401 without a token.
//
// Git objects are answered as GitHub documents Repository.object: a field
// `ALIAS: object(expression: $VAR) { __typename }` inside a repository's
// selection, whose expression is "REF" (a branch, a tag or a commit oid,
// answering a Commit) or "REF:PATH" (a Blob for a file, a Tree for a
// directory or for the empty path), and null when nothing matches, with no
// error (GitHub reports a missing object only by null).
package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Repo is a repository of the fake.
type Repo struct {
	Archived      bool
	PushedAt      time.Time
	DefaultBranch string // default "main"
	Commit        string // oid of the default branch's head
	// Files lists the file paths ("docs/a.md") at each ref (a branch, a
	// tag or a commit oid); directories are the prefixes of files. The
	// default branch and Commit name the same tree: Files[DefaultBranch].
	Files map[string][]string
}

// object answers an object(expression:) of the repository: "Commit",
// "Blob", "Tree" or "" (null).
func (r Repo) object(expr string) string {
	ref, path, hasPath := strings.Cut(expr, ":")
	files, ok := r.Files[ref]
	if !ok && (ref == r.DefaultBranch || (r.Commit != "" && len(ref) >= 7 && strings.HasPrefix(r.Commit, ref))) {
		files, ok = r.Files[r.DefaultBranch], true
	}
	switch {
	case !ok:
		return ""
	case !hasPath:
		return "Commit"
	}
	path = strings.Trim(path, "/")
	if path == "" {
		return "Tree"
	}
	for _, f := range files {
		switch {
		case f == path:
			return "Blob"
		case strings.HasPrefix(f, path+"/"):
			return "Tree"
		}
	}
	return ""
}

// Server answers POST /graphql (and /api/graphql, as GitHub Enterprise).
type Server struct {
	mu      sync.Mutex
	repos   map[string]Repo   // lower-case "owner/name" → repo
	names   map[string]string // lower-case → canonical spelling
	renamed map[string]string // old lower-case "owner/name" → new "owner/name"

	// Limit is the points of the primary rate limit per Window (default
	// 5000 per hour); a query costs ceil(repositories/100), at least 1.
	Limit  int
	Window time.Duration
	// SecondaryEvery answers every Nth request with 429 and Retry-After:
	// SecondaryWait seconds (0: never).
	SecondaryEvery int
	SecondaryWait  int
	// Now is the clock (default time.Now).
	Now func() time.Time

	used     int
	reset    time.Time
	requests int
	// Queries records the number of repositories asked in each request.
	Queries []int
}

// New returns a server holding repos ("owner/name" → Repo).
func New(repos map[string]Repo) *Server {
	s := &Server{repos: map[string]Repo{}, names: map[string]string{}, renamed: map[string]string{}, Limit: 5000, Window: time.Hour, Now: time.Now}
	for k, r := range repos {
		s.Add(k, r)
	}
	return s
}

// Add adds or replaces a repository.
func (s *Server) Add(name string, r Repo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	s.repos[strings.ToLower(name)] = r
	s.names[strings.ToLower(name)] = name
}

// Remove deletes a repository.
func (s *Server) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.repos, strings.ToLower(name))
}

// Rename moves a repository to a new name; the old one keeps resolving to
// it (followRenames).
func (s *Server) Rename(from, to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[strings.ToLower(from)]
	delete(s.repos, strings.ToLower(from))
	s.repos[strings.ToLower(to)] = r
	s.names[strings.ToLower(to)] = to
	s.renamed[strings.ToLower(from)] = to
}

// Requests returns how many requests were answered (all codes).
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// repoField matches one aliased repository field of a query:
//
//	r0: repository(owner: $o0, name: $n0, followRenames: true) { … }
var repoField = regexp.MustCompile(`(\w+)\s*:\s*repository\s*\(\s*owner\s*:\s*\$(\w+)\s*,\s*name\s*:\s*\$(\w+)\s*(?:,\s*followRenames\s*:\s*(true|false)\s*)?\)`)

// objectField matches one aliased object field inside a repository's
// selection:
//
//	x0: object(expression: $x0) { __typename }
var objectField = regexp.MustCompile(`(\w+)\s*:\s*object\s*\(\s*expression\s*:\s*\$(\w+)\s*\)`)

// selection returns the selection set ({ … }) that follows offset i of q,
// "" when there is none.
func selection(q string, i int) string {
	start := strings.IndexByte(q[i:], '{')
	if start < 0 {
		return ""
	}
	start += i
	depth := 0
	for j := start; j < len(q); j++ {
		switch q[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return q[start : j+1]
			}
		}
	}
	return ""
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if r.URL.Path != "/graphql" && r.URL.Path != "/api/graphql" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") && !strings.HasPrefix(r.Header.Get("Authorization"), "token ") {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "This endpoint requires you to be authenticated.", "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"})
		return
	}
	now := s.Now()
	if s.reset.IsZero() || !now.Before(s.reset) {
		s.reset, s.used = now.Add(s.Window), 0
	}
	h := w.Header()
	h.Set("x-ratelimit-limit", strconv.Itoa(s.Limit))
	h.Set("x-ratelimit-reset", strconv.FormatInt(s.reset.Unix(), 10))
	h.Set("x-ratelimit-resource", "graphql")
	if s.SecondaryEvery > 0 && s.requests%s.SecondaryEvery == 0 {
		h.Set("retry-after", strconv.Itoa(s.SecondaryWait))
		h.Set("x-ratelimit-remaining", strconv.Itoa(s.Limit-s.used))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})
		return
	}
	var req struct {
		Query     string            `json:"query"`
		Variables map[string]string `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON"})
		return
	}
	fields := repoField.FindAllStringSubmatch(req.Query, -1)
	fieldAt := repoField.FindAllStringIndex(req.Query, -1)
	cost := max(1, (len(fields)+99)/100)
	if s.used+cost > s.Limit {
		h.Set("x-ratelimit-remaining", "0")
		h.Set("x-ratelimit-used", strconv.Itoa(s.used))
		writeJSON(w, http.StatusForbidden, map[string]any{"message": "API rate limit exceeded for user ID 1."})
		return
	}
	s.used += cost
	s.Queries = append(s.Queries, len(fields))
	h.Set("x-ratelimit-remaining", strconv.Itoa(s.Limit-s.used))
	h.Set("x-ratelimit-used", strconv.Itoa(s.used))
	data := map[string]any{}
	var errs []map[string]any
	if strings.Contains(req.Query, "rateLimit") {
		data["rateLimit"] = map[string]any{"cost": cost, "remaining": s.Limit - s.used, "resetAt": s.reset.UTC().Format(time.RFC3339), "limit": s.Limit}
	}
	for i, f := range fields {
		alias, owner, name := f[1], req.Variables[f[2]], req.Variables[f[3]]
		follow := f[4] != "false"
		key := strings.ToLower(owner + "/" + name)
		if to, ok := s.renamed[key]; ok && follow {
			key = strings.ToLower(to)
		}
		repo, ok := s.repos[key]
		if !ok {
			data[alias] = nil
			errs = append(errs, map[string]any{
				"type": "NOT_FOUND", "path": []string{alias},
				"locations": []map[string]int{{"line": 1, "column": 1}},
				"message":   fmt.Sprintf("Could not resolve to a Repository with the name '%s/%s'.", owner, name),
			})
			continue
		}
		answer := map[string]any{
			"nameWithOwner": s.names[key],
			"isArchived":    repo.Archived,
			"pushedAt":      repo.PushedAt.UTC().Format(time.RFC3339),
			"defaultBranchRef": map[string]any{
				"name":   repo.DefaultBranch,
				"target": map[string]any{"oid": repo.Commit},
			},
		}
		for _, o := range objectField.FindAllStringSubmatch(selection(req.Query, fieldAt[i][1]), -1) {
			if typ := repo.object(req.Variables[o[2]]); typ != "" {
				answer[o[1]] = map[string]any{"__typename": typ}
			} else {
				answer[o[1]] = nil
			}
		}
		data[alias] = answer
	}
	out := map[string]any{"data": data}
	if errs != nil {
		out["errors"] = errs
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

package fakegithub

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sources serves repositories' source archives as GitHub documents them
// (and GitLab and Codeberg theirs, see serveForge), routing by Host:
//
//	GET github.com/OWNER/REPO/archive/REF.tar.gz
//	    → 302 https://codeload.github.com/OWNER/REPO/tar.gz/REF
//	GET codeload.github.com/OWNER/REPO/tar.gz/REF → the tarball (application/x-gzip)
//	GET api.github.com/repos/OWNER/REPO/commits?sha=REF&per_page=1 → [{"sha"}]
//	GET api.github.com/repos/OWNER/REPO/commits/REF with
//	    Accept: application/vnd.github.sha → the commit id as text
//
// REF is a commit id, a branch or HEAD (the default branch). A repository
// not held, or a ref it does not know, is 404 (422 for the commits API,
// as GitHub answers "No commit found for SHA").
type Sources struct {
	mu    sync.Mutex
	repos map[string]*SourceRepo // lower-case "owner/name"
	// NoLength sends tarballs without Content-Length (chunked), as
	// codeload often does.
	NoLength bool
	// Requests counts the answered requests by "HOST/PATH".
	Requests map[string]int
	// APILimit is the requests the commits API answers (0: no limit);
	// beyond it, 403 with x-ratelimit-remaining: 0, GitHub's primary rate
	// limit.
	APILimit int
	apiUsed  int
}

// SetAPILimit sets APILimit (the API requests already answered count).
func (s *Sources) SetAPILimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.APILimit = n
}

// APIRequests returns the requests the commits API received.
func (s *Sources) APIRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiUsed
}

// SourceRepo is a repository of Sources: its branches (name → commit id)
// and the tarball of each commit.
type SourceRepo struct {
	DefaultBranch string            // default "main"
	Branches      map[string]string // branch → commit id
	Tarballs      map[string][]byte // commit id → tar.gz
}

// NewSources returns an empty Sources.
func NewSources() *Sources {
	return &Sources{repos: map[string]*SourceRepo{}, Requests: map[string]int{}}
}

// Set adds or replaces a repository ("owner/name").
func (s *Sources) Set(name string, r *SourceRepo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	s.repos[strings.ToLower(name)] = r
}

// Remove deletes a repository: its archives answer 404 from now on.
func (s *Sources) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.repos, strings.ToLower(name))
}

// Count returns the requests answered for "HOST/PATH".
func (s *Sources) Count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Requests[key]
}

// commit resolves ref in r: a commit id it holds, a branch, or HEAD.
func (r *SourceRepo) commit(ref string) (string, bool) {
	if ref == "HEAD" {
		ref = r.DefaultBranch
	}
	if id, ok := r.Branches[ref]; ok {
		return id, true
	}
	_, ok := r.Tarballs[ref]
	return ref, ok
}

// Handles reports whether s answers the request (host and path), so that a
// fake web can hand it over.
func (s *Sources) Handles(r *http.Request) bool {
	host := strings.ToLower(strings.Split(r.Host, ":")[0])
	p := r.URL.Path
	switch host {
	case "github.com":
		return strings.Contains(p, "/archive/") && strings.HasSuffix(p, ".tar.gz")
	case "codeload.github.com":
		return true
	case "api.github.com":
		return strings.HasPrefix(p, "/repos/") && (strings.Contains(p, "/commits/") || strings.HasSuffix(p, "/commits"))
	case "gitlab.com":
		return strings.HasPrefix(p, "/api/v4/projects/") || strings.Contains(p, "/-/archive/")
	case "codeberg.org":
		return strings.HasPrefix(p, "/api/v1/repos/") || strings.Contains(p, "/archive/")
	}
	return false
}

func (s *Sources) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(strings.Split(r.Host, ":")[0])
	if host == "gitlab.com" || host == "codeberg.org" {
		s.serveForge(w, r, host)
		return
	}
	s.mu.Lock()
	s.Requests[host+r.URL.Path]++
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	var repo *SourceRepo
	var owner, name string
	switch {
	case host == "api.github.com" && len(parts) >= 4 && len(parts) <= 5 && parts[0] == "repos" && parts[3] == "commits":
		owner, name = parts[1], parts[2]
		s.apiUsed++
		if s.APILimit > 0 {
			w.Header().Set("x-ratelimit-limit", strconv.Itoa(s.APILimit))
			w.Header().Set("x-ratelimit-remaining", strconv.Itoa(max(0, s.APILimit-s.apiUsed)))
			w.Header().Set("x-ratelimit-reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
			if s.apiUsed > s.APILimit {
				w.Header().Set("x-ratelimit-remaining", "0")
				s.mu.Unlock()
				writeJSON(w, http.StatusForbidden, map[string]any{"message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)"})
				return
			}
		}
	case len(parts) == 4:
		owner, name = parts[0], parts[1]
	}
	if owner != "" {
		repo = s.repos[strings.ToLower(owner+"/"+name)]
	}
	noLength := s.NoLength
	s.mu.Unlock()
	if repo == nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case host == "api.github.com" && len(parts) == 4: // the list, latest first
		ref := r.URL.Query().Get("sha")
		if ref == "" {
			ref = "HEAD"
		}
		id, ok := repo.commit(ref)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
			return
		}
		writeJSON(w, http.StatusOK, []map[string]any{{"sha": id, "commit": map[string]any{"message": "commit " + id[:7]}}})
	case host == "api.github.com":
		id, ok := repo.commit(parts[4])
		if !ok {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "No commit found for SHA: " + parts[4]})
			return
		}
		if r.Header.Get("Accept") == "application/vnd.github.sha" {
			w.Header().Set("Content-Type", "application/vnd.github.sha; charset=utf-8")
			_, _ = w.Write([]byte(id))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"sha": id})
	case host == "github.com" && parts[2] == "archive":
		ref := strings.TrimSuffix(parts[3], ".tar.gz")
		http.Redirect(w, r, "https://codeload.github.com/"+owner+"/"+name+"/tar.gz/"+ref, http.StatusFound)
	case host == "codeload.github.com" && parts[2] == "tar.gz":
		id, ok := repo.commit(parts[3])
		body := repo.Tarballs[id]
		if !ok || body == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-gzip")
		w.Header().Set("Content-Disposition", "attachment; filename="+name+"-"+id[:min(7, len(id))]+".tar.gz")
		if noLength {
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush() // chunked: no Content-Length
		}
		_, _ = w.Write(body)
	default:
		http.NotFound(w, r)
	}
}

// Tarball builds a deterministic tar.gz of files (path → content) under
// the directory prefix, as GitHub's archives are laid out
// (OWNER-REPO-SHORTSHA/…).
func Tarball(prefix string, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	mod := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: prefix + "/", Mode: 0o755, ModTime: mod})
	for _, n := range names {
		_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: prefix + "/" + n, Mode: 0o644, Size: int64(len(files[n])), ModTime: mod})
		_, _ = tw.Write([]byte(files[n]))
	}
	_ = tw.Close()
	_ = zw.Close()
	return buf.Bytes()
}

// serveForge answers GitLab's and Codeberg's documented archive URLs and
// commit lists:
//
//	GET gitlab.com/api/v4/projects/PATH/repository/commits?ref_name=REF&per_page=1 → [{"id"}]
//	GET gitlab.com/PATH/-/archive/REF/NAME-REF.tar.gz → the tarball
//	GET codeberg.org/api/v1/repos/OWNER/REPO/commits?sha=REF&limit=1 → [{"sha"}]
//	GET codeberg.org/OWNER/REPO/archive/REF.tar.gz → the tarball
//
// PATH is the project path, percent-encoded in the API (group%2Fproject).
func (s *Sources) serveForge(w http.ResponseWriter, r *http.Request, host string) {
	s.mu.Lock()
	s.Requests[host+r.URL.EscapedPath()]++
	p := r.URL.Path
	var name, api, archive string // repository, and the ref asked of the API or the archive
	switch {
	case host == "gitlab.com" && strings.HasPrefix(r.URL.EscapedPath(), "/api/v4/projects/"):
		rest := strings.TrimPrefix(r.URL.EscapedPath(), "/api/v4/projects/")
		if enc, ok := strings.CutSuffix(rest, "/repository/commits"); ok && !strings.Contains(enc, "/") {
			name = strings.ReplaceAll(enc, "%2F", "/")
			api = r.URL.Query().Get("ref_name")
		}
	case host == "gitlab.com":
		if proj, rest, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/-/archive/"); ok {
			if ref, file, ok := strings.Cut(rest, "/"); ok && file == proj[strings.LastIndex(proj, "/")+1:]+"-"+ref+".tar.gz" {
				name, archive = proj, ref
			}
		}
	case strings.HasPrefix(p, "/api/v1/repos/"):
		parts := strings.Split(strings.TrimPrefix(p, "/api/v1/repos/"), "/")
		if len(parts) == 3 && parts[2] == "commits" {
			name, api = parts[0]+"/"+parts[1], r.URL.Query().Get("sha")
		}
	default:
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		if len(parts) == 4 && parts[2] == "archive" && strings.HasSuffix(parts[3], ".tar.gz") {
			name, archive = parts[0]+"/"+parts[1], strings.TrimSuffix(parts[3], ".tar.gz")
		}
	}
	repo := s.repos[strings.ToLower(name)]
	s.mu.Unlock()
	if repo == nil || (api == "" && archive == "" && !strings.Contains(p, "/commits")) {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "404 Project Not Found"})
		return
	}
	if archive == "" {
		ref := api
		if ref == "" {
			ref = "HEAD"
		}
		id, ok := repo.commit(ref)
		if !ok {
			writeJSON(w, http.StatusOK, []any{}) // both list nothing for an unknown ref
			return
		}
		key := "sha"
		if host == "gitlab.com" {
			key = "id"
		}
		writeJSON(w, http.StatusOK, []map[string]any{{key: id, "title": "commit " + id[:7]}})
		return
	}
	id, ok := repo.commit(archive)
	if !ok || repo.Tarballs[id] == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(repo.Tarballs[id])
}

// Package fakeswh is a Software Heritage API for tests, on loopback. It
// implements the part of the documented Web API
// (https://archive.softwareheritage.org/api/1/) that linkvault uses:
//
//	GET /api/1/origin/{origin_url}/get/            the origin, or 404
//	GET /api/1/origin/{origin_url}/visit/latest/   its latest visit, or 404
//	    (?require_snapshot=true: the latest with a snapshot)
//
// with the rate-limit headers of every answer (X-RateLimit-Limit,
// X-RateLimit-Remaining, X-RateLimit-Reset in Unix seconds) and 429 Too
// Many Requests once the limit is used up. The origin URL is taken from
// the path as is (the API does not percent-encode it): serve it with a
// plain handler, never a ServeMux, which would clean the "//" of
// "https://".
package fakeswh

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a fake Software Heritage API.
type Server struct {
	mu sync.Mutex
	// Origins are the archived origins: URL → date of the latest visit.
	Origins map[string]time.Time
	// Limit is the requests allowed until Reset (0: unlimited).
	Limit int
	Reset time.Time
	// Delay is waited before every answer (or until the client gives up).
	Delay time.Duration
	used  int
	// Asked lists the origin URLs asked, in order.
	Asked []string
}

// New returns a server knowing origins (URL → latest visit).
func New(origins map[string]time.Time) *Server {
	return &Server{Origins: origins, Reset: time.Now().Add(time.Hour)}
}

// SetLimit sets Limit (the requests already answered count).
func (s *Server) SetLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Limit = n
}

// SetDelay sets Delay.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Delay = d
}

// Requests returns how many requests the server received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.Asked)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/1/origin/")
	var origin, what string
	if ok {
		for _, suffix := range []string{"/visit/latest/", "/get/"} {
			if o, found := strings.CutSuffix(rest, suffix); found {
				origin, what = o, suffix
				break
			}
		}
	}
	s.mu.Lock()
	s.Asked = append(s.Asked, origin)
	s.used++
	used, limit, reset, delay := s.used, s.Limit, s.Reset, s.Delay
	visit, known := s.Origins[origin]
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	h := w.Header()
	if limit > 0 {
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, limit-used)))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		if used > limit {
			h.Set("Retry-After", strconv.Itoa(max(1, int(time.Until(reset).Seconds()))))
			writeJSON(w, http.StatusTooManyRequests, map[string]any{"exception": "Throttled", "reason": "Request was throttled."})
			return
		}
	}
	if origin == "" {
		writeJSON(w, http.StatusNotFound, map[string]any{"exception": "NotFoundExc", "reason": "Resource not found"})
		return
	}
	if !known {
		writeJSON(w, http.StatusNotFound, map[string]any{"exception": "NotFoundExc", "reason": "Origin with url " + origin + " not found!"})
		return
	}
	base := "http://" + r.Host + "/api/1/origin/" + origin
	if what == "/get/" {
		writeJSON(w, http.StatusOK, map[string]any{"url": origin, "origin_visits_url": base + "/visits/", "metadata_authorities_url": ""})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"origin": origin, "visit": 3, "date": visit.UTC().Format("2006-01-02T15:04:05.000000-07:00"),
		"status": "full", "type": "git", "snapshot": "5f0a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a",
		"snapshot_url":     "http://" + r.Host + "/api/1/snapshot/5f0a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a/",
		"origin_visit_url": base + "/visit/3/",
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

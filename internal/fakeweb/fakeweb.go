// Package fakeweb is a fake multi-host web for tests and benchmarks: one
// loopback listener that routes requests by Host, with a latency and a
// server-side rate limit per host (requests beyond it are answered 429),
// and counters of what each host received.
//
// Point a client at it by dialling Addr for every host name (see
// DialContext), so that real host names such as github.com reach it
// without DNS.
package fakeweb

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Web is a running fake web.
type Web struct {
	srv   *httptest.Server
	mu    sync.Mutex
	hosts map[string]*Host
}

// Host is one fake host. Set its fields before the first request.
type Host struct {
	Name    string
	Latency time.Duration // added before every answer
	// Rate and Burst, when Rate > 0, limit the requests the host accepts:
	// a request finding the token bucket empty is answered 429 with
	// "Retry-After: 1".
	Rate    float64
	Burst   int
	Handler http.Handler // nil: a small HTML page for every path but a soft 404 probe's (404)

	once     sync.Once
	lim      *rate.Limiter
	mu       sync.Mutex
	stats    Stats
	inflight int
}

// Stats is what a host received.
type Stats struct {
	Requests    int         // every request, 429s included
	Throttled   int         // answered 429 by the rate limit
	MaxInFlight int         // most requests handled at once
	Times       []time.Time // arrival of each request
	Paths       []string    // path of each request
}

// New starts a fake web on 127.0.0.1.
func New() *Web {
	w := &Web{hosts: map[string]*Host{}}
	w.srv = httptest.NewServer(http.HandlerFunc(w.serve))
	return w
}

// Close stops the server.
func (w *Web) Close() { w.srv.Close() }

// Addr is the listener's "ip:port".
func (w *Web) Addr() string { return w.srv.Listener.Addr().String() }

// URL returns "http://name" + path (on the default port: use DialContext).
func (w *Web) URL(name, path string) string { return "http://" + name + path }

// Host returns the host called name, creating it.
func (w *Web) Host(name string) *Host {
	name = strings.ToLower(name)
	w.mu.Lock()
	defer w.mu.Unlock()
	h := w.hosts[name]
	if h == nil {
		h = &Host{Name: name}
		w.hosts[name] = h
	}
	return h
}

// DialContext connects to the fake web whatever the address asked.
func (w *Web) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, w.Addr())
}

// Stats returns a copy of the counters of host name.
func (w *Web) Stats(name string) Stats {
	h := w.Host(name)
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.stats
	s.Times = append([]time.Time(nil), s.Times...)
	s.Paths = append([]string(nil), s.Paths...)
	return s
}

// Throttled is the number of 429 answers over all hosts.
func (w *Web) Throttled() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, h := range w.hosts {
		h.mu.Lock()
		n += h.stats.Throttled
		h.mu.Unlock()
	}
	return n
}

func (w *Web) serve(rw http.ResponseWriter, r *http.Request) {
	name := r.Host
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	w.mu.Lock()
	h := w.hosts[strings.ToLower(name)]
	w.mu.Unlock()
	if h == nil {
		http.Error(rw, "fakeweb: unknown host "+name, http.StatusMisdirectedRequest)
		return
	}
	h.serve(rw, r)
}

func (h *Host) serve(rw http.ResponseWriter, r *http.Request) {
	h.once.Do(func() {
		if h.Rate > 0 {
			h.lim = rate.NewLimiter(rate.Limit(h.Rate), max(h.Burst, 1))
		}
	})
	now := time.Now()
	allowed := h.lim == nil || h.lim.AllowN(now, 1)
	h.mu.Lock()
	h.stats.Requests++
	h.stats.Times = append(h.stats.Times, now)
	h.stats.Paths = append(h.stats.Paths, r.URL.Path)
	h.inflight++
	h.stats.MaxInFlight = max(h.stats.MaxInFlight, h.inflight)
	if !allowed {
		h.stats.Throttled++
	}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.inflight--
		h.mu.Unlock()
	}()
	if h.Latency > 0 {
		t := time.NewTimer(h.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if !allowed {
		rw.Header().Set("Retry-After", "1")
		http.Error(rw, "too many requests", http.StatusTooManyRequests)
		return
	}
	if h.Handler != nil {
		h.Handler.ServeHTTP(rw, r)
		return
	}
	if probePath.MatchString(r.URL.Path) {
		// A well-behaved host: the soft 404 probe's made-up path is
		// not found.
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(rw, "<!doctype html><html><head><title>%s%s</title></head><body><p>A page.</p></body></html>", h.Name, r.URL.Path)
}

// probePath matches the random 25-letter last segment of a soft 404 probe.
var probePath = regexp.MustCompile(`/[a-z]{25}$`)

// Hang is a handler that never answers: it holds the request until the
// client gives up (or the server closes).
func Hang() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
}

// Slow answers with h after d (or gives up when the client does).
func Slow(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			h.ServeHTTP(rw, r)
		case <-r.Context().Done():
		}
	})
}

// Drip answers 200 with an HTML body sent one byte every interval: never
// silent for long, never done soon.
func Drip(body []byte, every time.Duration) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Header().Set("Content-Length", fmt.Sprint(len(body)))
		rw.WriteHeader(http.StatusOK)
		fl, _ := rw.(http.Flusher)
		t := time.NewTicker(every)
		defer t.Stop()
		for i := range body {
			if _, err := rw.Write(body[i : i+1]); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			}
		}
	})
}

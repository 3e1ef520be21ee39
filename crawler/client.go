package crawler

import (
	"net/http"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// Client returns an HTTP client for side requests of a run (the Wayback
// Machine lookups): the checker's transport with its proxy, CA, timeouts,
// resolve overrides and private-address guard; the User-Agent of the run;
// and the per-host rate of the config, so that such a host is treated
// politely like any other. Redirects are not followed.
func (c *Checker) Client() *http.Client {
	return &http.Client{
		Transport: &politeTransport{c: c, next: c.transport, limiters: map[string]*rate.Limiter{}},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// politeTransport waits for the host's token before each request.
type politeTransport struct {
	c        *Checker
	next     http.RoundTripper
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

func (t *politeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.limiter(req.URL.Host).Wait(req.Context()); err != nil {
		return nil, err
	}
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", t.c.opts.UserAgent)
	}
	return t.next.RoundTrip(req)
}

func (t *politeTransport) limiter(host string) *rate.Limiter {
	host = strings.ToLower(host)
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.limiters[host]
	if !ok {
		lim := t.c.hostLimits(host)
		l = rate.NewLimiter(rate.Limit(lim.Rate), lim.Burst)
		t.limiters[host] = l
	}
	return l
}

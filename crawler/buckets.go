package crawler

import (
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// HostBuckets are the per-host token buckets of one run, shared by the
// Checkers given them in Options.Buckets and by every Crawl and Check of
// such a Checker: the crawl of a site and the check of its links spend
// one politeness budget per host. The zero value is not usable: make one
// with NewHostBuckets.
type HostBuckets struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter // by host key (lower case, with the port when not the default)
}

// NewHostBuckets returns an empty set of buckets.
func NewHostBuckets() *HostBuckets {
	return &HostBuckets{m: map[string]*rate.Limiter{}}
}

// share returns the bucket of host key: the one already there, else lim,
// which is kept.
func (b *HostBuckets) share(key string, lim *rate.Limiter) *rate.Limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	if l, ok := b.m[key]; ok {
		return l
	}
	b.m[key] = lim
	return lim
}

// bucket returns the token bucket of host (as in a URL, "name[:port]"),
// made as the scheduler makes its own (hostFor: one token in reserve, the
// first request at once) and shared through Options.Buckets, or through
// the Checker's own set when none was given.
func (c *Checker) bucket(host string) *rate.Limiter {
	key := strings.ToLower(host)
	b := c.opts.Buckets
	if b == nil {
		c.bucketsOnce.Do(func() { c.ownBuckets = NewHostBuckets() })
		b = c.ownBuckets
	}
	b.mu.Lock()
	l, ok := b.m[key]
	b.mu.Unlock()
	if ok {
		return l
	}
	lim := c.hostLimits(key)
	l = rate.NewLimiter(rate.Limit(lim.Rate), max(1, lim.Burst-1))
	l.AllowN(time.Now(), l.Burst()-1)
	return b.share(key, l)
}

package crawler

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/linkvault/linkvault"
)

// Check checks every target once (targets with the same URL share one
// check) and calls emit with one Result per target, Result.URL being
// Target.URL. emit and Options.Progress are never called concurrently.
//
// When ctx is cancelled Check starts no new request, aborts the requests
// in flight, and returns ctx.Err() after emitting the results that were
// complete. At Options.Deadline it starts no new request either, lets
// those in flight finish, and returns nil: the targets it did not reach
// get no result.
//
// With a GitHub token, links to repository main pages are first answered
// in batches by GitHub's GraphQL API (see githubBatch).
func (c *Checker) Check(ctx context.Context, targets []Target, emit func(linkvault.Result)) error {
	c.statsMu.Lock()
	c.stats = map[string]*linkvault.HostStats{}
	c.reqStats = requisiteStats{}
	c.statsMu.Unlock()
	targets = c.githubBatch(ctx, targets, emit)
	r := c.newRun(ctx, targets, emit)
	r.admitAll()
	err := r.loop()
	r.flushHeld()
	r.recordRates()
	return err
}

// newRun returns the state of a Check of targets.
func (c *Checker) newRun(ctx context.Context, targets []Target, emit func(linkvault.Result)) *run {
	return &run{
		c:       c,
		ctx:     ctx,
		emit:    emit,
		total:   len(targets),
		targets: targets,
		hosts:   map[string]*host{},
		results: make(chan *done, c.opts.Concurrency),
		probes:  map[string]*probeState{},

		probeBase: map[string]string{},
	}
}

// admitAll admits every target; targets sharing a URL share one check:
// the first of them is checked, and its result emitted once per copy.
func (r *run) admitAll() {
	first := make(map[string]int32, len(r.targets))
	unique := make([]bool, len(r.targets))
	for i, t := range r.targets {
		if k, ok := first[t.URL]; ok {
			if r.copies == nil {
				r.copies = map[int32]int{}
			}
			r.copies[k] = max(r.copies[k], 1) + 1
			r.mergeFragments(k, t.Fragments)
			continue
		}
		first[t.URL] = int32(i)
		unique[i] = true
	}
	for i, u := range unique {
		if u {
			r.admit(int32(i))
		}
	}
}

// recordRates keeps in each host's statistics the rate it ended at, lower
// than configured when it asked for less (429, Retry-After): the next runs
// plan with it (HostStats.Rate).
func (r *run) recordRates() {
	r.c.statsMu.Lock()
	defer r.c.statsMu.Unlock()
	for _, h := range r.hosts {
		if s := r.c.stats[h.key]; s != nil {
			s.Rate = h.rate
		}
	}
}

// HostStats returns what the last (or current) Check did per host, keyed
// by host (with the port when not the default).
func (c *Checker) HostStats() map[string]*linkvault.HostStats {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	out := make(map[string]*linkvault.HostStats, len(c.stats))
	for k, v := range c.stats {
		cp := *v
		out[k] = &cp
	}
	return out
}

// host is the scheduling state of one host.
type host struct {
	key string
	// queue holds the jobs under way that are to contact the host next
	// (redirects, retries, GitHub lookups, the probe); waiting, the
	// targets not yet started (by index in run.targets: 4 bytes a link,
	// the job is made when its check starts). The queue goes first.
	queue    []*job
	waiting  []int32
	inflight int
	limit    int // N
	lim      *rate.Limiter
	base     float64 // configured rate
	rate     float64 // current rate
	pause    time.Time
	active   bool // listed in run.active
	slow     int  // requests in the pool of slow requests
	// quick: the host's last answer came within SlowAfter. Only then is a
	// slow request the URL's own trouble; a host whose answers are all
	// slow is overloaded, and keeps its concurrency limit.
	quick bool

	started  uint64 // requests started on the host
	fails    int    // host-down failures in sequence
	failMark uint64 // started when the last counted failure came back
	open     string // reason, once the circuit is open

	links int  // links of this host (by the link's own host) not yet complete
	idle  bool // listed in run.idle
}

// flight is one request in flight.
type flight struct {
	j     *job
	h     *host
	seq   uint64 // host.started when it started
	start time.Time
	slow  bool // moved to the pool of slow requests
	done  bool
}

// run is the state of one Check call, owned by the loop goroutine.
type run struct {
	c        *Checker
	ctx      context.Context
	emit     func(linkvault.Result)
	total    int
	targets  []Target
	copies   map[int32]int      // by index in targets: targets sharing its URL, when more than one
	frags    map[int32][]string // by index in targets: the #fragments of all targets sharing its URL, when another has some
	emitted  int
	hosts    map[string]*host
	active   []*host // hosts with queued jobs, in round-robin order
	delayed  delayHeap
	inflight int       // requests holding a slot
	slow     int       // requests in the pool of slow requests
	flights  []*flight // requests holding a slot, in start order
	results  chan *done

	probes    map[string]*probeState // by host key of the links
	probeBase map[string]string      // by host key: the first deep link, whose parent path the probe asks
	held      []heldResult           // redirected ok results, for generic-target

	idle    []*host         // hosts with nothing left to do, to drop (see sweep)
	swept   time.Time       // when sweep last ran
	reqSeen map[string]bool // page requisites queued in this run (requisites.go)
}

// admit screens targets[i] and puts it in the waiting list of its host.
// Nothing of it is kept but its index: its job is made when its check
// starts (see newJob), so that the links waiting take 4 bytes each, not a
// job and a parsed URL (a run of 100,000 links admits them all at once).
func (r *run) admit(i int32) {
	o := &r.c.opts
	t := &r.targets[i]
	u, err := url.Parse(t.URL)
	why := ""
	switch {
	case err != nil:
		why = "invalid URL"
	case u.Scheme != "http" && u.Scheme != "https":
		why = reasonScheme
	case u.Host == "":
		why = "invalid URL"
	default:
		why = o.skipReason(t.URL)
	}
	if why == "" {
		if ip := net.ParseIP(strings.Trim(u.Hostname(), "[]")); ip != nil && privateIP(ip) && !o.AllowPrivate {
			why = reasonPrivate
		}
	}
	if why != "" {
		r.finishNow(&job{t: *t, copies: r.copiesOf(i)}, linkvault.StatusSkipped, why)
		return
	}
	key := strings.ToLower(u.Host)
	if _, ok := r.probeBase[key]; !ok && !rootPath(u) {
		r.probeBase[key] = t.URL
	}
	h := r.hostFor(key)
	h.waiting = append(h.waiting, i)
	h.links++
	r.activate(h)
}

// mergeFragments adds the #fragments of a target sharing the URL of
// targets[k] to those its check judges (anchors.go); the caller's targets
// are not changed.
func (r *run) mergeFragments(k int32, frags []string) {
	if len(frags) == 0 {
		return
	}
	if r.frags == nil {
		r.frags = map[int32][]string{}
	}
	if _, ok := r.frags[k]; !ok {
		r.frags[k] = slices.Clip(r.targets[k].Fragments)
	}
	r.frags[k] = append(r.frags[k], frags...)
}

// copiesOf is the number of targets sharing the URL of targets[i].
func (r *run) copiesOf(i int32) int {
	if n := r.copies[i]; n > 1 {
		return n
	}
	return 1
}

// newJob makes the job of targets[i], admitted (see admit) to h.
func (r *run) newJob(i int32, h *host) *job {
	t := r.targets[i]
	u, _ := url.Parse(t.URL) // parsed once already by admit
	if f, ok := r.frags[i]; ok {
		t.Fragments = f
	}
	j := &job{t: t, copies: r.copiesOf(i), cur: u, link: h.key, host: h}
	if r.c.opts.GitHubToken != "" {
		j.github = githubRepo(t.URL)
	}
	j.method = http.MethodGet
	if !t.Capture && headFirst(u) {
		j.method = http.MethodHead
	}
	return j
}

// hostFor returns the state of the host key (a URL's host, lowercase),
// creating it.
func (r *run) hostFor(key string) *host {
	if h, ok := r.hosts[key]; ok {
		return h
	}
	lim := r.c.hostLimits(key)
	h := &host{key: key, limit: lim.Concurrency, base: lim.Rate}
	burst := lim.Burst
	h.rate = h.base
	// One token stays in reserve: a request sent on time may still reach
	// the server early (a reused connection overtaking a new one), and a
	// server whose bucket matches ours exactly would answer 429.
	h.lim = rate.NewLimiter(rate.Limit(h.rate), max(1, burst-1))
	// Start with one token, not a full bucket: the first requests to a
	// host open new connections and arrive late, bunching up with the
	// ones after them.
	h.lim.AllowN(time.Now(), h.lim.Burst()-1)
	if b := r.c.opts.Buckets; b != nil {
		h.lim = b.share(key, h.lim) // a crawl of this run spent from it (buckets.go)
	}
	r.hosts[key] = h
	return h
}

// enqueue puts j in the queue of the host it is to contact next: at the
// front, or behind the other jobs under way but ahead of the links not
// yet started.
func (r *run) enqueue(j *job, front bool) {
	h := r.hostFor(strings.ToLower(j.cur.Host))
	j.host = h
	if front {
		h.queue = append([]*job{j}, h.queue...)
	} else {
		h.queue = append(h.queue, j)
	}
	r.activate(h)
}

// activate lists h among the hosts with something queued.
func (r *run) activate(h *host) {
	if !h.active {
		h.active = true
		r.active = append(r.active, h)
	}
}

// queued is the number of jobs and links waiting for h.
func (h *host) queued() int { return len(h.queue) + len(h.waiting) }

// next takes the next job of h: the queue's first, else a new one for the
// first link waiting.
func (r *run) next(h *host) *job {
	if len(h.queue) > 0 {
		j := h.queue[0]
		h.queue[0] = nil
		h.queue = h.queue[1:]
		return j
	}
	i := h.waiting[0]
	h.waiting = h.waiting[1:]
	if len(h.waiting) == 0 {
		h.waiting = nil
	}
	return r.newJob(i, h)
}

// later puts j back in its host's queue after d.
func (r *run) later(j *job, d time.Duration) {
	j.readyAt = time.Now().Add(d)
	heap.Push(&r.delayed, j)
}

// backoff is the exponential backoff with jitter before retry n
// (1-based): RetryWait×2^(n-1) times a random factor in [0.5, 1.5), never
// more than RetryWaitMax.
func (r *run) backoff(n int) time.Duration {
	o := &r.c.opts
	d := o.RetryWaitMax
	if n <= 62 && o.RetryWait <= o.RetryWaitMax>>(n-1) {
		d = o.RetryWait << (n - 1)
	}
	return min(time.Duration(float64(d)*(0.5+rand.Float64())), o.RetryWaitMax)
}

func (r *run) loop() error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	ctxDone := r.ctx.Done()
	for {
		now := time.Now()
		for r.delayed.Len() > 0 && !r.delayed[0].readyAt.After(now) {
			j := heap.Pop(&r.delayed).(*job)
			if r.ctx.Err() == nil {
				r.enqueue(j, false)
			}
		}
		r.release(now)
		if now.Sub(r.swept) >= sweepEvery {
			r.sweep(now)
		}
		var wake time.Time
		if dl := r.c.opts.Deadline; !dl.IsZero() {
			if now.Before(dl) {
				wake = dl
			} else {
				r.dropQueued()
			}
		}
		if r.ctx.Err() == nil {
			wake = earliest(wake, r.dispatch(now))
		}
		// Again, for the requests just started: when they are due.
		wake = earliest(wake, r.release(now))
		if r.inflight == 0 && r.slow == 0 && (r.ctx.Err() != nil || len(r.active) == 0 && r.delayed.Len() == 0) {
			break
		}
		if r.delayed.Len() > 0 && r.ctx.Err() == nil {
			wake = earliest(wake, r.delayed[0].readyAt)
		}
		var timerC <-chan time.Time
		if !wake.IsZero() {
			timer.Reset(max(time.Until(wake), 0))
			timerC = timer.C
		}
		select {
		case d := <-r.results:
			r.landed(d.f, now)
			r.handle(d)
		case <-timerC:
		case <-ctxDone:
			ctxDone = nil
		}
		if timerC != nil && !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
	return r.ctx.Err()
}

// slowPool is the share of a host in the pool of slow requests, in
// multiples of its concurrency limit; the pool holds Concurrency requests
// in all. Measured on BenchmarkCheckSlowBigHost (3% of links hanging, 1%
// dripping, 3 tries each): with 1, the big host's slow requests filled
// its share and the run took 1.65× its politeness bound; with 4, 1.37×,
// its retries queued at the end waiting for the pool. The pool as a whole
// stays at Concurrency: on a machine short of CPU every request is slow,
// and a larger pool would only add load (measured: 9× the requests in
// flight, 2,300 of 40,000 live links timed out).
const slowPool = 8

// release moves the requests running for longer than SlowAfter out of
// their slots into the pool of slow requests, as far as the pool has room
// (N per host, M overall), and returns when the next one is due.
func (r *run) release(now time.Time) time.Time {
	var wake time.Time
	after := r.c.opts.SlowAfter
	kept := r.flights[:0]
	for _, f := range r.flights {
		switch due := f.start.Add(after); {
		case f.done:
			continue
		case due.After(now):
			wake = earliest(wake, due)
		case f.h.quick && r.slow < r.c.opts.Concurrency && f.h.slow < slowPool*f.h.limit:
			f.slow = true
			r.inflight--
			f.h.inflight--
			r.slow++
			f.h.slow++
			continue
		}
		kept = append(kept, f)
	}
	clear(r.flights[len(kept):])
	r.flights = kept
	return wake
}

// landed frees what the finished request f held.
func (r *run) landed(f *flight, now time.Time) {
	f.done = true
	f.h.quick = now.Sub(f.start) < r.c.opts.SlowAfter
	if f.slow {
		r.slow--
		f.h.slow--
		return
	}
	r.inflight--
	f.h.inflight--
	r.noteIdle(f.h)
}

// sweepEvery is how often the hosts with nothing left to do are dropped.
const sweepEvery = 200 * time.Millisecond

// noteIdle lists h for sweep when it has nothing left to do.
func (r *run) noteIdle(h *host) {
	if !h.idle && h.done() {
		h.idle = true
		r.idle = append(r.idle, h)
	}
}

// done reports whether h has nothing left to do: no link of its own to
// finish, nothing queued, nothing in flight.
func (h *host) done() bool {
	return h.links == 0 && !h.active && h.queued() == 0 && h.inflight == 0 && h.slow == 0
}

// sweep drops the state of the hosts that are done (their scheduling
// state, limiter, probe) when a new state made for the host would be no
// more permissive: its rate the configured one, no pause, no failure
// counted, and a token in its bucket, as a new limiter starts with. A
// redirect or retry reaching such a host later makes a new state. A run of
// 20,000 hosts kept them all to the end. Hosts with an open circuit or a
// lowered rate are kept.
func (r *run) sweep(now time.Time) {
	r.swept = now
	kept := r.idle[:0]
	for _, h := range r.idle {
		switch {
		case !h.done():
			h.idle = false // listed again when done
			continue
		case h.open != "" || h.fails > 0 || h.rate != h.base:
			h.idle = false // kept to the end
			continue
		case now.Before(h.pause) || h.lim.TokensAt(now) < 1:
			kept = append(kept, h) // not yet
			continue
		}
		h.idle = false
		r.dropHost(h)
	}
	clear(r.idle[len(kept):])
	r.idle = kept
}

// dropHost forgets h, keeping its rate in its statistics as recordRates
// does at the end.
func (r *run) dropHost(h *host) {
	r.c.statsMu.Lock()
	if s := r.c.stats[h.key]; s != nil {
		s.Rate = h.rate
	}
	r.c.statsMu.Unlock()
	delete(r.hosts, h.key)
	delete(r.probes, h.key)
	delete(r.probeBase, h.key)
}

// dropQueued ends a budgeted run at Options.Deadline: the links not yet
// started, and the retries still waiting, get no result (they keep their
// state, due again the next run); the requests in flight finish.
func (r *run) dropQueued() {
	var dropped []*job
	for _, h := range r.active {
		dropped = append(dropped, h.queue...)
		clear(h.queue)
		h.queue, h.waiting = nil, nil
	}
	r.active = r.active[:0]
	dropped = append(dropped, r.delayed...)
	r.delayed = r.delayed[:0]
	r.settleDropped(dropped)
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// dispatch starts every request that may start now, one per host per
// round, and returns when the next blocked host may start (zero if none is
// blocked by time).
func (r *run) dispatch(now time.Time) time.Time {
	var wake time.Time
	m := r.c.opts.Concurrency
	for progress := true; progress && r.inflight < m; {
		progress = false
		for i := 0; i < len(r.active) && r.inflight < m; i++ {
			h := r.active[i]
			if h.open != "" {
				for h.queued() > 0 {
					r.circuitOpen(r.next(h), h)
				}
			}
			if h.queued() == 0 {
				continue
			}
			ok, at := h.ready(now)
			if !ok {
				wake = earliest(wake, at)
				continue
			}
			r.start(r.next(h))
			progress = true
		}
		// Drop hosts with nothing queued; rotate so that the next round
		// starts after the hosts served in this one.
		kept := r.active[:0]
		for _, h := range r.active {
			if h.queued() > 0 {
				kept = append(kept, h)
			} else {
				h.active = false
				r.noteIdle(h)
			}
		}
		for i := len(kept); i < len(r.active); i++ {
			r.active[i] = nil
		}
		r.active = kept
		if len(r.active) > 1 {
			r.active = append(r.active[1:], r.active[0])
		}
	}
	return wake
}

// ready reports whether h may start a request now, consuming a token if
// so; if not, when it may (zero when only a finishing request can free it).
func (h *host) ready(now time.Time) (bool, time.Time) {
	if h.inflight >= h.limit {
		return false, time.Time{}
	}
	if now.Before(h.pause) {
		return false, h.pause
	}
	tokens := h.lim.TokensAt(now)
	if tokens >= 1 && h.lim.AllowN(now, 1) {
		return true, time.Time{}
	}
	need := (1 - tokens) / float64(h.lim.Limit())
	return false, now.Add(time.Duration(need*float64(time.Second)) + time.Millisecond)
}

// throttle reacts to a 429 or a 503 with Retry-After: the host's rate is
// halved and, if the server said how long, the host pauses that long.
func (h *host) throttle(now time.Time, wait time.Duration, known bool, capWait time.Duration) {
	h.rate = max(h.rate/2, h.base/16)
	h.lim.SetLimitAt(now, rate.Limit(h.rate))
	if known {
		if until := now.Add(min(wait, capWait)); until.After(h.pause) {
			h.pause = until
		}
	}
}

// recover creeps the rate back towards the configured one after success.
func (h *host) recover(now time.Time) {
	if h.rate < h.base {
		h.rate = min(h.base, h.rate*1.25)
		h.lim.SetLimitAt(now, rate.Limit(h.rate))
	}
}

// start launches the next request of j.
func (r *run) start(j *job) {
	c := r.c
	j.result()
	if j.start.IsZero() {
		j.start = time.Now()
	}
	conditional := len(j.res.Redirects) == 0 && !j.api
	req := request{
		method:  j.method,
		url:     j.cur.String(),
		header:  c.requestHeader(j.cur, j.method, &j.t, conditional),
		body:    readPage,
		capture: j.t.Capture && !j.api && c.opts.Capture != nil,
	}
	if j.api {
		req.body = readJSON
		req.header.Set("Accept", "application/vnd.github+json")
		req.captureAPI = j.t.Capture && c.opts.Capture != nil
	}
	if j.req != nil {
		c.requisiteRequest(&req, j.req)
	}
	c.authorize(req.header, j)
	j.fail, j.failErr = nil, ""
	h := j.host
	r.inflight++
	h.inflight++
	h.started++
	f := &flight{j: j, h: h, seq: h.started, start: time.Now()}
	r.flights = append(r.flights, f)
	link := j.t.URL
	go func() {
		d := c.step(r.ctx, j, req, link)
		d.f = f
		r.results <- d
	}()
}

// account adds a request to the host statistics.
func (r *run) account(h *host, x *exchange) {
	r.c.statsMu.Lock()
	defer r.c.statsMu.Unlock()
	s := r.c.stat(h.key)
	s.Requests++
	s.Bytes += x.bytesRead
	s.LatencyMS += x.duration.Milliseconds()
	if x.resp != nil && x.resp.StatusCode == http.StatusTooManyRequests {
		s.Throttled++
	}
}

// stat returns the statistics of host key; statsMu must be held.
func (c *Checker) stat(key string) *linkvault.HostStats {
	s := c.stats[key]
	if s == nil {
		s = &linkvault.HostStats{}
		c.stats[key] = s
	}
	return s
}

// failed counts a host-down failure of the request started as seq-th on
// h, and opens the circuit at threshold. Failures of requests that were in
// flight together count once: a failure counts only when its request
// started after the last counted failure came back.
func (h *host) failed(seq uint64, reason string, threshold int) {
	if h.fails > 0 && seq <= h.failMark {
		return
	}
	h.fails++
	h.failMark = h.started
	if h.fails >= threshold && h.open == "" {
		h.open = fmt.Sprintf("host down: %d failures in a row: %s", h.fails, reason)
	}
}

// delayHeap orders jobs waiting for a retry by due time.
type delayHeap []*job

func (h delayHeap) Len() int { return len(h) }

func (h delayHeap) Less(i, k int) bool { return h[i].readyAt.Before(h[k].readyAt) }

func (h delayHeap) Swap(i, k int) { h[i], h[k] = h[k], h[i]; h[i].index = i; h[k].index = k }

func (h *delayHeap) Push(x any) { j := x.(*job); j.index = len(*h); *h = append(*h, j) }

func (h *delayHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return j
}

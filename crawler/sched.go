package crawler

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
)

// Scheduling
//
// One goroutine (the run loop) owns all scheduling state: a FIFO queue, a
// rate.Limiter, an in-flight count, a pause deadline and a circuit breaker
// per host, plus a heap of jobs waiting for a retry. It starts a request
// only when the host has a token, is not paused, has fewer than N requests
// in flight, and fewer than M are in flight overall; each request runs in
// its own goroutine and reports back to the loop. Nothing ever waits for a
// token or a pause while holding a slot, so a slow, dead or rate-limited
// host never delays the others.
//
// A request still running after Options.SlowAfter (a URL that hangs or
// drips its body) gives its slot back and moves to a pool of slow
// requests, at most slowPool×N per host and M overall, as long as the
// host's last answer came quickly: the host's other links and the rest of
// the run go on beside it (a request that does not answer costs the server
// little). A host whose answers are all slow is overloaded: its requests
// keep their slots, and its concurrency limit holds. A host never has more than
// (1+slowPool)×N requests in flight, and the run never more than 2M. A retry waits in the delay heap, holding no slot,
// then joins the back of its host's queue, behind the links not yet tried.
//
// The circuit breaker counts host-down failures (see failure.hostDown) in
// sequence: a failure counts only if its request started after the last
// counted failure came back, so requests failing together while in
// flight at once count as one. A success of any request on the host resets
// it. Once open, the host's remaining links are not tried and are
// reported skipped ("not checked"), never bad.
//
// A job is one unique URL. Each step of it (the first request, a GET after
// a HEAD, every redirect hop, every retry, the GitHub API lookup) goes back
// through the queue of the host it is about to contact.

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
	c.statsMu.Unlock()
	targets = c.githubBatch(ctx, targets, emit)
	r := &run{
		c:       c,
		ctx:     ctx,
		emit:    emit,
		total:   len(targets),
		hosts:   map[string]*host{},
		results: make(chan *done, c.opts.Concurrency),
		probes:  map[string]*probeState{},

		probeBase: map[string]*url.URL{},
	}
	jobs := map[string]*job{}
	var order []*job
	for _, t := range targets {
		if j, ok := jobs[t.URL]; ok {
			j.copies++
			continue
		}
		j := &job{t: t, copies: 1}
		jobs[t.URL] = j
		order = append(order, j)
	}
	for _, j := range order {
		r.admit(j)
	}
	err := r.loop()
	r.flushHeld()
	r.recordRates()
	return err
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

// job is the check of one unique URL.
type job struct {
	t      Target
	copies int               // targets sharing this URL
	res    *linkvault.Result // made when the job starts or ends: a queued job stays small

	link   string // host key of the link, for statistics
	cur    *url.URL
	host   *host
	method string
	tries  int            // retries spent on the current request
	seen   map[string]int // URLs visited in the redirect chain, made at its first hop
	start  time.Time

	github  string // OWNER/REPO to look up, when enabled
	api     bool   // the GitHub API lookup is under way
	apiHops int
	apiAway bool // an API redirect left the API's origin: no token since

	readyAt time.Time // when a delayed retry is due
	fail    *failure  // the failure a delayed retry is to repeat
	failErr string    // and its error
	index   int       // in the delay heap

	probe    bool   // this job is the random-path probe of a host
	probeKey string // the host key the probe answers for
	probePg  *page  // the probe's 2xx page
}

// host is the scheduling state of one host.
type host struct {
	key      string
	queue    []*job
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

// done is a finished request coming back to the loop.
type done struct {
	f      *flight
	j      *job
	x      *exchange
	page   *page
	capErr error
}

// run is the state of one Check call, owned by the loop goroutine.
type run struct {
	c        *Checker
	ctx      context.Context
	emit     func(linkvault.Result)
	total    int
	emitted  int
	hosts    map[string]*host
	active   []*host // hosts with queued jobs, in round-robin order
	delayed  delayHeap
	inflight int       // requests holding a slot
	slow     int       // requests in the pool of slow requests
	flights  []*flight // requests holding a slot, in start order
	results  chan *done

	probes    map[string]*probeState // by host key of the links
	probeBase map[string]*url.URL    // by host key: the first deep link, whose parent path the probe asks
	held      []heldResult           // redirected ok results, for generic-target
}

// probeState is the random-path probe of one host in one run.
type probeState struct {
	done    bool
	res     probeResult
	waiters []*waiting // links whose verdict needs the probe
}

// waiting is a 2xx link waiting for the probe of its host.
type waiting struct {
	j    *job
	code int
	link *url.URL
	s    localSignals
	page *page // nil when not HTML
}

// heldResult is an ok result that redirected to another path, held until
// the end of the run to see whether many links end on the same page.
type heldResult struct {
	j   *job
	res linkvault.Result
}

// admit screens a new job and queues it.
func (r *run) admit(j *job) {
	o := &r.c.opts
	u, err := url.Parse(j.t.URL)
	switch {
	case err != nil:
		r.finishNow(j, linkvault.StatusSkipped, "invalid URL")
		return
	case u.Scheme != "http" && u.Scheme != "https":
		r.finishNow(j, linkvault.StatusSkipped, reasonScheme)
		return
	case u.Host == "":
		r.finishNow(j, linkvault.StatusSkipped, "invalid URL")
		return
	}
	if why := o.skipReason(j.t.URL); why != "" {
		r.finishNow(j, linkvault.StatusSkipped, why)
		return
	}
	if ip := net.ParseIP(strings.Trim(u.Hostname(), "[]")); ip != nil && privateIP(ip) && !o.AllowPrivate {
		r.finishNow(j, linkvault.StatusSkipped, reasonPrivate)
		return
	}
	j.cur = u
	j.link = strings.ToLower(u.Host)
	if _, ok := r.probeBase[j.link]; !ok && !rootPath(u) {
		r.probeBase[j.link] = u
	}
	if o.GitHubToken != "" {
		j.github = githubRepo(j.t.URL)
	}
	j.method = http.MethodGet
	if !j.t.Capture && headFirst(u) {
		j.method = http.MethodHead
	}
	r.enqueue(j, false)
}

// hostFor returns the state of the host of u, creating it.
func (r *run) hostFor(u *url.URL) *host {
	key := strings.ToLower(u.Host)
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
	r.hosts[key] = h
	return h
}

// enqueue puts j in the queue of the host it is to contact next.
func (r *run) enqueue(j *job, front bool) {
	h := r.hostFor(j.cur)
	j.host = h
	if front {
		h.queue = append([]*job{j}, h.queue...)
	} else {
		h.queue = append(h.queue, j)
	}
	if !h.active {
		h.active = true
		r.active = append(r.active, h)
	}
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
}

// dropQueued ends a budgeted run at Options.Deadline: the links not yet
// started, and the retries still waiting, get no result (they keep their
// state, due again the next run); the requests in flight finish.
func (r *run) dropQueued() {
	for _, h := range r.active {
		clear(h.queue)
		h.queue = nil
	}
	r.active = r.active[:0]
	r.delayed = r.delayed[:0]
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
				for _, j := range h.queue {
					r.circuitOpen(j, h)
				}
				h.queue = nil
			}
			if len(h.queue) == 0 {
				continue
			}
			ok, at := h.ready(now)
			if !ok {
				wake = earliest(wake, at)
				continue
			}
			j := h.queue[0]
			h.queue[0] = nil
			h.queue = h.queue[1:]
			r.start(j)
			progress = true
		}
		// Drop hosts with nothing queued; rotate so that the next round
		// starts after the hosts served in this one.
		kept := r.active[:0]
		for _, h := range r.active {
			if len(h.queue) > 0 {
				kept = append(kept, h)
			} else {
				h.active = false
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

// step runs one request and the work that needs its body (analysis,
// capture), off the loop goroutine. It must not touch j.
func (c *Checker) step(ctx context.Context, j *job, req request, link string) *done {
	x := c.do(ctx, req)
	d := &done{j: j, x: x}
	if x.err == nil && len(x.body) > 0 && req.body == readPage && isHTML(x.resp.Header.Get("Content-Type")) {
		p := analyzePage(x.body, x.resp.Header.Get("Content-Type"), x.resp.Header.Get("Content-Encoding"))
		d.page = &p
		x.body = nil
	}
	if req.captureAPI && x.err == nil && x.bodyErr == nil && !x.truncated && x.resp.StatusCode == http.StatusOK {
		d.capErr = c.offer(ctx, x, x.req.url, nil, bytes.NewReader(x.body), int64(len(x.body)), false)
	}
	if x.spool != nil {
		code := x.resp.StatusCode
		// A platform's "deleted" page is not worth keeping; other soft
		// 404s are known only later (after the probe) and are captured:
		// reports offer the copy taken while the link was ok.
		if code >= 200 && code < 300 && (d.page == nil || c.platformGone(x.req.url, d.page) == "") {
			d.capErr = c.capture(ctx, x, link, d.page)
		}
		x.dropSpool()
	}
	return d
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

// handle advances a job after one of its requests: the meaning of the
// answer is decided by judgeFailure, judgeHost and judgeOutcome
// (classify.go); handle only acts on their verdicts.
func (r *run) handle(d *done) {
	j, x, h := d.j, d.x, d.j.host
	o := &r.c.opts
	now := time.Now()
	r.account(h, x)
	j.res.Requests++
	j.res.Duration += x.duration
	if r.ctx.Err() != nil && x.err != nil {
		return // aborted by the caller: not a result
	}
	if x.err != nil {
		r.handleFailure(d)
		return
	}
	h.fails = 0
	resp := x.resp
	code := resp.StatusCode
	ra, hasRA := retryAfter(resp.Header.Get("Retry-After"), now)
	switch judgeHost(code, hasRA) {
	case hostThrottle:
		h.throttle(now, ra, hasRA, o.RetryAfterMax)
	case hostRecover:
		h.recover(now)
	}
	if j.api {
		r.handleAPI(j, x, ra, hasRA)
		return
	}
	r.record(j, x)
	pg := page{}
	if d.page != nil {
		pg = *d.page
	}
	v := judgeOutcome(outcome{
		code:       code,
		location:   resp.Header.Get("Location") != "",
		html:       isHTML(resp.Header.Get("Content-Type")),
		challenged: challenge(resp.Header, pg),
		head:       j.method == http.MethodHead,
		tries:      j.tries,
		retries:    o.Retries,
		probe:      j.probe,
		soft404Off: o.Soft404.Disabled,
		accepted:   r.c.okStatus(h.key, code),
	})
	switch v.act {
	case actRedirect:
		r.redirect(j, x)
	case actNotModified:
		j.res.NotModified = true
		r.finish(j, v.status, v.reason)
	case actRefetchGET:
		j.method = http.MethodGet
		j.tries = 0
		r.enqueue(j, true)
	case actOK, actSoft404:
		j.res.Title = pg.title
		if d.page != nil && driftTracked(j.t.URL) {
			j.res.TextHash = linkvault.Fingerprint(d.page.textHash)
		}
		if d.capErr != nil {
			j.res.Error = d.capErr.Error()
		}
		if j.probe {
			j.probePg = d.page
		}
		if v.act == actSoft404 {
			r.soft404(j, code, d.page)
			return
		}
		r.finish(j, v.status, v.reason)
	case actRetry:
		j.tries++
		r.later(j, r.retryWait(j.tries, ra, hasRA))
	default:
		r.finish(j, v.status, v.reason)
	}
}

// handleFailure acts on a request that got no answer.
func (r *run) handleFailure(d *done) {
	j, x, h := d.j, d.x, d.j.host
	o := &r.c.opts
	f := classifyError(x.err, o)
	if f.hostDown {
		h.failed(d.f.seq, f.reason, o.BreakerThreshold)
	}
	if v := judgeFailure(f, j.tries, o.Retries, h.open != ""); v.act == actRetry {
		j.tries++
		j.fail, j.failErr = &f, shortError(x.err)
		r.later(j, r.backoff(j.tries))
		return
	}
	j.res.Error = shortError(x.err)
	r.failed(j, f)
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

// failed ends j with the transport failure f.
func (r *run) failed(j *job, f failure) {
	if j.api {
		r.complete(j)
		return
	}
	r.finish(j, f.status, f.reason)
}

// retryWait is the pause before retry n: the backoff, or the server's
// Retry-After (capped) when longer.
func (r *run) retryWait(n int, ra time.Duration, hasRA bool) time.Duration {
	w := r.backoff(n)
	if hasRA {
		w = max(w, min(ra, r.c.opts.RetryAfterMax))
	}
	return w
}

// record copies the response metadata of the latest request into the
// result.
func (r *run) record(j *job, x *exchange) {
	resp := x.resp
	res := j.res
	res.HTTPStatus = resp.StatusCode
	res.FinalURL = x.req.url
	res.ContentType = resp.Header.Get("Content-Type")
	res.ContentLength = resp.ContentLength
	res.BytesRead += x.bytesRead
	res.Truncated = x.truncated
	if et := resp.Header.Get("ETag"); et != "" {
		res.ETag = et
	}
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		res.LastModified = lm
	}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		res.CertExpiry = resp.TLS.PeerCertificates[0].NotAfter
	}
	if x.bodyErr != nil {
		if x.readTO {
			res.Error = "timeout after " + r.c.opts.ReadTimeout.String() + " reading body"
		} else {
			res.Error = "reading body: " + shortError(x.bodyErr)
		}
	}
}

// redirect follows a 3xx answer to its Location. The random-path probe
// is not followed: where it is sent is what it tells (see probeDone).
func (r *run) redirect(j *job, x *exchange) {
	resp := x.resp
	j.res.Redirects = append(j.res.Redirects, linkvault.Redirect{Status: resp.StatusCode, URL: x.req.url})
	next, err := nextURL(j.cur, resp.Header.Get("Location"))
	if j.probe {
		if err == nil {
			j.cur = next
		}
		r.probeDone(j, linkvault.StatusOK)
		return
	}
	if err != nil {
		r.finish(j, linkvault.StatusBroken, err.Error())
		return
	}
	key := next.String()
	if len(j.res.Redirects) > maxRedirects {
		r.finish(j, linkvault.StatusBroken, reasonTooMany)
		return
	}
	// A redirect back to a visited URL is a loop, except once when the
	// server set a cookie on the way (a session handshake).
	if j.seen == nil {
		// Most links do not redirect: no map for them.
		j.seen = map[string]int{j.res.Redirects[0].URL: 1}
	}
	if n := j.seen[key]; n > 0 && (n > 1 || len(resp.Header.Values("Set-Cookie")) == 0) {
		r.finish(j, linkvault.StatusBroken, reasonLoop)
		return
	}
	j.seen[key]++
	j.cur = next
	j.tries = 0
	r.enqueue(j, true)
}

// nextURL resolves a redirect's Location against cur, without fragment,
// in canonical form.
func nextURL(cur *url.URL, location string) (*url.URL, error) {
	next, err := cur.Parse(strings.TrimSpace(location))
	if err != nil {
		return nil, errors.New("invalid redirect location")
	}
	if next.Scheme != "http" && next.Scheme != "https" {
		return nil, errors.New("redirect to unsupported scheme")
	}
	next.Fragment, next.RawFragment = "", ""
	if canon, _, err := extract.Canonical(next.String()); err == nil {
		if u, err := url.Parse(canon); err == nil {
			next = u
		}
	}
	return next, nil
}

// handleAPI handles an answer of the GitHub API.
func (r *run) handleAPI(j *job, x *exchange, ra time.Duration, hasRA bool) {
	o := &r.c.opts
	code := x.resp.StatusCode
	switch {
	case code >= 300 && code < 400 && x.resp.Header.Get("Location") != "" && j.apiHops < 5:
		next, err := j.cur.Parse(x.resp.Header.Get("Location"))
		if err == nil && (next.Scheme == "http" || next.Scheme == "https") {
			j.apiHops++
			j.cur = next
			j.tries = 0
			r.enqueue(j, true)
			return
		}
	case code == http.StatusOK:
		if g, err := parseGitHubRepo(j.github, x.body); err == nil {
			j.res.GitHub = g
		}
	case code == http.StatusNotFound:
		j.res.GitHub = &linkvault.GitHubRepo{FullName: j.github}
	case (code == http.StatusTooManyRequests || code >= 500) && j.tries < o.Retries:
		j.tries++
		r.later(j, r.retryWait(j.tries, ra, hasRA))
		return
	}
	r.complete(j)
}

// finish ends the page check of j with a status, then looks the repository
// up on the GitHub API if due, or completes j.
func (r *run) finish(j *job, st linkvault.Status, reason string) {
	if j.probe {
		r.probeDone(j, st)
		return
	}
	j.res.Status = st
	j.res.Reason = reason
	if st == linkvault.StatusOK {
		j.res.MovedTo = movedTo(j.t.URL, j.res.Redirects, j.res.FinalURL)
	}
	if j.github != "" && !j.api && r.ctx.Err() == nil {
		api, err := url.Parse(r.c.opts.GitHubAPI + "/repos/" + j.github)
		if err == nil {
			j.api = true
			j.cur = api
			j.method = http.MethodGet
			j.tries = 0
			r.enqueue(j, true)
			return
		}
	}
	r.complete(j)
}

// circuitOpen ends j without contacting its host: a link waiting for a
// retry keeps the failure it had; one never tried is not checked
// (skipped), never bad: the host's failures are not its own.
func (r *run) circuitOpen(j *job, h *host) {
	j.result()
	if j.fail != nil {
		j.res.Error = j.failErr
		r.failed(j, *j.fail)
		return
	}
	if j.api {
		r.complete(j)
		return
	}
	r.finish(j, linkvault.StatusSkipped, "not checked: "+h.open)
}

// result returns the result of j, making it on first use.
func (j *job) result() *linkvault.Result {
	if j.res == nil {
		j.res = &linkvault.Result{URL: j.t.URL, ContentLength: -1}
	}
	return j.res
}

// finishNow ends a job that needs no request.
func (r *run) finishNow(j *job, st linkvault.Status, reason string) {
	j.result()
	j.res.Status = st
	j.res.Reason = reason
	r.complete(j)
}

// complete emits the result of j once per target sharing its URL; an ok
// result that redirected to another path is held until the end of the run
// (see flushHeld).
func (r *run) complete(j *job) {
	res := *j.res
	res.DurationMS = res.Duration.Milliseconds()
	res.CheckedAt = r.c.opts.Now()
	if r.hold(j, res) {
		return
	}
	r.emitJob(j, res)
}

// emitJob emits res once per target sharing the URL of j.
func (r *run) emitJob(j *job, res linkvault.Result) {
	if j.link != "" {
		r.c.statsMu.Lock()
		s := r.c.stat(j.link)
		s.Links++
		if res.Status.Bad() {
			s.Bad++
		}
		if res.Status == linkvault.StatusBlocked {
			s.Blocked++
		}
		r.c.statsMu.Unlock()
	}
	for range j.copies {
		out := res
		out.Redirects = append([]linkvault.Redirect(nil), res.Redirects...)
		if res.GitHub != nil {
			g := *res.GitHub
			out.GitHub = &g
		}
		r.emit(out)
		r.emitted++
		if r.c.opts.Progress != nil {
			r.c.opts.Progress(r.emitted, r.total)
		}
	}
}

// delayHeap orders jobs waiting for a retry by due time.
type delayHeap []*job

func (h delayHeap) Len() int           { return len(h) }
func (h delayHeap) Less(i, k int) bool { return h[i].readyAt.Before(h[k].readyAt) }
func (h delayHeap) Swap(i, k int)      { h[i], h[k] = h[k], h[i]; h[i].index = i; h[k].index = k }
func (h *delayHeap) Push(x any)        { j := x.(*job); j.index = len(*h); *h = append(*h, j) }
func (h *delayHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return j
}

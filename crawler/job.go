package crawler

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
)

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

	probe *probeJob // set when this job is the random-path probe of a host (probe.go)
	req   *reqJob   // set when this job fetches a page requisite (requisites.go)
}

// done is a finished request coming back to the loop.
type done struct {
	f      *flight
	j      *job
	x      *exchange
	page   *page
	capErr error
	reqs   []requisite // requisites found in a fresh capture (requisites.go)
}

// step runs one request and the work that needs its body (analysis,
// capture), off the loop goroutine. It must not touch j.
func (c *Checker) step(ctx context.Context, j *job, req request, link string) *done {
	x := c.do(ctx, req)
	d := &done{j: j, x: x}
	var raw []byte // the page, kept for its requisites
	if x.err == nil && len(x.body) > 0 && req.body == readPage && isHTML(x.resp.Header.Get("Content-Type")) {
		// A page cut short has anchors past the cut: no verdict on its
		// fragments.
		var frags []string
		if !x.truncated {
			frags = j.t.Fragments
		}
		p := analyzePageFor(x.body, x.resp.Header.Get("Content-Type"), x.resp.Header.Get("Content-Encoding"), frags)
		d.page = &p
		if len(c.opts.Requisites.Kinds) > 0 && req.requisite == nil && x.spool != nil {
			raw = x.body
		}
		x.body = nil
	}
	if req.captureAPI && x.err == nil && x.bodyErr == nil && !x.truncated && x.resp.StatusCode == http.StatusOK {
		_, d.capErr = c.offer(ctx, x, x.req.url, nil, bytes.NewReader(x.body), int64(len(x.body)), false)
	}
	if x.spool != nil {
		code := x.resp.StatusCode
		// A platform's "deleted" page is not worth keeping; other soft
		// 404s are known only later (after the probe) and are captured:
		// reports offer the copy taken while the link was ok.
		if code >= 200 && code < 300 && (d.page == nil || c.platformGone(x.req.url, d.page) == "") {
			d.reqs, d.capErr = c.captureWithRequisites(ctx, x, link, d.page, raw)
		}
		x.dropSpool()
	}
	return d
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
	r.queueRequisites(j, d)
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
		probe:      j.probe != nil,
		soft404Off: o.Soft404.Disabled || j.req != nil,
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
		j.res.MissingFragments = pg.missing
		if d.page != nil && driftTracked(j.t.URL) {
			j.res.TextHash = linkvault.Fingerprint(d.page.textHash)
		}
		if d.capErr != nil {
			j.res.Error = d.capErr.Error()
		}
		if j.probe != nil {
			j.probe.page = d.page
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
	if j.probe != nil {
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
	if j.probe != nil {
		r.probeDone(j, st)
		return
	}
	if j.req != nil {
		return // a page requisite: no result
	}
	j.res.Status = st
	j.res.Reason = reason
	if st == linkvault.StatusOK {
		j.res.MovedTo = movedTo(j.t.URL, j.res.Redirects, j.res.FinalURL)
	}
	if j.github != "" && !j.api && r.ctx.Err() == nil && !r.pastDeadline() {
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
	if h := r.hosts[j.link]; h != nil && j.link != "" {
		h.links--
		r.noteIdle(h)
	}
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

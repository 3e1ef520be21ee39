package crawler

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/linkvault/linkvault"
)

// This file holds the scheduler's side of soft 404 detection (see
// soft404.go for the signals): the random-path probe of each host, and the
// generic-target pass at the end of a run. Like the rest of the scheduler,
// it runs on the loop goroutine only.

// soft404 decides whether a 2xx answer of j (its final page p, nil when
// not HTML) is a soft 404: at once when the page alone tells, otherwise
// once the probe of its host has answered.
func (r *run) soft404(j *job, code int, p *page) {
	link, err := url.Parse(j.t.URL)
	if err != nil {
		r.finish(j, linkvault.StatusOK, statusReason(code))
		return
	}
	w := &waiting{j: j, code: code, link: link, s: r.c.pageSignals(link, j.cur, p), page: p}
	probe := p != nil && !r.c.opts.Soft404.NoProbe && len(w.s.evidence) == 0 &&
		(!rootPath(link) || w.s.parked)
	if !probe {
		r.decide(w, nil)
		return
	}
	key := j.link
	ps := r.probes[key]
	switch {
	case ps == nil:
		ps = &probeState{}
		r.probes[key] = ps
		// The first deep link of the host in the input, not the first
		// to answer: the same notes probe the same path every run.
		base := link
		if b, ok := r.probeBase[key]; ok {
			if u, err := url.Parse(b); err == nil {
				base = u
			}
		}
		r.startProbe(key, base)
	case ps.done:
		r.decide(w, &ps.res)
		return
	}
	ps.waiters = append(ps.waiters, w)
}

// decide finishes a waiting link with the verdict of judge. The pages of
// the link and of the probe are compared without the words of either
// request path, since a "not found" template echoes the path asked for
// and the site's name may be part of one path and not the other.
func (r *run) decide(w *waiting, pr *probeResult) {
	j := w.j
	var sig *pageSig
	shell := false
	if w.page != nil {
		paths := w.link.EscapedPath() + " " + j.cur.EscapedPath()
		if pr != nil {
			paths += " " + pr.paths
			if pr.page != nil {
				ps := newSig(*pr.page, paths)
				probe := *pr
				probe.sig = &ps
				pr = &probe
			}
		}
		sg := newSig(*w.page, paths)
		sig, shell = &sg, appShell(*w.page)
	}
	v := judge(w.link, j.cur.String(), w.s, sig, shell, pr)
	if !v.soft() {
		r.finish(j, linkvault.StatusOK, statusReason(w.code))
		return
	}
	j.res.SoftNotFound = true
	j.res.Evidence = v.evidence
	r.finish(j, linkvault.StatusSoft404, v.reason)
}

// startProbe queues the random-path probe of the host key, built from
// link. It goes through the host's queue like any request, ahead of the
// links waiting in it.
func (r *run) startProbe(key string, link *url.URL) {
	u, err := url.Parse(probeURL(link))
	if err != nil {
		r.probeResolved(key, probeResult{})
		return
	}
	pj := &job{
		t:      Target{URL: u.String()},
		probe:  &probeJob{key: key},
		res:    &linkvault.Result{URL: u.String(), ContentLength: -1},
		seen:   map[string]int{u.String(): 1},
		cur:    u,
		method: http.MethodGet,
		// One request: an error answer to a made-up path says the
		// host behaves, however it was meant.
		tries: r.c.opts.Retries,
	}
	r.enqueue(pj, true)
}

// probeDone records the outcome of a probe job and decides the links
// waiting for it. A probe is one request: a redirect is not followed, its
// target is the probe's final URL (a host sending unknown paths to its
// home or error page sends dead links there too).
func (r *run) probeDone(pj *job, st linkvault.Status) {
	res := probeResult{status: pj.res.HTTPStatus, final: pj.cur.String(), paths: pj.cur.EscapedPath()}
	if st == linkvault.StatusUnreachable || st == linkvault.StatusSkipped {
		res.status = 0
	}
	if u, err := url.Parse(pj.t.URL); err == nil {
		res.paths += " " + u.EscapedPath()
	}
	if p := pj.probe.page; p != nil && res.soft200() {
		res.page = p
		res.shell = appShell(*p)
	}
	r.probeResolved(pj.probe.key, res)
}

func (r *run) probeResolved(key string, res probeResult) {
	ps := r.probes[key]
	if ps == nil {
		return // not expected: a host waiting for its probe is kept (see sweep)
	}
	ps.done, ps.res = true, res
	waiters := ps.waiters
	ps.waiters = nil
	for _, w := range waiters {
		r.decide(w, &ps.res)
	}
}

// settleDropped ends the jobs that the deadline of a budgeted run dropped
// before they started, so that no link already fetched is lost: a host's
// probe is resolved without an answer (its waiting links are judged as
// when the probe fails), and a GitHub API lookup completes the page check
// it follows. Other jobs get no result: their links keep their state.
func (r *run) settleDropped(jobs []*job) {
	for _, j := range jobs {
		switch {
		case j.probe != nil:
			r.probeResolved(j.probe.key, probeResult{})
		case j.api:
			r.complete(j)
		}
	}
}

// pastDeadline reports whether a budgeted run reached Options.Deadline:
// nothing new is queued then.
func (r *run) pastDeadline() bool {
	dl := r.c.opts.Deadline
	return !dl.IsZero() && !time.Now().Before(dl)
}

// landed reports whether a link ended on a page with another path than its
// own (not the same path over https or with a trailing slash): a candidate
// for generic-target.
func landed(link, final string) (string, bool) {
	lu, err1 := url.Parse(link)
	fu, err2 := url.Parse(final)
	if err1 != nil || err2 != nil || final == "" || rootPath(lu) {
		return "", false
	}
	if slices.Equal(segments(lu.EscapedPath()), segments(fu.EscapedPath())) {
		return "", false
	}
	return lu.EscapedPath(), true
}

// hold keeps an ok result that ended on another path for flushHeld.
func (r *run) hold(j *job, res linkvault.Result) bool {
	if j.probe != nil || res.Status != linkvault.StatusOK || r.c.opts.Soft404.Disabled || len(res.Redirects) == 0 {
		return false
	}
	if _, ok := landed(j.t.URL, res.FinalURL); !ok {
		return false
	}
	r.held = append(r.held, heldResult{j: j, res: res})
	return true
}

// flushHeld marks as soft 404s the held results whose final page is the
// landing page of at least GenericMin links of the same host with
// different paths (counting Options.KnownLandings from earlier runs), and
// emits every held result.
func (r *run) flushHeld() {
	if len(r.held) == 0 {
		return
	}
	type group struct {
		paths map[string]bool
	}
	groups := map[string]*group{}
	key := func(link, final string) (string, string, bool) {
		u, err1 := url.Parse(link)
		f, err2 := url.Parse(final)
		if err1 != nil || err2 != nil {
			return "", "", false
		}
		p, ok := landed(link, final)
		// Short links ("https://sho.rt/abc") sending several people to
		// the same page on another site are doing their job.
		if !ok || !sameSite(u, f) && len(segments(u.EscapedPath())) < 2 {
			return "", "", false
		}
		return strings.ToLower(u.Host) + " " + final, p, true
	}
	add := func(link, final string) {
		k, p, ok := key(link, final)
		if !ok {
			return
		}
		g := groups[k]
		if g == nil {
			g = &group{paths: map[string]bool{}}
			groups[k] = g
		}
		g.paths[p] = true
	}
	for _, h := range r.held {
		add(h.j.t.URL, h.res.FinalURL)
	}
	for link, final := range r.c.opts.KnownLandings {
		add(link, final)
	}
	min := r.c.opts.Soft404.GenericMin
	for _, h := range r.held {
		res := h.res
		if k, _, ok := key(h.j.t.URL, res.FinalURL); ok && len(groups[k].paths) >= min {
			res.Status = linkvault.StatusSoft404
			res.SoftNotFound = true
			res.Evidence = append(res.Evidence, linkvault.EvidenceGenericTarget)
			res.Reason = soft404Reason(res.Evidence, localSignals{}, nil)
			res.MovedTo = ""
		}
		r.emitJob(h.j, res)
	}
	r.held = nil
}

// probeJob is what a job that is the random-path probe of a host carries.
type probeJob struct {
	key  string // the host key the probe answers for
	page *page  // the probe's 2xx page
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

package crawler

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/linkvault/linkvault"
)

// RequisiteOptions configures the capture of page requisites: what an
// archived HTML page needs to render (stylesheets, images, fonts,
// favicons, and scripts when asked). The zero value captures none.
//
// Requisites are fetched only for a page whose capture stored a new
// payload (Capture reported fresh): an unchanged page costs no requisite
// request. Each requisite is an ordinary request of the run: it waits in
// its host's queue, takes a token of its host's bucket, counts against the
// concurrency limits, is retried and slowed down on 429 like a check, and
// is captured through Capture, with the page as its Referer (hosts that
// refuse hotlinking want it). A requisite is fetched once per run however
// many pages need it, and the archive stores an unchanged payload as a
// revisit. Stylesheets are read for their own requisites (@import, url()).
// Requisites are never results: they get no verdict and no report row.
type RequisiteOptions struct {
	// Kinds are the kinds captured (RequisiteKinds); empty: none.
	Kinds []string
	// Max is the number of requisites fetched at most per page, those of
	// its stylesheets included (default DefaultRequisitesMax).
	Max int
	// MaxBytes is the payload bytes stored at most per page
	// (default DefaultRequisitesMaxBytes); a requisite that does not fit in
	// what is left is not stored.
	MaxBytes int64
	// Capture, when set, is offered pages and requisites instead of
	// Options.Capture, and reports whether the payload was new (false: the
	// same as the URL's latest capture). Without it every captured page
	// counts as new.
	Capture func(ctx context.Context, ex *linkvault.Exchange) (fresh bool, err error)
}

// Defaults of RequisiteOptions.
const (
	DefaultRequisitesMax      = 50
	DefaultRequisitesMaxBytes = 20 << 20
)

func (o *RequisiteOptions) withDefaults() {
	if o.Max <= 0 {
		o.Max = DefaultRequisitesMax
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultRequisitesMaxBytes
	}
}

// on reports whether requisites of kind are captured.
func (o *RequisiteOptions) on(kind string) bool { return slices.Contains(o.Kinds, kind) }

// requisiteStats counts what a Check did for page requisites.
type requisiteStats struct {
	Pages    int   // pages whose requisites were looked for
	Requests int   // requisite requests (redirects and retries included)
	Captured int   // requisites offered to Capture
	Fresh    int   // of them, with a new payload
	Bytes    int64 // payload bytes of the fresh ones
	Dropped  int   // requisites over a page's count or byte cap
}

// requisiteStats returns the requisite counters of the last (or current)
// Check.
func (c *Checker) requisiteStats() requisiteStats {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	return c.reqStats
}

// pageReqs is the requisite budget of one page, shared by the requisites
// of the page and of its stylesheets.
type pageReqs struct {
	referer string
	queued  int          // requisites queued (loop goroutine only)
	left    atomic.Int64 // payload bytes left
}

// take reserves n bytes of the page's budget.
func (p *pageReqs) take(n int64) bool {
	for {
		l := p.left.Load()
		if n > l {
			return false
		}
		if p.left.CompareAndSwap(l, l-n) {
			return true
		}
	}
}

// reqJob marks a job fetching a requisite of a page.
type reqJob struct {
	page *pageReqs
	kind string
}

// queueRequisites queues the requisites found in d (a page just captured
// with a new payload, or a stylesheet among its requisites) that the run
// has not fetched yet, up to the page's cap.
func (r *run) queueRequisites(j *job, d *done) {
	if len(d.reqs) == 0 || r.ctx.Err() != nil {
		return
	}
	o := &r.c.opts.Requisites
	p := &pageReqs{referer: d.x.req.url}
	if j.req != nil {
		p = j.req.page
	} else {
		p.left.Store(o.MaxBytes)
		r.c.countRequisites(func(s *requisiteStats) { s.Pages++ })
	}
	if r.reqSeen == nil {
		r.reqSeen = map[string]bool{}
	}
	for _, q := range d.reqs {
		if r.reqSeen[q.url] || !o.on(q.kind) {
			continue
		}
		if p.queued >= o.Max {
			r.c.countRequisites(func(s *requisiteStats) { s.Dropped++ })
			continue
		}
		u, err := url.Parse(q.url)
		if err != nil || r.c.opts.requisiteExcluded(q.url) {
			continue
		}
		r.reqSeen[q.url] = true
		p.queued++
		rj := &job{t: Target{URL: q.url, Capture: true}, copies: 1, cur: u, method: http.MethodGet,
			req: &reqJob{page: p, kind: q.kind}}
		r.enqueue(rj, false)
	}
}

// requisiteRequest dresses the request of a requisite as a browser's.
func (c *Checker) requisiteRequest(req *request, rj *reqJob) {
	c.countRequisites(func(s *requisiteStats) { s.Requests++ })
	req.requisite = rj
	req.header.Set("Referer", rj.page.referer)
	switch rj.kind {
	case RequisiteCSS:
		req.header.Set("Accept", "text/css,*/*;q=0.1")
	case RequisiteImages, RequisiteFavicons:
		req.header.Set("Accept", "image/avif,image/webp,image/apng,image/*,*/*;q=0.8")
	default:
		req.header.Set("Accept", "*/*")
	}
}

// requisiteFits reports whether the spooled requisite x may be stored:
// whole, and within what is left of its page's bytes.
func (c *Checker) requisiteFits(x *exchange) bool {
	rj := x.req.requisite
	if x.spoolTrunc || !rj.page.take(x.spoolSize) {
		c.countRequisites(func(s *requisiteStats) { s.Dropped++ })
		return false
	}
	return true
}

// stylesheetRequisites reads a spooled stylesheet (at most keepBody
// bytes) for its own requisites.
func stylesheetRequisites(x *exchange) []requisite {
	if mediaType(x.resp.Header.Get("Content-Type")) != "text/css" || x.spool == nil {
		return nil
	}
	if _, err := x.spool.Seek(0, io.SeekStart); err != nil {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(x.spool, min(x.spoolSize, keepBody)))
	if err != nil {
		return nil
	}
	return findCSSRequisites(data, x.req.url)
}

func (c *Checker) countRequisites(f func(*requisiteStats)) {
	c.statsMu.Lock()
	f(&c.reqStats)
	c.statsMu.Unlock()
}

// captureWithRequisites captures the spooled 2xx answer x (a requisite
// only when it fits its page's budget) and returns the requisites it
// brings when its payload was new: those of the page raw (kept bytes of
// an HTML page, nil otherwise) or of a stylesheet requisite.
func (c *Checker) captureWithRequisites(ctx context.Context, x *exchange, link string, p *page, raw []byte) ([]requisite, error) {
	rj := x.req.requisite
	var reqs []requisite
	switch {
	case rj != nil:
		reqs = stylesheetRequisites(x)
	case raw != nil && !strings.EqualFold(strings.TrimSpace(x.resp.Header.Get("Content-Encoding")), "gzip"):
		reqs = findHTMLRequisites(raw, x.resp.Header.Get("Content-Type"), x.req.url)
	}
	if rj != nil && !c.requisiteFits(x) {
		return nil, nil
	}
	fresh, err := c.capture(ctx, x, link, p)
	if rj != nil && err == nil {
		c.countRequisites(func(s *requisiteStats) {
			s.Captured++
			if fresh {
				s.Fresh++
				s.Bytes += x.spoolSize
			}
		})
	}
	if !fresh {
		return nil, err
	}
	return reqs, err
}

// requisiteExcluded reports whether Options.Exclude keeps the requisite u
// from being fetched (unless Options.Include names it). Include alone does
// not: it chooses which links of the notes are checked, not what their
// pages need.
func (o *Options) requisiteExcluded(u string) bool {
	for _, re := range o.Include {
		if re.MatchString(u) {
			return false
		}
	}
	for _, re := range o.Exclude {
		if re.MatchString(u) {
			return true
		}
	}
	return false
}

package crawler

import (
	"context"
	"fmt"
	"io"
	"mime"
	"os"
	"strings"

	"github.com/linkvault/linkvault"
)

// captureType reports whether the response's media type is one to capture.
func (x *exchange) captureType() bool {
	if x.req.requisite != nil {
		return true
	}
	mt := mediaType(x.resp.Header.Get("Content-Type"))
	if mt == "" {
		return false
	}
	for _, t := range x.opts.CaptureTypes {
		t = strings.ToLower(t)
		if t == mt || strings.HasSuffix(t, "/*") && strings.HasPrefix(mt, t[:len(t)-1]) {
			return true
		}
	}
	return false
}

// mediaType returns the lowercase media type of a Content-Type value.
func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// spoolBody streams the raw body to a temporary file, at most CaptureMax
// bytes, keeping the first bytes of an HTML page in memory for its title.
// Memory stays at one copy buffer plus the kept bytes whatever the size.
func (x *exchange) spoolBody(r io.Reader) {
	f, err := os.CreateTemp("", "linkvault-spool-*")
	if err != nil {
		x.bodyErr = fmt.Errorf("crawler: capture spool: %w", err)
		x.read(r, smallBody, 0, false)
		return
	}
	x.spool = f
	keep := int64(0)
	if isHTML(x.resp.Header.Get("Content-Type")) {
		keep = min(x.opts.MaxBody, keepBody)
	}
	limit := x.opts.CaptureMax
	if rj := x.req.requisite; rj != nil {
		// One byte more than the page has left shows it does not fit.
		limit = min(limit, max(rj.page.left.Load(), 0)+1)
	}
	x.read(io.TeeReader(r, spoolWriter{f}), limit, keep, false)
	x.spoolSize = x.bytesRead
	if x.bytesRead >= limit {
		x.spoolTrunc = moreData(r)
		x.truncated = x.spoolTrunc
	}
}

// spoolWriter names the spool in its write errors.
type spoolWriter struct{ f *os.File }

func (w spoolWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = fmt.Errorf("crawler: capture spool: %w", err)
	}
	return n, err
}

// dropSpool removes the spool file, if any.
func (x *exchange) dropSpool() {
	if x.spool != nil {
		name := x.spool.Name()
		x.spool.Close()
		os.Remove(name)
		x.spool = nil
	}
}

// capture offers a spooled response to Options.Capture and removes the
// spool. Calls are serialised. fresh reports whether the payload was new
// (see RequisiteOptions.Capture).
func (c *Checker) capture(ctx context.Context, x *exchange, linkURL string, p *page) (fresh bool, err error) {
	defer x.dropSpool()
	if c.opts.Capture == nil || x.spool == nil || x.bodyErr != nil {
		return false, nil
	}
	if _, err := x.spool.Seek(0, io.SeekStart); err != nil {
		return false, fmt.Errorf("crawler: capture spool: %w", err)
	}
	return c.offer(ctx, x, linkURL, p, io.LimitReader(x.spool, x.spoolSize), x.spoolSize, x.spoolTrunc)
}

// offer hands one response and its body to Options.Capture, with the title
// and text fingerprint of its page p (nil when not a page). Calls are
// serialised. fresh reports whether the payload was new: what
// RequisiteOptions.Capture says, true without it.
func (c *Checker) offer(ctx context.Context, x *exchange, linkURL string, p *page, body io.Reader, size int64, truncated bool) (fresh bool, err error) {
	var title string
	var hash linkvault.Fingerprint
	if p != nil {
		title, hash = p.title, linkvault.Fingerprint(p.textHash)
	}
	ex := &linkvault.Exchange{
		URL:            x.req.url,
		LinkURL:        linkURL,
		Time:           x.start,
		Method:         x.req.method,
		RequestHeader:  x.reqHeader,
		Proto:          x.resp.Proto,
		StatusCode:     x.resp.StatusCode,
		Status:         x.resp.Status,
		ResponseHeader: x.resp.Header.Clone(),
		RemoteAddr:     x.remoteAddr,
		Title:          title,
		TextHash:       hash,
		Body:           body,
		Size:           size,
		Truncated:      truncated,
	}
	c.capMu.Lock()
	defer c.capMu.Unlock()
	fresh = true
	if rc := c.opts.Requisites.Capture; rc != nil {
		fresh, err = rc(ctx, ex)
	} else {
		err = c.opts.Capture(ctx, ex)
	}
	if err != nil {
		return false, fmt.Errorf("crawler: capture %s: %w", x.req.url, err)
	}
	return fresh, nil
}

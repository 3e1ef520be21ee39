package crawler

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// request is one HTTP request the scheduler asks for.
type request struct {
	method  string
	url     string
	header  http.Header
	body    readMode // how to read a 2xx body
	capture bool     // spool an archivable 2xx body for Options.Capture
	// captureAPI offers a 200 answer of the GitHub API (kept in memory,
	// read as readJSON) to Options.Capture: the repository's metadata is
	// archived beside its page.
	captureAPI bool
	// requisite is set when the request fetches a page requisite: any
	// 2xx type is spooled and captured (requisites.go).
	requisite *reqJob
}

// readMode tells the recorder how much of a 2xx body to read.
type readMode int

const (
	readSmall readMode = iota // up to smallBody bytes, not kept (keep-alive)
	readPage                  // up to MaxBody, the first keepBody bytes kept for analysis
	readJSON                  // up to keepBody bytes, kept (API answers)
)

const (
	smallBody = 64 << 10 // read of bodies we do not analyse, kept for error pages
	keepBody  = 2 << 20  // bytes of a page kept in memory for title and soft 404
)

// exchange is what one request got, filled by the recorder.
type exchange struct {
	req       request
	opts      *Options
	start     time.Time
	duration  time.Duration
	reqHeader http.Header

	resp       *http.Response // status and headers; its body is closed
	remoteAddr string
	body       []byte // kept bytes (raw, as sent)
	bytesRead  int64
	truncated  bool  // the body was longer than what we were willing to read
	bodyErr    error // error while reading the body
	readTO     bool  // bodyErr is the idle read timeout
	deadline   bool  // Options.Timeout cut the request (err is a *timeoutError)
	spool      *os.File
	spoolSize  int64
	spoolTrunc bool

	err error // transport error: no response
}

type exchangeKey struct{}

// do performs one request with net/http and returns what was received.
// One request, no redirect followed, nothing parsed: a crawler (colly)
// would bring nothing here (see the package doc).
func (c *Checker) do(ctx context.Context, r request) *exchange {
	x := &exchange{req: r, opts: &c.opts, start: time.Now()}
	tctx, stop := context.WithTimeout(ctx, c.opts.Timeout)
	defer stop()
	rctx, cancel := context.WithCancel(tctx)
	defer cancel()
	req, err := http.NewRequestWithContext(context.WithValue(rctx, exchangeKey{}, &exchangeCtx{x: x, cancel: cancel}), r.method, r.url, nil)
	if err == nil {
		req.Header = r.header
		if h := r.header.Get("Host"); h != "" {
			req.Host = h
		}
		var resp *http.Response
		if resp, err = c.client.Do(req); err == nil {
			resp.Body.Close() // the recorder read it
		}
	}
	x.duration = time.Since(x.start)
	if ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		// Cut by the total timeout, before or while reading the body
		// (an HTTP/2 stream cut may read as a clean end): what was
		// received does not count.
		x.deadline = true
		x.err = &timeoutError{d: c.opts.Timeout}
		x.dropSpool()
		return x
	}
	if x.resp == nil {
		if err == nil {
			err = errors.New("crawler: no response")
		}
		x.err = err
	}
	return x
}

// timeoutError is a request cut by Options.Timeout.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string {
	return "timeout after " + e.d.String() + " in total"
}

type exchangeCtx struct {
	x      *exchange
	cancel context.CancelFunc
}

// recorder is the RoundTripper under the checker's client: it records the
// response, reads (and caps) the body itself, spools captures to disk, and
// hands the client an empty body.
type recorder struct{ next http.RoundTripper }

func (t *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	xc, _ := req.Context().Value(exchangeKey{}).(*exchangeCtx)
	if xc == nil {
		return t.next.RoundTrip(req)
	}
	x := xc.x
	trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		if ci.Conn != nil {
			x.remoteAddr = ci.Conn.RemoteAddr().String()
		}
	}}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	x.reqHeader = req.Header.Clone()
	x.reqHeader.Del("Authorization")
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	x.resp = resp
	x.readBody(resp.Body, xc.cancel)
	resp.Body.Close()
	return &http.Response{
		Status: resp.Status, StatusCode: resp.StatusCode,
		Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
		Header: resp.Header.Clone(), Body: http.NoBody, ContentLength: 0, Request: req, TLS: resp.TLS,
	}, nil
}

// readBody reads the body as the request's mode asks, with the idle read
// timeout, never more than the caps.
func (x *exchange) readBody(body io.Reader, cancel context.CancelFunc) {
	if x.req.method == http.MethodHead {
		return
	}
	var timedOut bool
	var mu sync.Mutex
	timer := time.AfterFunc(x.opts.ReadTimeout, func() {
		mu.Lock()
		timedOut = true
		mu.Unlock()
		cancel()
	})
	defer timer.Stop()
	r := &idleReader{r: body, timer: timer, d: x.opts.ReadTimeout}
	defer func() {
		mu.Lock()
		x.readTO = timedOut && x.bodyErr != nil
		mu.Unlock()
	}()

	status := x.resp.StatusCode
	switch {
	case status >= 300 && status < 400:
		x.read(r, 4<<10, 0, false)
	case status < 200 || status >= 300:
		x.read(r, smallBody, smallBody, false)
	case x.req.capture && x.captureType():
		x.spoolBody(r)
	case x.req.body == readPage && isHTML(x.resp.Header.Get("Content-Type")):
		x.read(r, x.opts.MaxBody, min(x.opts.MaxBody, keepBody), true)
	case x.req.body == readJSON:
		x.read(r, keepBody, keepBody, true)
	default:
		x.read(r, smallBody, 0, false)
	}
}

// read reads up to limit bytes, keeping the first keep bytes. When flag is
// set, a body longer than limit is recorded as truncated.
func (x *exchange) read(r io.Reader, limit, keep int64, flag bool) {
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	for x.bytesRead < limit {
		n, err := r.Read(buf[:min(int64(len(buf)), limit-x.bytesRead)])
		if n > 0 {
			if kept := int64(len(x.body)); kept < keep {
				x.body = append(x.body, buf[:min(int64(n), keep-kept)]...)
			}
			x.bytesRead += int64(n)
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			x.bodyErr = err
			return
		}
	}
	if flag {
		x.truncated = moreData(r)
	}
}

// readBufs are the buffers of exchange.read: one per request in flight,
// not one per request made (32 KB each, the bulk of a check's garbage).
var readBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// moreData reports whether r has at least one more byte.
func moreData(r io.Reader) bool {
	var one [1]byte
	for range 3 {
		n, err := r.Read(one[:])
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	return false
}

// idleReader resets an idle timer on every read.
type idleReader struct {
	r     io.Reader
	timer *time.Timer
	d     time.Duration
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.timer.Reset(r.d)
	}
	return n, err
}

// requestHeader builds the headers of a request to u.
func (c *Checker) requestHeader(u *url.URL, method string, t *Target, conditional bool) http.Header {
	h := http.Header{}
	h.Set("User-Agent", c.opts.UserAgent)
	if method == http.MethodHead {
		h.Set("Accept", "*/*")
	} else {
		h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	}
	h.Set("Accept-Language", "en-US,en;q=0.9,zh-CN;q=0.8,zh;q=0.7")
	for k, v := range c.opts.Headers {
		h.Set(k, v)
	}
	if ho, ok := c.hostOptions(u.Host); ok {
		for k, v := range ho.Headers {
			h.Set(k, v)
		}
	}
	if conditional && t != nil {
		if t.ETag != "" {
			h.Set("If-None-Match", t.ETag)
		}
		if t.LastModified != "" {
			h.Set("If-Modified-Since", t.LastModified)
		}
	}
	return h
}

// headFirst reports whether a URL names a file download, checked with HEAD
// first; pages are fetched with GET at once, since their title and soft 404
// check need the body anyway.
func headFirst(u *url.URL) bool {
	p := strings.ToLower(u.Path)
	i := strings.LastIndexByte(p, '.')
	if i < 0 || strings.IndexByte(p[i:], '/') >= 0 {
		return false
	}
	return fileExt()[p[i+1:]]
}

var fileExt = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, e := range strings.Fields(`pdf zip gz tgz bz2 xz zst 7z rar tar jar war whl egg
		exe msi dmg pkg deb rpm apk ipa iso img bin
		png jpg jpeg gif webp svg ico bmp tif tiff avif heic
		mp3 mp4 m4a m4v webm mkv avi mov flac ogg wav
		doc docx xls xlsx ppt pptx odt ods odp epub mobi
		csv tsv parquet woff woff2 ttf otf`) {
		m[e] = true
	}
	return m
})

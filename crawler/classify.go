package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/linkvault/linkvault"
)

// Reasons shared by several paths.
const (
	reasonPrivate     = "private address (allow with --allow-private)"
	reasonExcluded    = "excluded"
	reasonNotIncluded = "not included"
	reasonScheme      = "unsupported scheme"
	reasonLoop        = "redirect loop"
	reasonTooMany     = "too many redirects"
)

// maxRedirects is the number of redirect hops followed at most.
const maxRedirects = 10

// failure is the classification of a transport error.
type failure struct {
	status linkvault.Status
	reason string
	// hostDown marks a failure of the host rather than of the URL (DNS,
	// refused, no route, TLS, connect and handshake timeouts): only these
	// count towards the host's circuit breaker. A URL that answers slowly
	// or not at all (header, read or total timeouts) says nothing about
	// the host's other links.
	hostDown bool
	// retryOnce marks a timeout of the URL itself (no headers in time, a
	// body not done in Options.Timeout): each try costs the whole
	// timeout, and a URL that did not answer twice rarely answers a
	// third time, so it is retried once at most.
	retryOnce bool
	retry     bool // worth another attempt
}

// classifyError classifies an error that left no HTTP response.
func classifyError(err error, o *Options) failure {
	var (
		dnsErr   *net.DNSError
		hostErr  x509.HostnameError
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		netErr   net.Error
	)
	var total *timeoutError
	switch {
	case errors.As(err, &total):
		return failure{status: linkvault.StatusUnreachable, reason: total.Error(), retry: true, retryOnce: true}
	case errors.Is(err, errPrivate):
		return failure{status: linkvault.StatusSkipped, reason: reasonPrivate}
	case errors.As(err, &dnsErr):
		msg := dnsErr.Err
		if dnsErr.IsNotFound {
			msg = "no such host"
		}
		return failure{status: linkvault.StatusUnreachable, reason: "DNS: " + msg, hostDown: true, retry: dnsErr.IsTimeout || dnsErr.IsTemporary}
	case errors.As(err, &hostErr), errors.As(err, &unknown), errors.As(err, &invalid):
		return failure{status: linkvault.StatusUnreachable, reason: tlsReason(err), hostDown: true}
	case errors.As(err, &verify), errors.As(err, &recErr), errors.As(err, &alertErr):
		return failure{status: linkvault.StatusUnreachable, reason: tlsReason(err), hostDown: true}
	case errors.Is(err, syscall.ECONNREFUSED):
		return failure{status: linkvault.StatusUnreachable, reason: "connection refused", hostDown: true}
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return failure{status: linkvault.StatusUnreachable, reason: "no route to host", hostDown: true}
	case strings.Contains(err.Error(), "TLS handshake timeout"):
		return failure{status: linkvault.StatusUnreachable, reason: "timeout after " + o.TLSTimeout.String() + " in TLS handshake", hostDown: true, retry: true}
	case strings.Contains(err.Error(), "timeout awaiting response headers"):
		return failure{status: linkvault.StatusUnreachable, reason: "timeout after " + o.HeaderTimeout.String() + " awaiting headers", retry: true, retryOnce: true}
	case errors.As(err, &netErr) && netErr.Timeout(), errors.Is(err, context.DeadlineExceeded):
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return failure{status: linkvault.StatusUnreachable, reason: "timeout after " + o.DialTimeout.String() + " connecting", hostDown: true, retry: true}
		}
		return failure{status: linkvault.StatusUnreachable, reason: "timeout", retry: true, retryOnce: true}
	case strings.Contains(err.Error(), "server response headers exceeded"):
		return failure{status: linkvault.StatusBroken, reason: fmt.Sprintf("response headers larger than %d KB", maxHeaderBytes>>10)}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		strings.Contains(err.Error(), "connection reset"):
		return failure{status: linkvault.StatusUnreachable, reason: "connection reset", retry: true}
	case strings.Contains(err.Error(), "tls:"):
		return failure{status: linkvault.StatusUnreachable, reason: tlsReason(err), hostDown: true}
	}
	return failure{status: linkvault.StatusUnreachable, reason: shortError(err)}
}

// tlsReason turns a TLS error into "TLS: certificate is valid for x, not y".
func tlsReason(err error) string {
	var hostErr x509.HostnameError
	var verify *tls.CertificateVerificationError
	msg := shortError(err)
	switch {
	case errors.As(err, &hostErr):
		msg = hostErr.Error()
	case errors.As(err, &verify):
		msg = verify.Err.Error()
	}
	msg = strings.TrimPrefix(msg, "tls: ")
	msg = strings.TrimPrefix(msg, "x509: ")
	return "TLS: " + msg
}

// shortError strips the url.Error wrapping ("Get \"…\": ") from an error.
func shortError(err error) string {
	var u *url.Error
	if errors.As(err, &u) {
		err = u.Err
	}
	return err.Error()
}

// statusReason is the short text of an HTTP status: "404 Not Found".
func statusReason(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}

// challenge reports whether a response is a bot challenge page
// (Cloudflare and the like) rather than the content.
func challenge(h http.Header, p page) bool {
	if strings.EqualFold(h.Get("Cf-Mitigated"), "challenge") {
		return true
	}
	t := strings.ToLower(p.title)
	return strings.HasPrefix(t, "just a moment") || strings.HasPrefix(t, "attention required") ||
		strings.Contains(t, "checking your browser")
}

// retryAfter parses a Retry-After header (seconds or HTTP date).
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(n, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// trivialMove reports whether a permanent redirect from a to b is not worth
// reporting as a move: only the scheme changed from http to https, and/or a
// trailing slash was added or removed.
func trivialMove(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if ua.Scheme != ub.Scheme && !(ua.Scheme == "http" && ub.Scheme == "https") {
		return false
	}
	if !strings.EqualFold(ua.Host, ub.Host) || ua.RawQuery != ub.RawQuery {
		return false
	}
	return strings.TrimSuffix(ua.EscapedPath(), "/") == strings.TrimSuffix(ub.EscapedPath(), "/")
}

// movedTo returns the URL a chain of redirects permanently moved the link
// to: the target of the last hop of the leading run of 301/308 hops, when
// it differs from the link by more than trivialMove. hops[i].URL answered
// hops[i].Status and redirected to hops[i+1].URL (or final).
func movedTo(link string, hops []linkvault.Redirect, final string) string {
	target := ""
	for i, h := range hops {
		if h.Status != http.StatusMovedPermanently && h.Status != http.StatusPermanentRedirect {
			break
		}
		if i+1 < len(hops) {
			target = hops[i+1].URL
		} else {
			target = final
		}
	}
	if target == "" || target == link || trivialMove(link, target) {
		return ""
	}
	return target
}

// outcome is what one answered request of a page check observed, reduced
// to what its meaning depends on. It is the input of judgeOutcome.
type outcome struct {
	code       int  // HTTP status
	location   bool // a Location header is present
	html       bool // the Content-Type names an HTML document
	challenged bool // the answer is a bot challenge (see challenge)
	head       bool // the request was a HEAD
	tries      int  // retries already spent on this request
	retries    int  // Options.Retries
	probe      bool // the request is the random-path probe of a host
	soft404Off bool // Soft404Options.Disabled
	accepted   bool // the status counts as ok for the host (see okStatus)
}

// action is what the scheduler does with a job after one answer.
type action int

const (
	actFinish      action = iota // end the page check with verdict.status and reason
	actRedirect                  // follow the Location
	actNotModified               // a 304 to a conditional request: ok, unchanged
	actRefetchGET                // ask again, now with GET
	actOK                        // ok: record the page and finish
	actSoft404                   // ok so far: look for a soft 404 before finishing
	actRetry                     // try the same request again later
	actFail                      // end with the transport failure
)

// verdict is the meaning of one outcome: what to do, and, when the action
// ends the check (actFinish, actOK, actNotModified, actFail), the status
// and reason to end with.
type verdict struct {
	act    action
	status linkvault.Status
	reason string
}

// judgeOutcome decides what an HTTP answer of a page check means. It is
// pure: the scheduler's handle only acts on its verdict. The order of the
// cases is the rule: a redirect wins over everything, a HEAD answered with
// an HTML page by a file link is fetched to look for an error page, a bot
// challenge is not "broken", a HEAD answered with an error is asked again
// with GET (servers answer HEAD wrongly often enough) before any error
// status counts.
func judgeOutcome(o outcome) verdict {
	if o.code >= 200 && o.code < 400 {
		if v, ok := judgeAnswer(o); ok {
			return v
		}
	}
	if o.accepted { // listed in check.accept
		return verdict{act: actFinish, status: linkvault.StatusOK, reason: statusReason(o.code) + " (accepted)"}
	}
	return judgeError(o)
}

// judgeAnswer is judgeOutcome for a 2xx or 3xx status; false when the
// status is not accepted and means nothing else either.
func judgeAnswer(o outcome) (verdict, bool) {
	code := o.code
	switch {
	case code >= 300 && code != http.StatusNotModified && o.location:
		return verdict{act: actRedirect}, true
	case code == http.StatusNotModified:
		return verdict{act: actNotModified, status: linkvault.StatusOK, reason: statusReason(code)}, true
	case code < 300 && o.head && o.html && !o.soft404Off:
		// A file link answering with an HTML page is likely the site's
		// error page: fetch it to look.
		return verdict{act: actRefetchGET}, true
	case !o.accepted:
		return verdict{}, false
	case !o.probe && code < 300 && !o.soft404Off:
		return verdict{act: actSoft404}, true
	default:
		return verdict{act: actOK, status: linkvault.StatusOK, reason: statusReason(code)}, true
	}
}

// judgeError is judgeOutcome for a status that is neither a redirect nor
// accepted: an error, a 2xx or 3xx an accept list leaves out, or a status
// the checker does not expect (1xx).
func judgeError(o outcome) verdict {
	code := o.code
	switch {
	case o.challenged:
		return verdict{act: actFinish, status: linkvault.StatusBlocked, reason: "bot challenge (" + statusReason(code) + ")"}
	case code == http.StatusTooManyRequests:
		if o.tries < o.retries {
			return verdict{act: actRetry}
		}
		return verdict{act: actFinish, status: linkvault.StatusThrottled, reason: statusReason(code)}
	case o.head:
		return verdict{act: actRefetchGET}
	case code == http.StatusUnauthorized || code == http.StatusForbidden || code == 999:
		return verdict{act: actFinish, status: linkvault.StatusBlocked, reason: statusReason(code)}
	case code == http.StatusNotFound || code == http.StatusGone:
		return verdict{act: actFinish, status: linkvault.StatusBroken, reason: statusReason(code)}
	case code >= 500 && o.tries < o.retries:
		return verdict{act: actRetry}
	default:
		return verdict{act: actFinish, status: linkvault.StatusBroken, reason: notAccepted(code)}
	}
}

// judgeFailure decides what a transport failure f means for a request
// that has spent tries retries: retry it later, or end with f. A URL
// timeout is retried once at most (failure.retryOnce), and nothing is
// retried once the host's circuit is open.
func judgeFailure(f failure, tries, retries int, circuitOpen bool) verdict {
	if f.retryOnce {
		retries = min(retries, 1)
	}
	if f.retry && tries < retries && !circuitOpen {
		return verdict{act: actRetry}
	}
	return verdict{act: actFail, status: f.status, reason: f.reason}
}

// hostSignal is what an HTTP answer tells about its host's pace.
type hostSignal int

const (
	hostNeutral  hostSignal = iota // a 5xx without Retry-After: says nothing
	hostThrottle                   // slow down (429, or 503 with Retry-After)
	hostRecover                    // answered normally: back to the configured pace
)

// judgeHost decides what an answer with status code (and a Retry-After
// header when hasRA) tells about the pace of its host.
func judgeHost(code int, hasRA bool) hostSignal {
	switch {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable && hasRA:
		return hostThrottle
	case code < 500:
		return hostRecover
	}
	return hostNeutral
}

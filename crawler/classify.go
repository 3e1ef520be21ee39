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

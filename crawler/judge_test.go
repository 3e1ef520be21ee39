package crawler

import (
	"testing"

	"github.com/linkvault/linkvault"
)

func TestJudgeOutcome(t *testing.T) {
	get := outcome{retries: 2}
	// with is an outcome under the default accept list (2xx and 3xx);
	// listed one whose status an accept list lists (or leaves out).
	with := func(f func(*outcome)) outcome { o := get; f(&o); o.accepted = o.code >= 200 && o.code < 400; return o }
	listed := func(accepted bool, f func(*outcome)) outcome { o := get; f(&o); o.accepted = accepted; return o }
	finish := func(st linkvault.Status, reason string) verdict {
		return verdict{act: actFinish, status: st, reason: reason}
	}
	for _, tc := range []struct {
		name string
		in   outcome
		want verdict
	}{
		{"301 with Location", with(func(o *outcome) { o.code = 301; o.location = true }), verdict{act: actRedirect}},
		{"302 HEAD challenged still redirects", with(func(o *outcome) { o.code = 302; o.location = true; o.head = true; o.challenged = true }), verdict{act: actRedirect}},
		{"304 with Location is not a redirect", with(func(o *outcome) { o.code = 304; o.location = true }), verdict{act: actNotModified, status: linkvault.StatusOK, reason: "304 Not Modified"}},
		{"304", with(func(o *outcome) { o.code = 304 }), verdict{act: actNotModified, status: linkvault.StatusOK, reason: "304 Not Modified"}},
		{"302 without Location is ok", with(func(o *outcome) { o.code = 302 }), verdict{act: actOK, status: linkvault.StatusOK, reason: "302 Found"}},
		{"200 HEAD HTML refetched", with(func(o *outcome) { o.code = 200; o.head = true; o.html = true }), verdict{act: actRefetchGET}},
		{"200 HEAD HTML, soft 404 off", with(func(o *outcome) { o.code = 200; o.head = true; o.html = true; o.soft404Off = true }), verdict{act: actOK, status: linkvault.StatusOK, reason: "200 OK"}},
		{"200 HEAD not HTML is soft-404 checked", with(func(o *outcome) { o.code = 200; o.head = true }), verdict{act: actSoft404}},
		{"200 GET", with(func(o *outcome) { o.code = 200 }), verdict{act: actSoft404}},
		{"200 GET, soft 404 off", with(func(o *outcome) { o.code = 200; o.soft404Off = true }), verdict{act: actOK, status: linkvault.StatusOK, reason: "200 OK"}},
		{"200 probe", with(func(o *outcome) { o.code = 200; o.probe = true }), verdict{act: actOK, status: linkvault.StatusOK, reason: "200 OK"}},
		{"200 challenged is ok", with(func(o *outcome) { o.code = 200; o.challenged = true }), verdict{act: actSoft404}},
		{"203", with(func(o *outcome) { o.code = 203 }), verdict{act: actSoft404}},
		{"403 challenge", with(func(o *outcome) { o.code = 403; o.challenged = true }), finish(linkvault.StatusBlocked, "bot challenge (403 Forbidden)")},
		{"503 challenge on HEAD", with(func(o *outcome) { o.code = 503; o.challenged = true; o.head = true }), finish(linkvault.StatusBlocked, "bot challenge (503 Service Unavailable)")},
		{"429 retried", with(func(o *outcome) { o.code = 429; o.tries = 1 }), verdict{act: actRetry}},
		{"429 HEAD retried, not refetched", with(func(o *outcome) { o.code = 429; o.head = true }), verdict{act: actRetry}},
		{"429 out of retries", with(func(o *outcome) { o.code = 429; o.tries = 2 }), finish(linkvault.StatusThrottled, "429 Too Many Requests")},
		{"404 HEAD refetched", with(func(o *outcome) { o.code = 404; o.head = true }), verdict{act: actRefetchGET}},
		{"500 HEAD refetched", with(func(o *outcome) { o.code = 500; o.head = true }), verdict{act: actRefetchGET}},
		{"401", with(func(o *outcome) { o.code = 401 }), finish(linkvault.StatusBlocked, "401 Unauthorized")},
		{"403", with(func(o *outcome) { o.code = 403 }), finish(linkvault.StatusBlocked, "403 Forbidden")},
		{"999", with(func(o *outcome) { o.code = 999 }), finish(linkvault.StatusBlocked, statusReason(999))},
		{"404", with(func(o *outcome) { o.code = 404 }), finish(linkvault.StatusBroken, "404 Not Found")},
		{"410", with(func(o *outcome) { o.code = 410 }), finish(linkvault.StatusBroken, "410 Gone")},
		{"500 retried", with(func(o *outcome) { o.code = 500 }), verdict{act: actRetry}},
		{"503 retried", with(func(o *outcome) { o.code = 503; o.tries = 1 }), verdict{act: actRetry}},
		{"500 out of retries", with(func(o *outcome) { o.code = 500; o.tries = 2 }), finish(linkvault.StatusBroken, "500 Internal Server Error")},
		{"500 no retries", with(func(o *outcome) { o.code = 500; o.retries = 0 }), finish(linkvault.StatusBroken, "500 Internal Server Error")},
		{"400", with(func(o *outcome) { o.code = 400 }), finish(linkvault.StatusBroken, "400 Bad Request")},
		{"418", with(func(o *outcome) { o.code = 418 }), finish(linkvault.StatusBroken, "418 I'm a teapot")},
		{"100", with(func(o *outcome) { o.code = 100 }), finish(linkvault.StatusBroken, "100 Continue")},
		{"403 accepted", listed(true, func(o *outcome) { o.code = 403; o.challenged = true; o.head = true }), finish(linkvault.StatusOK, "403 Forbidden (accepted)")},
		{"429 accepted", listed(true, func(o *outcome) { o.code = 429 }), finish(linkvault.StatusOK, "429 Too Many Requests (accepted)")},
		{"200 not accepted", listed(false, func(o *outcome) { o.code = 200 }), finish(linkvault.StatusBroken, "200 OK (not in accept)")},
		{"200 HEAD not accepted", listed(false, func(o *outcome) { o.code = 200; o.head = true }), verdict{act: actRefetchGET}},
		{"200 HEAD HTML not accepted still refetched", listed(false, func(o *outcome) { o.code = 200; o.head = true; o.html = true }), verdict{act: actRefetchGET}},
		{"301 not accepted still redirects", listed(false, func(o *outcome) { o.code = 301; o.location = true }), verdict{act: actRedirect}},
		{"302 without Location not accepted", listed(false, func(o *outcome) { o.code = 302 }), finish(linkvault.StatusBroken, "302 Found (not in accept)")},
		{"304 not accepted", listed(false, func(o *outcome) { o.code = 304 }), verdict{act: actNotModified, status: linkvault.StatusOK, reason: "304 Not Modified"}},
		{"404 not accepted", listed(false, func(o *outcome) { o.code = 404 }), finish(linkvault.StatusBroken, "404 Not Found")},
		{"200 accepted by a list", listed(true, func(o *outcome) { o.code = 200 }), verdict{act: actSoft404}},
	} {
		if got := judgeOutcome(tc.in); got != tc.want {
			t.Errorf("%s: judgeOutcome(%+v) = %+v, want %+v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestJudgeFailure(t *testing.T) {
	retry := verdict{act: actRetry}
	refused := failure{status: linkvault.StatusUnreachable, reason: "connection refused", retry: true, hostDown: true}
	urlTimeout := failure{status: linkvault.StatusUnreachable, reason: "timeout", retry: true, retryOnce: true}
	final := failure{status: linkvault.StatusBroken, reason: "tls: bad certificate"}
	for _, tc := range []struct {
		name           string
		f              failure
		tries, retries int
		open           bool
		want           verdict
	}{
		{"retryable, first try", refused, 0, 2, false, retry},
		{"retryable, last retry", refused, 1, 2, false, retry},
		{"retryable, out of retries", refused, 2, 2, false, verdict{act: actFail, status: refused.status, reason: refused.reason}},
		{"retryable, circuit open", refused, 0, 2, true, verdict{act: actFail, status: refused.status, reason: refused.reason}},
		{"URL timeout retried once", urlTimeout, 0, 3, false, retry},
		{"URL timeout not twice", urlTimeout, 1, 3, false, verdict{act: actFail, status: urlTimeout.status, reason: urlTimeout.reason}},
		{"URL timeout, no retries", urlTimeout, 0, 0, false, verdict{act: actFail, status: urlTimeout.status, reason: urlTimeout.reason}},
		{"not retryable", final, 0, 2, false, verdict{act: actFail, status: final.status, reason: final.reason}},
	} {
		if got := judgeFailure(tc.f, tc.tries, tc.retries, tc.open); got != tc.want {
			t.Errorf("%s: judgeFailure = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestJudgeHost(t *testing.T) {
	for _, tc := range []struct {
		code  int
		hasRA bool
		want  hostSignal
	}{
		{429, false, hostThrottle},
		{429, true, hostThrottle},
		{503, true, hostThrottle},
		{503, false, hostNeutral},
		{500, true, hostNeutral},
		{502, false, hostNeutral},
		{200, false, hostRecover},
		{200, true, hostRecover},
		{301, false, hostRecover},
		{404, false, hostRecover},
		{499, true, hostRecover},
	} {
		if got := judgeHost(tc.code, tc.hasRA); got != tc.want {
			t.Errorf("judgeHost(%d, %v) = %d, want %d", tc.code, tc.hasRA, got, tc.want)
		}
	}
}

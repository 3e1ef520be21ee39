package crawler

import "slices"

// Which answers count as ok, and which URLs are checked at all: the
// lychee-style --accept, --include and --exclude.

// okStatus reports whether code, the final status of a request to host
// (redirects followed), counts as ok: a code of the host's Accept list,
// else of Options.Accept, else 2xx and 3xx.
func (c *Checker) okStatus(host string, code int) bool {
	accept := c.opts.Accept
	if ho, ok := c.hostOptions(host); ok && len(ho.Accept) > 0 {
		accept = ho.Accept
	}
	if len(accept) == 0 {
		return code >= 200 && code < 400
	}
	return slices.Contains(accept, code)
}

// notAccepted is the reason of a broken status: a 2xx or 3xx is broken
// only when an accept list leaves it out, which the reason says.
func notAccepted(code int) string {
	if code >= 200 && code < 400 {
		return statusReason(code) + " (not in accept)"
	}
	return statusReason(code)
}

// skipReason returns why a URL is not checked under Options.Include and
// Options.Exclude, or "" when it is checked. A URL matching an Include
// pattern is always checked; when there are Include patterns, a URL
// matching none is not.
func (o *Options) skipReason(u string) string {
	for _, re := range o.Include {
		if re.MatchString(u) {
			return ""
		}
	}
	if len(o.Include) > 0 {
		return reasonNotIncluded
	}
	for _, re := range o.Exclude {
		if re.MatchString(u) {
			return reasonExcluded
		}
	}
	return ""
}

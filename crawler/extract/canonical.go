package extract

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Errors returned by Canonical, wrapped with the URL.
var (
	// ErrNotWeb is returned by Canonical for a URL whose scheme is not
	// http or https, or that has no scheme.
	ErrNotWeb = errors.New("not an http or https URL")
	// ErrInvalidHost is returned by Canonical when the host is empty or
	// not a valid host name.
	ErrInvalidHost = errors.New("invalid host")
)

// Canonical returns the canonical form of an absolute http(s) URL and its
// fragment (without '#', as written).
//
// The canonical form has a lowercase scheme and host, no default port (80
// for http, 443 for https) and no empty port, an IDN host in punycode (IDNA
// Lookup profile), "/" for an empty path, and every non-ASCII byte, space
// and control character of the path and query percent-encoded once.
// Existing escapes are kept as written (hex case included), a '%' that
// starts no escape becomes "%25", and nothing else changes: dot segments
// are not resolved and the query is not sorted.
func Canonical(raw string) (canonical, fragment string, err error) {
	if c, f, ok := alreadyCanonical(raw); ok {
		return c, f, nil
	}
	u := strings.TrimSpace(raw)
	colon := strings.IndexByte(u, ':')
	if colon < 0 {
		return "", "", fmt.Errorf("crawler: canonical %q: %w", raw, ErrNotWeb)
	}
	scheme := strings.ToLower(u[:colon])
	if scheme != "http" && scheme != "https" || !strings.HasPrefix(u[colon+1:], "//") {
		return "", "", fmt.Errorf("crawler: canonical %q: %w", raw, ErrNotWeb)
	}
	rest := u[colon+3:]
	if h := strings.IndexByte(rest, '#'); h >= 0 {
		rest, fragment = rest[:h], rest[h+1:]
	}
	ae := strings.IndexAny(rest, "/?")
	if ae < 0 {
		ae = len(rest)
	}
	authority, pathQuery := rest[:ae], rest[ae:]

	userinfo, host, port := splitAuthority(authority)
	if port, err = canonicalPort(raw, scheme, port); err != nil {
		return "", "", err
	}
	host, err = canonicalHost(host)
	if err != nil {
		return "", "", fmt.Errorf("crawler: canonical %q: %w", raw, err)
	}
	if userinfo != "" {
		userinfo = escapeOnce(userinfo)
	}
	if pathQuery == "" || pathQuery[0] == '?' {
		pathQuery = "/" + pathQuery
	}
	var b strings.Builder
	b.Grow(len(scheme) + 3 + len(userinfo) + len(host) + len(port) + len(pathQuery) + 8)
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(userinfo)
	b.WriteString(host)
	b.WriteString(port)
	b.WriteString(escapeOnce(pathQuery))
	return b.String(), fragment, nil
}

// splitAuthority splits the authority of a URL into its userinfo (with
// the '@'), its host (an IP literal with its brackets) and its port (with
// the ':'); each may be empty.
func splitAuthority(authority string) (userinfo, host, port string) {
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo, authority = authority[:at+1], authority[at+1:]
	}
	host = authority
	if strings.HasPrefix(authority, "[") {
		if j := strings.IndexByte(authority, ']'); j >= 0 {
			host, port = authority[:j+1], authority[j+1:]
		}
	} else if j := strings.IndexByte(authority, ':'); j >= 0 {
		host, port = authority[:j], authority[j:]
	}
	return userinfo, host, port
}

// canonicalPort checks the port of raw (":" and digits, or empty) and
// drops it when it is empty or the default of scheme.
func canonicalPort(raw, scheme, port string) (string, error) {
	if port != "" && port[0] != ':' {
		return "", fmt.Errorf("crawler: canonical %q: %w", raw, ErrInvalidHost)
	}
	for j := 1; j < len(port); j++ {
		if port[j] < '0' || port[j] > '9' {
			return "", fmt.Errorf("crawler: canonical %q: invalid port", raw)
		}
	}
	if port == ":" || scheme == "http" && port == ":80" || scheme == "https" && port == ":443" {
		port = ""
	}
	return port, nil
}

// canonicalHost lowercases an ASCII host and converts an IDN host to
// punycode.
func canonicalHost(h string) (string, error) {
	if tooLong(h) {
		return "", fmt.Errorf("%w: too long", ErrInvalidHost)
	}
	if strings.HasPrefix(h, "[") {
		if !validIPLiteral(h) {
			return "", ErrInvalidHost
		}
		return strings.ToLower(h), nil
	}
	for j := 0; j < len(h); j++ {
		if h[j] >= utf8.RuneSelf {
			a, err := idna.Lookup.ToASCII(h)
			if err != nil {
				return "", fmt.Errorf("%w: %w", ErrInvalidHost, err)
			}
			return a, nil
		}
	}
	if !validHost(h) {
		return "", ErrInvalidHost
	}
	return strings.ToLower(h), nil
}

// escapeOnce percent-encodes non-ASCII bytes, spaces, control characters
// and every '%' that starts no valid escape; it keeps everything else,
// existing escapes included, as written.
func escapeOnce(s string) string {
	j := 0
	for j < len(s) && !needsEscape(s, j) {
		j++
	}
	if j == len(s) {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:j])
	for ; j < len(s); j++ {
		if needsEscape(s, j) {
			c := s[j]
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else {
			b.WriteByte(s[j])
		}
	}
	return b.String()
}

func needsEscape(s string, j int) bool {
	c := s[j]
	switch {
	case c <= ' ' || c >= 0x7f:
		return true
	case c == '%':
		return !(j+2 < len(s) && isHex(s[j+1]) && isHex(s[j+2]))
	}
	return false
}

// alreadyCanonical is the fast path of Canonical for the common URL that
// is canonical as written: lowercase http(s) scheme, lowercase ASCII host
// without port or userinfo, a path, nothing to escape. It returns slices
// of raw, allocating nothing.
func alreadyCanonical(raw string) (canonical, fragment string, ok bool) {
	var rest string
	switch {
	case strings.HasPrefix(raw, "https://"):
		rest = raw[8:]
	case strings.HasPrefix(raw, "http://"):
		rest = raw[7:]
	default:
		return "", "", false
	}
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 {
		return "", "", false
	}
	label := 0
	for j := 0; j < slash; j++ {
		switch c := rest[j]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			label++
		case c == '.' && label > 0:
			label = 0
		default:
			return "", "", false
		}
	}
	end := len(raw)
	if h := strings.IndexByte(raw, '#'); h >= 0 {
		end, fragment = h, raw[h+1:]
	}
	for j := len(raw) - len(rest) + slash; j < end; j++ {
		if needsEscape(raw[:end], j) {
			return "", "", false
		}
	}
	return raw[:end], fragment, true
}

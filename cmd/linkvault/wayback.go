package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/crawler"
)

// waybackGiveUp is the number of lookups failing in a row after which the
// Wayback Machine is taken to be unreachable for the rest of the run.
const waybackGiveUp = 3

// lookupWayback asks the Wayback Machine about dead links that have no
// local capture. Only links on public hosts are named to it (see
// waybackAllowed). Failures are warnings, summed up in one line: the run's
// result stands.
func lookupWayback(ctx context.Context, g *globalOptions, db *archive.DB, cfg *Config, checker *crawler.Checker) {
	var dead []string
	db.URLs(func(r *linkvault.URLRecord) error {
		if r.State == linkvault.StateDead && r.Kind != linkvault.KindLocal {
			if ok, _ := db.HasCapture(r.URL); !ok {
				dead = append(dead, r.URL)
			}
		}
		return nil
	})
	wopts := archive.WaybackOptions{Endpoint: cfg.Wayback.Endpoint, Client: checker.Client(), MaxAge: time.Duration(cfg.Wayback.MaxAge)}
	var failed, inRow, notTried int
	var firstErr string
	for i, u := range dead {
		if ctx.Err() != nil {
			return
		}
		if !waybackAllowed(ctx, cfg, checker, u) {
			continue
		}
		if inRow >= waybackGiveUp {
			notTried = len(dead) - i
			break
		}
		_, err := db.WaybackLookup(ctx, u, wopts)
		if err == nil {
			inRow = 0
			continue
		}
		if ctx.Err() != nil {
			return
		}
		failed++
		inRow++
		if firstErr == "" {
			firstErr = waybackCause(u, err)
		}
	}
	if failed == 0 || g.Quiet {
		return
	}
	lookups := "lookups"
	if failed == 1 {
		lookups = "lookup"
	}
	msg := fmt.Sprintf("linkvault: warning: Wayback Machine: %d %s failed (%s)", failed, lookups, firstErr)
	if notTried > 0 {
		msg += fmt.Sprintf("; gave up after %d in a row", waybackGiveUp)
	}
	fmt.Fprintln(g.stderr, msg)
}

// waybackCause is the error of a lookup without the URL (named twice in
// it: the link and the lookup address).
func waybackCause(link string, err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return strings.TrimPrefix(err.Error(), "archive: wayback lookup "+link+": ")
}

// waybackAllowed reports whether link may be named to the Wayback Machine:
// not matched by wayback.exclude, and on a public host (see
// crawler.Checker.Disclose) — a host resolving to a private address counts
// as public when wayback.public_hosts lists it; one with configured
// headers never does.
func waybackAllowed(ctx context.Context, cfg *Config, checker *crawler.Checker, link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if cfg.Wayback.Exclude.Match(host) {
		return false
	}
	err = checker.Disclose(ctx, link)
	if errors.Is(err, crawler.ErrPrivateHost) && cfg.Wayback.PublicHosts.Match(host) {
		return true
	}
	return err == nil
}

// HostPatterns is a list of host patterns: "example.com" (that host) or
// "*.example.com" (its subdomains), case-insensitive.
type HostPatterns []string

// Match reports whether host matches one of the patterns.
func (p HostPatterns) Match(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, pat := range p {
		if suffix, ok := strings.CutPrefix(pat, "*"); ok {
			if strings.HasSuffix(host, suffix) {
				return true
			}
		} else if host == pat {
			return true
		}
	}
	return false
}

// ExcludeHosts is wayback.exclude; PublicHosts is wayback.public_hosts.
type (
	ExcludeHosts struct{ HostPatterns }
	PublicHosts  struct{ HostPatterns }
)

// UnmarshalYAML reads wayback.exclude.
func (p *ExcludeHosts) UnmarshalYAML(n *yaml.Node) (err error) {
	p.HostPatterns, err = parseHostPatterns(n, "wayback.exclude")
	return err
}

// UnmarshalYAML reads wayback.public_hosts.
func (p *PublicHosts) UnmarshalYAML(n *yaml.Node) (err error) {
	p.HostPatterns, err = parseHostPatterns(n, "wayback.public_hosts")
	return err
}

// parseHostPatterns reads a list of host patterns, refusing what is not
// one (a URL, a port, a glob elsewhere than the leading "*.").
func parseHostPatterns(n *yaml.Node, key string) (HostPatterns, error) {
	var list []string
	if err := n.Decode(&list); err != nil {
		return nil, fmt.Errorf("line %d: %s: want a list of host names", n.Line, key)
	}
	out := make(HostPatterns, 0, len(list))
	for i, s := range list {
		line := n.Line
		if i < len(n.Content) {
			line = n.Content[i].Line
		}
		pat := strings.ToLower(strings.TrimSpace(s))
		name := strings.TrimPrefix(pat, "*.")
		if name == "" || strings.ContainsAny(name, "*/:@ \t?#[]") || strings.HasPrefix(name, ".") {
			return nil, fmt.Errorf("line %d: %s: invalid host pattern %q: want a host name like example.com or *.example.com", line, key, s)
		}
		out = append(out, pat)
	}
	return out, nil
}

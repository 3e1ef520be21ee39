package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler"
	"github.com/linkvault/linkvault/report"
)

// Websites as notes: `linkvault check https://blog.example.com/` (or the
// URL in notes:, or on a line of "-") crawls the site's pages with
// crawler.Crawl and takes their links as the links of notes, each page
// being the note its links were found in (site: in the config).

// siteFlags are the flags of check that tune site crawling.
type siteFlags struct {
	fs       *pflag.FlagSet
	maxDepth int
	allow    []string
	noRobots bool
}

func (f *siteFlags) addFlags(fs *pflag.FlagSet) {
	f.fs = fs
	fs.IntVar(&f.maxDepth, "max-depth", 0, "links followed from a site's start page; 0: that page only (site.max_depth)")
	fs.StringArrayVar(&f.allow, "allow-domain", nil, "crawl the pages of HOST too, besides the start URL's host (and where its redirects lead); added to site.allow_domains (repeatable)")
	fs.BoolVar(&f.noRobots, "no-robots", false, "crawl pages that robots.txt disallows (site.robots: false)")
}

// apply sets the keys of the flags given, then validates.
func (f *siteFlags) apply(cfg *Config) error {
	if f.fs == nil {
		return nil
	}
	if fl := f.fs.Lookup("max-depth"); fl != nil && fl.Changed {
		if err := cfg.set("site.max_depth", strconv.Itoa(f.maxDepth), "--max-depth"); err != nil {
			return err
		}
	}
	for _, d := range f.allow {
		cfg.setOrigin(fmt.Sprintf("site.allow_domains[%d]", len(cfg.Site.AllowDomains)), "--allow-domain")
		cfg.Site.AllowDomains = append(cfg.Site.AllowDomains, d)
	}
	if f.noRobots {
		cfg.Site.Robots = false
	}
	return cfg.validate()
}

// validateSite checks the keys under site:.
func (c *Config) validateSite(v *valueCheck) {
	v.intIn("site.max_depth", c.Site.MaxDepth, 0, 1000)
	v.intIn("site.max_pages", c.Site.MaxPages, 1, 10_000_000)
	for i, d := range c.Site.AllowDomains {
		if !hostName(d) {
			v.fail(fmt.Sprintf("site.allow_domains[%d]", i), "must be a host name like docs.example.com (no scheme, port or path), got %q", d)
		}
	}
	c.siteExclude = c.siteExclude[:0]
	for i, p := range c.Site.Exclude {
		re, err := regexp.Compile(p)
		if err != nil {
			v.fail(fmt.Sprintf("site.exclude[%d]", i), "invalid regular expression %q: %v", p, regexpReason(err))
			continue
		}
		c.siteExclude = append(c.siteExclude, re)
	}
}

// hostName reports whether s is a plain host name or IP address.
func hostName(s string) bool {
	if s == "" || strings.ContainsAny(s, "/:@ \t") && net.ParseIP(strings.Trim(s, "[]")) == nil {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f })
}

// siteOptions translates site: into crawler options.
func (c *Config) siteOptions() crawler.SiteOptions {
	depth := c.Site.MaxDepth
	if depth == 0 {
		depth = -1 // the start page only
	}
	return crawler.SiteOptions{
		MaxDepth:     depth,
		MaxPages:     c.Site.MaxPages,
		AllowDomains: c.Site.AllowDomains,
		Exclude:      c.siteExclude,
		IgnoreRobots: !c.Site.Robots,
		NoSitemap:    !c.Site.Sitemap,
	}
}

// isSiteURL reports whether an input names a website rather than a path.
func isSiteURL(s string) bool {
	return looksLikeURL().MatchString(s) && (strings.HasPrefix(strings.ToLower(s), "http://") || strings.HasPrefix(strings.ToLower(s), "https://"))
}

// crawledSites is what crawlSites found.
type crawledSites struct {
	links   []linkvault.Link     // the links of every page
	pages   []crawler.SitePage   // the pages, with their anchors
	buckets *crawler.HostBuckets // spent by the crawls: the check spends from them too
	failed  bool                 // a site could not be crawled
}

// crawlSites crawls each site. A site that cannot be crawled is said in
// one line on stderr and sets failed; the others are crawled all the
// same. The error is ctx's, or a checker that cannot be made.
func crawlSites(ctx context.Context, g *globalOptions, cfg *Config, sites []string) (crawledSites, error) {
	var out crawledSites
	if len(sites) == 0 {
		return out, nil
	}
	out.buckets = crawler.NewHostBuckets()
	o := checkerOptions(g, cfg, nil)
	o.Buckets = out.buckets
	checker, err := crawler.NewChecker(o)
	if err != nil {
		return out, linkvault.Errorf(linkvault.EInvalid, "%s: %w", cfg.name(), err)
	}
	defer checker.Close()
	so := cfg.siteOptions()
	for _, start := range sites {
		prog := newProgress(g, 0)
		so.Progress = func(pages, waiting int) { crawlProgress(prog, start, pages, waiting) }
		site, err := checker.Crawl(ctx, start, so)
		if prog.tty && !prog.quiet {
			fmt.Fprint(prog.w, "\r\033[K")
		}
		if ctx.Err() != nil {
			return crawledSites{}, ctx.Err()
		}
		var se *crawler.SiteError
		switch {
		case errors.As(err, &se) && se.Robots:
			fmt.Fprintf(g.stderr, "linkvault: %s: robots.txt disallows crawling this site: not crawled (--no-robots, or site.robots: false, crawls it anyway)\n", quoteName(start))
			out.failed = true
			continue
		case err != nil:
			fmt.Fprintf(g.stderr, "linkvault: %s: cannot crawl the site: %v\n", quoteName(start), siteReason(err))
			out.failed = true
			continue
		}
		if !g.Quiet {
			if site.Final != "" {
				fmt.Fprintf(g.stderr, "linkvault: note: crawling %s (redirected from %s)\n", site.Final, site.Start)
			}
			for _, w := range site.Warnings {
				fmt.Fprintf(g.stderr, "linkvault: warning: site %s: %s\n", site.Start, w)
			}
			if site.NotHTML != "" {
				fmt.Fprintf(g.stderr, "linkvault: note: %s is not an HTML page (%s): checked as one link, not crawled\n", site.Start, site.NotHTML)
			} else {
				fmt.Fprintf(g.stderr, "linkvault: site %s: %s pages crawled, %s links found\n", site.Start, report.Count(len(site.Pages)), report.Count(len(site.Links)))
			}
		}
		out.links = mergeLinks(out.links, site.Links)
		out.pages = append(out.pages, site.Pages...)
	}
	return out, nil
}

// crawlProgress shows a crawl advancing, as progress shows a check: a
// live line on a terminal, a plain line every few seconds otherwise,
// nothing with -q.
func crawlProgress(p *progress, start string, pages, waiting int) {
	now := time.Now()
	if p.quiet || now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	line := fmt.Sprintf("site %s: %s pages crawled, %s waiting, %s", start, report.Count(pages), report.Count(waiting), humanDuration(now.Sub(p.start).Round(time.Second)))
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintf(p.w, "linkvault: %s\n", line)
	}
}

// siteReason is the cause of a SiteError, without its "site URL:" prefix
// nor the request that met it (robots.txt is the first).
func siteReason(err error) error {
	var se *crawler.SiteError
	if errors.As(err, &se) && se.Err != nil {
		err = se.Err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// mergeLinks adds the links of b to a: a link in both gets the sources of
// both.
func mergeLinks(a, b []linkvault.Link) []linkvault.Link {
	if len(a) == 0 {
		return b
	}
	index := make(map[string]int, len(a))
	for i, l := range a {
		index[string(l.Kind)+" "+l.URL] = i
	}
	for _, l := range b {
		if i, ok := index[string(l.Kind)+" "+l.URL]; ok {
			a[i].Sources = append(a[i].Sources, l.Sources...)
			continue
		}
		index[string(l.Kind)+" "+l.URL] = len(a)
		a = append(a, l)
	}
	return a
}

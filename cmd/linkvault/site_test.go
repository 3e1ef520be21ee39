package main

import (
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
)

// TestSiteConfig: the site: keys, their defaults and their errors, which
// name the file, line and key.
func TestSiteConfig(t *testing.T) {
	cfg, err := ParseConfig("cfg.yaml", []byte("notes: [n]\n"))
	if err != nil {
		t.Fatal(err)
	}
	so := cfg.siteOptions()
	if so.MaxDepth != 10 || so.MaxPages != 5000 || so.IgnoreRobots || so.NoSitemap || len(so.AllowDomains) != 0 {
		t.Errorf("defaults: %+v", so)
	}
	cfg, err = ParseConfig("cfg.yaml", []byte("site:\n  max_depth: 0\n  robots: false\n  sitemap: false\n  allow_domains: [cdn.example.com]\n  exclude: ['/calendar/']\n"))
	if err != nil {
		t.Fatal(err)
	}
	so = cfg.siteOptions()
	if so.MaxDepth != -1 || !so.IgnoreRobots || !so.NoSitemap || so.AllowDomains[0] != "cdn.example.com" || len(so.Exclude) != 1 {
		t.Errorf("set: %+v", so)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"site:\n  max_pages: 0\n", "cfg.yaml:2: site.max_pages: must be"},
		{"site:\n  max_depth: -2\n", "cfg.yaml:2: site.max_depth: must be"},
		{"site:\n  allow_domains:\n    - https://x.example.com/\n", "cfg.yaml:3: site.allow_domains[0]: must be a host name"},
		{"site:\n  exclude: ['(']\n", "cfg.yaml:2: site.exclude[0]: invalid regular expression"},
		{"site:\n  max_dpeth: 3\n", `cfg.yaml:2: unknown key "site.max_dpeth" (did you mean "max_depth"?)`},
	} {
		_, err := ParseConfig("cfg.yaml", []byte(tc.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want prefix %q", tc.yaml, err, tc.want)
		}
	}
}

// TestMergeLinks: a URL in a note and on a page of a site is one link
// with the sources of both.
func TestMergeLinks(t *testing.T) {
	a := []linkvault.Link{{URL: "https://x.example/", Kind: linkvault.KindWeb, Sources: []linkvault.Source{{File: "n.md", Line: 1}}}}
	b := []linkvault.Link{
		{URL: "https://x.example/", Kind: linkvault.KindWeb, Sources: []linkvault.Source{{File: "https://s.example/", Line: 5}}},
		{URL: "https://y.example/", Kind: linkvault.KindWeb, Sources: []linkvault.Source{{File: "https://s.example/", Line: 6}}},
	}
	got := mergeLinks(a, b)
	if len(got) != 2 || len(got[0].Sources) != 2 || got[1].URL != "https://y.example/" {
		t.Errorf("merged: %+v", got)
	}
}

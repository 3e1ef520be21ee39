package main

import (
	"net/http"
	"slices"
)

// secretHeaders returns the request header names configured under
// hosts.*.headers and check.headers (--header): they carry credentials
// (PRIVATE-TOKEN, Cookie, …) and are never written to the archive.
func secretHeaders(cfg *Config) []string {
	var out []string
	for name := range cfg.Check.Headers {
		out = append(out, http.CanonicalHeaderKey(name))
	}
	for _, hc := range cfg.Hosts {
		for name := range hc.Headers {
			out = append(out, http.CanonicalHeaderKey(name))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

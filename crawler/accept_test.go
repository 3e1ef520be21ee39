package crawler

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// TestAccept: check.accept and hosts.*.accept decide which final status
// codes count as ok, redirects followed.
func TestAccept(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	byPath := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/forbidden":
			status(403)(rw, r)
		case "/teapot":
			status(418)(rw, r)
		case "/moved":
			redirect(301, "/forbidden")(rw, r)
		case "/empty":
			status(204)(rw, r)
		default:
			htmlPage("page", "")(rw, r)
		}
	})
	w.Host("site.test").Handler = byPath
	w.Host("strict.test").Handler = byPath
	range2xx := func(extra ...int) []int {
		var out []int
		for c := 200; c <= 299; c++ {
			out = append(out, c)
		}
		return append(out, extra...)
	}
	tests := []struct {
		name   string
		accept []int
		hosts  map[string]HostOptions
		url    string
		want   linkvault.Status
	}{
		{"default 403 is blocked", nil, nil, "http://site.test/forbidden", linkvault.StatusBlocked},
		{"accepted 403", range2xx(403), nil, "http://site.test/forbidden", linkvault.StatusOK},
		{"accepted 403 after a redirect", range2xx(403), nil, "http://site.test/moved", linkvault.StatusOK},
		{"418 not accepted", range2xx(403), nil, "http://site.test/teapot", linkvault.StatusBroken},
		{"accepted 418", []int{200, 418}, nil, "http://site.test/teapot", linkvault.StatusOK},
		{"204 not in the list", []int{200}, nil, "http://site.test/empty", linkvault.StatusBroken},
		{"204 by default", nil, nil, "http://site.test/empty", linkvault.StatusOK},
		{"host list wins", range2xx(403), map[string]HostOptions{"strict.test": {Accept: []int{200}}}, "http://strict.test/forbidden", linkvault.StatusBlocked},
		{"host list only for its host", nil, map[string]HostOptions{"strict.test": {Accept: []int{200, 403}}}, "http://site.test/forbidden", linkvault.StatusBlocked},
		{"host list accepts", nil, map[string]HostOptions{"strict.test": {Accept: []int{200, 403}}}, "http://strict.test/forbidden", linkvault.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := webOptions(w)
			opts.Accept = tt.accept
			for h, ho := range tt.hosts {
				if opts.Hosts == nil {
					opts.Hosts = map[string]HostOptions{}
				}
				opts.Hosts[h] = ho
			}
			r := checkAll(t, opts, Target{URL: tt.url})[0]
			if r.Status != tt.want {
				t.Errorf("got %s (%s), want %s", r.Status, r.Reason, tt.want)
			}
			if r.HTTPStatus >= 200 && r.HTTPStatus < 300 && r.Status == linkvault.StatusBroken && !strings.HasSuffix(r.Reason, " (not in accept)") {
				t.Errorf("reason of a 2xx left out of accept: %q, want it to say (not in accept)", r.Reason)
			}
		})
	}
}

func TestIncludeExclude(t *testing.T) {
	re := regexp.MustCompile
	tests := []struct {
		name             string
		include, exclude []*regexp.Regexp
		url, want        string
	}{
		{"no filters", nil, nil, "https://a.test/", ""},
		{"excluded", nil, []*regexp.Regexp{re(`^https://a\.test/`)}, "https://a.test/x", reasonExcluded},
		{"not excluded", nil, []*regexp.Regexp{re(`^https://a\.test/`)}, "https://b.test/x", ""},
		{"include wins over exclude", []*regexp.Regexp{re(`/keep`)}, []*regexp.Regexp{re(`^https://a\.test/`)}, "https://a.test/keep", ""},
		{"include set, no match", []*regexp.Regexp{re(`^https://b\.test/`)}, nil, "https://a.test/x", reasonNotIncluded},
		{"include set, match", []*regexp.Regexp{re(`^https://b\.test/`)}, nil, "https://b.test/x", ""},
	}
	for _, tt := range tests {
		o := Options{Include: tt.include, Exclude: tt.exclude}
		if got := o.skipReason(tt.url); got != tt.want {
			t.Errorf("%s: skipReason(%s) = %q, want %q", tt.name, tt.url, got, tt.want)
		}
	}
}

// TestGlobalHeaders: Options.Headers go to every host; a host's own
// headers win.
func TestGlobalHeaders(t *testing.T) {
	w := fakeweb.New()
	defer w.Close()
	got := map[string]string{}
	for _, name := range []string{"a.test", "b.test"} {
		w.Host(name).Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			got[name] = r.Header.Get("X-Team") + "|" + r.Header.Get("User-Agent")
			htmlPage("p", "")(rw, r)
		})
	}
	opts := webOptions(w)
	opts.Concurrency = 1
	opts.Headers = map[string]string{"X-Team": "docs"}
	opts.Hosts = map[string]HostOptions{"b.test": {Headers: map[string]string{"X-Team": "b"}}}
	opts.UserAgent = "lv-test"
	checkAll(t, opts, Target{URL: "http://a.test/"}, Target{URL: "http://b.test/"})
	if got["a.test"] != "docs|lv-test" || got["b.test"] != "b|lv-test" {
		t.Errorf("headers seen = %v, want a.test docs|lv-test, b.test b|lv-test", got)
	}
}

package archive

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeWayback answers /web/URL by the last path element of URL: "found"
// redirects to a snapshot, "none" is 404, "busy" is 503, "slow" blocks
// until the request is abandoned. It counts requests per URL.
type fakeWayback struct {
	srv      *httptest.Server
	requests atomic.Int64
	paths    chan string
}

func newFakeWayback(t *testing.T) *fakeWayback {
	t.Helper()
	f := &fakeWayback{paths: make(chan string, 100)}
	done := make(chan struct{})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.paths <- r.URL.RequestURI()
		target := strings.TrimPrefix(r.URL.RequestURI(), "/web/")
		switch {
		case strings.HasSuffix(target, "/found"):
			w.Header().Set("Location", "/web/20240101000000/"+target) // relative, as web.archive.org sends
			w.WriteHeader(http.StatusFound)
		case strings.HasSuffix(target, "/absolute"):
			http.Redirect(w, r, "https://web.archive.org/web/2023/"+target, http.StatusFound)
		case strings.HasSuffix(target, "/none"):
			http.NotFound(w, r)
		case strings.HasSuffix(target, "/busy"):
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case strings.HasSuffix(target, "/slow"):
			select {
			case <-r.Context().Done():
			case <-done:
			}
		}
	}))
	t.Cleanup(func() { close(done); f.srv.Close() })
	return f
}

func TestWaybackLookup(t *testing.T) {
	f := newFakeWayback(t)
	db, err := Open(filepath.Join(t.TempDir(), "linkvault.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	opts := WaybackOptions{Endpoint: f.srv.URL, Client: &http.Client{Timeout: 200 * time.Millisecond},
		Now: func() time.Time { return now }}

	tests := []struct {
		name     string
		url      string
		want     string // snapshot URL
		wantErr  bool
		requests int64 // made by this lookup
	}{
		{"302 found", "https://example.com/found", f.srv.URL + "/web/20240101000000/https://example.com/found", false, 1},
		{"302 cached", "https://example.com/found", f.srv.URL + "/web/20240101000000/https://example.com/found", false, 0},
		{"absolute location", "https://example.com/x?q=1/absolute", "https://web.archive.org/web/2023/https://example.com/x?q=1/absolute", false, 1},
		{"404 none", "https://example.com/none", "", false, 1},
		{"404 cached", "https://example.com/none", "", false, 0},
		{"503 error", "https://example.com/busy", "", true, 1},
		{"503 not cached", "https://example.com/busy", "", true, 1},
		{"timeout error", "https://example.com/slow", "", true, 1},
		{"timeout not cached", "https://example.com/slow", "", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.requests.Load()
			wb, err := db.WaybackLookup(context.Background(), tt.url, opts)
			if made := f.requests.Load() - before; made != tt.requests {
				t.Errorf("lookup made %d requests, want %d", made, tt.requests)
			}
			if tt.wantErr {
				if err == nil {
					t.Errorf("WaybackLookup = %+v, want an error", wb)
				}
				return
			}
			if err != nil {
				t.Fatalf("WaybackLookup: %v", err)
			}
			if wb.URL != tt.want || !wb.CheckedAt.Equal(now) {
				t.Errorf("WaybackLookup = %+v, want URL %q checked at %v", wb, tt.want, now)
			}
		})
	}
	if p := <-f.paths; p != "/web/https://example.com/found" {
		t.Errorf("request path %q, want /web/https://example.com/found", p)
	}

	// Past MaxAge the cache is stale: ask again.
	now = now.Add(DefaultWaybackMaxAge + time.Minute)
	before := f.requests.Load()
	wb, err := db.WaybackLookup(context.Background(), "https://example.com/none", opts)
	if err != nil || wb.URL != "" || f.requests.Load()-before != 1 || !wb.CheckedAt.Equal(now) {
		t.Errorf("stale lookup = %+v, %v after %d requests; want a fresh answer", wb, err, f.requests.Load()-before)
	}

	// A canceled context is an error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.WaybackLookup(ctx, "https://example.com/other/found", opts); err == nil {
		t.Errorf("WaybackLookup with a canceled context succeeded")
	}
}

func TestWaybackLookupReadOnly(t *testing.T) {
	f := newFakeWayback(t)
	path := filepath.Join(t.TempDir(), "linkvault.db")
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	for i := range 2 {
		wb, err := ro.WaybackLookup(context.Background(), "https://example.com/found", WaybackOptions{Endpoint: f.srv.URL})
		if err != nil || wb.URL == "" {
			t.Fatalf("lookup %d on a read-only db = %+v, %v", i, wb, err)
		}
	}
	if n := f.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2 (nothing cached read-only)", n)
	}
}

// A client without a Timeout of its own (like the checker's polite client)
// still gives up on a Wayback Machine that never answers, and the caller's
// client is left as it was.
func TestWaybackLookupClientWithoutTimeout(t *testing.T) {
	defer func(d time.Duration) { waybackTimeout = d }(waybackTimeout)
	waybackTimeout = 100 * time.Millisecond
	f := newFakeWayback(t)
	db := MustOpenDB(t)
	tests := []struct {
		name   string
		client *http.Client
	}{
		{"nil client", nil},
		{"client without timeout", &http.Client{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A safety net only: without the lookup's own timeout the
			// test would hang until the fake server closes.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			wb, err := db.WaybackLookup(ctx, "https://example.com/slow",
				WaybackOptions{Endpoint: f.srv.URL, Client: tt.client})
			if err == nil {
				t.Errorf("WaybackLookup of a silent endpoint = %+v, want a timeout error", wb)
			}
			if ctx.Err() != nil {
				t.Errorf("the lookup ran until the test's safety deadline: no timeout of its own (%v)", err)
			}
			if tt.client != nil && tt.client.Timeout != 0 {
				t.Errorf("the caller's client was changed: Timeout %v", tt.client.Timeout)
			}
		})
	}
}

package fakeweb

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// get asks the fake web for url through its dialer.
func get(t *testing.T, w *Web, url string) (int, string, http.Header) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DialContext: w.DialContext}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func TestRoutingAndStats(t *testing.T) {
	w := New()
	defer w.Close()
	w.Host("A.test")
	w.Host("b.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.WriteHeader(http.StatusTeapot) })
	tests := []struct {
		url  string
		code int
		body string // substring
	}{
		{"http://a.test/x", 200, "<title>a.test/x</title>"},
		{"http://a.test:8080/y", 200, "<title>a.test/y</title>"},
		{"http://b.test/z", http.StatusTeapot, ""},
		{"http://unknown.test/", http.StatusMisdirectedRequest, "fakeweb: unknown host unknown.test"},
	}
	for _, tt := range tests {
		code, body, _ := get(t, w, tt.url)
		if code != tt.code || !strings.Contains(body, tt.body) {
			t.Errorf("GET %s = %d %q, want %d …%s…", tt.url, code, body, tt.code, tt.body)
		}
	}
	if st := w.Stats("a.test"); st.Requests != 2 || st.MaxInFlight != 1 || len(st.Times) != 2 || strings.Join(st.Paths, " ") != "/x /y" {
		t.Errorf("a.test stats = %+v, want 2 requests to /x /y, 1 in flight at most", st)
	}
	if st := w.Stats("b.test"); st.Requests != 1 {
		t.Errorf("b.test requests = %d, want 1", st.Requests)
	}
}

// TestRateLimit checks that a host answers 429 with Retry-After beyond its
// rate: at one request per 1000 s with a burst of 2, the third request in
// a row is refused.
func TestRateLimit(t *testing.T) {
	w := New()
	defer w.Close()
	h := w.Host("slow.test")
	h.Rate, h.Burst = 0.001, 2
	w.Host("free.test")
	var codes []int
	for range 3 {
		code, _, hdr := get(t, w, "http://slow.test/")
		codes = append(codes, code)
		if code == http.StatusTooManyRequests && hdr.Get("Retry-After") != "1" {
			t.Errorf("429 with Retry-After %q, want 1", hdr.Get("Retry-After"))
		}
	}
	for range 3 {
		code, _, _ := get(t, w, "http://free.test/")
		codes = append(codes, code)
	}
	if want := []int{200, 200, 429, 200, 200, 200}; !slices.Equal(codes, want) {
		t.Errorf("codes = %v, want %v", codes, want)
	}
	if st := w.Stats("slow.test"); st.Requests != 3 || st.Throttled != 1 {
		t.Errorf("slow.test: %d requests, %d throttled; want 3, 1", st.Requests, st.Throttled)
	}
	if n := w.Throttled(); n != 1 {
		t.Errorf("Throttled() = %d, want 1", n)
	}
}

package crawler

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// A repository link wanting a snapshot archives both the repository page
// and the API's metadata, each under its own URL; without a token, only
// the page.
func TestGitHubCaptureAPIMetadata(t *testing.T) {
	const meta = `{"full_name":"tkestack/kstone","archived":false,"pushed_at":"2024-01-02T03:04:05Z"}`
	w := fakeweb.New()
	defer w.Close()
	w.Host("github.com").Handler = htmlPage("tkestack/kstone", "")
	w.Host("api.github.com").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(rw, meta)
	})

	for _, token := range []string{"ghp_token", ""} {
		var mu sync.Mutex
		got := map[string]*linkvault.Exchange{}
		bodies := map[string]string{}
		opts := webOptions(w)
		opts.GitHubToken = token
		opts.GitHubAPI = "http://api.github.com"
		opts.Capture = func(ctx context.Context, ex *linkvault.Exchange) error {
			b, err := io.ReadAll(ex.Body)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			got[ex.URL], bodies[ex.URL] = ex, string(b)
			return nil
		}
		rs := checkAll(t, opts, Target{URL: "http://github.com/tkestack/kstone", Capture: true})
		if rs[0].Status != linkvault.StatusOK || rs[0].Error != "" {
			t.Fatalf("token %q: result %s (error %q)", token, rs[0], rs[0].Error)
		}
		if _, ok := got["http://github.com/tkestack/kstone"]; !ok {
			t.Errorf("token %q: the repository page was not captured", token)
		}
		api, ok := got["http://api.github.com/repos/tkestack/kstone"]
		if token == "" {
			if ok {
				t.Errorf("without a token the API was captured")
			}
			continue
		}
		if !ok {
			t.Fatalf("the API metadata was not captured; captured: %v", keys(got))
		}
		if bodies[api.URL] != meta || api.StatusCode != 200 || api.Size != int64(len(meta)) {
			t.Errorf("API capture: status %d, size %d, body %q", api.StatusCode, api.Size, bodies[api.URL])
		}
		if api.LinkURL != api.URL {
			t.Errorf("API capture LinkURL = %q: it must not be filed under the page link", api.LinkURL)
		}
		if h := api.RequestHeader.Get("Authorization"); h != "" {
			t.Errorf("the token reached the archive: %q", h)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

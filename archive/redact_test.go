package archive

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCaptureRedactsSecrets: configured host headers, cookies and
// credentials never reach the WARC files (and so no WACZ export), neither
// in request records nor, for Set-Cookie, in response and 304 records.
func TestCaptureRedactsSecrets(t *testing.T) {
	env := newCaptureEnv(t, ArchiverOptions{RedactHeaders: []string{"PRIVATE-TOKEN", "X-Api-Key"}})
	secrets := []string{"glpat-secret-1", "apikey-secret-2", "session=secret-3", "bearer-secret-4", "proxy-secret-5", "set-secret-6", "set-secret-7"}
	const u = "https://intranet.example.com/page"
	ex := newExchange(u, day1, "text/html", []byte("<title>t</title>body"))
	ex.RequestHeader.Set("Private-Token", secrets[0])
	ex.RequestHeader["X-Api-Key"] = []string{secrets[1]} // set without canonicalising
	ex.RequestHeader.Set("Cookie", secrets[2])
	ex.RequestHeader.Set("Authorization", "Bearer "+secrets[3])
	ex.RequestHeader.Set("Proxy-Authorization", "Basic "+secrets[4])
	ex.ResponseHeader.Set("Set-Cookie", "sid="+secrets[5]+"; HttpOnly")
	ex.ResponseHeader.Set("ETag", `"v1"`)
	mustCapture(t, env.a, ex)

	ex304 := newExchange(u, day1.Add(time.Hour), "", nil)
	ex304.StatusCode, ex304.Status = 304, "304 Not Modified"
	ex304.ResponseHeader.Set("Set-Cookie", "sid="+secrets[6])
	ex304.RequestHeader.Set("Private-Token", secrets[0])
	if _, err := env.a.notModified(context.Background(), ex304); err != nil {
		t.Fatal(err)
	}
	if got := ex.RequestHeader.Get("Private-Token"); got != secrets[0] {
		t.Errorf("the caller's exchange was modified: Private-Token %q", got)
	}

	var all strings.Builder
	for _, f := range warcFiles(t, env.dir) {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(&all, zr); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	warc := all.String()
	if !strings.Contains(warc, "WARC-Type: request") || !strings.Contains(warc, "User-Agent: linkvault-test") {
		t.Fatalf("no request record with its other headers in the archive:\n%s", warc)
	}
	if !strings.Contains(warc, `Etag: "v1"`) {
		t.Errorf("the response's other headers are gone:\n%s", warc)
	}
	for _, s := range secrets {
		if strings.Contains(warc, s) {
			t.Errorf("secret %q is in the WARC file", s)
		}
	}
	for _, name := range []string{"Private-Token", "X-Api-Key", "Cookie:", "Authorization", "Set-Cookie"} {
		if strings.Contains(strings.ToLower(warc), strings.ToLower(name)) {
			t.Errorf("header %s is in the WARC file", name)
		}
	}
}

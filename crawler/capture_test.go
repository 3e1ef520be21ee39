package crawler

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

func TestCapture(t *testing.T) {
	pdf := make([]byte, 2<<20)
	rand.Read(pdf)
	copy(pdf, "%PDF-1.7\n")
	page := []byte("<html><head><title>Snap</title></head><body>hello</body></html>")
	w := fakeweb.New()
	defer w.Close()
	w.Host("site.test").Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/paper.pdf":
			rw.Header().Set("Content-Type", "application/pdf")
			rw.Write(pdf)
		case "/page":
			rw.Header().Set("Content-Type", "text/html")
			rw.Write(page)
		case "/data.bin":
			rw.Header().Set("Content-Type", "application/octet-stream")
			rw.Write(pdf)
		}
	})

	tests := []struct {
		name       string
		path       string
		captureMax int64
		want       []byte // nil: no capture expected
		truncated  bool
		title      string
	}{
		{"2 MB PDF byte-identical", "/paper.pdf", 0, pdf, false, ""},
		{"PDF over the cap is truncated", "/paper.pdf", 1 << 20, pdf[:1<<20], true, ""},
		{"HTML page with its title", "/page", 0, page, false, "Snap"},
		{"type not archivable", "/data.bin", 0, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spoolDir := t.TempDir()
			t.Setenv("TMPDIR", spoolDir)
			var got []*linkvault.Exchange
			var sums [][32]byte
			opts := webOptions(w)
			opts.CaptureMax = tt.captureMax
			opts.Capture = func(ctx context.Context, ex *linkvault.Exchange) error {
				h := sha256.New()
				n, err := io.Copy(h, ex.Body)
				if err != nil || n != ex.Size {
					t.Errorf("read %d bytes (%v), want Size %d", n, err, ex.Size)
				}
				var s [32]byte
				copy(s[:], h.Sum(nil))
				sums = append(sums, s)
				cp := *ex
				cp.Body = nil
				got = append(got, &cp)
				return nil
			}
			link := "http://site.test" + tt.path
			r := checkAll(t, opts, Target{URL: link, Capture: true})[0]
			if r.Status != linkvault.StatusOK {
				t.Errorf("got %s, want ok", r)
			}
			if tt.want == nil {
				if len(got) != 0 {
					t.Errorf("captured %d exchanges, want none", len(got))
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("captured %d exchanges, want 1", len(got))
			}
			ex := got[0]
			if sums[0] != sha256.Sum256(tt.want) || ex.Size != int64(len(tt.want)) || ex.Truncated != tt.truncated {
				t.Errorf("body sha256 match %v, Size %d, Truncated %v; want match, %d, %v",
					sums[0] == sha256.Sum256(tt.want), ex.Size, ex.Truncated, len(tt.want), tt.truncated)
			}
			if ex.URL != link || ex.LinkURL != link || ex.Method != "GET" || ex.StatusCode != 200 || ex.Title != tt.title {
				t.Errorf("exchange = %s %s (link %s) %d title %q, want GET %s %d title %q", ex.Method, ex.URL, ex.LinkURL, ex.StatusCode, ex.Title, link, 200, tt.title)
			}
			if ex.RequestHeader.Get("User-Agent") == "" || ex.ResponseHeader.Get("Content-Type") == "" || ex.RemoteAddr == "" || ex.Proto != "HTTP/1.1" {
				t.Errorf("exchange lacks request/response metadata: %+v", ex)
			}
			if r.Truncated != tt.truncated {
				t.Errorf("Result.Truncated = %v, want %v", r.Truncated, tt.truncated)
			}
			left, _ := os.ReadDir(spoolDir)
			if len(left) != 0 {
				t.Errorf("spool files left behind: %v", left)
			}
		})
	}
}

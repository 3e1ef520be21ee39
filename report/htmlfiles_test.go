package report

import (
	"bytes"
	"io"
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// TestWriteHTML checks that WriteHTML copies the offered capture of a dead
// link beside the page through the caller's Open, Decode and Write, points
// the entry at it, leaves alive links without a copy, and writes the page.
func TestWriteHTML(t *testing.T) {
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	capture := func(u string) linkvault.Capture {
		return linkvault.Capture{URL: u, Time: at, ContentType: "text/html; charset=gbk"}
	}
	data := &Data{Policy: linkvault.DefaultPolicy(), Entries: []Entry{
		{URLRecord: linkvault.URLRecord{URL: "https://dead.example/page", State: linkvault.StateDead}, Captures: []linkvault.Capture{capture("https://dead.example/page")}},
		{URLRecord: linkvault.URLRecord{URL: "https://alive.example/", State: linkvault.StateAlive}, Captures: []linkvault.Capture{capture("https://alive.example/")}},
	}}
	files := map[string]string{}
	var opened, decoded []string
	err := WriteHTML(data, HTMLFiles{
		Page: "out/index.html", Dir: "out/archive", DirURL: "archive",
		Open: func(c linkvault.Capture) (io.ReadCloser, http.Header, error) {
			opened = append(opened, c.URL)
			return io.NopCloser(strings.NewReader("<html><body>raw bytes</body></html>")), http.Header{}, nil
		},
		Decode: func(raw []byte, ctype string) string {
			decoded = append(decoded, ctype)
			return strings.Replace(string(raw), "raw bytes", "decoded text", 1)
		},
		Write: func(name string, write func(io.Writer) error) error {
			var b bytes.Buffer
			err := write(&b)
			files[name] = b.String()
			return err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 1 || opened[0] != "https://dead.example/page" || len(decoded) != 1 || decoded[0] != "text/html; charset=gbk" {
		t.Errorf("opened %q, decoded %q; want the dead link's capture only, decoded with its content type", opened, decoded)
	}
	dead, alive := data.Entries[0], data.Entries[1]
	if alive.ArchivePath != "" {
		t.Errorf("alive entry got a copy: %q", alive.ArchivePath)
	}
	if !strings.HasPrefix(dead.ArchivePath, "archive/20250301080000/") {
		t.Fatalf("dead entry's ArchivePath = %q, want archive/20250301080000/…", dead.ArchivePath)
	}
	cp, ok := files[path.Join("out", dead.ArchivePath)]
	if !ok || !strings.Contains(cp, "decoded text") {
		t.Errorf("copy %s: written %v, holds the decoded page %v; files %q", dead.ArchivePath, ok, strings.Contains(cp, "decoded text"), keys(files))
	}
	if page := files["out/index.html"]; !strings.Contains(page, dead.ArchivePath) {
		t.Errorf("page does not link the copy %s", dead.ArchivePath)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

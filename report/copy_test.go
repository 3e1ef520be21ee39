package report

import (
	"strings"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

func TestClassifyCopy(t *testing.T) {
	tests := []struct {
		ctype, head string
		kind        copyKind
		ext         string
	}{
		{"text/html; charset=gbk", "", copyHTML, ".html"},
		{"application/xhtml+xml", "", copyHTML, ".html"},
		{"", "<!DOCTYPE html><html>", copyHTML, ".html"},
		{"application/octet-stream", "<html><script>", copyHTML, ".html"},
		{"application/pdf", "%PDF-1.7", copyPlain, ".pdf"},
		{"image/png", "", copyPlain, ".png"},
		{"image/jpeg", "", copyPlain, ".jpg"},
		{"text/plain; charset=utf-8", "", copyPlain, ".txt"},
		// Types a browser may run, and unknown ones, are downloads.
		{"image/svg+xml", "<svg><script>", copyBinary, ".bin"},
		{"text/xml", "<?xml", copyBinary, ".bin"},
		{"application/javascript", "", copyBinary, ".bin"},
		{"text/javascript", "", copyBinary, ".bin"},
		{"application/json", "{}", copyBinary, ".bin"},
		{"", "\x00\x01\x02", copyBinary, ".bin"},
		{"nonsense", "", copyBinary, ".bin"},
	}
	for _, tt := range tests {
		kind, ext := classifyCopy(tt.ctype, []byte(tt.head))
		if kind != tt.kind || ext != tt.ext {
			t.Errorf("classifyCopy(%q, %q) = %v, %q; want %v, %q", tt.ctype, tt.head, kind, ext, tt.kind, tt.ext)
		}
	}
}

// The extension comes from the content type: a URL's own extension never
// makes a file a browser would run.
func TestCopyName(t *testing.T) {
	tests := []struct{ url, ext, want string }{
		{"https://example.com/a/b.html", ".html", "example.com_a_b.html"},
		{"https://example.com/a/b.HTML", ".html", "example.com_a_b.HTML"},
		{"https://example.com/x.html", ".txt", "example.com_x.html.txt"},
		{"https://evil.example/x.svg", ".bin", "evil.example_x.svg.bin"},
		{"https://example.com/", ".html", "example.com.html"},
		{"https://例子.cn/文章?id=1", ".html", "__.cn____id_1.html"},
		{"https://files.example/doc.pdf", ".pdf", "files.example_doc.pdf"},
		{"https://example.com/" + strings.Repeat("a", 200), ".html", "example.com_" + strings.Repeat("a", 88) + ".html"},
	}
	for _, tt := range tests {
		if got := copyName(tt.url, tt.ext); got != tt.want {
			t.Errorf("copyName(%q, %q) = %q, want %q", tt.url, tt.ext, got, tt.want)
		}
	}
}

func TestCopyPage(t *testing.T) {
	var b strings.Builder
	c := linkvault.Capture{URL: `https://example.com/a?x="1"&y=<2>`, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), HTTPStatus: 200, Title: "</title><script>"}
	if err := copyPage(&b, c, `<p class="a">x &amp; y</p><script>alert(1)</script></iframe><script>alert(2)</script>`); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`,
		`<iframe sandbox title="archived copy" srcdoc="&lt;p class=&#34;a&#34;&gt;x &amp;amp; y&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/iframe&gt;&lt;script&gt;alert(2)&lt;/script&gt;"></iframe>`,
		`<title>Archived copy: &lt;/title&gt;&lt;script&gt;</title>`,
		`<time datetime="2026-01-02T03:04:05Z">2026-01-02 03:04 UTC</time>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if n := strings.Count(out, "<script"); n != 0 {
		t.Errorf("page has %d <script> elements, want none", n)
	}
	if n := strings.Count(out, "<iframe"); n != 1 {
		t.Errorf("page has %d <iframe> elements, want 1", n)
	}
}

// Only .bin copies are offered as downloads: every other copy is written
// in a form the browser may open (classifyCopy).
func TestArchiveDownload(t *testing.T) {
	for p, want := range map[string]string{
		"archive/20260101000000/example.com_x.html":     "",
		"archive/20260101000000/example.com_x.pdf":      "",
		"archive/20260101000000/evil.example_x.svg.bin": "evil.example_x.svg.bin",
		"report.files/20260101000000/a.BIN":             "a.BIN",
		"https://example.com/a.bin":                     "",
	} {
		if got := archiveDownload(p); got != want {
			t.Errorf("archiveDownload(%q) = %q, want %q", p, got, want)
		}
	}
}

package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/linkvault/linkvault"
)

// Archived copies in the report's folder. The folder is opened from disk
// or published on a shared origin (GitHub Pages), where a copy of a page
// saved as is would run the page's scripts with the report's origin. So
// a copy is only ever written in a form a browser will not run:
//
//   - an HTML page (text/html, application/xhtml+xml) becomes a small
//     page of ours, written by copyPage, that shows the copy in an
//     <iframe sandbox srcdoc>: no scripts, forms, plugins, popups or
//     navigation of the report, an opaque origin, and a
//     Content-Security-Policy (inherited by the frame) that loads nothing
//     from the network, so the copy can neither run nor call home;
//   - a PDF, a PNG, JPEG, GIF or WebP image and plain text are written as
//     they are, under their own extension (.pdf, .png, .jpg, .gif, .webp,
//     .txt): browsers show those without running anything;
//   - anything else (SVG, XML, JavaScript, unknown types) is written as is
//     under .bin, which browsers and static hosts offer as a download.
//
// The extension always comes from the content type, never from the URL:
// https://example.com/x.html answered as text/plain is x.html.txt.

// copyKind is how an archived copy is written into the report's folder.
type copyKind int

const (
	copyBinary copyKind = iota // as is, as a download (.bin)
	copyPlain                  // as is, a type browsers show inertly
	copyHTML                   // wrapped by copyPage
)

// inertTypes are the media types written as is, and their extensions.
var inertTypes = map[string]string{
	"application/pdf": ".pdf",
	"image/png":       ".png",
	"image/jpeg":      ".jpg",
	"image/gif":       ".gif",
	"image/webp":      ".webp",
	"text/plain":      ".txt",
}

// classifyCopy returns how a capture of contentType is written and the
// extension of its file. head, the first bytes of the body, is sniffed
// when the content type is missing or says nothing
// (application/octet-stream).
func classifyCopy(contentType string, head []byte) (copyKind, string) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt == "" || mt == "application/octet-stream" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(head))
	}
	switch mt {
	case "text/html", "application/xhtml+xml":
		return copyHTML, ".html"
	}
	if ext, ok := inertTypes[mt]; ok {
		return copyPlain, ext
	}
	return copyBinary, ".bin"
}

// copyName returns the file name of the copy of u whose file has the
// extension ext (from classifyCopy): the URL without its scheme, every
// character but ASCII letters, digits, '.', '-' and '_' replaced by '_',
// cut to 100 bytes, then ext unless it already ends so.
func copyName(u, ext string) string {
	name := u
	if i := strings.Index(name, "://"); i >= 0 {
		name = name[i+3:]
	}
	name = strings.TrimSuffix(name, "/")
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 100 {
		s = s[:100]
	}
	if !strings.EqualFold(path.Ext(s), ext) {
		s += ext
	}
	return s
}

var (
	//go:embed assets/copy.html.tmpl
	copySource   string
	copyTemplate = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("copy").Funcs(template.FuncMap{"safeURL": safeURL}).Parse(copySource))
	})
)

// copyPage writes the page of ours that shows an archived HTML page
// without letting it run: page is the captured document decoded to UTF-8,
// c the capture it comes from (its URL, time and status are shown above
// the copy).
func copyPage(w io.Writer, c linkvault.Capture, page string) error {
	v := struct {
		URL, Title, Time, TimeISO string
		HTTPStatus                int
		Truncated                 bool
		Page                      string
	}{
		URL:        c.URL,
		Title:      c.Title,
		Time:       c.Time.UTC().Format("2006-01-02 15:04 UTC"),
		TimeISO:    c.Time.UTC().Format(time.RFC3339),
		HTTPStatus: c.HTTPStatus,
		Truncated:  c.Truncated,
		Page:       page,
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := copyTemplate().Execute(bw, v); err != nil {
		return fmt.Errorf("report: archived copy of %s: %w", c.URL, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: archived copy of %s: %w", c.URL, err)
	}
	return nil
}

package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"mime"
	"sync"
	"time"

	"github.com/linkvault/linkvault"
)

//go:embed assets/captures.html.tmpl
var capturesHTML string

var capturesTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("captures").Parse(capturesHTML))
})

// CaptureList writes the page `serve` shows at /web/*/URL: the captures of
// url, oldest first, each linked to its replay (/web/TIMESTAMP/URL) and to
// its bytes as archived (/web/TIMESTAMPid_/URL), in the health report's
// look. message, when set, says why the list is shown (a URL with no copy
// at the time asked, or none at all). The page runs no script.
func CaptureList(w io.Writer, url, message string, caps []linkvault.Capture) error {
	type row struct {
		Href, Raw, Time, Type, ContentType, Size, Note string
		Status                                         int
	}
	d := struct {
		Title, URL, Message string
		CSS                 template.CSS
		Captures            []row
	}{Title: "Archived copies", URL: url, Message: message, CSS: template.CSS(htmlCSS)}
	if url != "" && len(caps) > 0 {
		d.Title = "Archived copies: " + plural(len(caps), "capture")
	}
	for _, c := range caps {
		ts := c.Time.UTC().Format("20060102150405")
		note := ""
		switch {
		case c.Revisit && c.RefersToURL != "":
			note = "same payload as " + c.RefersToURL + " (" + c.RefersTo.UTC().Format(time.DateTime) + ")"
		case c.Revisit:
			note = "unchanged since " + c.RefersTo.UTC().Format(time.DateTime)
		case c.Truncated:
			note = "truncated at the size cap"
		}
		d.Captures = append(d.Captures, row{
			Href: "/web/" + ts + "/" + c.URL, Raw: "/web/" + ts + "id_/" + c.URL,
			Time: c.Time.UTC().Format(time.DateTime), Type: mediaType(c.ContentType), ContentType: c.ContentType,
			Size: Bytes(c.Size), Note: note, Status: c.HTTPStatus,
		})
	}
	return capturesTemplate().Execute(w, d)
}

// mediaType is the type of a Content-Type without its parameters.
func mediaType(ctype string) string {
	if mt, _, err := mime.ParseMediaType(ctype); err == nil {
		return mt
	}
	return ctype
}

// Bytes writes a size in binary units, as every report and the CLI print
// sizes: 512 B, 67.1 KiB, 12.0 MiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

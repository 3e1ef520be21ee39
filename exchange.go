package linkvault

import (
	"io"
	"net/http"
	"time"
)

// Exchange is one HTTP request and response offered for archiving. The
// crawler builds it while fetching and hands it to a capture function; the
// archive turns it into WARC records.
//
// Body reads the payload exactly as the server sent it (the transport asks
// for and decodes no compression). The crawler has already received it in
// full into a spool file, at most the capture cap: Size is its length and
// Truncated tells whether the cap cut it. Body is valid only during the
// capture call and must not be retained.
type Exchange struct {
	URL            string // the URL requested (after redirects: the final URL)
	LinkURL        string // the canonical URL of the link this fetch checked
	Time           time.Time
	Method         string
	RequestHeader  http.Header
	Proto          string // "HTTP/1.1", "HTTP/2.0"
	StatusCode     int
	Status         string // "200 OK"
	ResponseHeader http.Header
	RemoteAddr     string
	Title          string
	TextHash       Fingerprint // of the page's main text, zero when none
	Body           io.Reader
	Size           int64
	Truncated      bool
}

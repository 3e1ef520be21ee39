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
// Body streams the payload exactly as the server sent it (the transport
// asks for and decodes no compression), limited to the capture cap. It is
// valid only during the capture call and must not be retained.
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
	Body           io.Reader
	Truncated      bool // set by the reader of Body when it stopped at the cap
}

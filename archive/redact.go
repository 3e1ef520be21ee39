package archive

import (
	"net/http"

	"github.com/linkvault/linkvault"
)

// Headers never archived. Request: credentials. Response: cookies set by
// the server (a session handed to linkvault is a credential too).
var (
	secretRequestHeaders  = []string{"Authorization", "Proxy-Authorization", "Cookie"}
	secretResponseHeaders = []string{"Set-Cookie", "Set-Cookie2"}
)

// redact returns ex with the secret headers removed: secretRequestHeaders
// and ArchiverOptions.RedactHeaders from the request, secretResponseHeaders
// from the response. ex itself is not modified; the body is shared.
func (a *Archiver) redact(ex *linkvault.Exchange) *linkvault.Exchange {
	out := *ex
	out.RequestHeader = without(ex.RequestHeader, secretRequestHeaders, a.opts.RedactHeaders)
	out.ResponseHeader = without(ex.ResponseHeader, secretResponseHeaders, nil)
	return &out
}

// without returns a copy of h without the named fields (case-insensitive).
func without(h http.Header, names, more []string) http.Header {
	if h == nil {
		return nil
	}
	h = h.Clone()
	for _, n := range names {
		h.Del(n)
	}
	for _, n := range more {
		h.Del(n)
		// A name that is not in canonical form may have been set
		// directly in the map.
		delete(h, n)
	}
	return h
}

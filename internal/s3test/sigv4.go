package s3test

// AWS Signature Version 4 for the few requests of this package (header
// signing, signed payload), written from the AWS documentation
// ("Create a signed AWS API request").

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

func hmacSHA256(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// uriEncode percent-encodes s as SigV4 asks: every byte but A–Z, a–z, 0–9,
// '-', '.', '_', '~' (and '/' unless slash is set).
func uriEncode(s string, slash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '/' && !slash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// sign adds the SigV4 Authorization, X-Amz-Date and X-Amz-Content-Sha256
// headers to req. The query of req must already be encoded as uriEncode
// does.
func sign(req *http.Request, body []byte, accessKey, secretKey, region string, now time.Time) {
	now = now.UTC()
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	payload := sha256Hex(body)
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payload)
	req.ContentLength = int64(len(body))

	canonicalURI := uriEncode(req.URL.Path, false)
	req.URL.RawPath = canonicalURI
	var params []string
	if req.URL.RawQuery != "" {
		for _, p := range strings.Split(req.URL.RawQuery, "&") {
			if !strings.Contains(p, "=") {
				p += "="
			}
			params = append(params, p)
		}
	}
	sort.Strings(params)

	signed := "host;x-amz-content-sha256;x-amz-date"
	canonicalHeaders := "host:" + req.URL.Host + "\n" +
		"x-amz-content-sha256:" + payload + "\n" +
		"x-amz-date:" + amzDate + "\n"
	canonical := strings.Join([]string{req.Method, canonicalURI, strings.Join(params, "&"),
		canonicalHeaders, signed, payload}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex([]byte(canonical))
	key := hmacSHA256([]byte("AWS4"+secretKey), day)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, "s3")
	key = hmacSHA256(key, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		accessKey, scope, signed, sig))
}

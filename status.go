package linkvault

import (
	"fmt"
	"math/bits"
	"strconv"
	"time"
)

// Status is the class of one check of one URL.
type Status string

// The classes of a check. Exactly one applies to each check.
const (
	StatusOK          Status = "ok"          // 2xx, possibly after redirects, or 304
	StatusBroken      Status = "broken"      // 404, 410, other 4xx; 5xx after retries; redirect loop
	StatusSoft404     Status = "soft404"     // answers 2xx, but the content is gone: see Result.Evidence
	StatusUnreachable Status = "unreachable" // DNS failure, refused, TLS error, timeout
	StatusBlocked     Status = "blocked"     // 401, 403, 999, bot challenge: cannot be verified
	StatusThrottled   Status = "throttled"   // 429 after retries
	StatusSkipped     Status = "skipped"     // excluded, unsupported scheme, private address
)

// Statuses lists every Status in report order.
var Statuses = []Status{StatusOK, StatusBroken, StatusSoft404, StatusUnreachable, StatusBlocked, StatusThrottled, StatusSkipped}

// Bad reports whether the check found the link broken, gone behind a 2xx
// (soft 404) or unreachable: the classes that advance a URL towards dead.
func (s Status) Bad() bool { return s == StatusBroken || s == StatusSoft404 || s == StatusUnreachable }

// Unverifiable reports whether the check could not tell alive from dead.
func (s Status) Unverifiable() bool { return s == StatusBlocked || s == StatusThrottled }

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Redirect is one hop of a redirect chain: the status answered and the
// URL it answered for.
type Redirect struct {
	Status int    `json:"status"`
	URL    string `json:"url"`
}

// GitHubRepo is what the GitHub API said about a repository link.
type GitHubRepo struct {
	FullName  string    `json:"full_name"`
	Exists    bool      `json:"exists"`
	Archived  bool      `json:"archived,omitempty"`
	RenamedTo string    `json:"renamed_to,omitempty"` // OWNER/REPO when the repository moved
	PushedAt  time.Time `json:"pushed_at,omitzero"`
	// DefaultBranch and Commit (the branch's head) come from GitHub's
	// GraphQL API, when repositories are looked up in batches.
	DefaultBranch string `json:"default_branch,omitempty"`
	Commit        string `json:"commit,omitempty"`
}

// Result is the outcome of one check of one URL.
type Result struct {
	URL           string        `json:"-"` // canonical URL checked
	Status        Status        `json:"status"`
	Reason        string        `json:"reason,omitempty"` // short human explanation ("404 Not Found", "connection refused")
	HTTPStatus    int           `json:"http_status,omitempty"`
	FinalURL      string        `json:"final_url,omitempty"`
	Redirects     []Redirect    `json:"redirects,omitempty"`
	MovedTo       string        `json:"moved_to,omitempty"` // target of a permanent redirect
	ContentType   string        `json:"content_type,omitempty"`
	ContentLength int64         `json:"content_length,omitempty"` // as announced, -1 unknown
	Title         string        `json:"title,omitempty"`
	ETag          string        `json:"etag,omitempty"`
	LastModified  string        `json:"last_modified,omitempty"`
	NotModified   bool          `json:"not_modified,omitempty"` // answered 304 to a conditional request
	SoftNotFound  bool          `json:"soft_404,omitempty"`     // Status is soft404 (kept for scripts written before that status)
	Evidence      []string      `json:"evidence,omitempty"`     // soft 404: the signals that fired, see the Evidence constants
	TextHash      Fingerprint   `json:"text_hash,omitzero"`     // simhash of the page's main text, for content drift
	Truncated     bool          `json:"truncated,omitempty"`    // the body was longer than the cap
	BytesRead     int64         `json:"bytes_read,omitempty"`
	Requests      int           `json:"requests,omitempty"` // HTTP requests spent on this URL
	Duration      time.Duration `json:"-"`
	DurationMS    int64         `json:"duration_ms"`
	Error         string        `json:"error,omitempty"`
	CertExpiry    time.Time     `json:"cert_expiry,omitzero"`
	CheckedAt     time.Time     `json:"checked_at,omitzero"`
	GitHub        *GitHubRepo   `json:"github,omitempty"`
	// MissingFragments lists the #fragments (as written, without '#') the
	// notes link to on this page that name none of its anchors: the page
	// is alive, the section is gone. Empty when every fragment was found
	// or none could be judged (not an HTML page, body cut short).
	MissingFragments []string `json:"missing_fragments,omitempty"`
}

// String returns a one-line description such as "broken (404 Not Found)".
func (r Result) String() string {
	if r.Reason == "" {
		return string(r.Status)
	}
	return fmt.Sprintf("%s (%s)", r.Status, r.Reason)
}

// Evidence of a soft 404: which signal fired. A Result lists one or more.
const (
	EvidencePlatform      = "platform"       // a platform's own "deleted" page (WeChat …): enough alone
	EvidenceProbeSameURL  = "probe-same-url" // a random path on the host ends on the same URL
	EvidenceProbeSimilar  = "probe-similar"  // a random path on the host answers a near-identical page
	EvidenceRedirectRoot  = "redirect-root"  // a deep link redirects to the site's home page
	EvidenceRedirectUp    = "redirect-up"    // a deep link redirects to a much shorter ancestor path
	EvidenceRedirectError = "redirect-error" // a link redirects to an error page ("/404.html")
	EvidenceGenericTarget = "generic-target" // several unrelated links of the host end on this same page
	EvidenceGoneText      = "gone-text"      // the title or a short page says "not found"; supporting only
	EvidenceParked        = "parked"         // the page is a domain parking / for-sale page
)

// Fingerprint is a 64-bit simhash of a page's main text: near-identical
// texts have fingerprints a few bits apart. Zero means none (not a page, or
// too little text). It is written as 16 hex digits.
type Fingerprint uint64

// Distance is the number of bits in which f and g differ.
func (f Fingerprint) Distance(g Fingerprint) int { return bits.OnesCount64(uint64(f ^ g)) }

// MarshalText writes f as 16 hex digits.
func (f Fingerprint) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%016x", uint64(f)), nil }

// UnmarshalText reads 16 hex digits.
func (f *Fingerprint) UnmarshalText(b []byte) error {
	v, err := strconv.ParseUint(string(b), 16, 64)
	if err != nil {
		return fmt.Errorf("linkvault: fingerprint %q: %w", b, err)
	}
	*f = Fingerprint(v)
	return nil
}

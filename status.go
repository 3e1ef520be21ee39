package linkvault

import (
	"fmt"
	"time"
)

// Status is the class of one check of one URL.
type Status string

// The classes of a check. Exactly one applies to each check.
const (
	StatusOK          Status = "ok"          // 2xx, possibly after redirects, or 304
	StatusBroken      Status = "broken"      // 404, 410, other 4xx; 5xx after retries; redirect loop
	StatusUnreachable Status = "unreachable" // DNS failure, refused, TLS error, timeout
	StatusBlocked     Status = "blocked"     // 401, 403, 999, bot challenge: cannot be verified
	StatusThrottled   Status = "throttled"   // 429 after retries
	StatusSkipped     Status = "skipped"     // excluded, unsupported scheme, private address
)

// Statuses lists every Status in report order.
var Statuses = []Status{StatusOK, StatusBroken, StatusUnreachable, StatusBlocked, StatusThrottled, StatusSkipped}

// Bad reports whether the check found the link broken or unreachable: the
// classes that advance a URL towards dead.
func (s Status) Bad() bool { return s == StatusBroken || s == StatusUnreachable }

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
	SoftNotFound  bool          `json:"soft_404,omitempty"`     // 200 whose body says the page is gone
	Truncated     bool          `json:"truncated,omitempty"`    // the body was longer than the cap
	BytesRead     int64         `json:"bytes_read,omitempty"`
	Requests      int           `json:"requests,omitempty"` // HTTP requests spent on this URL
	Duration      time.Duration `json:"-"`
	DurationMS    int64         `json:"duration_ms"`
	Error         string        `json:"error,omitempty"`
	CertExpiry    time.Time     `json:"cert_expiry,omitzero"`
	CheckedAt     time.Time     `json:"checked_at,omitzero"`
	GitHub        *GitHubRepo   `json:"github,omitempty"`
}

// String returns a one-line description such as "broken (404 Not Found)".
func (r Result) String() string {
	if r.Reason == "" {
		return string(r.Status)
	}
	return fmt.Sprintf("%s (%s)", r.Status, r.Reason)
}

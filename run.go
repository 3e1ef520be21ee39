package linkvault

import "time"

// Run is one invocation of `linkvault check`.
type Run struct {
	ID           uint64    `json:"id"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end,omitzero"`
	Version      string    `json:"version"`
	ConfigDigest string    `json:"config_digest,omitempty"`
	Finished     bool      `json:"finished"`
	Interrupted  bool      `json:"interrupted,omitempty"`
	// Partial: some of the run's inputs (notes) could not be read, so the
	// run does not know every URL the notes reference and marked none
	// gone.
	Partial bool `json:"partial,omitempty"`
	// A budgeted run (check.budget) checks the most urgent due links its
	// hosts' rates allow within Budget; Left is how many due links it did
	// not reach: they keep their state and are due the next run.
	BudgetSeconds float64               `json:"budget_seconds,omitempty"`
	Due           int                   `json:"due,omitempty"`
	Left          int                   `json:"left,omitempty"`
	Counts        map[Status]int        `json:"counts,omitempty"`
	States        map[State]int         `json:"states,omitempty"`
	Hosts         map[string]*HostStats `json:"hosts,omitempty"`
	NewlyDead     int                   `json:"newly_dead,omitempty"`
	Recovered     int                   `json:"recovered,omitempty"`
}

// HostStats is what one run did on one host.
type HostStats struct {
	Requests  int   `json:"requests"`
	Bytes     int64 `json:"bytes"`
	Throttled int   `json:"throttled"` // 429 answers received
	LatencyMS int64 `json:"total_latency_ms"`
	Links     int   `json:"links"`
	Bad       int   `json:"bad,omitempty"`
	Blocked   int   `json:"blocked,omitempty"`
	// Rate is the host's requests per second when the run ended: below
	// the configured rate when the host asked for less (429,
	// Retry-After). The next runs plan with it (0: not known).
	Rate float64 `json:"rate,omitempty"`
}

// MeanLatency is the mean response time of the host's requests.
func (h *HostStats) MeanLatency() time.Duration {
	if h == nil || h.Requests == 0 {
		return 0
	}
	return time.Duration(h.LatencyMS/int64(h.Requests)) * time.Millisecond
}

// Capture is one snapshot of a URL in the WARC archive.
type Capture struct {
	URL         string      `json:"url"`
	Time        time.Time   `json:"time"`
	File        string      `json:"file"`   // WARC file name, relative to the archive directory
	Offset      int64       `json:"offset"` // of the response (or revisit) record
	Length      int64       `json:"length"` // of the record, compressed
	Digest      string      `json:"digest"` // payload digest, "sha256:…" or "sha1:…"
	HTTPStatus  int         `json:"http_status"`
	ContentType string      `json:"content_type,omitempty"`
	Title       string      `json:"title,omitempty"`
	TextHash    Fingerprint `json:"text_hash,omitzero"` // of the main text, for content drift
	Size        int64       `json:"size"`               // payload bytes
	Revisit     bool        `json:"revisit,omitempty"`  // identical payload: see RefersTo
	RefersTo    time.Time   `json:"refers_to,omitzero"`
	Truncated   bool        `json:"truncated,omitempty"`
	// RefersToURL is, for a revisit whose payload was first stored under
	// another URL (a stylesheet shared by two pages), that URL.
	RefersToURL string `json:"refers_to_url,omitempty"`
}

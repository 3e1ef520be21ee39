package linkvault

import "time"

// State is what linkvault believes about a URL across runs.
type State string

// URL states.
const (
	StateNew     State = "new"     // referenced, never checked yet
	StateAlive   State = "alive"   // last check ok
	StateFailing State = "failing" // bad, but fewer than dead_after consecutive bad runs (or too recent)
	StateDead    State = "dead"    // bad in dead_after consecutive runs spanning at least dead_min_age
	StateBlocked State = "blocked" // never verifiable: only blocked/throttled results
	StateMoved   State = "moved"   // alive through a permanent redirect to another URL
	StateChanged State = "changed" // alive, but its main text no longer matches what was cited (content drift)
	StateGone    State = "gone"    // no longer referenced by the notes: kept, hidden by default
	// StateFragmentMissing: alive, but a #fragment the notes link to names
	// no anchor of the page any more (the section is gone; see
	// Result.MissingFragments).
	StateFragmentMissing State = "fragment_missing"
)

// States lists every State in report order.
var States = []State{StateDead, StateFailing, StateChanged, StateFragmentMissing, StateBlocked, StateMoved, StateAlive, StateNew, StateGone}

// Policy decides when a URL is dead and when a run fails.
//
// A zero field means "the default" (see WithDefaults), so that the zero
// Policy is DefaultPolicy and a caller sets only what it overrides. That
// holds for DriftDistance too: 0 is DefaultDriftDistance, and drift is
// turned off by a negative distance (DriftOff). The config key
// policy.drift_distance, where 0 means off, is the CLI's spelling: the
// config maps its 0 to DriftOff.
type Policy struct {
	DeadAfter  int           // consecutive bad runs before dead (default 2; < 1 means the default)
	DeadMinAge time.Duration // the bad runs must span at least this long (used as given, 0: no minimum, negative: 0)
	FailOn     FailOn        // which outcome makes a run exit 1 (empty: FailOnDead)
	// DriftDistance is the Hamming distance between the fingerprint of
	// the cited main text and the current one from which a page counts as
	// changed (0: DefaultDriftDistance; negative, e.g. DriftOff: drift is
	// not tracked).
	DriftDistance int
	// MaxAge: a verdict older than this is stale (0: verdicts never go
	// stale), policy.max_age.
	MaxAge time.Duration
}

// DriftOff as Policy.DriftDistance turns content drift off: no page
// becomes changed.
const DriftOff = -1

// WithDefaults returns p with every zero field set to its default: the
// zero Policy is DefaultPolicy(); otherwise DeadAfter < 1, an empty FailOn
// and a zero DriftDistance take the default values, a negative DeadMinAge
// becomes 0, and a zero DeadMinAge is kept (no minimum age). It is the one
// place that applies policy defaults: the archive, the state machine
// ([Advance]) and the reports all go through it.
func (p Policy) WithDefaults() Policy {
	def := DefaultPolicy()
	if p == (Policy{}) {
		return def
	}
	if p.DeadAfter < 1 {
		p.DeadAfter = def.DeadAfter
	}
	if p.DeadMinAge < 0 {
		p.DeadMinAge = 0
	}
	if p.FailOn == "" {
		p.FailOn = def.FailOn
	}
	if p.DriftDistance == 0 {
		p.DriftDistance = def.DriftDistance
	}
	return p
}

// DefaultDriftDistance is the fingerprint distance from which a page's main
// text counts as changed. Measured on ~600-word English and ~800-character
// Chinese articles (crawler's TestDrift, TestDriftOneSentence): light edits
// (words changed, a typo fixed, a ~5% paragraph appended) stay at 0–8
// bits, any one sentence replaced at 0–13 (English) and 0–5 (Chinese), the
// same article in another site template at 0; unrelated text of similar
// length lands at 24–30 bits. Unrelated texts differ in 32 bits on
// average, and fall under 18 with a probability of about 1e-4.
const DefaultDriftDistance = 18

// FailOn is the CI policy for the exit status of a check.
type FailOn string

// FailOn policies.
const (
	FailOnDead   FailOn = "dead"   // any referenced URL is dead
	FailOnNew    FailOn = "new"    // a URL became dead in this run
	FailOnBroken FailOn = "broken" // any bad check in this run
	FailOnNever  FailOn = "never"
)

// Valid reports whether f is one of the known policies.
func (f FailOn) Valid() bool {
	switch f {
	case FailOnDead, FailOnNew, FailOnBroken, FailOnNever:
		return true
	}
	return false
}

// Outcome is what the fail_on decision needs to know about one URL the
// notes reference, after a run.
type Outcome struct {
	State     State // its state after the run
	NewlyDead bool  // the run made it dead
	BadInRun  bool  // the run checked it, and the check was bad
	// FragmentMissing: the run checked it, the page answered, and a
	// #fragment the notes link to names no anchor of it.
	FragmentMissing bool
}

// Failed reports whether a run fails (exits 1) under the policy f, given
// the outcomes of the URLs the notes reference (gone ones need not be
// listed): never never fails; new fails when a URL became dead in the run;
// broken when any check of the run was bad or found a fragment missing;
// dead, and any other value, when any URL is dead (a missing fragment
// never fails it: the page is alive). The CLI's check and report commands both decide
// their exit status with it.
func (f FailOn) Failed(outcomes []Outcome) bool {
	for _, o := range outcomes {
		switch f {
		case FailOnNever:
			return false
		case FailOnNew:
			if o.NewlyDead {
				return true
			}
		case FailOnBroken:
			if o.BadInRun || o.FragmentMissing {
				return true
			}
		default:
			if o.State == StateDead {
				return true
			}
		}
	}
	return false
}

// DefaultPolicy returns the shipped policy.
func DefaultPolicy() Policy {
	return Policy{DeadAfter: 2, DeadMinAge: 20 * time.Hour, FailOn: FailOnDead, DriftDistance: DefaultDriftDistance}
}

// URLRecord is everything the archive remembers about one URL.
type URLRecord struct {
	URL            string    `json:"url"`
	Kind           Kind      `json:"kind,omitempty"`
	FirstSeen      time.Time `json:"first_seen"`
	LastSeen       time.Time `json:"last_seen"` // last run whose notes referenced it
	Sources        []Source  `json:"sources"`
	Last           *Result   `json:"result,omitempty"`
	State          State     `json:"state"`
	StateSince     time.Time `json:"state_since"`
	PrevState      State     `json:"previous_state,omitempty"`
	ConsecutiveBad int       `json:"consecutive_bad"`
	FirstBad       time.Time `json:"first_bad,omitzero"` // first check of the current bad streak
	LastOK         time.Time `json:"last_ok,omitzero"`
	LastChecked    time.Time `json:"last_checked,omitzero"`
	ETag           string    `json:"etag,omitempty"`
	LastModified   string    `json:"last_modified,omitempty"`
	Wayback        *Wayback  `json:"wayback,omitempty"`
	// SourceCode is the latest archived source of a repository link;
	// SoftwareHeritage, Software Heritage's copy of a dead one (both
	// attached when read, like Wayback).
	SourceCode       *SourceCopy       `json:"source_code,omitempty"`
	SoftwareHeritage *SoftwareHeritage `json:"software_heritage,omitempty"`

	// Content drift. Cited is the fingerprint of the main text when the
	// URL was first fetched: what the notes cited. LastMatch is the last
	// check whose text still matched it; ChangedSince the first check of
	// the current run of checks that did not (zero while it matches).
	Cited        Fingerprint `json:"cited_text,omitzero"`
	LastMatch    time.Time   `json:"last_match,omitzero"`
	ChangedSince time.Time   `json:"changed_since,omitzero"`
}

// Wayback is the cached answer of the Wayback Machine for a URL.
type Wayback struct {
	URL       string    `json:"url,omitempty"` // latest snapshot, empty when there is none
	CheckedAt time.Time `json:"checked_at"`
}

// Check is one check of one URL in one run, as kept in the history.
type Check struct {
	RunID      uint64    `json:"run"`
	Time       time.Time `json:"time"`
	Status     Status    `json:"status"`
	HTTPStatus int       `json:"http_status,omitempty"`
	DurationMS int64     `json:"duration_ms"`
	Reason     string    `json:"reason,omitempty"`
	State      State     `json:"state"`                   // state after this check
	Changed    bool      `json:"state_changed,omitempty"` // the check changed the state
}

// Offered returns the capture to offer for the URL among caps (oldest
// first): for a changed page, the latest whose text still matches what
// was cited (drift is Policy.DriftDistance); when the last check was bad
// (a soft 404 is captured before it is recognised), the latest taken while
// the URL was ok; otherwise the latest. It reports false when none
// qualifies.
func (r *URLRecord) Offered(caps []Capture, drift int) (Capture, bool) {
	for i := len(caps) - 1; i >= 0; i-- {
		c := caps[i]
		switch {
		case r.State == StateChanged && r.Cited != 0:
			if c.TextHash != 0 && r.Cited.Distance(c.TextHash) >= drift ||
				c.TextHash == 0 && c.Time.After(r.LastMatch) {
				continue
			}
		case r.Last != nil && r.Last.Status.Bad():
			if c.Time.After(r.LastOK) {
				continue
			}
		}
		return c, true
	}
	return Capture{}, false
}

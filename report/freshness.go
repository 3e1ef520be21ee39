package report

import (
	"fmt"
	"time"

	"github.com/linkvault/linkvault"
)

// freshness is how recent the verdicts of the links in the notes are.
type freshness struct {
	Links    int       // links in the notes (web and local, not gone)
	Verified int       // of them, checked at least once
	Oldest   time.Time // the oldest verdict (zero: none)
	Stale    int       // verdicts older than Policy.MaxAge
}

// freshnessOf counts the verdicts of d's links as of d.GeneratedAt.
func freshnessOf(d *Data) freshness {
	var f freshness
	for i := range d.Entries {
		e := &d.Entries[i]
		if e.State == linkvault.StateGone || e.Kind == linkvault.KindOther {
			continue
		}
		f.Links++
		at := checkedAt(e)
		if at.IsZero() {
			continue
		}
		f.Verified++
		if f.Oldest.IsZero() || at.Before(f.Oldest) {
			f.Oldest = at
		}
		if stale(d, e) {
			f.Stale++
		}
	}
	return f
}

// freshnessLine says how much of the notes the verdicts cover and how old
// the oldest is; "" when neither a budget nor policy.max_age is in play
// (every run then checks every due link).
func freshnessLine(d *Data) string {
	budget := d.Run != nil && d.Run.BudgetSeconds > 0
	if !budget && d.Policy.MaxAge <= 0 {
		return ""
	}
	f := freshnessOf(d)
	line := fmt.Sprintf("Verified: %d of %d links", f.Verified, f.Links)
	if !f.Oldest.IsZero() {
		line += ", the oldest verdict " + ago(d.GeneratedAt.Sub(f.Oldest)) + " old"
	}
	if d.Policy.MaxAge > 0 {
		line += fmt.Sprintf("; %d stale (older than %s)", f.Stale, fmtDuration(d.Policy.MaxAge))
	}
	if budget && d.Run.Left > 0 {
		line += fmt.Sprintf("; this run left %d due links for the next", d.Run.Left)
	}
	return line + "."
}

// ago writes an age for people: 5 minutes, 3 hours, 2 days.
func ago(d time.Duration) string {
	switch {
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}

// stale reports whether the verdict of e is older than policy.max_age at
// d.GeneratedAt; never when max_age is off or e was never checked.
func stale(d *Data, e *Entry) bool {
	at := checkedAt(e)
	return d.Policy.MaxAge > 0 && !at.IsZero() && d.GeneratedAt.Sub(at) > d.Policy.MaxAge
}

// checkedAt is when e was last verified: its LastChecked, else the time of
// its last result; zero when unknown, or when the last check was skipped
// (a private address, an excluded URL: nothing was verified).
func checkedAt(e *Entry) time.Time {
	switch {
	case e.Last != nil && e.Last.Status == linkvault.StatusSkipped:
		return time.Time{}
	case !e.LastChecked.IsZero() || e.Last == nil:
		return e.LastChecked
	}
	return e.Last.CheckedAt
}

// verified says when e was last checked, for one row of a list: "verified
// 3 days ago", with ", stale" when the verdict is older than
// policy.max_age; "not verified yet" for a link never checked, "" when
// the time of its last check is unknown.
func verified(d *Data, e *Entry) string {
	switch ago := verifiedAgo(d, e); {
	case ago == "" || e.Last == nil:
		return ago
	case stale(d, e):
		return "verified " + ago + ", stale"
	default:
		return "verified " + ago
	}
}

// verifiedAgo says how long ago e was last checked ("3 days ago", "just
// now"); "not verified yet" for a link never checked, "" when the time of
// its last check is unknown.
func verifiedAgo(d *Data, e *Entry) string {
	at := checkedAt(e)
	switch {
	case at.IsZero() && e.Last == nil:
		return "not verified yet"
	case at.IsZero():
		return ""
	}
	return agoPhrase(d.GeneratedAt.Sub(at))
}

// agoPhrase is ago with its "ago": "just now" under a minute.
func agoPhrase(d time.Duration) string {
	if d < time.Minute {
		return "just now"
	}
	return ago(d) + " ago"
}

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
		if e.LastChecked.IsZero() {
			continue
		}
		f.Verified++
		if f.Oldest.IsZero() || e.LastChecked.Before(f.Oldest) {
			f.Oldest = e.LastChecked
		}
		if d.Policy.MaxAge > 0 && d.GeneratedAt.Sub(e.LastChecked) > d.Policy.MaxAge {
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

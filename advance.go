package linkvault

import "time"

// Advance folds the result of one check into the record of its URL and
// returns the new record and the check to append to the history. It is a
// pure function: the same inputs always give the same outputs. now is the
// time of the check; p is the policy (zero fields take the defaults, see
// Policy.WithDefaults). The returned Check has no RunID. The archive
// applies it to every result of a run.
//
// The rules (see the package documentation, # States):
//   - ok: alive, or moved when res.MovedTo is set; the bad streak ends;
//     LastOK and the validators (ETag, Last-Modified) are updated. When
//     the result carries a text fingerprint, the first one becomes Cited
//     (what the notes cited); a later one at p.DriftDistance or more from
//     Cited makes the URL changed (ChangedSince: the first such check),
//     a closer one is a match (LastMatch) and ends changed. A 304 keeps
//     changed; moved wins over changed. An ok result with
//     MissingFragments is fragment_missing (changed and moved win over
//     it). A result without MissingFragments (a 304 among them: nothing
//     was read to judge) is alive.
//   - broken, soft404, unreachable: the streak grows (FirstBad is its first check);
//     dead once it has p.DeadAfter checks spanning at least p.DeadMinAge,
//     failing before that. A dead URL stays dead while it stays bad.
//   - blocked, throttled: new (or gone) becomes blocked; every other state is
//     kept, and the bad streak neither grows nor ends.
//   - skipped (excluded, a private address): the result becomes the last
//     one, so that every report counts and shows the link as skipped,
//     and LastChecked is now; the state (new for a link never checked),
//     the bad streak, LastOK and the validators do not change.
//   - a status Advance does not know: nothing changes.
//
// A change of state sets Check.Changed, StateSince (to now) and PrevState,
// so that dead or failing followed by alive reads as a recovery.
func Advance(rec URLRecord, res Result, p Policy, now time.Time) (URLRecord, Check) {
	p = p.WithDefaults()
	if rec.URL == "" {
		rec.URL = res.URL
	}
	if rec.State == "" {
		rec.State = StateNew
	}
	chk := Check{
		Time:       now,
		Status:     res.Status,
		HTTPStatus: res.HTTPStatus,
		DurationMS: res.DurationMS,
		Reason:     res.Reason,
		State:      rec.State,
	}
	if chk.DurationMS == 0 && res.Duration > 0 {
		chk.DurationMS = res.Duration.Milliseconds()
	}
	if !res.Status.Valid() {
		return rec, chk
	}
	if res.Status == StatusSkipped {
		// Not checked (excluded, a private address): the result says so
		// and why; the state, the streaks and the validators stay.
		rec.Last = &res
		rec.LastChecked = now
		return rec, chk
	}

	next := rec.State
	switch {
	case res.Status == StatusOK:
		next = advanceOK(&rec, &res, p, now)
	case res.Status.Bad():
		next = advanceBad(&rec, p, now)
	case res.Status.Unverifiable():
		if rec.State == StateNew || rec.State == StateGone {
			next = StateBlocked
		}
	}

	last := res
	last.Redirects = append([]Redirect(nil), res.Redirects...)
	last.MissingFragments = append([]string(nil), res.MissingFragments...)
	if res.GitHub != nil {
		gh := *res.GitHub
		last.GitHub = &gh
	}
	rec.Last = &last
	rec.LastChecked = now
	if next != rec.State {
		rec.PrevState = rec.State
		rec.State = next
		rec.StateSince = now
		chk.Changed = true
	}
	chk.State = rec.State
	return rec, chk
}

// advanceOK applies an ok result to rec (see Advance) and returns the
// next state; the result of a 304 gets the title and content type of the
// last one.
func advanceOK(rec *URLRecord, res *Result, p Policy, now time.Time) State {
	next := drift(rec, *res, p, now)
	if next == StateAlive && len(res.MissingFragments) > 0 {
		next = StateFragmentMissing
	}
	if res.MovedTo != "" {
		next = StateMoved
	}
	rec.ConsecutiveBad = 0
	rec.FirstBad = time.Time{}
	rec.LastOK = now
	if !res.NotModified {
		rec.ETag, rec.LastModified = res.ETag, res.LastModified
		return next
	}
	// A 304 need not repeat the validators or the title.
	if res.ETag != "" {
		rec.ETag = res.ETag
	}
	if res.LastModified != "" {
		rec.LastModified = res.LastModified
	}
	if res.Title == "" && rec.Last != nil {
		res.Title = rec.Last.Title
	}
	if res.ContentType == "" && rec.Last != nil {
		res.ContentType = rec.Last.ContentType // the same representation
	}
	return next
}

// advanceBad applies a bad result to rec (see Advance) and returns the
// next state.
func advanceBad(rec *URLRecord, p Policy, now time.Time) State {
	rec.ConsecutiveBad++
	if rec.FirstBad.IsZero() {
		rec.FirstBad = now
	}
	switch {
	case rec.State == StateDead:
		return StateDead
	case rec.ConsecutiveBad >= p.DeadAfter && now.Sub(rec.FirstBad) >= p.DeadMinAge:
		return StateDead
	default:
		return StateFailing
	}
}

// Recovered reports whether a check that changed the state of a URL from
// prev to next is a recovery: a failing or dead URL that answers again.
func Recovered(prev, next State) bool {
	return (prev == StateDead || prev == StateFailing) &&
		(next == StateAlive || next == StateMoved)
}

// drift compares the text fingerprint of an ok result with the cited one,
// updates the drift fields of rec and returns the state the result leads
// to: alive or changed.
func drift(rec *URLRecord, res Result, p Policy, now time.Time) State {
	switch {
	case p.DriftDistance < 0:
		return StateAlive
	case res.TextHash == 0:
		// Nothing to compare (304, not a page, too little text): a
		// changed page stays changed until a fetch shows otherwise.
		if res.NotModified && rec.State == StateChanged {
			return StateChanged
		}
		return StateAlive
	case rec.Cited == 0:
		rec.Cited, rec.LastMatch = res.TextHash, now
		return StateAlive
	case rec.Cited.Distance(res.TextHash) < p.DriftDistance:
		rec.LastMatch, rec.ChangedSince = now, time.Time{}
		return StateAlive
	}
	if rec.ChangedSince.IsZero() {
		rec.ChangedSince = now
	}
	return StateChanged
}

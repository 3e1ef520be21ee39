package linkvault_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

var (
	resOK      = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, Reason: "200 OK"}
	res404     = linkvault.Result{Status: linkvault.StatusBroken, HTTPStatus: 404, Reason: "404 Not Found"}
	res410     = linkvault.Result{Status: linkvault.StatusBroken, HTTPStatus: 410, Reason: "410 Gone"}
	resRefused = linkvault.Result{Status: linkvault.StatusUnreachable, Reason: "connection refused"}
	res403     = linkvault.Result{Status: linkvault.StatusBlocked, HTTPStatus: 403, Reason: "403 Forbidden"}
	res429     = linkvault.Result{Status: linkvault.StatusThrottled, HTTPStatus: 429, Reason: "429 Too Many Requests"}
	resSkipped = linkvault.Result{Status: linkvault.StatusSkipped, Reason: "excluded"}
	resMoved   = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, MovedTo: "https://example.org/new"}
	resSoft    = linkvault.Result{Status: linkvault.StatusSoft404, HTTPStatus: 200, SoftNotFound: true, Evidence: []string{linkvault.EvidencePlatform}}

	// Fingerprints of one article (cited), the same lightly edited (2 bits
	// off) and unrelated content (30 bits off).
	textCited  = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, TextHash: 0x0123456789abcdef}
	textEdited = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, TextHash: 0x0123456789abcdef ^ 0b101}
	textOther  = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, TextHash: 0x0123456789abcdef ^ 0x3fffffff}
	res304     = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 304, NotModified: true}
	// A page answering, but without the anchor #install the notes link to.
	resNoAnchor = linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, MissingFragments: []string{"install"}}
)

const day = 24 * time.Hour

type step struct {
	at      time.Duration // since the first check
	res     linkvault.Result
	want    linkvault.State
	changed bool
}

func TestAdvance(t *testing.T) {
	def := linkvault.DefaultPolicy()
	noAge := linkvault.Policy{DeadAfter: 2, DeadMinAge: 0}
	tests := []struct {
		name   string
		policy linkvault.Policy
		steps  []step
		check  func(t *testing.T, rec linkvault.URLRecord)
	}{
		{"fragment missing, then fixed", def, []step{
			{0, resOK, linkvault.StateAlive, true},
			{day, resNoAnchor, linkvault.StateFragmentMissing, true},
			{2 * day, resNoAnchor, linkvault.StateFragmentMissing, false},
			{3 * day, resOK, linkvault.StateAlive, true},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if rec.ConsecutiveBad != 0 || rec.Last == nil || len(rec.Last.MissingFragments) != 0 {
				t.Errorf("bad %d, last %+v; want no streak and no missing fragment", rec.ConsecutiveBad, rec.Last)
			}
		}},
		{"fragment missing on a 404 page is failing, moved wins", noAge, []step{
			{0, resNoAnchor, linkvault.StateFragmentMissing, true},
			{day, res404, linkvault.StateFailing, true},
			{2 * day, linkvault.Result{Status: linkvault.StatusOK, MovedTo: "https://example.org/new", MissingFragments: []string{"x"}}, linkvault.StateMoved, true},
		}, nil},
		{"alive, 404 day 2 failing, dead day 3", def, []step{
			{0, resOK, linkvault.StateAlive, true},
			{day, res404, linkvault.StateFailing, true},
			{2 * day, res404, linkvault.StateDead, true},
			{3 * day, res404, linkvault.StateDead, false},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if rec.ConsecutiveBad != 3 || !rec.FirstBad.Equal(t0.Add(day)) || !rec.StateSince.Equal(t0.Add(2*day)) {
				t.Errorf("bad %d since %v, state since %v; want 3, day 1, day 2", rec.ConsecutiveBad, rec.FirstBad, rec.StateSince)
			}
			if rec.PrevState != linkvault.StateFailing || !rec.LastOK.Equal(t0) || !rec.LastChecked.Equal(t0.Add(3*day)) {
				t.Errorf("prev %s, last ok %v, last checked %v", rec.PrevState, rec.LastOK, rec.LastChecked)
			}
		}},
		{"410 counts like any bad run", def, []step{
			{0, res410, linkvault.StateFailing, true},
			{day, res410, linkvault.StateDead, true},
		}, nil},
		{"dead_min_age 0", noAge, []step{
			{0, resOK, linkvault.StateAlive, true},
			{time.Minute, res404, linkvault.StateFailing, true},
			{2 * time.Minute, resRefused, linkvault.StateDead, true},
		}, nil},
		{"dead_after 1 and dead_min_age 0: dead at once", linkvault.Policy{DeadAfter: 1}, []step{
			{0, res404, linkvault.StateDead, true},
		}, nil},
		{"bad runs too close together stay failing", def, []step{
			{0, res404, linkvault.StateFailing, true},
			{time.Hour, res404, linkvault.StateFailing, false},
			{2 * time.Hour, res404, linkvault.StateFailing, false},
			{20 * time.Hour, res404, linkvault.StateDead, true},
		}, nil},
		{"fails on day 2 only: never dead", def, []step{
			{0, resOK, linkvault.StateAlive, true},
			{day, res404, linkvault.StateFailing, true},
			{2 * day, resOK, linkvault.StateAlive, true},
			{3 * day, res404, linkvault.StateFailing, true},
			{4 * day, resOK, linkvault.StateAlive, true},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if rec.ConsecutiveBad != 0 || !rec.FirstBad.IsZero() || rec.PrevState != linkvault.StateFailing {
				t.Errorf("bad %d since %v prev %s; want streak reset, prev failing", rec.ConsecutiveBad, rec.FirstBad, rec.PrevState)
			}
		}},
		{"blocked only: never dead", def, []step{
			{0, res403, linkvault.StateBlocked, true},
			{day, res429, linkvault.StateBlocked, false},
			{2 * day, res403, linkvault.StateBlocked, false},
			{30 * day, res403, linkvault.StateBlocked, false},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if rec.ConsecutiveBad != 0 || !rec.LastOK.IsZero() {
				t.Errorf("bad %d, last ok %v; want 0, zero", rec.ConsecutiveBad, rec.LastOK)
			}
		}},
		{"blocked then ok", def, []step{
			{0, res403, linkvault.StateBlocked, true},
			{day, resOK, linkvault.StateAlive, true},
		}, nil},
		{"blocked after alive keeps alive", def, []step{
			{0, resOK, linkvault.StateAlive, true},
			{day, res403, linkvault.StateAlive, false},
			{2 * day, res429, linkvault.StateAlive, false},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if !rec.LastOK.Equal(t0) || rec.Last.Status != linkvault.StatusThrottled {
				t.Errorf("last ok %v, last %s; want day 0, throttled", rec.LastOK, rec.Last.Status)
			}
		}},
		{"blocked neither advances nor resets a streak", def, []step{
			{0, resOK, linkvault.StateAlive, true},
			{day, res404, linkvault.StateFailing, true},
			{2 * day, res403, linkvault.StateFailing, false},
			{3 * day, res429, linkvault.StateFailing, false},
			{4 * day, res404, linkvault.StateDead, true},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if rec.ConsecutiveBad != 2 || !rec.FirstBad.Equal(t0.Add(day)) {
				t.Errorf("bad %d since %v; want 2 since day 1", rec.ConsecutiveBad, rec.FirstBad)
			}
		}},
		{"blocked keeps dead", def, []step{
			{0, res404, linkvault.StateFailing, true},
			{day, res404, linkvault.StateDead, true},
			{2 * day, res403, linkvault.StateDead, false},
		}, nil},
		{"dead then ok: recovered", def, []step{
			{0, res404, linkvault.StateFailing, true},
			{day, res404, linkvault.StateDead, true},
			{2 * day, resOK, linkvault.StateAlive, true},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if rec.PrevState != linkvault.StateDead || !linkvault.Recovered(rec.PrevState, rec.State) {
				t.Errorf("prev %s → %s: want a recovery from dead", rec.PrevState, rec.State)
			}
			if rec.ConsecutiveBad != 0 || !rec.StateSince.Equal(t0.Add(2*day)) {
				t.Errorf("bad %d, state since %v", rec.ConsecutiveBad, rec.StateSince)
			}
		}},
		{"moved, then alive at the new place", def, []step{
			{0, resMoved, linkvault.StateMoved, true},
			{day, resMoved, linkvault.StateMoved, false},
			{2 * day, resOK, linkvault.StateAlive, true},
		}, nil},
		{"skipped keeps the state and the streak", def, []step{
			{0, resOK, linkvault.StateAlive, true},
			{day, res404, linkvault.StateFailing, true},
			{2 * day, resSkipped, linkvault.StateFailing, false},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			// The skip is the last result (every report shows the link
			// as skipped), the streak and LastOK are untouched.
			if !rec.LastChecked.Equal(t0.Add(2*day)) || rec.Last.Status != linkvault.StatusSkipped || rec.ConsecutiveBad != 1 ||
				!rec.FirstBad.Equal(t0.Add(day)) || !rec.LastOK.Equal(t0) {
				t.Errorf("last checked %v, last %s, bad %d since %v, last ok %v; want the skip last, the streak untouched",
					rec.LastChecked, rec.Last.Status, rec.ConsecutiveBad, rec.FirstBad, rec.LastOK)
			}
		}},
		{"skipped keeps a new link new", def, []step{
			{0, resSkipped, linkvault.StateNew, false},
			{day, resSkipped, linkvault.StateNew, false},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if rec.Last == nil || rec.Last.Status != linkvault.StatusSkipped || rec.Last.Reason != resSkipped.Reason {
				t.Errorf("last result %+v, want the skip", rec.Last)
			}
		}},
		{"soft 404 counts towards dead like a 404", def, []step{
			{0, resOK, linkvault.StateAlive, true},
			{day, resSoft, linkvault.StateFailing, true},
			{2 * day, resSoft, linkvault.StateDead, true},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if !rec.LastOK.Equal(t0) || rec.Last.Status != linkvault.StatusSoft404 || len(rec.Last.Evidence) != 1 {
				t.Errorf("last ok %v, last %+v; want day 0 and the soft 404 with its evidence", rec.LastOK, rec.Last)
			}
		}},
		{"light edit is not drift", def, []step{
			{0, textCited, linkvault.StateAlive, true},
			{day, textEdited, linkvault.StateAlive, false},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if rec.Cited != textCited.TextHash || !rec.LastMatch.Equal(t0.Add(day)) || !rec.ChangedSince.IsZero() {
				t.Errorf("cited %v, last match %v, changed since %v; want the first text, day 1, zero", rec.Cited, rec.LastMatch, rec.ChangedSince)
			}
		}},
		{"replaced content is changed until it matches again", def, []step{
			{0, textCited, linkvault.StateAlive, true},
			{day, textOther, linkvault.StateChanged, true},
			{2 * day, textOther, linkvault.StateChanged, false},
			{3 * day, res304, linkvault.StateChanged, false},
			{4 * day, textEdited, linkvault.StateAlive, true},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if rec.Cited != textCited.TextHash || !rec.LastMatch.Equal(t0.Add(4*day)) || !rec.ChangedSince.IsZero() {
				t.Errorf("cited %v, last match %v, changed since %v; want the first text kept, day 4, zero", rec.Cited, rec.LastMatch, rec.ChangedSince)
			}
		}},
		{"changed keeps the first day it stopped matching", def, []step{
			{0, textCited, linkvault.StateAlive, true},
			{day, textOther, linkvault.StateChanged, true},
			{2 * day, textOther, linkvault.StateChanged, false},
		}, func(t *testing.T, rec linkvault.URLRecord) {
			if !rec.ChangedSince.Equal(t0.Add(day)) || !rec.LastMatch.Equal(t0) {
				t.Errorf("changed since %v, last match %v; want day 1, day 0", rec.ChangedSince, rec.LastMatch)
			}
		}},
		{"drift distance -1 turns drift off", linkvault.Policy{DeadAfter: 2, DriftDistance: -1}, []step{
			{0, textCited, linkvault.StateAlive, true},
			{day, textOther, linkvault.StateAlive, false},
		}, nil},
		{"skipped first leaves new", def, []step{
			{0, resSkipped, linkvault.StateNew, false},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := linkvault.URLRecord{URL: "https://example.com/a", State: linkvault.StateNew, FirstSeen: t0, StateSince: t0}
			for i, s := range tt.steps {
				var chk linkvault.Check
				rec, chk = linkvault.Advance(rec, s.res, tt.policy, t0.Add(s.at))
				if rec.State != s.want || chk.State != s.want || chk.Changed != s.changed {
					t.Fatalf("step %d (%s at %v): state %s, check %s changed %v; want %s changed %v",
						i, s.res.Status, s.at, rec.State, chk.State, chk.Changed, s.want, s.changed)
				}
				if chk.Status != s.res.Status || !chk.Time.Equal(t0.Add(s.at)) || chk.HTTPStatus != s.res.HTTPStatus {
					t.Fatalf("step %d: check %+v does not describe %+v", i, chk, s.res)
				}
			}
			if tt.check != nil {
				tt.check(t, rec)
			}
		})
	}
}

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func TestAdvanceValidators(t *testing.T) {
	rec := linkvault.URLRecord{URL: "https://example.com/a", State: linkvault.StateNew}
	ok := resOK
	ok.ETag, ok.LastModified, ok.Title, ok.ContentType = `"v1"`, "Sat, 01 Mar 2025 08:00:00 GMT", "Page", "application/pdf"
	rec, _ = linkvault.Advance(rec, ok, linkvault.Policy{}, t0)
	notModified := linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 304, NotModified: true}
	rec, _ = linkvault.Advance(rec, notModified, linkvault.Policy{}, t0.Add(day))
	if rec.Last.ContentType != "application/pdf" {
		t.Errorf("after 304: content type %q, want the last one kept (application/pdf)", rec.Last.ContentType)
	}
	if rec.ETag != `"v1"` || rec.LastModified != ok.LastModified || rec.Last.Title != "Page" || !rec.LastOK.Equal(t0.Add(day)) {
		t.Errorf("after 304: etag %q, last-modified %q, title %q, last ok %v; want kept, kept, kept, day 1",
			rec.ETag, rec.LastModified, rec.Last.Title, rec.LastOK)
	}
	rec, _ = linkvault.Advance(rec, res404, linkvault.Policy{}, t0.Add(2*day))
	if rec.ETag != `"v1"` {
		t.Errorf("a bad check changed the ETag to %q", rec.ETag)
	}
	rec, _ = linkvault.Advance(rec, resOK, linkvault.Policy{}, t0.Add(3*day))
	if rec.ETag != "" || rec.LastModified != "" {
		t.Errorf("a 200 without validators kept %q, %q", rec.ETag, rec.LastModified)
	}
}

func ExampleAdvance() {
	p := linkvault.DefaultPolicy() // dead after 2 bad runs spanning 20h
	rec := linkvault.URLRecord{URL: "https://example.com/", State: linkvault.StateNew}
	results := []linkvault.Result{
		{Status: linkvault.StatusOK, HTTPStatus: 200},
		{Status: linkvault.StatusBroken, HTTPStatus: 404, Reason: "404 Not Found"},
		{Status: linkvault.StatusBroken, HTTPStatus: 404, Reason: "404 Not Found"},
		{Status: linkvault.StatusOK, HTTPStatus: 200},
	}
	for i, res := range results {
		var chk linkvault.Check
		rec, chk = linkvault.Advance(rec, res, p, t0.Add(time.Duration(i)*24*time.Hour))
		fmt.Printf("day %d: %s → %s (changed %v)\n", i, res.Status, chk.State, chk.Changed)
	}
	fmt.Println("recovered:", linkvault.Recovered(rec.PrevState, rec.State))
	// Output:
	// day 0: ok → alive (changed true)
	// day 1: broken → failing (changed true)
	// day 2: broken → dead (changed true)
	// day 3: ok → alive (changed true)
	// recovered: true
}

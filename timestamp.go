package linkvault

import (
	"fmt"
	"strings"
	"time"
)

// A Moment is a point in time as a user writes it to pick an archived
// copy: a whole period (a year, a month, a day, a second…) rather than an
// instant, because a capture taken at 12:00:00.4 is "at 12:00:00" to anyone
// who read that time in a listing. Start is inclusive, End exclusive.
type Moment struct {
	Start, End time.Time
}

// ParseMoment reads the one timestamp syntax every command and the replay
// server accept, in UTC unless the text names a zone:
//
//   - a Wayback timestamp of 4 to 14 digits, as in /web/2026/URL:
//     2026, 202611, 20261105, 2026110512, 202611051230, 20261105123000;
//   - ISO 8601 of the same precisions: 2026, 2026-11, 2026-11-05,
//     2026-11-05T12, 2026-11-05T12:30, 2026-11-05T12:30:00, with an
//     optional fraction of a second and zone (Z, +08:00), a space allowed
//     instead of the T (as `serve` lists captures);
//   - RFC 3339 as printed in the JSON report (2026-11-05T12:30:00.123Z).
//
// The Moment spans what the text leaves open: "2026-11" is the month of
// November 2026, a 14-digit timestamp its whole second.
func ParseMoment(s string) (Moment, error) {
	s = strings.TrimSpace(s)
	if s != "" && isDigits(s) {
		return parseDigits(s)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Moment{t, t.Add(fractionStep(s))}, nil
	}
	iso := strings.Replace(s, " ", "T", 1)
	for _, f := range isoForms {
		if t, err := time.Parse(f.layout, iso); err == nil {
			return Moment{t, f.next(t)}, nil
		}
	}
	return Moment{}, fmt.Errorf("invalid time %q: want a Wayback timestamp (2026, 202611, … 20261105123000), an ISO date or time (2026-11, 2026-11-05, 2026-11-05T12:30:00Z) or RFC 3339", s)
}

// Contains reports whether t falls within m.
func (m Moment) Contains(t time.Time) bool {
	return !t.Before(m.Start) && t.Before(m.End)
}

// String gives m back in the form its precision calls for.
func (m Moment) String() string {
	d := m.End.Sub(m.Start)
	s := m.Start.UTC()
	switch {
	case m.End.Equal(m.Start.AddDate(1, 0, 0)):
		return s.Format("2006")
	case m.End.Equal(m.Start.AddDate(0, 1, 0)):
		return s.Format("2006-01")
	case d == 24*time.Hour:
		return s.Format("2006-01-02")
	case d == time.Hour:
		return s.Format("2006-01-02T15Z")
	case d == time.Minute:
		return s.Format("2006-01-02T15:04Z")
	case d == time.Second:
		return s.Format(time.RFC3339)
	}
	return s.Format(time.RFC3339Nano)
}

var isoForms = []struct {
	layout string
	next   func(time.Time) time.Time
}{
	{"2006-01-02T15:04:05Z07:00", plus(time.Second)},
	{"2006-01-02T15:04:05", plus(time.Second)},
	{"2006-01-02T15:04Z07:00", plus(time.Minute)},
	{"2006-01-02T15:04", plus(time.Minute)},
	{"2006-01-02T15Z07:00", plus(time.Hour)},
	{"2006-01-02T15", plus(time.Hour)},
	{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
	{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
}

func plus(d time.Duration) func(time.Time) time.Time {
	return func(t time.Time) time.Time { return t.Add(d) }
}

// digitForms are the Wayback prefixes by length, with the period each
// spans.
var digitForms = map[int]struct {
	layout string
	next   func(time.Time) time.Time
}{
	4:  {"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	6:  {"200601", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
	8:  {"20060102", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	10: {"2006010215", plus(time.Hour)},
	12: {"200601021504", plus(time.Minute)},
	14: {"20060102150405", plus(time.Second)},
}

func parseDigits(s string) (Moment, error) {
	f, ok := digitForms[len(s)]
	if !ok {
		return Moment{}, fmt.Errorf("invalid timestamp %q: want 4, 6, 8, 10, 12 or 14 digits (YYYYMMDDhhmmss or a prefix of it)", s)
	}
	t, err := time.Parse(f.layout, s)
	if err != nil {
		return Moment{}, fmt.Errorf("invalid timestamp %q: %w", s, err)
	}
	return Moment{t, f.next(t)}, nil
}

// fractionStep is the precision of an RFC 3339 text: a second, or the unit
// of its last fractional digit.
func fractionStep(s string) time.Duration {
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return time.Second
	}
	n := 0
	for _, c := range s[dot+1:] {
		if c < '0' || c > '9' {
			break
		}
		n++
	}
	step := time.Second
	for ; n > 0 && step > 1; n-- {
		step /= 10
	}
	return step
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package main

import (
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// TestListTimeReadsBack: every time `get --list` prints, given back to
// --at, names the capture it was printed for, fractions of a second
// included.
func TestListTimeReadsBack(t *testing.T) {
	for _, c := range []time.Time{
		time.Date(2026, 12, 1, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 12, 1, 3, 4, 5, 999_999_999, time.UTC),
		time.Date(2026, 12, 1, 11, 4, 5, 400_000_000, time.FixedZone("CST", 8*3600)),
	} {
		printed := c.UTC().Format(listTime)
		m, err := linkvault.ParseMoment(printed)
		if err != nil {
			t.Fatalf("--at %s: %v", printed, err)
		}
		if !m.Contains(c) {
			t.Errorf("--at %s = [%s, %s) does not hold the capture at %s", printed, m.Start, m.End, c.Format(time.RFC3339Nano))
		}
	}
}

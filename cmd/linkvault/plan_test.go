package main

import (
	"testing"
	"time"

	"github.com/linkvault/linkvault/report"
)

func TestHumanDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 s"}, {1500 * time.Millisecond, "2 s"}, {45 * time.Second, "45 s"}, {5*time.Minute + 3*time.Second, "5 min 3 s"},
		{30 * time.Minute, "30 min"}, {2*time.Hour + 26*time.Minute + 15*time.Second, "2 h 26 min"}, {3 * time.Hour, "3 h"},
	} {
		if got := humanDuration(tt.d); got != tt.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 39459: "39,459", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := report.Count(n); got != want {
			t.Errorf("report.Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestHostRate: a host is planned at its configured rate, or at the lower
// one it taught in earlier runs; a rate learned above the configured one
// (the config was lowered since) does not raise it.
func TestHostRate(t *testing.T) {
	cfg := DefaultConfig()
	learned := map[string]float64{"slow.example": 0.5, "github.com": 5}
	for host, want := range map[string]float64{"slow.example": 0.5, "github.com": 1, "other.example": 2} {
		if got := hostRate(cfg, host, learned); got != want {
			t.Errorf("hostRate(%s) = %g, want %g", host, got, want)
		}
	}
}

// The budget is the whole command's: the requests of a budgeted run stop
// one request's time before its end, less the time the closing phases
// need, estimated as what reading the notes and planning took.
func TestCheckDeadline(t *testing.T) {
	begin := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		open, budget, tail, want time.Duration
	}{
		{0, 30 * time.Minute, 30 * time.Second, 29*time.Minute + 30*time.Second},
		{2 * time.Second, 25 * time.Second, 2500 * time.Millisecond, 20500 * time.Millisecond},
		{time.Minute, 30 * time.Minute, 30 * time.Second, 28*time.Minute + 30*time.Second},
		// The opening took most of the budget: the requests still get a
		// quarter of it.
		{20 * time.Second, 25 * time.Second, 5 * time.Second, 25 * time.Second},
	} {
		got := checkDeadline(begin, begin.Add(tc.open), tc.budget, tc.tail)
		if want := begin.Add(tc.want); !got.Equal(want) {
			t.Errorf("opening %s, budget %s, tail %s: deadline at +%s, want +%s", tc.open, tc.budget, tc.tail, got.Sub(begin), tc.want)
		}
	}
}

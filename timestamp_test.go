package linkvault

import (
	"testing"
	"time"
)

func TestParseMoment(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		in         string
		start, end string
	}{
		{"2026", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"202611", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"},
		{"20261105", "2026-11-05T00:00:00Z", "2026-11-06T00:00:00Z"},
		{"2026110512", "2026-11-05T12:00:00Z", "2026-11-05T13:00:00Z"},
		{"202611051230", "2026-11-05T12:30:00Z", "2026-11-05T12:31:00Z"},
		{"20261105123000", "2026-11-05T12:30:00Z", "2026-11-05T12:30:01Z"},
		{"2026-11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"},
		{"2026-11-05", "2026-11-05T00:00:00Z", "2026-11-06T00:00:00Z"},
		{"2026-11-05T12", "2026-11-05T12:00:00Z", "2026-11-05T13:00:00Z"},
		{"2026-11-05T12:30", "2026-11-05T12:30:00Z", "2026-11-05T12:31:00Z"},
		{"2026-11-05T12:30Z", "2026-11-05T12:30:00Z", "2026-11-05T12:31:00Z"},
		{"2026-11-05T12:30:00", "2026-11-05T12:30:00Z", "2026-11-05T12:30:01Z"},
		{"2026-11-05 12:30:00", "2026-11-05T12:30:00Z", "2026-11-05T12:30:01Z"},
		{"2026-11-05T12:30:00Z", "2026-11-05T12:30:00Z", "2026-11-05T12:30:01Z"},
		{"2026-11-05T20:30:00+08:00", "2026-11-05T12:30:00Z", "2026-11-05T12:30:01Z"},
		// The JSON report's times, fractions included.
		{"2026-11-05T12:30:00.123Z", "2026-11-05T12:30:00.123Z", "2026-11-05T12:30:00.124Z"},
		{"2026-11-05T12:30:00.123456789Z", "2026-11-05T12:30:00.123456789Z", "2026-11-05T12:30:00.12345679Z"},
		{" 2026-11 ", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"},
	}
	for _, tt := range tests {
		m, err := ParseMoment(tt.in)
		if err != nil {
			t.Errorf("ParseMoment(%q): %v", tt.in, err)
			continue
		}
		if !m.Start.Equal(at(tt.start)) || !m.End.Equal(at(tt.end)) {
			t.Errorf("ParseMoment(%q) = [%s, %s), want [%s, %s)", tt.in, m.Start.UTC().Format(time.RFC3339Nano), m.End.UTC().Format(time.RFC3339Nano), tt.start, tt.end)
		}
	}
	for _, bad := range []string{"", "yesterday", "202", "20261", "2026111", "202613", "20261132", "2026-13", "2026-11-05T25", "1e9", "2026/11/05"} {
		if m, err := ParseMoment(bad); err == nil {
			t.Errorf("ParseMoment(%q) = %v, want an error", bad, m)
		}
	}
}

func TestMomentString(t *testing.T) {
	for _, in := range []string{"2026", "2026-11", "2026-11-05", "2026-11-05T12Z", "2026-11-05T12:30Z", "2026-11-05T12:30:00Z", "2026-11-05T12:30:00.123Z"} {
		m, err := ParseMoment(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.String(); got != in {
			t.Errorf("ParseMoment(%q).String() = %q", in, got)
		}
		if again, err := ParseMoment(m.String()); err != nil || again != m {
			t.Errorf("%q does not read back: %v %v", m.String(), again, err)
		}
	}
}

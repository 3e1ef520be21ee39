package linkvault_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

func TestStatusClasses(t *testing.T) {
	tests := []struct {
		s                 linkvault.Status
		bad, unverifiable bool
	}{
		{linkvault.StatusOK, false, false},
		{linkvault.StatusBroken, true, false},
		{linkvault.StatusSoft404, true, false},
		{linkvault.StatusUnreachable, true, false},
		{linkvault.StatusBlocked, false, true},
		{linkvault.StatusThrottled, false, true},
		{linkvault.StatusSkipped, false, false},
	}
	for _, tt := range tests {
		if got := tt.s.Bad(); got != tt.bad {
			t.Errorf("%s.Bad() = %v, want %v", tt.s, got, tt.bad)
		}
		if got := tt.s.Unverifiable(); got != tt.unverifiable {
			t.Errorf("%s.Unverifiable() = %v, want %v", tt.s, got, tt.unverifiable)
		}
		if !tt.s.Valid() {
			t.Errorf("%s.Valid() = false", tt.s)
		}
	}
	if linkvault.Status("dead").Valid() {
		t.Error(`Status("dead").Valid() = true`)
	}
	if len(tests) != len(linkvault.Statuses) {
		t.Errorf("test covers %d statuses, Statuses has %d", len(tests), len(linkvault.Statuses))
	}
}

func TestErrorCode(t *testing.T) {
	inner := linkvault.Errorf(linkvault.ENotFound, "unknown URL %s", "https://a.example/")
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("disk on fire"), linkvault.EInternal},
		{inner, linkvault.ENotFound},
		{fmt.Errorf("history: %w", inner), linkvault.ENotFound},
		{&linkvault.Error{Code: linkvault.EConflict, Err: errors.New("linkvault.db is in use")}, linkvault.EConflict},
	}
	for _, tt := range tests {
		if got := linkvault.ErrorCode(tt.err); got != tt.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	e := &linkvault.Error{Code: linkvault.EInvalid, Message: "config", Err: errors.New("bad key")}
	if got, want := e.Error(), "config: bad key"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := (linkvault.Result{Status: linkvault.StatusBroken, Reason: "404 Not Found"}).String(); got != "broken (404 Not Found)" {
		t.Errorf("Result.String() = %q", got)
	}
}

func TestFailOnValid(t *testing.T) {
	for _, f := range []linkvault.FailOn{linkvault.FailOnDead, linkvault.FailOnNew, linkvault.FailOnBroken, linkvault.FailOnNever} {
		if !f.Valid() {
			t.Errorf("%q.Valid() = false", f)
		}
	}
	for _, f := range []linkvault.FailOn{"", "sometimes", "Dead"} {
		if f.Valid() {
			t.Errorf("%q.Valid() = true", f)
		}
	}
}

func TestFingerprint(t *testing.T) {
	for _, tt := range []struct {
		a, b linkvault.Fingerprint
		want int
	}{
		{0, 0, 0},
		{0, 1, 1},
		{0xff, 0x0f, 4},
		{0, ^linkvault.Fingerprint(0), 64},
		{0x8000000000000001, 1, 1},
		{0x00ff00ff00ff00ff, 0x00ff00ff00ff00ff ^ 0b1011, 3},
	} {
		if got := tt.a.Distance(tt.b); got != tt.want {
			t.Errorf("%x.Distance(%x) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	f := linkvault.Fingerprint(0x00ff00ff00ff00ff)
	b, err := f.MarshalText()
	if err != nil || string(b) != "00ff00ff00ff00ff" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var g linkvault.Fingerprint
	if err := g.UnmarshalText(b); err != nil || g != f {
		t.Errorf("UnmarshalText(%q) = %x, %v", b, g, err)
	}
	if err := g.UnmarshalText([]byte("xyz")); err == nil {
		t.Error("UnmarshalText(xyz): no error")
	}
}

func TestOffered(t *testing.T) {
	day := func(n int) time.Time { return time.Date(2026, 11, n, 3, 0, 0, 0, time.UTC) }
	cited := linkvault.Fingerprint(0xabcdef)
	caps := []linkvault.Capture{
		{Time: day(1), TextHash: cited},
		{Time: day(2), TextHash: cited ^ 0b11},        // light edit
		{Time: day(3), TextHash: cited ^ 0xffffff000}, // replaced
		{Time: day(4), TextHash: cited ^ 0xffffff000},
	}
	tests := []struct {
		name string
		rec  linkvault.URLRecord
		caps []linkvault.Capture
		want time.Time // zero: none
	}{
		{"alive: the latest", linkvault.URLRecord{State: linkvault.StateAlive, Last: &linkvault.Result{Status: linkvault.StatusOK}}, caps, day(4)},
		{"changed: the latest that matches", linkvault.URLRecord{State: linkvault.StateChanged, Cited: cited, LastMatch: day(2)}, caps, day(2)},
		{"soft 404: the latest while ok", linkvault.URLRecord{State: linkvault.StateFailing, LastOK: day(3), Last: &linkvault.Result{Status: linkvault.StatusSoft404}}, caps, day(3)},
		{"never ok: none", linkvault.URLRecord{State: linkvault.StateFailing, Last: &linkvault.Result{Status: linkvault.StatusSoft404}}, caps, time.Time{}},
		{"changed, old captures without text: up to the last match",
			linkvault.URLRecord{State: linkvault.StateChanged, Cited: cited, LastMatch: day(1)},
			[]linkvault.Capture{{Time: day(1)}, {Time: day(2)}}, day(1)},
		{"no captures", linkvault.URLRecord{State: linkvault.StateAlive}, nil, time.Time{}},
	}
	for _, tt := range tests {
		c, ok := tt.rec.Offered(tt.caps, linkvault.DefaultDriftDistance)
		if ok != !tt.want.IsZero() || ok && !c.Time.Equal(tt.want) {
			t.Errorf("%s: Offered = %v, %v; want %v", tt.name, c.Time, ok, tt.want)
		}
	}
}

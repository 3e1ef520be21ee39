package linkvault_test

import (
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// TestFailOnFailed is the table of the fail_on decision: which outcomes of
// a run make it exit 1 under each policy.
func TestFailOnFailed(t *testing.T) {
	var (
		alive     = linkvault.Outcome{State: linkvault.StateAlive}
		stillDead = linkvault.Outcome{State: linkvault.StateDead}
		newlyDead = linkvault.Outcome{State: linkvault.StateDead, NewlyDead: true, BadInRun: true}
		failing   = linkvault.Outcome{State: linkvault.StateFailing, BadInRun: true}
		oldBad    = linkvault.Outcome{State: linkvault.StateFailing} // bad, but not checked in this run
		noAnchor  = linkvault.Outcome{State: linkvault.StateFragmentMissing, FragmentMissing: true}
		oldAnchor = linkvault.Outcome{State: linkvault.StateFragmentMissing} // not checked in this run
	)
	tests := []struct {
		name     string
		outcomes []linkvault.Outcome
		want     map[linkvault.FailOn]bool // policies not listed: false
	}{
		{"nothing", nil, nil},
		{"all alive", []linkvault.Outcome{alive, alive}, nil},
		{"still dead", []linkvault.Outcome{alive, stillDead}, map[linkvault.FailOn]bool{linkvault.FailOnDead: true, "": true, "bogus": true}},
		{"newly dead", []linkvault.Outcome{newlyDead, alive}, map[linkvault.FailOn]bool{linkvault.FailOnDead: true, linkvault.FailOnNew: true, linkvault.FailOnBroken: true, "": true, "bogus": true}},
		{"failing in the run", []linkvault.Outcome{alive, failing}, map[linkvault.FailOn]bool{linkvault.FailOnBroken: true}},
		{"failing before the run", []linkvault.Outcome{oldBad}, nil},
		{"fragment missing in the run", []linkvault.Outcome{alive, noAnchor}, map[linkvault.FailOn]bool{linkvault.FailOnBroken: true}},
		{"fragment missing before the run", []linkvault.Outcome{oldAnchor}, nil},
	}
	for _, tt := range tests {
		for _, f := range []linkvault.FailOn{linkvault.FailOnDead, linkvault.FailOnNew, linkvault.FailOnBroken, linkvault.FailOnNever, "", "bogus"} {
			if got := f.Failed(tt.outcomes); got != tt.want[f] {
				t.Errorf("%s: FailOn(%q).Failed = %v, want %v", tt.name, f, got, tt.want[f])
			}
		}
	}
}

// TestPolicyWithDefaults is the table of policy defaults: zero fields take
// the defaults, DeadMinAge 0 and a negative drift (off) are kept.
func TestPolicyWithDefaults(t *testing.T) {
	def := linkvault.DefaultPolicy()
	tests := []struct {
		name string
		in   linkvault.Policy
		want linkvault.Policy
	}{
		{"zero is the default", linkvault.Policy{}, def},
		{"default stays", def, def},
		{"dead_after only", linkvault.Policy{DeadAfter: 3},
			linkvault.Policy{DeadAfter: 3, FailOn: linkvault.FailOnDead, DriftDistance: linkvault.DefaultDriftDistance}},
		{"bad values", linkvault.Policy{DeadAfter: -1, DeadMinAge: -time.Hour, FailOn: linkvault.FailOnNew},
			linkvault.Policy{DeadAfter: 2, FailOn: linkvault.FailOnNew, DriftDistance: linkvault.DefaultDriftDistance}},
		{"drift off is kept", linkvault.Policy{DeadAfter: 2, DriftDistance: linkvault.DriftOff},
			linkvault.Policy{DeadAfter: 2, FailOn: linkvault.FailOnDead, DriftDistance: linkvault.DriftOff}},
		{"drift given", linkvault.Policy{DeadAfter: 4, DeadMinAge: time.Hour, FailOn: linkvault.FailOnNever, DriftDistance: 7},
			linkvault.Policy{DeadAfter: 4, DeadMinAge: time.Hour, FailOn: linkvault.FailOnNever, DriftDistance: 7}},
	}
	for _, tt := range tests {
		if got := tt.in.WithDefaults(); got != tt.want {
			t.Errorf("%s: %+v.WithDefaults() = %+v, want %+v", tt.name, tt.in, got, tt.want)
		}
	}
}

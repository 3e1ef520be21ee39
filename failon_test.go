package linkvault_test

import (
	"testing"

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
	}
	for _, tt := range tests {
		for _, f := range []linkvault.FailOn{linkvault.FailOnDead, linkvault.FailOnNew, linkvault.FailOnBroken, linkvault.FailOnNever, "", "bogus"} {
			if got := f.Failed(tt.outcomes); got != tt.want[f] {
				t.Errorf("%s: FailOn(%q).Failed = %v, want %v", tt.name, f, got, tt.want[f])
			}
		}
	}
}

package report

import (
	"strings"
	"testing"
	"time"
)

// The policy sentence of the HTML report reads right for every policy,
// including dead_min_age: 0.
func TestHTMLPolicySentence(t *testing.T) {
	tests := []struct {
		after  int
		minAge time.Duration
		want   string
	}{
		{2, 20 * time.Hour, "A link is dead after 2 bad checks in a row spanning at least 20 hours."},
		{2, 0, "A link is dead after 2 bad checks in a row."},
		{1, 0, "A link is dead after 1 bad check in a row."},
	}
	for _, tt := range tests {
		d := fixture()
		d.Policy.DeadAfter, d.Policy.DeadMinAge = tt.after, tt.minAge
		var b strings.Builder
		if err := HTML(&b, d); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("DeadAfter %d, DeadMinAge %v: report lacks %q", tt.after, tt.minAge, tt.want)
		}
	}
}

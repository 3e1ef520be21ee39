package report

import (
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
)

// A link whose check in the run was skipped (a private address, an
// excluded URL) is listed with its reason, so the user learns why it went
// unchecked; one skipped in an earlier run is not.
func TestSkippedListed(t *testing.T) {
	d := fixture()
	d.Entries = append(d.Entries, Entry{URLRecord: linkvault.URLRecord{
		URL:     "https://10.0.0.7/wiki",
		Kind:    linkvault.KindWeb,
		State:   linkvault.StateNew,
		Sources: []linkvault.Source{{File: "notes/intranet.md", Line: 4, Column: 2}},
	}, Checks: []linkvault.Check{{RunID: d.Run.ID, Status: linkvault.StatusSkipped, Reason: "private address (allow with --allow-private)"}}}, Entry{URLRecord: linkvault.URLRecord{
		URL:     "https://10.0.0.8/old",
		Kind:    linkvault.KindWeb,
		State:   linkvault.StateNew,
		Sources: []linkvault.Source{{File: "notes/intranet.md", Line: 9, Column: 2}},
	}, Checks: []linkvault.Check{{RunID: d.Run.ID - 1, Status: linkvault.StatusSkipped, Reason: "excluded"}}})
	s := Summarize(d)
	if len(s.Skipped) != 1 || s.Skipped[0].URL != "https://10.0.0.7/wiki" {
		t.Fatalf("Skipped = %v, want the one entry skipped in this run", s.Skipped)
	}
	var b strings.Builder
	if err := Text(&b, d, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Skipped (1)\n  - https://10.0.0.7/wiki  private address (allow with --allow-private)\n",
		"      notes/intranet.md:4:2\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, b.String())
		}
	}
}

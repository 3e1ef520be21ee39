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
	s := summarize(d)
	if len(s.Skipped) != 1 || s.Skipped[0].URL != "https://10.0.0.7/wiki" {
		t.Fatalf("Skipped = %v, want the one entry skipped in this run", s.Skipped)
	}
	var b strings.Builder
	if err := Text(&b, d, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Skipped (1)\n  - https://10.0.0.7/wiki  private address (allow with --allow-private) · not verified yet\n",
		"      notes/intranet.md:4:2\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, b.String())
		}
	}
}

// An excluded link that was never checked carries a skipped result: JUnit
// says it was skipped and why, not "not checked yet".
func TestSkippedNewJUnit(t *testing.T) {
	d := fixture()
	skipped := &linkvault.Result{Status: linkvault.StatusSkipped, Reason: "excluded"}
	d.Entries = []Entry{{URLRecord: linkvault.URLRecord{
		URL: "https://excluded.example/x", Kind: linkvault.KindWeb, State: linkvault.StateNew, Last: skipped,
		Sources: []linkvault.Source{{File: "notes/a.md", Line: 1, Column: 1}},
	}}, {URLRecord: linkvault.URLRecord{
		URL: "https://fresh.example/y", Kind: linkvault.KindWeb, State: linkvault.StateNew,
		Sources: []linkvault.Source{{File: "notes/a.md", Line: 2, Column: 1}},
	}}}
	var b strings.Builder
	if err := writeJUnit(&b, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<skipped message="skipped: excluded">`, `<skipped message="not checked yet">`} {
		if strings.Count(b.String(), want) != 1 {
			t.Errorf("JUnit report has not one %s:\n%s", want, b.String())
		}
	}
}

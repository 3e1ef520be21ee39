package report

import (
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
)

// An archived or renamed GitHub repository is alive but flagged: listed in
// the terminal summary and noted in the HTML report's table.
func TestGitHubRepoFlagged(t *testing.T) {
	d := fixture()
	repo := func(url string, gh *linkvault.GitHubRepo) Entry {
		return Entry{URLRecord: linkvault.URLRecord{
			URL: url, Kind: linkvault.KindWeb, State: linkvault.StateAlive,
			Sources: []linkvault.Source{{File: "notes/repos.md", Line: 3, Column: 1}},
			Last:    &linkvault.Result{Status: linkvault.StatusOK, HTTPStatus: 200, GitHub: gh},
		}}
	}
	d.Entries = append(d.Entries,
		repo("https://github.com/tkestack/kstone", &linkvault.GitHubRepo{FullName: "tkestack/kstone", Exists: true, Archived: true}),
		repo("https://github.com/old/name", &linkvault.GitHubRepo{FullName: "new/name", Exists: true, RenamedTo: "new/name"}),
		repo("https://github.com/fine/repo", &linkvault.GitHubRepo{FullName: "fine/repo", Exists: true}),
	)
	s := summarize(d)
	var got []string
	for _, e := range s.Repos {
		got = append(got, e.URL+": "+repoNote(e))
	}
	want := []string{
		"https://github.com/tkestack/kstone: archived on GitHub (read-only)",
		"https://github.com/old/name: renamed on GitHub to new/name",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Repos =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var text strings.Builder
	if err := Text(&text, d, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if w := "GitHub repositories to look at (2)\n  ~ https://github.com/tkestack/kstone  archived on GitHub (read-only)\n"; !strings.Contains(text.String(), w) {
		t.Errorf("text lacks %q:\n%s", w, text.String())
	}

	var html strings.Builder
	if err := HTML(&html, d); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"q":"archived on GitHub (read-only)"`, `"q":"renamed on GitHub to new/name"`} {
		if !strings.Contains(html.String(), w) {
			t.Errorf("HTML payload lacks %s", w)
		}
	}
}

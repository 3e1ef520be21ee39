package report

import (
	"testing"

	"github.com/linkvault/linkvault"
)

// TestSourceURLWebPage: a link found on a page of a crawled site links to
// that page, not into the repository.
func TestSourceURLWebPage(t *testing.T) {
	d := &Data{RepoURL: "https://github.com/o/r/blob/main/"}
	if got := sourceURL(d, linkvault.Source{File: "https://docs.example.com/a/", Line: 8}); got != "https://docs.example.com/a/" {
		t.Errorf("page source: %q", got)
	}
	if got := sourceURL(d, linkvault.Source{File: "notes/a.md", Line: 3}); got != "https://github.com/o/r/blob/main/notes/a.md#L3" {
		t.Errorf("file source: %q", got)
	}
}

package extract

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoCheckerDependencies keeps extraction apart from checking: the
// package that `linkvault links` needs must not pull in the checker
// (package crawler), its crawling and page-reading libraries, or the
// archive's database.
func TestNoCheckerDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list this package's dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"github.com/linkvault/linkvault/crawler",
		"github.com/linkvault/linkvault/archive",
		"github.com/gocolly/colly",
		"codeberg.org/readeck/go-readability",
		"go.etcd.io/bbolt",
		"golang.org/x/time/rate",
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/linkvault/linkvault/crawler/extract" {
			continue
		}
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("crawler/extract depends on %s", dep)
			}
		}
	}
}

package linkvault

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestArchiveSurface: every exported name of package archive (top-level
// names and the methods of its exported types) is used by another package
// of the module, or is listed below with the reason it stays exported. A
// name only archive itself uses belongs to archive: unexport it.
func TestArchiveSurface(t *testing.T) {
	kept := map[string]string{
		"ErrDamaged":             "documented errors.Is target of Open and GC",
		"ErrInUse":               "documented errors.Is target of Open",
		"GCResult":               "returned by DB.GC, which cmd calls",
		"Fetched":                "returned by Fetch, which cmd calls",
		"DefaultArchiveDir":      "a default of ArchiverOptions, part of its contract",
		"DefaultMaxFileSize":     "a default of ArchiverOptions, part of its contract",
		"DefaultPrefix":          "a default of ArchiverOptions, part of its contract",
		"DefaultWaybackEndpoint": "named by WaybackOptions.Endpoint's doc",
		"DefaultWaybackMaxAge":   "a default of WaybackOptions, part of its contract",
		"DefaultSWHEndpoint":     "named by SWHOptions.Endpoint's doc",
		"DefaultSWHMaxAge":       "a default of SWHOptions, part of its contract",
		"RateLimitError":         "documented errors.As target of SoftwareHeritageLookup (its Reset)",
	}
	surfaceCheck(t, "archive", kept)
}

// surfaceCheck fails for every exported name of the package in dir that
// no other package uses and kept does not explain.
func surfaceCheck(t *testing.T, dir string, kept map[string]string) {
	t.Helper()
	exported, err := exportedNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	used, err := usedOutside(dir)
	if err != nil {
		t.Fatal(err)
	}
	var unused []string
	for _, n := range exported {
		if !used[n] && kept[n] == "" {
			unused = append(unused, n)
		}
	}
	if len(unused) > 0 {
		t.Errorf("exported by %s but used by no other package: %s", dir, strings.Join(unused, ", "))
	}
}

// exportedNames lists the exported top-level names of the package in dir
// and the exported methods of its types.
func exportedNames(dir string) ([]string, error) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					recv := d.Recv.List[0].Type
					if s, ok := recv.(*ast.StarExpr); ok {
						recv = s.X
					}
					if id, ok := recv.(*ast.Ident); !ok || !id.IsExported() {
						continue
					}
				}
				if d.Name.IsExported() {
					set[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							set[s.Name.Name] = true
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								set[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	var out []string
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// usedOutside returns the names selected (x.Name) in the Go files of the
// module outside dir, tests included.
func usedOutside(dir string) (map[string]bool, error) {
	used := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == dir || (path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || filepath.Dir(path) == dir {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok {
				used[s.Sel.Name] = true
			}
			return true
		})
		return nil
	})
	return used, err
}

// TestReportSurface holds package report to the same rule as archive.
func TestReportSurface(t *testing.T) {
	kept := map[string]string{
		// The SARIF rule ids are part of the SARIF output's contract.
		"RuleBlockedLink": "a SARIF rule id",
		"RuleDeadLink":    "a SARIF rule id",
		"RuleFailingLink": "a SARIF rule id",
		"RuleMovedLink":   "a SARIF rule id",

		"RuleFragmentMissing": "a SARIF rule id",
	}
	surfaceCheck(t, "report", kept)
}

// TestCrawlerSurface holds package crawler to the same rule as archive.
func TestCrawlerSurface(t *testing.T) {
	kept := map[string]string{
		// The documented defaults of Options: what a zero field means.
		"DefaultBreakerThreshold": "a default of Options",
		"DefaultBurst":            "a default of Options",
		"DefaultCaptureMax":       "a default of Options",
		"DefaultCaptureTypes":     "a default of Options",
		"DefaultConcurrency":      "a default of Options",
		"DefaultGenericMin":       "a default of Options",
		"DefaultGitHubAPI":        "a default of Options",
		"DefaultHostConcurrency":  "a default of Options",
		"DefaultMaxBody":          "a default of Options",
		"DefaultRate":             "a default of Options",
		"DefaultRetries":          "a default of Options",
		"ErrHostHeaders":          "documented errors.Is target of Disclose, with ErrPrivateHost",
		// What the source functions return, which cmd calls.
		"RepoSource":     "returned by SourceOf, taken by SourceCommit and OpenSource",
		"SourceDownload": "returned by Checker.OpenSource",
		// The kinds of RequisiteOptions.Kinds, named together.
		"RequisiteFavicons": "a kind of RequisiteOptions.Kinds",
		"RequisiteFonts":    "a kind of RequisiteOptions.Kinds",
		"RequisiteImages":   "a kind of RequisiteOptions.Kinds",
	}
	surfaceCheck(t, "crawler", kept)
}

package linkvault

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestDocComments reads every package of the module as a newcomer does,
// by its doc comments, and holds them to what go doc and staticcheck
// expect: every exported name has a doc comment that begins with the name
// (after an article), and no doc comment carries a sentence that starts
// with another declaration's name, which is what a comment left behind
// when its function moved or was deleted looks like.
func TestDocComments(t *testing.T) {
	var problems []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			problems = append(problems, docProblems(t, path)...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

var sentenceStart = regexp.MustCompile(`(?m)(?:\A|[.:]\n|\n\n)([A-Za-z_][A-Za-z0-9_]*) (?:is|are|returns|reports|lists|formats|writes|says|checks|flags|holds|makes|decides)\b`)

// docProblems checks the doc comments of the non-test Go files in dir.
func docProblems(t *testing.T, dir string) []string {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	type pkgFiles struct {
		Name  string
		Files []*ast.File
	}
	pkgs := map[string]*pkgFiles{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if pkgs[f.Name.Name] == nil {
			pkgs[f.Name.Name] = &pkgFiles{Name: f.Name.Name}
		}
		pkgs[f.Name.Name].Files = append(pkgs[f.Name.Name].Files, f)
	}
	var out []string
	for _, pkg := range pkgs {
		type decl struct {
			name    string
			doc     *ast.CommentGroup
			pos     token.Pos
			grouped bool // in a parenthesized group, which one comment may cover
		}
		var decls []decl
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					name := d.Name.Name
					if d.Recv != nil {
						name = "." + name // methods share names across types
					}
					decls = append(decls, decl{name, d.Doc, d.Pos(), false})
				case *ast.GenDecl:
					for _, s := range d.Specs {
						doc := d.Doc
						if len(d.Specs) > 1 || d.Lparen.IsValid() {
							doc = nil // a group's comment speaks for the group
						}
						switch s := s.(type) {
						case *ast.TypeSpec:
							if s.Doc != nil {
								doc = s.Doc
							}
							decls = append(decls, decl{s.Name.Name, doc, s.Pos(), d.Lparen.IsValid()})
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if s.Doc != nil {
									doc = s.Doc
								}
								decls = append(decls, decl{n.Name, doc, n.Pos(), d.Lparen.IsValid()})
							}
						}
					}
				}
			}
		}
		names := map[string]bool{}
		for _, d := range decls {
			names[d.name] = true
		}
		for _, d := range decls {
			where := fset.Position(d.pos)
			if d.doc != nil {
				for _, m := range sentenceStart.FindAllStringSubmatch(d.doc.Text(), -1) {
					if n := m[1]; n != strings.TrimPrefix(d.name, ".") && names[n] {
						out = append(out, where.String()+": the doc comment of "+d.name+" speaks of "+n+" (left behind?)")
					}
				}
			}
			if pkg.Name == "main" || strings.HasPrefix(d.name, ".") || !ast.IsExported(d.name) {
				continue
			}
			if d.doc == nil {
				if !d.grouped {
					out = append(out, where.String()+": "+d.name+" has no doc comment")
				}
				continue
			}
			text := d.doc.Text()
			for _, article := range []string{"A ", "An ", "The "} {
				text = strings.TrimPrefix(text, article)
			}
			if first, _, _ := strings.Cut(text, " "); strings.TrimRight(first, ".,:;") != d.name {
				out = append(out, where.String()+": the doc comment of "+d.name+" does not begin with its name")
			}
		}
	}
	sort.Strings(out)
	return out
}

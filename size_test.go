package linkvault

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// Limits of a production function (issue 12, "the house"): a newcomer
// reads it in one screen and follows every path through it.
const (
	maxFuncLines      = 80 // from the func keyword to the closing brace
	maxFuncComplexity = 25 // cyclomatic, counted as gocyclo counts it
)

// onePiece is the marker of a function that may exceed the limits: its doc
// comment has a line that starts with it and goes on with the reason the
// function must stay one piece. grep -rn '// One piece:' lists them.
const onePiece = "One piece:"

// TestFunctionSize: no function or method of a production package (every
// package of the module but internal/ and testdata, test files excluded)
// is longer than maxFuncLines or more complex than maxFuncComplexity,
// unless its doc comment says why it is one piece (onePiece).
func TestFunctionSize(t *testing.T) {
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || path == "internal") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		n++
		for _, p := range oversized(fset, f) {
			t.Error(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("checked %d files; the walk missed the packages", n)
	}
}

// oversized describes each function of f over the limits without a
// onePiece reason.
func oversized(fset *token.FileSet, f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil || hasOnePieceReason(fn.Doc) {
			continue
		}
		lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
		cc := complexity(fn)
		if lines > maxFuncLines || cc > maxFuncComplexity {
			out = append(out, fmt.Sprintf("%s: %s is %d lines, complexity %d (limits %d, %d): split it, or say why it is one piece in a doc comment line %q",
				fset.Position(fn.Pos()), funcName(fn), lines, cc, maxFuncLines, maxFuncComplexity, "// "+onePiece+" …"))
		}
	}
	return out
}

// hasOnePieceReason reports whether doc has a onePiece line with a reason.
func hasOnePieceReason(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, line := range strings.Split(doc.Text(), "\n") {
		if reason, ok := strings.CutPrefix(line, onePiece); ok && strings.TrimSpace(reason) != "" {
			return true
		}
	}
	return false
}

// complexity is the cyclomatic complexity of fn as gocyclo counts it: 1,
// plus 1 for each if, for, range, non-default case or select clause, && and
// ||, function literals inside fn included.
func complexity(fn *ast.FuncDecl) int {
	c := 1
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			c++
		case *ast.CaseClause:
			if n.List != nil {
				c++
			}
		case *ast.CommClause:
			if n.Comm != nil {
				c++
			}
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				c++
			}
		}
		return true
	})
	return c
}

// funcName is fn's name, with its receiver type for a method.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// TestFunctionSizeGuard shows the guard at work on a synthetic file: a
// function one over each limit is reported, one at the limits is not, and
// a onePiece line with a reason (not without one) lets a function through.
func TestFunctionSizeGuard(t *testing.T) {
	branches := func(n int) string { // a body of complexity n+1
		return strings.Repeat("\tif x > 0 {\n\t\tx--\n\t}\n", n)
	}
	lines := func(n int) string { // a body that makes the func n lines
		return strings.Repeat("\tx++\n", n-3)
	}
	src := "package p\n\n" +
		"func atLimits(x int) int {\n" + branches(24) + "\treturn x\n}\n\n" +
		"func tooComplex(x int) int {\n" + branches(25) + "\treturn x\n}\n\n" +
		"func longest(x int) int {\n" + lines(80) + "\treturn x\n}\n\n" +
		"func tooLong(x int) int {\n" + lines(81) + "\treturn x\n}\n\n" +
		"// excused does many things.\n//\n// One piece: a table that reads best whole.\n" +
		"func excused(x int) int {\n" + lines(90) + branches(30) + "\treturn x\n}\n\n" +
		"// noReason does many things.\n//\n// One piece:\n" +
		"func noReason(x int) int {\n" + branches(30) + "\treturn x\n}\n\n" +
		"type T struct{}\n\n" +
		"func (*T) method(x int) int {\n" + branches(20) + "\tif x > 0 && x < 3 || x > 9 {\n\t\tswitch x {\n\t\tcase 1:\n\t\tdefault:\n\t\t}\n\t}\n\treturn x\n}\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range oversized(fset, f) {
		got = append(got, strings.SplitN(p, " (limits", 2)[0])
	}
	want := []string{
		"p.go:79:1: tooComplex is 78 lines, complexity 26",
		"p.go:239:1: tooLong is 81 lines, complexity 1",
		"p.go:508:1: noReason is 93 lines, complexity 31",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("oversized =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

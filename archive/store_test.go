package archive

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneWayToBolt guards the one way this package touches bbolt (see
// store.go): transactions are entered only by db.view and db.update, and
// no type holds a transaction, bucket or cursor, which would wrap bbolt a
// second way or let one outlive its transaction.
func TestOneWayToBolt(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range boltMisuses(f) {
			t.Errorf("%s: %s", fset.Position(p.pos), p.what)
		}
	}
}

type boltMisuse struct {
	pos  token.Pos
	what string
}

// boltMisuses returns the places in f that touch bbolt another way.
func boltMisuses(f *ast.File) []boltMisuse {
	var out []boltMisuse
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					out = append(out, boltHandles(ts)...)
				}
			}
		case *ast.FuncDecl:
			if d.Body != nil && !(d.Recv != nil && (d.Name.Name == "view" || d.Name.Name == "update")) {
				out = append(out, boltTransactions(d)...)
			}
		}
	}
	return out
}

// boltHandles reports a type that mentions a bbolt transaction, bucket or
// cursor.
func boltHandles(ts *ast.TypeSpec) []boltMisuse {
	var out []boltMisuse
	ast.Inspect(ts.Type, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && isIdent(sel.X, "bolt") {
			switch sel.Sel.Name {
			case "Tx", "Bucket", "Cursor":
				out = append(out, boltMisuse{sel.Pos(), "type " + ts.Name.Name + " holds a bolt." + sel.Sel.Name})
			}
		}
		return true
	})
	return out
}

// boltTransactions reports calls that open a transaction of a *bolt.DB
// (db.bolt.View and the like) outside db.view and db.update.
func boltTransactions(fn *ast.FuncDecl) []boltMisuse {
	var out []boltMisuse
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		switch sel.Sel.Name {
		case "View", "Update", "Batch", "Begin":
			if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "bolt" {
				out = append(out, boltMisuse{call.Pos(), fn.Name.Name + " opens a transaction with " + sel.Sel.Name + ", not db.view or db.update"})
			}
		}
		return true
	})
	return out
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// TestOneWayToBoltFails shows that the guard sees a wrapper and a
// transaction opened beside db.view and db.update.
func TestOneWayToBoltFails(t *testing.T) {
	const src = `package archive
type bucket struct{ b *bolt.Bucket }
func (db *DB) view(fn func(*bolt.Tx) error) error { return db.bolt.View(fn) }
func (db *DB) peek() error { return db.bolt.View(func(*bolt.Tx) error { return nil }) }
`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := boltMisuses(f)
	var whats []string
	for _, m := range got {
		whats = append(whats, m.what)
	}
	want := []string{"type bucket holds a bolt.Bucket", "peek opens a transaction with View, not db.view or db.update"}
	if strings.Join(whats, "\n") != strings.Join(want, "\n") {
		t.Errorf("boltMisuses = %q, want %q", whats, want)
	}
}

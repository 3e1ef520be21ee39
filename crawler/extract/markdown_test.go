package extract

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/sharedtest"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

var (
	oracleAttr = regexp.MustCompile(`(?i)\s(?:href|src)\s*=\s*"([^"]*)"`)
	oracleBare = regexp.MustCompile(`https?://[^\s<>"'` + "`" + `]+`)
)

// oracleURLs collects the web URLs of a Markdown document independently
// of the extractor: goldmark's tree (Link, Image, AutoLink and reference
// definition destinations), href/src attributes of raw HTML by regexp,
// and bare URLs matched by a simple regexp in the text of each paragraph.
func oracleURLs(t *testing.T, src []byte) map[string]bool {
	doc := goldmark.New().Parser().Parse(text.NewReader(src))
	set := make(map[string]bool)
	add := func(raw string) {
		if !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
			return
		}
		c, _, err := Canonical(raw)
		if err != nil {
			t.Errorf("oracle: %v", err)
			return
		}
		set[c] = true
	}
	dest := func(b []byte) string {
		return string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(b))))
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			add(dest(n.Destination))
		case *ast.Image:
			add(dest(n.Destination))
		case *ast.AutoLink:
			add(string(n.URL(src)))
		case *ast.LinkReferenceDefinition:
			add(dest(n.Destination))
		case *ast.RawHTML:
			for _, m := range oracleAttr.FindAllSubmatch(n.Segments.Value(src), -1) {
				add(string(m[1]))
			}
		case *ast.HTMLBlock:
			for i := range n.Lines().Len() {
				seg := n.Lines().At(i)
				for _, m := range oracleAttr.FindAllSubmatch(seg.Value(src), -1) {
					add(string(m[1]))
				}
			}
		case *ast.Paragraph, *ast.Heading, *ast.TextBlock:
			// Bare URLs: the paragraph's text without links and code.
			var b strings.Builder
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				collectPlain(c, src, &b)
			}
			for _, u := range oracleBare.FindAllString(b.String(), -1) {
				add(strings.TrimRight(u, ".,;:!?)"))
			}
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return set
}

// collectPlain writes the text of inline nodes, leaving out links, images,
// autolinks, code spans and raw HTML (as a space).
func collectPlain(n ast.Node, src []byte, b *strings.Builder) {
	switch n := n.(type) {
	case *ast.Link, *ast.Image, *ast.AutoLink, *ast.CodeSpan, *ast.RawHTML:
		b.WriteByte(' ')
		return
	case *ast.Text:
		b.Write(n.Segment.Value(src))
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte('\n')
		}
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		collectPlain(c, src, b)
	}
}

// TestExtractAwesomeGo compares the web links found in the awesome-go
// README with what an independent walk of goldmark's syntax tree yields.
func TestExtractAwesomeGo(t *testing.T) {
	name := sharedtest.File(t, "corpora/awesome-go.md")
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	links, err := Files(context.Background(), []string{name}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]bool)
	kinds := make(map[linkvault.Kind]int)
	sources := 0
	for _, l := range links {
		kinds[l.Kind]++
		if l.Kind != linkvault.KindWeb {
			continue
		}
		got[l.URL] = true
		sources += len(l.Sources)
		if strings.ContainsAny(l.URL[len(l.URL)-1:], ")>.,;:!?'\"") {
			t.Errorf("URL ends in punctuation: %s (line %d)", l.URL, l.Sources[0].Line)
		}
		for _, s := range l.Sources {
			if s.Line < 1 || s.Column < 1 {
				t.Errorf("%s: bad position %d:%d", l.URL, s.Line, s.Column)
			}
		}
	}
	want := oracleURLs(t, src)
	for u := range want {
		if !got[u] {
			t.Errorf("missing %s", u)
		}
	}
	for u := range got {
		if !want[u] {
			t.Errorf("extra %s", u)
		}
	}
	// Pinned counts: a change in them is a change in behaviour.
	if len(got) != 3168 || sources != 3189 || kinds[linkvault.KindOther] != 1 || kinds[linkvault.KindLocal] != 0 {
		t.Errorf("got %d web URLs in %d sources, kinds %v; want 3168 in 3189, 1 other, 0 local", len(got), sources, kinds)
	}
}

// TestExtractAwesomeGoPositions checks that every source points at its
// URL as written in the file.
func TestExtractAwesomeGoPositions(t *testing.T) {
	name := sharedtest.File(t, "corpora/awesome-go.md")
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	for _, l := range Bytes(name, src, Options{}) {
		for _, s := range l.Sources {
			line := []rune(lines[s.Line-1])
			rest := string(line[s.Column-1:])
			written := l.URL
			if s.Raw != "" {
				written = s.Raw
			}
			prefix := written[:min(len(written), 12)]
			if !strings.HasPrefix(rest, prefix) && !strings.HasPrefix(strings.ReplaceAll(rest, "&amp;", "&"), prefix) {
				t.Errorf("%s at %d:%d: the line there reads %q", l.URL, s.Line, s.Column, rest[:min(len(rest), 40)])
			}
		}
	}
}

func TestMergeSpans(t *testing.T) {
	got := mergeSpans([]span{{10, 20}, {0, 5}, {4, 8}, {20, 25}, {30, 31}})
	want := []span{{0, 8}, {10, 25}, {30, 31}}
	if !slices.Equal(got, want) {
		t.Errorf("mergeSpans = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		a, b int
		want bool
	}{{8, 10, false}, {7, 9, true}, {25, 30, false}, {24, 26, true}, {31, 40, false}, {0, 1, true}} {
		if got := masked(want, tt.a, tt.b); got != tt.want {
			t.Errorf("masked(%d, %d) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestExtractConcurrent runs extractions in parallel (the Markdown parser
// is shared): under -race it checks there is no shared mutable state, and
// every goroutine must get the same links.
func TestExtractConcurrent(t *testing.T) {
	src := []byte("# 标题\n\n见https://a.example/x，[y](https://a.example/y) <https://a.example/z>\n\n<a href=\"https://a.example/h\">h</a>\n")
	want := flat(Bytes("a.md", src, Options{}))
	if len(want) != 4 {
		t.Fatalf("links = %q, want 4", want)
	}
	errs := make(chan string, 4)
	for range 4 {
		go func() {
			var bad string
			for range 50 {
				if got := flat(Bytes("a.md", src, Options{})); !slices.Equal(got, want) {
					bad = strings.Join(got, "; ")
				}
			}
			errs <- bad
		}()
	}
	for range 4 {
		if bad := <-errs; bad != "" {
			t.Errorf("concurrent extraction gave %s, want %q", bad, want)
		}
	}
}

// mdTree writes what link extraction can see of a syntax tree: every
// node's kind and source lines, text segments, link and definition
// fields, and the references the parse left in its context.
func mdTree(src []byte, p parser.Parser) string {
	pc := parser.NewContext()
	doc := p.Parse(text.NewReader(src), parser.WithContext(pc))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			b.WriteString(")")
			return ast.WalkContinue, nil
		}
		fmt.Fprintf(&b, "(%s", n.Kind())
		if n.Type() == ast.TypeBlock {
			fmt.Fprintf(&b, " blank=%v lines=%v", n.HasBlankPreviousLines(), n.Lines().Sliced(0, n.Lines().Len()))
		}
		switch n := n.(type) {
		case *ast.Text:
			fmt.Fprintf(&b, " %v soft=%v hard=%v", n.Segment, n.SoftLineBreak(), n.HardLineBreak())
		case *ast.String:
			fmt.Fprintf(&b, " %q", n.Value)
		case *ast.Link:
			fmt.Fprintf(&b, " %q %q ref=%v", n.Destination, n.Title, n.Reference != nil)
		case *ast.Image:
			fmt.Fprintf(&b, " %q %q ref=%v", n.Destination, n.Title, n.Reference != nil)
		case *ast.LinkReferenceDefinition:
			fmt.Fprintf(&b, " %q %q %q", n.Label, n.Destination, n.Title)
		case *ast.AutoLink:
			fmt.Fprintf(&b, " %q", n.URL(src))
		case *ast.RawHTML:
			fmt.Fprintf(&b, " %v", n.Segments.Sliced(0, n.Segments.Len()))
		}
		return ast.WalkContinue, nil
	})
	var refs []string // References comes from a map: sort it
	for _, r := range pc.References() {
		refs = append(refs, fmt.Sprintf("\nref %q %q %q", r.Label(), r.Destination(), r.Title()))
	}
	slices.Sort(refs)
	return b.String() + strings.Join(refs, "")
}

// mdParserCases are paragraphs on both sides of refDefGuard's test: link
// reference definitions in every place CommonMark allows them, and
// paragraphs with "]:" or a trailing ']' that are not definitions.
var mdParserCases = []string{
	"[foo]: /url \"title\"\n\n[foo]\n",
	"   [foo]: \n      /url  \n           'the title'  \n\n[foo]\n",
	"[Foo*bar\\]]:my_(url) 'title (with parens)'\n\n[Foo*bar\\]]\n",
	"[Foo bar]:\n<my url>\n'title'\n\n[Foo bar]\n",
	"[foo\nbar]: /url\n\n[foo bar]\n",
	"[foo]\n: /url\n\n[foo]\n",
	"[foo]\n\n[foo]: /url\n",
	"Foo\n[bar]: /baz\n\n[bar]\n",
	"# [Foo]\n[foo]: /url\n> bar\n",
	"[foo]: /foo-url \"foo\"\n[bar]: /bar-url\n  \"bar\"\n[baz]: /baz-url\n\n[foo],\n[bar],\n[baz]\n",
	"> [foo]: /url\n> [x]: /y\n\n[foo] [x]\n",
	">\t[foo]\n>\t: /url\n\n[foo]\n",
	"- [a]:\n\t/url\n- [a]\n",
	"- [a](https://a.example) - text: more\n- [b](https://b.example) - [c]: not a definition\n",
	"text [a]: /no\n\n[a]\n",
	"[a] text]:\n\n[a]\n",
	"[a]",
	"[a]\n",
	"[\na]: /u\n\n[a]\n",
	"[a]: /u 'unclosed\n\n[a]\n",
	"[a]: /u\n'title' trailing\n\n[a]\n",
	"[ ]: /blank\n",
	"  [a]:/u\n[b]\n: /v\n[c]:/w",
}

// TestMDParserMatchesGoldmark checks that mdParser, with its guarded
// paragraph transformer, builds exactly the tree of goldmark's default
// parser.
func TestMDParserMatchesGoldmark(t *testing.T) {
	inputs := slices.Clone(mdParserCases)
	// The shared corpus is the large input; the example notes alone still
	// exercise the parser on a clone with nothing beside it.
	names := []string{"../../examples/notes/reading-list.md"}
	if name, ok := sharedtest.Lookup(t, "corpora/awesome-go.md"); ok {
		names = append(names, name)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(data))
	}
	def := goldmark.DefaultParser()
	for _, in := range inputs {
		if got, want := mdTree([]byte(in), mdParser()), mdTree([]byte(in), def); got != want {
			t.Errorf("%.60q: tree\n got: %s\nwant: %s", in, got, want)
		}
	}
}

// FuzzMDParser checks mdParser against goldmark's default parser on any
// input.
func FuzzMDParser(f *testing.F) {
	for _, in := range mdParserCases {
		f.Add(in)
	}
	def := goldmark.DefaultParser()
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := mdTree([]byte(in), mdParser()), mdTree([]byte(in), def); got != want {
			t.Errorf("%q: tree\n got: %s\nwant: %s", in, got, want)
		}
	})
}

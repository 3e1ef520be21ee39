package extract

import (
	"bytes"
	"cmp"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/sharedtest"
)

func TestMarkdownCut(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the text after the cut; "" for no cut
	}{
		{"paragraphs", "a\n\nb\n\nc\n", "c\n"},
		{"incomplete last line is not a cut", "a\n\nb\n\nc", "b\n\nc"},
		{"no blank line", "a\nb\nc\n", ""},
		{"first line is never a cut", "a\n", ""},
		{"indented line continues a list item", "- a\n\n  b\n", ""},
		{"new list item", "- a\n\n- b\n", "- b\n"},
		{"inside a fence", "a\n\n```\nx\n\ny\n```\n", "```\nx\n\ny\n```\n"},
		{"after a fence", "a\n\n```\nx\n\ny\n```\n\nz\n", "z\n"},
		{"tilde fence, longer close", "~~~~\nx\n\ny\n~~~~~\n\nz\n", "z\n"},
		{"shorter fence does not close", "````\nx\n\n```\n\ny\n", ""},
		{"backtick fence with backtick info is not a fence", "```a`b\n\nc\n", "c\n"},
		{"inside an HTML comment", "<!--\n\nx\n\n-->\n", ""},
		{"after a one-line comment", "<!-- x -->\n\ny\n", "y\n"},
		{"after an HTML comment", "<!--\n\nx\n-->\n\ny\n", "y\n"},
		{"inside pre, closed in upper case", "<pre>\n\nx\n\n</PRE>\n\ny\n", "y\n"},
		{"indented code line", "a\n\n    code\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := markdownCut([]byte(tt.in))
			got := ""
			if k > 0 {
				got = tt.in[k:]
			}
			if got != tt.want {
				t.Errorf("markdownCut(%q) leaves %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestExtractInPieces checks that reading a note in small pieces finds
// the same links, positions and texts as reading it whole.
func TestExtractInPieces(t *testing.T) {
	edge := "# 标题\n\n见https://a.example/1，[x](https://a.example/2)\n\n" +
		"```sh\ncurl https://code.example/\n\nmore https://code.example/2\n```\n\n" +
		"<!--\nhttps://comment.example/\n\n-->\n\n" +
		"- item https://a.example/3\n\n  continued https://a.example/4\n\n" +
		"[r]: https://a.example/ref\n\nuse [the ref][r] here\n\n" +
		"<div>\n<a href=\"https://a.example/5\">five</a>\n</div>\n\n" +
		"last https://a.example/6" // no final newline
	inputs := map[string][]byte{
		"edge.md":  []byte(edge),
		"edge.txt": []byte(edge),
	}
	for _, name := range []string{"../../examples/notes/reading-list.md", "../../examples/notes/kubecon-notes.zh.txt"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(name)] = data
	}
	if name, ok := sharedtest.Lookup(t, "corpora/awesome-go.md"); ok {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		inputs["awesome-go.md"] = data
	}
	// A reference link whose definition lies in another piece loses its
	// text (documented); reading-list.md has one.
	noText := func(name string, links []string) []string {
		if name != "reading-list.md" {
			return links
		}
		return withoutText(links)
	}
	for name, data := range inputs {
		want := noText(name, flat(Bytes(name, data, Options{})))
		if len(want) == 0 {
			t.Fatalf("%s: no links", name)
		}
		for _, size := range []int{1, 64, 300, 4096} {
			func() {
				defer func(old int) { chunkSize = old }(chunkSize)
				chunkSize = size
				if got := noText(name, flat(Bytes(name, data, Options{}))); !slices.Equal(got, want) {
					t.Errorf("%s in pieces of %d:\n got: %q\nwant: %q", name, size, got, want)
				}
			}()
		}
	}
}

// TestExtractFileInPieces reads a file larger than a piece from disk: the
// lines of the later pieces are counted on, and the size cap still holds.
func TestExtractFileInPieces(t *testing.T) {
	defer func(old int) { chunkSize = old }(chunkSize)
	chunkSize = 64
	var b bytes.Buffer
	for i := range 40 {
		b.WriteString(strings.Repeat("x", i%7) + " https://a.example/" + strings.Repeat("p", i) + "\n\n")
	}
	dir := sharedtest.WriteFiles(t, map[string]string{"a.md": b.String(), "a.txt": b.String()})
	links, err := Files(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 40 {
		t.Fatalf("%d links, want 40", len(links))
	}
	for i, l := range links {
		if len(l.Sources) != 2 {
			t.Fatalf("%s: %d sources, want 2", l.URL, len(l.Sources))
		}
		for _, s := range l.Sources {
			if s.Line != 2*i+1 || s.Column != i%7+2 {
				t.Errorf("%s in %s at %d:%d, want %d:%d", l.URL, s.File, s.Line, s.Column, 2*i+1, i%7+2)
			}
		}
	}

	defer func(old int64) { maxFileSize = old }(maxFileSize)
	maxFileSize = 200
	var warns []string
	links, err = Files(context.Background(), []string{filepath.Join(dir, "a.txt")}, Options{Warn: func(_, msg string) { warns = append(warns, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String()[:200], "https://"); len(links) != n-1 && len(links) != n {
		t.Errorf("%d links under a cap of 200 bytes, want about %d", len(links), n)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "size cap") {
		t.Errorf("warnings = %q, want one about the size cap", warns)
	}
}

// TestExtractManyLinks crosses the blocks the links are kept in: order of
// first appearance, and later sources found for links of earlier blocks.
func TestExtractManyLinks(t *testing.T) {
	const n = 2*blockLen + 100
	var b strings.Builder
	for pass := range 2 {
		for i := range n {
			b.WriteString("https://a.example/" + strconv.Itoa(i) + "\n")
		}
		if pass == 0 {
			b.WriteString("\n")
		}
	}
	links := Bytes("many.txt", []byte(b.String()), Options{})
	if len(links) != n {
		t.Fatalf("%d links, want %d", len(links), n)
	}
	for i, l := range links {
		if want := "https://a.example/" + strconv.Itoa(i); l.URL != want || len(l.Sources) != 2 || l.Sources[0].Line != i+1 || l.Sources[1].Line != n+2+i {
			t.Fatalf("link %d = %s with %+v, want %s on lines %d and %d", i, l.URL, l.Sources, want, i+1, n+2+i)
		}
	}
}

// FuzzExtractInPieces checks that a Markdown note read in small pieces
// gives the links it gives read whole (link texts aside: a reference
// link's text is lost across pieces, as documented).
func FuzzExtractInPieces(f *testing.F) {
	for _, s := range []string{
		"a https://a.example/1\n\nb [x](https://a.example/2)\n\n```\nhttps://code.example/\n\nx\n```\n\nc <https://a.example/3>\n",
		"<!--\n\nhttps://a.example/1\n-->\n\n- https://a.example/2\n\n  https://a.example/3\n\nz\n",
		"<pre>\n\nhttps://a.example/1\n\n</pre>\n\n[r]: https://a.example/r\n\n[t][r]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := withoutText(flat(Bytes("a.md", []byte(s), Options{})))
		defer func(old int) { chunkSize = old }(chunkSize)
		chunkSize = 16
		if got := withoutText(flat(Bytes("a.md", []byte(s), Options{}))); !slices.Equal(got, want) {
			t.Errorf("in pieces:\n got: %q\nwant: %q", got, want)
		}
	})
}

// flatText matches the text="…" of a link flattened by flat.
var flatText = regexp.MustCompile(` text="(?:[^"\\]|\\.)*"`)

// withoutText removes the link texts from flattened links.
func withoutText(links []string) []string {
	for i, l := range links {
		links[i] = flatText.ReplaceAllString(l, "")
	}
	return links
}

// TestExtractSourcesExact checks that each link's Sources is exactly as
// long as its capacity, sliced from shared arrays: a link found 1, 3 or
// 5 times, in several files and in the order of the files given, holds
// no spare room (grown by append, 3 sources took the room of 4, and the
// first one was left behind in a block: 70 MB for the 44 MB of sources of
// 50 MB of notes), and appending to one link's Sources cannot write into
// another's.
func TestExtractSourcesExact(t *testing.T) {
	dir := sharedtest.WriteFiles(t, map[string]string{
		"b.md":  "[x](https://a.example/3) and https://a.example/5\n\nhttps://a.example/5 [y](https://a.example/3)\n",
		"a.md":  "https://a.example/1\n\n[z](https://a.example/5) https://a.example/5\n",
		"c.txt": "https://a.example/3 https://a.example/5\n",
	})
	links, err := Files(context.Background(), []string{filepath.Join(dir, "b.md"), filepath.Join(dir, "a.md"), filepath.Join(dir, "c.txt")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"https://a.example/3": 3, "https://a.example/5": 5, "https://a.example/1": 1}
	if len(links) != len(want) {
		t.Fatalf("links = %+v, want %d", links, len(want))
	}
	for _, l := range links {
		if len(l.Sources) != want[l.URL] || cap(l.Sources) != len(l.Sources) {
			t.Errorf("%s: %d sources in room for %d, want %d in room for %d", l.URL, len(l.Sources), cap(l.Sources), want[l.URL], want[l.URL])
		}
		if !slices.IsSortedFunc(l.Sources, func(a, b linkvault.Source) int {
			return cmp.Or(strings.Compare(a.File, b.File), a.Line-b.Line, a.Column-b.Column)
		}) {
			t.Errorf("%s: sources not sorted by file and position: %+v", l.URL, l.Sources)
		}
	}
	if l := links[0]; l.URL != "https://a.example/3" || l.Sources[0].Text != "x" || !strings.HasSuffix(l.Sources[0].File, "/b.md") {
		t.Errorf("first link = %+v, want https://a.example/3 first found in b.md with text x", l)
	}
}

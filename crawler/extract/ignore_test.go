package extract

import (
	"slices"
	"testing"
)

func TestInlineIgnore(t *testing.T) {
	tests := []struct {
		name string
		file string
		src  string
		want []string // URLs found, in order
	}{
		// Markdown: HTML comments.
		{"md: this line", "a.md", "a https://a.example/1 <!-- linkvault-ignore -->\nb https://a.example/2\n",
			[]string{"https://a.example/2"}},
		{"md: -line, marker first", "a.md", "x [a](https://a.example/1) <!--linkvault-ignore-line-->\n\n[b](https://a.example/2)\n",
			[]string{"https://a.example/2"}},
		{"md: comment starting the line", "a.md", "<!-- linkvault-ignore-line --> [a](https://a.example/1)\n\n[b](https://a.example/2)\n",
			[]string{"https://a.example/2"}},
		{"md: next line", "a.md", "<!-- linkvault-ignore-next-line -->\n[a](https://a.example/1)\n[b](https://a.example/2)\n",
			[]string{"https://a.example/2"}},
		{"md: next line, a reference definition", "a.md", "[a][r] and [b](https://a.example/2)\n\n<!-- linkvault-ignore-next-line -->\n[r]: https://a.example/r\n",
			[]string{"https://a.example/2"}},
		{"md: block", "a.md", "https://a.example/0\n\n<!-- linkvault-ignore-start -->\n\n- https://a.example/1\n- [b](https://a.example/2)\n- <https://a.example/3>\n\n<!-- linkvault-ignore-end -->\n\nhttps://a.example/4\n",
			[]string{"https://a.example/0", "https://a.example/4"}},
		{"md: unclosed block runs to the end", "a.md", "https://a.example/0 <!-- linkvault-ignore-start -->\n\nhttps://a.example/1\n\nhttps://a.example/2\n",
			[]string{"https://a.example/0"}},
		{"md: marker in a code span is no marker", "a.md", "`<!-- linkvault-ignore -->` https://a.example/1\n",
			[]string{"https://a.example/1"}},
		{"md: marker in a code block is no marker", "a.md", "```\n<!-- linkvault-ignore-start -->\n```\n\nhttps://a.example/1\n",
			[]string{"https://a.example/1"}},
		{"md: other comments change nothing", "a.md", "https://a.example/1 <!-- linkvault-ignored -->\n",
			[]string{"https://a.example/1"}},

		// HTML.
		{"html: this line", "a.html", "<a href=\"https://a.example/1\">a</a><!-- linkvault-ignore -->\n<a href=\"https://a.example/2\">b</a>\n",
			[]string{"https://a.example/2"}},
		{"html: block", "a.html", "<p><!-- linkvault-ignore-start --><img src=\"https://a.example/1\">\nhttps://a.example/2<!-- linkvault-ignore-end --> <a href=\"https://a.example/3\">c</a></p>\n",
			[]string{"https://a.example/3"}},
		{"html: next line", "a.html", "<!-- linkvault-ignore-next-line -->\n<a href=\"https://a.example/1\">a</a>\n<a href=\"https://a.example/2\">b</a>\n",
			[]string{"https://a.example/2"}},

		// Plain text: a word anywhere on the line.
		{"txt: this line", "a.txt", "https://a.example/1 linkvault:ignore\n见https://a.example/2\n",
			[]string{"https://a.example/2"}},
		{"txt: marker first, in a comment", "a.yaml", "url: https://a.example/1 # linkvault:ignore-line\nother: https://a.example/2\n",
			[]string{"https://a.example/2"}},
		{"txt: next line", "a.txt", "# linkvault:ignore-next-line\nhttps://a.example/1\nhttps://a.example/2\n",
			[]string{"https://a.example/2"}},
		{"txt: block", "a.txt", "https://a.example/0\nlinkvault:ignore-start\nhttps://a.example/1\n\nhttps://a.example/2\nlinkvault:ignore-end https://a.example/3\nhttps://a.example/4\n",
			[]string{"https://a.example/0", "https://a.example/3", "https://a.example/4"}},
		{"txt: a longer word is no marker", "a.txt", "https://a.example/1 linkvault:ignored\n",
			[]string{"https://a.example/1"}},
		{"txt: the HTML comment is not the text marker", "a.txt", "https://a.example/1 <!-- linkvault-ignore -->\n",
			[]string{"https://a.example/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Whole, then in pieces of 16 bytes: markers carry over.
			for _, size := range []int{1 << 20, 16} {
				func() {
					defer func(old int) { chunkSize = old }(chunkSize)
					chunkSize = size
					got := []string{}
					for _, l := range Bytes(tt.file, []byte(tt.src), Options{}) {
						got = append(got, l.URL)
					}
					if !slices.Equal(got, tt.want) {
						t.Errorf("pieces of %d: links %q, want %q", size, got, tt.want)
					}
				}()
			}
		})
	}
}

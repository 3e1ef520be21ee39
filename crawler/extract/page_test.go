package extract

import (
	"net/url"
	"testing"

	"github.com/linkvault/linkvault"
)

// TestBytesPage reads a web page: HTML whatever its name, relative
// references resolved against the page (or its relative <base href>),
// the page URL as the file of every source.
func TestBytesPage(t *testing.T) {
	for _, tc := range []struct {
		name, html string
		want       []string
	}{
		{"no base", "<p>\n<a href=\"../b/c?x=1#s\">c</a> <img src=\"//cdn.example.com/i.png\">\n<a href=\"mailto:a@example.com\">m</a>",
			[]string{"https://blog.example.com/posts/b/c?x=1", "https://cdn.example.com/i.png", "mailto:a@example.com"}},
		{"relative base", "<base href=\"/root/\">\n<a href=\"x/\">x</a>",
			[]string{"https://blog.example.com/root/x/"}},
		{"Chinese path", "<a href=\"介绍/\">介绍</a>",
			[]string{"https://blog.example.com/posts/a/%E4%BB%8B%E7%BB%8D/"}},
	} {
		page, _ := url.Parse("https://blog.example.com/posts/a/")
		links := Bytes("https://blog.example.com/posts/a/", []byte(tc.html), Options{Page: page})
		var got []string
		for _, l := range links {
			got = append(got, l.URL)
			if l.Kind == linkvault.KindLocal {
				t.Errorf("%s: %s is a local link", tc.name, l.URL)
			}
			if l.Sources[0].File != "https://blog.example.com/posts/a/" {
				t.Errorf("%s: source file %q", tc.name, l.Sources[0].File)
			}
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
			}
		}
	}
	page, _ := url.Parse("https://blog.example.com/posts/a/")
	l := Bytes("https://blog.example.com/posts/a/", []byte("<p>\n  <a href=\"../b\">b</a>"), Options{Page: page})
	if s := l[0].Sources[0]; s.Line != 2 || s.Column != 12 || s.Text != "b" {
		t.Errorf("position: %+v, want line 2 column 12", s)
	}
}

package cssvalue

import "testing"

func TestValues(t *testing.T) {
	for _, tt := range []struct {
		name, tok, want string
		f               func([]byte) string
	}{
		{"url bare", `url(img/a.png)`, "img/a.png", URL},
		{"url quoted", `url( "img/a b.png" )`, "img/a b.png", URL},
		{"url single quoted", `url('x.css')`, "x.css", URL},
		{"url escaped paren", `url(a\).png)`, "a).png", URL},
		{"url hex escape", `url(\66 ont.woff)`, "font.woff", URL},
		{"url no paren", `url`, "", URL},
		{"string", `"a\"b"`, `a"b`, String},
		{"string unterminated", `'abc`, "abc", String},
		{"line continuation", "\"a\\\nb\"", "ab", String},
		{"hex at end", `\4e2d`, "中", Unescape},
		{"hex zero", `\0`, "\uFFFD", Unescape},
		{"hex too large", `\110000`, "\uFFFD", Unescape},
		{"lone backslash at end", `a\`, `a\`, Unescape},
	} {
		if got := tt.f([]byte(tt.tok)); got != tt.want {
			t.Errorf("%s: %q gives %q, want %q", tt.name, tt.tok, got, tt.want)
		}
	}
}

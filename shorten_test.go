package linkvault

import (
	"testing"
	"unicode/utf8"
)

func TestShorten(t *testing.T) {
	tests := []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"fits", "soft 404: parked domain", 48, "soft 404: parked domain"},
		{"exactly", "abcdef", 6, "abcdef"},
		{"ASCII cut", "abcdefghij", 8, "abcde…"},
		{"never inside a CJK character", "页面不存在的理由", 10, "页面…"},
		{"quotation kept whole when it fits", "says “页面” then more text", 20, "says “页面”…"},
		{"quotation left out when it does not fit", "soft 404: says “该内容已被发布者删除”", 48, "soft 404: says…"},
		{"quotation in the middle left out", "a “bcdefghij” k", 10, "a…"},
		{"corner brackets", "说「这是一段很长的引文」后", 20, "说…"},
		{"ASCII double quotes", `title "a long quoted title" here`, 16, "title…"},
		{"apostrophe is not a quote", "it's a very long reason", 12, "it's a ve…"},
		{"invalid UTF-8 is cut between bytes", "ab\xff\xfecdefgh", 6, "ab\xff…"},
		{"not even the ellipsis fits", "abcdef", 2, ""},
		{"ellipsis only", "“abcdef”", 4, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Shorten(tt.s, tt.n)
			if got != tt.want {
				t.Errorf("Shorten(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
			}
			if len(got) > tt.n {
				t.Errorf("Shorten(%q, %d) = %q: %d bytes, more than %d", tt.s, tt.n, got, len(got), tt.n)
			}
			if utf8.ValidString(tt.s) && !utf8.ValidString(got) {
				t.Errorf("Shorten(%q, %d) = %q cuts a character", tt.s, tt.n, got)
			}
		})
	}
}

package extract

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name, in, want, frag string
	}{
		{"lowercase scheme and host", "HTTPS://Example.COM/Path", "https://example.com/Path", ""},
		{"default https port dropped", "https://example.com:443/a", "https://example.com/a", ""},
		{"default http port dropped", "http://example.com:80", "http://example.com/", ""},
		{"other port kept", "http://example.com:8080/", "http://example.com:8080/", ""},
		{"443 kept on http", "http://example.com:443/", "http://example.com:443/", ""},
		{"empty port dropped", "https://example.com:/x", "https://example.com/x", ""},
		{"empty path", "https://example.com", "https://example.com/", ""},
		{"empty path with query", "https://example.com?q=1", "https://example.com/?q=1", ""},
		{"fragment apart", "https://example.com/x#Sec-2", "https://example.com/x", "Sec-2"},
		{"empty fragment", "https://example.com/x#", "https://example.com/x", ""},
		{"Chinese fragment as written", "https://example.com/x#第二节", "https://example.com/x", "第二节"},
		{"IDN host, Chinese", "https://例子.测试/", "https://xn--fsqu00a.xn--0zwm56d/", ""},
		{"IDN host, Latin with uppercase", "https://Bücher.example/", "https://xn--bcher-kva.example/", ""},
		{"Chinese path encoded", "https://a.example/文档/说明.pdf", "https://a.example/%E6%96%87%E6%A1%A3/%E8%AF%B4%E6%98%8E.pdf", ""},
		{"space and Chinese encoded once", "https://a.example/15 张.pdf", "https://a.example/15%20%E5%BC%A0.pdf", ""},
		{"existing escapes not double-encoded", "https://a.example/15%20%E5%BC%A0.pdf", "https://a.example/15%20%E5%BC%A0.pdf", ""},
		{"lowercase escapes kept as written", "https://a.example/%e5%bc%a0", "https://a.example/%e5%bc%a0", ""},
		{"mixed written and raw", "https://a.example/%E5%BC%A0张", "https://a.example/%E5%BC%A0%E5%BC%A0", ""},
		{"lone percent", "https://a.example/100%", "https://a.example/100%25", ""},
		{"percent with one hex digit", "https://a.example/%4g", "https://a.example/%254g", ""},
		{"Chinese query", "https://a.example/s?q=云原生&x=1", "https://a.example/s?q=%E4%BA%91%E5%8E%9F%E7%94%9F&x=1", ""},
		{"query kept as written", "https://a.example/s?b=2&a=1", "https://a.example/s?b=2&a=1", ""},
		{"dot segments kept", "https://a.example/a/../b", "https://a.example/a/../b", ""},
		{"userinfo kept", "https://u:p@A.example/", "https://u:p@a.example/", ""},
		{"IPv6", "http://[::1]:80/x", "http://[::1]/x", ""},
		{"IPv6 uppercase", "http://[FE80::1]:8080/", "http://[fe80::1]:8080/", ""},
		{"underscore host", "https://my_host.example/", "https://my_host.example/", ""},
		{"surrounding space trimmed", "  https://a.example/x \n", "https://a.example/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, frag, err := Canonical(tt.in)
			if err != nil {
				t.Fatalf("Canonical(%q): %v", tt.in, err)
			}
			if got != tt.want || frag != tt.frag {
				t.Errorf("Canonical(%q) = %q, %q; want %q, %q", tt.in, got, frag, tt.want, tt.frag)
			}
			if _, err := url.Parse(got); err != nil {
				t.Errorf("canonical %q does not parse: %v", got, err)
			}
			again, _, err := Canonical(got)
			if err != nil || again != got {
				t.Errorf("Canonical(%q) = %q, %v; want it unchanged (idempotent)", got, again, err)
			}
		})
	}
}

func TestCanonicalErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"ftp", "ftp://a.example/x", ErrNotWeb},
		{"mailto", "mailto:me@a.example", ErrNotWeb},
		{"no scheme", "a.example/x", ErrNotWeb},
		{"relative", "docs/说明.md", ErrNotWeb},
		{"no slashes", "https:a.example", ErrNotWeb},
		{"empty host", "https://", ErrInvalidHost},
		{"empty host with path", "https:///x", ErrInvalidHost},
		{"space in host", "https://a b/", ErrInvalidHost},
		{"empty label", "https://a..example/", ErrInvalidHost},
		{"bad IDN", "https://a\u0301\u0300-.-例/", ErrInvalidHost},
		{"bad IPv6", "http://[zz]/", ErrInvalidHost},
		{"label too long", "https://" + strings.Repeat("例", 64) + "/", ErrInvalidHost},
		{"bad port", "https://a.example:x/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := Canonical(tt.in)
			if err == nil {
				t.Fatalf("Canonical(%q) = %q, want an error", tt.in, got)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Canonical(%q) error = %v, want %v", tt.in, err, tt.want)
			}
		})
	}
}

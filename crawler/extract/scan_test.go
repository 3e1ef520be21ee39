package extract

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func scanURLs(s string) []string {
	var out []string
	for _, m := range ScanText(s) {
		out = append(out, m.URL)
	}
	return out
}

func TestScanText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		// Where a URL starts.
		{"glued to Chinese before and after punctuation", "细节见https://a.example/x，然后", []string{"https://a.example/x"}},
		{"English sentence", "See https://a.example/x for details", []string{"https://a.example/x"}},
		{"start of text", "https://a.example/", []string{"https://a.example/"}},
		{"uppercase scheme", "Read HTTPS://A.Example/X now", []string{"HTTPS://A.Example/X"}},
		{"mixed-case scheme, Chinese", "地址Http://a.example/中", []string{"Http://a.example/中"}},
		{"glued to an ASCII word", "linkhttps://a.example/x", []string{"https://a.example/x"}},
		{"ftp is not scanned", "ftp://a.example/x and mailto:me@a.example", nil},
		{"www without scheme is not a link", "visit www.example.com today", nil},
		{"www without scheme, Chinese", "访问www.example.com即可", nil},
		{"two URLs separated by a full-width comma", "https://a.example/x，https://b.example/y", []string{"https://a.example/x", "https://b.example/y"}},
		{"URL inside a query stays whole", "go https://a.example/?u=https://b.example/z now", []string{"https://a.example/?u=https://b.example/z"}},
		{"markdown link syntax in plain text", "[text](https://a.example/x)", []string{"https://a.example/x"}},
		{"angle brackets", "<https://a.example/x>", []string{"https://a.example/x"}},
		{"double quotes", `"https://a.example/x"`, []string{"https://a.example/x"}},
		{"backticks", "`https://a.example/x`", []string{"https://a.example/x"}},

		// Trailing punctuation.
		{"trailing full stop", "See https://a.example/x.", []string{"https://a.example/x"}},
		{"trailing comma", "https://a.example/x, then", []string{"https://a.example/x"}},
		{"trailing semicolon", "https://a.example/x; then", []string{"https://a.example/x"}},
		{"trailing colon", "https://a.example/x: then", []string{"https://a.example/x"}},
		{"trailing exclamation", "Wow https://a.example/x!", []string{"https://a.example/x"}},
		{"trailing question", "Is it https://a.example/x?", []string{"https://a.example/x"}},
		{"trailing quote", "'https://a.example/x'", []string{"https://a.example/x"}},
		{"trailing several", "(https://a.example/x).", []string{"https://a.example/x"}},
		{"inner dot kept", "https://a.example/v1.2/x.pdf.", []string{"https://a.example/v1.2/x.pdf"}},
		{"inner question kept", "https://a.example/x?q=1.", []string{"https://a.example/x?q=1"}},
		{"ASCII period after Chinese URL", "见https://a.example/x.", []string{"https://a.example/x"}},

		// Markdown-ish delimiters.
		{"bold", "**https://a.example/x**", []string{"https://a.example/x"}},
		{"emphasis underscore", "_https://a.example/x_", []string{"https://a.example/x"}},
		{"strikethrough", "~~https://a.example/x~~", []string{"https://a.example/x"}},
		{"balanced underscores kept", "https://a.example/_x_", []string{"https://a.example/_x_"}},
		{"inner underscore kept", "https://a.example/a_b", []string{"https://a.example/a_b"}},
		{"bold Chinese", "**详见https://a.example/x**。", []string{"https://a.example/x"}},

		// Brackets.
		{"balanced parentheses kept", "https://en.wikipedia.org/wiki/Go_(programming_language)", []string{"https://en.wikipedia.org/wiki/Go_(programming_language)"}},
		{"unbalanced closing trimmed", "(see https://a.example/x)", []string{"https://a.example/x"}},
		{"balanced inside parentheses", "(see https://en.wikipedia.org/wiki/Go_(programming_language))", []string{"https://en.wikipedia.org/wiki/Go_(programming_language)"}},
		{"full-width parentheses", "（见https://a.example/x）", []string{"https://a.example/x"}},
		{"square brackets", "[https://a.example/x]", []string{"https://a.example/x"}},
		{"balanced brackets kept", "https://a.example/a[1]", []string{"https://a.example/a[1]"}},
		{"unbalanced then Chinese full stop", "(https://a.example/x)。", []string{"https://a.example/x"}},

		// Markdown habits in plain text: a bracket or quote written just
		// before the URL closes it.
		{"markdown link then mailto link", "[docs](https://x.example/a)[mail](mailto:a@x.example)", []string{"https://x.example/a"}},
		{"two markdown links glued", "[a](https://a.example/x)[b](https://b.example/y)", []string{"https://a.example/x", "https://b.example/y"}},
		{"markdown link without path, then userinfo-like text", "[a](https://a.example)[m](mailto:u@b.example)", []string{"https://a.example"}},
		{"markdown link keeps balanced parentheses", "[Go](https://en.wikipedia.org/wiki/Go_(lang))后面", []string{"https://en.wikipedia.org/wiki/Go_(lang)"}},
		{"markdown link with title", `[a](https://a.example/x "title")`, []string{"https://a.example/x"}},
		{"markdown link, text glued after", "[a](https://a.example/x)然后", []string{"https://a.example/x"}},
		{"markdown image in text", "![logo](https://a.example/l.png)![b](https://b.example/b.png)", []string{"https://a.example/l.png", "https://b.example/b.png"}},
		{"square brackets then reference", "[https://a.example/x][ref]", []string{"https://a.example/x"}},
		{"curly braces", "{https://a.example/x}{y}", []string{"https://a.example/x"}},

		// Quotes pair like brackets.
		{"single-quoted word in path", "https://a.example/b_'q'", []string{"https://a.example/b_'q'"}},
		{"double-quoted word in path", `https://a.example/b_"q"`, []string{`https://a.example/b_"q"`}},
		{"apostrophe in path", "https://a.example/it's_here", []string{"https://a.example/it's_here"}},
		{"quoted sentence ends with the URL", "'see https://a.example/x'", []string{"https://a.example/x"}},
		{"double-quoted sentence", `"see https://a.example/x"`, []string{"https://a.example/x"}},
		{"single-quoted URL", "'https://a.example/x'y", []string{"https://a.example/x"}},
		{"JSON array", `["https://a.example/x","https://b.example/y"]`, []string{"https://a.example/x", "https://b.example/y"}},
		{"HTML attribute in text", `<a href="https://a.example/x">a</a>`, []string{"https://a.example/x"}},
		{"lone double quote ends the URL", `https://a.example/x"y and more`, []string{"https://a.example/x"}},

		// Deliberate differences from linkify-it (see the package doc).
		{"underscore before the scheme", "_http://a.example/x", []string{"http://a.example/x"}},
		{"host label starting with a dash", "http://-a.example/x", []string{"http://-a.example/x"}},
		{"schemeless host is not a link", "see example.com/x and //example.com", nil},

		// Symbols in an internationalised host.
		{"symbol in IDN host", "http://✪df.ws/123", []string{"http://✪df.ws/123"}},
		{"symbol glued to an ASCII host", "https://a.example✨", []string{"https://a.example"}},

		// Non-ASCII and escapes.
		{"Chinese path", "见https://zh.wikipedia.org/wiki/云原生计算基金会", []string{"https://zh.wikipedia.org/wiki/云原生计算基金会"}},
		{"Chinese path and file name", "下载：https://mu.example.com/文档/说明.pdf。", []string{"https://mu.example.com/文档/说明.pdf"}},
		{"percent escapes kept as written", "https://a.example/15%20%E5%BC%A0.pdf", []string{"https://a.example/15%20%E5%BC%A0.pdf"}},
		{"lowercase escapes kept", "https://a.example/%e5%bc%a0", []string{"https://a.example/%e5%bc%a0"}},
		{"lone percent encoded", "https://a.example/100% sure", []string{"https://a.example/100%25"}},
		{"IDN host", "见https://例子.测试/路径。", []string{"https://例子.测试/路径"}},
		{"IDN host, Latin", "https://bücher.example/x", []string{"https://bücher.example/x"}},
		{"Chinese glued after a path is kept (documented ambiguity)", "https://a.example/x然后", []string{"https://a.example/x然后"}},
		{"Chinese glued to an ASCII host", "https://a.example中文说明", []string{"https://a.example"}},
		{"Chinese glued to a host with a port-less path", "看https://a.example后面", []string{"https://a.example"}},

		// Hosts.
		{"empty host", "https:// and https:///x", nil},
		{"scheme only", "https://", nil},
		{"single slash", "https:/a.example/x", nil},
		{"dot host", "https://./x", nil},
		{"empty label", "https://a..example/x", nil},
		{"leading dot", "https://.a.example/x", nil},
		{"bad character in host cuts the URL", "https://a.example{x}", []string{"https://a.example"}},
		{"non-numeric port", "https://a.example:port/x", nil},
		{"port", "http://localhost:8080/x", []string{"http://localhost:8080/x"}},
		{"IPv6 literal", "http://[::1]:8080/a", []string{"http://[::1]:8080/a"}},
		{"bad IPv6 literal", "http://[zz]/a", nil},
		{"userinfo", "https://u:p@a.example/x", []string{"https://u:p@a.example/x"}},
		{"trailing dot of host trimmed", "Go to https://a.example.", []string{"https://a.example"}},
		{"label longer than 63", "https://" + strings.Repeat("a", 64) + ".example/x", nil},
		{"label of 63", "https://" + strings.Repeat("a", 63) + ".example/x", []string{"https://" + strings.Repeat("a", 63) + ".example/x"}},
		{"IDN label longer than 63", "https://" + strings.Repeat("例", 64) + "/x", nil},
		{"host longer than 253", "https://" + strings.Repeat("abcdefghi.", 26) + "example/x", nil},
		{"invalid IDN", "https://a\u0301\u0300-.-例/x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanURLs(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ScanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestScanTextStops checks every character that must end a URL, glued
// between the URL and following Chinese text.
func TestScanTextStops(t *testing.T) {
	stops := "。，、；：！？（）【】《》「」『』“”‘’…" +
		"\u3000\u3001\u3002\u303f\uff01\uff0c\uff1a\uff1b\uff08\uff09\uff5e\uff65" +
		"\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2026\u00a0\u200b" +
		" \t\n\r\x00\x01\x1f\x7f\u0085<>\"`"
	for _, r := range stops {
		in := "见https://a.example/p" + string(r) + "后续"
		got := scanURLs(in)
		if want := []string{"https://a.example/p"}; !slices.Equal(got, want) {
			t.Errorf("stop %U: ScanText(%q) = %q, want %q", r, in, got, want)
		}
	}
}

func TestScanTextOffsets(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		start, end int
	}{
		{"Chinese before", "细节见https://a.example/x，然后", len("细节见"), len("细节见https://a.example/x")},
		{"second line", "first line\nsecond https://a.example/x.", len("first line\nsecond "), len("first line\nsecond https://a.example/x")},
		{"invalid UTF-8 around", "见\xffhttps://a.example/x\xfe后", len("见\xff"), len("见\xffhttps://a.example/x")},
		{"invalid UTF-8 ends the URL", "https://a.example/x\xffy", 0, len("https://a.example/x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScanText(tt.in)
			if len(got) != 1 || got[0].Start != tt.start || got[0].End != tt.end {
				t.Fatalf("ScanText(%q) = %+v, want one match [%d:%d]", tt.in, got, tt.start, tt.end)
			}
			if got[0].URL != tt.in[tt.start:tt.end] {
				t.Errorf("URL = %q, want %q", got[0].URL, tt.in[tt.start:tt.end])
			}
		})
	}
}

// FuzzScanText checks that the scanner never panics, that every match is
// an absolute http(s) URL with a host that net/url and Canonical accept,
// and that its offsets point at it in the input.
func FuzzScanText(f *testing.F) {
	for _, s := range []string{
		"细节见https://a.example/x，然后",
		"(see https://en.wikipedia.org/wiki/Go_(programming_language))",
		"**https://a.example/x**",
		"https://a.example/100%",
		"http://[::1]:80/",
		"https://例子.测试/路径。",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prev := 0
		for _, m := range ScanText(s) {
			if m.Start < prev || m.Start >= m.End || m.End > len(s) {
				t.Fatalf("ScanText(%q): bad offsets %+v (previous end %d)", s, m, prev)
			}
			prev = m.End
			raw := s[m.Start:m.End]
			if fixPercent(raw) != m.URL {
				t.Fatalf("ScanText(%q): URL %q is not s[%d:%d] = %q", s, m.URL, m.Start, m.End, raw)
			}
			if !utf8.ValidString(raw) {
				t.Fatalf("ScanText(%q): URL %q is not valid UTF-8", s, raw)
			}
			u, err := url.Parse(m.URL)
			if err != nil {
				t.Fatalf("ScanText(%q): url.Parse(%q): %v", s, m.URL, err)
			}
			if sc := strings.ToLower(u.Scheme); sc != "http" && sc != "https" || u.Host == "" || u.Hostname() == "" {
				t.Fatalf("ScanText(%q): %q is not an absolute http(s) URL with a host (%#v)", s, m.URL, u)
			}
			c, _, err := Canonical(m.URL)
			if err != nil {
				t.Fatalf("ScanText(%q): Canonical(%q): %v", s, m.URL, err)
			}
			if _, err := url.Parse(c); err != nil {
				t.Fatalf("ScanText(%q): canonical %q does not parse: %v", s, c, err)
			}
		}
	})
}

func BenchmarkScanText(b *testing.B) {
	s := strings.Repeat("这是一段中文说明，细节见https://github.com/tkestack/kstone，然后继续。 Plain English text with no links at all. ", 2000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		ScanText(s)
	}
}

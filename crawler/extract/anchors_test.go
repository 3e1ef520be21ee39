package extract

import (
	"slices"
	"testing"
)

// TestSlug is GitHub's heading anchor table (github-slugger's rules, and
// anchors seen on rendered READMEs), Chinese headings included.
func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Install", "install"},
		{"Getting Started", "getting-started"},
		{"What's new?", "whats-new"},
		{"C++ & Go", "c--go"},
		{"snake_case and kebab-case", "snake_case-and-kebab-case"},
		{"  two  spaces ", "--two--spaces-"},
		{"v1.2.3 (2024-01-02)", "v123-2024-01-02"},
		{"安装", "安装"},
		{"安装 (Linux)", "安装-linux"},
		{"第一章：快速开始", "第一章快速开始"},
		{"配置文件（config.yaml）说明", "配置文件configyaml说明"},
		{"全角　空格", "全角空格"},
		{"中文 English 混排", "中文-english-混排"},
		{"Ünïcödé Äpfel", "ünïcödé-äpfel"},
		{"日本語の見出し", "日本語の見出し"},
		{"한국어 제목", "한국어-제목"},
		{"Emoji 🚀 launch", "emoji--launch"},
	}
	for _, tt := range tests {
		if got := Slug(tt.in); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSluggerDuplicates(t *testing.T) {
	var g Slugger
	var got []string
	for _, h := range []string{"Usage", "Usage", "用法", "Usage", "usage-1", "用法"} {
		got = append(got, g.Slug(h))
	}
	want := []string{"usage", "usage-1", "用法", "usage-2", "usage-1-1", "用法-1"}
	if !slices.Equal(got, want) {
		t.Errorf("slugs %q, want %q", got, want)
	}
}

const anchorsMD = "# 快速开始\n\nText.\n\n## Install `linkvault` on *Linux*\n\n" +
	"Setext heading\n--------------\n\n## 快速开始\n\n" +
	"```\n# not a heading\n```\n\n" +
	"<a name=\"legacy\"></a>\n\nInline <span id=\"inline-id\">x</span>.\n\n" +
	"## [Linked](https://example.com) heading\n"

func TestAnchorsMarkdown(t *testing.T) {
	got, ok := Anchors("docs/guide.md", []byte(anchorsMD))
	if !ok {
		t.Fatal("Anchors: Markdown not judged")
	}
	want := []string{"快速开始", "install-linkvault-on-linux", "setext-heading", "快速开始-1", "legacy", "inline-id", "linked-heading"}
	if !slices.Equal(got, want) {
		t.Errorf("anchors %q\nwant    %q", got, want)
	}
}

func TestAnchorsHTML(t *testing.T) {
	got, ok := Anchors("page.HTML", []byte(`<h2 id="a">A</h2><a name="b"></a><span name="c"></span><div id="user-content-d"></div>`))
	if want := []string{"a", "b", "user-content-d", "d"}; !ok || !slices.Equal(got, want) {
		t.Errorf("anchors %q, %v; want %q, true", got, ok, want)
	}
	if _, ok := Anchors("notes.txt", []byte("# heading")); ok {
		t.Error("a text file is judged, want no verdict")
	}
}
